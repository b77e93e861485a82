/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A read-only reader of bbolt files (the key/value store of containerd's
 * metadata, its snapshotters' metadata and Podman's bolt_state.db), over
 * a whole file held in memory.  The file is untrusted: every page number,
 * element and length is checked against the buffer, the tree depth and
 * the pages one walk visits are bounded, and a malformed tree is an error,
 * never a read outside the buffer.  Fuzzed by tests/fuzz/fuzz_bolt.c.
 */
#ifndef SPOOR_EVIDENCE_BOLT_H
#define SPOOR_EVIDENCE_BOLT_H

#include <stddef.h>
#include <stdint.h>

struct sp_bolt {
	const unsigned char *buf;
	size_t len;
	uint32_t psize;		/* page size */
	uint64_t npages;	/* pages the buffer holds */
	uint64_t root;		/* the root bucket's page */
	uint64_t txid;		/* the transaction of the meta page used */
};

/* A bucket: its root page, or its inline page (root 0). */
struct sp_bolt_bucket {
	uint64_t root;
	const unsigned char *inl;
	size_t inl_len;
};

/*
 * Open buf (len bytes): the valid meta page with the highest transaction.
 * 0, or -1 when buf is no bbolt file or neither meta page is valid.
 */
int sp_bolt_open(struct sp_bolt *db, const void *buf, size_t len);

/* The root bucket, whose keys are the top-level buckets. */
void sp_bolt_root(const struct sp_bolt *db, struct sp_bolt_bucket *b);

/*
 * Call fn for every key of b in key order: v is the value, or, when
 * bucket is 1, the nested bucket's header (open it with
 * sp_bolt_bucket_of).  0 after the last key; fn's value when it returns
 * non-zero; -1 when the tree is malformed.
 */
typedef int (*sp_bolt_fn)(const unsigned char *k, size_t klen,
    const unsigned char *v, size_t vlen, int bucket, void *arg);
int sp_bolt_each(const struct sp_bolt *db, const struct sp_bolt_bucket *b,
    sp_bolt_fn fn, void *arg);

/* A nested bucket from its header value: 0, or -1 when malformed. */
int sp_bolt_bucket_of(const unsigned char *v, size_t vlen,
    struct sp_bolt_bucket *out);

/*
 * The value of key in b (a NUL-terminated name): 0 with *v and *vlen and
 * *bucket; 1 when absent; -1 when the tree is malformed.
 */
int sp_bolt_get(const struct sp_bolt *db, const struct sp_bolt_bucket *b,
    const char *key, const unsigned char **v, size_t *vlen, int *bucket);

/* The nested bucket key of b: 0, 1 when absent or no bucket, -1. */
int sp_bolt_sub(const struct sp_bolt *db, const struct sp_bolt_bucket *b,
    const char *key, struct sp_bolt_bucket *out);

#endif
