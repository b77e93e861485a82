/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The users of one source: uid to name, read from the source's own
 * /etc/passwd before its logs are parsed, so that a record that only
 * gives a uid (audit, lastlog) can name the user as that host knew it.
 * The passwd file is evidence like any other: a line that is not
 * "name:password:uid:..." with a numeric uid and a name of printable
 * UTF-8 is skipped, and the map is bounded whatever the file holds.
 */
#include <stdlib.h>
#include <string.h>

#include "spoor/artifact.h"
#include "artifact/parsers.h"

#define PASSWD_LINE_MAX	4096		/* a longer line is skipped */
#define USERS_MAX	(1 << 20)	/* entries kept */
#define USER_NAME_MAX	256

struct user {
	int64_t uid;
	size_t order;		/* line order: the first of a uid wins */
	char *name;
};

struct sp_users {
	struct user *v;
	size_t n, cap;
};

/* Whether s (n bytes) is a name to show: printable UTF-8, no ':'. */
static int
good_name(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	if (n == 0 || n > USER_NAME_MAX)
		return 0;
	while (i < n) {
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == ':')
			return 0;
		if ((k = sp_utf8_seq(p + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* The uid field [s, s + n): a decimal of at most 10 digits below 2^32. */
static int64_t
uid_field(const char *s, size_t n)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= INT64_C(0xffffffff) ? v : -1;
}

static int
user_cmp(const void *a, const void *b)
{
	const struct user *x = a, *y = b;

	if (x->uid != y->uid)
		return x->uid < y->uid ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
users_add(struct sp_users *u, int64_t uid, const char *name, size_t n)
{
	struct user *nv;
	size_t ncap;

	if (u->n == u->cap) {
		ncap = u->cap ? u->cap * 2 : 64;
		if ((nv = realloc(u->v, ncap * sizeof(*nv))) == NULL)
			return -1;
		u->v = nv;
		u->cap = ncap;
	}
	if ((u->v[u->n].name = strndup(name, n)) == NULL)
		return -1;
	u->v[u->n].uid = uid;
	u->v[u->n].order = u->n;
	u->n++;
	return 0;
}

int
sp_users_load(FILE *in, struct sp_users **out, struct sp_err *err)
{
	struct sp_users *u;
	struct sp_line l;
	const char *c1, *c2, *c3;
	size_t i, j;
	int r, too_long;
	int64_t uid;

	*out = NULL;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "users");
	memset(&l, 0, sizeof(l));
	while ((r = sp_line_read(&l, in, PASSWD_LINE_MAX, &too_long)) == 1) {
		if (too_long || u->n >= USERS_MAX ||
		    memchr(l.p, '\0', l.len) != NULL)
			continue;
		/* name:password:uid:gid:gecos:home:shell */
		if ((c1 = memchr(l.p, ':', l.len)) == NULL ||
		    (c2 = memchr(c1 + 1, ':', l.len - (size_t)(c1 + 1 - l.p)))
		    == NULL ||
		    (c3 = memchr(c2 + 1, ':', l.len - (size_t)(c2 + 1 - l.p)))
		    == NULL)
			continue;
		if ((uid = uid_field(c2 + 1, (size_t)(c3 - c2 - 1))) < 0 ||
		    !good_name(l.p, (size_t)(c1 - l.p)))
			continue;
		if (users_add(u, uid, l.p, (size_t)(c1 - l.p)) != 0) {
			sp_line_release(&l);
			sp_users_free(u);
			return sp_err_set(err, SP_E_NOMEM, 0, "users");
		}
	}
	sp_line_release(&l);
	if (r < 0) {
		sp_users_free(u);
		return sp_line_error(r, err);
	}
	/* sorted by uid, the first line of each uid kept (as getpwuid) */
	if (u->n > 0)
		qsort(u->v, u->n, sizeof(u->v[0]), user_cmp);
	for (i = j = 0; i < u->n; i++) {
		if (j > 0 && u->v[j - 1].uid == u->v[i].uid) {
			free(u->v[i].name);
			continue;
		}
		u->v[j++] = u->v[i];
	}
	u->n = j;
	*out = u;
	return SP_OK;
}

const char *
sp_users_name(const struct sp_users *u, int64_t uid)
{
	size_t lo = 0, hi, mid;

	if (u == NULL)
		return NULL;
	hi = u->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (u->v[mid].uid == uid)
			return u->v[mid].name;
		if (u->v[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t
sp_users_count(const struct sp_users *u)
{
	return u != NULL ? u->n : 0;
}

void
sp_users_free(struct sp_users *u)
{
	size_t i;

	if (u == NULL)
		return;
	for (i = 0; i < u->n; i++)
		free(u->v[i].name);
	free(u->v);
	free(u);
}
