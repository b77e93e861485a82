/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One-pass hashing: MD5, SHA-1 and SHA-256 of one byte stream together,
 * through OpenSSL's libcrypto.
 */
#ifndef SPOOR_HASH_H
#define SPOOR_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum sp_hash_alg {
	SP_HASH_MD5 = 1 << 0,
	SP_HASH_SHA1 = 1 << 1,
	SP_HASH_SHA256 = 1 << 2,
	SP_HASH_ALL = 7
};

#define SP_HASH_HEX_MAX 65

struct sp_hash;

/* New hasher for the algorithms in mask (SP_HASH_* bits). */
int sp_hash_new(struct sp_hash **h, unsigned mask, struct sp_err *err);
void sp_hash_update(struct sp_hash *h, const void *buf, size_t len);
/* Finish; then sp_hash_hex gives each digest.  Further updates are ignored. */
int sp_hash_final(struct sp_hash *h, struct sp_err *err);
/*
 * The lower-case hex digest of alg after sp_hash_final, or NULL when alg
 * was not requested.  The string is owned by h and lives until sp_hash_free.
 */
const char *sp_hash_hex(const struct sp_hash *h, enum sp_hash_alg alg);
void sp_hash_free(struct sp_hash *h);

/*
 * Parse "md5,sha1,sha256" (or "all") into a mask.  Returns SP_OK or
 * SP_E_USAGE naming the unknown algorithm.
 */
int sp_hash_parse_list(const char *list, unsigned *mask, struct sp_err *err);

#endif
