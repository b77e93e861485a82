/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What feeds the scanner: the files of images and directories (with hash
 * sets, dpkg's digests and the heuristics applied as each is read), single
 * files, the ranges of memory images and the regions of live processes.
 * All of it runs in the calling thread; YARA runs in the workers.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spoor/artifact.h"
#include "spoor/case.h"
#include "spoor/container.h"
#include "spoor/evidence.h"
#include "base/util.h"
#include "scan/memexe.h"
#include "scan/scan-internal.h"
#include "spoor/hash.h"
#include "spoor/hashset.h"
#include "spoor/heur.h"
#include "spoor/live.h"
#include "spoor/log.h"
#include "spoor/signal.h"

#define HEAD_MAX 4096
#define HEADER_BLOCK (64 * 1024)
/* smaller content is too common to say a file is a copy of another */
#define COPY_MIN 64

/* ---- target details ------------------------------------------------------ */

static void
set_filetype(struct sp_starget *t, const unsigned char *h, size_t n)
{
	const char *ft = "DATA";

	if (n >= 4 && memcmp(h, "\177ELF", 4) == 0)
		ft = "ELF";
	else if (n >= 2 && h[0] == 'M' && h[1] == 'Z')
		ft = "EXE";
	else if (memmem(h, n < 1024 ? n : 1024, "<?php", 5) != NULL)
		ft = "PHP";
	else if (n >= 2 && h[0] == '#' && h[1] == '!')
		ft = "SCRIPT";
	else if (n >= 4 && memcmp(h, "PK\003\004", 4) == 0)
		ft = "ZIP";
	else if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		ft = "GZIP";
	snprintf(t->ext_filetype, sizeof(t->ext_filetype), "%s", ft);
}

static void
set_name(struct sp_starget *t, const char *name)
{
	const char *dot;
	size_t i;

	snprintf(t->ext_name, sizeof(t->ext_name), "%s", name ? name : "");
	dot = name ? strrchr(name, '.') : NULL;
	t->ext_extension[0] = '\0';
	if (dot != NULL && dot != name) {
		snprintf(t->ext_extension, sizeof(t->ext_extension), "%s", dot);
		for (i = 0; t->ext_extension[i]; i++)
			t->ext_extension[i] = (char)tolower(
			    (unsigned char)t->ext_extension[i]);
	}
}

/* ---- reading a file into blocks ------------------------------------------ */

struct reader {
	struct sp_scan *s;
	struct sp_starget *t;
	int yara;		/* queue blocks */
	uint64_t size;		/* expected size */
	unsigned char *buf;	/* current block (or the whole file) */
	size_t len, cap;
	uint64_t base;		/* offset of buf[0] */
	uint64_t keep_start;	/* matches before belong to the last block */
	int first, chunked;
	struct sp_hash *hash;
	unsigned char head[HEAD_MAX];
	size_t head_len;
	unsigned char *content;	/* kept for the content heuristics */
	size_t content_len;
	int want_content;
	int want_entropy;	/* an ELF file's histogram, for packed-elf */
	uint64_t hist[256];
	int elf;
	uint64_t total;
	int failed;
};

static int
reader_flush(struct reader *r, int last)
{
	struct sp_scan *s = r->s;
	unsigned char *next = NULL;
	size_t keep = 0;
	uint64_t keep_end = UINT64_MAX;
	int rc;

	if (!last) {
		keep = (size_t)s->o.overlap;
		if (keep > r->len)
			keep = r->len;
		keep_end = r->base + r->len - keep;
		if ((next = malloc(r->cap)) == NULL)
			return SP_E_NOMEM;
		memcpy(next, r->buf + r->len - keep, keep);
	}
	/*
	 * the workers read the type from the first block on: it is set
	 * before that block is queued, from the head already read, and
	 * not written again
	 */
	if (r->first && r->t->ext_filetype[0] == '\0')
		set_filetype(r->t, r->head, r->head_len);
	if (r->first && !last && r->t->header == NULL &&
	    (r->t->header = malloc(HEADER_BLOCK)) != NULL) {
		r->t->header_len = r->len < HEADER_BLOCK ? r->len :
		    HEADER_BLOCK;
		memcpy(r->t->header, r->buf, r->t->header_len);
	}
	rc = sp_scan_enqueue(s, r->t, r->buf, r->len, r->base, r->base,
	    r->size > r->total ? r->size : r->total, r->keep_start, keep_end,
	    r->first);
	r->keep_start = keep_end;
	r->first = 0;
	r->buf = next;
	if (!last) {
		r->base = keep_end;
		r->len = keep;
	} else
		r->len = 0;
	return rc;
}

static int
reader_data(const void *data, size_t len, void *arg)
{
	struct reader *r = arg;
	const unsigned char *p = data;
	size_t n, i;

	if (r->total == 0 && len >= 4 && memcmp(p, "\177ELF", 4) == 0)
		r->elf = r->want_entropy;
	if (r->head_len < HEAD_MAX) {
		n = HEAD_MAX - r->head_len < len ? HEAD_MAX - r->head_len : len;
		memcpy(r->head + r->head_len, p, n);
		r->head_len += n;
	}
	if (r->want_content && r->content_len < SP_HEUR_CONTENT_MAX) {
		n = SP_HEUR_CONTENT_MAX - r->content_len < len ?
		    SP_HEUR_CONTENT_MAX - r->content_len : len;
		unsigned char *c = realloc(r->content, r->content_len + n);
		if (c != NULL) {
			memcpy(c + r->content_len, p, n);
			r->content = c;
			r->content_len += n;
		}
	}
	if (r->hash != NULL)
		sp_hash_update(r->hash, p, len);
	if (r->elf)
		for (i = 0; i < len; i++)
			r->hist[p[i]]++;
	r->total += len;
	if (!r->yara)
		return SP_CB_CONTINUE;
	while (len > 0) {
		if (r->buf == NULL) {
			if ((r->buf = malloc(r->cap)) == NULL) {
				r->failed = SP_E_NOMEM;
				return SP_CB_STOP;
			}
		}
		n = r->cap - r->len < len ? r->cap - r->len : len;
		memcpy(r->buf + r->len, p, n);
		r->len += n;
		p += n;
		len -= n;
		if (r->len == r->cap && r->chunked) {
			if (reader_flush(r, 0) != SP_OK) {
				r->failed = SP_E_NOMEM;
				return SP_CB_STOP;
			}
		} else if (r->len == r->cap && len > 0) {
			/* the file grew past its size: go on in blocks */
			r->chunked = 1;
			if (reader_flush(r, 0) != SP_OK) {
				r->failed = SP_E_NOMEM;
				return SP_CB_STOP;
			}
		}
	}
	return 0;
}

static void
reader_release(struct reader *r)
{
	free(r->buf);
	free(r->content);
	sp_hash_free(r->hash);
	r->buf = NULL;
	r->content = NULL;
	r->hash = NULL;
}

/*
 * A file read in blocks is hashed in a first pass, without YARA, when its
 * hash may let it be skipped (a block queued before the verdict would be
 * scanned anyway); q then queues its blocks in a second pass.
 */
static void
reader_blocks_only(struct reader *q, const struct reader *r)
{
	memset(q, 0, sizeof(*q));
	q->s = r->s;
	q->t = r->t;
	q->size = r->size;
	q->first = 1;
	q->yara = 1;
	q->cap = r->cap;
	q->chunked = 1;
}

/* ---- detections from the walk -------------------------------------------- */

struct heur_ctx {
	struct sp_scan *s;
	struct sp_starget *t;
};

static void
heur_extra(struct sp_json *w, void *arg)
{
	const struct sp_heur_hit *h = arg;

	sp_json_kv_str(w, "detector", h->detector);
	if (h->length > 0) {
		sp_json_kv_uint(w, "offset", h->offset);
		sp_json_kv_uint(w, "length", h->length);
	}
}

static int
on_heur(const struct sp_heur_hit *h, void *arg)
{
	struct heur_ctx *c = arg;
	struct sp_detection d;
	char *json;
	int r = SP_CB_CONTINUE;

	memset(&d, 0, sizeof(d));
	d.type = "heuristic";
	d.name = h->detector;
	d.severity = h->severity;
	d.score = h->score;
	d.technique = h->technique;
	d.reason = h->reason;
	d.address = h->offset;
	if (sp_detection_build(&d, &c->t->t, heur_extra, (void *)h, &json) ==
	    0)
		r = sp_scan_emit(c->s, c->t, &d);
	free(json);
	return r;
}

struct hash_hit {
	const struct sp_hashset_match *m;
	const char *hex;
};

static void
hash_extra(struct sp_json *w, void *arg)
{
	const struct hash_hit *h = arg;

	sp_json_kv_str(w, "set", h->m->set);
	sp_json_kv_str(w, "list", h->m->source);
	sp_json_kv_str(w, "algorithm", h->m->alg == SP_HASH_MD5 ? "md5" :
	    h->m->alg == SP_HASH_SHA1 ? "sha1" : "sha256");
	sp_json_kv_str(w, "hash", h->hex);
	if (h->m->name[0] != '\0')
		sp_json_kv_str(w, "entry", h->m->name);
}

static void
emit_hash(struct sp_scan *s, struct sp_starget *t,
    const struct sp_hashset_match *m, const struct sp_hash *h)
{
	struct sp_detection d;
	struct hash_hit hh;
	char reason[SP_HASHSET_NAME_MAX + 128], *json;

	hh.m = m;
	hh.hex = sp_hash_hex(h, m->alg);
	snprintf(reason, sizeof(reason), "%s %s is in the known-bad set %s%s%s",
	    m->alg == SP_HASH_MD5 ? "MD5" : m->alg == SP_HASH_SHA1 ? "SHA-1" :
	    "SHA-256", hh.hex, m->set, m->name[0] ? " as " : "", m->name);
	memset(&d, 0, sizeof(d));
	d.type = "hash";
	d.name = m->set;
	d.severity = SP_SEV_CRITICAL;
	d.score = 100;
	d.reason = reason;
	if (sp_detection_build(&d, &t->t, hash_extra, &hh, &json) == 0)
		(void)sp_scan_emit(s, t, &d);	/* sp_scan_check tells */
	free(json);
}

struct pkg_hit {
	const char *package, *expected, *md5;
};

static void
pkg_extra(struct sp_json *w, void *arg)
{
	const struct pkg_hit *p = arg;

	sp_json_kv_str(w, "detector", "package-file-modified");
	sp_json_kv_str(w, "package", p->package);
	sp_json_kv_str(w, "expected_md5", p->expected);
	sp_json_kv_str(w, "md5", p->md5);
}

static void
emit_modified(struct sp_scan *s, struct sp_starget *t, const char *package,
    const char *expected, const char *md5)
{
	struct sp_detection d;
	struct pkg_hit p = { package, expected, md5 };
	char reason[512], *json;

	snprintf(reason, sizeof(reason), "MD5 %s differs from %s listed by "
	    "package %s", md5, expected, package);
	memset(&d, 0, sizeof(d));
	d.type = "package";
	d.name = "package-file-modified";
	d.severity = SP_SEV_HIGH;
	d.score = 80;
	d.technique = "T1554";
	d.reason = reason;
	if (sp_detection_build(&d, &t->t, pkg_extra, &p, &json) == 0)
		(void)sp_scan_emit(s, t, &d);	/* sp_scan_check tells */
	free(json);
}

/* ---- files of evidence --------------------------------------------------- */

struct fn_time {
	uint64_t inode;
	sp_time_ns crtime, mtime;
};

struct walk {
	struct sp_scan *s;
	struct sp_evidence *ev;
	const struct sp_fs_info *fs;
	struct sp_pkgsums *pkgsums;
	struct fn_time *fn;
	size_t nfn, capfn;
	int dir;
	sp_time_ns *births;	/* of its regular files, for fs_recent */
	size_t nbirths, capbirths;
	sp_time_ns recent;	/* sp_heur_file.fs_recent */
	int owner_ok;		/* owner holds the name of owner_uid */
	uint32_t owner_uid;
	char owner[32];
};

static int
in_window(const struct sp_scan *s, const struct sp_entry *e)
{
	sp_time_ns t[3] = { e->mtime, e->ctime, e->crtime };
	int i;

	if (s->o.newer == SP_TIME_NONE && s->o.older == SP_TIME_NONE)
		return 1;
	for (i = 0; i < 3; i++) {
		if (t[i] == SP_TIME_NONE)
			continue;
		if (s->o.newer != SP_TIME_NONE && t[i] < s->o.newer)
			continue;
		if (s->o.older != SP_TIME_NONE && t[i] > s->o.older)
			continue;
		return 1;
	}
	return 0;
}

static int
excluded(const struct sp_scan *s, const char *path, const char *name)
{
	size_t i;

	for (i = 0; i < s->o.nexcludes; i++)
		if (fnmatch(s->o.excludes[i], path, 0) == 0 ||
		    fnmatch(s->o.excludes[i], name, 0) == 0)
			return 1;
	return 0;
}

static int
cmp_fn(const void *a, const void *b)
{
	const struct fn_time *x = a, *y = b;

	return (x->inode > y->inode) - (x->inode < y->inode);
}

static int
collect_fn(const struct sp_entry *e, void *arg)
{
	struct walk *w = arg;
	struct fn_time *n;

	if (!(e->flags & SP_ENTRY_FILE_NAME))
		return SP_OK;
	if (w->nfn == w->capfn) {
		size_t cap = w->capfn ? w->capfn * 2 : 1024;
		if ((n = realloc(w->fn, cap * sizeof(*n))) == NULL)
			return SP_E_NOMEM;
		w->fn = n;
		w->capfn = cap;
	}
	w->fn[w->nfn].inode = e->inode;
	w->fn[w->nfn].crtime = e->crtime;
	w->fn[w->nfn].mtime = e->mtime;
	w->nfn++;
	return SP_OK;
}

/* Before the walk: NTFS $FILE_NAME times, and every file's birth. */
static int
prewalk_fn(const struct sp_entry *e, void *arg)
{
	struct walk *w = arg;
	sp_time_ns born, *b;

	if (e->flags & SP_ENTRY_FILE_NAME)
		return collect_fn(e, arg);
	if (e->meta_type != SP_TYPE_REG || (e->flags & SP_ENTRY_DELETED))
		return SP_OK;
	born = e->crtime != SP_TIME_NONE ? e->crtime : e->ctime;
	if (born == SP_TIME_NONE)
		return SP_OK;
	if (w->nbirths == w->capbirths) {
		size_t cap = w->capbirths ? w->capbirths * 2 : 1024;
		if ((b = realloc(w->births, cap * sizeof(*b))) == NULL)
			return SP_E_NOMEM;
		w->births = b;
		w->capbirths = cap;
	}
	w->births[w->nbirths++] = born;
	return SP_OK;
}

static int
cmp_time(const void *a, const void *b)
{
	sp_time_ns x = *(const sp_time_ns *)a, y = *(const sp_time_ns *)b;

	return (x > y) - (x < y);
}

/*
 * The time from which a birth is among the newest of the file system:
 * its newest 5 percent, and at least an hour after the median birth (on
 * a system installed at once, none is).  Unknown under 50 files.
 */
static sp_time_ns
recent_births(sp_time_ns *b, size_t n)
{
	sp_time_ns p95, median;

	if (n < 50)
		return SP_TIME_NONE;
	qsort(b, n, sizeof(*b), cmp_time);
	p95 = b[n - 1 - (n - 1) / 20];
	median = b[n / 2];
	if (median <= INT64_MAX - 3600 * SP_NS_PER_SEC &&
	    p95 < median + 3600 * SP_NS_PER_SEC)
		p95 = median + 3600 * SP_NS_PER_SEC;
	return p95;
}

static const struct fn_time *
find_fn(const struct walk *w, uint64_t inode)
{
	struct fn_time key = { inode, 0, 0 };

	if (w->nfn == 0)
		return NULL;
	return bsearch(&key, w->fn, w->nfn, sizeof(key), cmp_fn);
}

struct dpkg_file {
	char *path;
	char pkg[256];
	enum sp_pkgsums_file kind;
};

struct dpkg_list {
	struct dpkg_file *f;
	size_t n, cap;
};

static int
collect_dpkg(const struct sp_entry *e, void *arg)
{
	struct dpkg_list *l = arg;
	struct dpkg_file *f;
	enum sp_pkgsums_file k;
	char pkg[256];

	if (e->meta_type != SP_TYPE_REG || (e->flags & SP_ENTRY_DELETED))
		return SP_OK;
	k = sp_pkgsums_file_kind(e->path, pkg, sizeof(pkg));
	if (k != SP_PKGSUMS_MD5SUMS && k != SP_PKGSUMS_CONFFILES)
		return SP_OK;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		if ((f = realloc(l->f, cap * sizeof(*f))) == NULL)
			return SP_E_NOMEM;
		l->f = f;
		l->cap = cap;
	}
	f = &l->f[l->n];
	if ((f->path = strdup(e->path)) == NULL)
		return SP_E_NOMEM;
	snprintf(f->pkg, sizeof(f->pkg), "%s", pkg);
	f->kind = k;
	l->n++;
	return SP_OK;
}

struct membuf {
	unsigned char *p;
	size_t len;
	size_t max;
};

static int
membuf_add(const void *data, size_t len, void *arg)
{
	struct membuf *m = arg;
	unsigned char *p;

	if (m->len + len > m->max)
		return SP_CB_STOP;
	if ((p = realloc(m->p, m->len + len + 1)) == NULL)
		return SP_CB_STOP;
	memcpy(p + m->len, data, len);
	m->p = p;
	m->len += len;
	return 0;
}

/* dpkg's md5sums and conffiles of one file system, when it has them. */
static int
load_pkgsums(struct walk *w, struct sp_pkgsums **out)
{
	struct dpkg_list l = { NULL, 0, 0 };
	struct sp_pkgsums *ps = NULL;
	struct membuf m;
	struct sp_err e;
	size_t i;
	int rc;

	*out = NULL;
	sp_err_init(&e);
	rc = sp_evidence_walk(w->ev, w->fs->index, "/var/lib/dpkg/info",
	    SP_WALK_ALLOCATED, collect_dpkg, &l, &e);
	if (rc != SP_OK || l.n == 0)
		goto out;	/* no dpkg here */
	if ((rc = sp_pkgsums_new(&ps, &e)) != SP_OK)
		goto out;
	for (i = 0; i < l.n; i++) {
		memset(&m, 0, sizeof(m));
		m.max = 64u << 20;
		rc = sp_evidence_read_file(w->ev, w->fs->index, l.f[i].path,
		    membuf_add, &m, &e);
		if (rc == SP_OK) {
			if (l.f[i].kind == SP_PKGSUMS_MD5SUMS)
				rc = sp_pkgsums_add(ps, l.f[i].pkg, m.p, m.len,
				    l.f[i].path, w->s->run, &e);
			else
				rc = sp_pkgsums_add_conffiles(ps, m.p, m.len, 0,
				    &e);
		}
		if (rc != SP_OK)
			sp_run_problem(w->s->run, l.f[i].path, rc, "%s", e.msg);
		free(m.p);
	}
	rc = SP_OK;
	if (sp_pkgsums_paths(ps) > 0) {
		*out = ps;
		ps = NULL;
	}
out:
	sp_pkgsums_free(ps);
	for (i = 0; i < l.n; i++)
		free(l.f[i].path);
	free(l.f);
	return rc == SP_E_INTERRUPTED ? rc : SP_OK;
}

static void
set_owner(struct sp_starget *t, uint32_t uid, int host)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (host && getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL)
		snprintf(t->ext_owner, sizeof(t->ext_owner), "%s", pw.pw_name);
	else
		snprintf(t->ext_owner, sizeof(t->ext_owner), "%" PRIu32, uid);
}

/* Reads a file's content from its start into fn (once or twice). */
typedef int content_fn(void *ctx, sp_data_fn *fn, void *arg,
    struct sp_err *err);

/* One file to scan, whatever it is read from. */
struct file_scan {
	struct sp_scan *s;
	struct sp_starget *t;
	struct sp_heur_file *hf;	/* metadata filled in by the caller */
	const char *subject;		/* the path problems are named by */
	struct sp_pkgsums *pkgsums;	/* NULL: no package data */
	const char *pkg_path;		/* the name packages list it by */
	content_fn *read;
	void *ctx;
};

/*
 * Read the file once: digests for the hash sets and dpkg, the head, the
 * entropy and the content the heuristics want, and the blocks for YARA.
 * Then the verdicts: known-bad is a detection; known-good and unchanged
 * packaged files go no further; the rest get the heuristics and YARA.  A
 * file larger than a block that a verdict may skip is hashed first and
 * read a second time for YARA only when it is not skipped.  Returns the
 * read's error (the caller says whether that is a problem), SP_E_NOMEM or
 * SP_E_INTERRUPTED; verdict problems are recorded here.
 */
static int
scan_content(struct file_scan *f, struct sp_err *err)
{
	struct sp_scan *s = f->s;
	struct sp_starget *t = f->t;
	struct sp_heur_file *hf = f->hf;
	struct sp_hashset_match hm;
	struct heur_ctx hc;
	struct reader r, q;
	const char *pkg_md5 = NULL, *pkg = NULL, *which = NULL;
	unsigned mask = 0, verdict;
	int rc, packaged = -1, verified = 0, skip = 0, known_bad = 0, prehash;
	int found;

	if (f->pkgsums != NULL)
		packaged = !hf->deleted && f->pkg_path != NULL &&
		    (pkg_md5 = sp_pkgsums_lookup(f->pkgsums, f->pkg_path,
		    &pkg)) != NULL;
	if (s->o.hashes != NULL)
		mask |= sp_hashset_algorithms(s->o.hashes);
	if (packaged == 1)
		mask |= SP_HASH_MD5;
	verdict = mask;
	/* an image's files not known from a package: for their copies */
	if (packaged != 1 && t->t.fs_index >= 0 && hf->size >= COPY_MIN)
		mask |= SP_HASH_SHA256;
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.t = t;
	r.size = hf->size;
	r.first = 1;
	r.yara = !(s->o.flags & SP_SCAN_NO_YARA);
	r.cap = (size_t)(hf->size <= s->o.block_size ? (hf->size ? hf->size :
	    1) : s->o.block_size);
	r.chunked = hf->size > s->o.block_size;
	r.want_content = !(s->o.flags & SP_SCAN_NO_HEURISTICS) &&
	    sp_heur_wants_content(hf);
	r.want_entropy = !(s->o.flags & SP_SCAN_NO_HEURISTICS);
	prehash = r.yara && r.chunked && verdict != 0;
	if (prehash)
		r.yara = 0;
	if (mask != 0 && (rc = sp_hash_new(&r.hash, mask, err)) != SP_OK)
		return rc;
	rc = f->read(f->ctx, reader_data, &r, err);
	if (rc == SP_OK && r.failed)
		rc = sp_err_set(err, r.failed, 0, "out of memory");
	if (rc != SP_OK)
		goto out;
	if (t->ext_filetype[0] == '\0')
		set_filetype(t, r.head, r.head_len);
	if (r.hash != NULL && (rc = sp_hash_final(r.hash, err)) != SP_OK)
		goto out;
	if (mask & SP_HASH_MD5)
		t->t.md5 = sp_starget_str(t, sp_hash_hex(r.hash, SP_HASH_MD5));
	if (mask & SP_HASH_SHA1)
		t->t.sha1 = sp_starget_str(t, sp_hash_hex(r.hash, SP_HASH_SHA1));
	if (mask & SP_HASH_SHA256)
		snprintf(t->sha256_hex, sizeof(t->sha256_hex), "%s",
		    sp_hash_hex(r.hash, SP_HASH_SHA256));
	if (verdict & SP_HASH_SHA256)
		t->t.sha256 = sp_starget_str(t, t->sha256_hex);
	if (s->o.hashes != NULL) {
		if (sp_hashset_lookup(s->o.hashes, r.hash, &hm, &found, err)
		    != SP_OK)
			sp_run_problem(s->run, f->subject, SP_E_DATA,
			    "hash lookup: %s", err->msg);
		else if (found && hm.kind == SP_HASHSET_KNOWN_BAD) {
			emit_hash(s, t, &hm, r.hash);
			known_bad = 1;
		} else if (found) {
			s->stats.known_good++;
			skip = 1;
		}
	}
	/* a known-bad file is scanned whatever its package says */
	if (packaged == 1 && !skip && !known_bad) {
		switch (sp_pkgsums_verify(f->pkgsums, f->pkg_path, t->t.md5,
		    &which)) {
		case SP_PKGSUMS_VERIFIED:
			verified = 1;
			s->stats.package_verified++;
			skip = 1;
			break;
		case SP_PKGSUMS_MODIFIED:
			if (!(s->o.flags & SP_SCAN_NO_PACKAGES))
				emit_modified(s, t, which ? which : pkg,
				    pkg_md5, t->t.md5);
			break;
		default:
			break;
		}
	}
	if (skip)
		goto out;
	if (!(s->o.flags & SP_SCAN_NO_HEURISTICS)) {
		hf->head = r.head;
		hf->head_len = r.head_len;
		hf->entropy = r.elf ? sp_heur_entropy(r.hist, r.total) : -1;
		hf->packaged = packaged;
		hf->package_verified = verified;
		hc.s = s;
		hc.t = t;
		/* a stop or an error is the scan's: sp_scan_check tells */
		if (sp_heur_check_file(hf, on_heur, &hc) == SP_OK &&
		    r.want_content)
			(void)sp_heur_check_content(hf, r.content,
			    r.content_len, s->o.newer, s->o.older, on_heur,
			    &hc);
	}
	s->stats.files_scanned++;
	if (sp_scan_stopped(s))
		goto out;
	if (prehash) {
		reader_blocks_only(&q, &r);
		rc = f->read(f->ctx, reader_data, &q, err);
		if (rc == SP_OK && q.failed)
			rc = sp_err_set(err, q.failed, 0, "out of memory");
		if (rc == SP_OK && (q.buf != NULL || q.first))
			rc = reader_flush(&q, 1);
		reader_release(&q);
	} else if (r.yara && (r.buf != NULL || r.first))
		rc = reader_flush(&r, 1);
out:
	reader_release(&r);
	return rc;
}

struct entry_read {
	struct sp_evidence *ev;
	const struct sp_entry *e;
};

static int
read_entry(void *ctx, sp_data_fn *fn, void *arg, struct sp_err *err)
{
	struct entry_read *c = ctx;

	return sp_evidence_read_entry(c->ev, c->e, fn, arg, err);
}

/*
 * On a merged-/usr system dpkg still lists /bin/ls for what lives at
 * /usr/bin/ls (/bin is a link to usr/bin): the name packages use for path,
 * or NULL.
 */
static const char *
usrmerge_alias(const char *path)
{
	static const char *const dirs[] = { "/usr/bin/", "/usr/sbin/",
	    "/usr/lib/", "/usr/lib32/", "/usr/lib64/", "/usr/libx32/" };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			return path + 4;
	return NULL;
}

static int
scan_entry(const struct sp_entry *e, void *arg)
{
	struct walk *w = arg;
	struct sp_scan *s = w->s;
	struct sp_starget *t;
	const struct sp_container *ctr;
	struct sp_heur_file hf;
	struct file_scan f;
	struct entry_read rd;
	struct sp_err err;
	const struct fn_time *fn;
	const char *path;
	char full[PATH_MAX + 256];
	int rc, deleted;

	if ((rc = sp_scan_check(s)) != SP_CB_CONTINUE)
		return rc;
	if (e->flags & SP_ENTRY_FILE_NAME)
		return SP_OK;
	deleted = (e->flags & SP_ENTRY_DELETED) != 0;
	if (!sp_entry_has_content(e)) {
		if (e->meta_type == SP_TYPE_REG || e->name_type == SP_TYPE_REG) {
			s->stats.files_seen++;
			if (deleted)
				s->stats.unrecoverable++;
			else
				s->stats.not_regular++;
		}
		return SP_OK;
	}
	s->stats.files_seen++;
	if (e->stream != NULL) {
		snprintf(full, sizeof(full), "%s:%s", e->path, e->stream);
		path = full;
	} else
		path = e->path;
	if (excluded(s, path, e->name)) {
		s->stats.excluded++;
		return SP_OK;
	}
	if (!in_window(s, e)) {
		s->stats.out_of_window++;
		return SP_OK;
	}
	if (s->o.max_size > 0 && e->size > s->o.max_size) {
		s->stats.too_big++;
		return SP_OK;
	}
	if ((t = sp_starget_new(s, SP_TARGET_FILE)) == NULL)
		return SP_E_NOMEM;
	t->t.source = sp_starget_str(t, sp_evidence_path(w->ev));
	t->t.source_kind = sp_evidence_kind_name(sp_evidence_kind(w->ev));
	t->t.fs_index = (int)w->fs->index;
	t->t.fs_type = sp_starget_str(t, w->fs->type);
	if ((ctr = sp_evidence_container(w->ev)) != NULL) {
		t->t.ctr_engine = ctr->engine;
		t->t.ctr_id = sp_starget_str(t, ctr->id);
		t->t.ctr_name = sp_starget_str(t, ctr->name);
	}
	t->t.inode = e->inode;
	t->t.path = sp_starget_str(t, path);
	t->t.deleted = deleted;
	t->t.size = e->size;
	t->t.mode = e->mode;
	t->t.uid = e->uid;
	t->t.gid = e->gid;
	t->t.mtime = e->mtime;
	t->t.ctime = e->ctime;
	t->t.crtime = e->crtime;
	set_name(t, e->name);
	/* one passwd lookup per run of files of one owner, not per file */
	if (w->dir && w->owner_ok && w->owner_uid == e->uid)
		snprintf(t->ext_owner, sizeof(t->ext_owner), "%s", w->owner);
	else {
		set_owner(t, e->uid, w->dir);
		if (w->dir) {
			snprintf(w->owner, sizeof(w->owner), "%s",
			    t->ext_owner);
			w->owner_uid = e->uid;
			w->owner_ok = 1;
		}
	}

	sp_heur_file_init(&hf);
	hf.path = e->path;
	hf.name = e->name;
	hf.type = e->meta_type;
	hf.mode = e->mode;
	hf.uid = e->uid;
	hf.gid = e->gid;
	hf.size = e->size;
	hf.atime = e->atime;
	hf.mtime = e->mtime;
	hf.ctime = e->ctime;
	hf.crtime = e->crtime;
	hf.fs_type = w->fs->type;
	hf.deleted = deleted;
	hf.fs_recent = w->recent;
	if ((fn = find_fn(w, e->inode)) != NULL) {
		hf.fn_crtime = fn->crtime;
		hf.fn_mtime = fn->mtime;
	}
	memset(&f, 0, sizeof(f));
	f.s = s;
	f.t = t;
	f.hf = &hf;
	f.subject = path;
	f.pkgsums = w->pkgsums;
	/* dpkg lists /bin/ls for /usr/bin/ls on a merged-/usr system */
	f.pkg_path = e->path;
	if (w->pkgsums != NULL && sp_pkgsums_lookup(w->pkgsums, e->path,
	    NULL) == NULL && usrmerge_alias(e->path) != NULL)
		f.pkg_path = usrmerge_alias(e->path);
	rd.ev = w->ev;
	rd.e = e;
	f.read = read_entry;
	f.ctx = &rd;
	sp_err_init(&err);
	rc = scan_content(&f, &err);
	/* content worth comparing: its copies may inherit its detections */
	if (rc == SP_OK && t->sha256_hex[0] != '\0' && e->size >= COPY_MIN) {
		if (s->ncopies == s->capcopies) {
			size_t cap = s->capcopies ? s->capcopies * 2 : 256;
			struct sp_starget **c = realloc(s->copies,
			    cap * sizeof(*c));
			if (c != NULL) {
				s->copies = c;
				s->capcopies = cap;
			}
		}
		if (s->ncopies < s->capcopies) {
			sp_starget_keep(t);
			s->copies[s->ncopies++] = t;
		}
	}
	sp_starget_unref(t);
	if (rc == SP_E_INTERRUPTED || rc == SP_E_NOMEM)
		return rc;
	if (rc != SP_OK) {
		if (deleted)
			s->stats.unrecoverable++;
		else {
			s->stats.unreadable++;
			sp_run_problem(s->run, path, rc, "%s", err.msg);
		}
	}
	return sp_scan_check(s);
}

static int emit_copies(struct sp_scan *s);
static void copies_release(struct sp_scan *s);

int
sp_scan_evidence(struct sp_scan *s, struct sp_evidence *ev,
    struct sp_err *err)
{
	struct walk w;
	size_t i, nfs = sp_evidence_fs_count(ev);
	unsigned flags = SP_WALK_RECURSE | SP_WALK_ALLOCATED;
	int rc = SP_OK;

	if (sp_scan_stopped(s))
		return sp_scan_result(s, SP_OK, err);
	if (!(s->o.flags & SP_SCAN_NO_DELETED))
		flags |= SP_WALK_DELETED;
	{
		/* a directory's identity is its path */
		size_t nseg = sp_evidence_kind(ev) == SP_EVIDENCE_DIR ? 0 :
		    sp_evidence_segment_count(ev);
		const char **segs = nseg ? calloc(nseg, sizeof(*segs)) : NULL;

		if (nseg > 0 && segs == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "scan");
		for (i = 0; i < nseg; i++)
			segs[i] = sp_evidence_segment(ev, i);
		rc = sp_scan_use_source(s,
		    sp_evidence_kind_name(sp_evidence_kind(ev)),
		    sp_evidence_path(ev), sp_evidence_size(ev), segs, nseg,
		    err);
		free(segs);
	}
	if (rc != SP_OK)
		return rc;
	for (i = 0; i < nfs && rc == SP_OK && !sp_scan_stopped(s); i++) {
		memset(&w, 0, sizeof(w));
		w.s = s;
		w.ev = ev;
		w.fs = sp_evidence_fs(ev, i);
		w.dir = sp_evidence_kind(ev) == SP_EVIDENCE_DIR;
		rc = sp_evidence_walk(ev, w.fs->index, NULL, flags,
		    prewalk_fn, &w, err);
		if (rc == SP_OK && w.nfn > 1)
			qsort(w.fn, w.nfn, sizeof(*w.fn), cmp_fn);
		w.recent = recent_births(w.births, w.nbirths);
		free(w.births);
		w.births = NULL;
		if (rc == SP_OK)
			rc = load_pkgsums(&w, &w.pkgsums);
		if (rc == SP_OK)
			rc = sp_evidence_walk(ev, w.fs->index, NULL, flags,
			    scan_entry, &w, err);
		free(w.fn);
		free(w.births);
		sp_pkgsums_free(w.pkgsums);
	}
	if (rc == SP_OK)
		rc = emit_copies(s);
	copies_release(s);
	if (rc == SP_E_INTERRUPTED && !sp_scan_stopped(s))
		return sp_err_set(err, rc, 0, "interrupted");
	return sp_scan_result(s, rc, err);
}

/* ---- copies of what was detected ----------------------------------------- */

static int
cmp_copy(const void *a, const void *b)
{
	const struct sp_starget *x = *(struct sp_starget *const *)a;
	const struct sp_starget *y = *(struct sp_starget *const *)b;
	int c;

	if ((c = strcmp(x->sha256_hex, y->sha256_hex)) != 0)
		return c;
	if (x->t.fs_index != y->t.fs_index)
		return x->t.fs_index < y->t.fs_index ? -1 : 1;
	return strcmp(x->t.path ? x->t.path : "", y->t.path ? y->t.path : "");
}

/*
 * Once every file of the evidence is scanned: each file whose content
 * (SHA-256) is that of another file with a detection about its content
 * gets that detection's severity and score as copy-of-detected, unless it
 * has such a detection itself.
 */
static int
emit_copies(struct sp_scan *s)
{
	struct sp_starget *src, *t;
	struct sp_heur_hit h;
	struct sp_detection d;
	char reason[SP_HEUR_REASON_MAX], *json;
	size_t i, j, k;
	int r = SP_CB_CONTINUE;

	if (s->ncopies < 2 || (s->o.flags & SP_SCAN_NO_HEURISTICS))
		return SP_OK;
	/* YARA's verdicts on every file first */
	sp_scan_drain(s);
	qsort(s->copies, s->ncopies, sizeof(*s->copies), cmp_copy);
	for (i = 0; i < s->ncopies && r == SP_CB_CONTINUE; i = j) {
		src = NULL;
		pthread_mutex_lock(&s->lock);
		for (j = i; j < s->ncopies && strcmp(s->copies[j]->sha256_hex,
		    s->copies[i]->sha256_hex) == 0; j++)
			if (s->copies[j]->spreads && (src == NULL ||
			    s->copies[j]->spread_score > src->spread_score))
				src = s->copies[j];
		pthread_mutex_unlock(&s->lock);
		if (src == NULL || j - i < 2)
			continue;
		for (k = i; k < j && r == SP_CB_CONTINUE; k++) {
			t = s->copies[k];
			if (t == src || t->spreads)
				continue;
			snprintf(reason, sizeof(reason), "same content (SHA-256 "
			    "%s) as %d:%s, which has the detection %s",
			    src->sha256_hex, src->t.fs_index, src->t.path ?
			    src->t.path : "", src->spread_name);
			memset(&h, 0, sizeof(h));
			h.detector = "copy-of-detected";
			memset(&d, 0, sizeof(d));
			d.type = "heuristic";
			d.name = h.detector;
			d.severity = src->spread_sev;
			d.score = src->spread_score;
			d.reason = reason;
			h.severity = d.severity;
			h.score = d.score;
			h.reason = reason;
			if (sp_detection_build(&d, &t->t, heur_extra, &h,
			    &json) != 0)
				return SP_E_NOMEM;
			r = sp_scan_emit(s, t, &d);
			free(json);
		}
	}
	return SP_OK;
}

static void
copies_release(struct sp_scan *s)
{
	size_t i;

	for (i = 0; i < s->ncopies; i++)
		sp_starget_release(s->copies[i]);
	free(s->copies);
	s->copies = NULL;
	s->ncopies = s->capcopies = 0;
}

/* ---- single files -------------------------------------------------------- */

struct fd_read {
	const struct sp_cancel *cancel;
	int fd;
	const char *path;
	unsigned char *buf;
};

static int
read_fd_from_start(void *ctx, sp_data_fn *fn, void *arg, struct sp_err *err)
{
	struct fd_read *c = ctx;
	ssize_t n;
	int rc;

	if (lseek(c->fd, 0, SEEK_SET) != 0)
		return sp_err_set(err, sp_errno_code(errno), errno,
		    "'%s': seek", c->path);
	while ((n = read(c->fd, c->buf, 1 << 20)) != 0) {
		if (n < 0) {
			if (errno == EINTR && !sp_cancel_requested(c->cancel))
				continue;
			return sp_err_set(err, sp_errno_code(errno), errno,
			    "'%s': read", c->path);
		}
		if (sp_cancel_requested(c->cancel))
			return sp_err_set(err, SP_E_INTERRUPTED, 0,
			    "interrupted");
		if ((rc = fn(c->buf, (size_t)n, arg)) != SP_CB_CONTINUE)
			return sp_err_callback(err, rc, c->path);
	}
	return SP_OK;
}

int
sp_scan_file(struct sp_scan *s, const char *path, struct sp_err *err)
{
	struct sp_starget *t;
	struct sp_heur_file hf;
	struct file_scan f;
	struct fd_read rd;
	struct stat st;
	const char *base;
	int rc;

	if (sp_scan_stopped(s))
		return sp_scan_result(s, SP_OK, err);
	rd.cancel = s->o.cancel;
	if ((rd.fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
		    path);
	if (fstat(rd.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(rd.fd);
		return sp_err_set(err, SP_E_USAGE, 0, "'%s': not a regular "
		    "file", path);
	}
	if ((rc = sp_scan_use_source(s, "file", path, (uint64_t)st.st_size,
	    &path, 1,
	    err)) != SP_OK) {
		close(rd.fd);
		return rc;
	}
	s->stats.files_seen++;
	if (s->o.max_size > 0 && (uint64_t)st.st_size > s->o.max_size) {
		s->stats.too_big++;
		close(rd.fd);
		return SP_OK;
	}
	if ((t = sp_starget_new(s, SP_TARGET_FILE)) == NULL ||
	    (rd.buf = malloc(1 << 20)) == NULL) {
		sp_starget_unref(t);
		close(rd.fd);
		return sp_err_set(err, SP_E_NOMEM, 0, "scan");
	}
	rd.path = path;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	t->t.source = sp_starget_str(t, path);
	t->t.source_kind = "file";
	t->t.path = sp_starget_str(t, path);
	t->t.size = (uint64_t)st.st_size;
	t->t.mode = st.st_mode;
	t->t.uid = st.st_uid;
	t->t.gid = st.st_gid;
	t->t.mtime = sp_time_from_parts(st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	t->t.ctime = sp_time_from_parts(st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	set_name(t, base);
	set_owner(t, st.st_uid, 1);
	sp_heur_file_init(&hf);
	hf.path = path;
	hf.name = base;
	hf.type = SP_TYPE_REG;
	hf.mode = st.st_mode;
	hf.uid = st.st_uid;
	hf.gid = st.st_gid;
	hf.size = (uint64_t)st.st_size;
	hf.mtime = t->t.mtime;
	hf.ctime = t->t.ctime;
	hf.fs_type = "host";
	memset(&f, 0, sizeof(f));
	f.s = s;
	f.t = t;
	f.hf = &hf;
	f.subject = path;
	f.read = read_fd_from_start;
	f.ctx = &rd;
	rc = scan_content(&f, err);
	free(rd.buf);
	close(rd.fd);
	sp_starget_unref(t);
	return sp_scan_result(s, rc, err);
}

/* ---- memory images ------------------------------------------------------- */

/* Queue [start, start+len) read by fetch in blocks of the block size. */
typedef int fetch_fn(void *ctx, uint64_t addr, unsigned char *buf,
    size_t len, struct sp_err *err);

#define PAGE_SIZE_MEM 4096u

/*
 * The ELF or PE image heading the page at addr of range t, whose bytes
 * end at end (exclusive), queued as a target of its own: the file it was
 * loaded or copied from, as far as the range holds it.  p holds the n
 * bytes from addr that were read already.
 */
static int
carve_image(struct sp_scan *s, struct sp_starget *t, uint64_t addr,
    uint64_t end, const unsigned char *p, size_t n, fetch_fn *fetch,
    void *ctx, struct sp_err *err)
{
	enum sp_memexe_format f;
	struct sp_starget *c;
	unsigned char *hdr = NULL, *img;
	uint64_t want, size;
	int rc;

	want = end - addr < SP_MEMEXE_HEADER_MAX ? end - addr :
	    SP_MEMEXE_HEADER_MAX;
	if (n < want) {
		/* the headers run past what was read: read them whole */
		if ((hdr = malloc((size_t)want)) == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "scan");
		if ((rc = fetch(ctx, addr, hdr, (size_t)want, err)) != SP_OK) {
			free(hdr);
			return rc;
		}
		p = hdr;
	}
	f = sp_memexe_parse(p, (size_t)want, end - addr, &size);
	free(hdr);
	if (f == SP_MEMEXE_NONE)
		return SP_OK;
	if ((c = sp_starget_new(s, SP_TARGET_MEMORY_IMAGE)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "scan");
	c->t.source = sp_starget_str(c, t->t.source);
	c->t.source_kind = t->t.source_kind;
	c->t.pid = t->t.pid;
	c->t.exe = sp_starget_str(c, t->t.exe);
	c->t.cmdline = sp_starget_str(c, t->t.cmdline);
	c->t.range_start = t->t.range_start;
	c->t.range_end = t->t.range_end;
	c->t.region_start = t->t.region_start;
	c->t.region_end = t->t.region_end;
	c->t.perms = sp_starget_str(c, t->t.perms);
	c->t.region_path = sp_starget_str(c, t->t.region_path);
	c->t.container = t->t.kind;
	c->t.image_format = sp_memexe_format_name(f);
	c->t.image_address = addr;
	c->t.image_size = size;
	c->t.size = size;
	snprintf(c->ext_filetype, sizeof(c->ext_filetype), "%s",
	    f == SP_MEMEXE_ELF ? "ELF" : "EXE");
	/* the range reports after its images (scan.c) */
	sp_starget_ref(t);
	c->parent = t;
	rc = SP_OK;
	if ((img = malloc((size_t)size)) == NULL)
		rc = sp_err_set(err, SP_E_NOMEM, 0, "scan");
	else if ((rc = fetch(ctx, addr, img, (size_t)size, err)) != SP_OK)
		free(img);
	else {
		s->stats.memory_images++;
		/* the image is a file: offset 0 is its header */
		if ((rc = sp_scan_enqueue(s, c, img, (size_t)size, 0, addr,
		    size, 0, UINT64_MAX, 1)) != SP_OK)
			rc = sp_err_set(err, rc, 0, "scan");
	}
	sp_starget_unref(c);
	return rc;
}

/*
 * The images heading pages of [from, to), with buf holding the n bytes
 * read from base; end is where the range ends (exclusive).
 */
static int
carve_block(struct sp_scan *s, struct sp_starget *t, const unsigned char *buf,
    size_t n, uint64_t base, uint64_t from, uint64_t to, uint64_t end,
    fetch_fn *fetch, void *ctx, struct sp_err *err)
{
	const unsigned char *p;
	uint64_t a;
	size_t o;
	int rc;

	a = (from + PAGE_SIZE_MEM - 1) & ~(uint64_t)(PAGE_SIZE_MEM - 1);
	if (a < from)
		return SP_OK;	/* wrapped at the top of the address space */
	for (; a < to && a - base < n; a += PAGE_SIZE_MEM) {
		o = (size_t)(a - base);
		p = buf + o;
		if (n - o < 4 || (memcmp(p, "\177ELF", 4) != 0 &&
		    (p[0] != 'M' || p[1] != 'Z')))
			continue;
		if ((rc = carve_image(s, t, a, end, p, n - o, fetch, ctx,
		    err)) != SP_OK)
			return rc;
		if (sp_scan_check(s) != SP_CB_CONTINUE)
			return SP_OK;
		if (a > UINT64_MAX - PAGE_SIZE_MEM)
			break;
	}
	return SP_OK;
}

static int
queue_range(struct sp_scan *s, struct sp_starget *t, uint64_t start,
    uint64_t len, fetch_fn *fetch, void *ctx, struct sp_err *err)
{
	uint64_t off = 0, step = s->o.block_size - s->o.overlap, n;
	unsigned char *buf;
	int rc, first = 1;

	while (off < len) {
		/* after the callback's stop or error: sp_scan_result */
		if ((rc = sp_scan_check(s)) != SP_CB_CONTINUE)
			return rc == SP_E_INTERRUPTED && !sp_scan_stopped(s) ?
			    sp_err_set(err, rc, 0, "interrupted") : SP_OK;
		n = len - off < s->o.block_size ? len - off : s->o.block_size;
		if ((buf = malloc((size_t)n)) == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "scan");
		if ((rc = fetch(ctx, start + off, buf, (size_t)n, err)) !=
		    SP_OK) {
			free(buf);
			return rc;
		}
		/* executables in the block, up to where the next one starts */
		if ((rc = carve_block(s, t, buf, (size_t)n, start + off,
		    start + off, off + n >= len ? start + len : start + off +
		    step, start + len, fetch, ctx, err)) != SP_OK) {
			free(buf);
			return rc;
		}
		/* memory has no header: each block is matched from 0 */
		rc = sp_scan_enqueue(s, t, buf, (size_t)n, 0, start + off, n,
		    0, off + n >= len ? UINT64_MAX : step, first);
		if (rc != SP_OK)
			return sp_err_set(err, rc, 0, "scan");
		first = 0;
		if (off + n >= len)
			break;
		off += step;
	}
	return SP_OK;
}

/* One range of a memory image, read by its own file offset. */
struct mem_range_reader {
	const struct sp_memimage *m;
	size_t i;
	uint64_t start;
};

/*
 * By range, not by address: where ranges share addresses, a read by
 * address would give this range the bytes of an earlier one.
 */
static int
fetch_mem(void *ctx, uint64_t addr, unsigned char *buf, size_t len,
    struct sp_err *err)
{
	const struct mem_range_reader *rd = ctx;
	size_t got;

	return sp_memimage_read_range(rd->m, rd->i, addr - rd->start, buf, len,
	    &got, err);
}

int
sp_scan_memimage(struct sp_scan *s, struct sp_memimage *m,
    struct sp_err *err)
{
	const struct sp_mem_range *r;
	struct mem_range_reader rd;
	struct sp_starget *t;
	const char *mpath;
	size_t i;
	int rc;

	if (sp_scan_stopped(s))
		return sp_scan_result(s, SP_OK, err);
	mpath = sp_memimage_path(m);
	if ((rc = sp_scan_use_source(s, sp_memimage_format(m), mpath,
	    sp_memimage_file_size(m), &mpath, 1, err)) != SP_OK)
		return rc;
	if (s->o.flags & SP_SCAN_NO_YARA)
		return SP_OK;
	for (i = 0; i < sp_memimage_range_count(m) && !sp_scan_stopped(s);
	    i++) {
		r = sp_memimage_range(m, i);
		if ((t = sp_starget_new(s, SP_TARGET_MEMORY)) == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "scan");
		t->t.source = sp_starget_str(t, sp_memimage_path(m));
		t->t.source_kind = sp_memimage_format(m);
		t->t.range_start = r->start;
		t->t.range_end = r->end;
		t->t.pid = (pid_t)s->mem_pid;
		snprintf(t->ext_filetype, sizeof(t->ext_filetype), "MEMORY");
		s->stats.memory_ranges++;
		rd.m = m;
		rd.i = i;
		rd.start = r->start;
		rc = queue_range(s, t, r->start, r->end - r->start + 1,
		    fetch_mem, &rd, err);
		sp_starget_unref(t);
		if (rc != SP_OK)
			return rc;
	}
	return sp_scan_result(s, SP_OK, err);
}

/* ---- live processes ------------------------------------------------------ */

static int
fetch_proc(void *ctx, uint64_t addr, unsigned char *buf, size_t len,
    struct sp_err *err)
{
	(void)err;
	sp_live_procmem_read(ctx, addr, buf, len);
	return SP_OK;
}

/*
 * The heuristics of a running process as a whole (its name against the
 * executable it runs), before its memory is scanned.
 */
static void
process_heuristics(struct sp_scan *s, pid_t pid, const char *exe,
    const char *cmdline)
{
	struct sp_starget *t;
	struct heur_ctx hc;
	char path[64], comm[64], argv0[256];
	size_t n;
	FILE *f;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((f = fopen(path, "re")) != NULL) {
		if (fgets(comm, sizeof(comm), f) == NULL)
			comm[0] = '\0';
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = '\0';
	/* the first argument: the command line up to its first space */
	n = strcspn(cmdline, " ");
	if (n >= sizeof(argv0))
		n = sizeof(argv0) - 1;
	memcpy(argv0, cmdline, n);
	argv0[n] = '\0';
	if ((t = sp_starget_new(s, SP_TARGET_PROCESS)) == NULL)
		return;
	t->t.source = "/proc";
	t->t.source_kind = "process";
	t->t.pid = pid;
	t->t.exe = sp_starget_str(t, exe);
	t->t.cmdline = sp_starget_str(t, cmdline);
	set_name(t, strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe);
	hc.s = s;
	hc.t = t;
	(void)sp_heur_check_process(comm, argv0, exe, on_heur, &hc);
	sp_starget_unref(t);
}

static int
scan_one_process(struct sp_scan *s, pid_t pid, int explicit,
    struct sp_err *err)
{
	struct sp_live_maps *maps;
	struct sp_live_procmem *mem;
	struct sp_live_region *rg;
	struct sp_starget *t;
	char exe[PATH_MAX], cmdline[1024];
	uint64_t total = 0, len;
	int rc = SP_OK, more;

	if ((rc = sp_live_maps_open(&maps, pid, explicit ? err : NULL)) !=
	    SP_OK)
		return explicit ? rc : SP_OK;
	if ((rg = malloc(sizeof(*rg))) == NULL) {
		sp_live_maps_close(maps);
		return sp_err_set(err, SP_E_NOMEM, 0, "scan");
	}
	/*
	 * A kernel thread or a zombie has no address space: its maps are
	 * empty and its memory cannot be opened.  There is nothing to scan,
	 * which is a complete scan of it, not a failure nor a problem.
	 */
	if ((more = sp_live_maps_next(maps, rg)) == 0) {
		free(rg);
		sp_live_maps_close(maps);
		s->stats.processes_no_memory++;
		if (explicit)
			sp_log(SP_LOG_INFO, "process %d: no memory (a kernel "
			    "thread or a zombie); nothing to scan", (int)pid);
		return SP_OK;
	}
	if ((rc = sp_live_procmem_open(&mem, pid, explicit ? err : NULL)) !=
	    SP_OK) {
		free(rg);
		sp_live_maps_close(maps);
		if (!explicit) {
			s->stats.regions_skipped++;
			return SP_OK;
		}
		return rc;
	}
	sp_live_process_exe(pid, exe, sizeof(exe));
	sp_live_process_cmdline(pid, cmdline, sizeof(cmdline));
	s->stats.processes++;
	if (!(s->o.flags & SP_SCAN_NO_HEURISTICS) && exe[0] != '\0')
		process_heuristics(s, pid, exe, cmdline);
	for (; rc == SP_OK && more && !sp_scan_stopped(s);
	    more = sp_live_maps_next(maps, rg)) {
		if (rg->end <= rg->start || sp_live_region_skip(rg)) {
			s->stats.regions_skipped++;
			continue;
		}
		len = rg->end - rg->start;
		if (total + len > s->o.process_max) {
			if (total >= s->o.process_max) {
				s->stats.process_capped++;
				break;
			}
			len = s->o.process_max - total;
		}
		if ((t = sp_starget_new(s, SP_TARGET_PROCESS)) == NULL) {
			rc = sp_err_set(err, SP_E_NOMEM, 0, "scan");
			break;
		}
		t->t.source = "/proc";
		t->t.source_kind = "process";
		t->t.pid = pid;
		t->t.exe = sp_starget_str(t, exe);
		t->t.cmdline = sp_starget_str(t, cmdline);
		t->t.region_start = rg->start;
		t->t.region_end = rg->end;
		t->t.perms = sp_starget_str(t, rg->perms);
		t->t.region_path = sp_starget_str(t, rg->path);
		set_name(t, strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe);
		snprintf(t->ext_filetype, sizeof(t->ext_filetype), "MEMORY");
		s->stats.regions++;
		rc = queue_range(s, t, rg->start, len, fetch_proc, mem, err);
		sp_starget_unref(t);
		total += len;
		if (total >= s->o.process_max && len < rg->end - rg->start) {
			s->stats.process_capped++;
			break;
		}
	}
	s->stats.unreadable_pages += sp_live_procmem_unreadable(mem);
	free(rg);
	sp_live_procmem_close(mem);
	sp_live_maps_close(maps);
	return rc;
}

int
sp_scan_process(struct sp_scan *s, pid_t pid, struct sp_err *err)
{
	struct sp_live_procs *procs;
	pid_t p;
	int rc = SP_OK;

	if (s->o.flags & SP_SCAN_NO_YARA || sp_scan_stopped(s))
		return sp_scan_result(s, SP_OK, err);
	if (s->source_id == 0 && s->store != NULL &&
	    (rc = sp_scan_use_source(s, "process", "/proc", 0, NULL, 0,
	    err)) != SP_OK)
		return rc;
	if (pid > 0) {
		if (pid == getpid())
			return sp_err_set(err, SP_E_USAGE, 0, "process %d is "
			    "this scanner", (int)pid);
		return sp_scan_result(s, scan_one_process(s, pid, 1, err),
		    err);
	}
	if ((rc = sp_live_procs_open(&procs, err)) != SP_OK)
		return rc;
	while (rc == SP_OK && !sp_scan_stopped(s) &&
	    (p = sp_live_procs_next(procs)) != 0)
		rc = scan_one_process(s, p, 0, err);
	sp_live_procs_close(procs);
	return sp_scan_result(s, rc, err);
}

/* An EWF segment that libewf could not open is corrupt, not a plain file. */
static int
is_ewf(const char *path)
{
	static const unsigned char magic[8] = { 'E', 'V', 'F', 0x09, 0x0d,
	    0x0a, 0xff, 0x00 };
	unsigned char h[8];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return 0;
	n = read(fd, h, sizeof(h));
	close(fd);
	return n == (ssize_t)sizeof(h) && memcmp(h, magic, sizeof(h)) == 0;
}

/* "memory/2304.lime": 2304; 0 for another name. */
static int64_t
lime_pid(const char *rel)
{
	const char *p = rel + strlen("memory/");
	int64_t pid = 0;

	if (strncmp(rel, "memory/", 7) != 0 || *p < '1' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9' && pid < INT32_MAX; p++)
		pid = pid * 10 + (*p - '0');
	return strcmp(p, ".lime") == 0 && pid <= INT32_MAX ? pid : 0;
}

/*
 * A collection of spoor-collect: its triage files as a directory whose
 * root is files/, and the process memory the manifest lists, each LiME
 * image reported with its process's pid at the mappings' virtual
 * addresses.  The collector's own findings are spoor-timeline's.
 */
static int
scan_collection(struct sp_scan *s, const char *path, struct sp_err *err)
{
	struct sp_collection *c = NULL;
	struct sp_evidence *ev = NULL;
	struct sp_memimage *m = NULL;
	const struct sp_collection_item *it;
	struct sp_err oerr;
	struct stat st;
	char *sub = NULL;
	size_t i;
	int fd, rc;

	if ((rc = sp_collection_open(&c, path, s->run, err)) != SP_OK) {
		sp_err_prefix(err, "'%s'", path);
		return rc;
	}
	if (asprintf(&sub, "%s/files", path) < 0) {
		sp_collection_close(c);
		return sp_err_set(err, SP_E_NOMEM, 0, "scan");
	}
	if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
		if ((rc = sp_evidence_open(&ev, sub, s->run, err)) != SP_OK) {
			sp_err_prefix(err, "'%s'", sub);
			goto out;
		}
		sp_evidence_set_cancel(ev, s->o.cancel);
		sp_run_add_input(s->run, sub, 0, NULL, NULL);
		rc = sp_scan_evidence(s, ev, err);
		sp_evidence_close(ev);
		if (rc != SP_OK)
			goto out;
	}
	for (i = 0; i < sp_collection_item_count(c) && !sp_scan_stopped(s);
	    i++) {
		it = sp_collection_item(c, i);
		if (strcmp(it->type, "memory") != 0)
			continue;
		free(sub);
		if (asprintf(&sub, "%s/%s", path, it->path) < 0) {
			sub = NULL;
			rc = sp_err_set(err, SP_E_NOMEM, 0, "scan");
			goto out;
		}
		/* no symbolic link on the way: the image is the collection's */
		sp_err_init(&oerr);
		if (sp_collection_open_file(c, it->path, &fd, &oerr) != SP_OK) {
			s->stats.targets_skipped++;
			sp_run_problem(s->run, sub, oerr.code, "%s", oerr.msg);
			continue;
		}
		close(fd);
		sp_err_init(&oerr);
		if (sp_memimage_open(&m, sub, sp_memimage_is_lime(sub) ? 0 :
		    SP_MEMIMAGE_RAW, s->run, &oerr) != SP_OK) {
			s->stats.targets_skipped++;
			sp_run_problem(s->run, sub, oerr.code, "%s", oerr.msg);
			continue;
		}
		s->source_time = sp_collection_started(c);
		s->mem_pid = lime_pid(it->path);
		sp_run_add_input(s->run, sub, sp_memimage_file_size(m), NULL,
		    NULL);
		rc = sp_scan_memimage(s, m, err);
		s->mem_pid = 0;
		s->source_time = SP_TIME_NONE;
		sp_memimage_close(m);
		if (rc != SP_OK)
			goto out;
	}
	rc = sp_scan_result(s, SP_OK, err);
out:
	free(sub);
	sp_collection_close(c);
	return rc;
}

int
sp_scan_path(struct sp_scan *s, const char *path, unsigned how,
    struct sp_err *err)
{
	struct sp_evidence *ev = NULL;
	struct sp_memimage *m = NULL;
	struct stat st;
	int rc;

	if (sp_scan_stopped(s))
		return sp_scan_result(s, SP_OK, err);
	if (sp_container_view_path(path)) {
		/* EVIDENCE@container=ID: the container's merged view */
		if (how != SP_SCAN_AS_ANY)
			return sp_err_set(err, SP_E_USAGE, 0, "'%s': a "
			    "container is no memory image or file", path);
		memset(&st, 0, sizeof(st));
		st.st_mode = S_IFDIR;
		goto evidence;
	}
	if (stat(path, &st) != 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
		    path);
	if (how == SP_SCAN_AS_ANY && (S_ISDIR(st.st_mode) ||
	    S_ISREG(st.st_mode))) {
		switch (sp_collection_sniff(path)) {
		case SP_COLLECTION_DIR:
			return scan_collection(s, path, err);
		case SP_COLLECTION_TAR:
			return sp_err_set(err, SP_E_FORMAT, 0, "'%s': a "
			    "collection as a tar stream: extract it first "
			    "(tar -xf) and give the directory", path);
		case SP_COLLECTION_NONE:
			break;
		}
	}
	if (S_ISREG(st.st_mode) && (how == SP_SCAN_AS_MEMORY ||
	    (how == SP_SCAN_AS_ANY && sp_memimage_is_lime(path)))) {
		rc = sp_memimage_open(&m, path, sp_memimage_is_lime(path) ? 0 :
		    SP_MEMIMAGE_RAW, s->run, err);
		if (rc != SP_OK) {
			sp_err_prefix(err, "'%s'", path);
			return rc;
		}
		/* the capture is as old as the file */
		s->source_time = sp_time_from_parts(st.st_mtim.tv_sec,
		    st.st_mtim.tv_nsec);
		sp_run_add_input(s->run, path, sp_memimage_file_size(m), NULL,
		    NULL);
		rc = sp_scan_memimage(s, m, err);
		s->source_time = SP_TIME_NONE;
		sp_memimage_close(m);
		return rc;
	}
	if (S_ISREG(st.st_mode) && (how == SP_SCAN_AS_FILE || st.st_size == 0))
		return sp_scan_file(s, path, err);
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
	    !S_ISBLK(st.st_mode)) {
		/*
		 * A FIFO, a socket or a character device has no content to
		 * scan (a read would wait or never end): a target skipped,
		 * so the run is partial, not a usage error.
		 */
		s->stats.targets_skipped++;
		sp_run_problem(s->run, path, SP_E_NOINPUT, "a %s, not a "
		    "regular file, block device or directory",
		    sp_file_type_name(st.st_mode));
		return SP_OK;
	}
evidence:
	rc = sp_evidence_open(&ev, path, s->run, err);
	if (rc == SP_E_FORMAT && S_ISREG(st.st_mode) && !is_ewf(path))
		return sp_scan_file(s, path, err);
	if (rc != SP_OK) {
		sp_err_prefix(err, "'%s'", path);
		return rc;
	}
	sp_evidence_set_cancel(ev, s->o.cancel);
	if ((rc = sp_evidence_need_fs(ev, err)) != SP_OK) {
		/* a volume system without a file system: as spoor-ls */
		sp_evidence_close(ev);
		sp_err_prefix(err, "'%s'", path);
		return rc;
	}
	sp_run_add_input(s->run, path, sp_evidence_size(ev), NULL, NULL);
	rc = sp_scan_evidence(s, ev, err);
	sp_evidence_close(ev);
	return rc;
}
