/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bbolt files, read-only (see bolt.h).  The layout: pages of psize bytes,
 * each with a 16-byte header (id u64, flags u16, count u16, overflow u32)
 * and little-endian fields.  Pages 0 and 1 are meta pages (magic, version
 * 2, page size, root bucket, freelist, high-water page, transaction, an
 * FNV-1a checksum); a bucket is a B+tree of branch pages (elements: pos,
 * ksize, child page) and leaf pages (elements: flags, pos, ksize, vsize;
 * flag 1 marks a nested bucket whose value is its header: root page and
 * sequence, followed by the inline page when the root is 0).
 */
#include <string.h>

#include "evidence/bolt.h"

#define BOLT_MAGIC	0xED0CDAEDu
#define BOLT_VERSION	2u
#define PAGE_HDR	16u
#define ELEM_SIZE	16u
#define F_BRANCH	0x01u
#define F_LEAF		0x02u
#define F_META		0x04u
#define LEAF_BUCKET	0x01u
#define BUCKET_HDR	16u
#define DEPTH_MAX	32

static uint16_t
le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The meta page at off: 0 with *root and *txid when valid. */
static int
meta_at(const unsigned char *buf, size_t len, size_t off, uint32_t *psize,
    uint64_t *root, uint64_t *txid)
{
	const unsigned char *m;
	uint64_t h = 0xcbf29ce484222325u;
	size_t i;

	if (off > len || len - off < PAGE_HDR + 64)
		return -1;
	if (!(le16(buf + off + 8) & F_META))
		return -1;
	m = buf + off + PAGE_HDR;
	if (le32(m) != BOLT_MAGIC || le32(m + 4) != BOLT_VERSION)
		return -1;
	for (i = 0; i < 56; i++) {
		h ^= m[i];
		h *= 0x100000001b3u;
	}
	if (h != le64(m + 56))
		return -1;
	*psize = le32(m + 8);
	*root = le64(m + 16);
	*txid = le64(m + 48);
	return 0;
}

int
sp_bolt_open(struct sp_bolt *db, const void *buf, size_t len)
{
	const unsigned char *b = buf;
	uint32_t ps0 = 0, ps1 = 0;
	uint64_t r0 = 0, r1 = 0, t0 = 0, t1 = 0;
	int ok0, ok1;

	memset(db, 0, sizeof(*db));
	ok0 = meta_at(b, len, 0, &ps0, &r0, &t0) == 0;
	if (ok0 && (ps0 < 512 || ps0 > (1u << 20) || (ps0 & (ps0 - 1))))
		ok0 = 0;
	/* page 1 sits one page in: the size page 0 says, or the usual ones */
	if (ok0)
		ok1 = meta_at(b, len, ps0, &ps1, &r1, &t1) == 0 && ps1 == ps0;
	else {
		static const uint32_t sizes[] = { 4096, 16384, 65536, 8192,
		    1024, 2048, 32768 };
		size_t i;
		ok1 = 0;
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && !ok1; i++)
			ok1 = meta_at(b, len, sizes[i], &ps1, &r1, &t1) == 0 &&
			    ps1 == sizes[i];
	}
	if (!ok0 && !ok1)
		return -1;
	db->buf = b;
	db->len = len;
	if (ok1 && (!ok0 || t1 > t0)) {
		db->psize = ps1;
		db->root = r1;
		db->txid = t1;
	} else {
		db->psize = ps0;
		db->root = r0;
		db->txid = t0;
	}
	db->npages = len / db->psize;
	if (db->root < 2 || db->root >= db->npages)
		return -1;
	return 0;
}

void
sp_bolt_root(const struct sp_bolt *db, struct sp_bolt_bucket *b)
{
	b->root = db->root;
	b->inl = NULL;
	b->inl_len = 0;
}

int
sp_bolt_bucket_of(const unsigned char *v, size_t vlen,
    struct sp_bolt_bucket *out)
{
	if (v == NULL || vlen < BUCKET_HDR)
		return -1;
	out->root = le64(v);
	if (out->root != 0) {
		out->inl = NULL;
		out->inl_len = 0;
		return 0;
	}
	if (vlen < BUCKET_HDR + PAGE_HDR)
		return -1;
	out->inl = v + BUCKET_HDR;
	out->inl_len = vlen - BUCKET_HDR;
	return 0;
}

struct walk {
	const struct sp_bolt *db;
	sp_bolt_fn fn;
	void *arg;
	uint64_t visits;	/* pages left to visit in this walk */
};

/* The page p (plen bytes available from it, its overflow included). */
static int
page(struct walk *w, const unsigned char *p, size_t plen, int depth)
{
	uint16_t flags, count, i;
	const unsigned char *e;
	int rc;

	if (plen < PAGE_HDR || depth > DEPTH_MAX || w->visits == 0)
		return -1;
	w->visits--;
	flags = le16(p + 8);
	count = le16(p + 10);
	if ((size_t)count * ELEM_SIZE > plen - PAGE_HDR)
		return -1;
	for (i = 0; i < count; i++) {
		size_t at;
		e = p + PAGE_HDR + (size_t)i * ELEM_SIZE;
		at = (size_t)(e - p);
		if (flags & F_BRANCH) {
			uint64_t child = le64(e + 8);
			size_t off, avail;
			uint32_t over;
			if (child < 2 || child >= w->db->npages)
				return -1;
			off = (size_t)child * w->db->psize;
			over = le32(w->db->buf + off + 12);
			avail = w->db->len - off;
			if ((uint64_t)over + 1 <= avail / w->db->psize)
				avail = ((size_t)over + 1) * w->db->psize;
			rc = page(w, w->db->buf + off, avail, depth + 1);
			if (rc != 0)
				return rc;
		} else if (flags & F_LEAF) {
			uint32_t lf = le32(e), pos = le32(e + 4);
			uint32_t ks = le32(e + 8), vs = le32(e + 12);
			const unsigned char *k;
			if ((uint64_t)at + pos + ks + vs > plen)
				return -1;
			k = e + pos;
			rc = w->fn(k, ks, k + ks, vs, (lf & LEAF_BUCKET) != 0,
			    w->arg);
			if (rc != 0)
				return rc;
		} else
			return -1;
	}
	return 0;
}

int
sp_bolt_each(const struct sp_bolt *db, const struct sp_bolt_bucket *b,
    sp_bolt_fn fn, void *arg)
{
	struct walk w = { db, fn, arg, db->npages + 1 };
	size_t off, avail;
	uint32_t over;

	if (b->root == 0)
		return b->inl == NULL ? -1 : page(&w, b->inl, b->inl_len, 0);
	if (b->root < 2 || b->root >= db->npages)
		return -1;
	off = (size_t)b->root * db->psize;
	over = le32(db->buf + off + 12);
	avail = db->len - off;
	if ((uint64_t)over + 1 <= avail / db->psize)
		avail = ((size_t)over + 1) * db->psize;
	return page(&w, db->buf + off, avail, 0);
}

struct get {
	const char *key;
	size_t klen;
	const unsigned char *v;
	size_t vlen;
	int bucket;
};

static int
get_cb(const unsigned char *k, size_t klen, const unsigned char *v,
    size_t vlen, int bucket, void *arg)
{
	struct get *g = arg;

	if (klen != g->klen || memcmp(k, g->key, klen) != 0)
		return 0;
	g->v = v;
	g->vlen = vlen;
	g->bucket = bucket;
	return 1;
}

int
sp_bolt_get(const struct sp_bolt *db, const struct sp_bolt_bucket *b,
    const char *key, const unsigned char **v, size_t *vlen, int *bucket)
{
	struct get g = { key, strlen(key), NULL, 0, 0 };
	int rc = sp_bolt_each(db, b, get_cb, &g);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return 1;
	*v = g.v;
	*vlen = g.vlen;
	if (bucket != NULL)
		*bucket = g.bucket;
	return 0;
}

int
sp_bolt_sub(const struct sp_bolt *db, const struct sp_bolt_bucket *b,
    const char *key, struct sp_bolt_bucket *out)
{
	const unsigned char *v;
	size_t vlen;
	int bucket, rc = sp_bolt_get(db, b, key, &v, &vlen, &bucket);

	if (rc != 0)
		return rc;
	if (!bucket)
		return 1;
	return sp_bolt_bucket_of(v, vlen, out) == 0 ? 0 : -1;
}
