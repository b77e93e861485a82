/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Persistence entries: crontabs, systemd units, /etc/ld.so.preload and SSH
 * authorized_keys.  None of them holds a time of its own, so each entry is
 * an event at the file's modification time (extra time_source "mtime"):
 * the last time the entry can have been put there.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "spoor/evidence.h"
#include "artifact/ssh.h"
#include "artifact/parsers.h"

/* No crontab, unit or key line is anywhere near this long. */
#define LINE_MAX_BYTES	(1 << 20)
/* Values kept from a unit file (ExecStart= can be long, never this long). */
#define UNIT_VALUE_MAX	(64 << 10)

/* s without its leading and trailing blanks (trailing ones cut in place). */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/*
 * Every entry needs the file's modification time; without one (a pipe,
 * stdin) there is nothing to place the entries at.
 */
static int
have_mtime(struct sp_artifact_ctx *ctx)
{
	if (ctx->origin_mtime != SP_TIME_NONE)
		return 1;
	sp_artifact_problem(ctx, 0, "no modification time to date the "
	    "entries by");
	return 0;
}

static const char *
base_name(const char *path)
{
	const char *s;

	if (path == NULL)
		return NULL;
	s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The account whose home holds path ("/home/x/..." or "/root/..."). */
static char *
home_user(const char *path)
{
	const char *p, *e;

	if (path == NULL)
		return NULL;
	if ((p = strstr(path, "/home/")) != NULL) {
		p += 6;
		if ((e = strchr(p, '/')) != NULL && e > p)
			return strndup(p, (size_t)(e - p));
		return NULL;
	}
	if (strncmp(path, "/root/", 6) == 0 || strstr(path, "/root/.") != NULL)
		return strdup("root");
	return NULL;
}

/* ---- crontabs ---- */

static const char *const cron_specials[] = {
	"@reboot", "@yearly", "@annually", "@monthly", "@weekly", "@daily",
	"@midnight", "@hourly", NULL
};

/* Whether path is a system crontab (with a user field). */
static int
cron_system(const char *path)
{
	size_t n;

	if (path == NULL)
		return 0;
	n = strlen(path);
	return (n >= 12 && strcmp(path + n - 12, "/etc/crontab") == 0) ||
	    strcmp(path, "crontab") == 0 || strstr(path, "/cron.d/") != NULL;
}

/* The user of a spool crontab: its name. */
static char *
cron_spool_user(const char *path)
{
	if (path == NULL || strstr(path, "/spool/cron/") == NULL)
		return NULL;
	return strdup(base_name(path));
}

static int
cron_field_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("*,-/", s[i]) ==
		    NULL)
			return 0;
	return n > 0;
}

/* Turn each run of blanks in s into one space, in place. */
static void
squeeze_blanks(char *s)
{
	char *d = s;
	int blank = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t') {
			blank = 1;
			continue;
		}
		if (blank)
			*d++ = ' ';
		blank = 0;
		*d++ = *s;
	}
	*d = '\0';
}

/* Next blank-separated word of *s: its start and length; advances *s. */
static size_t
next_word(char **s, char **start)
{
	char *p = *s;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	*start = p;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	n = (size_t)(p - *start);
	*s = p;
	return n;
}

static int
cron_line(struct sp_artifact_ctx *ctx, struct sp_extra *x, struct sp_line *l,
    int system, const char *owner)
{
	struct sp_event e;
	char *raw, *s, *start, *w, *sched_end, *user, *cmd, *exe = NULL;
	char *schedule = NULL, *runas = NULL, *msg;
	size_t n, i;
	int rc;

	s = trim(l->p);
	if (*s == '\0' || *s == '#')
		return 0;
	if ((raw = strdup(s)) == NULL)
		return SP_E_NOMEM;
	start = s;
	if (*s == '@') {
		n = next_word(&s, &w);
		for (i = 0; cron_specials[i] != NULL; i++)
			if (strlen(cron_specials[i]) == n &&
			    strncmp(w, cron_specials[i], n) == 0)
				break;
		if (cron_specials[i] == NULL) {
			sp_artifact_problem(ctx, l->number, "unknown schedule "
			    "'%.*s'", (int)(n > 32 ? 32 : n), w);
			goto done;
		}
		sched_end = s;
	} else if (isdigit((unsigned char)*s) || *s == '*') {
		for (i = 0; i < 5; i++) {
			n = next_word(&s, &w);
			if (!cron_field_ok(w, n))
				break;
		}
		if (i < 5) {
			sp_artifact_problem(ctx, l->number,
			    "not a crontab line");
			goto done;
		}
		sched_end = s;
	} else {
		/* NAME=value sets the environment of the jobs */
		if ((cmd = strchr(s, '=')) != NULL && cmd > s)
			goto done;
		sp_artifact_problem(ctx, l->number, "not a crontab line");
		goto done;
	}
	if ((schedule = strndup(start, (size_t)(sched_end - start))) == NULL) {
		free(raw);
		return SP_E_NOMEM;
	}
	squeeze_blanks(schedule);
	if (system) {
		n = next_word(&s, &w);
		if (n == 0) {
			sp_artifact_problem(ctx, l->number,
			    "crontab line without user");
			goto done;
		}
		if (*s != '\0')
			*s++ = '\0';
		runas = w;
	}
	cmd = trim(s);
	if (*cmd == '\0') {
		sp_artifact_problem(ctx, l->number,
		    "crontab line without command");
		goto done;
	}
	user = (char *)(runas ? runas : owner);
	if (*cmd == '/') {
		n = strcspn(cmd, " \t;|&<>");
		exe = strndup(cmd, n);
	}
	sp_event_init(&e);
	e.time = ctx->origin_mtime;
	e.time_desc = "persistence";
	e.artifact = "persistence";
	e.user = user;
	e.exe = exe;
	e.path = ctx->origin;
	e.line = l->number;
	sp_extra_begin(x);
	sp_extra_str(x, "kind", "cron");
	sp_extra_str(x, "schedule", schedule);
	sp_extra_str(x, "command", cmd);
	sp_extra_str(x, "line", raw);
	sp_extra_str(x, "time_source", "mtime");
	e.extra = sp_extra_text(x);
	if (asprintf(&msg, "cron job%s%s: %s %s", user ? " of " : "",
	    user ? user : "", schedule, cmd) < 0) {
		rc = SP_E_NOMEM;
	} else {
		e.message = msg;
		rc = sp_artifact_emit(ctx, &e);
		free(msg);
	}
	free(exe);
	free(schedule);
	free(raw);
	return rc;
done:
	free(schedule);
	free(raw);
	return 0;
}

struct cron_state {
	struct sp_extra x;
	int system;
	char *owner;
};

static int
cron_fn(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	struct cron_state *st = arg;

	return cron_line(ctx, &st->x, l, st->system, st->owner);
}

int
sp_parse_crontab(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	struct cron_state st;
	int rc;

	if (!have_mtime(ctx))
		return SP_OK;
	memset(&st, 0, sizeof(st));
	st.system = cron_system(ctx->origin);
	if (!st.system)
		st.owner = cron_spool_user(ctx->origin);
	rc = sp_artifact_lines(ctx, in, LINE_MAX_BYTES, 0, cron_fn, &st, err);
	if (rc == SP_E_NOMEM)
		sp_err_set(err, rc, 0, "crontab line");
	sp_extra_release(&st.x);
	free(st.owner);
	return rc;
}

/* ---- systemd units ---- */

/* Command lines a unit runs besides its first ExecStart=. */
#define UNIT_EXEC_MAX	32

struct unit {
	char *description, *exec_start, *user, *wanted_by, *type;
	char *activates;	/* Unit= of a timer or path unit */
	char *exec_more[UNIT_EXEC_MAX];	/* "ExecStartPre=..." and the like */
	size_t nexec_more;
	int sections;
};

/* The [Service] keys whose value is a command line systemd runs. */
static int
unit_exec_key(const char *key)
{
	static const char *const keys[] = {
		"ExecStart", "ExecStartPre", "ExecStartPost", "ExecCondition",
		"ExecReload", "ExecStop", "ExecStopPost", NULL
	};
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	return 0;
}

/* Keep "key=value" among the unit's other command lines. */
static int
unit_exec_add(struct unit *u, const char *key, const char *v)
{
	if (*v == '\0' || strlen(v) > UNIT_VALUE_MAX ||
	    u->nexec_more >= UNIT_EXEC_MAX)
		return 0;
	if (asprintf(&u->exec_more[u->nexec_more], "%s=%s", key, v) < 0) {
		u->exec_more[u->nexec_more] = NULL;
		return SP_E_NOMEM;
	}
	u->nexec_more++;
	return 0;
}

/* Keep the first value for key (WantedBy= values add up, blank-separated). */
static int
unit_set(char **slot, const char *v, int append)
{
	char *n;

	if (strlen(v) > UNIT_VALUE_MAX)
		return 0;
	if (*slot != NULL && !append)
		return 0;
	if (*slot != NULL) {
		if (*v == '\0' || strlen(*slot) > UNIT_VALUE_MAX)
			return 0;
		if (asprintf(&n, "%s %s", *slot, v) < 0)
			return SP_E_NOMEM;
		free(*slot);
		*slot = n;
		return 0;
	}
	if (*v == '\0')
		return 0;
	return (*slot = strdup(v)) == NULL ? SP_E_NOMEM : 0;
}

/* The program of an ExecStart= value, past its "-@:+!" prefixes. */
static char *
unit_exe(const char *v)
{
	while (*v != '\0' && strchr("-@:+!", *v) != NULL)
		v++;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v == '\0')
		return NULL;
	return strndup(v, strcspn(v, " \t"));
}

struct unit_state {
	struct unit u;
	char section[32];
	char *cont;		/* a value continued on the next line */
};

/* One line of a unit file into st. */
static int
unit_line(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	struct unit_state *st = arg;
	char *s, *eq, *key, *val;
	int rc = 0;

	s = trim(l->p);
	/* a trailing backslash continues the value on the next line */
	if (st->cont != NULL) {
		char *j;
		int more = *s != '\0' && s[strlen(s) - 1] == '\\';
		if (more)
			s[strlen(s) - 1] = '\0';
		s = trim(s);
		if (strlen(st->cont) + strlen(s) > UNIT_VALUE_MAX) {
			sp_artifact_problem(ctx, l->number,
			    "continued value too long");
			free(st->cont);
			st->cont = NULL;
			return 0;
		}
		if (asprintf(&j, "%s %s", st->cont, s) < 0)
			return SP_E_NOMEM;
		free(st->cont);
		st->cont = j;
		if (more)
			return 0;
		s = st->cont;
	} else if (*s == '\0' || *s == '#' || *s == ';') {
		return 0;
	} else if (*s == '[') {
		char *end = strchr(s, ']');
		if (end == NULL || end[1] != '\0' || end - s - 1 >=
		    (long)sizeof(st->section)) {
			sp_artifact_problem(ctx, l->number,
			    "bad section");
			st->section[0] = '\0';
			return 0;
		}
		snprintf(st->section, sizeof(st->section), "%.*s",
		    (int)(end - s - 1), s + 1);
		st->u.sections++;
		return 0;
	} else if (s[strlen(s) - 1] == '\\') {
		s[strlen(s) - 1] = '\0';
		if ((st->cont = strdup(trim(s))) == NULL)
			return SP_E_NOMEM;
		return 0;
	}
	if ((eq = strchr(s, '=')) == NULL || eq == s) {
		sp_artifact_problem(ctx, l->number,
		    "not a unit file line");
		free(st->cont);
		st->cont = NULL;
		return 0;
	}
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (strcmp(st->section, "Unit") == 0 &&
	    strcmp(key, "Description") == 0)
		rc = unit_set(&st->u.description, val, 0);
	else if (strcmp(st->section, "Service") == 0 &&
	    strcmp(key, "ExecStart") == 0 && st->u.exec_start == NULL)
		rc = unit_set(&st->u.exec_start, val, 0);
	else if (strcmp(st->section, "Service") == 0 && unit_exec_key(key))
		rc = unit_exec_add(&st->u, key, val);
	else if ((strcmp(st->section, "Timer") == 0 ||
	    strcmp(st->section, "Path") == 0) && strcmp(key, "Unit") == 0)
		rc = unit_set(&st->u.activates, val, 0);
	else if (strcmp(st->section, "Service") == 0 &&
	    strcmp(key, "User") == 0)
		rc = unit_set(&st->u.user, val, 0);
	else if (strcmp(st->section, "Service") == 0 &&
	    strcmp(key, "Type") == 0)
		rc = unit_set(&st->u.type, val, 0);
	else if (strcmp(st->section, "Install") == 0 &&
	    strcmp(key, "WantedBy") == 0)
		rc = unit_set(&st->u.wanted_by, val, 1);
	free(st->cont);
	st->cont = NULL;
	return rc;
}

int
sp_parse_systemd_unit(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	struct sp_event e;
	struct sp_extra x;
	struct unit_state st;
	struct unit *u = &st.u;
	char *exe = NULL, *msg = NULL, *home = NULL;
	const char *name = base_name(ctx->origin);
	size_t i;
	int rc;

	if (!have_mtime(ctx))
		return SP_OK;
	memset(&x, 0, sizeof(x));
	memset(&st, 0, sizeof(st));
	rc = sp_artifact_lines(ctx, in, LINE_MAX_BYTES, 0, unit_line, &st,
	    err);
	if (rc == SP_OK && u->sections > 0) {
		home = u->user == NULL ? home_user(ctx->origin) : NULL;
		exe = u->exec_start ? unit_exe(u->exec_start) : NULL;
		sp_event_init(&e);
		e.time = ctx->origin_mtime;
		e.time_desc = "persistence";
		e.artifact = "persistence";
		e.user = u->user ? u->user : home;
		e.exe = exe;
		e.path = ctx->origin;
		sp_extra_begin(&x);
		sp_extra_str(&x, "kind", "systemd");
		sp_extra_str(&x, "unit", name);
		sp_extra_str(&x, "exec_start", u->exec_start);
		sp_extra_str(&x, "user", u->user);
		sp_extra_str(&x, "wanted_by", u->wanted_by);
		sp_extra_str(&x, "description", u->description);
		sp_extra_str(&x, "type", u->type);
		sp_extra_str(&x, "activates", u->activates);
		if (u->nexec_more > 0) {
			sp_extra_array_begin(&x, "exec_more");
			for (i = 0; i < u->nexec_more; i++)
				sp_extra_array_str(&x, u->exec_more[i]);
			sp_extra_array_end(&x);
		}
		sp_extra_str(&x, "time_source", "mtime");
		e.extra = sp_extra_text(&x);
		if (asprintf(&msg, "systemd unit %s%s%s", name ? name : "-",
		    u->exec_start ? ": " : "", u->exec_start ? u->exec_start :
		    "") < 0) {
			rc = SP_E_NOMEM;
		} else {
			e.message = msg;
			rc = sp_artifact_emit(ctx, &e);
		}
	}
	if (rc == SP_E_NOMEM)
		sp_err_set(err, rc, 0, "unit file");
	free(msg);
	free(exe);
	free(home);
	free(st.cont);
	free(u->description);
	free(u->exec_start);
	free(u->user);
	free(u->wanted_by);
	free(u->type);
	free(u->activates);
	for (i = 0; i < u->nexec_more; i++)
		free(u->exec_more[i]);
	sp_extra_release(&x);
	return rc;
}

/* ---- /etc/ld.so.preload ---- */

static int
preload_line(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	struct sp_extra *x = arg;
	struct sp_event e;
	char *s, *msg;
	int rc;

	s = trim(l->p);
	if (*s == '\0')
		return 0;
	sp_event_init(&e);
	e.time = ctx->origin_mtime;
	e.time_desc = "persistence";
	e.artifact = "persistence";
	e.path = s;
	e.line = l->number;
	sp_extra_begin(x);
	sp_extra_str(x, "kind", "ld_preload");
	sp_extra_str(x, "library", s);
	sp_extra_str(x, "time_source", "mtime");
	e.extra = sp_extra_text(x);
	if (asprintf(&msg, "preloaded library %s", s) < 0)
		return SP_E_NOMEM;
	e.message = msg;
	rc = sp_artifact_emit(ctx, &e);
	free(msg);
	return rc;
}

int
sp_parse_ld_preload(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	if (!have_mtime(ctx))
		return SP_OK;
	return sp_artifact_lines_extra(ctx, in, LINE_MAX_BYTES, 0,
	    preload_line, "ld.so.preload", err);
}

/* ---- authorized_keys ---- */

static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode n base64 characters at s into out (at least n * 3 / 4 bytes);
 * '=' padding only at the end.  Returns the decoded length, or -1.
 */
long
sp_ssh_b64_decode(const char *s, size_t n, unsigned char *out)
{
	unsigned long acc = 0;
	size_t i, bits = 0, len = 0, pad = 0;
	int v;

	while (n > 0 && s[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	if ((n + pad) % 4 != 0 && pad > 0)
		return -1;
	for (i = 0; i < n; i++) {
		if ((v = b64_value((unsigned char)s[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[len++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	if (n % 4 == 1)
		return -1;
	return (long)len;
}

/* Whether word names an OpenSSH public key type. */
int
sp_ssh_key_type(const char *w, size_t n)
{
	static const char *const prefixes[] = {
		"ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-", NULL
	};
	size_t i, pl;

	for (i = 0; prefixes[i] != NULL; i++) {
		pl = strlen(prefixes[i]);
		if (n > pl && strncmp(w, prefixes[i], pl) == 0)
			return 1;
	}
	return 0;
}

/* Length of the options field at s: up to a blank outside quotes. */
size_t
sp_ssh_options_len(const char *s)
{
	size_t i;
	int quoted = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\\' && quoted && s[i + 1] != '\0')
			i++;
		else if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && (s[i] == ' ' || s[i] == '\t'))
			break;
	}
	return quoted ? 0 : i;
}

/* "SHA256:" and the unpadded base64 of the SHA-256 of blob, into fpr. */
int
sp_ssh_key_fingerprint(const unsigned char *blob, size_t len, char *fpr,
    size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	int n;

	if (EVP_Digest(blob, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		return -1;
	n = EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	b64[n] = '\0';
	snprintf(fpr, size, "SHA256:%s", b64);
	return 0;
}

static int
key_line(struct sp_artifact_ctx *ctx, struct sp_extra *x, struct sp_line *l,
    const char *user)
{
	struct sp_event e;
	char *s, *opts = NULL, *type, *blob, *comment, *msg;
	char fpr[128];
	unsigned char *raw;
	size_t n, tn, bn;
	uint32_t inner;
	long rawlen;
	int rc;

	s = trim(l->p);
	if (*s == '\0' || *s == '#')
		return 0;
	n = strcspn(s, " \t");
	if (!sp_ssh_key_type(s, n)) {
		if ((n = sp_ssh_options_len(s)) == 0) {
			sp_artifact_problem(ctx, l->number, "not an authorized "
			    "key: unbalanced quotes in options");
			return 0;
		}
		opts = s;
		s += n;
		if (*s != '\0')
			*s++ = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
	}
	type = s;
	tn = strcspn(s, " \t");
	if (!sp_ssh_key_type(type, tn)) {
		sp_artifact_problem(ctx, l->number, "not an authorized key");
		return 0;
	}
	s += tn;
	if (*s != '\0')
		*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	blob = s;
	bn = strcspn(s, " \t");
	s += bn;
	if (*s != '\0')
		*s++ = '\0';
	comment = trim(s);
	if (bn == 0) {
		sp_artifact_problem(ctx, l->number,
		    "authorized key without key");
		return 0;
	}
	if ((raw = malloc(bn * 3 / 4 + 3)) == NULL)
		return SP_E_NOMEM;
	/* the blob starts with its own type as an SSH string */
	rawlen = sp_ssh_b64_decode(blob, bn, raw);
	inner = rawlen >= 4 ? (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
	    (uint32_t)raw[2] << 8 | raw[3] : 0;
	if (rawlen < 4 || inner != tn || (size_t)rawlen - 4 < tn ||
	    memcmp(raw + 4, type, tn) != 0) {
		sp_artifact_problem(ctx, l->number, rawlen < 0 ?
		    "authorized key: bad base64" :
		    "authorized key: key data is not a %s key", type);
		free(raw);
		return 0;
	}
	if (sp_ssh_key_fingerprint(raw, (size_t)rawlen, fpr, sizeof(fpr)) != 0) {
		free(raw);
		sp_artifact_problem(ctx, l->number, "cannot hash the key");
		return 0;
	}
	free(raw);
	sp_event_init(&e);
	e.time = ctx->origin_mtime;
	e.time_desc = "key";
	e.artifact = "persistence";
	e.user = user;
	e.path = ctx->origin;
	e.line = l->number;
	sp_extra_begin(x);
	sp_extra_str(x, "kind", "authorized_keys");
	sp_extra_str(x, "key_type", type);
	sp_extra_str(x, "fingerprint_sha256", fpr);
	sp_extra_str(x, "comment", *comment ? comment : NULL);
	sp_extra_str(x, "options", opts);
	sp_extra_str(x, "time_source", "mtime");
	e.extra = sp_extra_text(x);
	if (asprintf(&msg, "authorized key %s %s%s%s%s%s", type, fpr,
	    *comment ? " " : "", comment, user ? " for " : "",
	    user ? user : "") < 0)
		return SP_E_NOMEM;
	e.message = msg;
	rc = sp_artifact_emit(ctx, &e);
	free(msg);
	return rc;
}

struct keys_state {
	struct sp_extra x;
	char *user;
};

static int
keys_fn(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	struct keys_state *st = arg;

	return key_line(ctx, &st->x, l, st->user);
}

int
sp_parse_authorized_keys(struct sp_artifact_ctx *ctx, FILE *in,
    struct sp_err *err)
{
	struct keys_state st;
	int rc;

	if (!have_mtime(ctx))
		return SP_OK;
	memset(&st, 0, sizeof(st));
	st.user = home_user(ctx->origin);
	rc = sp_artifact_lines(ctx, in, LINE_MAX_BYTES, 0, keys_fn, &st, err);
	if (rc == SP_E_NOMEM)
		sp_err_set(err, rc, 0, "authorized_keys line");
	sp_extra_release(&st.x);
	free(st.user);
	return rc;
}
