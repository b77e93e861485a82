/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A reader of JSON text: the members of one object and the elements of an
 * array as spans of the text, and the decoding of strings and integers.
 * It never allocates except for a decoded string, and it trusts nothing:
 * every step checks the end of the text, and nesting is bounded.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/json.h"

#define MAX_DEPTH 64

struct cur {
	const char *p, *end;
};

static void
ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
	    *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int
skip_string(struct cur *c)
{
	if (c->p >= c->end || *c->p != '"')
		return -1;
	for (c->p++; c->p < c->end; c->p++) {
		unsigned char ch = (unsigned char)*c->p;
		if (ch == '"') {
			c->p++;
			return 0;
		}
		if (ch < 0x20)
			return -1;
		if (ch == '\\') {
			if (++c->p >= c->end)
				return -1;
		}
	}
	return -1;
}

static int
skip_word(struct cur *c, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
		return -1;
	c->p += n;
	return 0;
}

static int
skip_number(struct cur *c)
{
	const char *s = c->p;
	if (c->p < c->end && *c->p == '-')
		c->p++;
	while (c->p < c->end && ((*c->p >= '0' && *c->p <= '9') ||
	    *c->p == '.' || *c->p == 'e' || *c->p == 'E' || *c->p == '+' ||
	    *c->p == '-'))
		c->p++;
	return c->p > s && (c->p[-1] >= '0' && c->p[-1] <= '9') ? 0 : -1;
}

static int skip_value(struct cur *c, struct sp_json_val *v, int depth);

static int
skip_container(struct cur *c, char open, int depth)
{
	char close = open == '{' ? '}' : ']';
	struct sp_json_val v;

	if (depth >= MAX_DEPTH)
		return -1;
	c->p++;
	ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return 0;
	}
	for (;;) {
		ws(c);
		if (open == '{') {
			if (skip_string(c) != 0)
				return -1;
			ws(c);
			if (c->p >= c->end || *c->p != ':')
				return -1;
			c->p++;
			ws(c);
		}
		if (skip_value(c, &v, depth + 1) != 0)
			return -1;
		ws(c);
		if (c->p >= c->end)
			return -1;
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p == close) {
			c->p++;
			return 0;
		}
		return -1;
	}
}

static int
skip_value(struct cur *c, struct sp_json_val *v, int depth)
{
	int rc;

	ws(c);
	if (c->p >= c->end)
		return -1;
	v->p = c->p;
	switch (*c->p) {
	case '"':
		v->type = SP_JSON_STRING;
		rc = skip_string(c);
		break;
	case '{':
		v->type = SP_JSON_OBJECT;
		rc = skip_container(c, '{', depth);
		break;
	case '[':
		v->type = SP_JSON_ARRAY;
		rc = skip_container(c, '[', depth);
		break;
	case 't':
		v->type = SP_JSON_TRUE;
		rc = skip_word(c, "true");
		break;
	case 'f':
		v->type = SP_JSON_FALSE;
		rc = skip_word(c, "false");
		break;
	case 'n':
		v->type = SP_JSON_NULL;
		rc = skip_word(c, "null");
		break;
	default:
		v->type = SP_JSON_NUMBER;
		rc = skip_number(c);
		break;
	}
	v->len = (size_t)(c->p - v->p);
	return rc;
}

int
sp_json_members(const char *text, size_t len,
    int (*cb)(const char *key, size_t klen, const struct sp_json_val *v,
    void *arg), void *arg)
{
	struct cur c = { text, text + len };
	struct sp_json_val v;
	const char *key, *kend;

	if (text == NULL)
		return -1;
	ws(&c);
	if (c.p >= c.end || *c.p != '{')
		return -1;
	c.p++;
	ws(&c);
	if (c.p < c.end && *c.p == '}')
		return 0;
	for (;;) {
		ws(&c);
		key = c.p;
		if (skip_string(&c) != 0)
			return -1;
		kend = c.p - 1;
		ws(&c);
		if (c.p >= c.end || *c.p != ':')
			return -1;
		c.p++;
		if (skip_value(&c, &v, 1) != 0)
			return -1;
		if (cb(key + 1, (size_t)(kend - key - 1), &v, arg) != 0)
			return 0;
		ws(&c);
		if (c.p >= c.end)
			return -1;
		if (*c.p == '}')
			return 0;
		if (*c.p++ != ',')
			return -1;
	}
}

int
sp_json_elements(const struct sp_json_val *arr,
    int (*cb)(const struct sp_json_val *e, void *arg), void *arg)
{
	struct cur c;
	struct sp_json_val v;

	if (arr == NULL || arr->type != SP_JSON_ARRAY || arr->len < 2)
		return -1;
	c.p = arr->p + 1;
	c.end = arr->p + arr->len;
	ws(&c);
	if (c.p < c.end && *c.p == ']')
		return 0;
	for (;;) {
		if (skip_value(&c, &v, 1) != 0)
			return -1;
		if (cb(&v, arg) != 0)
			return 0;
		ws(&c);
		if (c.p >= c.end)
			return -1;
		if (*c.p == ']')
			return 0;
		if (*c.p++ != ',')
			return -1;
	}
}

static int
hex4(const char *p, const char *end, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char h = p[i];
		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

char *
sp_json_string(const struct sp_json_val *v)
{
	const char *p, *end;
	char *out, *o;
	unsigned cp, lo;

	if (v == NULL || v->type != SP_JSON_STRING || v->len < 2)
		return NULL;
	p = v->p + 1;
	end = v->p + v->len - 1;
	/* an escape never decodes longer than it is written */
	if ((out = malloc(v->len)) == NULL)
		return NULL;
	for (o = out; p < end; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		if (++p >= end)
			goto bad;
		switch (*p) {
		case '"': case '\\': case '/':
			*o++ = *p;
			break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (hex4(p + 1, end, &cp) != 0)
				goto bad;
			p += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (end - p < 7 || p[1] != '\\' || p[2] != 'u' ||
				    hex4(p + 3, end, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				goto bad;
			}
			if (cp == 0)
				goto bad;
			o += put_utf8(o, cp);
			break;
		default:
			goto bad;
		}
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

int
sp_json_integer(const struct sp_json_val *v, int64_t *out)
{
	char buf[32], *e;
	long long n;

	if (v == NULL || v->type != SP_JSON_NUMBER || v->len == 0 ||
	    v->len >= sizeof(buf))
		return -1;
	memcpy(buf, v->p, v->len);
	buf[v->len] = '\0';
	errno = 0;
	n = strtoll(buf, &e, 10);
	if (errno != 0 || *e != '\0')
		return -1;
	*out = (int64_t)n;
	return 0;
}
