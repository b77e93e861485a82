/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A JSON Lines writer.  Every string goes through one escaper that keeps the
 * output valid JSON and valid UTF-8 whatever the input bytes: control
 * characters (C0 and NUL, DEL, and C1: U+0080-U+009F) are \u-escaped, and
 * each byte that is not part of a well-formed UTF-8 sequence becomes
 * U+FFFD.
 */
#ifndef SPOOR_JSON_H
#define SPOOR_JSON_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#include "time.h"

/* Version of every JSON record schema; bumped when a field changes meaning. */
#define SP_JSON_SCHEMA 1

/* Caller-owned writer for one stream; nesting up to 16 levels. */
struct sp_json {
	FILE *out;
	int depth;
	int after_key;
	int first[16];
};

/* Bind w to out (borrowed, not closed by the writer). */
void sp_json_init(struct sp_json *w, FILE *out);

void sp_json_object_begin(struct sp_json *w);
void sp_json_object_end(struct sp_json *w);
void sp_json_array_begin(struct sp_json *w);
void sp_json_array_end(struct sp_json *w);
/* End the current record with a newline (depth must be 0). */
void sp_json_line_end(struct sp_json *w);

void sp_json_key(struct sp_json *w, const char *key);
void sp_json_str(struct sp_json *w, const char *s);
void sp_json_strn(struct sp_json *w, const char *s, size_t len);
void sp_json_int(struct sp_json *w, int64_t v);
void sp_json_uint(struct sp_json *w, uint64_t v);
void sp_json_bool(struct sp_json *w, int v);
void sp_json_null(struct sp_json *w);
/* A value that is already JSON text (written by this library), as is. */
void sp_json_raw(struct sp_json *w, const char *json);

/* Key plus value in one call; sp_json_kv_str writes null for a NULL s. */
void sp_json_kv_str(struct sp_json *w, const char *key, const char *s);
void sp_json_kv_int(struct sp_json *w, const char *key, int64_t v);
void sp_json_kv_uint(struct sp_json *w, const char *key, uint64_t v);
void sp_json_kv_bool(struct sp_json *w, const char *key, int v);
/*
 * A time as two members: key with ISO-8601 UTC to the nanosecond and
 * key_ns with the nanoseconds since the epoch; both null for SP_TIME_NONE.
 */
void sp_json_kv_time(struct sp_json *w, const char *key, sp_time_ns t);

/*
 * A JSON text built in memory: fill writes one value through w.  Returns
 * a string the caller frees, or NULL when out of memory.
 */
char *sp_json_to_string(void (*fill)(struct sp_json *w, const void *arg),
    const void *arg);

/*
 * Write s (len bytes) to out as the inside of a JSON string, escaped as
 * described above.  Exposed for writers of other formats.
 */
void sp_json_escape(FILE *out, const char *s, size_t len);

/*
 * Length of the well-formed UTF-8 sequence at s (n > 0 bytes left, s
 * borrowed for the call), or 0: overlongs, surrogates and code points past
 * U+10FFFF are not well-formed.
 */
size_t sp_utf8_seq(const unsigned char *s, size_t n);

/*
 * Reading JSON text this library wrote (the typed fields of an event),
 * which a hostile case may have changed: every function checks bounds and
 * nesting (at most 64 levels) and fails on malformed text rather than
 * guessing.  A value is a span of the text, borrowed from it.
 */
enum sp_json_type {
	SP_JSON_NULL, SP_JSON_FALSE, SP_JSON_TRUE, SP_JSON_NUMBER,
	SP_JSON_STRING, SP_JSON_ARRAY, SP_JSON_OBJECT
};
struct sp_json_val {
	enum sp_json_type type;
	const char *p;		/* the value's first byte ('"' of a string) */
	size_t len;		/* its length in bytes, quotes included */
};

/*
 * Call cb for each member of the object that text (len bytes) holds, in
 * order, with the raw key (between its quotes, escapes left as they are)
 * and the value; cb returns 0 to go on, anything else to stop.  Returns 0
 * when the whole object was read (or cb stopped), -1 when the text is not
 * one JSON object.
 */
int sp_json_members(const char *text, size_t len,
    int (*cb)(const char *key, size_t klen, const struct sp_json_val *v,
    void *arg), void *arg);
/* Call cb for each element of the array v (-1 when v is not an array). */
int sp_json_elements(const struct sp_json_val *v,
    int (*cb)(const struct sp_json_val *e, void *arg), void *arg);
/*
 * The string v decoded (escapes, \u with surrogate pairs; a \u0000 or an
 * invalid escape makes it fail) into a new NUL-terminated string the
 * caller frees; NULL when v is not a string, is malformed, or on no memory.
 */
char *sp_json_string(const struct sp_json_val *v);
/* The integer v into *out: 0, or -1 when v is not an integer in range. */
int sp_json_integer(const struct sp_json_val *v, int64_t *out);

#endif
