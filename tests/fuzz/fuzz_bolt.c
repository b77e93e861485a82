/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the bbolt reader (lib/evidence/bolt.c) and the
 * containerd metadata and Podman state read through it
 * (lib/evidence/container.c): the input is opened as a bbolt file and
 * every bucket walked to a bounded depth, read as containerd's metadata
 * with the same bytes as its snapshotter's, and as libpod's
 * bolt_state.db for every container its "ctr" bucket names.  When a
 * second bbolt file begins at a 4 KiB boundary of the input (and the
 * bytes before it open as one too), those bytes are also read as the
 * metadata and the file as the snapshotter's own (two real files
 * concatenated make such an input): that is the only way a snapshot's
 * chain of parents is reached.  Every
 * key and value handed out must lie inside the input (checked, and read,
 * so ASan sees a stray pointer), and a parsed container must have an id
 * and a state.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/container.h"
#include "evidence/bolt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char *lo, *hi;
static const struct sp_bolt *db;
static size_t sink;

static void
inside(const unsigned char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	if (p < lo || p > hi || (size_t)(hi - p) < n)
		abort();
	for (i = 0; i < n; i++)
		sink += p[i];
}

static int
visit(const unsigned char *k, size_t klen, const unsigned char *v,
    size_t vlen, int bucket, void *arg)
{
	int depth = *(int *)arg + 1;
	struct sp_bolt_bucket b;

	inside(k, klen);
	inside(v, vlen);
	if (bucket && depth < 8 && sp_bolt_bucket_of(v, vlen, &b) == 0)
		(void)sp_bolt_each(db, &b, visit, &depth);
	return 0;
}

static void
touch(const char *s)
{
	if (s != NULL)
		sink += strlen(s);
}

static int
each(struct sp_container *c, void *arg)
{
	size_t i;

	(void)arg;
	if (c->id == NULL || c->state == NULL)
		abort();
	touch(c->ns); touch(c->name); touch(c->image); touch(c->image_id);
	touch(c->command); touch(c->hostname); touch(c->upper);
	touch(c->problem);
	for (i = 0; i < c->nlayers; i++)
		touch(c->layers[i]);
	for (i = 0; i < c->nmounts; i++) {
		touch(c->mounts[i].source);
		touch(c->mounts[i].destination);
	}
	return 0;
}

/* libpod's state of the container named k */
static int
podman(const unsigned char *k, size_t klen, const unsigned char *v,
    size_t vlen, int bucket, void *arg)
{
	struct sp_container c;

	(void)v;
	(void)vlen;
	(void)bucket;
	memset(&c, 0, sizeof(c));
	c.pid = c.exit_code = -1;
	if ((c.id = strndup((const char *)k, klen)) == NULL ||
	    (c.state = strdup("unknown")) == NULL)
		abort();
	(void)sp_container_podman_state(&c, lo, (size_t)(hi - lo));
	(void)each(&c, arg);
	sp_container_release(&c);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_bolt b;
	struct sp_bolt_bucket root;
	size_t at;
	int depth = 0;

	lo = data;
	hi = data + size;
	if (sp_bolt_open(&b, data, size) == 0) {
		db = &b;
		sp_bolt_root(&b, &root);
		(void)sp_bolt_each(&b, &root, visit, &depth);
		if (sp_bolt_sub(&b, &root, "ctr", &root) == 0)
			(void)sp_bolt_each(&b, &root, podman, NULL);
	}
	(void)sp_container_parse_containerd(data, size, data, size,
	    "/var/lib/containerd", each, NULL);
	/* both halves must open and the second start with a meta page
	 * (its magic after the 16-byte page header): a file's second meta
	 * page, one page in, opens as a file of its own, and so does the
	 * page before a meta page */
	for (at = 4096; at + 20 < size; at += 4096)
		if (memcmp(data + at + 16, "\xed\xda\x0c\xed", 4) == 0 &&
		    sp_bolt_open(&b, data, at) == 0 &&
		    sp_bolt_open(&b, data + at, size - at) == 0) {
			(void)sp_container_parse_containerd(data, at,
			    data + at, size - at, "/var/lib/containerd",
			    each, NULL);
			break;
		}
	return 0;
}
