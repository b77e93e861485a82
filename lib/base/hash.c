/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One-pass MD5/SHA-1/SHA-256 through libcrypto's EVP interface.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "spoor/hash.h"

struct sp_hash {
	unsigned mask;
	int finished;
	EVP_MD_CTX *ctx[3];
	char hex[3][SP_HASH_HEX_MAX];
};

static const EVP_MD *
md_of(int i)
{
	switch (i) {
	case 0: return EVP_md5();
	case 1: return EVP_sha1();
	default: return EVP_sha256();
	}
}

int
sp_hash_new(struct sp_hash **hp, unsigned mask, struct sp_err *err)
{
	struct sp_hash *h;
	int i;

	*hp = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "hash");
	h->mask = mask & SP_HASH_ALL;
	for (i = 0; i < 3; i++) {
		if (!(h->mask & (1u << i)))
			continue;
		if ((h->ctx[i] = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestInit_ex(h->ctx[i], md_of(i), NULL) != 1) {
			sp_hash_free(h);
			return sp_err_set(err, SP_E_INTERNAL, 0,
			    "hash: cannot initialise digest");
		}
	}
	*hp = h;
	return SP_OK;
}

void
sp_hash_update(struct sp_hash *h, const void *buf, size_t len)
{
	int i;

	if (h == NULL || h->finished)
		return;
	for (i = 0; i < 3; i++)
		if (h->ctx[i] != NULL)
			EVP_DigestUpdate(h->ctx[i], buf, len);
}

int
sp_hash_final(struct sp_hash *h, struct sp_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len, j;
	int i;

	if (h->finished)
		return SP_OK;
	for (i = 0; i < 3; i++) {
		if (h->ctx[i] == NULL)
			continue;
		if (EVP_DigestFinal_ex(h->ctx[i], md, &len) != 1)
			return sp_err_set(err, SP_E_INTERNAL, 0,
			    "hash: cannot finish digest");
		for (j = 0; j < len; j++)
			snprintf(h->hex[i] + 2 * j, 3, "%02x", md[j]);
	}
	h->finished = 1;
	return SP_OK;
}

const char *
sp_hash_hex(const struct sp_hash *h, enum sp_hash_alg alg)
{
	int i = alg == SP_HASH_MD5 ? 0 : alg == SP_HASH_SHA1 ? 1 : 2;

	if (h == NULL || !h->finished || h->ctx[i] == NULL)
		return NULL;
	return h->hex[i];
}

void
sp_hash_free(struct sp_hash *h)
{
	int i;

	if (h == NULL)
		return;
	for (i = 0; i < 3; i++)
		EVP_MD_CTX_free(h->ctx[i]);
	free(h);
}

int
sp_hash_parse_list(const char *list, unsigned *mask, struct sp_err *err)
{
	const char *p = list, *e;
	size_t n;

	*mask = 0;
	while (*p != '\0') {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 3 && strncasecmp(p, "md5", n) == 0)
			*mask |= SP_HASH_MD5;
		else if (n == 4 && strncasecmp(p, "sha1", n) == 0)
			*mask |= SP_HASH_SHA1;
		else if (n == 6 && strncasecmp(p, "sha256", n) == 0)
			*mask |= SP_HASH_SHA256;
		else if (n == 3 && strncasecmp(p, "all", n) == 0)
			*mask |= SP_HASH_ALL;
		else
			return sp_err_set(err, SP_E_USAGE, 0,
			    "unknown hash algorithm '%.*s'", (int)n, p);
		p += n;
		if (*p == ',')
			p++;
	}
	if (*mask == 0)
		return sp_err_set(err, SP_E_USAGE, 0, "empty hash list");
	return SP_OK;
}
