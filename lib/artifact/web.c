/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Web server access logs: apache and nginx in the common, combined and
 * vhost_combined formats,
 *   [vhost:port] client ident user [14/Mar/2026:10:42:17 +0000]
 *   "POST /upload.php HTTP/1.1" 200 512 ["referer" "user agent"]
 * one request event per line, at the time in the brackets with its zone.
 * Requests logged with raw quotes inside (attack strings) are kept whole:
 * the request ends at the quote that a status and a size follow.  A
 * referer or user agent whose closing quote is missing runs to the end of
 * the line: the event is kept, and the line is a problem.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "artifact/parsers.h"

/* Real request lines stay far below this (servers cap them near 8 KiB). */
#define LINE_MAX_BYTES	(1 << 20)

static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
	"Nov", "Dec"
};

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

/* "14/Mar/2026:10:42:17 +0000" (what is inside the brackets) as UTC. */
static int
parse_clf_time(const char *s, sp_time_ns *t)
{
	int d, mo, y, h, mi, se, zh, zm, sign;
	int64_t sec;

	if (digits(&s, 2, &d) || *s++ != '/')
		return -1;
	for (mo = 0; mo < 12; mo++)
		if (strncmp(s, months[mo], 3) == 0)
			break;
	if (mo == 12)
		return -1;
	s += 3;
	if (*s++ != '/' || digits(&s, 4, &y) || *s++ != ':' ||
	    digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) ||
	    *s++ != ':' || digits(&s, 2, &se) || *s++ != ' ')
		return -1;
	if (*s != '+' && *s != '-')
		return -1;
	sign = *s++ == '-' ? -1 : 1;
	if (digits(&s, 2, &zh) || digits(&s, 2, &zm) || *s != '\0')
		return -1;
	if (d < 1 || d > 31 || h > 23 || mi > 59 || se > 60 || zh > 23 ||
	    zm > 59)
		return -1;
	sec = sp_time_days_from_civil(y, (unsigned)mo + 1, (unsigned)d) *
	    86400 + h * 3600 + mi * 60 + se;
	*t = sp_time_from_parts(sec - sign * (zh * 3600 + zm * 60), 0);
	return 0;
}

/* Whether s is ` NNN SIZE` then the end or a blank; sets the end of it. */
static int
status_size_at(const char *s, const char **end)
{
	int i;

	if (*s++ != ' ')
		return 0;
	for (i = 0; i < 3; i++)
		if (!isdigit((unsigned char)*s++))
			return 0;
	if (*s++ != ' ')
		return 0;
	if (*s == '-')
		s++;
	else if (isdigit((unsigned char)*s))
		while (isdigit((unsigned char)*s))
			s++;
	else
		return 0;
	if (*s != '\0' && *s != ' ')
		return 0;
	*end = s;
	return 1;
}

/*
 * A quoted field at *s ('"' first): its text runs to the quote that the
 * end of the line or a blank follows, with \" skipped.  Cuts it in place;
 * returns its text or NULL when it does not end.
 */
static char *
quoted(char **s)
{
	char *p = *s, *start;

	if (*p != '"')
		return NULL;
	start = ++p;
	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '"' && (p[1] == '\0' || p[1] == ' ')) {
			*p = '\0';
			*s = p + 1;
			return start;
		}
	}
	return NULL;
}

/* NULL for a field logged as "-" (nothing). */
static const char *
dash_null(const char *s)
{
	return s == NULL || strcmp(s, "-") == 0 ? NULL : s;
}

static int
web_line(struct sp_artifact_ctx *ctx, struct sp_extra *x, struct sp_line *l)
{
	struct sp_event e;
	char *w[5], *p, *bracket, *close, *req, *req_end, *referer = NULL;
	char *ua = NULL, *method = NULL, *target = NULL, *proto = NULL, *sp;
	char *msg, *reqcopy = NULL;
	const char *unterminated = NULL;
	const char *after, *vhost = NULL, *client, *ident, *ruser;
	long long status, size = -1;
	size_t n = 0;
	sp_time_ns t;
	int rc;

	/* the fields before the time: [vhost] client ident user */
	if ((bracket = strstr(l->p, " [")) == NULL)
		goto bad;
	*bracket = '\0';
	for (p = l->p; n < 5;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		w[n++] = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	if (n == 4) {
		vhost = w[0];
		memmove(w, w + 1, 3 * sizeof(w[0]));
	} else if (n != 3) {
		goto bad;
	}
	client = w[0];
	ident = w[1];
	ruser = w[2];
	if ((close = strchr(bracket + 2, ']')) == NULL)
		goto bad;
	*close = '\0';
	if (parse_clf_time(bracket + 2, &t) != 0) {
		sp_artifact_problem(ctx, l->number, "bad time '%.40s'",
		    bracket + 2);
		return 0;
	}
	if (close[1] != ' ' || close[2] != '"')
		goto bad;
	req = close + 3;
	/* the request ends at the quote that " NNN SIZE" follows */
	for (req_end = req; (req_end = strchr(req_end, '"')) != NULL;
	    req_end++)
		if (status_size_at(req_end + 1, &after))
			break;
	if (req_end == NULL)
		goto bad;
	*req_end = '\0';
	status = strtoll(req_end + 2, NULL, 10);
	p = req_end + 6;
	if (*p != '-')
		size = strtoll(p, NULL, 10);
	p = (char *)after;
	while (*p == ' ')
		p++;
	if (*p != '\0') {
		/*
		 * combined: "referer" "user agent", then whatever a format
		 * adds.  A last field whose closing quote is missing (a line
		 * cut short, a client's raw quote) runs to the end of the
		 * line: the request is intact and is kept, and the line is
		 * a problem all the same.
		 */
		if (*p != '"')
			goto bad;
		if ((referer = quoted(&p)) == NULL) {
			referer = p + 1;
			unterminated = "referer";
		} else {
			while (*p == ' ')
				p++;
			if (*p != '\0' && *p != '"')
				goto bad;
			if (*p == '"' && (ua = quoted(&p)) == NULL) {
				ua = p + 1;
				unterminated = "user_agent";
			}
		}
	}
	/* METHOD target PROTOCOL; anything else is kept as the request */
	if ((reqcopy = strdup(req)) == NULL)
		return SP_E_NOMEM;
	if ((sp = strchr(reqcopy, ' ')) != NULL && sp > reqcopy) {
		*sp = '\0';
		method = reqcopy;
		target = sp + 1;
		if ((sp = strrchr(target, ' ')) != NULL &&
		    strncmp(sp + 1, "HTTP/", 5) == 0) {
			*sp = '\0';
			proto = sp + 1;
		}
	}

	sp_event_init(&e);
	e.time = t;
	e.time_desc = "request";
	e.artifact = "web";
	e.user = dash_null(ruser);
	e.line = l->number;
	sp_extra_begin(x);
	sp_extra_str(x, "client", client);
	sp_extra_str(x, "method", method);
	sp_extra_str(x, "path", target);
	sp_extra_str(x, "protocol", proto);
	if (method == NULL || proto == NULL)
		sp_extra_str(x, "request", req);
	sp_extra_int(x, "status", status);
	if (size >= 0)
		sp_extra_int(x, "size", size);
	sp_extra_str(x, "referer", dash_null(referer));
	sp_extra_str(x, "user_agent", dash_null(ua));
	sp_extra_str(x, "remote_user", dash_null(ruser));
	sp_extra_str(x, "ident", dash_null(ident));
	sp_extra_str(x, "vhost", vhost);
	if (unterminated != NULL) {
		sp_extra_str(x, "unterminated", unterminated);
		sp_artifact_problem(ctx, l->number, "%s without its closing "
		    "quote: kept to the end of the line", unterminated);
	}
	e.extra = sp_extra_text(x);
	if (asprintf(&msg, "%s \"%s\" %lld", client, req, status) < 0) {
		free(reqcopy);
		return SP_E_NOMEM;
	}
	e.message = msg;
	rc = sp_artifact_emit(ctx, &e);
	free(msg);
	free(reqcopy);
	return rc;
bad:
	sp_artifact_problem(ctx, l->number, "not an access log line");
	return 0;
}

static int
web_fn(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	return web_line(ctx, arg, l);
}

int
sp_parse_web_access(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	return sp_artifact_lines_extra(ctx, in, LINE_MAX_BYTES,
	    SP_LINES_SKIP_EMPTY, web_fn, "access log line", err);
}
