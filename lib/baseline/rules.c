/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ignore files and allowlists (spoor-baseline(1)): one rule a line, a
 * glob over absolute paths with an optional list of change classes, or
 * for an allowlist a SHA-256.  The files are the user's or anybody's, so
 * the parser takes any bytes and names the line it refuses; the matcher
 * is linear in the pattern times the path, whatever the stars.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline/baseline-internal.h"
#include "base/util.h"

/* A pattern longer than this is refused: no path needs it. */
#define PATTERN_MAX 4096
/* An ignore or allowlist file bigger than this is refused. */
#define RULES_FILE_MAX (64u << 20)

struct rule {
	char *pattern;
	size_t prefix;		/* bytes before the first wildcard */
	unsigned classes;	/* ignored classes (ignore files) */
	char sha256[65];	/* allowlists: a digest instead of a pattern */
};

struct sp_bl_rules {
	struct rule *rules;
	size_t n, cap;
	int allow;
};

static const char *const class_names[] = {
	"content", "size", "permissions", "owner", "type", "link", "times",
	"xattrs"
};

const char *
sp_bl_class_name(unsigned one_class)
{
	unsigned i;

	for (i = 0; i < 8; i++)
		if (one_class == 1u << i)
			return class_names[i];
	return "?";
}

const char *
sp_bl_classes_text(unsigned mask, char *buf, size_t size)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < 8 && used < size; i++)
		if (mask & (1u << i))
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
			    used ? "," : "", class_names[i]);
	return buf;
}

/*
 * Glob matching as a set of states: states[j] says the first j bytes of
 * path are matched by the pattern so far.  One pass per pattern byte,
 * so a pattern of stars costs no more than one of letters.
 */
static int
glob_match_n(const char *pat, const char *path, size_t n, unsigned char *st,
    unsigned char *nx)
{
	size_t j, plen = strlen(pat), i;
	int any;

	memset(st, 0, n + 1);
	st[0] = 1;
	for (i = 0; i < plen; i++) {
		memset(nx, 0, n + 1);
		any = 0;
		if (pat[i] == '*') {
			int deep = i + 1 < plen && pat[i + 1] == '*';
			int seen = 0;

			if (deep)
				i++;
			/* a star may take nothing, or run on (over a '/'
			 * only when doubled) */
			for (j = 0; j <= n; j++) {
				if (!deep && j > 0 && path[j - 1] == '/')
					seen = 0;
				seen |= st[j];
				nx[j] = (unsigned char)seen;
				any |= seen;
			}
		} else {
			for (j = 0; j < n; j++)
				if (st[j] && (pat[i] == '?' ? path[j] != '/' :
				    path[j] == pat[i])) {
					nx[j + 1] = 1;
					any = 1;
				}
		}
		memcpy(st, nx, n + 1);
		if (!any)
			return 0;
	}
	return st[n];
}

int
sp_bl_glob_match(const char *pattern, const char *path)
{
	unsigned char sbuf[2 * 4098], *st = sbuf, *heap = NULL;
	size_t n = strlen(path), plen = strlen(pattern);
	int r;

	if (n + 1 > sizeof(sbuf) / 2) {
		if ((heap = malloc(2 * (n + 1))) == NULL)
			return 0;
		st = heap;
	}
	r = glob_match_n(pattern, path, n, st, st + n + 1);
	/* a pattern ending in "/" and two stars is the directory too: what
	 * it holds changes its times */
	if (!r && plen >= 3 && strcmp(pattern + plen - 3, "/**") == 0 &&
	    n == plen - 3 && strncmp(pattern, path, n) == 0 &&
	    strcspn(pattern, "*?") == plen - 2)
		r = 1;
	free(heap);
	return r;
}

int
sp_bl_rules_new(struct sp_bl_rules **r, int allow, struct sp_err *err)
{
	if ((*r = calloc(1, sizeof(**r))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "rules");
	(*r)->allow = allow;
	return SP_OK;
}

void
sp_bl_rules_free(struct sp_bl_rules *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->rules[i].pattern);
	free(r->rules);
	free(r);
}

size_t
sp_bl_rules_count(const struct sp_bl_rules *r)
{
	return r ? r->n : 0;
}

static int
add_rule(struct sp_bl_rules *r, const char *pat, size_t plen,
    unsigned classes, const char *sha256)
{
	struct rule *x;

	if (sp_array_grow((void **)&r->rules, &r->cap, r->n + 1,
	    sizeof(*r->rules)) != SP_OK)
		return SP_E_NOMEM;
	x = &r->rules[r->n];
	memset(x, 0, sizeof(*x));
	if (sha256 != NULL)
		memcpy(x->sha256, sha256, 64);
	else {
		if ((x->pattern = strndup(pat, plen)) == NULL)
			return SP_E_NOMEM;
		x->prefix = strcspn(x->pattern, "*?");
	}
	x->classes = classes;
	r->n++;
	return SP_OK;
}

/* The classes of "content,times" (or "all"); 0 for an unknown name. */
static unsigned
parse_classes(const char *s, size_t len, char *bad, size_t badsize)
{
	unsigned mask = 0, i, one;
	const char *p = s, *comma, *end = s + len;
	size_t n;

	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		n = (size_t)((comma ? comma : end) - p);
		one = 0;
		if (n == 3 && memcmp(p, "all", 3) == 0)
			one = SP_BL_ALL;
		for (i = 0; i < 8 && !one; i++)
			if (strlen(class_names[i]) == n &&
			    memcmp(class_names[i], p, n) == 0)
				one = 1u << i;
		if (!one) {
			snprintf(bad, badsize, "%.*s", (int)(n > 64 ? 64 : n),
			    p);
			return 0;
		}
		mask |= one;
		p = comma ? comma + 1 : end;
	}
	return mask;
}

/* A digest as the line gives it: "sha256:HEX" or 64 hex digits. */
static int
parse_digest(const char *s, size_t len, char out[65])
{
	size_t i;

	if (len == 71 && strncmp(s, "sha256:", 7) == 0) {
		s += 7;
		len -= 7;
	}
	if (len != 64)
		return 0;
	for (i = 0; i < 64; i++) {
		if (sp_hexval((unsigned char)s[i]) < 0)
			return 0;
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] + 32 : s[i]);
	}
	out[64] = '\0';
	return 1;
}

/* A byte the messages can show as it is. */
static int
printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
parse_line(struct sp_bl_rules *r, const char *s, const char *e,
    const char *origin, size_t lineno, struct sp_err *err)
{
	const char *w2, *p;
	char digest[65], bad[80];
	unsigned classes = SP_BL_ALL;
	size_t plen;

	for (p = s; p < e && *p != ' ' && *p != '\t'; p++)
		;
	plen = (size_t)(p - s);
	for (w2 = p; w2 < e && (*w2 == ' ' || *w2 == '\t'); w2++)
		;
	if (!printable(s, (size_t)(e - s)) || memchr(s, '\0', (size_t)(e - s)))
		return sp_err_set(err, SP_E_DATA, 0,
		    "%s: line %zu: control character in rule", origin, lineno);
	if (r->allow && parse_digest(s, plen, digest)) {
		if (w2 != e)
			return sp_err_set(err, SP_E_DATA, 0, "%s: line %zu: "
			    "text after the digest", origin, lineno);
		return add_rule(r, NULL, 0, 0, digest) == SP_OK ? SP_OK :
		    sp_err_set(err, SP_E_NOMEM, 0, "%s", origin);
	}
	if (s[0] != '/')
		return sp_err_set(err, SP_E_DATA, 0, "%s: line %zu: '%.*s': "
		    "%s", origin, lineno, (int)(plen > 64 ? 64 : plen), s,
		    r->allow ? "not an absolute path, a glob or a SHA-256" :
		    "not an absolute path or glob");
	if (plen > PATTERN_MAX)
		return sp_err_set(err, SP_E_DATA, 0, "%s: line %zu: pattern "
		    "longer than %d bytes", origin, lineno, PATTERN_MAX);
	if (w2 != e) {
		const char *w3;

		if (r->allow)
			return sp_err_set(err, SP_E_DATA, 0, "%s: line %zu: "
			    "text after the pattern", origin, lineno);
		for (w3 = w2; w3 < e && *w3 != ' ' && *w3 != '\t'; w3++)
			;
		if (w3 != e)
			return sp_err_set(err, SP_E_DATA, 0, "%s: line %zu: "
			    "text after the classes", origin, lineno);
		if ((classes = parse_classes(w2, (size_t)(e - w2), bad,
		    sizeof(bad))) == 0)
			return sp_err_set(err, SP_E_DATA, 0, "%s: line %zu: "
			    "unknown class '%s' (content, size, permissions, "
			    "owner, type, link, times, xattrs, all)", origin,
			    lineno, bad);
	}
	return add_rule(r, s, plen, classes, NULL) == SP_OK ? SP_OK :
	    sp_err_set(err, SP_E_NOMEM, 0, "%s", origin);
}

static int
parse_into(struct sp_bl_rules *r, const char *buf, size_t len,
    const char *origin, struct sp_err *err)
{
	const char *p = buf, *end = buf + len, *s, *e, *nl;
	size_t lineno = 0;
	int rc;

	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		s = p;
		e = nl ? nl : end;
		p = nl ? nl + 1 : end;
		while (e > s && (e[-1] == '\r' || e[-1] == ' ' ||
		    e[-1] == '\t'))
			e--;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s == e || *s == '#')
			continue;
		if ((rc = parse_line(r, s, e, origin, lineno, err)) != SP_OK)
			return rc;
	}
	return SP_OK;
}

int
sp_bl_rules_parse(struct sp_bl_rules *r, const char *buf, size_t len,
    const char *origin, struct sp_err *err)
{
	return parse_into(r, buf, len, origin, err);
}

int
sp_bl_rules_load(struct sp_bl_rules *r, const char *path,
    struct sp_err *err)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	int rc;

	if ((f = fopen(path, "rb")) == NULL)
		return sp_err_set(err, SP_E_NOINPUT, errno, "'%s'", path);
	for (;;) {
		if (len + 65536 > cap) {
			char *nb;

			if (cap >= RULES_FILE_MAX) {
				free(buf);
				fclose(f);
				return sp_err_set(err, SP_E_DATA, 0, "'%s': "
				    "larger than %u MiB", path,
				    RULES_FILE_MAX >> 20);
			}
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return sp_err_set(err, SP_E_NOMEM, 0, "'%s'",
				    path);
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return sp_err_set(err, SP_E_IO, errno, "'%s'", path);
	}
	fclose(f);
	rc = sp_bl_rules_parse(r, buf ? buf : "", len, path, err);
	free(buf);
	return rc;
}

/*
 * What changes on any running system without anybody meaning it: logs,
 * caches, spools of mail and print jobs (not cron's), the kernel's and
 * the runtime's trees, the package lists, the loader's cache.
 */
static const char default_ignores[] =
    "/proc/**\n/sys/**\n/dev/**\n/run/**\n/var/run/**\n/var/lock/**\n"
    "/var/log/**\n/var/cache/**\n/var/tmp/systemd-private-*/**\n"
    "/var/spool/mail/**\n/var/spool/postfix/**\n/var/spool/exim4/**\n"
    "/var/spool/cups/**\n/var/spool/rsyslog/**\n/var/mail/**\n"
    "/var/lib/apt/lists/**\n/var/lib/dhcp/**\n/var/lib/logrotate/**\n"
    "/var/lib/systemd/timers/**\n/var/lib/systemd/random-seed\n"
    "/var/backups/**\n/root/.cache/**\n/home/*/.cache/**\n"
    "/root/.bash_history times,content,size\n"
    "/home/*/.bash_history times,content,size\n"
    "/etc/ld.so.cache content,size,times\n/etc/adjtime content,times\n";

int
sp_bl_rules_add_defaults(struct sp_bl_rules *r, struct sp_err *err)
{
	return parse_into(r, default_ignores, sizeof(default_ignores) - 1,
	    "built-in ignores", err);
}

unsigned
sp_bl_rules_ignored(const struct sp_bl_rules *r, const char *path)
{
	unsigned mask = 0;
	size_t i;

	if (r == NULL)
		return 0;
	for (i = 0; i < r->n && mask != SP_BL_ALL; i++) {
		const struct rule *x = &r->rules[i];

		if (x->pattern == NULL || (x->classes & ~mask) == 0)
			continue;
		if (strncmp(path, x->pattern, x->prefix) != 0 &&
		    !(x->prefix >= 3 && x->pattern[x->prefix] == '*' &&
		    strncmp(path, x->pattern, x->prefix - 1) == 0))
			continue;
		if (sp_bl_glob_match(x->pattern, path))
			mask |= x->classes;
	}
	return mask;
}

int
sp_bl_rules_allows(const struct sp_bl_rules *r, const char *path,
    const char *sha256)
{
	size_t i;

	if (r == NULL)
		return 0;
	for (i = 0; i < r->n; i++) {
		const struct rule *x = &r->rules[i];

		if (x->pattern == NULL) {
			if (sha256 != NULL && strcmp(sha256, x->sha256) == 0)
				return 1;
		} else if (strncmp(path, x->pattern, x->prefix) == 0 &&
		    sp_bl_glob_match(x->pattern, path))
			return 1;
	}
	return 0;
}
