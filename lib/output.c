/*
 * Record formats shared by the tools (see include/spoor/output.h).
 */
#include <inttypes.h>
#include <string.h>

#include "spoor/output.h"
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
	snprintf(buf, size, "%c/%c%s", e->name_type, e->meta_type, p);
	return buf;
}

char *
sp_entry_inode_string(const struct sp_entry *e, char *buf, size_t size)
{
	if (e->flags & SP_ENTRY_ATTR)
		snprintf(buf, size, "%" PRIu64 "-%" PRIu32 "-%u", e->inode,
		    e->attr_type, (unsigned)e->attr_id);
	else
		snprintf(buf, size, "%" PRIu64, e->inode);
	return buf;
}

/* Names as TSK writes them: control characters become '^'. */
static void
put_name(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '^' : *s, out);
}

static void
put_time(FILE *out, sp_time_ns t, unsigned flags)
{
	if (t == SP_TIME_NONE) {
		fputc('0', out);
		return;
	}
	if (flags & SP_BODYFILE_NS) {
		fprintf(out, "%" PRId64, sp_time_sec(t));
		if (sp_time_nsec(t) != 0)
			fprintf(out, ".%09" PRId32, sp_time_nsec(t));
	} else
		/* TSK writes seconds as an unsigned 32-bit number */
		fprintf(out, "%" PRIu32, (uint32_t)sp_time_sec(t));
}

void
sp_bodyfile_write(FILE *out, const struct sp_entry *e, const char *md5,
    unsigned flags)
{
	char mode[32], ino[48];

	fprintf(out, "%s|", md5 ? md5 : "0");
	put_name(out, e->path);
	if (e->stream != NULL) {
		fputc(':', out);
		put_name(out, e->stream);
	}
	if (e->flags & SP_ENTRY_FILE_NAME)
		fputs(" ($FILE_NAME)", out);
	if (e->link != NULL) {
		fputs(" -> ", out);
		put_name(out, e->link);
	}
	if (e->flags & SP_ENTRY_DELETED)
		fputs(e->flags & SP_ENTRY_REALLOC ? " (deleted-realloc)" :
		    " (deleted)", out);
	fprintf(out, "|%s|%s|", sp_entry_inode_string(e, ino, sizeof(ino)),
	    sp_entry_mode_string(e, mode, sizeof(mode)));
	if (e->flags & SP_ENTRY_NO_META)
		fputs("0|0|0|", out);
	else
		fprintf(out, "%" PRIu32 "|%" PRIu32 "|%" PRIu64 "|", e->uid,
		    e->gid, e->size);
	put_time(out, e->atime, flags);
	fputc('|', out);
	put_time(out, e->mtime, flags);
	fputc('|', out);
	put_time(out, e->ctime, flags);
	fputc('|', out);
	put_time(out, e->crtime, flags);
	fputc('\n', out);
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

static void
kv_time(struct sp_json *w, const char *key, sp_time_ns t)
{
	char buf[SP_TIME_ISO_MAX], k[32];

	if (t == SP_TIME_NONE) {
		sp_json_key(w, key);
		sp_json_null(w);
		snprintf(k, sizeof(k), "%s_ns", key);
		sp_json_key(w, k);
		sp_json_null(w);
		return;
	}
	sp_json_kv_str(w, key, sp_time_format_iso(t, 9, buf, sizeof(buf)));
	snprintf(k, sizeof(k), "%s_ns", key);
	sp_json_kv_int(w, k, t);
}

void
sp_entry_json_write(struct sp_json *w, const struct sp_entry *e)
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
	kv_time(w, "atime", e->atime);
	kv_time(w, "mtime", e->mtime);
	kv_time(w, "ctime", e->ctime);
	kv_time(w, "crtime", e->crtime);
	if (e->dtime != SP_TIME_NONE)
		kv_time(w, "dtime", e->dtime);
	sp_json_kv_bool(w, "deleted", (e->flags & SP_ENTRY_DELETED) != 0);
	sp_json_kv_bool(w, "realloc", (e->flags & SP_ENTRY_REALLOC) != 0);
	sp_json_kv_bool(w, "file_name_times",
	    (e->flags & SP_ENTRY_FILE_NAME) != 0);
	sp_json_kv_bool(w, "has_metadata", !(e->flags & SP_ENTRY_NO_META));
	sp_json_kv_str(w, "link", e->link);
	sp_json_object_end(w);
	sp_json_line_end(w);
}

void
sp_print_safe(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}
