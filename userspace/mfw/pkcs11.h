/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - private keys that never leave a token: a PKCS#11 URI
 * (RFC 7512, "pkcs11:token=...;object=...") as the signing key of "mfw
 * manifest sign", through OpenSSL's pkcs11 engine (libp11, Debian's
 * libengine-pkcs11-openssl).
 */
#ifndef MFW_PKCS11_H
#define MFW_PKCS11_H

#include <stdbool.h>
#include <stddef.h>

struct evp_pkey_st;

/* Whether @key names a PKCS#11 object rather than a file. */
bool mfw_pkcs11_uri(const char *key);

/*
 * @key for a message: a URI's pin-value= shown as "***" (in @buf), a
 * file name as it is.
 */
const char *mfw_key_printable(const char *key, char *buf, size_t size);

/*
 * The private key @uri names, for signing; NULL with *@err set to
 * -ENOPKG (OpenSSL's pkcs11 engine is not installed or the module does
 * not load), -EACCES (the engine refused MFW_PKCS11_PIN) or -ENOKEY (the
 * token refused the login or has no such key: libp11 0.4.12 does not
 * tell them apart), and a message printed without the PIN.  The PIN
 * comes from the URI ("pin-value=") or MFW_PKCS11_PIN, else the engine
 * asks on the terminal; the PKCS#11 module from MFW_PKCS11_MODULE, else
 * the engine's default (p11-kit's proxy, every module p11-kit knows).
 * RSA and EC keys only: Debian 12's libp11 does not list a token that
 * holds an Ed25519 key.
 */
struct evp_pkey_st *mfw_pkcs11_key(const char *uri, int *err);

#endif /* MFW_PKCS11_H */
