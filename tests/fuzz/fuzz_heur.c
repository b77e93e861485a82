/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the heuristics (lib/scan/heur.c).  The input chooses a
 * file: a few leading bytes give the kind of place it is in, its type,
 * mode, package state, file system and times; then comes the rest of its
 * path up to a newline, and the remaining bytes are both its first bytes
 * and its content, which is also read as /etc/ld.so.preload and as an
 * authorized_keys file with a time window from the input.  Every hit must
 * name a detector of the table, carry a valid severity, a score of 0..100
 * and a bounded reason of printable ASCII only, and a content hit must lie
 * inside the content.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/heur.h"

#define PATH_MAX_FUZZ	512

static const char *const prefixes[] = {
	"/tmp/", "/tmp/.X11-unix/.x/", "/var/tmp/", "/dev/shm/", "/home/a/.",
	"/var/www/html/uploads/", "/var/www/", "/var/lib/tomcat9/webapps/",
	"/usr/bin/", "/root/.ssh/", "/etc/", "/opt/", "/home/*/public_html/",
	"/var/lib/docker/", "/", ""
};

static const char *const fs_types[] = {
	"ext4", "ntfs", "dir", "vfat", "xfs", NULL
};

struct check {
	const void *content;
	size_t len;
	int scores[64];
	size_t n;
};

static void
fail(const char *what, const struct sp_heur_hit *h)
{
	fprintf(stderr, "fuzz_heur: %s: detector %s reason '%s'\n", what,
	    h->detector ? h->detector : "(null)",
	    h->reason ? h->reason : "(null)");
	abort();
}

static int
on_hit(const struct sp_heur_hit *h, void *arg)
{
	struct check *c = arg;
	size_t i, n;

	if (h->detector == NULL || sp_heur_detector_find(h->detector) == NULL)
		fail("unknown detector", h);
	if ((int)h->severity < SP_SEV_INFO || h->severity > SP_SEV_CRITICAL)
		fail("bad severity", h);
	if (h->score < 0 || h->score > 100)
		fail("bad score", h);
	if (h->technique == NULL || strncmp(h->technique, "T1", 2) != 0)
		fail("bad technique", h);
	if (h->reason == NULL || (n = strlen(h->reason)) == 0 ||
	    n >= SP_HEUR_REASON_MAX)
		fail("bad reason length", h);
	for (i = 0; i < n; i++)
		if ((unsigned char)h->reason[i] < 0x20 ||
		    (unsigned char)h->reason[i] >= 0x7f)
			fail("unescaped byte in reason", h);
	if (c->content != NULL &&
	    (h->offset > c->len || h->length > c->len - h->offset))
		fail("hit outside the content", h);
	if (c->n < sizeof(c->scores) / sizeof(c->scores[0]))
		c->scores[c->n++] = h->score;
	return SP_CB_CONTINUE;
}

static sp_time_ns
take_time(const uint8_t **p, size_t *left)
{
	int64_t t = 0;

	if (*left >= 8) {
		memcpy(&t, *p, 8);
		*p += 8;
		*left -= 8;
	}
	/* small values pick the interesting ones */
	if (t >= 0 && t < 4)
		return t == 0 ? SP_TIME_NONE : t == 1 ? INT64_MAX :
		    t == 2 ? INT64_MIN + 1 : INT64_C(1773484982) * SP_NS_PER_SEC;
	return t;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_heur_file f;
	struct check c;
	char path[PATH_MAX_FUZZ];
	const uint8_t *p = data, *nl;
	size_t left = size, n, plen;
	uint64_t hist[256] = { 0 };
	sp_time_ns from, to;
	double e;
	int combined;

	if (size < 4)
		return 0;
	sp_heur_file_init(&f);
	snprintf(path, sizeof(path), "%s",
	    prefixes[p[0] % (sizeof(prefixes) / sizeof(prefixes[0]))]);
	f.type = (p[1] & 3) == 3 ? 'd' : 'r';
	f.packaged = (int)((p[1] >> 2) % 3) - 1;
	f.package_verified = f.packaged == 1 && (p[1] & 0x20);
	f.fs_type = fs_types[(p[1] >> 5) % 6];
	f.mode = (uint32_t)p[2] << 8 | p[3];
	p += 4;
	left -= 4;
	f.crtime = take_time(&p, &left);
	f.mtime = take_time(&p, &left);
	f.ctime = take_time(&p, &left);
	f.fn_crtime = take_time(&p, &left);
	from = left > 0 && (p[0] & 1) ? take_time(&p, &left) : SP_TIME_NONE;
	to = left > 0 && (p[0] & 2) ? take_time(&p, &left) : SP_TIME_NONE;

	/* the rest of the path, up to a newline */
	nl = left > 0 ? memchr(p, '\n', left) : NULL;
	n = nl ? (size_t)(nl - p) : 0;
	plen = strlen(path);
	if (n > sizeof(path) - plen - 1)
		n = sizeof(path) - plen - 1;
	memcpy(path + plen, p, n);
	path[plen + n] = '\0';
	if (nl != NULL) {
		left -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	f.path = path;
	f.head = p;
	f.head_len = left < 4096 ? left : 4096;
	f.size = left + (left > 0 ? (uint64_t)p[0] << 16 : 0);
	for (n = 0; n < left; n++)
		hist[p[n]]++;
	e = sp_heur_entropy(hist, left);
	if (e < 0 || e > 8.0001)
		abort();
	f.entropy = e;

	memset(&c, 0, sizeof(c));
	(void)sp_heur_check_file(&f, on_hit, &c);
	if (sp_heur_wants_content(&f)) {
		c.content = p;
		c.len = left;
		(void)sp_heur_check_content(&f, p, left, from, to, on_hit, &c);
	}

	/* the same content as the two files read whole */
	c.content = p;
	c.len = left;
	f.type = 'r';
	f.path = "/etc/ld.so.preload";
	f.name = NULL;
	if (!sp_heur_wants_content(&f))
		abort();
	(void)sp_heur_check_content(&f, p, left, from, to, on_hit, &c);
	f.path = "/home/alice/.ssh/authorized_keys";
	if (!sp_heur_wants_content(&f))
		abort();
	(void)sp_heur_check_content(&f, p, left, from, to, on_hit, &c);

	combined = sp_score_combine(c.scores, c.n);
	if (combined < 0 || combined > 100)
		abort();
	return 0;
}
