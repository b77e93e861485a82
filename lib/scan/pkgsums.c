/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dpkg's own digests of an image's files (see include/spoor/hashset.h):
 * every PKG.md5sums of /var/lib/dpkg/info in one open-addressing hash
 * table keyed by absolute path, so the scanner can tell an unchanged
 * packaged file from a modified one without trusting anything but the
 * image.  A path listed by two packages (diversions, Multi-Arch: same) is
 * kept once per package; verification accepts either digest.  Conffiles
 * are kept apart: they are meant to be edited.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spoor/case.h"
#include "spoor/evidence.h"
#include "base/util.h"
#include "spoor/hashset.h"

struct pkfile {
	uint32_t path;		/* offset in the pool */
	uint32_t package;	/* offset in the pool */
	uint32_t hash;
	char md5[33];
};

/* A set of strings: open addressing over indexes into an array. */
struct table {
	uint32_t *slot;		/* index + 1 into the items; 0 is empty */
	size_t nslot, n;
};

struct sp_pkgsums {
	char *pool;
	size_t poollen, poolcap;
	struct pkfile *files;
	size_t nfiles, capfiles;
	struct table paths;	/* over files */
	uint32_t *conf;		/* pool offsets of conffile paths */
	size_t nconf, capconf;
	struct table confs;	/* over conf */
	size_t npackages;
};

static uint32_t
fnv1a(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

int
sp_pkgsums_new(struct sp_pkgsums **psp, struct sp_err *err)
{
	struct sp_pkgsums *ps;

	*psp = NULL;
	if ((ps = calloc(1, sizeof(*ps))) == NULL ||
	    (ps->pool = malloc(1)) == NULL) {
		free(ps);
		return sp_err_set(err, SP_E_NOMEM, 0, "package sums");
	}
	ps->pool[0] = '\0';
	ps->poollen = ps->poolcap = 1;
	*psp = ps;
	return SP_OK;
}

void
sp_pkgsums_free(struct sp_pkgsums *ps)
{
	if (ps == NULL)
		return;
	free(ps->pool);
	free(ps->files);
	free(ps->paths.slot);
	free(ps->conf);
	free(ps->confs.slot);
	free(ps);
}

/* Copy s (n bytes, with a leading '/' when lead) into the pool. */
static int
intern(struct sp_pkgsums *ps, const char *s, size_t n, int lead,
    uint32_t *off)
{
	size_t len = n + (lead ? 1 : 0) + 1;

	if (ps->poollen + len > UINT32_MAX ||
	    sp_array_grow((void **)&ps->pool, &ps->poolcap, ps->poollen + len, 1)
	    != SP_OK)
		return SP_E_NOMEM;
	*off = (uint32_t)ps->poollen;
	if (lead)
		ps->pool[ps->poollen++] = '/';
	memcpy(ps->pool + ps->poollen, s, n);
	ps->poollen += n;
	ps->pool[ps->poollen++] = '\0';
	return SP_OK;
}

/*
 * Insert item index idx (path at pool offset off, hash h) into t, growing
 * it to keep the load under one half.  paths gives each item's path.
 */
static int
table_put(struct table *t, uint32_t idx, uint32_t h,
    const struct sp_pkgsums *ps, int files)
{
	size_t i, j, mask;

	if ((t->n + 1) * 2 > t->nslot) {
		size_t n = t->nslot ? t->nslot * 2 : 1024;
		uint32_t *slot;
		if (n > SIZE_MAX / sizeof(*slot) ||
		    (slot = calloc(n, sizeof(*slot))) == NULL)
			return SP_E_NOMEM;
		for (i = 0; i < t->nslot; i++) {
			uint32_t k = t->slot[i], hh;
			if (k == 0)
				continue;
			hh = files ? ps->files[k - 1].hash :
			    fnv1a(ps->pool + ps->conf[k - 1],
			    strlen(ps->pool + ps->conf[k - 1]));
			for (j = hh & (n - 1); slot[j] != 0; j = (j + 1) &
			    (n - 1))
				;
			slot[j] = k;
		}
		free(t->slot);
		t->slot = slot;
		t->nslot = n;
	}
	mask = t->nslot - 1;
	for (i = h & mask; t->slot[i] != 0; i = (i + 1) & mask)
		;
	t->slot[i] = idx + 1;
	t->n++;
	return SP_OK;
}

static int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

int
sp_pkgsums_add(struct sp_pkgsums *ps, const char *package, const void *buf,
    size_t len, const char *origin, struct sp_run *run, struct sp_err *err)
{
	const char *s = buf, *end = s + len, *nl, *p, *e;
	char subject[4096];
	uint64_t lineno = 0, malformed = 0;
	uint32_t pkg;
	struct pkfile *f;
	size_t n, i;

	if (intern(ps, package, strlen(package), 0, &pkg) != SP_OK)
		return sp_err_set(err, SP_E_NOMEM, 0, "package sums");
	ps->npackages++;
	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		lineno++;
		e = nl;
		if (e > s && e[-1] == '\r')
			e--;
		if (e == s)
			continue;
		for (i = 0; i < 32 && s + i < e && is_hex((unsigned char)s[i]);
		    i++)
			;
		p = s + i;
		if (i != 32 || p == e || !is_blank((unsigned char)*p))
			goto bad;
		while (p < e && is_blank((unsigned char)*p))
			p++;
		n = (size_t)(e - p);
		if (n == 0 || memchr(p, '\0', n) != NULL)
			goto bad;
		if (sp_array_grow((void **)&ps->files, &ps->capfiles, ps->nfiles + 1,
		    sizeof(*ps->files)) != SP_OK || ps->nfiles >= UINT32_MAX - 1)
			return sp_err_set(err, SP_E_NOMEM, 0, "package sums");
		f = &ps->files[ps->nfiles];
		for (i = 0; i < 32; i++)
			f->md5[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ?
			    s[i] - 'A' + 'a' : s[i]);
		f->md5[32] = '\0';
		f->package = pkg;
		if (intern(ps, p, n, *p != '/', &f->path) != SP_OK)
			return sp_err_set(err, SP_E_NOMEM, 0, "package sums");
		f->hash = fnv1a(ps->pool + f->path, strlen(ps->pool + f->path));
		if (table_put(&ps->paths, (uint32_t)ps->nfiles, f->hash, ps,
		    1) != SP_OK)
			return sp_err_set(err, SP_E_NOMEM, 0, "package sums");
		ps->nfiles++;
		continue;
bad:
		if (malformed++ < 10) {
			snprintf(subject, sizeof(subject), "%s:%llu",
			    origin != NULL ? origin : package,
			    (unsigned long long)lineno);
			sp_run_problem(run, subject, SP_E_DATA, "not an "
			    "\"MD5  path\" line of a dpkg md5sums file");
		}
	}
	if (malformed > 10)
		sp_run_problem(run, origin != NULL ? origin : package,
		    SP_E_DATA, "%llu more malformed lines",
		    (unsigned long long)(malformed - 10));
	return SP_OK;
}

static int
add_conffile(struct sp_pkgsums *ps, const char *p, size_t n)
{
	uint32_t off;

	if (n == 0 || *p != '/' || memchr(p, '\0', n) != NULL)
		return SP_OK;
	if (sp_array_grow((void **)&ps->conf, &ps->capconf, ps->nconf + 1,
	    sizeof(*ps->conf)) != SP_OK || ps->nconf >= UINT32_MAX - 1 ||
	    intern(ps, p, n, 0, &off) != SP_OK)
		return SP_E_NOMEM;
	ps->conf[ps->nconf] = off;
	if (table_put(&ps->confs, (uint32_t)ps->nconf, fnv1a(p, n), ps, 0)
	    != SP_OK)
		return SP_E_NOMEM;
	ps->nconf++;
	return SP_OK;
}

int
sp_pkgsums_add_conffiles(struct sp_pkgsums *ps, const void *buf, size_t len,
    int status, struct sp_err *err)
{
	const char *s = buf, *end = s + len, *nl, *e, *p, *q;
	int in_conffiles = 0;

	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		e = nl;
		if (e > s && e[-1] == '\r')
			e--;
		if (status) {
			/* " /etc/x.conf MD5 [obsolete]" lines continue it */
			if (e > s && is_blank((unsigned char)*s)) {
				if (!in_conffiles)
					continue;
				for (p = s; p < e && is_blank((unsigned char)
				    *p); p++)
					;
				for (q = p; q < e && !is_blank((unsigned char)
				    *q); q++)
					;
			} else {
				in_conffiles = (size_t)(e - s) >= 10 &&
				    strncasecmp(s, "Conffiles:", 10) == 0;
				continue;
			}
		} else {
			/* flag words ("remove-on-upgrade") come first */
			for (p = s; p < e && !(*p == '/' && (p == s ||
			    is_blank((unsigned char)p[-1]))); p++)
				;
			q = e;
		}
		if (add_conffile(ps, p, (size_t)(q - p)) != SP_OK)
			return sp_err_set(err, SP_E_NOMEM, 0, "package sums");
	}
	return SP_OK;
}

/* The item index + 1 of the first entry of t with path, or 0. */
static size_t
table_find(const struct table *t, const struct sp_pkgsums *ps, int files,
    const char *path, uint32_t h, size_t *pos)
{
	size_t mask = t->nslot - 1, i;

	if (t->nslot == 0)
		return 0;
	for (i = *pos == SIZE_MAX ? h & mask : (*pos + 1) & mask;
	    t->slot[i] != 0; i = (i + 1) & mask) {
		uint32_t k = t->slot[i];
		uint32_t off = files ? ps->files[k - 1].path : ps->conf[k - 1];
		if ((!files || ps->files[k - 1].hash == h) &&
		    strcmp(ps->pool + off, path) == 0) {
			*pos = i;
			return k;
		}
	}
	return 0;
}

const char *
sp_pkgsums_lookup(const struct sp_pkgsums *ps, const char *path,
    const char **package)
{
	size_t pos = SIZE_MAX, k;

	k = table_find(&ps->paths, ps, 1, path, fnv1a(path, strlen(path)),
	    &pos);
	if (k == 0)
		return NULL;
	if (package != NULL)
		*package = ps->pool + ps->files[k - 1].package;
	return ps->files[k - 1].md5;
}

enum sp_pkgsums_verdict
sp_pkgsums_verify(const struct sp_pkgsums *ps, const char *path,
    const char *md5hex, const char **package)
{
	size_t pos = SIZE_MAX, k, first = 0;
	uint32_t h = fnv1a(path, strlen(path));

	while ((k = table_find(&ps->paths, ps, 1, path, h, &pos)) != 0) {
		if (first == 0)
			first = k;
		if (md5hex != NULL && strlen(md5hex) == 32 &&
		    strncasecmp(ps->files[k - 1].md5, md5hex, 32) == 0) {
			if (package != NULL)
				*package = ps->pool + ps->files[k - 1].package;
			return SP_PKGSUMS_VERIFIED;
		}
	}
	if (first == 0)
		return SP_PKGSUMS_UNKNOWN;
	if (package != NULL)
		*package = ps->pool + ps->files[first - 1].package;
	return sp_pkgsums_is_conffile(ps, path) ? SP_PKGSUMS_CONFFILE :
	    SP_PKGSUMS_MODIFIED;
}

int
sp_pkgsums_is_conffile(const struct sp_pkgsums *ps, const char *path)
{
	size_t pos = SIZE_MAX;

	return table_find(&ps->confs, ps, 0, path, fnv1a(path, strlen(path)),
	    &pos) != 0;
}

size_t
sp_pkgsums_packages(const struct sp_pkgsums *ps)
{
	return ps->npackages;
}

size_t
sp_pkgsums_paths(const struct sp_pkgsums *ps)
{
	return ps->nfiles;
}

enum sp_pkgsums_file
sp_pkgsums_file_kind(const char *path, char *pkg, size_t size)
{
	static const char info[] = "/var/lib/dpkg/info/";
	const char *name, *dot;
	enum sp_pkgsums_file kind;
	size_t n;

	if (*path != '/')
		return SP_PKGSUMS_NONE;
	if (strcmp(path, "/var/lib/dpkg/status") == 0)
		return SP_PKGSUMS_STATUS;
	if (strncmp(path, info, sizeof(info) - 1) != 0)
		return SP_PKGSUMS_NONE;
	name = path + sizeof(info) - 1;
	if (strchr(name, '/') != NULL || (dot = strrchr(name, '.')) == NULL ||
	    dot == name)
		return SP_PKGSUMS_NONE;
	if (strcmp(dot, ".md5sums") == 0)
		kind = SP_PKGSUMS_MD5SUMS;
	else if (strcmp(dot, ".conffiles") == 0)
		kind = SP_PKGSUMS_CONFFILES;
	else
		return SP_PKGSUMS_NONE;
	if (pkg != NULL && size > 0) {
		n = (size_t)(dot - name);
		if (n >= size)
			n = size - 1;
		memcpy(pkg, name, n);
		pkg[n] = '\0';
	}
	return kind;
}
