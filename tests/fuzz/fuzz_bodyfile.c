/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the bodyfile line parser: the input is split into
 * lines, and every line sp_bodyfile_parse accepts is written back with
 * sp_bodyfile_write (SP_BODYFILE_NS, so fractions of a second are kept)
 * and parsed again, which must succeed and give the same entry.  Names
 * with control characters (C1 and stray 0x80-0x9f bytes included) are not
 * compared: the writer turns them into '^' as TSK does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/err.h"
#include "spoor/json.h"
#include "spoor/output.h"
#include "spoor/timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Whether the writer changes s: control characters, C1 controls (U+0080-
 * U+009F) and the bytes 0x80-0x9f that are no part of UTF-8 become '^'.
 */
static int
has_control(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = str != NULL ? strlen(str) : 0, i, k;

	for (i = 0; i < n; i += k ? k : 1) {
		k = s[i] < 0x80 ? 1 : sp_utf8_seq(s + i, n - i);
		if (s[i] < 0x20 || s[i] == 0x7f || (k == 0 && s[i] <= 0x9f) ||
		    (k == 2 && s[i] == 0xc2 && s[i + 1] <= 0x9f))
			return 1;
	}
	return 0;
}

static int
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
mismatch(const char *orig, const char *out, const char *what)
{
	fprintf(stderr, "fuzz_bodyfile: '%s' was written as '%s', whose %s "
	    "differs\n", orig, out, what);
	abort();
}

static void
round_trip(const char *orig, const struct sp_entry *e, const char *md5)
{
	struct sp_entry e2;
	struct sp_err err;
	const char *md5b;
	char *out = NULL, *shown;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&out, &len)) == NULL)
		abort();
	sp_bodyfile_write(f, e, md5, SP_BODYFILE_NS);
	if (fclose(f) != 0)
		abort();
	if (len == 0 || out[len - 1] != '\n' || memchr(out, '\n', len - 1)) {
		fprintf(stderr, "fuzz_bodyfile: '%s' was not written as one "
		    "line: '%s'\n", orig, out);
		abort();
	}
	out[len - 1] = '\0';
	/* the second parse splits out in place too */
	if ((shown = strdup(out)) == NULL)
		abort();
	if (sp_bodyfile_parse(out, &e2, &md5b, &err) != SP_OK) {
		fprintf(stderr, "fuzz_bodyfile: '%s' was written as "
		    "'%s', which does not parse: %s\n", orig, shown,
		    err.msg);
		abort();
	}
	if (!has_control(e->path) && !has_control(e->link)) {
		if (!same_str(e->path, e2.path))
			mismatch(orig, shown, "path");
		if (!same_str(e->link, e2.link))
			mismatch(orig, shown, "link");
	}
	if (e->inode != e2.inode)
		mismatch(orig, shown, "inode");
	if (e->attr_type != e2.attr_type || e->attr_id != e2.attr_id)
		mismatch(orig, shown, "attribute type or id");
	if (e->mode != e2.mode)
		mismatch(orig, shown, "mode");
	if (e->name_type != e2.name_type)
		mismatch(orig, shown, "name type");
	if (e->meta_type != e2.meta_type)
		mismatch(orig, shown, "meta type");
	if (e->uid != e2.uid || e->gid != e2.gid)
		mismatch(orig, shown, "uid or gid");
	if (e->size != e2.size)
		mismatch(orig, shown, "size");
	if (e->flags != e2.flags)
		mismatch(orig, shown, "flags");
	if (e->atime != e2.atime)
		mismatch(orig, shown, "atime");
	if (e->mtime != e2.mtime)
		mismatch(orig, shown, "mtime");
	if (e->ctime != e2.ctime)
		mismatch(orig, shown, "ctime");
	if (e->crtime != e2.crtime)
		mismatch(orig, shown, "crtime");
	free(shown);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_entry e;
	struct sp_err err;
	const char *md5;
	char *buf, *line, *nl, *orig;
	size_t n;

	if ((buf = malloc(size + 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (line = buf; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		/* the parser splits the line in place: keep it for reports */
		n = strlen(line);
		if ((orig = malloc(n + 1)) == NULL)
			abort();
		memcpy(orig, line, n + 1);
		if (sp_bodyfile_parse(line, &e, &md5, &err) == SP_OK)
			round_trip(orig, &e, md5);
		free(orig);
	}
	free(buf);
	return 0;
}
