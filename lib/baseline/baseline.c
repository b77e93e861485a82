/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The snapshot in memory, whether taken from evidence or read from a
 * baseline file: files and items in growing arrays, sorted by their keys
 * so that a lookup is a binary search and a comparison one merge.
 */
#include <stdlib.h>
#include <string.h>

#include "baseline/baseline-internal.h"
#include "base/util.h"

int
sp_bl_new(struct sp_baseline **b, struct sp_err *err)
{
	if ((*b = calloc(1, sizeof(**b))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "baseline");
	(*b)->time = sp_time_now();
	(*b)->schema = SP_BASELINE_SCHEMA;
	return SP_OK;
}

static char *
dup_or_null(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

int
sp_bl_add_file(struct sp_baseline *b, const struct sp_bl_file *f)
{
	struct sp_bl_file *n;

	if (sp_array_grow((void **)&b->files, &b->fcap, b->nfiles + 1,
	    sizeof(*b->files)) != SP_OK)
		return SP_E_NOMEM;
	n = &b->files[b->nfiles];
	*n = *f;
	n->path = strdup(f->path);
	n->sha256 = dup_or_null(f->sha256);
	n->md5 = dup_or_null(f->md5);
	n->link = dup_or_null(f->link);
	n->xattrs = dup_or_null(f->xattrs);
	if (n->path == NULL || (f->sha256 && !n->sha256) ||
	    (f->md5 && !n->md5) || (f->link && !n->link) ||
	    (f->xattrs && !n->xattrs)) {
		free((char *)n->path);
		free((char *)n->sha256);
		free((char *)n->md5);
		free((char *)n->link);
		free((char *)n->xattrs);
		return SP_E_NOMEM;
	}
	b->nfiles++;
	return SP_OK;
}

int
sp_bl_add_item(struct sp_baseline *b, enum sp_bl_item_kind kind,
    const char *key, size_t klen, const char *value, size_t vlen)
{
	struct sp_bl_item *it;
	char *k, *v;

	if (sp_array_grow((void **)&b->items, &b->icap, b->nitems + 1,
	    sizeof(*b->items)) != SP_OK)
		return SP_E_NOMEM;
	k = strndup(key, klen);
	v = strndup(value ? value : "", value ? vlen : 0);
	if (k == NULL || v == NULL) {
		free(k);
		free(v);
		return SP_E_NOMEM;
	}
	it = &b->items[b->nitems++];
	it->kind = kind;
	it->key = k;
	it->value = v;
	return SP_OK;
}

int
sp_bl_file_cmp(const struct sp_bl_file *a, const struct sp_bl_file *b)
{
	if (a->fs != b->fs)
		return a->fs < b->fs ? -1 : 1;
	return strcmp(a->path, b->path);
}

int
sp_bl_item_cmp(const struct sp_bl_item *a, const struct sp_bl_item *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->key, b->key);
}

static int
file_qcmp(const void *a, const void *b)
{
	return sp_bl_file_cmp(a, b);
}

static int
item_qcmp(const void *a, const void *b)
{
	return sp_bl_item_cmp(a, b);
}

void
sp_bl_sort(struct sp_baseline *b)
{
	size_t i, o;

	/* an empty array is NULL, which qsort may not be given */
	if (b->nfiles > 1)
		qsort(b->files, b->nfiles, sizeof(*b->files), file_qcmp);
	if (b->nitems > 1)
		qsort(b->items, b->nitems, sizeof(*b->items), item_qcmp);
	/* a line twice in one file is one item: the set is what counts */
	for (i = o = 0; i < b->nitems; i++) {
		if (o > 0 && sp_bl_item_cmp(&b->items[o - 1], &b->items[i])
		    == 0) {
			free((char *)b->items[i].key);
			free((char *)b->items[i].value);
			continue;
		}
		b->items[o++] = b->items[i];
	}
	b->nitems = o;
}

void
sp_baseline_free(struct sp_baseline *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->nfiles; i++) {
		free((char *)b->files[i].path);
		free((char *)b->files[i].sha256);
		free((char *)b->files[i].md5);
		free((char *)b->files[i].link);
		free((char *)b->files[i].xattrs);
	}
	for (i = 0; i < b->nitems; i++) {
		free((char *)b->items[i].key);
		free((char *)b->items[i].value);
	}
	free(b->files);
	free(b->items);
	sp_pkgsums_free(b->pkgsums);
	free(b->source);
	free(b);
}

const char *
sp_baseline_source(const struct sp_baseline *b)
{
	return b->source ? b->source : "";
}

sp_time_ns
sp_baseline_time(const struct sp_baseline *b)
{
	return b->time;
}

size_t
sp_baseline_file_count(const struct sp_baseline *b)
{
	return b->nfiles;
}

const struct sp_bl_file *
sp_baseline_file(const struct sp_baseline *b, size_t i)
{
	return i < b->nfiles ? &b->files[i] : NULL;
}

size_t
sp_baseline_item_count(const struct sp_baseline *b,
    enum sp_bl_item_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < b->nitems; i++)
		n += b->items[i].kind == kind;
	return n;
}

const struct sp_bl_file *
sp_baseline_find(const struct sp_baseline *b, unsigned fs, const char *path)
{
	struct sp_bl_file key;

	memset(&key, 0, sizeof(key));
	key.fs = fs;
	key.path = path;
	if (b->nfiles == 0)
		return NULL;
	return bsearch(&key, b->files, b->nfiles, sizeof(*b->files),
	    file_qcmp);
}
