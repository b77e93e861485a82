/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON Lines writer (see include/spoor/json.h).  The escaper validates UTF-8
 * itself (overlongs, surrogates and code points past U+10FFFF are invalid)
 * so that no input can make a record unparseable.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/json.h"

size_t
sp_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void
sp_json_escape(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0, k;

	while (i < len) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		if (c >= 0x80 && (k = sp_utf8_seq(s + i, len - i)) != 0 &&
		    !(k == 2 && c == 0xc2 && s[i + 1] <= 0x9f)) {
			i += k;
			run += k;
			continue;
		}
		if (run)
			fwrite(s + i - run, 1, run, out);
		run = 0;
		switch (c) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else if (c == 0xc2 && i + 1 < len &&
			    s[i + 1] >= 0x80 && s[i + 1] <= 0x9f) {
				/* a C1 control character, U+0080-U+009F */
				fprintf(out, "\\u%04x", s[i + 1]);
				i++;
			} else
				fputs("\\ufffd", out);	/* invalid UTF-8 byte */
		}
		i++;
	}
	if (run)
		fwrite(s + i - run, 1, run, out);
}

void
sp_json_init(struct sp_json *w, FILE *out)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->first[0] = 1;
}

/* Separator before a value at the current level (not after a key). */
static void
sep(struct sp_json *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0 && !w->first[w->depth])
		fputc(',', w->out);
	w->first[w->depth] = 0;
}

static void
push(struct sp_json *w, int c)
{
	sep(w);
	fputc(c, w->out);
	if (w->depth < 15)
		w->depth++;
	w->first[w->depth] = 1;
}

static void
pop(struct sp_json *w, int c)
{
	fputc(c, w->out);
	if (w->depth > 0)
		w->depth--;
}

void sp_json_object_begin(struct sp_json *w) { push(w, '{'); }
void sp_json_object_end(struct sp_json *w) { pop(w, '}'); }
void sp_json_array_begin(struct sp_json *w) { push(w, '['); }
void sp_json_array_end(struct sp_json *w) { pop(w, ']'); }

void
sp_json_line_end(struct sp_json *w)
{
	fputc('\n', w->out);
	w->depth = 0;
	w->after_key = 0;
	w->first[0] = 1;
}

void
sp_json_key(struct sp_json *w, const char *key)
{
	sep(w);
	fputc('"', w->out);
	sp_json_escape(w->out, key, strlen(key));
	fputs("\":", w->out);
	w->after_key = 1;	/* the value that follows takes no comma */
}

void
sp_json_strn(struct sp_json *w, const char *s, size_t len)
{
	sep(w);
	fputc('"', w->out);
	sp_json_escape(w->out, s, len);
	fputc('"', w->out);
}

void
sp_json_str(struct sp_json *w, const char *s)
{
	if (s == NULL) {
		sp_json_null(w);
		return;
	}
	sp_json_strn(w, s, strlen(s));
}

/* v's decimal digits, with a '-' when neg: no printf per number */
static void
put_decimal(FILE *out, uint64_t v, int neg)
{
	char buf[24];
	size_t i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (neg)
		buf[--i] = '-';
	fwrite(buf + i, 1, sizeof(buf) - i, out);
}

void
sp_json_int(struct sp_json *w, int64_t v)
{
	sep(w);
	put_decimal(w->out, v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v,
	    v < 0);
}

void
sp_json_uint(struct sp_json *w, uint64_t v)
{
	sep(w);
	put_decimal(w->out, v, 0);
}

void
sp_json_bool(struct sp_json *w, int v)
{
	sep(w);
	fputs(v ? "true" : "false", w->out);
}

void
sp_json_null(struct sp_json *w)
{
	sep(w);
	fputs("null", w->out);
}

void
sp_json_kv_str(struct sp_json *w, const char *key, const char *s)
{
	sp_json_key(w, key);
	sp_json_str(w, s);
}

void
sp_json_kv_int(struct sp_json *w, const char *key, int64_t v)
{
	sp_json_key(w, key);
	sp_json_int(w, v);
}

void
sp_json_kv_uint(struct sp_json *w, const char *key, uint64_t v)
{
	sp_json_key(w, key);
	sp_json_uint(w, v);
}

void
sp_json_kv_bool(struct sp_json *w, const char *key, int v)
{
	sp_json_key(w, key);
	sp_json_bool(w, v);
}

void
sp_json_raw(struct sp_json *w, const char *json)
{
	sep(w);
	fputs(json, w->out);
}

void
sp_json_kv_time(struct sp_json *w, const char *key, sp_time_ns t)
{
	char buf[SP_TIME_ISO_MAX], k[64];

	snprintf(k, sizeof(k), "%s_ns", key);
	if (t == SP_TIME_NONE) {
		sp_json_key(w, key);
		sp_json_null(w);
		sp_json_key(w, k);
		sp_json_null(w);
		return;
	}
	sp_json_kv_str(w, key, sp_time_format_iso(t, 9, buf, sizeof(buf)));
	sp_json_kv_int(w, k, t);
}

char *
sp_json_to_string(void (*fill)(struct sp_json *, const void *),
    const void *arg)
{
	struct sp_json w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	sp_json_init(&w, f);
	fill(&w, arg);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
