/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - SHA-256 and detached signatures (OpenSSL).
 *
 * A signature is the raw output of EVP_DigestSign with SHA-256 over the
 * whole file (Ed25519 and Ed448 sign the file itself), the same bytes as
 * "openssl dgst -sha256 -sign key.pem" for RSA and EC keys.  It lives next
 * to the signed file as FILE.sig.
 */
#ifndef MFW_VERIFY_H
#define MFW_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#define MFW_SHA256_LEN	32
#define MFW_SHA256_HEX	(2 * MFW_SHA256_LEN + 1)

/* Lower-case hex SHA-256 of @data into @hex (MFW_SHA256_HEX bytes). */
int mfw_sha256_hex(const void *data, size_t len, char *hex);

/*
 * The trusted keys ("pubkey=", "--pubkey"): one PEM public key file, or a
 * directory whose *.pem and *.pub files are each a trusted key (read in
 * name order; files that hold no public key are passed over).  A key is
 * named by its id: the first 16 hex digits of the SHA-256 of its DER
 * SubjectPublicKeyInfo, the same for the private key it belongs to.
 */
#define MFW_KEYID_HEX	17

/* The id of @key (an EVP_PKEY, public or private) into @id.  0 or -errno. */
struct evp_pkey_st;
int mfw_key_id(struct evp_pkey_st *key, char *id, size_t size);

/*
 * Check @sig_path against @data with the trusted keys @pubkey (above): 0
 * when one of them verifies it, naming it in @signer ("key <id> (<file>)";
 * @signer may be NULL).  -ENOENT when the signature file is missing,
 * -EBADMSG when no key verifies it, -EKEYREJECTED when @pubkey holds no
 * key that loads, other -errno for I/O errors.
 */
int mfw_sig_verify_by(const char *pubkey, const void *data, size_t len,
		      const char *sig_path, char *signer, size_t signer_size);
/* mfw_sig_verify_by() without the signer's name. */
int mfw_sig_verify(const char *pubkey, const void *data, size_t len,
		   const char *sig_path);

/*
 * Describe the trusted keys @pubkey in @desc, "; " between keys: "key
 * 3f2a9c0d11223344 (vendor.pem, ED25519 256 bits)".  The number of keys
 * that load, -EKEYREJECTED when none does, or -errno when @pubkey cannot
 * be read.
 */
int mfw_pubkey_describe(const char *pubkey, char *desc, size_t size);

/*
 * Why a key file or the trusted keys could not be used, from the error of
 * mfw_pubkey_describe() (or a key file's), for people.
 */
const char *mfw_trust_why(int err);

/*
 * Sign @data with the PEM private key @privkey into @sig_path; its id in
 * @id (MFW_KEYID_HEX bytes) when @id is not NULL.  0 or -errno.
 */
int mfw_sig_sign(const char *privkey, const void *data, size_t len,
		 const char *sig_path, char *id);

/*
 * Say once in a run, loudly, that no key is configured and @what (a
 * file) is not verified; later calls only at debug level.
 */
void mfw_trust_none_warn(const char *what);

/*
 * The policy for a file: with @pubkey set, @path.sig must verify with one
 * of its keys (any failure is refused, with a message saying what to do;
 * the key that verified it named in @signer, which may be NULL); without
 * a key, acceptance with mfw_trust_none_warn().  *@verified tells which.
 * Returns 0 or the error of mfw_sig_verify_by().
 */
int mfw_verify_file(const char *pubkey, const char *path, const void *data,
		    size_t len, bool *verified, char *signer, size_t signer_size);

#endif /* MFW_VERIFY_H */
