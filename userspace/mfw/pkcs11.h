/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfw helper - private keys that never leave a token: a PKCS#11 URI
 * (RFC 7512, "pkcs11:token=...;object=...") as the signing key of "mfw
 * manifest sign", through OpenSSL's pkcs11 engine (libp11, Debian's
 * libengine-pkcs11-openssl).
 */
#ifndef MFW_PKCS11_H
#define MFW_PKCS11_H

#include <stdbool.h>

struct evp_pkey_st;

/* Whether @key names a PKCS#11 object rather than a file. */
bool mfw_pkcs11_uri(const char *key);

/*
 * The private key @uri names, for signing; NULL with *@err set to
 * -ENOPKG (OpenSSL's pkcs11 engine is not installed), -EACCES (the token
 * refused the PIN) or -ENOKEY (no such key), and a message printed.
 * The PIN comes from the URI ("pin-value=") or MFW_PKCS11_PIN; the
 * PKCS#11 module from the URI ("module-path="), MFW_PKCS11_MODULE, or
 * else the engine's default (p11-kit's proxy, every module p11-kit
 * knows).
 */
struct evp_pkey_st *mfw_pkcs11_key(const char *uri, int *err);

#endif /* MFW_PKCS11_H */
