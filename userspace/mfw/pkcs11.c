// SPDX-License-Identifier: GPL-2.0-only
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
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "pkcs11.h"
#include "util.h"

bool mfw_pkcs11_uri(const char *key)
{
	return !strncasecmp(key, "pkcs11:", 7);
}

const char *mfw_key_printable(const char *key, char *buf, size_t size)
{
	const char *pin = strcasestr(key, "pin-value=");
	size_t n;

	if (!pin)
		return key;
	/* The attribute's value ends at the next attribute or the end. */
	n = (size_t)(pin - key) + strlen("pin-value=");
	snprintf(buf, size, "%.*s***%s", (int)n, key, pin + strcspn(pin, "&;"));
	return buf;
}

/*
 * @uri without its pin-value= attribute into @bare, the PIN into @pin
 * (empty when there is none).  False when either does not fit.
 */
static bool mfw_pkcs11_split_pin(const char *uri, char *bare, size_t bsize,
				 char *pin, size_t psize)
{
	const char *at = strcasestr(uri, "pin-value=");
	const char *val, *end;
	size_t n;

	*pin = '\0';
	if (!at)
		return snprintf(bare, bsize, "%s", uri) < (int)bsize;
	val = at + strlen("pin-value=");
	end = val + strcspn(val, "&;");
	if ((size_t)(end - val) >= psize)
		return false;
	memcpy(pin, val, end - val);
	pin[end - val] = '\0';
	/* Drop the attribute and one separator next to it. */
	n = (size_t)(at - uri);
	if (*end)
		end++;
	else if (n && (uri[n - 1] == '&' || uri[n - 1] == '?'))
		n--;
	return snprintf(bare, bsize, "%.*s%s", (int)n, uri, end) < (int)bsize;
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
	char why[256], bare[1024], upin[256];
	EVP_PKEY *key = NULL;
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
		mfw_err("cannot start OpenSSL's pkcs11 engine%s%s (%s); check the PKCS#11 module (MFW_PKCS11_MODULE)",
			module ? " with " : "", module ? module : "",
			mfw_ssl_error(why, sizeof(why)));
		ENGINE_free(e);
		return NULL;
	}
	/*
	 * A PIN in the URI is taken out of it and given as the engine's
	 * PIN: libp11 prints the URI it was given when it fails.
	 */
	if (!mfw_pkcs11_split_pin(uri, bare, sizeof(bare), upin, sizeof(upin))) {
		*err = -ENOKEY;
		mfw_err("the PKCS#11 URI is too long; shorten it");
		goto out;
	}
	if (*upin)
		pin = upin;
	if (pin && *pin && !ENGINE_ctrl_cmd_string(e, "PIN", pin, 0)) {
		*err = -EACCES;
		mfw_err("the pkcs11 engine did not take the PIN");
		goto out;
	}
	key = ENGINE_load_private_key(e, bare, NULL, NULL);
	if (!key) {
		char shown[1024];

		/*
		 * libp11 says the same for a refused login and a key that
		 * is not there (its own lines above say which).
		 */
		*err = -ENOKEY;
		mfw_err("could not get the private key %s from the token (%s): the token refused the PIN, holds no such key, or its PKCS#11 module did not load; check the PIN (pin-value= or MFW_PKCS11_PIN), the URI (token=, object=) and the module (MFW_PKCS11_MODULE)",
			mfw_key_printable(uri, shown, sizeof(shown)),
			mfw_ssl_error(why, sizeof(why)));
	}
out:
	ENGINE_finish(e);
	ENGINE_free(e);
	ERR_clear_error();
	return key;
}
