/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Package changes: dpkg.log lines ("2009-02-25 11:45:23 install x:amd64
 * <none> 1.2") and apt's history.log transactions (Start-Date, Commandline,
 * Requested-By, Install/Upgrade/Remove..., End-Date blocks).  Both write
 * local time without a zone; it is converted with the host's zone when
 * the context has one (extra zone and local_time), else read as UTC and
 * the events say so (extra zone "UTC assumed").
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "artifact/parsers.h"

/* Longer lines are absurd even for a history.log Install: list. */
#define LINE_MAX_BYTES	(4 << 20)
/* Action lines (Install:, Upgrade: ...) kept per apt transaction. */
#define APT_MAX_ACTIONS	16

/* n decimal digits at *s into *v; advances *s. */
static int
digits(const char **s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -1;
		*v = *v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return 0;
}

/*
 * "YYYY-MM-DD HH:MM:SS" (one or more blanks between) at s, read as UTC.
 * Returns a pointer past it, or NULL.
 */
static const char *parse_stamp(const char *s, sp_time_ns *t);

/* A date that is the whole of s, blanks after it allowed. */
static int
whole_stamp(const char *s, sp_time_ns *t)
{
	if ((s = parse_stamp(s, t)) == NULL)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' ? 0 : -1;
}

static const char *
parse_stamp(const char *s, sp_time_ns *t)
{
	int y, mo, d, h, mi, se;

	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) ||
	    *s++ != '-' || digits(&s, 2, &d))
		return NULL;
	if (*s != ' ' && *s != '\t' && *s != 'T')
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == 'T')
		s++;
	if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) ||
	    *s++ != ':' || digits(&s, 2, &se))
		return NULL;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60)
		return NULL;
	*t = sp_time_from_parts(sp_time_days_from_civil(y, (unsigned)mo,
	    (unsigned)d) * 86400 + h * 3600 + mi * 60 + se, 0);
	return s;
}

/* Split s in place into at most max blank-separated words. */
static size_t
split_words(char *s, char **w, size_t max)
{
	size_t n = 0;

	while (n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		w[n++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
	return n;
}

/* ---- dpkg.log ---- */

/* The actions whose line names a package and its versions. */
static int
is_package_action(const char *w)
{
	static const char *const actions[] = { "install", "upgrade",
		"remove", "purge", "configure", "trigproc", "unpack", NULL };
	size_t i;

	for (i = 0; actions[i] != NULL; i++)
		if (strcmp(w, actions[i]) == 0)
			return 1;
	return 0;
}

/*
 * What update-alternatives says after its name: "run with ARGS" (the
 * command), "link group NAME updated to point to PATH" (the choice).
 */
static void
alternatives(struct sp_extra *x, struct sp_event *e, const char *m)
{
	const char *p, *to;

	while (*m == ' ' || *m == '\t')
		m++;
	if (strncmp(m, "run with ", 9) == 0) {
		sp_extra_str(x, "arguments", m + 9);
		return;
	}
	p = m + 11;
	if (strncmp(m, "link group ", 11) == 0 &&
	    (to = strstr(p, " updated to point to ")) != NULL) {
		sp_extra_strn(x, "alternative", p, (size_t)(to - p));
		e->path = to + 21;
		sp_extra_str(x, "path", e->path);
	}
}

static int
dpkg_line(struct sp_artifact_ctx *ctx, struct sp_extra *x, struct sp_line *l)
{
	struct sp_event e;
	sp_time_ns t;
	const char *rest, *desc = "entry", *old = NULL, *new = NULL;
	char *w[5], *copy, *pkg = NULL, *arch = NULL, *colon, local[40];
	size_t n;
	int rc;

	if ((rest = parse_stamp(l->p, &t)) == NULL || (*rest != ' ' &&
	    *rest != '\t')) {
		sp_artifact_problem(ctx, l->number, "not a dpkg.log line");
		return 0;
	}
	snprintf(local, sizeof(local), "%.*s", (int)(rest - l->p), l->p);
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (*rest == '\0') {
		sp_artifact_problem(ctx, l->number,
		    "dpkg.log line without action");
		return 0;
	}
	if ((copy = strdup(rest)) == NULL)
		return SP_E_NOMEM;
	n = split_words(copy, w, 5);

	sp_event_init(&e);
	e.time = t;
	e.artifact = "dpkg";
	e.message = rest;
	e.line = l->number;
	sp_extra_begin(x);
	sp_extra_str(x, "action", w[0]);
	if (strcmp(w[0], "status") == 0) {
		/* status <state> <package> <version> */
		if (n >= 2)
			sp_extra_str(x, "status", w[1]);
		pkg = n >= 3 ? w[2] : NULL;
		new = n >= 4 ? w[3] : NULL;
	} else if (strcmp(w[0], "conffile") == 0) {
		/* conffile <file> <decision> */
		e.path = n >= 2 ? w[1] : NULL;
		sp_extra_str(x, "path", e.path);
		if (n >= 3)
			sp_extra_str(x, "decision", w[2]);
	} else if (strcmp(w[0], "startup") == 0) {
		/* startup archives|packages <command> */
		if (n >= 2)
			sp_extra_str(x, "scope", w[1]);
		if (n >= 3)
			sp_extra_str(x, "command", w[2]);
	} else if (n >= 2 && w[0][strlen(w[0]) - 1] == ':') {
		/*
		 * a program's own line, "update-alternatives: run with
		 * --install ...": no package and no version in it
		 */
		w[0][strlen(w[0]) - 1] = '\0';
		desc = "entry";
		sp_extra_begin(x);
		sp_extra_str(x, "program", w[0]);
		alternatives(x, &e, rest + strlen(w[0]) + 1);
	} else if (n >= 2 && is_package_action(w[0])) {
		/* <action> <package> <installed version> <available version> */
		if (strcmp(w[0], "install") == 0)
			desc = "install";
		else if (strcmp(w[0], "upgrade") == 0)
			desc = "upgrade";
		else if (strcmp(w[0], "remove") == 0 ||
		    strcmp(w[0], "purge") == 0)
			desc = "remove";
		pkg = w[1];
		old = n >= 3 ? w[2] : NULL;
		new = n >= 4 ? w[3] : NULL;
	}
	if (pkg != NULL) {
		if ((colon = strchr(pkg, ':')) != NULL) {
			*colon = '\0';
			arch = colon + 1;
		}
		sp_extra_str(x, "package", pkg);
		sp_extra_str(x, "arch", arch);
	}
	if (old != NULL && strcmp(old, "<none>") != 0)
		sp_extra_str(x, "old_version", old);
	if (new != NULL && strcmp(new, "<none>") != 0)
		sp_extra_str(x, "new_version", new);
	sp_zone_apply(ctx->zone, &e.time, x, local);
	e.time_desc = desc;
	e.extra = sp_extra_text(x);
	rc = sp_artifact_emit(ctx, &e);
	free(copy);
	return rc;
}

static int
dpkg_fn(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	return dpkg_line(ctx, arg, l);
}

int
sp_parse_dpkg(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	return sp_artifact_lines_extra(ctx, in, LINE_MAX_BYTES,
	    SP_LINES_SKIP_EMPTY, dpkg_fn, "dpkg.log line", err);
}

/* ---- apt history.log ---- */

struct apt_block {
	int open;
	int64_t line;		/* of Start-Date */
	sp_time_ns start, end;
	char start_text[40];	/* Start-Date as written */
	char *command_line;
	char *user;
	int64_t uid;
	char *error;
	char *action_key[APT_MAX_ACTIONS];	/* "Install", ... */
	char *action_val[APT_MAX_ACTIONS];	/* the package list */
	size_t nactions;
};

static void
apt_block_clear(struct apt_block *b)
{
	size_t i;

	free(b->command_line);
	free(b->user);
	free(b->error);
	for (i = 0; i < b->nactions; i++) {
		free(b->action_key[i]);
		free(b->action_val[i]);
	}
	memset(b, 0, sizeof(*b));
	b->start = b->end = SP_TIME_NONE;
	b->uid = -1;
}

static const char *const apt_actions[][2] = {
	{ "Install", "install" }, { "Reinstall", "install" },
	{ "Downgrade", "install" }, { "Upgrade", "upgrade" },
	{ "Remove", "remove" }, { "Purge", "remove" },
};

/* The time_desc for an action key, or NULL when key is not an action. */
static const char *
apt_action_desc(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(apt_actions) / sizeof(apt_actions[0]); i++)
		if (strcmp(key, apt_actions[i][0]) == 0)
			return apt_actions[i][1];
	return NULL;
}

/* Add each entry of a package list ("a:amd64 (1.0, automatic), b ..."). */
static size_t
apt_packages(struct sp_extra *x, const char *s)
{
	const char *p, *start;
	char *item;
	size_t n = 0, len;
	int depth = 0;

	for (p = start = s;; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		if ((*p == ',' && depth == 0) || *p == '\0') {
			while (*start == ' ')
				start++;
			len = (size_t)(p - start);
			while (len > 0 && start[len - 1] == ' ')
				len--;
			if (len > 0 && (item = strndup(start, len)) != NULL) {
				sp_extra_array_str(x, item);
				free(item);
				n++;
			}
			if (*p == '\0')
				break;
			start = p + 1;
		}
	}
	return n;
}

static int
apt_emit(struct sp_artifact_ctx *ctx, struct sp_extra *x, struct apt_block *b)
{
	struct sp_event e;
	char iso[SP_TIME_ISO_MAX], *msg = NULL;
	const char *desc = "entry", *action = NULL;
	size_t i, npkg = 0;
	int rc;

	if (b->nactions > 0) {
		desc = apt_action_desc(b->action_key[0]);
		action = b->action_key[0];
	}
	sp_event_init(&e);
	e.time = b->start;
	e.time_desc = desc;
	e.artifact = "apt_history";
	e.user = b->user;
	e.line = b->line;
	sp_extra_begin(x);
	if (action != NULL) {
		char lower[16];
		for (i = 0; action[i] != '\0' && i + 1 < sizeof(lower); i++)
			lower[i] = (char)tolower((unsigned char)action[i]);
		lower[i] = '\0';
		sp_extra_str(x, "action", lower);
	}
	sp_extra_str(x, "command_line", b->command_line);
	if (b->uid >= 0)
		sp_extra_int(x, "uid", b->uid);
	sp_extra_array_begin(x, "packages");
	for (i = 0; i < b->nactions; i++)
		npkg += apt_packages(x, b->action_val[i]);
	sp_extra_array_end(x);
	if (b->nactions > 1) {
		sp_extra_array_begin(x, "actions");
		for (i = 0; i < b->nactions; i++)
			sp_extra_array_str(x, b->action_key[i]);
		sp_extra_array_end(x);
	}
	if (b->end != SP_TIME_NONE) {
		sp_time_ns end = b->end;
		int64_t utc;
		if (ctx->zone != NULL) {
			sp_zone_to_utc(ctx->zone, sp_time_sec(end), &utc);
			end = sp_time_from_parts(utc, 0);
		}
		sp_extra_str(x, "end", sp_time_format_iso(end, 0, iso,
		    sizeof(iso)));
	}
	sp_extra_str(x, "error", b->error);
	sp_zone_apply(ctx->zone, &e.time, x, b->start_text);
	e.extra = sp_extra_text(x);
	if (asprintf(&msg, "%s %zu package%s%s%s%s", action ? action :
	    "transaction of", npkg, npkg == 1 ? "" : "s",
	    b->command_line ? " (" : "", b->command_line ? b->command_line :
	    "", b->command_line ? ")" : "") < 0)
		return SP_E_NOMEM;
	e.message = msg;
	rc = sp_artifact_emit(ctx, &e);
	free(msg);
	return rc;
}

/* "jxs (1005)" into user and uid. */
static void
apt_requested_by(struct apt_block *b, const char *v)
{
	const char *p = strchr(v, '(');
	size_t n = p ? (size_t)(p - v) : strlen(v);

	while (n > 0 && v[n - 1] == ' ')
		n--;
	free(b->user);
	b->user = n > 0 ? strndup(v, n) : NULL;
	if (p != NULL && isdigit((unsigned char)p[1])) {
		char *end;
		long long uid = strtoll(p + 1, &end, 10);
		if (*end == ')' && uid >= 0)
			b->uid = uid;
	}
}

static int
apt_line(struct sp_artifact_ctx *ctx, struct sp_extra *x, struct apt_block *b,
    struct sp_line *l)
{
	char *key, *val, *colon;
	sp_time_ns t;
	int rc;

	if ((colon = strstr(l->p, ": ")) == NULL ||
	    strpbrk(l->p, " \t") < colon || colon == l->p) {
		/* a bare "Key:" is a list that is empty */
		if (l->len > 1 && l->p[l->len - 1] == ':' &&
		    strpbrk(l->p, " \t") == NULL) {
			colon = l->p + l->len - 1;
		} else {
			sp_artifact_problem(ctx, l->number,
			    "not a history.log line");
			return 0;
		}
	}
	*colon = '\0';
	key = l->p;
	val = colon + 1;
	while (*val == ' ')
		val++;
	if (strcmp(key, "Start-Date") == 0) {
		if (whole_stamp(val, &t) != 0) {
			sp_artifact_problem(ctx, l->number, "bad Start-Date");
			if (b->open &&
			    (rc = apt_emit(ctx, x, b)) != 0)
				return rc;
			apt_block_clear(b);
			return 0;
		}
		if (b->open) {
			sp_artifact_problem(ctx, b->line,
			    "transaction without End-Date");
			if ((rc = apt_emit(ctx, x, b)) != 0)
				return rc;
		}
		apt_block_clear(b);
		b->open = 1;
		b->start = t;
		snprintf(b->start_text, sizeof(b->start_text), "%s", val);
		b->line = l->number;
		return 0;
	}
	if (!b->open) {
		sp_artifact_problem(ctx, l->number, "%s outside a transaction",
		    strcmp(key, "End-Date") == 0 ? "End-Date" : "line");
		return 0;
	}
	if (strcmp(key, "End-Date") == 0) {
		if (whole_stamp(val, &t) == 0)
			b->end = t;
		else
			sp_artifact_problem(ctx, l->number, "bad End-Date");
		rc = apt_emit(ctx, x, b);
		apt_block_clear(b);
		return rc;
	}
	if (strcmp(key, "Commandline") == 0) {
		free(b->command_line);
		if ((b->command_line = strdup(val)) == NULL)
			return SP_E_NOMEM;
	} else if (strcmp(key, "Requested-By") == 0) {
		apt_requested_by(b, val);
	} else if (strcmp(key, "Error") == 0) {
		free(b->error);
		if ((b->error = strdup(val)) == NULL)
			return SP_E_NOMEM;
	} else if (apt_action_desc(key) != NULL) {
		if (b->nactions == APT_MAX_ACTIONS) {
			sp_artifact_problem(ctx, l->number,
			    "more than %d package lists in one transaction",
			    APT_MAX_ACTIONS);
			return 0;
		}
		if ((b->action_key[b->nactions] = strdup(key)) == NULL)
			return SP_E_NOMEM;
		if ((b->action_val[b->nactions] = strdup(val)) == NULL) {
			free(b->action_key[b->nactions]);
			return SP_E_NOMEM;
		}
		b->nactions++;
	}
	/* other keys (Comment, ...) carry nothing an event needs */
	return 0;
}

struct apt_state {
	struct apt_block b;
	struct sp_extra x;
};

static int
apt_fn(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	struct apt_state *st = arg;

	return apt_line(ctx, &st->x, &st->b, l);
}

int
sp_parse_apt_history(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	struct apt_state st;
	int rc;

	memset(&st, 0, sizeof(st));
	apt_block_clear(&st.b);
	rc = sp_artifact_lines(ctx, in, LINE_MAX_BYTES, SP_LINES_SKIP_EMPTY,
	    apt_fn, &st, err);
	if (rc == SP_OK && st.b.open) {
		sp_artifact_problem(ctx, st.b.line,
		    "transaction without End-Date");
		rc = apt_emit(ctx, &st.x, &st.b);
	}
	if (rc == SP_E_NOMEM)
		sp_err_set(err, rc, 0, "history.log transaction");
	apt_block_clear(&st.b);
	sp_extra_release(&st.x);
	return rc;
}
