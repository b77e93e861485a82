/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The growing string of include/spoor/strbuf.h: doubling from 64 bytes,
 * with a sticky out-of-memory state.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/err.h"
#include "spoor/strbuf.h"

void
sp_strbuf_init(struct sp_strbuf *sb)
{
	memset(sb, 0, sizeof(*sb));
}

void
sp_strbuf_release(struct sp_strbuf *sb)
{
	free(sb->buf);
	memset(sb, 0, sizeof(*sb));
}

/* Room for need more bytes and the NUL. */
static int
grow(struct sp_strbuf *sb, size_t need)
{
	size_t alloc;
	char *p;

	if (sb->oom || need > SIZE_MAX / 2 - sb->len - 1)
		return sb->oom = 1, SP_E_NOMEM;
	if (sb->len + need + 1 <= sb->alloc)
		return SP_OK;
	alloc = sb->alloc ? sb->alloc : 64;
	while (alloc < sb->len + need + 1)
		alloc *= 2;
	if ((p = realloc(sb->buf, alloc)) == NULL)
		return sb->oom = 1, SP_E_NOMEM;
	sb->buf = p;
	sb->alloc = alloc;
	return SP_OK;
}

int
sp_strbuf_addn(struct sp_strbuf *sb, const char *s, size_t n)
{
	if (grow(sb, n) != SP_OK)
		return SP_E_NOMEM;
	if (n > 0)
		memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return SP_OK;
}

int
sp_strbuf_add(struct sp_strbuf *sb, const char *s)
{
	return sp_strbuf_addn(sb, s, strlen(s));
}

int
sp_strbuf_addf(struct sp_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(sb, (size_t)n) != SP_OK)
		return SP_E_NOMEM;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return SP_OK;
}

void
sp_strbuf_reset(struct sp_strbuf *sb)
{
	sb->len = 0;
	if (sb->buf != NULL)
		sb->buf[0] = '\0';
}

const char *
sp_strbuf_str(const struct sp_strbuf *sb)
{
	return sb->buf != NULL ? sb->buf : "";
}

char *
sp_strbuf_detach(struct sp_strbuf *sb, size_t *len)
{
	char *p = sb->oom ? NULL : sb->buf;

	if (len != NULL)
		*len = p != NULL ? sb->len : 0;
	if (p == NULL)
		free(sb->buf);
	memset(sb, 0, sizeof(*sb));
	return p;
}
