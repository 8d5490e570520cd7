/* SPDX-License-Identifier: GPL-2.0 */
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
 * Check @sig_path against @data with the PEM public key @pubkey.
 * Returns 0 when it verifies, -ENOENT when the signature file is missing,
 * -EBADMSG when it does not verify, -EKEYREJECTED when the key cannot be
 * loaded, other -errno for I/O errors.
 */
int mfw_sig_verify(const char *pubkey, const void *data, size_t len,
		   const char *sig_path);

/*
 * Load the PEM public key @pubkey and describe it in @desc ("RSA, 2048
 * bits", "ED25519, 256 bits").  0, -EKEYREJECTED when the file holds no
 * public key OpenSSL can read, or -errno when it cannot be read.
 */
int mfw_pubkey_describe(const char *pubkey, char *desc, size_t size);

/* Sign @data with the PEM private key @privkey into @sig_path.  0 or -errno. */
int mfw_sig_sign(const char *privkey, const void *data, size_t len,
		 const char *sig_path);

/*
 * The policy for a file: with @pubkey set, @path.sig must verify (any
 * failure is refused, with a message saying what to do); without a key,
 * acceptance, with a loud warning the first time in a run (debug after).
 * *@verified tells which.  Returns 0 or
 * the error of mfw_sig_verify().
 */
int mfw_verify_file(const char *pubkey, const char *path, const void *data,
		    size_t len, bool *verified);

#endif /* MFW_VERIFY_H */
