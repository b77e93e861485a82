/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The allowlist check: every file the system could run — ELF files
 * (programs and the shared libraries the loader maps, wherever they
 * are), "#!" scripts, files with an x bit, scripts under a web root that
 * the web server's interpreter runs, and what units, cron entries,
 * ld.so.preload and shell profiles name — is vouched for by dpkg's
 * digest, by the same path with the same SHA-256 in a baseline, or by
 * an allowlist; the rest is reported with why and with what names it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline/baseline-internal.h"
#include "base/util.h"

/* Where web servers run scripts from, and what they run. */
static const char *const web_roots[] = {
	"/var/www/**", "/srv/www/**", "/srv/http/**",
	"/usr/share/nginx/html/**", NULL
};
static const char *const web_exts[] = {
	".php", ".phtml", ".php3", ".php4", ".php5", ".php7", ".pht",
	".phar", ".cgi", ".pl", ".py", ".jsp", ".jspx", ".asp", ".aspx",
	".sh", NULL
};

/* A path named by configuration, and where. */
struct ref {
	char *path;
	char *from;
	int command;	/* the command itself, not an argument */
	int missing;	/* it resolves to no file */
};

struct refs {
	struct ref *v;
	size_t n, cap;
};

static int
ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	/* a command's reference before an argument's */
	return c ? c : y->command - x->command;
}

static int
ref_add(struct refs *r, const char *path, size_t plen, const char *kind,
    const char *key, int command)
{
	struct ref *x;

	if (sp_array_grow((void **)&r->v, &r->cap, r->n + 1, sizeof(*r->v))
	    != SP_OK)
		return SP_E_NOMEM;
	x = &r->v[r->n];
	x->path = strndup(path, plen);
	x->from = malloc(strlen(kind) + strlen(key) + 2);
	if (x->path == NULL || x->from == NULL) {
		free(x->path);
		free(x->from);
		return SP_E_NOMEM;
	}
	sprintf(x->from, "%s %s", kind, key);
	x->command = command;
	x->missing = 0;
	r->n++;
	return SP_OK;
}

static void
refs_free(struct refs *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].path);
		free(r->v[i].from);
	}
	free(r->v);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/*
 * The absolute paths among the words of [s, e); the first word of the
 * command (from word skip on) is the command.  Quotes and shell syntax
 * around a word are stripped: a reference is a hint, not a parse.
 */
static int
ref_words(struct refs *r, const char *s, const char *e, unsigned skip,
    const char *kind, const char *key)
{
	unsigned w = 0;
	const char *ws;
	int rc;

	while (s < e) {
		while (s < e && is_space(*s))
			s++;
		if (s == e)
			break;
		for (ws = s; s < e && !is_space(*s); s++)
			;
		if (w++ < skip)
			continue;
		while (ws < s && strchr("\"'`;&|(<>-@+!:", *ws) != NULL)
			ws++;
		if (ws < s && *ws == '/') {
			const char *we = ws;

			while (we < s && strchr("\"'`;&|)<>", *we) == NULL)
				we++;
			if ((rc = ref_add(r, ws, (size_t)(we - ws), kind, key,
			    w == skip + 1)) != SP_OK)
				return rc;
		}
	}
	return SP_OK;
}

/* A cron line's command starts after its times (and a system crontab's
 * user). */
static unsigned
cron_skip(const char *key, const char *line)
{
	int system = strncmp(key, "/etc/crontab:", 13) == 0 ||
	    strncmp(key, "/etc/cron.d/", 12) == 0;
	const char *eq = strchr(line, '='), *sp = strpbrk(line, " \t");

	/* "NAME=value" sets the environment */
	if (eq != NULL && (sp == NULL || eq < sp))
		return 1000;
	return (line[0] == '@' ? 1u : 5u) + (unsigned)system;
}

static int
refs_of_item(struct refs *r, const struct sp_bl_item *it)
{
	const char *line, *p, *nl, *eq;
	int rc = SP_OK;

	switch (it->kind) {
	case SP_BL_UNIT:
	case SP_BL_TIMER:
		for (p = it->value; *p && rc == SP_OK; p = nl ? nl + 1 : "") {
			nl = strchr(p, '\n');
			eq = memchr(p, '=', nl ? (size_t)(nl - p) : strlen(p));
			if (strncmp(p, "Exec", 4) == 0 && eq != NULL)
				rc = ref_words(r, eq + 1, nl ? nl :
				    p + strlen(p), 0, "unit", it->key);
		}
		return rc;
	case SP_BL_CRON:
	case SP_BL_PROFILE:
	case SP_BL_PRELOAD:
		if ((line = strstr(it->key, ": ")) == NULL)
			return SP_OK;
		line += 2;
		return ref_words(r, line, line + strlen(line),
		    it->kind == SP_BL_CRON ? cron_skip(it->key, line) : 0,
		    sp_bl_item_kind_name(it->kind), it->key);
	default:
		return SP_OK;
	}
}

static const struct ref *
ref_find(const struct refs *r, const char *path)
{
	size_t lo = 0, hi = r->n, mid;
	int c;

	/* the first of equal paths: a command's, sorted first */
	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(r->v[mid].path, path);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && strcmp(r->v[lo].path, path) == 0 ? &r->v[lo] :
	    NULL;
}

/*
 * Collapse "//", "/./" and "/../" of the absolute path p in place (".."
 * of the root is the root).
 */
static void
normalize(char *p)
{
	char *r = p, *w = p;

	while (*r != '\0') {
		while (*r == '/')
			r++;
		if (*r == '\0')
			break;
		if (r[0] == '.' && (r[1] == '/' || r[1] == '\0')) {
			r++;
			continue;
		}
		if (r[0] == '.' && r[1] == '.' && (r[2] == '/' || r[2] == '\0')) {
			r += 2;
			while (w > p && *--w != '/')
				;
			continue;
		}
		*w++ = '/';
		while (*r != '\0' && *r != '/')
			*w++ = *r++;
	}
	if (w == p)
		*w++ = '/';
	*w = '\0';
}

#define LINK_HOPS	40

/*
 * The file path names on snap's root file system, its symbolic links
 * followed as the loader or init would follow them (merged /usr: /bin is
 * usr/bin): the entry, with its path in *canon (malloc'd), or NULL when
 * a name is missing or the links loop.
 */
static const struct sp_bl_file *
resolve(const struct sp_baseline *snap, const char *path, char **canon)
{
	const struct sp_bl_file *f = NULL;
	char *cur, *next, *slash;
	size_t at;
	int hops = 0;

	*canon = NULL;
	if (path[0] != '/' || (cur = strdup(path)) == NULL)
		return NULL;
	normalize(cur);
	at = 1;
	for (;;) {
		char save;

		slash = strchr(cur + at, '/');
		save = slash ? *slash : '\0';
		if (slash)
			*slash = '\0';
		f = sp_baseline_find(snap, 0, cur);
		if (f == NULL || (f->type != SP_TYPE_LNK && slash == NULL)) {
			if (slash)
				*slash = save;
			break;
		}
		if (f->type == SP_TYPE_LNK) {
			const char *rest = slash ? slash + 1 : "";
			size_t dl;
			if (f->link == NULL || f->link[0] == '\0' ||
			    ++hops > LINK_HOPS) {
				f = NULL;
				break;
			}
			/* the link's directory: cur up to its last '/' */
			dl = (size_t)(strrchr(cur, '/') - cur);
			if (asprintf(&next, "%.*s/%s/%s", f->link[0] == '/' ?
			    0 : (int)dl, cur, f->link, rest) < 0) {
				f = NULL;
				break;
			}
			free(cur);
			cur = next;
			normalize(cur);
			at = 1;
			f = NULL;
			continue;
		}
		*slash = save;
		at = (size_t)(slash - cur) + 1;
	}
	if (f == NULL) {
		free(cur);
		return NULL;
	}
	*canon = cur;
	return f;
}

static int
web_script(const char *path)
{
	const char *dot = strrchr(path, '.');
	int i;

	if (dot == NULL || strchr(dot, '/') != NULL)
		return 0;
	for (i = 0; web_roots[i]; i++)
		if (sp_bl_glob_match(web_roots[i], path))
			break;
	if (web_roots[i] == NULL)
		return 0;
	for (i = 0; web_exts[i]; i++)
		if (strcasecmp(dot, web_exts[i]) == 0)
			return 1;
	return 0;
}

/* What kind of executable f is, or NULL when it is none. */
static const char *
what_of(const struct sp_bl_file *f, const struct ref *ref)
{
	if (f->type != SP_TYPE_REG)
		return NULL;
	/* dpkg's own maintainer scripts are its database, not the system */
	if (strncmp(f->path, "/var/lib/dpkg/info/", 19) == 0)
		return NULL;
	if (f->exec & SP_BL_EXEC_ELF)
		return "elf";
	if (f->exec & SP_BL_EXEC_SCRIPT)
		return web_script(f->path) ? "web-script" : "script";
	if (web_script(f->path))
		return "web-script";
	if (f->exec & SP_BL_EXEC_MODE)
		return "executable";
	if (ref != NULL && ref->command)
		return "referenced";
	return NULL;
}

struct verdict {
	char why[256];
	int vouched;
};

static void
why_add(struct verdict *v, const char *s)
{
	size_t n = strlen(v->why);

	snprintf(v->why + n, sizeof(v->why) - n, "%s%s", n ? ", " : "", s);
}

static void
judge(const struct sp_baseline *snap, const struct sp_baseline *base,
    const struct sp_bl_rules *allow, const struct sp_bl_file *f,
    struct verdict *v, struct sp_bl_allow_counts *k)
{
	const struct sp_bl_file *bf;
	const char *pkg = NULL;
	enum sp_pkgsums_verdict pv = SP_PKGSUMS_UNKNOWN;
	char buf[160];

	v->why[0] = '\0';
	v->vouched = 1;
	if (allow != NULL && sp_bl_rules_allows(allow, f->path, f->sha256)) {
		k->allowlisted++;
		return;
	}
	if (snap->pkgsums != NULL && f->fs == 0) {
		if (f->md5 != NULL)
			pv = sp_pkgsums_verify(snap->pkgsums, f->path, f->md5,
			    &pkg);
		else if (sp_pkgsums_lookup(snap->pkgsums, f->path, &pkg))
			pv = SP_PKGSUMS_MODIFIED;
	}
	if (pv == SP_PKGSUMS_VERIFIED) {
		k->packaged++;
		return;
	}
	if (base != NULL && (bf = sp_baseline_find(base, f->fs, f->path)) &&
	    bf->sha256 && f->sha256 && strcmp(bf->sha256, f->sha256) == 0) {
		k->baseline++;
		return;
	}
	v->vouched = 0;
	if (pv == SP_PKGSUMS_UNKNOWN)
		why_add(v, "not in any package");
	else {
		snprintf(buf, sizeof(buf), "digest differs from the package's "
		    "(%.100s)", pkg ? pkg : "?");
		why_add(v, buf);
	}
	if (base != NULL)
		why_add(v, sp_baseline_find(base, f->fs, f->path) ?
		    "digest differs from the baseline" : "not in the baseline");
	if (allow != NULL)
		why_add(v, "not allowlisted");
}

int
sp_baseline_allowlist(const struct sp_baseline *snap,
    const struct sp_baseline *base, const struct sp_bl_rules *allow,
    sp_bl_unvouched_fn *fn, void *arg, struct sp_bl_allow_counts *counts,
    struct sp_err *err)
{
	struct sp_bl_allow_counts k;
	struct refs refs = { NULL, 0, 0 };
	struct sp_bl_unvouched u;
	struct verdict v;
	const struct ref *ref;
	size_t i;
	int rc = SP_OK, r, one_fs;

	memset(&k, 0, sizeof(k));
	for (i = 0; i < snap->nitems && rc == SP_OK; i++)
		rc = refs_of_item(&refs, &snap->items[i]);
	if (rc != SP_OK) {
		refs_free(&refs);
		return sp_err_set(err, SP_E_NOMEM, 0, "allowlist");
	}
	/*
	 * Each reference by the path it resolves to; a command that resolves
	 * to nothing is missing: persistence whose program was deleted, or
	 * is on a file system of its own (then not said: which file system
	 * is mounted where is not known).
	 */
	for (i = 0; i < snap->nfiles; i++)
		if (snap->files[i].fs != 0)
			break;
	one_fs = i == snap->nfiles;
	for (i = 0; i < refs.n; i++) {
		char *canon;
		if (resolve(snap, refs.v[i].path, &canon) != NULL) {
			free(refs.v[i].path);
			refs.v[i].path = canon;
		} else
			refs.v[i].missing = 1;
	}
	if (refs.n > 1)
		qsort(refs.v, refs.n, sizeof(*refs.v), ref_cmp);
	for (i = 0; i < snap->nfiles; i++) {
		const struct sp_bl_file *f = &snap->files[i];

		ref = f->fs == 0 ? ref_find(&refs, f->path) : NULL;
		memset(&u, 0, sizeof(u));
		if ((u.what = what_of(f, ref)) == NULL)
			continue;
		k.executables++;
		judge(snap, base, allow, f, &v, &k);
		if (v.vouched)
			continue;
		k.unvouched++;
		u.file = f;
		u.path = f->path;
		u.why = v.why;
		u.from = ref ? ref->from : NULL;
		r = fn(&u, arg);
		if (r == SP_CB_STOP)
			goto out;
		if ((rc = sp_err_callback(err, r, "allowlist")) != SP_OK)
			goto out;
	}
	for (i = 0; i < refs.n && one_fs; i++) {
		const struct ref *x = &refs.v[i];

		/* once per path: its first reference, a command's */
		if (!x->missing || !x->command ||
		    (i > 0 && strcmp(refs.v[i - 1].path, x->path) == 0))
			continue;
		k.missing++;
		memset(&u, 0, sizeof(u));
		u.path = x->path;
		u.what = "missing";
		u.why = "named as a command, not on the file system";
		u.from = x->from;
		r = fn(&u, arg);
		if (r == SP_CB_STOP)
			break;
		if ((rc = sp_err_callback(err, r, "allowlist")) != SP_OK)
			break;
	}
out:
	refs_free(&refs);
	if (counts != NULL)
		*counts = k;
	return rc;
}
