/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A growing string for the code that builds text piece by piece
 * (messages, paths, decoded values), after git's strbuf.  Once used, buf
 * is always NUL-terminated.  An allocation failure is sticky: the buffer
 * stops growing, oom is set and every later add returns SP_E_NOMEM, so a
 * caller may add many pieces and check once.
 */
#ifndef SPOOR_STRBUF_H
#define SPOOR_STRBUF_H

#include <stddef.h>

struct sp_strbuf {
	char *buf;		/* NULL until the first add; owned */
	size_t len, alloc;
	int oom;		/* an allocation failed */
};

#define SP_STRBUF_INIT { NULL, 0, 0, 0 }

void sp_strbuf_init(struct sp_strbuf *sb);
/* Free the text; sb is empty and usable again. */
void sp_strbuf_release(struct sp_strbuf *sb);
/* Append s[n], which may hold NUL bytes.  SP_OK or SP_E_NOMEM. */
int sp_strbuf_addn(struct sp_strbuf *sb, const char *s, size_t n);
/* Append the string s. */
int sp_strbuf_add(struct sp_strbuf *sb, const char *s);
/* Append printf-formatted text. */
int sp_strbuf_addf(struct sp_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Empty the text, keeping the memory. */
void sp_strbuf_reset(struct sp_strbuf *sb);
/* The text, "" when nothing was added; borrowed until the next change. */
const char *sp_strbuf_str(const struct sp_strbuf *sb);
/*
 * Hand the text over to the caller (free it; NULL when nothing was added
 * or an allocation failed) with its length in *len if len is not NULL;
 * sb is left empty.
 */
char *sp_strbuf_detach(struct sp_strbuf *sb, size_t *len);

#endif
