/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the JSON string escaper: whatever the input bytes,
 * sp_json_escape must produce the inside of a valid JSON string that is
 * valid UTF-8 and decodes back to the input with each byte that is not
 * part of well-formed UTF-8 replaced by U+FFFD.  The checker here is
 * written independently of lib/base/json.c on purpose.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Decode one well-formed UTF-8 sequence (RFC 3629: no overlongs, no
 * surrogates, nothing past U+10FFFF) at s; its length, or 0.
 */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c, min;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2; c = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3; c = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4; c = s[0] & 0x07; min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static size_t
utf8_encode(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Check that s (n bytes) is valid UTF-8 and valid JSON string content
 * (RFC 8259 section 7) and decode it into out (at least n bytes + 4).
 * Returns the decoded length, or (size_t)-1 when invalid.
 */
static size_t
json_string_decode(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i = 0, o = 0, k;
	uint32_t cp, lo;
	int h, j;

	while (i < n) {
		if ((k = utf8_decode(s + i, n - i, &cp)) == 0)
			return (size_t)-1;	/* not UTF-8 */
		if (cp < 0x20 || cp == '"')
			return (size_t)-1;	/* must be escaped */
		if (cp != '\\') {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
			continue;
		}
		if (++i >= n)
			return (size_t)-1;	/* lone backslash at the end */
		switch (s[i++]) {
		case '"': out[o++] = '"'; continue;
		case '\\': out[o++] = '\\'; continue;
		case '/': out[o++] = '/'; continue;
		case 'b': out[o++] = '\b'; continue;
		case 'f': out[o++] = '\f'; continue;
		case 'n': out[o++] = '\n'; continue;
		case 'r': out[o++] = '\r'; continue;
		case 't': out[o++] = '\t'; continue;
		case 'u': break;
		default: return (size_t)-1;
		}
		if (n - i < 4)
			return (size_t)-1;
		for (cp = 0, j = 0; j < 4; j++) {
			if ((h = hexval(s[i + j])) < 0)
				return (size_t)-1;
			cp = cp << 4 | (uint32_t)h;
		}
		i += 4;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return (size_t)-1;	/* unpaired low surrogate */
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (n - i < 6 || s[i] != '\\' || s[i + 1] != 'u')
				return (size_t)-1;
			for (lo = 0, j = 0; j < 4; j++) {
				if ((h = hexval(s[i + 2 + j])) < 0)
					return (size_t)-1;
				lo = lo << 4 | (uint32_t)h;
			}
			if (lo < 0xdc00 || lo > 0xdfff)
				return (size_t)-1;
			i += 6;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		o += utf8_encode(cp, out + o);
	}
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char fffd[3] = { 0xef, 0xbf, 0xbd };
	unsigned char *decoded, *expect;
	char *buf = NULL;
	size_t len = 0, dlen, elen = 0, i = 0, k;
	uint32_t cp;
	FILE *out;

	if ((out = open_memstream(&buf, &len)) == NULL)
		abort();
	sp_json_escape(out, (const char *)data, size);
	if (fclose(out) != 0)
		abort();
	/* escaping never shrinks the text; \uXXXX decodes to at most 3 bytes */
	if ((decoded = malloc(len + 4)) == NULL ||
	    (expect = malloc(3 * size + 4)) == NULL)
		abort();
	dlen = json_string_decode((const unsigned char *)buf, len, decoded);
	if (dlen == (size_t)-1) {
		fprintf(stderr, "fuzz_json: escaper output is not a valid "
		    "JSON string or not UTF-8\n");
		abort();
	}
	while (i < size) {
		if ((k = utf8_decode(data + i, size - i, &cp)) != 0) {
			memcpy(expect + elen, data + i, k);
			elen += k;
			i += k;
		} else {
			memcpy(expect + elen, fffd, 3);
			elen += 3;
			i++;
		}
	}
	if (dlen != elen || memcmp(decoded, expect, elen) != 0) {
		fprintf(stderr, "fuzz_json: escaped text does not decode to "
		    "the input (with U+FFFD for invalid bytes)\n");
		abort();
	}
	free(expect);
	free(decoded);
	free(buf);
	return 0;
}
