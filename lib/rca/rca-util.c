/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The helpers of lib/rca/: a string map, the roles of programs, and the
 * typed fields of an event read from its JSON.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rca/rca-internal.h"

/* A hash of n bytes, eight at a time. */
static uint64_t
hash_of(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h ^= w * 0xff51afd7ed558ccdULL;
		h = (h << 31 | h >> 33) * 0xc4ceb9fe1a85ec53ULL;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);
		h ^= w * 0xff51afd7ed558ccdULL;
		h = (h << 31 | h >> 33) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 29;
	return h | 1;
}

int
rmap_get(const struct rmap *m, const char *key, size_t klen, int64_t *val)
{
	uint64_t h;
	size_t i;

	if (m->cap == 0)
		return 0;
	h = hash_of(key, klen);
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		const struct rmap_slot *s = &m->slots[i];
		if (s->key == NULL)
			return 0;
		if (s->hash == h && s->klen == klen &&
		    memcmp(s->key, key, klen) == 0) {
			*val = s->val;
			return 1;
		}
	}
}

static int
grow(struct rmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 1024, i, j;
	struct rmap_slot *ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL)
		return -1;
	for (i = 0; i < m->cap; i++) {
		if (m->slots[i].key == NULL)
			continue;
		for (j = m->slots[i].hash & (ncap - 1); ns[j].key != NULL;
		    j = (j + 1) & (ncap - 1))
			;
		ns[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

int
rmap_put(struct rmap *m, const char *key, size_t klen, int64_t val)
{
	uint64_t h;
	size_t i;

	if ((m->n + 1) * 4 >= m->cap * 3 && grow(m) != 0)
		return -1;
	h = hash_of(key, klen);
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct rmap_slot *s = &m->slots[i];
		if (s->key == NULL) {
			if ((s->key = malloc(klen + 1)) == NULL)
				return -1;
			memcpy(s->key, key, klen);
			s->key[klen] = '\0';
			s->klen = klen;
			s->hash = h;
			s->val = val;
			m->n++;
			return 0;
		}
		if (s->hash == h && s->klen == klen &&
		    memcmp(s->key, key, klen) == 0) {
			s->val = val;
			return 0;
		}
	}
}

const char *
rmap_intern(struct rmap *m, const char *key, size_t klen)
{
	uint64_t h;
	size_t i;

	if ((m->n + 1) * 4 >= m->cap * 3 && grow(m) != 0)
		return NULL;
	h = hash_of(key, klen);
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct rmap_slot *s = &m->slots[i];
		if (s->key == NULL) {
			if ((s->key = malloc(klen + 1)) == NULL)
				return NULL;
			memcpy(s->key, key, klen);
			s->key[klen] = '\0';
			s->klen = klen;
			s->hash = h;
			s->val = 0;
			m->n++;
			return s->key;
		}
		if (s->hash == h && s->klen == klen &&
		    memcmp(s->key, key, klen) == 0)
			return s->key;
	}
}

void
rmap_free(struct rmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

char *
rca_fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* ---- roles ---- */

const char *
rca_base(const char *path)
{
	const char *s;

	if (path == NULL)
		return "";
	s = strrchr(path, '/');
	return s != NULL ? s + 1 : path;
}

static int
in_list(const char *exe, const char *const *list)
{
	const char *b = rca_base(exe);
	size_t i, n;

	for (i = 0; list[i] != NULL; i++) {
		n = strlen(list[i]);
		/* "php-fpm*" matches php-fpm8.2 */
		if (list[i][n - 1] == '*') {
			if (strncmp(b, list[i], n - 1) == 0)
				return 1;
		} else if (strcmp(b, list[i]) == 0) {
			return 1;
		}
	}
	return 0;
}

int
rca_is_package_manager(const char *exe)
{
	static const char *const l[] = { "dpkg", "apt", "apt-get",
	    "aptitude", "unattended-upgr*", "rpm", "yum", "dnf", "zypper",
	    "pacman", "apk", "snapd", "packagekitd", "dpkg-deb", NULL };
	return in_list(exe, l);
}

int
rca_is_web_server(const char *exe)
{
	static const char *const l[] = { "apache2", "httpd", "nginx",
	    "php-fpm*", "php-cgi*", "php*", "lighttpd", "caddy", "uwsgi",
	    "gunicorn", "tomcat*", "unicorn", "puma", "node", "java",
	    "hhvm", NULL };
	return in_list(exe, l);
}

int
rca_is_priv_changer(const char *exe)
{
	static const char *const l[] = { "sudo", "su", "doas", "pkexec",
	    "runuser", "sudoedit", NULL };
	return in_list(exe, l);
}

int
rca_is_shell(const char *exe)
{
	static const char *const l[] = { "sh", "bash", "dash", "zsh", "ksh",
	    "mksh", "busybox", "ash", "fish", "tcsh", "csh", "-bash",
	    "-sh", "-zsh", NULL };
	return in_list(exe, l);
}

int
rca_is_noise_path(const char *p)
{
	static const char *const l[] = { "/var/log/", "/var/lib/",
	    "/var/cache/", "/run/", "/proc/", "/sys/", "/var/run/",
	    "/var/spool/postfix/", "/var/backups/", NULL };
	size_t i;

	if (p == NULL)
		return 1;
	for (i = 0; l[i] != NULL; i++)
		if (strncmp(p, l[i], strlen(l[i])) == 0)
			return 1;
	return 0;
}

int
rca_is_script_request(const char *path)
{
	static const char *const ext[] = { ".php", ".phtml", ".php5",
	    ".jsp", ".jspx", ".asp", ".aspx", ".cgi", ".pl", ".py", ".sh",
	    ".cfm", NULL };
	size_t n, i, e;
	const char *q;

	if (path == NULL)
		return 0;
	if ((q = strchr(path, '?')) != NULL)
		return 1;
	n = strlen(path);
	for (i = 0; ext[i] != NULL; i++) {
		e = strlen(ext[i]);
		if (n >= e && strcmp(path + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

/* ---- fields ---- */

struct field_spec {
	const char *name;
	size_t off;
	int is_int;
};

#define S(n, m) { n, offsetof(struct rca_fields, m), 0 }
#define I(n, m) { n, offsetof(struct rca_fields, m), 1 }
static const struct field_spec specs[] = {
	I("uid", uid), I("euid", euid), I("by_uid", by_uid), I("exit", exit),
	I("port", port), I("source_port", source_port), I("status", status),
	I("new_ses", new_ses),
	S("syscall_name", syscall), S("old_path", old_path),
	S("address", address), S("addr", addr), S("hostname", hostname),
	S("acct", acct), S("terminal", terminal), S("cmd", cmd),
	S("method", method), S("source_ip", source_ip),
	S("key_fingerprint", fingerprint), S("client", client),
	S("path", req_path), S("user_agent", user_agent), S("kind", kind),
	S("command", command), S("line", line), S("unit", unit),
	S("exec_start", exec_start), S("library", library),
	S("target_user", target_user), S("type", type),
	S("time_source", time_source), S("comm", comm), S("cwd", cwd),
	S("tty", tty), S("program", program), S("service", service),
	S("key_type", key_type), S("schedule", schedule), S("user", user),
	S("fingerprint_sha256", fingerprint),
};
#undef S
#undef I

static size_t spec_len[sizeof(specs) / sizeof(specs[0])];

/* A string value decoded into the arena: as is when it has no escape. */
static char *
arena_string(struct rca_fields *f, const struct sp_json_val *v)
{
	char *d, *out;
	size_t n;

	if (v->len < 2 || f->used + v->len > f->cap)
		return NULL;
	n = v->len - 2;
	if (memchr(v->p + 1, '\\', n) == NULL) {
		out = f->arena + f->used;
		memcpy(out, v->p + 1, n);
		out[n] = '\0';
		f->used += n + 1;
		return out;
	}
	if ((d = sp_json_string(v)) == NULL)
		return NULL;
	n = strlen(d);
	out = f->arena + f->used;
	memcpy(out, d, n + 1);	/* decoded is never longer than quoted */
	f->used += n + 1;
	free(d);
	return out;
}

static int
member(const char *key, size_t klen, const struct sp_json_val *v, void *arg)
{
	struct rca_fields *f = arg;
	size_t i;

	if (klen == 0)
		return 0;
	if (spec_len[0] == 0)
		for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
			spec_len[i] = strlen(specs[i].name);
	if (klen == 4 && memcmp(key, "argv", 4) == 0) {
		if (v->type == SP_JSON_ARRAY && f->argv == NULL &&
		    f->used + v->len + 1 <= f->cap) {
			f->argv = f->arena + f->used;
			memcpy(f->argv, v->p, v->len);
			f->argv[v->len] = '\0';
			f->used += v->len + 1;
		}
		return 0;
	}
	if (klen == 7 && memcmp(key, "success", 7) == 0) {
		if (v->type == SP_JSON_STRING)
			f->success = v->len >= 4 && v->p[1] == 'y';
		else if (v->type == SP_JSON_TRUE)
			f->success = 1;
		else if (v->type == SP_JSON_FALSE)
			f->success = 0;
		return 0;
	}
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		if (specs[i].name[0] != key[0] || spec_len[i] != klen ||
		    memcmp(specs[i].name, key, klen) != 0)
			continue;
		if (specs[i].is_int) {
			(void)sp_json_integer(v, (int64_t *)(void *)
			    ((char *)f + specs[i].off));
		} else {
			char **slot = (char **)(void *)((char *)f +
			    specs[i].off);
			if (*slot == NULL && v->type == SP_JSON_STRING)
				*slot = arena_string(f, v);
		}
		return 0;
	}
	return 0;
}

void
rca_fields_read(struct rca_fields *f, const char *extra, char **arena,
    size_t *cap)
{
	size_t len = extra != NULL ? strlen(extra) : 0;

	memset(f, 0, sizeof(*f));
	f->uid = f->euid = f->by_uid = f->port = f->source_port = -1;
	f->status = f->new_ses = -1;
	f->exit = 0;
	f->success = -1;
	if (extra == NULL)
		return;
	/* every value decodes to at most its length, plus a NUL each */
	if (*cap < 2 * len + 64) {
		size_t nc = 2 * len + 4096;
		char *na = realloc(*arena, nc);
		if (na == NULL)
			return;
		*arena = na;
		*cap = nc;
	}
	f->arena = *arena;
	f->cap = *cap;
	(void)sp_json_members(extra, len, member, f);
}
