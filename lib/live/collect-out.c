/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The output of a live collection (see include/spoor/collect.h): a new
 * directory, or a POSIX pax archive written to a file or standard
 * output, holding the items, collection.log and manifest.jsonl.  Every
 * item is hashed (SHA-256) as it is written.  In a directory the
 * manifest and the log grow on disk as items are finished; a tar stream
 * cannot go back, so there they are kept in memory and written as the
 * last two members, and an item written piece by piece is kept
 * compressed in memory until it ends.  A write that fails breaks the
 * output for good: nothing after it is written and no end line says it
 * is complete.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include "spoor/collect.h"
#include "spoor/hash.h"
#include "spoor/json.h"
#include "spoor/strbuf.h"
#include "spoor/time.h"
#include "base/util.h"

#ifndef SPOOR_VERSION
#define SPOOR_VERSION "0.0.0"
#endif

#define BUFSZ (256u * 1024)
#define BLOCK 512u
#define RECORD (20u * BLOCK)		/* GNU tar's default record */
#define LOG_MAX (64u << 20)		/* collection.log text kept */
#define SPOOL_MAX ((size_t)1 << 30)	/* compressed piecewise item */
#define USTAR_SIZE_MAX 077777777777ULL	/* 8 GiB - 1 in 11 octal digits */

struct sp_collect_item {
	struct sp_collect_out *o;
	struct sp_collect_item *next;
	char *name, *type;
	char *source;
	struct sp_collect_meta meta;
	struct sp_hash *hash;
	uint64_t size;
	int fd;			/* directory: the file; -1 in a tar */
	int dirfd;		/* directory: its folder, to drop it */
	char *base;		/* its last component */
	z_stream z;		/* tar: the compressed spool */
	int z_live;
	unsigned char *spool;
	size_t spool_len, spool_cap;
};

struct sp_collect_out {
	int tar;
	char *path;		/* as given, for messages */
	int rootfd;		/* directory */
	int manifest_fd;	/* directory */
	int log_fd;		/* directory */
	int fd;			/* tar: the archive */
	int own_fd;
	int broken;		/* the code of a failed write, or 0 */
	char broken_msg[SP_ERR_MSG_MAX];
	int broken_errno;
	int header_done;
	/* the header line */
	char *tool, *version, *host, *boot_id, *kernel, *machine;
	int64_t started_ns, uid;
	char **options;
	size_t noptions;
	struct sp_strbuf manifest;	/* tar: the whole manifest */
	struct sp_strbuf log;		/* tar: the whole log */
	struct sp_hash *log_hash;
	uint64_t log_size;
	int log_full;
	uint64_t items, bytes, problems;
	uint64_t offset;		/* tar: bytes written */
	struct sp_collect_item *open_items;
	unsigned char *buf;
};

static const unsigned char zeros[BLOCK * 2];

static void item_free(struct sp_collect_item *it);

/* ---- writing ---- */

/* Break the output: every later call returns this error. */
static int
out_break(struct sp_collect_out *o, int e, const char *what,
    struct sp_err *err)
{
	if (!o->broken) {
		o->broken = e == ENOSPC || e == EDQUOT ? SP_E_NOSPACE :
		    e == ENOMEM ? SP_E_NOMEM : SP_E_IO;
		o->broken_errno = e;
		snprintf(o->broken_msg, sizeof(o->broken_msg), "'%s': %s",
		    o->path, what);
	}
	return sp_err_set(err, o->broken, o->broken_errno, "%s",
	    o->broken_msg);
}

static int
out_check(struct sp_collect_out *o, struct sp_err *err)
{
	if (!o->broken)
		return SP_OK;
	return sp_err_set(err, o->broken, o->broken_errno, "%s",
	    o->broken_msg);
}

static int
write_all(struct sp_collect_out *o, int fd, const void *buf, size_t len,
    struct sp_err *err)
{
	const unsigned char *p = buf;
	ssize_t n;

	if (o->broken)
		return out_check(o, err);
	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return out_break(o, n < 0 ? errno : EIO, "write", err);
		p += n;
		len -= (size_t)n;
	}
	return SP_OK;
}

static int
tar_write(struct sp_collect_out *o, const void *buf, size_t len,
    struct sp_err *err)
{
	int rc = write_all(o, o->fd, buf, len, err);

	if (rc == SP_OK)
		o->offset += len;
	return rc;
}

/* Zeros up to the next 512-byte boundary. */
static int
tar_pad(struct sp_collect_out *o, struct sp_err *err)
{
	size_t r = (size_t)(o->offset % BLOCK);

	return r ? tar_write(o, zeros, BLOCK - r, err) : SP_OK;
}

/* ---- names ---- */

/* A relative name without empty, "." or ".." components. */
static int
name_check(const char *name, struct sp_err *err)
{
	const char *p = name, *q;
	size_t n;

	if (name == NULL || *name == '\0')
		return sp_err_set(err, SP_E_USAGE, 0, "empty item name");
	if (*name == '/')
		return sp_err_set(err, SP_E_USAGE, 0, "item name is absolute");
	for (;;) {
		q = strchr(p, '/');
		n = q ? (size_t)(q - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return sp_err_set(err, SP_E_USAGE, 0, "item name has "
			    "an empty, '.' or '..' component");
		if (q == NULL)
			break;
		p = q + 1;
	}
	return SP_OK;
}

static int
reserved(const char *name)
{
	return strcmp(name, "manifest.jsonl") == 0 ||
	    strcmp(name, "collection.log") == 0;
}

/*
 * Create name below the root, its folders as needed, never through a
 * symbolic link: *fd the new file, *dirfd its folder, *base its last
 * component (pointing into name).
 */
static int
dir_walk(struct sp_collect_out *o, const char *name, int create, int *dirfd,
    const char **base, struct sp_err *err);

static int
dir_create(struct sp_collect_out *o, const char *name, int *fd, int *dirfd,
    const char **base, struct sp_err *err)
{
	const char *p;
	int cur, e, rc;

	*fd = *dirfd = -1;
	if ((rc = dir_walk(o, name, 1, &cur, &p, err)) != SP_OK)
		return rc;
	*fd = openat(cur, p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (*fd < 0) {
		e = errno;
		close(cur);
		if (e == EEXIST)
			return sp_err_set(err, SP_E_EXISTS, 0, "item '%s': "
			    "already in the collection", name);
		if (e == ENOSPC || e == EDQUOT || e == EIO || e == EROFS)
			return out_break(o, e, "create", err);
		return sp_err_set(err, SP_E_CREATE, e, "item '%s'", name);
	}
	*dirfd = cur;
	*base = p;
	return SP_OK;
}

/*
 * The directory of item name below the root, one component at a time and
 * never through a symbolic link, made as needed with create: its fd in
 * *dirfd (the caller closes it) and the last component in *base.
 */
static int
dir_walk(struct sp_collect_out *o, const char *name, int create, int *dirfd,
    const char **base, struct sp_err *err)
{
	char comp[NAME_MAX + 1];
	const char *p = name, *q;
	int cur, next, e;
	size_t n;

	*dirfd = -1;
	if ((cur = dup(o->rootfd)) < 0)
		return sp_err_set(err, SP_E_OS, errno, "dup");
	fcntl(cur, F_SETFD, FD_CLOEXEC);
	while ((q = strchr(p, '/')) != NULL) {
		n = (size_t)(q - p);
		if (n > NAME_MAX) {
			close(cur);
			return sp_err_set(err, SP_E_CREATE, ENAMETOOLONG,
			    "item '%s'", name);
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (create && mkdirat(cur, comp, 0700) != 0 &&
		    errno != EEXIST) {
			e = errno;
			close(cur);
			if (e == ENOSPC || e == EDQUOT || e == EIO ||
			    e == EROFS)
				return out_break(o, e, "mkdir", err);
			return sp_err_set(err, SP_E_CREATE, e, "item '%s'",
			    name);
		}
		next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		e = errno;
		close(cur);
		if (next < 0) {
			if (e == ELOOP || e == ENOTDIR)
				return sp_err_set(err, SP_E_EXISTS, 0, "item "
				    "'%s': a file or symbolic link is in the "
				    "way", name);
			return sp_err_set(err, SP_E_CREATE, e, "item '%s'",
			    name);
		}
		cur = next;
		p = q + 1;
	}
	*dirfd = cur;
	*base = p;
	return SP_OK;
}

/* ---- tar headers ---- */

static void
octal(char *field, size_t width, uint64_t v)
{
	snprintf(field, width, "%0*llo", (int)width - 1,
	    (unsigned long long)v);
}

/* Append one pax record "LEN key=value\n". */
static void
pax_record(struct sp_strbuf *sb, const char *key, const char *val,
    size_t vlen)
{
	size_t base = strlen(key) + vlen + 3, len = base, digits;
	char num[24];

	for (;;) {
		digits = (size_t)snprintf(num, sizeof(num), "%zu", len);
		if (base + digits == len)
			break;
		len = base + digits;
	}
	sp_strbuf_add(sb, num);
	sp_strbuf_add(sb, " ");
	sp_strbuf_add(sb, key);
	sp_strbuf_add(sb, "=");
	sp_strbuf_addn(sb, val, vlen);
	sp_strbuf_add(sb, "\n");
}

static int
tar_block(struct sp_collect_out *o, const char *name, char type,
    uint64_t size, int64_t mtime, struct sp_err *err)
{
	unsigned char h[BLOCK];
	unsigned sum = 0;
	size_t i, n;
	int k;

	memset(h, 0, sizeof(h));
	/* the ustar name: printable ASCII, the rest '_' (pax has it all) */
	n = strlen(name);
	for (i = 0; i < n && i < 99; i++)
		h[i] = name[i] > 0x20 && name[i] < 0x7f ? (unsigned char)name[i]
		    : '_';
	octal((char *)h + 100, 8, type == 'x' ? 0644 : 0600);
	octal((char *)h + 108, 8, 0);
	octal((char *)h + 116, 8, 0);
	if (size <= USTAR_SIZE_MAX)
		octal((char *)h + 124, 12, size);
	else {
		/* base-256 for readers that do not read pax */
		h[124] = 0x80;
		for (k = 11; k >= 4; k--) {
			h[124 + k] = (unsigned char)(size & 0xff);
			size >>= 8;
		}
	}
	octal((char *)h + 136, 12, mtime < 0 || (uint64_t)mtime >
	    USTAR_SIZE_MAX ? 0 : (uint64_t)mtime);
	memset(h + 148, ' ', 8);
	h[156] = (unsigned char)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (i = 0; i < BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	h[155] = ' ';
	return tar_write(o, h, BLOCK, err);
}

/* The header of a member, with a pax header before it when needed. */
static int
tar_header(struct sp_collect_out *o, const char *name, uint64_t size,
    int64_t mtime, struct sp_err *err)
{
	struct sp_strbuf pax = SP_STRBUF_INIT;
	size_t i, n = strlen(name);
	int need = n > 99, rc;
	char num[24];

	for (i = 0; i < n && !need; i++)
		if ((unsigned char)name[i] < 0x20 ||
		    (unsigned char)name[i] >= 0x7f || name[i] == ' ')
			need = 1;
	if (need)
		pax_record(&pax, "path", name, n);
	if (size > USTAR_SIZE_MAX) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
		pax_record(&pax, "size", num, strlen(num));
	}
	if (mtime < 0 || (uint64_t)mtime > USTAR_SIZE_MAX) {
		snprintf(num, sizeof(num), "%lld", (long long)mtime);
		pax_record(&pax, "mtime", num, strlen(num));
	}
	if (pax.oom) {
		sp_strbuf_release(&pax);
		return out_break(o, ENOMEM, "pax header", err);
	}
	if (pax.len > 0) {
		rc = tar_block(o, "PaxHeaders/item", 'x', pax.len, mtime, err);
		if (rc == SP_OK)
			rc = tar_write(o, pax.buf, pax.len, err);
		if (rc == SP_OK)
			rc = tar_pad(o, err);
		sp_strbuf_release(&pax);
		if (rc != SP_OK)
			return rc;
	}
	return tar_block(o, name, '0', size, mtime, err);
}

/* ---- the manifest ---- */

static int
manifest_append(struct sp_collect_out *o, const char *line, size_t len,
    struct sp_err *err)
{
	if (o->broken)
		return out_check(o, err);
	if (!o->tar)
		return write_all(o, o->manifest_fd, line, len, err);
	if (sp_strbuf_addn(&o->manifest, line, len) != SP_OK)
		return out_break(o, ENOMEM, "manifest", err);
	return SP_OK;
}

/* s as a JSON string, and key_hex beside it when JSON would lose bytes. */
static void
json_bytes(struct sp_json *w, const char *key, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, n, k;
	int lossy = 0;
	char hkey[32], *hex;

	sp_json_kv_str(w, key, s);
	if (s == NULL)
		return;
	n = strlen(s);
	for (i = 0; i < n; i += k ? k : 1) {
		k = p[i] < 0x80 ? 1 : sp_utf8_seq(p + i, n - i);
		if (k == 0) {
			lossy = 1;
			break;
		}
	}
	if (!lossy)
		return;
	if ((hex = malloc(2 * n + 1)) == NULL)
		return;
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", p[i]);
	snprintf(hkey, sizeof(hkey), "%s_hex", key);
	sp_json_kv_str(w, hkey, hex);
	free(hex);
}

static void
json_opt_int(struct sp_json *w, const char *key, int64_t v, int64_t none)
{
	if (v == none)
		sp_json_kv_str(w, key, NULL);
	else
		sp_json_kv_int(w, key, v);
}

static int
header_line(struct sp_collect_out *o, struct sp_err *err)
{
	char iso[SP_TIME_ISO_MAX], *text = NULL;
	struct sp_json w;
	size_t len = 0, i;
	FILE *f;
	int rc;

	if (o->header_done)
		return SP_OK;
	if ((f = open_memstream(&text, &len)) == NULL)
		return out_break(o, ENOMEM, "manifest", err);
	sp_json_init(&w, f);
	sp_json_object_begin(&w);
	sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(&w, "kind", "collection");
	sp_json_kv_str(&w, "tool", o->tool);
	sp_json_kv_str(&w, "version", o->version);
	sp_json_kv_str(&w, "host", o->host);
	sp_json_kv_str(&w, "boot_id", o->boot_id);
	sp_json_kv_str(&w, "kernel", o->kernel);
	sp_json_kv_str(&w, "machine", o->machine);
	sp_json_kv_int(&w, "started_ns", o->started_ns);
	sp_json_kv_str(&w, "started",
	    sp_time_format_iso(o->started_ns, 9, iso, sizeof(iso)));
	json_opt_int(&w, "uid", o->uid, -1);
	sp_json_key(&w, "options");
	sp_json_array_begin(&w);
	for (i = 0; i < o->noptions; i++)
		sp_json_str(&w, o->options[i]);
	sp_json_array_end(&w);
	sp_json_object_end(&w);
	sp_json_line_end(&w);
	if (fclose(f) != 0 || text == NULL) {
		free(text);
		return out_break(o, ENOMEM, "manifest", err);
	}
	rc = manifest_append(o, text, len, err);
	free(text);
	if (rc == SP_OK)
		o->header_done = 1;
	return rc;
}

static int
item_line(struct sp_collect_out *o, const char *name, const char *type,
    uint64_t size, const char *sha256, const struct sp_collect_meta *m,
    struct sp_err *err)
{
	char *text = NULL;
	struct sp_json w;
	size_t len = 0;
	FILE *f;
	int rc;

	if ((rc = header_line(o, err)) != SP_OK)
		return rc;
	if ((f = open_memstream(&text, &len)) == NULL)
		return out_break(o, ENOMEM, "manifest", err);
	sp_json_init(&w, f);
	sp_json_object_begin(&w);
	sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(&w, "kind", "item");
	json_bytes(&w, "path", name);
	sp_json_kv_str(&w, "type", type);
	sp_json_kv_uint(&w, "size", size);
	sp_json_kv_str(&w, "sha256", sha256);
	json_bytes(&w, "source", m->source);
	json_opt_int(&w, "mtime_ns", m->mtime_ns, SP_TIME_NONE);
	json_opt_int(&w, "mode", m->mode, -1);
	json_opt_int(&w, "uid", m->uid, -1);
	json_opt_int(&w, "gid", m->gid, -1);
	sp_json_kv_bool(&w, "truncated", m->truncated);
	sp_json_kv_bool(&w, "changed", m->changed);
	sp_json_object_end(&w);
	sp_json_line_end(&w);
	if (fclose(f) != 0 || text == NULL) {
		free(text);
		return out_break(o, ENOMEM, "manifest", err);
	}
	rc = manifest_append(o, text, len, err);
	free(text);
	if (rc == SP_OK) {
		o->items++;
		o->bytes += size;
	}
	return rc;
}

static const struct sp_collect_meta no_meta = {
	NULL, SP_TIME_NONE, -1, -1, -1, 0, 0
};

/* ---- one member, whole or streamed ---- */

struct member {
	struct sp_collect_out *o;
	const char *name;
	struct sp_hash *hash;
	uint64_t size;		/* written */
	int fd, dirfd;		/* directory */
	const char *base;
};

static void
member_drop(struct member *m)
{
	if (m->fd >= 0) {
		close(m->fd);
		unlinkat(m->dirfd, m->base, 0);
	}
	if (m->dirfd >= 0)
		close(m->dirfd);
	m->fd = m->dirfd = -1;
	sp_hash_free(m->hash);
	m->hash = NULL;
}

/* Start name; in a tar, size is what the member will hold. */
static int
member_begin(struct sp_collect_out *o, struct member *m, const char *name,
    uint64_t size, int64_t mtime_ns, struct sp_err *err)
{
	int rc;

	memset(m, 0, sizeof(*m));
	m->o = o;
	m->name = name;
	m->fd = m->dirfd = -1;
	if ((rc = out_check(o, err)) != SP_OK)
		return rc;
	if ((rc = name_check(name, err)) != SP_OK)
		return rc;
	if (reserved(name))
		return sp_err_set(err, SP_E_EXISTS, 0, "item '%s': the "
		    "collection's own", name);
	if ((rc = sp_hash_new(&m->hash, SP_HASH_SHA256, err)) != SP_OK)
		return rc;
	if (o->tar)
		rc = tar_header(o, name, size, mtime_ns == SP_TIME_NONE ?
		    sp_time_sec(sp_time_now()) : sp_time_sec(mtime_ns), err);
	else
		rc = dir_create(o, name, &m->fd, &m->dirfd, &m->base, err);
	if (rc != SP_OK)
		member_drop(m);
	return rc;
}

static int
member_write(struct member *m, const void *buf, size_t len,
    struct sp_err *err)
{
	int rc;

	sp_hash_update(m->hash, buf, len);
	if (m->o->tar)
		rc = tar_write(m->o, buf, len, err);
	else
		rc = write_all(m->o, m->fd, buf, len, err);
	if (rc == SP_OK)
		m->size += len;
	return rc;
}

static int
member_zeros(struct member *m, uint64_t n, struct sp_err *err)
{
	size_t k;
	int rc;

	while (n > 0) {
		k = n > sizeof(zeros) ? sizeof(zeros) : (size_t)n;
		if ((rc = member_write(m, zeros, k, err)) != SP_OK)
			return rc;
		n -= k;
	}
	return SP_OK;
}

/* Finish the member and write its manifest line. */
static int
member_end(struct member *m, const char *type,
    const struct sp_collect_meta *meta, struct sp_err *err)
{
	struct sp_collect_out *o = m->o;
	int rc;

	if (o->tar)
		rc = tar_pad(o, err);
	else {
		rc = out_check(o, err);
		if (rc == SP_OK && close(m->fd) != 0) {
			m->fd = -1;
			rc = out_break(o, errno, "close", err);
		}
		m->fd = -1;
	}
	if (rc == SP_OK)
		rc = sp_hash_final(m->hash, err);
	if (rc == SP_OK)
		rc = item_line(o, m->name, type, m->size,
		    sp_hash_hex(m->hash, SP_HASH_SHA256), meta, err);
	member_drop(m);
	return rc;
}

/* ---- the public calls ---- */

static char *
xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* The boot id of the running kernel, hex digits and dashes only. */
static char *
read_boot_id(void)
{
	char buf[64];
	ssize_t n;
	int fd, i;

	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	for (i = 0; buf[i] && buf[i] != '\n'; i++)
		if (!(buf[i] >= '0' && buf[i] <= '9') &&
		    !(buf[i] >= 'a' && buf[i] <= 'f') && buf[i] != '-')
			return NULL;
	buf[i] = '\0';
	return i ? strdup(buf) : NULL;
}

static int
dir_open(struct sp_collect_out *o, const char *path, struct sp_err *err)
{
	struct dirent *de;
	DIR *d;
	int fd, made = 0;

	if (mkdir(path, 0700) == 0)
		made = 1;
	else if (errno != EEXIST)
		return sp_err_set(err, SP_E_CREATE, errno, "'%s'", path);
	o->rootfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (o->rootfd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return sp_err_set(err, SP_E_EXISTS, 0, "'%s': exists "
			    "and is not a directory", path);
		return sp_err_set(err, SP_E_CREATE, errno, "'%s'", path);
	}
	if (!made) {
		if ((fd = dup(o->rootfd)) < 0 ||
		    (d = fdopendir(fd)) == NULL) {
			if (fd >= 0)
				close(fd);
			return sp_err_set(err, SP_E_CREATE, errno, "'%s'",
			    path);
		}
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0)
				break;
		closedir(d);
		if (de != NULL)
			return sp_err_set(err, SP_E_EXISTS, 0, "'%s': exists "
			    "and is not empty", path);
	}
	o->manifest_fd = openat(o->rootfd, "manifest.jsonl", O_WRONLY |
	    O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_APPEND, 0600);
	if (o->manifest_fd < 0)
		return sp_err_set(err, SP_E_CREATE, errno,
		    "'%s/manifest.jsonl'", path);
	o->log_fd = openat(o->rootfd, "collection.log", O_WRONLY | O_CREAT |
	    O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_APPEND, 0600);
	if (o->log_fd < 0)
		return sp_err_set(err, SP_E_CREATE, errno,
		    "'%s/collection.log'", path);
	return SP_OK;
}

static void
out_free(struct sp_collect_out *o)
{
	struct sp_collect_item *it, *next;
	size_t i;

	if (o == NULL)
		return;
	for (it = o->open_items; it != NULL; it = next) {
		next = it->next;
		item_free(it);
	}
	if (o->rootfd >= 0)
		close(o->rootfd);
	if (o->manifest_fd >= 0)
		close(o->manifest_fd);
	if (o->log_fd >= 0)
		close(o->log_fd);
	if (o->own_fd && o->fd >= 0)
		close(o->fd);
	free(o->path);
	free(o->tool);
	free(o->version);
	free(o->host);
	free(o->boot_id);
	free(o->kernel);
	free(o->machine);
	for (i = 0; i < o->noptions; i++)
		free(o->options[i]);
	free(o->options);
	sp_strbuf_release(&o->manifest);
	sp_strbuf_release(&o->log);
	sp_hash_free(o->log_hash);
	free(o->buf);
	free(o);
}

int
sp_collect_out_open(struct sp_collect_out **out, const char *path, int tar,
    struct sp_err *err)
{
	struct sp_collect_out *o;
	struct utsname u;
	int rc;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return sp_err_set(err, SP_E_USAGE, 0, "no output path");
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "output");
	o->tar = tar != 0;
	o->rootfd = o->manifest_fd = o->log_fd = o->fd = -1;
	o->started_ns = sp_time_now();
	o->uid = (int64_t)getuid();
	o->path = strdup(path);
	o->tool = strdup("spoor-collect");
	o->version = strdup(SPOOR_VERSION);
	o->boot_id = read_boot_id();
	if (uname(&u) == 0) {
		o->host = strdup(u.nodename);
		o->kernel = strdup(u.release);
		o->machine = strdup(u.machine);
	}
	o->buf = malloc(BUFSZ);
	if (o->path == NULL || o->tool == NULL || o->version == NULL ||
	    o->buf == NULL) {
		out_free(o);
		return sp_err_set(err, SP_E_NOMEM, 0, "output");
	}
	if ((rc = sp_hash_new(&o->log_hash, SP_HASH_SHA256, err)) != SP_OK)
		goto fail;
	if (!o->tar)
		rc = dir_open(o, path, err);
	else if (strcmp(path, "-") == 0) {
		o->fd = STDOUT_FILENO;
	} else {
		o->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
		if (o->fd < 0)
			rc = sp_err_set(err, errno == EEXIST ? SP_E_EXISTS :
			    SP_E_CREATE, errno, "'%s'", path);
		o->own_fd = 1;
	}
	if (rc != SP_OK)
		goto fail;
	*out = o;
	return SP_OK;
fail:
	out_free(o);
	return rc;
}

static int
replace(char **field, const char *s)
{
	char *c;

	if (s == NULL)
		return SP_OK;
	if ((c = strdup(s)) == NULL)
		return SP_E_NOMEM;
	free(*field);
	*field = c;
	return SP_OK;
}

int
sp_collect_out_header(struct sp_collect_out *o,
    const struct sp_collect_header *h, struct sp_err *err)
{
	size_t i;
	char **opts;

	if (o->header_done)
		return sp_err_set(err, SP_E_USAGE, 0, "manifest header after "
		    "the first item");
	if (replace(&o->tool, h->tool) || replace(&o->version, h->version) ||
	    replace(&o->host, h->host) || replace(&o->boot_id, h->boot_id) ||
	    replace(&o->kernel, h->kernel) ||
	    replace(&o->machine, h->machine))
		return sp_err_set(err, SP_E_NOMEM, 0, "manifest header");
	if (h->started_ns != SP_TIME_NONE)
		o->started_ns = h->started_ns;
	if (h->uid != -1)
		o->uid = h->uid;
	if (h->options != NULL) {
		if ((opts = calloc(h->noptions + 1, sizeof(*opts))) == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "options");
		for (i = 0; i < h->noptions; i++)
			if ((opts[i] = xstrdup(h->options[i] ? h->options[i] :
			    "")) == NULL) {
				while (i > 0)
					free(opts[--i]);
				free(opts);
				return sp_err_set(err, SP_E_NOMEM, 0,
				    "options");
			}
		for (i = 0; i < o->noptions; i++)
			free(o->options[i]);
		free(o->options);
		o->options = opts;
		o->noptions = h->noptions;
	}
	return SP_OK;
}

int
sp_collect_out_add(struct sp_collect_out *o, const char *name,
    const char *type, const void *buf, size_t len,
    const struct sp_collect_meta *meta, struct sp_err *err)
{
	struct member m;
	int rc;

	if (meta == NULL)
		meta = &no_meta;
	if ((rc = member_begin(o, &m, name, len, meta->mtime_ns, err)) !=
	    SP_OK)
		return rc;
	if (len > 0 && (rc = member_write(&m, buf, len, err)) != SP_OK) {
		member_drop(&m);
		return rc;
	}
	return member_end(&m, type, meta, err);
}

static ssize_t
pread_full(int fd, unsigned char *buf, size_t len, uint64_t off, int *e)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*e = errno;
			return got ? (ssize_t)got : -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int
sp_collect_out_copy(struct sp_collect_out *o, const char *name,
    const char *type, int fd, const struct sp_collect_meta *meta,
    uint64_t cap, struct sp_err *err)
{
	struct sp_collect_meta mm;
	struct stat st0, st1;
	uint64_t size, want, off = 0;
	struct member m;
	unsigned char one;
	const char *src;
	size_t k;
	ssize_t n;
	int rc, e = 0;

	if ((rc = out_check(o, err)) != SP_OK)
		return rc;
	if (fstat(fd, &st0) != 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "fstat");
	if (!S_ISREG(st0.st_mode))
		return sp_err_set(err, SP_E_UNSUPPORTED, 0, "a %s, not a "
		    "regular file", sp_file_type_name(st0.st_mode));
	if (meta != NULL)
		mm = *meta;
	else {
		mm = no_meta;
		mm.mtime_ns = sp_time_from_parts(st0.st_mtim.tv_sec,
		    st0.st_mtim.tv_nsec);
		mm.mode = st0.st_mode;
		mm.uid = st0.st_uid;
		mm.gid = st0.st_gid;
	}
	src = mm.source ? mm.source : name;
	size = st0.st_size < 0 ? 0 : (uint64_t)st0.st_size;
	want = cap && size > cap ? cap : size;
	if (want < size)
		mm.truncated = 1;
	if ((rc = member_begin(o, &m, name, want, mm.mtime_ns, err)) != SP_OK)
		return rc;
	while (off < want) {
		k = want - off > BUFSZ ? BUFSZ : (size_t)(want - off);
		n = pread_full(fd, o->buf, k, off, &e);
		if (n > 0 && (rc = member_write(&m, o->buf, (size_t)n, err)) !=
		    SP_OK)
			goto fail;
		if (n > 0)
			off += (uint64_t)n;
		if (n == (ssize_t)k)
			continue;
		/* shorter than it said, or unreadable: zeros for the rest */
		if (e != 0)
			sp_collect_out_problem(o, "copy", "'%s': read at "
			    "offset %llu: %s; the remaining %llu bytes are "
			    "zeros", src, (unsigned long long)off,
			    strerror(e), (unsigned long long)(want - off));
		else {
			mm.changed = 1;
			sp_collect_out_problem(o, "copy", "'%s': shrank "
			    "while read (%llu bytes of %llu); the rest is "
			    "zeros", src, (unsigned long long)off,
			    (unsigned long long)size);
		}
		if ((rc = member_zeros(&m, want - off, err)) != SP_OK)
			goto fail;
		off = want;
		break;
	}
	if (e == 0 && !mm.changed) {
		if (fstat(fd, &st1) == 0 && (st1.st_size != st0.st_size ||
		    st1.st_mtim.tv_sec != st0.st_mtim.tv_sec ||
		    st1.st_mtim.tv_nsec != st0.st_mtim.tv_nsec)) {
			mm.changed = 1;
			sp_collect_out_problem(o, "copy", "'%s': changed while "
			    "read (size %llu, now %llu); %llu bytes kept", src,
			    (unsigned long long)size,
			    (unsigned long long)st1.st_size,
			    (unsigned long long)want);
		} else if (want == size && pread(fd, &one, 1,
		    (off_t)size) == 1) {
			mm.changed = 1;
			sp_collect_out_problem(o, "copy", "'%s': grew while "
			    "read; cut at its first size, %llu bytes", src,
			    (unsigned long long)size);
		}
	}
	return member_end(&m, type, &mm, err);
fail:
	member_drop(&m);
	return rc;
}

/* Append s to sb, control bytes, '\\' and non-UTF-8 bytes as \xNN. */
static void
log_escape(struct sp_strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;

	while (i < n) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			sp_strbuf_addn(sb, s + i, 1);
			i++;
			continue;
		}
		if (p[i] >= 0x80 && (k = sp_utf8_seq(p + i, n - i)) != 0 &&
		    !(p[i] == 0xc2 && p[i + 1] <= 0x9f)) {
			sp_strbuf_addn(sb, s + i, k);
			i += k;
			continue;
		}
		if (p[i] == '\\')
			sp_strbuf_add(sb, "\\\\");
		else
			sp_strbuf_addf(sb, "\\x%02x", p[i]);
		i++;
	}
}

void
sp_collect_out_problem(struct sp_collect_out *o, const char *step,
    const char *fmt, ...)
{
	struct sp_strbuf line = SP_STRBUF_INIT;
	char iso[SP_TIME_ISO_MAX], *msg = NULL;
	va_list ap;
	int n;

	if (o == NULL)
		return;
	o->problems++;
	if (o->log_full || o->broken)
		return;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		msg = NULL;
	sp_strbuf_add(&line, sp_time_format_iso(sp_time_now(), 3, iso,
	    sizeof(iso)));
	sp_strbuf_add(&line, " WARN ");
	log_escape(&line, step ? step : "collect");
	sp_strbuf_add(&line, ": ");
	log_escape(&line, msg ? msg : "(out of memory)");
	sp_strbuf_add(&line, "\n");
	free(msg);
	if (line.oom) {
		sp_strbuf_release(&line);
		return;
	}
	if (o->log_size + line.len > LOG_MAX) {
		sp_strbuf_reset(&line);
		sp_strbuf_add(&line, "... further problems are counted, not "
		    "logged\n");
		o->log_full = 1;
	}
	sp_hash_update(o->log_hash, line.buf, line.len);
	o->log_size += line.len;
	if (o->tar) {
		if (sp_strbuf_addn(&o->log, line.buf, line.len) != SP_OK)
			out_break(o, ENOMEM, "collection.log", NULL);
	} else
		write_all(o, o->log_fd, line.buf, line.len, NULL);
	sp_strbuf_release(&line);
}

uint64_t
sp_collect_out_problems(const struct sp_collect_out *o)
{
	return o->problems;
}

int
sp_collect_out_where(const struct sp_collect_out *o, uint64_t *dev,
    uint64_t *ino)
{
	struct stat st;

	if (fstat(o->tar ? o->fd : o->rootfd, &st) != 0 ||
	    !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
		return 0;
	*dev = (uint64_t)st.st_dev;
	*ino = (uint64_t)st.st_ino;
	return 1;
}

/* ---- items written piece by piece ---- */

int
sp_collect_item_begin(struct sp_collect_out *o, const char *name,
    const char *type, const struct sp_collect_meta *meta,
    struct sp_collect_item **out, struct sp_err *err)
{
	struct sp_collect_item *it;
	const char *base;
	int rc;

	*out = NULL;
	if ((rc = out_check(o, err)) != SP_OK)
		return rc;
	if ((rc = name_check(name, err)) != SP_OK)
		return rc;
	if (reserved(name))
		return sp_err_set(err, SP_E_EXISTS, 0, "item '%s': the "
		    "collection's own", name);
	if ((it = calloc(1, sizeof(*it))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "item '%s'", name);
	it->o = o;
	it->fd = it->dirfd = -1;
	it->meta = meta ? *meta : no_meta;
	it->name = strdup(name);
	it->type = strdup(type ? type : "");
	it->source = xstrdup(it->meta.source);
	it->next = o->open_items;
	o->open_items = it;
	if (it->name == NULL || it->type == NULL ||
	    (it->meta.source != NULL && it->source == NULL))
		return sp_err_set(err, SP_E_NOMEM, 0, "item '%s'", name);
	it->meta.source = it->source;
	if ((rc = sp_hash_new(&it->hash, SP_HASH_SHA256, err)) != SP_OK)
		return rc;
	if (o->tar) {
		if (deflateInit(&it->z, 1) != Z_OK)
			return sp_err_set(err, SP_E_NOMEM, 0, "item '%s'",
			    name);
		it->z_live = 1;
	} else {
		if ((rc = dir_create(o, name, &it->fd, &it->dirfd, &base,
		    err)) != SP_OK)
			return rc;
		if ((it->base = strdup(base)) == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "item '%s'",
			    name);
	}
	*out = it;
	return SP_OK;
}

/* Compress into the spool; flush with Z_FINISH at the end. */
static int
spool(struct sp_collect_item *it, const void *buf, size_t len, int flush,
    struct sp_err *err)
{
	size_t need;
	void *p;
	int zr;

	it->z.next_in = (Bytef *)(uintptr_t)buf;
	it->z.avail_in = (uInt)len;
	do {
		if (it->spool_cap - it->spool_len < 64 * 1024) {
			need = it->spool_cap ? it->spool_cap * 2 : 1 << 20;
			if (need > SPOOL_MAX || (p = realloc(it->spool,
			    need)) == NULL)
				return out_break(it->o, ENOMEM, "spool of "
				    "a piecewise item", err);
			it->spool = p;
			it->spool_cap = need;
		}
		it->z.next_out = it->spool + it->spool_len;
		it->z.avail_out = (uInt)(it->spool_cap - it->spool_len);
		zr = deflate(&it->z, flush);
		it->spool_len = it->spool_cap - it->z.avail_out;
		if (zr == Z_STREAM_ERROR)
			return out_break(it->o, ENOMEM, "deflate", err);
	} while (it->z.avail_in > 0 || (flush == Z_FINISH &&
	    zr != Z_STREAM_END));
	return SP_OK;
}

int
sp_collect_item_write(struct sp_collect_item *it, const void *buf,
    size_t len, struct sp_err *err)
{
	const unsigned char *p = buf;
	size_t k, left = len;
	int rc;

	if ((rc = out_check(it->o, err)) != SP_OK)
		return rc;
	sp_hash_update(it->hash, buf, len);
	if (!it->o->tar) {
		if ((rc = write_all(it->o, it->fd, buf, len, err)) != SP_OK)
			return rc;
	} else {
		/* zlib counts in uInt */
		while (left > 0) {
			k = left > (1u << 30) ? (1u << 30) : left;
			if ((rc = spool(it, p, k, Z_NO_FLUSH, err)) != SP_OK)
				return rc;
			p += k;
			left -= k;
		}
	}
	it->size += len;
	return SP_OK;
}

static void
item_unlink(struct sp_collect_item *it)
{
	struct sp_collect_item **pp;

	for (pp = &it->o->open_items; *pp != NULL; pp = &(*pp)->next)
		if (*pp == it) {
			*pp = it->next;
			break;
		}
}

/* The spool inflated into the archive as one member. */
static int
spool_out(struct sp_collect_item *it, struct sp_err *err)
{
	struct sp_collect_out *o = it->o;
	z_stream z;
	uint64_t left = it->size;
	int zr, rc;
	size_t k;

	if ((rc = tar_header(o, it->name, it->size, it->meta.mtime_ns ==
	    SP_TIME_NONE ? sp_time_sec(sp_time_now()) :
	    sp_time_sec(it->meta.mtime_ns), err)) != SP_OK)
		return rc;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return out_break(o, ENOMEM, "inflate", err);
	z.next_in = it->spool;
	z.avail_in = (uInt)it->spool_len;
	do {
		z.next_out = o->buf;
		z.avail_out = BUFSZ;
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			inflateEnd(&z);
			return out_break(o, EIO, "inflate", err);
		}
		k = BUFSZ - z.avail_out;
		if (k > left)
			k = (size_t)left;
		if (k > 0 && (rc = tar_write(o, o->buf, k, err)) != SP_OK) {
			inflateEnd(&z);
			return rc;
		}
		left -= k;
	} while (zr != Z_STREAM_END);
	inflateEnd(&z);
	if (left != 0)
		return out_break(o, EIO, "spool", err);
	return tar_pad(o, err);
}

int
sp_collect_item_end(struct sp_collect_item *it, struct sp_err *err)
{
	struct sp_collect_out *o = it->o;
	int rc;

	item_unlink(it);
	rc = out_check(o, err);
	if (rc == SP_OK && o->tar) {
		rc = spool(it, NULL, 0, Z_FINISH, err);
		if (rc == SP_OK)
			rc = spool_out(it, err);
	} else if (rc == SP_OK) {
		if (close(it->fd) != 0)
			rc = out_break(o, errno, "close", err);
		it->fd = -1;
	}
	if (rc == SP_OK)
		rc = sp_hash_final(it->hash, err);
	if (rc == SP_OK)
		rc = item_line(o, it->name, it->type, it->size,
		    sp_hash_hex(it->hash, SP_HASH_SHA256), &it->meta, err);
	item_free(it);
	return rc;
}

static void
item_free(struct sp_collect_item *it)
{
	if (it->fd >= 0) {
		close(it->fd);
		unlinkat(it->dirfd, it->base, 0);
	}
	if (it->dirfd >= 0)
		close(it->dirfd);
	if (it->z_live)
		deflateEnd(&it->z);
	sp_hash_free(it->hash);
	free(it->spool);
	free(it->name);
	free(it->type);
	free(it->source);
	free(it->base);
	free(it);
}

/* ---- the end ---- */

static int
end_line(struct sp_collect_out *o, const char *status, struct sp_err *err)
{
	char *text = NULL;
	struct sp_json w;
	size_t len = 0;
	FILE *f;
	int rc;

	if ((f = open_memstream(&text, &len)) == NULL)
		return out_break(o, ENOMEM, "manifest", err);
	sp_json_init(&w, f);
	sp_json_object_begin(&w);
	sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(&w, "kind", "end");
	sp_json_kv_int(&w, "ended_ns", sp_time_now());
	sp_json_kv_uint(&w, "items", o->items);
	sp_json_kv_uint(&w, "bytes", o->bytes);
	sp_json_kv_uint(&w, "problems", o->problems);
	sp_json_kv_str(&w, "status", status);
	sp_json_object_end(&w);
	sp_json_line_end(&w);
	if (fclose(f) != 0 || text == NULL) {
		free(text);
		return out_break(o, ENOMEM, "manifest", err);
	}
	rc = manifest_append(o, text, len, err);
	free(text);
	return rc;
}

/* fsync, where the output can be synced at all (not a pipe). */
static int
sync_fd(struct sp_collect_out *o, int fd, struct sp_err *err)
{
	if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS &&
	    errno != ENOTSUP)
		return out_break(o, errno, "fsync", err);
	return SP_OK;
}

static int
close_dir(struct sp_collect_out *o, const char *status, struct sp_err *err)
{
	struct sp_collect_meta m = no_meta;
	int rc;

	if ((rc = header_line(o, err)) != SP_OK)
		return rc;
	if ((rc = sp_hash_final(o->log_hash, err)) != SP_OK)
		return rc;
	if (close(o->log_fd) != 0) {
		o->log_fd = -1;
		return out_break(o, errno, "close collection.log", err);
	}
	o->log_fd = -1;
	if ((rc = item_line(o, "collection.log", "log", o->log_size,
	    sp_hash_hex(o->log_hash, SP_HASH_SHA256), &m, err)) != SP_OK)
		return rc;
	/* what is on disk first, then the line that says it is there */
	if (syncfs(o->rootfd) != 0)
		return out_break(o, errno, "sync", err);
	if ((rc = end_line(o, status, err)) != SP_OK)
		return rc;
	if ((rc = sync_fd(o, o->manifest_fd, err)) != SP_OK)
		return rc;
	if (close(o->manifest_fd) != 0) {
		o->manifest_fd = -1;
		return out_break(o, errno, "close manifest.jsonl", err);
	}
	o->manifest_fd = -1;
	return SP_OK;
}

static int
close_tar(struct sp_collect_out *o, const char *status, struct sp_err *err)
{
	struct sp_collect_meta m = no_meta;
	uint64_t r;
	int rc;

	if ((rc = header_line(o, err)) != SP_OK)
		return rc;
	/* collection.log, written here rather than through member_begin */
	if ((rc = tar_header(o, "collection.log", o->log.len,
	    sp_time_sec(sp_time_now()), err)) != SP_OK)
		return rc;
	if (o->log.len > 0 && (rc = tar_write(o, o->log.buf, o->log.len,
	    err)) != SP_OK)
		return rc;
	if ((rc = tar_pad(o, err)) != SP_OK)
		return rc;
	if ((rc = sp_hash_final(o->log_hash, err)) != SP_OK)
		return rc;
	if ((rc = item_line(o, "collection.log", "log", o->log_size,
	    sp_hash_hex(o->log_hash, SP_HASH_SHA256), &m, err)) != SP_OK)
		return rc;
	if ((rc = end_line(o, status, err)) != SP_OK)
		return rc;
	if ((rc = tar_header(o, "manifest.jsonl", o->manifest.len,
	    sp_time_sec(sp_time_now()), err)) != SP_OK)
		return rc;
	if ((rc = tar_write(o, o->manifest.buf, o->manifest.len, err)) !=
	    SP_OK)
		return rc;
	if ((rc = tar_pad(o, err)) != SP_OK)
		return rc;
	if ((rc = tar_write(o, zeros, sizeof(zeros), err)) != SP_OK)
		return rc;
	/* a whole record, as tar(1) writes it */
	r = o->offset % RECORD;
	while (r != 0 && r < RECORD) {
		size_t k = RECORD - r > sizeof(zeros) ? sizeof(zeros) :
		    (size_t)(RECORD - r);
		if ((rc = tar_write(o, zeros, k, err)) != SP_OK)
			return rc;
		r += k;
	}
	if ((rc = sync_fd(o, o->fd, err)) != SP_OK)
		return rc;
	if (o->own_fd) {
		if (close(o->fd) != 0) {
			o->fd = -1;
			return out_break(o, errno, "close", err);
		}
		o->fd = -1;
	}
	return SP_OK;
}

int
sp_collect_out_close(struct sp_collect_out *o, const char *status,
    struct sp_err *err)
{
	int rc;

	if (o == NULL)
		return SP_OK;
	if (status == NULL)
		status = o->problems ? "partial" : "complete";
	if (strcmp(status, "complete") != 0 && strcmp(status, "partial") != 0) {
		out_free(o);
		return sp_err_set(err, SP_E_USAGE, 0, "status '%s': neither "
		    "complete nor partial", status);
	}
	if ((rc = out_check(o, err)) == SP_OK)
		rc = o->tar ? close_tar(o, status, err) :
		    close_dir(o, status, err);
	out_free(o);
	return rc;
}

/* ---- files other writers made ---- */

const char *
sp_collect_out_dir(const struct sp_collect_out *o)
{
	return o->tar ? NULL : o->path;
}

int
sp_collect_out_adopt(struct sp_collect_out *o, const char *name,
    const char *type, const struct sp_collect_meta *meta, struct sp_err *err)
{
	const char *p;
	struct sp_hash *h = NULL;
	struct stat st;
	uint64_t size = 0;
	ssize_t n;
	int cur, fd = -1, rc;

	if ((rc = out_check(o, err)) != SP_OK)
		return rc;
	if (o->tar)
		return sp_err_set(err, SP_E_USAGE, 0, "item '%s': a tar "
		    "stream holds only what it was given", name);
	if ((rc = name_check(name, err)) != SP_OK)
		return rc;
	if ((rc = dir_walk(o, name, 0, &cur, &p, err)) != SP_OK)
		return rc;
	fd = openat(cur, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(cur);
	if (fd < 0)
		return sp_err_set(err, SP_E_NOINPUT, errno, "item '%s'", name);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return sp_err_set(err, SP_E_UNSUPPORTED, 0, "item '%s': not a "
		    "regular file", name);
	}
	if ((rc = sp_hash_new(&h, SP_HASH_SHA256, err)) != SP_OK) {
		close(fd);
		return rc;
	}
	while ((n = read(fd, o->buf, BUFSZ)) > 0) {
		sp_hash_update(h, o->buf, (size_t)n);
		size += (uint64_t)n;
	}
	rc = n < 0 ? sp_err_set(err, SP_E_IO, errno, "item '%s'", name) :
	    sp_hash_final(h, err);
	close(fd);
	if (rc == SP_OK)
		rc = item_line(o, name, type, size,
		    sp_hash_hex(h, SP_HASH_SHA256), meta ? meta : &no_meta,
		    err);
	sp_hash_free(h);
	return rc;
}
