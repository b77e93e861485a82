/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every artifact parser calls: events and their typed fields, the
 * problems of a run, the line-reading driver, process identity (boots,
 * tty and cwd in messages).  The registry (artifact.c) calls the parsers
 * and the parsers call this module, so neither depends on the other.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/artifact.h"
#include "artifact/parsers.h"

void
sp_event_init(struct sp_event *e)
{
	memset(e, 0, sizeof(*e));
	e->time = SP_TIME_NONE;
	e->pid = e->ppid = e->session = e->auid = -1;
	e->offset = -1;
}

/* An empty name says no more than none: every parser's events hold NULL. */
static int
empty(const char *s)
{
	return s != NULL && s[0] == '\0';
}

int
sp_artifact_emit(struct sp_artifact_ctx *ctx, const struct sp_event *e)
{
	struct sp_event copy;

	ctx->events++;
	if (ctx->emit == NULL)
		return 0;
	if (empty(e->boot_id) || empty(e->tty) || empty(e->cwd)) {
		copy = *e;
		if (empty(copy.boot_id))
			copy.boot_id = NULL;
		if (empty(copy.tty))
			copy.tty = NULL;
		if (empty(copy.cwd))
			copy.cwd = NULL;
		return ctx->emit(&copy, ctx->arg);
	}
	return ctx->emit(e, ctx->arg);
}

void
sp_artifact_problem(struct sp_artifact_ctx *ctx, int64_t line,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	ctx->problems++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		sp_run_problem(ctx->run, ctx->origin ? ctx->origin : "-",
		    SP_E_DATA, "line %lld: %s", (long long)line, msg);
	else
		sp_run_problem(ctx->run, ctx->origin ? ctx->origin : "-",
		    SP_E_DATA, "%s", msg);
}

/* ---- process identity ---- */

struct sp_boot *
sp_boots_at(struct sp_boots *bs, const char *host)
{
	struct sp_boot *b, *oldest = &bs->b[0];
	size_t i;

	if (host == NULL)
		host = "";
	for (i = 0; i < SP_BOOTS_MAX; i++) {
		b = &bs->b[i];
		if (b->used != 0 && strncmp(b->host, host,
		    sizeof(b->host) - 1) == 0) {
			b->used = ++bs->tick;
			return b;
		}
		if (b->used < oldest->used)
			oldest = b;
	}
	memset(oldest, 0, sizeof(*oldest));
	snprintf(oldest->host, sizeof(oldest->host), "%s", host);
	oldest->used = ++bs->tick;
	return oldest;
}

const char *
sp_boot_begin(struct sp_boot *b, sp_time_ns t)
{
	char iso[SP_TIME_ISO_MAX];

	b->start = t;
	snprintf(b->id, sizeof(b->id), "boot@%s",
	    sp_time_format_iso(t, 0, iso, sizeof(iso)));
	return b->id;
}

const char *
sp_boot_id(const struct sp_boot *b)
{
	return b->id[0] != '\0' ? b->id : NULL;
}

/* The value after key up to " ; " or the end, into out. */
static void
message_value(const char *m, const char *key, char *out, size_t size)
{
	const char *p = m, *e;
	size_t klen = strlen(key);

	out[0] = '\0';
	while ((p = strstr(p, key)) != NULL) {
		/* the key starts a word: at the start, after ' ' or ';' */
		if (p == m || p[-1] == ' ' || p[-1] == ';')
			break;
		p += klen;
	}
	if (p == NULL)
		return;
	p += klen;
	if ((e = strstr(p, " ; ")) == NULL)
		e = p + strcspn(p, ";\n");
	if (e == p || (size_t)(e - p) >= size)
		return;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
}

void
sp_message_tty_cwd(const char *m, char *tty, size_t ttysize, char *cwd,
    size_t cwdsize)
{
	message_value(m, "TTY=", tty, ttysize);
	message_value(m, "PWD=", cwd, cwdsize);
	if (strcmp(tty, "unknown") == 0 || strcmp(tty, "(none)") == 0)
		tty[0] = '\0';
}

/* ---- lines ---- */

/* The line loop of sp_line_read, with in locked. */
static int
line_read(struct sp_line *l, FILE *in, size_t max, int *too_long)
{
	char *nb;
	size_t ncap;
	int c, any = 0;

	while ((c = getc_unlocked(in)) != EOF) {
		any = 1;
		if (c == '\n')
			break;
		if (l->len >= max) {
			*too_long = 1;
			continue;
		}
		if (l->len + 1 >= l->cap) {
			ncap = l->cap ? l->cap * 2 : 256;
			if (ncap > max + 1)
				ncap = max + 1;
			if ((nb = realloc(l->p, ncap)) == NULL)
				return -2;
			l->p = nb;
			l->cap = ncap;
		}
		l->p[l->len++] = (char)c;
	}
	if (c == EOF && ferror(in))
		return -1;
	if (!any)
		return 0;
	if (l->p == NULL && (l->p = malloc(l->cap = 256)) == NULL) {
		l->cap = 0;
		return -2;
	}
	if (l->len > 0 && l->p[l->len - 1] == '\r')
		l->len--;
	l->p[l->len] = '\0';
	l->number++;
	return 1;
}

int
sp_line_read(struct sp_line *l, FILE *in, size_t max, int *too_long)
{
	int r;

	l->len = 0;
	*too_long = 0;
	flockfile(in);
	r = line_read(l, in, max, too_long);
	funlockfile(in);
	return r;
}

void
sp_line_release(struct sp_line *l)
{
	if (l == NULL)
		return;
	free(l->p);
	l->p = NULL;
	l->len = l->cap = 0;
}

int
sp_line_usable(struct sp_artifact_ctx *ctx, const struct sp_line *l,
    int too_long, size_t max)
{
	if (too_long) {
		sp_artifact_problem(ctx, l->number,
		    "line longer than %zu bytes", max);
		return 0;
	}
	if (memchr(l->p, '\0', l->len) != NULL) {
		sp_artifact_problem(ctx, l->number, "NUL byte in line");
		return 0;
	}
	return 1;
}

int
sp_line_error(int r, struct sp_err *err)
{
	if (r == -2)
		return sp_err_set(err, SP_E_NOMEM, 0, "line buffer");
	return sp_err_set(err, SP_E_IO, 0, "read");
}

int
sp_artifact_lines(struct sp_artifact_ctx *ctx, FILE *in, size_t max,
    unsigned flags, sp_line_fn *fn, void *arg, struct sp_err *err)
{
	struct sp_line l;
	int r, rc = SP_OK, too_long, saved;

	memset(&l, 0, sizeof(l));
	while ((r = sp_line_read(&l, in, max, &too_long)) == 1) {
		l.too_long = too_long;
		if (!(flags & SP_LINES_KEEP_BAD) &&
		    !sp_line_usable(ctx, &l, too_long, max))
			continue;
		if ((flags & SP_LINES_SKIP_EMPTY) && l.len == 0 && !too_long)
			continue;
		if ((rc = fn(ctx, &l, arg)) != 0)
			break;
	}
	if (r < 0 && rc == SP_OK) {
		saved = errno;
		rc = r == -2 ? sp_err_set(err, SP_E_NOMEM, ENOMEM,
		    "line buffer") : sp_err_set(err, SP_E_IO, saved,
		    "read after line %lld", (long long)l.number);
	}
	sp_line_release(&l);
	return rc;
}

int
sp_artifact_lines_extra(struct sp_artifact_ctx *ctx, FILE *in, size_t max,
    unsigned flags, sp_line_fn *fn, const char *what, struct sp_err *err)
{
	struct sp_extra x;
	int rc;

	memset(&x, 0, sizeof(x));
	rc = sp_artifact_lines(ctx, in, max, flags, fn, &x, err);
	if (rc == SP_E_NOMEM)
		sp_err_set(err, rc, 0, "%s", what);
	sp_extra_release(&x);
	return rc;
}

/*
 * The extra's stream appends to its buffer; it is opened once and reset
 * for each event, since parsers build one for every record they read.
 */
static ssize_t
extra_write(void *cookie, const char *data, size_t n)
{
	struct sp_extra *x = cookie;
	size_t cap;
	char *p;

	if (x->len + n + 1 > x->cap) {
		cap = x->cap ? x->cap : 256;
		while (cap < x->len + n + 1)
			cap *= 2;
		if ((p = realloc(x->buf, cap)) == NULL)
			return -1;
		x->buf = p;
		x->cap = cap;
	}
	memcpy(x->buf + x->len, data, n);
	x->len += n;
	x->buf[x->len] = '\0';
	return (ssize_t)n;
}

void
sp_extra_begin(struct sp_extra *x)
{
	cookie_io_functions_t io = { NULL, extra_write, NULL, NULL };

	if (x->f == NULL) {
		if ((x->f = fopencookie(x, "w", io)) == NULL) {
			x->open = 0;
			return;
		}
		/* one thread writes an extra: no lock per character */
		__fsetlocking(x->f, FSETLOCKING_BYCALLER);
	}
	fflush(x->f);	/* an abandoned object's bytes land, then go */
	x->len = 0;
	if (x->buf != NULL)
		x->buf[0] = '\0';
	sp_json_init(&x->w, x->f);
	sp_json_object_begin(&x->w);
	x->open = 1;
}

void
sp_extra_str(struct sp_extra *x, const char *key, const char *value)
{
	if (x->open && value != NULL)
		sp_json_kv_str(&x->w, key, value);
}

void
sp_extra_strn(struct sp_extra *x, const char *key, const char *value,
    size_t len)
{
	if (!x->open || value == NULL)
		return;
	sp_json_key(&x->w, key);
	sp_json_strn(&x->w, value, len);
}

void
sp_extra_int(struct sp_extra *x, const char *key, int64_t value)
{
	if (x->open)
		sp_json_kv_int(&x->w, key, value);
}

void
sp_extra_array_begin(struct sp_extra *x, const char *key)
{
	if (!x->open)
		return;
	sp_json_key(&x->w, key);
	sp_json_array_begin(&x->w);
}

void
sp_extra_array_str(struct sp_extra *x, const char *value)
{
	if (x->open)
		sp_json_str(&x->w, value);
}

void
sp_extra_array_int(struct sp_extra *x, int64_t value)
{
	if (x->open)
		sp_json_int(&x->w, value);
}

void
sp_extra_bool(struct sp_extra *x, const char *key, int value)
{
	if (x->open)
		sp_json_kv_bool(&x->w, key, value);
}

void
sp_extra_array_end(struct sp_extra *x)
{
	if (x->open)
		sp_json_array_end(&x->w);
}

const char *
sp_extra_text(struct sp_extra *x)
{
	if (!x->open)
		return NULL;
	sp_json_object_end(&x->w);
	x->open = 0;
	if (fflush(x->f) != 0 || x->buf == NULL)
		return NULL;
	return x->buf;
}

void
sp_extra_release(struct sp_extra *x)
{
	if (x->f != NULL)
		fclose(x->f);
	free(x->buf);
	memset(x, 0, sizeof(*x));
}
