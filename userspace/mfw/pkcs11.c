// SPDX-License-Identifier: GPL-2.0
/*
 * mfw helper - signing keys on a PKCS#11 token.
 *
 * Debian 12 ships libp11 as an OpenSSL engine (there is no pkcs11
 * provider for its OpenSSL 3.0), and the engine API is deprecated in
 * OpenSSL 3: this file alone uses it.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "pkcs11.h"
#include "util.h"

bool mfw_pkcs11_uri(const char *key)
{
	return !strncmp(key, "pkcs11:", 7);
}

/* The last OpenSSL error, for a message. */
static const char *mfw_ssl_error(char *buf, size_t size)
{
	unsigned long e = ERR_peek_last_error();

	if (!e)
		return "no reason given";
	ERR_error_string_n(e, buf, size);
	return buf;
}

EVP_PKEY *mfw_pkcs11_key(const char *uri, int *err)
{
	const char *pin = getenv("MFW_PKCS11_PIN");
	const char *module = getenv("MFW_PKCS11_MODULE");
	EVP_PKEY *key = NULL;
	char why[256];
	ENGINE *e;

	ERR_clear_error();
	/* Found in OpenSSL's engines directory, loaded on demand. */
	e = ENGINE_by_id("pkcs11");
	if (!e) {
		*err = -ENOPKG;
		mfw_err("cannot load OpenSSL's pkcs11 engine (%s); install libengine-pkcs11-openssl to sign with a key on a token",
			mfw_ssl_error(why, sizeof(why)));
		return NULL;
	}
	if ((module && *module &&
	     !ENGINE_ctrl_cmd_string(e, "MODULE_PATH", module, 0)) ||
	    !ENGINE_init(e)) {
		*err = -ENOPKG;
		mfw_err("cannot start OpenSSL's pkcs11 engine%s%s (%s); check the PKCS#11 module (MFW_PKCS11_MODULE, or module-path= in the URI)",
			module ? " with " : "", module ? module : "",
			mfw_ssl_error(why, sizeof(why)));
		ENGINE_free(e);
		return NULL;
	}
	if (pin && *pin && !ENGINE_ctrl_cmd_string(e, "PIN", pin, 0)) {
		*err = -EACCES;
		mfw_err("the pkcs11 engine did not take the PIN from MFW_PKCS11_PIN");
		goto out;
	}
	key = ENGINE_load_private_key(e, uri, NULL, NULL);
	if (!key) {
		mfw_ssl_error(why, sizeof(why));
		*err = strstr(why, "PIN") || strstr(why, "pin") ? -EACCES : -ENOKEY;
		mfw_err("no private key %s on the token (%s); check the URI (token=, object=), and the PIN (pin-value= or MFW_PKCS11_PIN)",
			uri, why);
	}
out:
	ENGINE_finish(e);
	ENGINE_free(e);
	ERR_clear_error();
	return key;
}
