/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shell history: bash (~/.bash_history, with or without HISTTIMEFORMAT's
 * "#epoch" lines) and zsh (plain lines, or EXTENDED_HISTORY's
 * ": epoch:elapsed;command").  Each command is one event.  A command
 * without a time of its own gets the file's modification time, marked
 * as such, since all the file says is that it ran no later than that;
 * its line number keeps the order.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "artifact/parsers.h"

#define LINE_MAX_BYTES	(256 * 1024)	/* longer lines are skipped */
#define ENTRY_MAX_BYTES	(1024 * 1024)	/* a multi-line command's bound */
#define MESSAGE_BYTES	256
#define ZSH_META	0x83

struct history {
	struct sp_artifact_ctx *ctx;
	const char *artifact;
	char user[256];
	const char *userp;		/* user or NULL */
	struct sp_line *line;		/* the line being read */
	char *entry;			/* grows to ENTRY_MAX_BYTES + 1 */
	size_t elen, ecap;
	size_t parts;			/* lines in the entry */
	int64_t entry_line;		/* 0: no entry pending */
	sp_time_ns entry_time;		/* NONE: the file's mtime */
	int64_t elapsed;		/* -1: unknown */
	int mtime_problem;		/* reported that there is no time */
	int cont;			/* zsh: the command goes on */
	int64_t lineno;			/* the last line read */
	struct sp_extra x;
};

/* The offset of the first byte of s[n] that is not valid UTF-8, or n. */
static size_t
utf8_check(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((k = sp_utf8_seq((const unsigned char *)s + i, n - i)) == 0)
			return i;
		i += k;
	}
	return n;
}

/*
 * The account a history file belongs to, from its path: .../home/USER/f
 * gives USER, .../root/f gives root.  "" when the path does not say.
 */
static void
history_user(char *buf, size_t size, const char *origin)
{
	const char *end, *dir, *p;
	size_t n;

	buf[0] = '\0';
	if (origin == NULL || (end = strrchr(origin, '/')) == NULL ||
	    end == origin)
		return;
	for (dir = end; dir > origin && dir[-1] != '/'; dir--)
		;
	n = (size_t)(end - dir);
	if (n == 0)
		return;
	if (n == 4 && strncmp(dir, "root", 4) == 0) {
		snprintf(buf, size, "root");
		return;
	}
	if (dir - origin < 6)
		return;
	p = dir - 6;
	if (strncmp(p, "/home/", 6) == 0 || (p + 1 == origin &&
	    strncmp(p + 1, "home/", 5) == 0))
		snprintf(buf, size, "%.*s", (int)n, dir);
}

/* Make room for need bytes and a NUL in *buf; 0 or -1 (no memory). */
static int
grow(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 256;
	char *p;

	if (need + 1 <= *cap)
		return 0;
	while (n < need + 1)
		n *= 2;
	if ((p = realloc(*buf, n)) == NULL)
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

/* Whether the line is one to skip as a problem; reports it if so. */
static int
bad_line(struct history *h, int too_long)
{
	size_t at;

	if (too_long) {
		sp_artifact_problem(h->ctx, h->line->number,
		    "line longer than %d bytes", LINE_MAX_BYTES);
		return 1;
	}
	if (memchr(h->line->p, '\0', h->line->len) != NULL) {
		sp_artifact_problem(h->ctx, h->line->number,
		    "NUL byte in a command");
		return 1;
	}
	if ((at = utf8_check(h->line->p, h->line->len)) != h->line->len) {
		sp_artifact_problem(h->ctx, h->line->number,
		    "invalid UTF-8 at byte %zu", at + 1);
		return 1;
	}
	return 0;
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

static void
entry_start(struct history *h, sp_time_ns t, int64_t elapsed)
{
	h->elen = 0;
	h->parts = 0;
	h->entry_line = h->line->number;
	h->entry_time = t;
	h->elapsed = elapsed;
}

/* Append s[n] to the pending entry after sep (0: none); -1: no memory. */
static int
entry_add(struct history *h, char sep, const char *s, size_t n)
{
	int sep_needed = sep != '\0' && h->parts > 0;
	size_t need = n + sep_needed;

	if (h->elen + need > ENTRY_MAX_BYTES) {
		sp_artifact_problem(h->ctx, h->line->number,
		    "command longer than %d bytes: line left out",
		    ENTRY_MAX_BYTES);
		return 0;
	}
	if (grow(&h->entry, &h->ecap, h->elen + need) != 0)
		return -1;
	if (sep_needed)
		h->entry[h->elen++] = sep;
	h->parts++;
	memcpy(h->entry + h->elen, s, n);
	h->elen += n;
	h->entry[h->elen] = '\0';
	return 0;
}

/* Emit the pending entry, if any. */
static int
entry_flush(struct history *h)
{
	char msg[MESSAGE_BYTES + 4];
	struct sp_event e;
	size_t n, i, k;
	int64_t line = h->entry_line;

	h->entry_line = 0;
	if (line == 0 || h->elen == 0 || blank(h->entry, h->elen))
		return 0;
	sp_event_init(&e);
	e.artifact = h->artifact;
	e.time_desc = "command";
	e.user = h->userp;
	e.line = line;
	e.time = h->entry_time != SP_TIME_NONE ? h->entry_time :
	    h->ctx->origin_mtime;
	if (e.time == SP_TIME_NONE) {
		if (!h->mtime_problem)
			sp_artifact_problem(h->ctx, line, "commands without "
			    "a time and no modification time for the file");
		h->mtime_problem = 1;
		return 0;
	}
	/* the message is the command, cut at a character boundary */
	for (n = 0; n < h->elen && n < MESSAGE_BYTES; n += k) {
		k = sp_utf8_seq((const unsigned char *)h->entry + n,
		    h->elen - n);
		if (k == 0 || n + k > MESSAGE_BYTES)
			break;
	}
	for (i = 0; i < n; i++)
		msg[i] = h->entry[i] == '\n' ? ' ' : h->entry[i];
	if (n < h->elen)
		msg[i++] = '.', msg[i++] = '.', msg[i++] = '.';
	msg[i] = '\0';
	e.message = msg;
	sp_extra_begin(&h->x);
	sp_extra_strn(&h->x, "command", h->entry, h->elen);
	if (h->elapsed >= 0)
		sp_extra_int(&h->x, "elapsed_s", h->elapsed);
	if (h->entry_time != SP_TIME_NONE)
		sp_extra_str(&h->x, "time_source", "timestamp");
	else {
		sp_extra_str(&h->x, "time_source", "mtime");
		sp_extra_str(&h->x, "time_bounded", "mtime");
		sp_extra_int(&h->x, "order", line);
	}
	e.extra = sp_extra_text(&h->x);
	return sp_artifact_emit(h->ctx, &e);
}

static void
history_init(struct history *h, struct sp_artifact_ctx *ctx,
    const char *artifact)
{
	memset(h, 0, sizeof(*h));
	h->ctx = ctx;
	h->artifact = artifact;
	h->entry_time = SP_TIME_NONE;
	h->elapsed = -1;
	history_user(h->user, sizeof(h->user), ctx->origin);
	h->userp = h->user[0] != '\0' ? h->user : NULL;
}

static void
history_release(struct history *h)
{
	sp_extra_release(&h->x);
	free(h->entry);
}

/*
 * A bash timestamp line: '#' and a digit (what bash itself looks for).
 * Returns 1 with *t set, 0 for no timestamp line, -1 for a bad one.
 */
static int
bash_timestamp(const char *s, size_t n, sp_time_ns *t)
{
	int64_t v = 0;
	size_t i;

	if (n < 2 || s[0] != '#' || s[1] < '0' || s[1] > '9')
		return 0;
	for (i = 1; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (i > 12)
			return -1;	/* past year 30000 */
		v = v * 10 + (s[i] - '0');
	}
	if (!blank(s + i, n - i))
		return -1;
	*t = sp_time_from_parts(v, 0);
	return 1;
}

/* After the last line: the pending command, if the read went well. */
static int
history_finish(struct history *h, int rc)
{
	return rc == SP_OK ? entry_flush(h) : rc;
}

/*
 * With timestamps, the lines up to the next timestamp are one command (a
 * multi-line one joined with spaces, as plaso shows it); without, each
 * line is a command.
 */
static int
bash_line(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	struct history *h = arg;
	sp_time_ns t;
	int rc, ts;

	h->line = l;
	h->lineno = l->number;
	if (bad_line(h, l->too_long))
		return 0;
	if ((ts = bash_timestamp(l->p, l->len, &t)) != 0) {
		if ((rc = entry_flush(h)) != 0)
			return rc;
		if (ts < 0) {
			sp_artifact_problem(ctx, l->number, "bad "
			    "timestamp line");
			return 0;
		}
		entry_start(h, t, -1);
		return 0;
	}
	if (blank(l->p, l->len))
		return 0;
	if (h->entry_line != 0 && h->entry_time != SP_TIME_NONE)
		return entry_add(h, ' ', l->p, l->len) != 0 ? SP_E_NOMEM : 0;
	entry_start(h, SP_TIME_NONE, -1);
	if (entry_add(h, '\0', l->p, l->len) != 0)
		return SP_E_NOMEM;
	return entry_flush(h);
}

int
sp_parse_bash_history(struct sp_artifact_ctx *ctx, FILE *in,
    struct sp_err *err)
{
	struct history h;
	int rc;

	history_init(&h, ctx, "bash_history");
	rc = sp_artifact_lines(ctx, in, LINE_MAX_BYTES, SP_LINES_KEEP_BAD,
	    bash_line, &h, err);
	rc = history_finish(&h, rc);
	if (rc == SP_E_NOMEM)
		sp_err_set(err, rc, 0, "line %" PRId64, h.lineno);
	history_release(&h);
	return rc;
}

/*
 * zsh writes the bytes it uses itself (NUL, 0x83 to 0xa2) as 0x83 and the
 * byte xor 0x20: undo it so the command is the bytes that were typed.
 */
static void
zsh_unmetafy(struct history *h)
{
	size_t i, j;

	for (i = j = 0; i < h->line->len; i++) {
		if ((unsigned char)h->line->p[i] == ZSH_META &&
		    i + 1 < h->line->len)
			h->line->p[j++] = (char)(h->line->p[++i] ^ 0x20);
		else
			h->line->p[j++] = h->line->p[i];
	}
	h->line->len = j;
	h->line->p[j] = '\0';
}

/*
 * An EXTENDED_HISTORY header ": 1457771210:0;": returns the length of
 * the header with *t and *elapsed set, or 0.
 */
static size_t
zsh_header(const char *s, size_t n, sp_time_ns *t, int64_t *elapsed)
{
	int64_t v = 0, d = 0;
	size_t i = 2, start;

	if (n < 5 || s[0] != ':' || s[1] != ' ')
		return 0;
	for (start = i; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (i - start >= 12)
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	if (i == start || i >= n || s[i++] != ':')
		return 0;
	for (start = i; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (i - start >= 12)
			return 0;
		d = d * 10 + (s[i] - '0');
	}
	if (i == start || i >= n || s[i++] != ';')
		return 0;
	*t = sp_time_from_parts(v, 0);
	*elapsed = d;
	return i;
}

/*
 * zsh writes a newline inside a command as a backslash and a newline: a
 * line ending in a backslash goes on on the next line.
 */
static int
zsh_line(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	struct history *h = arg;
	sp_time_ns t;
	int64_t elapsed;
	size_t hdr, n;

	(void)ctx;
	h->line = l;
	h->lineno = l->number;
	if (!l->too_long)
		zsh_unmetafy(h);
	if (bad_line(h, l->too_long)) {
		h->cont = 0;
		return entry_flush(h);
	}
	n = l->len;
	if (!h->cont && (hdr = zsh_header(l->p, l->len, &t, &elapsed))) {
		entry_start(h, t, elapsed);
		n -= hdr;
		memmove(l->p, l->p + hdr, n + 1);
	} else if (!h->cont) {
		if (blank(l->p, l->len))
			return 0;
		entry_start(h, SP_TIME_NONE, -1);
	}
	h->cont = n > 0 && l->p[n - 1] == '\\';
	if (entry_add(h, '\n', l->p, h->cont ? n - 1 : n) != 0)
		return SP_E_NOMEM;
	return h->cont ? 0 : entry_flush(h);
}

int
sp_parse_zsh_history(struct sp_artifact_ctx *ctx, FILE *in,
    struct sp_err *err)
{
	struct history h;
	int rc;

	history_init(&h, ctx, "zsh_history");
	rc = sp_artifact_lines(ctx, in, LINE_MAX_BYTES, SP_LINES_KEEP_BAD,
	    zsh_line, &h, err);
	rc = history_finish(&h, rc);
	if (rc == SP_E_NOMEM)
		sp_err_set(err, rc, 0, "line %" PRId64, h.lineno);
	history_release(&h);
	return rc;
}
