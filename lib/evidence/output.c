/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Record formats shared by the tools (see include/spoor/output.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/evidence.h"
#include "spoor/hash.h"
#include "spoor/json.h"
#include "spoor/output.h"
#include "spoor/strbuf.h"
#include "spoor/time.h"

char *
sp_entry_mode_string(const struct sp_entry *e, char *buf, size_t size)
{
	uint32_t m = e->mode;
	char p[10];

	if (e->flags & SP_ENTRY_NO_META) {
		snprintf(buf, size, "%c/----------", e->name_type);
		return buf;
	}
	p[0] = m & 0400 ? 'r' : '-';
	p[1] = m & 0200 ? 'w' : '-';
	p[2] = m & 04000 ? (m & 0100 ? 's' : 'S') : (m & 0100 ? 'x' : '-');
	p[3] = m & 040 ? 'r' : '-';
	p[4] = m & 020 ? 'w' : '-';
	p[5] = m & 02000 ? (m & 010 ? 's' : 'S') : (m & 010 ? 'x' : '-');
	p[6] = m & 04 ? 'r' : '-';
	p[7] = m & 02 ? 'w' : '-';
	p[8] = m & 01000 ? (m & 01 ? 't' : 'T') : (m & 01 ? 'x' : '-');
	p[9] = '\0';
	if (size < 13)
		return buf;
	buf[0] = e->name_type;
	buf[1] = '/';
	buf[2] = e->meta_type;
	memcpy(buf + 3, p, 10);
	return buf;
}

char *
sp_entry_inode_string(const struct sp_entry *e, char *buf, size_t size)
{
	char tmp[24], *p;
	uint64_t v = e->inode;

	if (e->flags & SP_ENTRY_ATTR) {
		snprintf(buf, size, "%" PRIu64 "-%" PRIu32 "-%u", e->inode,
		    e->attr_type, (unsigned)e->attr_id);
		return buf;
	}
	p = tmp + sizeof(tmp);
	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	snprintf(buf, size, "%s", p);
	return buf;
}

/*
 * A line is built in a growing buffer and written with one fwrite: the
 * bodyfile of a large image is millions of lines, and stdio's per-call
 * cost dominates otherwise.
 */
struct line {
	char *p;
	size_t len, cap;
	char stack[1024];
};

static void
line_init(struct line *l)
{
	l->p = l->stack;
	l->len = 0;
	l->cap = sizeof(l->stack);
}

static int
line_grow(struct line *l, size_t n)
{
	size_t cap = l->cap;
	char *q;

	while (cap - l->len < n)
		cap *= 2;
	if (l->p == l->stack) {
		if ((q = malloc(cap)) == NULL)
			return -1;
		memcpy(q, l->stack, l->len);
	} else if ((q = realloc(l->p, cap)) == NULL)
		return -1;
	l->p = q;
	l->cap = cap;
	return 0;
}

static void
line_put(struct line *l, const char *s, size_t n)
{
	if (l->cap - l->len < n && line_grow(l, n) != 0)
		return;
	memcpy(l->p + l->len, s, n);
	l->len += n;
}

static void
line_str(struct line *l, const char *s)
{
	line_put(l, s, strlen(s));
}

/*
 * Names as TSK writes them: control characters become '^'.  So do C1
 * control characters (U+0080-U+009F, two bytes in UTF-8) and the bytes
 * 0x80-0x9f that are no part of UTF-8, which terminals that take 8-bit
 * controls would obey.
 */
static void
line_name(struct line *l, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i, k;
	char *d;

	if (l->cap - l->len < n && line_grow(l, n) != 0)
		return;
	d = l->p + l->len;
	for (i = 0; i < n; i += k) {
		k = s[i] < 0x80 ? 1 : sp_utf8_seq(s + i, n - i);
		if (s[i] < 0x20 || s[i] == 0x7f ||
		    (k == 0 && s[i] <= 0x9f) ||
		    (k == 2 && s[i] == 0xc2 && s[i + 1] <= 0x9f))
			*d++ = '^';
		else if (k == 0)
			*d++ = (char)s[i];
		else {
			memcpy(d, s + i, k);
			d += k;
		}
		if (k == 0)
			k = 1;
	}
	l->len = (size_t)(d - l->p);
}

static void
line_u64(struct line *l, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	line_put(l, p, (size_t)(buf + sizeof(buf) - p));
}

static void
line_time(struct line *l, sp_time_ns t, unsigned flags)
{
	char frac[16];
	int64_t sec;

	if (t == SP_TIME_NONE) {
		line_put(l, "0", 1);
		return;
	}
	sec = sp_time_sec(t);
	if (flags & SP_BODYFILE_NS) {
		/* sign and magnitude, as the reader takes "-S.F" */
		uint64_t mag = t < 0 ? -(uint64_t)t : (uint64_t)t;
		if (t < 0)
			line_put(l, "-", 1);
		line_u64(l, mag / SP_NS_PER_SEC);
		if (mag % SP_NS_PER_SEC != 0) {
			snprintf(frac, sizeof(frac), ".%09" PRIu64,
			    mag % SP_NS_PER_SEC);
			line_str(l, frac);
		}
	} else
		/* TSK writes seconds as an unsigned 32-bit number */
		line_u64(l, (uint32_t)sec);
}

static void
put_name(FILE *out, const char *s)
{
	struct line l;

	line_init(&l);
	line_name(&l, s);
	fwrite(l.p, 1, l.len, out);
	if (l.p != l.stack)
		free(l.p);
}

/* The bodyfile's name field of e into l (control characters as '^'). */
static void
line_display_name(struct line *l, const struct sp_entry *e)
{
	line_name(l, e->path);
	if (e->stream != NULL) {
		line_put(l, ":", 1);
		line_name(l, e->stream);
	}
	if (e->flags & SP_ENTRY_FILE_NAME)
		line_str(l, " ($FILE_NAME)");
	if (e->link != NULL) {
		line_str(l, " -> ");
		line_name(l, e->link);
	}
	if (e->flags & SP_ENTRY_DELETED)
		line_str(l, e->flags & SP_ENTRY_REALLOC ?
		    " (deleted-realloc)" : " (deleted)");
}

void
sp_bodyfile_write(FILE *out, const struct sp_entry *e, const char *md5,
    unsigned flags)
{
	char mode[32], ino[48];
	struct line l;

	line_init(&l);
	line_str(&l, md5 ? md5 : "0");
	line_put(&l, "|", 1);
	line_display_name(&l, e);
	line_put(&l, "|", 1);
	line_str(&l, sp_entry_inode_string(e, ino, sizeof(ino)));
	line_put(&l, "|", 1);
	line_str(&l, sp_entry_mode_string(e, mode, sizeof(mode)));
	line_put(&l, "|", 1);
	if (e->flags & SP_ENTRY_NO_META)
		line_str(&l, "0|0|0|");
	else {
		line_u64(&l, e->uid);
		line_put(&l, "|", 1);
		line_u64(&l, e->gid);
		line_put(&l, "|", 1);
		line_u64(&l, e->size);
		line_put(&l, "|", 1);
	}
	line_time(&l, e->atime, flags);
	line_put(&l, "|", 1);
	line_time(&l, e->mtime, flags);
	line_put(&l, "|", 1);
	line_time(&l, e->ctime, flags);
	line_put(&l, "|", 1);
	line_time(&l, e->crtime, flags);
	line_put(&l, "\n", 1);
	fwrite(l.p, 1, l.len, out);
	if (l.p != l.stack)
		free(l.p);
}

void
sp_mactime_write(FILE *out, const struct sp_entry *e, unsigned macb,
    const char *date, size_t date_width, int csv)
{
	char mode[32], ino[48], buf[64], letters[5];
	struct line l, name;
	size_t i;

	letters[0] = macb & 1 ? 'm' : '.';
	letters[1] = macb & 2 ? 'a' : '.';
	letters[2] = macb & 4 ? 'c' : '.';
	letters[3] = macb & 8 ? 'b' : '.';
	letters[4] = '\0';
	sp_entry_mode_string(e, mode, sizeof(mode));
	sp_entry_inode_string(e, ino, sizeof(ino));
	line_init(&name);
	line_display_name(&name, e);
	line_init(&l);
	if (csv) {
		line_str(&l, date);
		snprintf(buf, sizeof(buf), ",%" PRIu64 ",%s,", e->size, letters);
		line_str(&l, buf);
		line_str(&l, mode);
		snprintf(buf, sizeof(buf), ",%" PRIu32 ",%" PRIu32 ",",
		    e->uid, e->gid);
		line_str(&l, buf);
		line_str(&l, ino);
		line_str(&l, ",\"");
		for (i = 0; i < name.len; i++) {
			if (name.p[i] == '"')
				line_put(&l, "\"", 1);
			line_put(&l, name.p + i, 1);
		}
		line_str(&l, "\"\n");
	} else {
		if (date != NULL)
			line_str(&l, date);
		else
			for (i = 0; i < date_width; i++)
				line_put(&l, " ", 1);
		snprintf(buf, sizeof(buf), " %8" PRIu64 " %3s ", e->size,
		    letters);
		line_str(&l, buf);
		line_str(&l, mode);
		snprintf(buf, sizeof(buf), " %-8" PRIu32 " %-8" PRIu32 " %-8s ",
		    e->uid, e->gid, ino);
		line_str(&l, buf);
		line_put(&l, name.p, name.len);
		line_put(&l, "\n", 1);
	}
	fwrite(l.p, 1, l.len, out);
	if (l.p != l.stack)
		free(l.p);
	if (name.p != name.stack)
		free(name.p);
}

int
sp_fs_list_write(struct sp_strbuf *sb, const struct sp_evidence *ev,
    const unsigned *idx, size_t n)
{
	const struct sp_fs_info *fs;
	size_t i;
	int rc = SP_OK;

	if (idx == NULL)
		n = sp_evidence_fs_count(ev);
	for (i = 0; i < n && rc == SP_OK; i++) {
		if ((fs = sp_evidence_fs(ev, idx ? idx[i] : i)) == NULL)
			continue;
		rc = sp_strbuf_addf(sb, "%s%u (%s at offset %" PRIu64 ")",
		    i ? ", " : "", fs->index, fs->type, fs->offset);
	}
	return rc;
}

void
sp_fls_write(FILE *out, const struct sp_entry *e)
{
	char ino[48], mt = e->meta_type;

	if (e->flags & SP_ENTRY_FILE_NAME)
		return;	/* times only; fls lists names */
	/* an NTFS directory's data stream lists as a file, as fls does */
	if ((e->flags & SP_ENTRY_ATTR) && e->attr_type == 128 && mt == 'd')
		mt = 'r';
	fprintf(out, "%c/%c ", e->name_type, mt);
	if (e->flags & SP_ENTRY_DELETED)
		fputs("* ", out);
	fprintf(out, "%s%s:\t", sp_entry_inode_string(e, ino, sizeof(ino)),
	    e->flags & SP_ENTRY_REALLOC ? "(realloc)" : "");
	put_name(out, e->path[0] == '/' ? e->path + 1 : e->path);
	if (e->stream != NULL) {
		fputc(':', out);
		put_name(out, e->stream);
	}
	fputc('\n', out);
}

void
sp_entry_json_write(struct sp_json *w, const struct sp_entry *e,
    const struct sp_hash *h)
{
	sp_entry_json_write_hashed(w, e, h, 0);
}

void
sp_entry_json_write_hashed(struct sp_json *w, const struct sp_entry *e,
    const struct sp_hash *h, unsigned mask)
{
	char buf[48], t[2] = { 0, 0 };

	sp_json_object_begin(w);
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_uint(w, "fs", e->fs_index);
	sp_json_kv_uint(w, "inode", e->inode);
	sp_json_kv_str(w, "inode_ref", sp_entry_inode_string(e, buf,
	    sizeof(buf)));
	sp_json_kv_str(w, "path", e->path);
	sp_json_kv_str(w, "name", e->name);
	sp_json_kv_str(w, "stream", e->stream);
	t[0] = e->name_type;
	sp_json_kv_str(w, "name_type", t);
	t[0] = e->meta_type;
	sp_json_kv_str(w, "meta_type", t);
	snprintf(buf, sizeof(buf), "%04o", e->mode);
	sp_json_kv_str(w, "mode", buf);
	sp_json_kv_str(w, "mode_string", sp_entry_mode_string(e, buf,
	    sizeof(buf)));
	sp_json_kv_uint(w, "uid", e->uid);
	sp_json_kv_uint(w, "gid", e->gid);
	sp_json_kv_uint(w, "size", e->size);
	sp_json_kv_uint(w, "nlink", e->nlink);
	sp_json_kv_time(w, "atime", e->atime);
	sp_json_kv_time(w, "mtime", e->mtime);
	sp_json_kv_time(w, "ctime", e->ctime);
	sp_json_kv_time(w, "crtime", e->crtime);
	if (e->dtime != SP_TIME_NONE)
		sp_json_kv_time(w, "dtime", e->dtime);
	sp_json_kv_bool(w, "deleted", (e->flags & SP_ENTRY_DELETED) != 0);
	sp_json_kv_bool(w, "realloc", (e->flags & SP_ENTRY_REALLOC) != 0);
	sp_json_kv_bool(w, "file_name_times",
	    (e->flags & SP_ENTRY_FILE_NAME) != 0);
	sp_json_kv_bool(w, "has_metadata", !(e->flags & SP_ENTRY_NO_META));
	sp_json_kv_str(w, "link", e->link);
	if (h != NULL) {
		if (sp_hash_hex(h, SP_HASH_MD5) != NULL)
			sp_json_kv_str(w, "md5", sp_hash_hex(h, SP_HASH_MD5));
		if (sp_hash_hex(h, SP_HASH_SHA1) != NULL)
			sp_json_kv_str(w, "sha1", sp_hash_hex(h, SP_HASH_SHA1));
		if (sp_hash_hex(h, SP_HASH_SHA256) != NULL)
			sp_json_kv_str(w, "sha256",
			    sp_hash_hex(h, SP_HASH_SHA256));
	} else if (mask != 0 && sp_entry_has_content(e)) {
		/* asked for, but there is no content to vouch for */
		if (mask & SP_HASH_MD5)
			sp_json_kv_str(w, "md5", NULL);
		if (mask & SP_HASH_SHA1)
			sp_json_kv_str(w, "sha1", NULL);
		if (mask & SP_HASH_SHA256)
			sp_json_kv_str(w, "sha256", NULL);
	}
	sp_json_object_end(w);
	sp_json_line_end(w);
}

void
sp_print_safe(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i = 0, k;

	while (i < n) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f) {
			fputc(c, out);
			i++;
			continue;
		}
		k = c < 0x80 ? 0 : sp_utf8_seq(s + i, n - i);
		if (k == 0) {
			/* a control character, or a byte that is no UTF-8 */
			fprintf(out, "\\x%02x", c);
			i++;
		} else if (k == 2 && c == 0xc2 && s[i + 1] <= 0x9f) {
			/* a C1 control character (U+0080-U+009F) */
			fprintf(out, "\\xc2\\x%02x", s[i + 1]);
			i += 2;
		} else {
			fwrite(s + i, 1, k, out);
			i += k;
		}
	}
}
