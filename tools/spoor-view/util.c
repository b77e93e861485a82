/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-view: escaping what the case holds for the terminal, times in the
 * view's zone, messages.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "spoor/json.h"
#include "view.h"

char *
view_strdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

void
vrow_release(struct vrow *r)
{
	free(r->time_desc);
	free(r->artifact);
	free(r->host);
	free(r->user);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

void
view_msg(struct view *v, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
	v->msg_error = error;
}

/*
 * Code points shown escaped although a terminal would take them: C1
 * controls, and the format characters that reorder or hide text
 * (zero-width, bidirectional overrides and isolates, the BOM, the
 * interlinear annotations).
 */
static int
hidden_code_point(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0xad ||
	    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff ||
	    (cp >= 0xfff9 && cp <= 0xfffb) || (cp >= 0xe0000 && cp <= 0xe007f);
}

static unsigned
utf8_decode(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0];
	if (n == 2)
		return ((unsigned)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	if (n == 3)
		return ((unsigned)(s[0] & 0x0f) << 12) |
		    ((unsigned)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	return ((unsigned)(s[0] & 0x07) << 18) | ((unsigned)(s[1] & 0x3f) << 12) |
	    ((unsigned)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
}

size_t
view_escape(const char *str, size_t len, int ascii, char *out, size_t size,
    int cols, int *width)
{
	const unsigned char *s = (const unsigned char *)str;
	char esc[16];
	size_t i = 0, o = 0, n, elen;
	int col = 0, w;
	unsigned cp;

	if (size == 0)
		return 0;
	if (s == NULL)
		s = (const unsigned char *)"";
	if (len == SIZE_MAX)
		len = strlen((const char *)s);
	while (i < len) {
		const char *piece;
		size_t plen;

		n = s[i] < 0x80 ? 1 : sp_utf8_seq(s + i, len - i);
		if (n == 1 && s[i] >= 0x20 && s[i] < 0x7f) {
			piece = (const char *)s + i;
			plen = 1;
			w = 1;
		} else if (n == 0 || n == 1) {
			/* a control byte, or a byte that is not UTF-8 */
			elen = (size_t)snprintf(esc, sizeof(esc), "\\x%02x",
			    s[i]);
			piece = esc;
			plen = elen;
			w = (int)elen;
			n = 1;
		} else {
			cp = utf8_decode(s + i, n);
			w = ascii || hidden_code_point(cp) ? -1 :
			    wcwidth((wchar_t)cp);
			if (w < 0) {
				elen = (size_t)snprintf(esc, sizeof(esc),
				    "\\u{%04x}", cp);
				piece = esc;
				plen = elen;
				w = (int)elen;
			} else {
				piece = (const char *)s + i;
				plen = n;
			}
		}
		if (col + w > cols || o + plen + 1 > size)
			break;
		memcpy(out + o, piece, plen);
		o += plen;
		col += w;
		i += n;
	}
	out[o] = '\0';
	if (width != NULL)
		*width = col;
	return i;
}

void
view_format_time(const struct view *v, sp_time_ns t, char *buf, size_t size)
{
	struct tm tm;
	time_t sec;
	int64_t s;
	int32_t ns;

	if (t == SP_TIME_NONE) {
		snprintf(buf, size, "%s", "(no time)");
		return;
	}
	s = sp_time_sec(t);
	ns = sp_time_nsec(t);
	sec = (time_t)s;
	if (v->utc ? gmtime_r(&sec, &tm) == NULL :
	    localtime_r(&sec, &tm) == NULL) {
		snprintf(buf, size, "%lld", (long long)s);
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d.%03d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ns / 1000000));
}

/*
 * An ISO-8601 time as the analyst types it: seconds and the zone may be
 * left out ("2026-03-14T10:42", "2026-03-14 10:42"); without a zone it is
 * a time of the view's zone.
 */
int
view_parse_time(const struct view *v, const char *s, sp_time_ns *t)
{
	char buf[64];
	size_t n = strlen(s);
	int zoned = 0;
	struct tm tm;
	time_t sec;

	if (n < 4 || n + 4 > sizeof(buf))
		return -1;
	memcpy(buf, s, n + 1);
	/* hh:mm without seconds */
	if (n == 16 && (buf[10] == 'T' || buf[10] == ' ') && buf[13] == ':')
		memcpy(buf + 16, ":00", 4);
	else if (n == 13 && (buf[10] == 'T' || buf[10] == ' '))
		memcpy(buf + 13, ":00:00", 7);
	n = strlen(buf);
	if (n > 10 && (buf[n - 1] == 'Z' || buf[n - 1] == 'z' ||
	    strchr(buf + 10, '+') != NULL || strchr(buf + 11, '-') != NULL))
		zoned = 1;
	if (sp_time_parse_iso(buf, t) != 0)
		return -1;
	if (zoned || v->utc)
		return 0;
	/* the same wall-clock time in the view's zone */
	sec = (time_t)sp_time_sec(*t);
	if (gmtime_r(&sec, &tm) == NULL)
		return -1;
	tm.tm_isdst = -1;
	sec = mktime(&tm);
	*t = sp_time_from_parts((int64_t)sec, sp_time_nsec(*t));
	return 0;
}
