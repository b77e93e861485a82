/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The evidence layer (see include/spoor/evidence.h): recognises the kind of
 * evidence, finds its segments, opens it through libtsk (image → volume
 * system → file systems) or as a directory, and walks entries the way fls
 * sees them, so that spoor's listings can be checked against TSK's.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#include <tsk/libtsk.h>

#include "spoor/hash.h"
#include "spoor/log.h"
#include "spoor/output.h"
#include "spoor/signal.h"
#include "spoor/strbuf.h"
#include "spoor/evidence.h"
#include "evidence/evidence-internal.h"
#include "base/util.h"

#define MAX_SEGMENTS 100000
#define EWF_STRINGS 16

struct fs_slot {
	struct sp_fs_info info;
	TSK_FS_INFO *fs;
	char label[128];
	char id[80];
};

struct sp_evidence {
	enum sp_evidence_kind kind;
	char *path;
	char **segments;
	size_t nsegments;
	uint64_t size;
	unsigned sector_size;
	struct sp_run *run;
	uint64_t problems;
	const struct sp_cancel *cancel;	/* borrowed; NULL: the process's */

	TSK_IMG_INFO *img;
	TSK_VS_INFO *vs;
	struct sp_volume *volumes;
	char **volume_strings;
	size_t nvolumes;
	struct fs_slot *fss;
	size_t nfs;

	int is_ewf;
	int media_only;		/* opened by sp_evidence_open_media */
	struct sp_ewf_info ewf;
	char *ewf_strings[EWF_STRINGS];

	/* a view over other evidence (overlay.c): its functions and state */
	const struct sp_evidence_view_ops *ops;
	void *view;
};

struct sp_run *
sp_evidence_run(const struct sp_evidence *ev)
{
	return ev->run;
}

void
sp_evidence_add_problem(struct sp_evidence *ev)
{
	ev->problems++;
}

static int add_segment(struct sp_evidence *ev, const char *name);

int
sp_evidence_view_new(struct sp_evidence **evp, const char *path,
    const struct sp_evidence_view_ops *ops, void *view,
    const struct sp_fs_info *fs, struct sp_run *run, struct sp_err *err)
{
	struct sp_evidence *ev;

	*evp = NULL;
	if ((ev = calloc(1, sizeof(*ev))) == NULL ||
	    (ev->path = strdup(path)) == NULL ||
	    (ev->fss = calloc(1, sizeof(*ev->fss))) == NULL) {
		if (ev != NULL)
			free(ev->path);
		free(ev);
		return sp_err_set(err, SP_E_NOMEM, 0, "'%s'", path);
	}
	ev->run = run;
	ev->sector_size = 512;
	ev->kind = SP_EVIDENCE_DIR;
	if (add_segment(ev, path) != 0) {
		sp_evidence_close(ev);
		return sp_err_set(err, SP_E_NOMEM, 0, "'%s'", path);
	}
	ev->nfs = 1;
	ev->fss[0].info = *fs;
	ev->fss[0].info.index = 0;
	snprintf(ev->fss[0].label, sizeof(ev->fss[0].label), "%s",
	    fs->label ? fs->label : "");
	snprintf(ev->fss[0].id, sizeof(ev->fss[0].id), "%s",
	    fs->id ? fs->id : "");
	ev->fss[0].info.label = ev->fss[0].label;
	ev->fss[0].info.id = ev->fss[0].id;
	ev->ops = ops;
	ev->view = view;
	*evp = ev;
	return SP_OK;
}

void *
sp_evidence_view(const struct sp_evidence *ev,
    const struct sp_evidence_view_ops *ops)
{
	return ev->ops == ops ? ev->view : NULL;
}

/* The TSK error as text, then reset. */
static const char *
tsk_msg(void)
{
	static char buf[512];
	const char *m = tsk_error_get();

	snprintf(buf, sizeof(buf), "%s", m ? m : "unknown libtsk error");
	buf[strcspn(buf, "\n")] = '\0';
	tsk_error_reset();
	return buf;
}

/* ---- segment discovery ---- */

static int
add_segment(struct sp_evidence *ev, const char *name)
{
	char **n;

	if ((ev->nsegments & (ev->nsegments - 1)) == 0) {
		n = realloc(ev->segments, (ev->nsegments ? ev->nsegments * 2 :
		    1) * sizeof(*n));
		if (n == NULL)
			return -1;
		ev->segments = n;
	}
	if ((ev->segments[ev->nsegments] = strdup(name)) == NULL)
		return -1;
	ev->nsegments++;
	return 0;
}

/*
 * Split raw naming: the extension is the segment number, as digits
 * (.000/.001, .001/.002) or letters (.aa/.ab).  Returns the index of the
 * extension's first character, or -1 when the name is not split-like.
 */
static int
split_ext(const char *path)
{
	const char *dot = strrchr(path, '.'), *p;
	size_t n;
	int alldig = 1, alllow = 1;

	if (dot == NULL || strchr(dot, '/') != NULL)
		return -1;
	n = strlen(dot + 1);
	if (n < 2 || n > 4)
		return -1;
	for (p = dot + 1; *p; p++) {
		alldig &= isdigit((unsigned char)*p) != 0;
		alllow &= islower((unsigned char)*p) != 0;
	}
	if (alldig && n >= 3 && (strcmp(dot + 1, "000") == 0 ||
	    strspn(dot + 1, "0") == n - 1))
		return (int)(dot + 1 - path);
	if (alllow && n == 2 && strcmp(dot + 1, "aa") == 0)
		return (int)(dot + 1 - path);
	return -1;
}

/* Increment the segment extension in place ("009" → "010", "az" → "ba"). */
static int
next_ext(char *ext)
{
	int i = (int)strlen(ext) - 1;

	for (; i >= 0; i--) {
		if (isdigit((unsigned char)ext[i])) {
			if (ext[i] < '9') {
				ext[i]++;
				return 0;
			}
			ext[i] = '0';
		} else {
			if (ext[i] < 'z') {
				ext[i]++;
				return 0;
			}
			ext[i] = 'a';
		}
	}
	return -1;
}

static int
find_split(struct sp_evidence *ev, struct sp_err *err)
{
	char name[PATH_MAX];
	struct stat st;
	int at = split_ext(ev->path);

	if (add_segment(ev, ev->path) != 0)
		return sp_err_set(err, SP_E_NOMEM, 0, "segments");
	if (at < 0)
		return SP_OK;
	snprintf(name, sizeof(name), "%s", ev->path);
	while (ev->nsegments < MAX_SEGMENTS) {
		if (next_ext(name + at) != 0 || stat(name, &st) != 0 ||
		    !S_ISREG(st.st_mode))
			break;
		if (add_segment(ev, name) != 0)
			return sp_err_set(err, SP_E_NOMEM, 0, "segments");
	}
	if (ev->nsegments > 1)
		ev->kind = SP_EVIDENCE_SPLIT;
	return SP_OK;
}

/* ---- volumes and file systems ---- */

static char *
dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *
dupf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static void
ext_label(struct fs_slot *s)
{
	char sb[1024];

	if (tsk_fs_read(s->fs, 1024, sb, sizeof(sb)) != (ssize_t)sizeof(sb)) {
		tsk_error_reset();
		return;
	}
	memcpy(s->label, sb + 120, 16);
	s->label[16] = '\0';
}

static void
fat_label(struct fs_slot *s)
{
	unsigned char bs[512];
	int off, i;

	if (tsk_fs_read(s->fs, 0, (char *)bs, sizeof(bs)) != (ssize_t)sizeof(bs)) {
		tsk_error_reset();
		return;
	}
	off = s->fs->ftype == TSK_FS_TYPE_FAT32 ? 71 : 43;
	memcpy(s->label, bs + off, 11);
	s->label[11] = '\0';
	for (i = 10; i >= 0 && s->label[i] == ' '; i--)
		s->label[i] = '\0';
	if (strcmp(s->label, "NO NAME") == 0)
		s->label[0] = '\0';
}

static void
ntfs_label(struct fs_slot *s)
{
	TSK_FS_FILE *f;
	const TSK_FS_ATTR *a;
	unsigned char buf[256];
	ssize_t n;
	size_t i, o = 0;

	if ((f = tsk_fs_file_open_meta(s->fs, NULL, 3)) == NULL) {
		tsk_error_reset();
		return;
	}
	a = tsk_fs_file_attr_get_type(f, TSK_FS_ATTR_TYPE_NTFS_VNAME, 0, 0);
	if (a != NULL && (n = tsk_fs_attr_read(a, 0, (char *)buf,
	    a->size < (TSK_OFF_T)sizeof(buf) ? (size_t)a->size : sizeof(buf),
	    TSK_FS_FILE_READ_FLAG_NONE)) > 0) {
		/* UTF-16LE (BMP) to UTF-8 */
		for (i = 0; i + 1 < (size_t)n && o + 4 < sizeof(s->label); i += 2) {
			unsigned c = buf[i] | (unsigned)buf[i + 1] << 8;
			if (c < 0x80)
				s->label[o++] = (char)c;
			else if (c < 0x800) {
				s->label[o++] = (char)(0xc0 | c >> 6);
				s->label[o++] = (char)(0x80 | (c & 0x3f));
			} else {
				s->label[o++] = (char)(0xe0 | c >> 12);
				s->label[o++] = (char)(0x80 | (c >> 6 & 0x3f));
				s->label[o++] = (char)(0x80 | (c & 0x3f));
			}
		}
		s->label[o] = '\0';
	}
	tsk_error_reset();
	tsk_fs_file_close(f);
}

/*
 * The file system claims blocks past the end of the image (libtsk's
 * last_block_act): those in use by it are lost, so say so once here
 * (libtsk reads them as errors or zeros, one block at a time).  Blocks
 * no one uses there (a FAT's last sector) lose nothing.  Past 16M
 * missing blocks they are not counted one by one.
 */
static void
short_fs(struct sp_evidence *ev, struct fs_slot *s)
{
	TSK_FS_INFO *fs = s->fs;
	TSK_DADDR_T a, first = fs->last_block_act + 1, used = 0;
	int counted = fs->last_block - first < (1u << 24);

	for (a = first; counted && a <= fs->last_block; a++)
		if (fs->block_getflags(fs, a) &
		    TSK_FS_BLOCK_FLAG_ALLOC)
			used++;
	tsk_error_reset();
	if (counted && used == 0)
		return;
	sp_run_problem(ev->run, ev->path, SP_E_CORRUPT,
	    "fs %zu (%s at offset %" PRIu64 "): blocks %" PRIuDADDR "-%"
	    PRIuDADDR " beyond the end of the image (%" PRIu64 " bytes; %s%"
	    PRIuDADDR " in use, %u bytes each)", ev->nfs, s->info.type,
	    s->info.offset, first, fs->last_block, ev->size,
	    counted ? "" : "not counted: ", used, fs->block_size);
	ev->problems++;
}

static int
add_fs(struct sp_evidence *ev, TSK_FS_INFO *fs, int volume)
{
	struct fs_slot *n, *s;
	size_t i;

	n = realloc(ev->fss, (ev->nfs + 1) * sizeof(*n));
	if (n == NULL)
		return -1;
	ev->fss = n;
	s = &ev->fss[ev->nfs];
	memset(s, 0, sizeof(*s));
	s->fs = fs;
	s->info.index = (unsigned)ev->nfs;
	s->info.volume = volume;
	s->info.offset = (uint64_t)fs->offset;
	s->info.type = tsk_fs_type_toname(fs->ftype);
	s->info.block_size = fs->block_size;
	s->info.block_count = (uint64_t)fs->block_count;
	s->info.first_inode = fs->first_inum;
	s->info.last_inode = fs->last_inum;
	s->info.root_inode = fs->root_inum;
	s->info.last_written = SP_TIME_NONE;
	if (TSK_FS_TYPE_ISEXT(fs->ftype))
		ext_label(s);
	else if (TSK_FS_TYPE_ISFAT(fs->ftype))
		fat_label(s);
	else if (TSK_FS_TYPE_ISNTFS(fs->ftype))
		ntfs_label(s);
	if (fs->fs_id_used > 0) {
		size_t used = fs->fs_id_used;
		if (used > 32)
			used = 32;
		/* as fsstat prints them: most significant byte first */
		for (i = 0; i < used; i++)
			snprintf(s->id + 2 * i, 3, "%02x", fs->fs_id[used - 1 - i]);
	}
	if (fs->last_block_act < fs->last_block)
		short_fs(ev, s);
	ev->nfs++;
	/* the array may have moved: point every slot at its own strings */
	for (i = 0; i < ev->nfs; i++) {
		ev->fss[i].info.label = ev->fss[i].label;
		ev->fss[i].info.id = ev->fss[i].id;
	}
	return 0;
}

static int
open_volumes(struct sp_evidence *ev, struct sp_err *err)
{
	TSK_FS_INFO *fs;
	TSK_PNUM_T i;

	ev->vs = tsk_vs_open(ev->img, 0, TSK_VS_TYPE_DETECT);
	tsk_error_reset();
	if (ev->vs != NULL) {
		ev->volumes = calloc(ev->vs->part_count, sizeof(*ev->volumes));
		ev->volume_strings = calloc(ev->vs->part_count, sizeof(char *));
		if (ev->volumes == NULL || ev->volume_strings == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "volumes");
		for (i = 0; i < ev->vs->part_count; i++) {
			const TSK_VS_PART_INFO *p = tsk_vs_part_get(ev->vs, i);
			struct sp_volume *v = &ev->volumes[ev->nvolumes];
			if (p == NULL)
				continue;
			v->index = (unsigned)p->addr;
			v->start = p->start;
			v->length = p->len;
			v->description = p->desc ? p->desc : "";
			v->meta = (p->flags & TSK_VS_PART_FLAG_META) != 0;
			v->allocated = (p->flags & TSK_VS_PART_FLAG_ALLOC) != 0;
			if (v->meta)
				v->slot = "Meta";
			else if (!v->allocated)
				v->slot = "-------";
			else {
				/* as mmls: GPT slots have no table number */
				ev->volume_strings[ev->nvolumes] =
				    p->table_num < 0 ?
				    dupf("%03d", p->slot_num) :
				    dupf("%03d:%03d", p->table_num, p->slot_num);
				v->slot = ev->volume_strings[ev->nvolumes] ?
				    ev->volume_strings[ev->nvolumes] : "";
			}
			ev->nvolumes++;
			if (!v->allocated)
				continue;
			fs = tsk_fs_open_vol(p, TSK_FS_TYPE_DETECT);
			if (fs == NULL) {
				tsk_error_reset();
				continue;
			}
			if (add_fs(ev, fs, (int)(ev->nvolumes - 1)) != 0) {
				tsk_fs_close(fs);
				return sp_err_set(err, SP_E_NOMEM, 0, "fs");
			}
		}
	}
	if (ev->nfs == 0) {
		fs = tsk_fs_open_img(ev->img, 0, TSK_FS_TYPE_DETECT);
		if (fs == NULL) {
			const char *m = tsk_msg();
			if (ev->vs != NULL || ev->media_only) {
				tsk_error_reset();
				return SP_OK;	/* media without a file system */
			}
			return sp_err_set(err, SP_E_FORMAT, 0,
			    "no volume system or file system found (%s)", m);
		}
		if (add_fs(ev, fs, -1) != 0) {
			tsk_fs_close(fs);
			return sp_err_set(err, SP_E_NOMEM, 0, "fs");
		}
	}
	return SP_OK;
}

/* ---- open / close ---- */

/*
 * Refuse a file that is no evidence: a FIFO, a socket or a character
 * device (/dev/null, /dev/zero, a tty) would block a read or never end.
 */
static int
not_evidence(mode_t mode, struct sp_err *err)
{
	return sp_err_set(err, SP_E_NOINPUT, 0, "a %s, not a regular file, "
	    "block device or directory", sp_file_type_name(mode));
}

static int
sniff(const char *path, unsigned char *magic, size_t n, uint64_t *size,
    struct sp_err *err)
{
	struct stat st;
	ssize_t r;
	int fd;

	/*
	 * Not blocking: the file may have become a FIFO since it was
	 * stat'ed, and opening one for reading waits for a writer.  The
	 * type of what was opened is what counts.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "%s", "");
	if (fstat(fd, &st) != 0) {
		close(fd);
		return sp_err_set(err, SP_E_OS, errno, "%s", "");
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		close(fd);
		return not_evidence(st.st_mode, err);
	}
	memset(magic, 0, n);
	r = read(fd, magic, n);
	close(fd);
	if (r < 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "%s", "");
	if (r == 0)
		return sp_err_set(err, SP_E_DATA, 0, "empty file");
	*size = (uint64_t)st.st_size;
	return SP_OK;
}

static int evidence_open(struct sp_evidence **evp, const char *path,
    struct sp_run *run, int media_only, struct sp_err *err);

int
sp_evidence_open_plain(struct sp_evidence **evp, const char *path,
    struct sp_run *run, struct sp_err *err)
{
	return evidence_open(evp, path, run, 0, err);
}

int
sp_evidence_open_media(struct sp_evidence **evp, const char *path,
    struct sp_run *run, struct sp_err *err)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return sp_err_set(err, SP_E_USAGE, 0, "'%s': a directory has "
		    "no media", path);
	return evidence_open(evp, path, run, 1, err);
}

int
sp_evidence_read(struct sp_evidence *ev, uint64_t offset, void *buf,
    size_t len, size_t *got, struct sp_err *err)
{
	ssize_t n;

	*got = 0;
	if (ev->img == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "no media to read");
	if (offset >= ev->size)
		return SP_OK;
	if (len > ev->size - offset)
		len = (size_t)(ev->size - offset);
	n = tsk_img_read(ev->img, (TSK_OFF_T)offset, buf, len);
	if (n < 0 || (size_t)n != len) {
		const char *m = tsk_msg();
		return sp_err_set(err, SP_E_IO, 0, "read at offset %" PRIu64
		    ": %s", offset, m);
	}
	*got = (size_t)n;
	return SP_OK;
}

static int
evidence_open(struct sp_evidence **evp, const char *path,
    struct sp_run *run, int media_only, struct sp_err *err)
{
	static const unsigned char ewf_magic[8] =
	    { 'E', 'V', 'F', 0x09, 0x0d, 0x0a, 0xff, 0x00 };
	struct sp_evidence *ev;
	unsigned char magic[8];
	struct stat st;
	char **names = NULL;
	int count = 0, rc;

	*evp = NULL;
	if ((ev = calloc(1, sizeof(*ev))) == NULL ||
	    (ev->path = strdup(path)) == NULL) {
		free(ev);
		return sp_err_set(err, SP_E_NOMEM, 0, "'%s'", path);
	}
	ev->run = run;
	ev->media_only = media_only;
	ev->sector_size = 512;
	if (stat(path, &st) != 0) {
		rc = sp_err_set(err, sp_errno_code(errno), errno, "%s", "");
		goto fail;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) &&
	    !S_ISBLK(st.st_mode)) {
		rc = not_evidence(st.st_mode, err);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		if (access(path, R_OK | X_OK) != 0) {
			rc = sp_err_set(err, sp_errno_code(errno), errno, "%s",
			    "");
			goto fail;
		}
		ev->kind = SP_EVIDENCE_DIR;
		if (add_segment(ev, path) != 0 ||
		    (ev->fss = calloc(1, sizeof(*ev->fss))) == NULL) {
			rc = sp_err_set(err, SP_E_NOMEM, 0, "'%s'", path);
			goto fail;
		}
		ev->nfs = 1;
		ev->fss[0].info.volume = -1;
		ev->fss[0].info.type = "dir";
		ev->fss[0].info.label = ev->fss[0].label;
		ev->fss[0].info.id = ev->fss[0].id;
		ev->fss[0].info.last_written = SP_TIME_NONE;
		*evp = ev;
		return SP_OK;
	}
	if ((rc = sniff(path, magic, sizeof(magic), &ev->size, err)) != SP_OK)
		goto fail;
	if (memcmp(magic, ewf_magic, sizeof(ewf_magic)) == 0) {
		ev->kind = SP_EVIDENCE_E01;
		ev->is_ewf = 1;
		if ((rc = sp_ewf_glob(path, &names, &count, err)) != SP_OK)
			goto fail;
		for (int i = 0; i < count; i++)
			if (add_segment(ev, names[i]) != 0) {
				rc = sp_err_set(err, SP_E_NOMEM, 0, "segments");
				goto fail;
			}
		sp_ewf_glob_free(names, count);
		names = NULL;
		if ((rc = sp_ewf_read_info(ev->segments, (int)ev->nsegments,
		    &ev->ewf, ev->ewf_strings, err)) != SP_OK)
			goto fail;
		sp_ewf_check_segments(ev->segments, (int)ev->nsegments,
		    run, &ev->problems);
		if ((rc = sp_ewf_img_open(ev->segments, (int)ev->nsegments,
		    path, run, &ev->problems, &ev->img, err)) != SP_OK)
			goto fail;
	} else {
		ev->kind = SP_EVIDENCE_RAW;
		if ((rc = find_split(ev, err)) != SP_OK)
			goto fail;
		ev->img = tsk_img_open_utf8((int)ev->nsegments,
		    (const char *const *)ev->segments, TSK_IMG_TYPE_RAW, 0);
	}
	if (ev->img == NULL) {
		rc = sp_err_set(err, SP_E_CORRUPT, 0, "cannot open image (%s)",
		    tsk_msg());
		goto fail;
	}
	ev->size = (uint64_t)ev->img->size;
	ev->sector_size = ev->img->sector_size ? ev->img->sector_size : 512;
	if ((rc = open_volumes(ev, err)) != SP_OK)
		goto fail;
	*evp = ev;
	return SP_OK;
fail:
	sp_ewf_glob_free(names, count);
	sp_evidence_close(ev);
	return rc;
}

void
sp_evidence_close(struct sp_evidence *ev)
{
	size_t i;

	if (ev == NULL)
		return;
	if (ev->ops != NULL)
		ev->ops->close(ev->view);
	for (i = 0; i < ev->nfs; i++)
		if (ev->fss[i].fs != NULL)
			tsk_fs_close(ev->fss[i].fs);
	free(ev->fss);
	if (ev->vs != NULL)
		tsk_vs_close(ev->vs);
	if (ev->img != NULL)
		tsk_img_close(ev->img);
	for (i = 0; i < ev->nvolumes; i++)
		free(ev->volume_strings[i]);
	free(ev->volume_strings);
	free(ev->volumes);
	for (i = 0; i < EWF_STRINGS; i++)
		free(ev->ewf_strings[i]);
	for (i = 0; i < ev->nsegments; i++)
		free(ev->segments[i]);
	free(ev->segments);
	free(ev->path);
	free(ev);
}

enum sp_evidence_kind sp_evidence_kind(const struct sp_evidence *ev)
{ return ev->kind; }

void
sp_evidence_set_cancel(struct sp_evidence *ev, const struct sp_cancel *cancel)
{
	ev->cancel = cancel;
	if (ev->ops != NULL)
		ev->ops->set_cancel(ev->view, cancel);
}

const char *
sp_evidence_kind_name(enum sp_evidence_kind kind)
{
	switch (kind) {
	case SP_EVIDENCE_RAW: return "raw";
	case SP_EVIDENCE_SPLIT: return "split";
	case SP_EVIDENCE_E01: return "e01";
	case SP_EVIDENCE_DIR: return "dir";
	}
	return "unknown";
}

const char *sp_evidence_path(const struct sp_evidence *ev) { return ev->path; }
uint64_t sp_evidence_size(const struct sp_evidence *ev) { return ev->size; }
unsigned sp_evidence_sector_size(const struct sp_evidence *ev)
{ return ev->sector_size; }
size_t sp_evidence_segment_count(const struct sp_evidence *ev)
{ return ev->nsegments; }
const char *
sp_evidence_segment(const struct sp_evidence *ev, size_t i)
{ return i < ev->nsegments ? ev->segments[i] : NULL; }
uint64_t sp_evidence_problem_count(const struct sp_evidence *ev)
{
	return ev->problems + (ev->ops != NULL ?
	    ev->ops->problem_count(ev->view) : 0);
}

const struct sp_ewf_info *
sp_evidence_ewf_info(const struct sp_evidence *ev)
{
	return ev->is_ewf ? &ev->ewf : NULL;
}

const char *
sp_evidence_vs_type(const struct sp_evidence *ev)
{
	return ev->vs ? tsk_vs_type_toname(ev->vs->vstype) : NULL;
}

size_t sp_evidence_volume_count(const struct sp_evidence *ev)
{ return ev->nvolumes; }

const struct sp_volume *
sp_evidence_volume(const struct sp_evidence *ev, size_t i)
{
	return i < ev->nvolumes ? &ev->volumes[i] : NULL;
}

size_t sp_evidence_fs_count(const struct sp_evidence *ev) { return ev->nfs; }

int
sp_evidence_need_fs(const struct sp_evidence *ev, struct sp_err *err)
{
	if (ev->nfs > 0)
		return SP_OK;
	if (ev->vs != NULL)
		return sp_err_set(err, SP_E_FORMAT, 0, "no file system found "
		    "(volume system %s, %zu volumes)",
		    tsk_vs_type_toname(ev->vs->vstype), ev->nvolumes);
	return sp_err_set(err, SP_E_FORMAT, 0, "no file system found");
}

const struct sp_fs_info *
sp_evidence_fs(const struct sp_evidence *ev, size_t i)
{
	return i < ev->nfs ? &ev->fss[i].info : NULL;
}

/* ---- the walk ---- */

/*
 * The walk drives the recursion itself rather than through
 * tsk_fs_dir_walk, whose fixed depth (128) and path (4096 bytes) limits
 * drop whole subtrees without a word.  It visits names in exactly the order
 * tsk_fs_dir_walk does (fls's order), keeps the path on the heap, and stops
 * only at WALK_MAX_DEPTH levels, where it records a problem.
 */
#define WALK_MAX_DEPTH 8192
#define WALK_TIME_LIMIT (30.0 * 60)	/* seconds per file system */
#define WALK_CLOCK_EVERY 64		/* entries between clock reads */

struct walk {
	struct sp_evidence *ev;
	unsigned fs_index;
	const char *prefix;	/* start directory, "" for the root */
	sp_entry_fn *fn;
	void *arg;
	int stop;
	char *path;
	size_t pathcap;

	TSK_FS_INFO *fs;
	unsigned tflags;
	char *dir;		/* directories below prefix, each with '/' */
	size_t dirlen, dircap;
	TSK_INUM_T *seen;	/* directories being walked (loops) */
	size_t depth, seencap;
	TSK_LIST *named;	/* unallocated inodes that have a name */
	int save_named;
	TSK_INUM_T reported;	/* directory already said unreadable */
	int reported_set;
	double limit;		/* seconds; 0: none */
	struct timespec start;
	unsigned tick;
	int out_of_time;
};

static char
name_type(TSK_FS_NAME_TYPE_ENUM t)
{
	return t < TSK_FS_NAME_TYPE_STR_MAX ? tsk_fs_name_type_str[t][0] : '-';
}

static char
meta_type(TSK_FS_META_TYPE_ENUM t)
{
	return t < TSK_FS_META_TYPE_STR_MAX ? tsk_fs_meta_type_str[t][0] : '-';
}

static sp_time_ns
tsk_time(time_t sec, uint32_t nsec)
{
	if (sec == 0 && nsec == 0)
		return SP_TIME_NONE;
	return sp_time_from_parts((int64_t)sec, nsec);
}

static int
build_path(struct walk *w, const char *dir, const char *name)
{
	size_t need = strlen(w->prefix) + strlen(dir) + strlen(name) + 3;
	char *n;

	if (need > w->pathcap) {
		if ((n = realloc(w->path, need * 2)) == NULL)
			return -1;
		w->path = n;
		w->pathcap = need * 2;
	}
	snprintf(w->path, w->pathcap, "%s/%s%s", w->prefix, dir, name);
	return 0;
}

/*
 * An NTFS stream with a size but nothing on disk: never written (its
 * initialised size is 0) or sparse throughout, as $BadClus:$Bad of a
 * volume without bad clusters.  Every byte of it reads as zero.
 */
static int
no_data_on_disk(const TSK_FS_ATTR *a)
{
	const TSK_FS_ATTR_RUN *r;

	if (a->size <= 0 || !(a->flags & TSK_FS_ATTR_NONRES))
		return 0;
	if (a->nrd.initsize == 0)
		return 1;
	for (r = a->nrd.run; r != NULL; r = r->next)
		if (r->len > 0 && !(r->flags & (TSK_FS_ATTR_RUN_FLAG_SPARSE |
		    TSK_FS_ATTR_RUN_FLAG_FILLER)))
			return 0;
	return 1;
}

static void
emit(struct walk *w, TSK_FS_FILE *f, const TSK_FS_ATTR *attr)
{
	struct sp_entry e;
	TSK_FS_META *m = f->meta;
	int rc;

	memset(&e, 0, sizeof(e));
	e.fs_index = w->fs_index;
	e.inode = f->name->meta_addr;
	e.path = w->path;
	e.name = f->name->name;
	e.name_type = name_type(f->name->type);
	e.atime = e.mtime = e.ctime = e.crtime = e.dtime = SP_TIME_NONE;
	/* the root has no name of its own: its "." is its one listing */
	if (TSK_FS_ISDOT(f->name->name) &&
	    f->name->meta_addr != f->fs_info->root_inum)
		e.flags |= SP_ENTRY_DOT;
	if (f->name->flags & TSK_FS_NAME_FLAG_UNALLOC) {
		e.flags |= SP_ENTRY_DELETED;
		if (m != NULL && (m->flags & TSK_FS_META_FLAG_ALLOC))
			e.flags |= SP_ENTRY_REALLOC;
	}
	if (attr != NULL) {
		e.flags |= SP_ENTRY_ATTR;
		e.attr_type = attr->type;
		e.attr_id = attr->id;
		if (attr->type == TSK_FS_ATTR_TYPE_NTFS_FNAME)
			e.flags |= SP_ENTRY_FILE_NAME;
		else if (attr->name != NULL &&
		    (attr->type != TSK_FS_ATTR_TYPE_NTFS_IDXROOT ||
		    strcmp(attr->name, "$I30") != 0)) {
			e.flags |= SP_ENTRY_STREAM;
			e.stream = attr->name;
		}
		if (attr->type == TSK_FS_ATTR_TYPE_NTFS_DATA &&
		    no_data_on_disk(attr))
			e.flags |= SP_ENTRY_SPARSE;
	}
	if (m == NULL) {
		e.flags |= SP_ENTRY_NO_META;
		e.meta_type = '-';
	} else {
		e.meta_type = meta_type(m->type);
		e.mode = (uint32_t)m->mode & 07777;
		e.uid = m->uid;
		e.gid = m->gid;
		e.nlink = (uint32_t)m->nlink;
		e.size = attr != NULL ? (uint64_t)attr->size : (uint64_t)m->size;
		if (m->type == TSK_FS_META_TYPE_LNK && m->link != NULL)
			e.link = m->link;
		if (e.flags & SP_ENTRY_FILE_NAME) {
			e.atime = tsk_time(m->time2.ntfs.fn_atime,
			    m->time2.ntfs.fn_atime_nano);
			e.mtime = tsk_time(m->time2.ntfs.fn_mtime,
			    m->time2.ntfs.fn_mtime_nano);
			e.ctime = tsk_time(m->time2.ntfs.fn_ctime,
			    m->time2.ntfs.fn_ctime_nano);
			e.crtime = tsk_time(m->time2.ntfs.fn_crtime,
			    m->time2.ntfs.fn_crtime_nano);
		} else {
			e.atime = tsk_time(m->atime, m->atime_nano);
			e.mtime = tsk_time(m->mtime, m->mtime_nano);
			e.ctime = tsk_time(m->ctime, m->ctime_nano);
			e.crtime = tsk_time(m->crtime, m->crtime_nano);
			if (TSK_FS_TYPE_ISEXT(f->fs_info->ftype))
				e.dtime = tsk_time(m->time2.ext2.dtime,
				    m->time2.ext2.dtime_nano);
		}
	}
	if ((rc = w->fn(&e, w->arg)) != SP_CB_CONTINUE)
		w->stop = rc;
}

/*
 * The "." and ".." names of an NTFS directory, as fls lists them without
 * -a: the data streams of "." (the directory's own, listed a second time
 * as "dir/.:stream"), nothing of "..", and the bare name when neither
 * has a data stream or an index (which a sound directory always has).
 */
static void
dot_streams(struct walk *w, TSK_FS_FILE *f, const char *dir)
{
	int i, cnt, printed = 0;

	if (build_path(w, dir, f->name->name) != 0) {
		w->stop = SP_E_NOMEM;
		return;
	}
	cnt = tsk_fs_file_attr_getsize(f);
	for (i = 0; i < cnt && !w->stop; i++) {
		const TSK_FS_ATTR *a = tsk_fs_file_attr_get_idx(f, i);
		if (a == NULL)
			continue;
		if (a->type == TSK_FS_ATTR_TYPE_NTFS_DATA) {
			printed = 1;
			if (f->meta->type != TSK_FS_META_TYPE_DIR ||
			    strcmp(f->name->name, "..") != 0)
				emit(w, f, a);
		} else if (a->type == TSK_FS_ATTR_TYPE_NTFS_IDXROOT)
			printed = 1;
	}
	tsk_error_reset();
	if (!printed && !w->stop)
		emit(w, f, NULL);
}

static TSK_WALK_RET_ENUM
walk_cb(TSK_FS_FILE *f, const char *dir, void *arg)
{
	struct walk *w = arg;
	TSK_FS_META *m;
	int printed = 0, i, cnt;

	if (sp_cancel_requested(w->ev->cancel)) {
		w->stop = SP_E_INTERRUPTED;
		return TSK_WALK_STOP;
	}
	if (f->name == NULL || f->name->name == NULL)
		return TSK_WALK_CONT;
	if (TSK_FS_ISDOT(f->name->name)) {
		if (TSK_FS_TYPE_ISNTFS(f->fs_info->ftype) && f->meta != NULL)
			dot_streams(w, f, dir);
		return w->stop ? TSK_WALK_STOP : TSK_WALK_CONT;
	}
	if (build_path(w, dir, f->name->name) != 0) {
		w->stop = SP_E_NOMEM;
		return TSK_WALK_STOP;
	}
	m = f->meta;
	if (m == NULL && (f->name->flags & TSK_FS_NAME_FLAG_ALLOC)) {
		/* an allocated name whose inode cannot be read */
		sp_run_problem(w->ev->run, w->path, SP_E_CORRUPT,
		    "inode %" PRIuINUM ": cannot read metadata",
		    f->name->meta_addr);
		w->ev->problems++;
	}
	if (m != NULL && m->type == TSK_FS_META_TYPE_DIR &&
	    (f->name->flags & TSK_FS_NAME_FLAG_ALLOC) &&
	    tsk_fs_file_attr_get(f) == NULL) {
		/*
		 * libtsk skips a directory whose content it cannot map and
		 * says nothing; its entries are lost, so say it here.
		 */
		sp_run_problem(w->ev->run, w->path, SP_E_CORRUPT,
		    "inode %" PRIuINUM ": directory content unreadable: %s",
		    f->name->meta_addr, tsk_msg());
		w->ev->problems++;
		w->reported = f->name->meta_addr;
		w->reported_set = 1;
	}
	if (m != NULL && (f->name->flags & TSK_FS_NAME_FLAG_ALLOC) &&
	    TSK_FS_IS_DIR_NAME(f->name->type) &&
	    !TSK_FS_IS_DIR_META(m->type)) {
		/* a damaged inode: libtsk does not go in, and says nothing */
		sp_run_problem(w->ev->run, w->path, SP_E_CORRUPT,
		    "inode %" PRIuINUM ": named as a directory but the inode "
		    "is of type '%c', its entries are not listed",
		    f->name->meta_addr, meta_type(m->type));
		w->ev->problems++;
	}
	if (TSK_FS_TYPE_ISNTFS(f->fs_info->ftype) && m != NULL) {
		cnt = tsk_fs_file_attr_getsize(f);
		for (i = 0; i < cnt && !w->stop; i++) {
			const TSK_FS_ATTR *a = tsk_fs_file_attr_get_idx(f, i);
			if (a == NULL)
				continue;
			if (a->type == TSK_FS_ATTR_TYPE_NTFS_DATA ||
			    a->type == TSK_FS_ATTR_TYPE_NTFS_IDXROOT ||
			    (a->type == TSK_FS_ATTR_TYPE_NTFS_FNAME &&
			    a->id == m->time2.ntfs.fn_id)) {
				if (a->type != TSK_FS_ATTR_TYPE_NTFS_FNAME)
					printed = 1;
				emit(w, f, a);
			}
		}
		tsk_error_reset();
		if (!printed && !w->stop)
			emit(w, f, NULL);
	} else
		emit(w, f, NULL);
	return w->stop ? TSK_WALK_STOP : TSK_WALK_CONT;
}

/*
 * libtsk exports these but declares them only in its internal headers;
 * the walk needs them to load each name's metadata the way
 * tsk_fs_dir_walk does (tsk_fs_dir_get would drop it on a sequence
 * mismatch, and fls shows it).
 */
extern TSK_FS_FILE *tsk_fs_file_alloc(TSK_FS_INFO *);
extern void tsk_fs_meta_close(TSK_FS_META *);
extern void tsk_take_lock(tsk_lock_t *);
extern void tsk_release_lock(tsk_lock_t *);

/* The order tsk_fs_dir_walk gives the root's names: user content first. */
static int
root_rank(const char *name)
{
	static const struct { const char *prefix; int rank; } r[] = {
		{ "Users", 0 }, { "Documents and Settings", 0 },
		{ "home", 0 }, { "ProgramData", 0 },
		{ "Windows", 2 }, { "$Orphan", 2 },
		{ "pagefile", 3 }, { "hiberfil", 3 },
	};
	size_t i;

	if (name == NULL)
		return 1;
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if (strncasecmp(name, r[i].prefix, strlen(r[i].prefix)) == 0)
			return r[i].rank;
	return 1;
}

static size_t *
root_order(const TSK_FS_DIR *d, size_t n)
{
	size_t *order, i, k = 0;
	int *rank, score;

	if ((order = malloc((n ? n : 1) * sizeof(*order))) == NULL)
		return NULL;
	if ((rank = malloc((n ? n : 1) * sizeof(*rank))) == NULL) {
		free(order);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const TSK_FS_NAME *nm = tsk_fs_dir_get_name(d, i);
		rank[i] = root_rank(nm != NULL ? nm->name : NULL);
	}
	for (score = 0; score <= 3; score++)
		for (i = 0; i < n; i++)
			if (rank[i] == score)
				order[k++] = i;
	free(rank);
	return order;
}

static double
elapsed(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) +
	    (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* Is the file system's time spent?  Says so once, then stops the walk. */
static int
out_of_time(struct walk *w, int now)
{
	if (w->out_of_time)
		return 1;
	if (w->limit <= 0 || (!now && ++w->tick % WALK_CLOCK_EVERY != 0))
		return 0;
	if (elapsed(&w->start) < w->limit)
		return 0;
	w->out_of_time = 1;
	sp_run_problem(w->ev->run, w->ev->fss[w->fs_index].id, SP_E_CORRUPT,
	    "time limit of %g s spent (SPOOR_FS_TIME_LIMIT): the walk stopped "
	    "in '%s/%.*s'; the rest of this file system is not listed",
	    w->limit, w->prefix, (int)w->dirlen, w->dir ? w->dir : "");
	w->ev->problems++;
	return 1;
}

/* The path of the directory just entered, for a problem. */
static const char *
dir_subject(struct walk *w)
{
	if (build_path(w, w->dir != NULL ? w->dir : "", "") != 0)
		return "/";
	if (w->path[0] == '/' && w->path[1] == '\0')
		return w->path;
	if (w->path[strlen(w->path) - 1] == '/')
		w->path[strlen(w->path) - 1] = '\0';
	return w->path;
}

static int
dir_push(struct walk *w, const char *name, TSK_INUM_T inum)
{
	size_t len = strlen(name), need = w->dirlen + len + 2;
	char *n;
	TSK_INUM_T *s;

	if (need > w->dircap) {
		if ((n = realloc(w->dir, need * 2)) == NULL)
			return -1;
		w->dir = n;
		w->dircap = need * 2;
	}
	if (w->depth == w->seencap) {
		size_t cap = w->seencap ? w->seencap * 2 : 64;
		if ((s = realloc(w->seen, cap * sizeof(*s))) == NULL)
			return -1;
		w->seen = s;
		w->seencap = cap;
	}
	memcpy(w->dir + w->dirlen, name, len);
	w->dir[w->dirlen + len] = '/';
	w->dir[w->dirlen + len + 1] = '\0';
	w->dirlen += len + 1;
	w->seen[w->depth++] = inum;
	return 0;
}

static void
dir_pop(struct walk *w, size_t dirlen)
{
	w->depth--;
	w->dirlen = dirlen;
	w->dir[dirlen] = '\0';
}

static int
dir_seen(const struct walk *w, TSK_INUM_T inum)
{
	size_t i;

	for (i = 0; i < w->depth; i++)
		if (w->seen[i] == inum)
			return 1;
	return 0;
}

static void
save_named(struct walk *w)
{
	tsk_take_lock(&w->fs->list_inum_named_lock);
	if (w->fs->list_inum_named == NULL)
		w->fs->list_inum_named = w->named;
	else
		tsk_list_free(w->named);
	w->named = NULL;
	tsk_release_lock(&w->fs->list_inum_named_lock);
}

/* A directory below the start could not be opened: say what is lost. */
static void
dir_lost(struct walk *w, const TSK_FS_NAME *name)
{
	TSK_INUM_T inum = name->meta_addr;

	if (inum == TSK_FS_ORPHANDIR_INUM(w->fs)) {
		sp_run_problem(w->ev->run, dir_subject(w), SP_E_CORRUPT,
		    "orphan file search failed, orphan files not listed: %s",
		    tsk_msg());
		w->ev->problems++;
	} else if ((name->flags & TSK_FS_NAME_FLAG_ALLOC) &&
	    !(w->reported_set && w->reported == inum)) {
		sp_run_problem(w->ev->run, dir_subject(w), SP_E_CORRUPT,
		    "inode %" PRIuINUM ": directory cannot be read, its "
		    "entries are not listed: %s", inum, tsk_msg());
		w->ev->problems++;
	}
	/* a deleted directory whose blocks are gone is ordinary */
	tsk_error_reset();
}

/*
 * libtsk can fail an allocation while it reads a directory or searches
 * for orphan files, leave the error set and still return the directory:
 * its inode walk skips the inode it could not load.  A bound of
 * --max-memory makes that happen on a crafted file system that asks for
 * gigabytes.  What it skipped is not known, so the listing is said to be
 * short.  Other errors it leaves behind are not taken as losses: a
 * deleted inode's garbage sets them on sound file systems.
 */
static void
dir_short(struct walk *w, TSK_INUM_T addr)
{
	if (tsk_error_get_errno() != TSK_ERR_AUX_MALLOC)
		return;
	if (addr == TSK_FS_ORPHANDIR_INUM(w->fs))
		sp_run_problem(w->ev->run, dir_subject(w), SP_E_NOMEM,
		    "orphan file search ran out of memory and went on, "
		    "orphan files may be missing: %s", tsk_msg());
	else
		sp_run_problem(w->ev->run, dir_subject(w), SP_E_NOMEM,
		    "inode %" PRIuINUM ": directory read ran out of memory "
		    "and went on, entries may be missing: %s", addr,
		    tsk_msg());
	w->ev->problems++;
	tsk_error_reset();
}

/*
 * Walk one directory as tsk_fs_dir_walk_recursive does.  Returns 0 to go
 * on, 1 when the walk stops (w->stop, or time spent), -1 when the
 * directory cannot be opened (the TSK error is left for the caller).
 */
static int
walk_dir(struct walk *w, TSK_INUM_T addr)
{
	TSK_FS_INFO *fs = w->fs;
	TSK_FS_DIR *d;
	TSK_FS_FILE *f;
	size_t i, n, *order = NULL;
	int ret = 0;

	tsk_error_reset();
	if ((d = tsk_fs_dir_open_meta(fs, addr)) == NULL)
		return -1;
	dir_short(w, addr);
	if (out_of_time(w, 1)) {
		tsk_fs_dir_close(d);
		return 1;
	}
	n = tsk_fs_dir_getsize(d);
	if (addr == fs->root_inum && (order = root_order(d, n)) == NULL) {
		tsk_fs_dir_close(d);
		w->stop = SP_E_NOMEM;
		return 1;
	}
	if ((f = tsk_fs_file_alloc(fs)) == NULL) {
		free(order);
		tsk_fs_dir_close(d);
		w->stop = SP_E_NOMEM;
		return 1;
	}
	for (i = 0; i < n && ret == 0; i++) {
		const TSK_FS_NAME *nm;
		TSK_FS_NAME *name;
		int rc;

		if (sp_cancel_requested(w->ev->cancel)) {
			w->stop = SP_E_INTERRUPTED;
			ret = 1;
			break;
		}
		if (out_of_time(w, 0)) {
			ret = 1;
			break;
		}
		nm = tsk_fs_dir_get_name(d, order != NULL ? order[i] : i);
		if (nm == NULL) {
			tsk_error_reset();
			continue;
		}
		name = (TSK_FS_NAME *)nm;
		f->name = name;
		if (name->meta_addr || (name->flags & TSK_FS_NAME_FLAG_ALLOC)) {
			if (fs->file_add_meta(fs, f, name->meta_addr))
				tsk_error_reset();
		}
		if ((name->flags & w->tflags) == name->flags &&
		    walk_cb(f, w->dir != NULL ? w->dir : "", w) ==
		    TSK_WALK_STOP) {
			ret = 1;
			goto next;
		}
		if (w->save_named && f->meta != NULL &&
		    (f->meta->flags & TSK_FS_META_FLAG_UNALLOC) &&
		    tsk_list_add(&w->named, f->meta->addr)) {
			tsk_list_free(w->named);
			w->named = NULL;
			w->save_named = 0;
		}
		if (name->meta_addr == TSK_FS_ORPHANDIR_INUM(fs) &&
		    i == n - 1 && w->save_named == 1) {
			save_named(w);
			w->save_named = 0;
		}
		if ((TSK_FS_IS_DIR_NAME(name->type) ||
		    name->type == TSK_FS_NAME_TYPE_UNDEF) &&
		    f->meta != NULL && TSK_FS_IS_DIR_META(f->meta->type) &&
		    (w->tflags & TSK_FS_DIR_WALK_FLAG_RECURSE) &&
		    ((name->flags & TSK_FS_NAME_FLAG_ALLOC) ||
		    ((name->flags & TSK_FS_NAME_FLAG_UNALLOC) &&
		    (f->meta->flags & TSK_FS_META_FLAG_UNALLOC))) &&
		    !TSK_FS_ISDOT(name->name) &&
		    !dir_seen(w, name->meta_addr)) {
			size_t dirlen = w->dirlen;
			int save_bak = w->save_named;
			int orphans = name->meta_addr ==
			    TSK_FS_ORPHANDIR_INUM(fs);

			if (w->depth >= WALK_MAX_DEPTH) {
				if (build_path(w, w->dir, name->name) == 0) {
					sp_run_problem(w->ev->run, w->path,
					    SP_E_CORRUPT, "directory more than "
					    "%d levels deep, its entries are "
					    "not listed", WALK_MAX_DEPTH);
					w->ev->problems++;
				}
				goto next;
			}
			if (dir_push(w, name->name, name->meta_addr) != 0) {
				w->stop = SP_E_NOMEM;
				ret = 1;
				goto next;
			}
			if (orphans)
				w->save_named = 0;
			rc = walk_dir(w, name->meta_addr);
			if (rc < 0)
				dir_lost(w, name);
			else if (rc > 0)
				ret = 1;
			if (orphans)
				w->save_named = save_bak;
			dir_pop(w, dirlen);
		}
next:
		f->name = NULL;
		if (f->meta != NULL) {
			tsk_fs_meta_close(f->meta);
			f->meta = NULL;
		}
	}
	f->name = NULL;
	tsk_fs_file_close(f);
	free(order);
	tsk_fs_dir_close(d);
	return ret;
}

/* SPOOR_FS_TIME_LIMIT: seconds (a fraction allowed), 0 for none. */
static double
time_limit(void)
{
	const char *v = getenv("SPOOR_FS_TIME_LIMIT");
	char *end;
	double d;

	if (v == NULL || *v == '\0')
		return WALK_TIME_LIMIT;
	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || *end != '\0' || !(d >= 0))
		return WALK_TIME_LIMIT;
	return d;
}

int
sp_evidence_walk(struct sp_evidence *ev, unsigned fs_index, const char *path,
    unsigned flags, sp_entry_fn *fn, void *arg, struct sp_err *err)
{
	struct walk w;
	TSK_FS_INFO *fs;
	TSK_INUM_T inum;
	TSK_FS_FILE *f;
	const TSK_FS_ATTR *attr;
	char *prefix = NULL;
	unsigned tflags = 0;
	int rc = SP_OK;
	size_t n;

	if (fs_index >= ev->nfs)
		return sp_err_set(err, SP_E_USAGE, 0, "no file system %u",
		    fs_index);
	if (ev->ops != NULL)
		return ev->ops->walk(ev->view, path, flags, ev->cancel, fn,
		    arg, err);
	if (ev->kind == SP_EVIDENCE_DIR)
		return sp_dir_walk(ev->path, path, flags, ev->run,
		    &ev->problems, ev->cancel, fn, arg, err);
	fs = ev->fss[fs_index].fs;
	memset(&w, 0, sizeof(w));
	w.ev = ev;
	w.fs_index = fs_index;
	w.fn = fn;
	w.arg = arg;
	w.prefix = "";
	inum = fs->root_inum;
	if (path != NULL && strcmp(path, "/") != 0 && path[0] != '\0') {
		if ((prefix = strdup(path[0] == '/' ? path : path - 0)) == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "walk");
		if (path[0] != '/') {
			free(prefix);
			if ((prefix = dupf("/%s", path)) == NULL)
				return sp_err_set(err, SP_E_NOMEM, 0, "walk");
		}
		n = strlen(prefix);
		while (n > 1 && prefix[n - 1] == '/')
			prefix[--n] = '\0';
		if ((rc = sp_tsk_path_resolve(fs, prefix, &f, &attr, err)) !=
		    SP_OK) {
			free(prefix);
			sp_err_prefix(err, "'%s'", path);
			return rc;
		}
		if (f->meta == NULL || !TSK_FS_IS_DIR_META(f->meta->type) ||
		    attr != NULL) {
			/* a single file or stream: list just it */
			char *slash = strrchr(prefix, '/');
			*slash = '\0';
			w.prefix = prefix;
			if (attr == NULL)
				walk_cb(f, "", &w);	/* as a name in a walk */
			else if (build_path(&w, "", f->name->name) == 0)
				emit(&w, f, attr);
			tsk_fs_file_close(f);
			free(w.path);
			free(prefix);
			return sp_err_callback(err, w.stop, "walk");
		}
		inum = f->meta->addr;
		tsk_fs_file_close(f);
		w.prefix = prefix;
	}
	if (flags & SP_WALK_RECURSE)
		tflags |= TSK_FS_DIR_WALK_FLAG_RECURSE;
	if (flags & SP_WALK_ALLOCATED)
		tflags |= TSK_FS_DIR_WALK_FLAG_ALLOC;
	if (flags & SP_WALK_DELETED)
		tflags |= TSK_FS_DIR_WALK_FLAG_UNALLOC;
	if ((tflags & (TSK_FS_DIR_WALK_FLAG_ALLOC |
	    TSK_FS_DIR_WALK_FLAG_UNALLOC)) == 0)
		tflags |= TSK_FS_DIR_WALK_FLAG_ALLOC |
		    TSK_FS_DIR_WALK_FLAG_UNALLOC;
	w.fs = fs;
	w.tflags = tflags;
	w.limit = time_limit();
	clock_gettime(CLOCK_MONOTONIC, &w.start);
	tsk_take_lock(&fs->list_inum_named_lock);
	w.save_named = fs->list_inum_named == NULL && inum == fs->root_inum &&
	    (tflags & TSK_FS_DIR_WALK_FLAG_RECURSE);
	tsk_release_lock(&fs->list_inum_named_lock);
	if ((w.seen = malloc(64 * sizeof(*w.seen))) == NULL) {
		free(prefix);
		return sp_err_set(err, SP_E_NOMEM, 0, "walk");
	}
	w.seencap = 64;
	if (walk_dir(&w, inum) < 0) {
		/* the start directory itself: nothing below it is listed */
		sp_run_problem(ev->run, w.prefix[0] ? w.prefix : "/",
		    SP_E_CORRUPT, "inode %" PRIuINUM ": directory cannot be "
		    "read, nothing below it is listed: %s", inum, tsk_msg());
		ev->problems++;
	} else if (w.save_named == 1 && !w.stop && !w.out_of_time) {
		save_named(&w);
	}
	tsk_list_free(w.named);
	free(w.seen);
	free(w.dir);
	tsk_error_reset();
	rc = sp_err_callback(err, w.stop, "walk");
	free(w.path);
	free(prefix);
	return rc;
}

int
sp_evidence_locate(struct sp_evidence *ev, const char *path,
    unsigned *found, size_t max, size_t *nfound, struct sp_err *err)
{
	struct sp_strbuf why = SP_STRBUF_INIT;
	struct sp_err ferr;
	TSK_FS_FILE *f;
	const TSK_FS_ATTR *a;
	size_t i;
	int rc;

	*nfound = 0;
	if (ev->nfs <= 1 || ev->kind == SP_EVIDENCE_DIR) {
		if (ev->nfs == 1 && max > 0)
			found[0] = 0;
		*nfound = ev->nfs;
		return SP_OK;
	}
	for (i = 0; i < ev->nfs; i++) {
		sp_err_init(&ferr);
		rc = sp_tsk_path_resolve(ev->fss[i].fs, path, &f, &a, &ferr);
		if (rc == SP_E_NOMEM) {
			sp_strbuf_release(&why);
			return sp_err_set(err, rc, 0, "path");
		}
		if (rc != SP_OK) {
			sp_strbuf_addf(&why, "%sfs %zu (%s): %s", i ? "; " : "",
			    i, ev->fss[i].info.type, ferr.msg);
			continue;
		}
		tsk_fs_file_close(f);
		if (*nfound < max)
			found[*nfound] = (unsigned)i;
		(*nfound)++;
	}
	rc = *nfound > 0 ? SP_OK : sp_err_set(err, SP_E_NOTFOUND, 0, "'%s': "
	    "not found in any of the %zu file systems: %s", path, ev->nfs,
	    sp_strbuf_str(&why));
	sp_strbuf_release(&why);
	return rc;
}

/* ---- content ---- */

int
sp_file_ref_parse(const char *s, struct sp_file_ref *ref)
{
	unsigned long long a, t, i;
	char tail;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return SP_E_USAGE;
	if (sscanf(s, "%llu-%llu-%llu%c", &a, &t, &i, &tail) == 3 &&
	    t <= UINT32_MAX && i <= 0xffff) {
		ref->inode = a;
		ref->attr_type = (uint32_t)t;
		ref->attr_id = (uint16_t)i;
		return SP_OK;
	}
	if (strspn(s, "0123456789") == strlen(s)) {
		ref->inode = strtoull(s, NULL, 10);
		ref->attr_type = 0;
		ref->attr_id = 0;
		return SP_OK;
	}
	return SP_E_USAGE;
}

void
sp_entry_file_ref(const struct sp_evidence *ev, const struct sp_entry *e,
    struct sp_file_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->source = ev->path;
	ref->fs = e->fs_index;
	ref->inode = e->inode;
	if (e->flags & SP_ENTRY_ATTR) {
		ref->attr_type = e->attr_type;
		ref->attr_id = e->attr_id;
	}
}

/*
 * Why the content of a deleted ext2/3/4 file can no longer be read, or
 * NULL when it can.  Linux zeroes the size and the block map (the
 * extents) of an inode it frees: a size of 0 no longer tells an empty
 * file from a lost one, and a size without any block mapped would read
 * as zeros that were never the file's.  Content kept in the inode
 * (inline data) stays readable.
 */
static const char *
content_lost(const TSK_FS_FILE *f, const TSK_FS_ATTR *a)
{
	const TSK_FS_ATTR_RUN *r;

	if (!TSK_FS_TYPE_ISEXT(f->fs_info->ftype) ||
	    !(f->meta->flags & TSK_FS_META_FLAG_UNALLOC) ||
	    f->meta->type != TSK_FS_META_TYPE_REG)
		return NULL;
	if (f->meta->size == 0 || a == NULL)
		return "its inode no longer records its size";
	if (!(a->flags & TSK_FS_ATTR_NONRES))
		return NULL;
	for (r = a->nrd.run; r != NULL; r = r->next)
		if (r->len > 0 && !(r->flags & (TSK_FS_ATTR_RUN_FLAG_SPARSE |
		    TSK_FS_ATTR_RUN_FLAG_FILLER)))
			return NULL;
	return "its inode no longer maps any block of its content";
}

/*
 * Feed the content of f (taken over) to fn: the attribute type/id when
 * type is not 0, else the default data.  what names it in messages.
 */
static int
read_tsk_file(struct sp_evidence *ev, TSK_FS_FILE *f, uint32_t type,
    uint16_t id, const char *what, sp_data_fn *fn, void *arg,
    struct sp_err *err)
{
	const TSK_FS_ATTR *a;
	const char *lost;
	char *buf;
	TSK_OFF_T off = 0, size;
	ssize_t n;
	int rc = SP_OK;
	const size_t bufsize = 1 << 16;

	if (f == NULL) {
		const char *m = tsk_msg();
		return sp_err_set(err, SP_E_NOTFOUND, 0, "'%s': %s", what, m);
	}
	if (f->meta == NULL) {
		tsk_fs_file_close(f);
		return sp_err_set(err, SP_E_CORRUPT, 0, "'%s': no metadata",
		    what);
	}
	if (type == 0 && f->meta->type == TSK_FS_META_TYPE_DIR) {
		tsk_fs_file_close(f);
		return sp_err_set(err, SP_E_USAGE, 0, "'%s': is a directory",
		    what);
	}
	if (type != 0)
		a = tsk_fs_file_attr_get_type(f, (TSK_FS_ATTR_TYPE_ENUM)type,
		    id, 1);
	else
		a = tsk_fs_file_attr_get(f);
	tsk_error_reset();
	if (a == NULL && type != 0) {
		tsk_fs_file_close(f);
		return sp_err_set(err, SP_E_NOTFOUND, 0, "'%s': no such "
		    "attribute", what);
	}
	if ((lost = content_lost(f, a)) != NULL) {
		tsk_fs_file_close(f);
		return sp_err_set(err, SP_E_UNRECOVERABLE, 0, "'%s': content "
		    "not recoverable: the file is deleted and %s", what, lost);
	}
	if (a == NULL) {
		/* no data attribute: an empty file or a device */
		tsk_fs_file_close(f);
		return SP_OK;
	}
	size = a->size;
	if ((buf = malloc(bufsize)) == NULL) {
		tsk_fs_file_close(f);
		return sp_err_set(err, SP_E_NOMEM, 0, "read");
	}
	while (off < size) {
		size_t want = size - off < (TSK_OFF_T)bufsize ?
		    (size_t)(size - off) : bufsize;
		if (sp_cancel_requested(ev->cancel)) {
			rc = sp_err_set(err, SP_E_INTERRUPTED, 0, "read");
			break;
		}
		n = tsk_fs_attr_read(a, off, buf, want,
		    TSK_FS_FILE_READ_FLAG_NONE);
		if (n == 0 && (a->flags & TSK_FS_ATTR_NONRES) &&
		    off >= a->nrd.initsize) {
			/*
			 * Past an NTFS stream's initialised size libtsk
			 * reads nothing; the content there is zeros (as
			 * Windows reads it), never written to disk.
			 */
			tsk_error_reset();
			memset(buf, 0, want);
			n = (ssize_t)want;
		}
		if (n <= 0) {
			rc = sp_err_set(err, SP_E_IO, 0, "'%s': read at offset "
			    "%" PRId64 ": %s", what, (int64_t)off, tsk_msg());
			break;
		}
		if ((rc = fn(buf, (size_t)n, arg)) != SP_CB_CONTINUE) {
			rc = sp_err_callback(err, rc, what);
			break;
		}
		off += n;
	}
	free(buf);
	tsk_fs_file_close(f);
	return rc;
}

int
sp_evidence_read_file(struct sp_evidence *ev, unsigned fs_index,
    const char *path, sp_data_fn *fn, void *arg, struct sp_err *err)
{
	TSK_FS_FILE *f;
	const TSK_FS_ATTR *a;
	int rc;

	if (fs_index >= ev->nfs)
		return sp_err_set(err, SP_E_USAGE, 0, "no file system %u",
		    fs_index);
	if (ev->ops != NULL)
		return ev->ops->read_file(ev->view, path, fn, arg, err);
	if (ev->kind == SP_EVIDENCE_DIR)
		return sp_dir_read_file(ev->path, path, ev->cancel, fn, arg,
		    err);
	if ((rc = sp_tsk_path_resolve(ev->fss[fs_index].fs, path, &f, &a,
	    err)) != SP_OK) {
		sp_err_prefix(err, "'%s'", path);
		return rc;
	}
	return read_tsk_file(ev, f, a != NULL ? a->type : 0, a != NULL ?
	    a->id : 0, path, fn, arg, err);
}

int
sp_evidence_read_ref(struct sp_evidence *ev, const struct sp_file_ref *ref,
    sp_data_fn *fn, void *arg, struct sp_err *err)
{
	TSK_FS_INFO *fs;
	char what[48];

	if (ref->fs >= ev->nfs)
		return sp_err_set(err, SP_E_USAGE, 0, "no file system %u",
		    ref->fs);
	if (ev->kind == SP_EVIDENCE_DIR)
		return sp_err_set(err, SP_E_USAGE, 0, "inode %" PRIu64 ": a "
		    "directory has no inodes", ref->inode);
	/* the inode as the command line writes it, for messages */
	if (ref->attr_type != 0)
		snprintf(what, sizeof(what), "%" PRIu64 "-%" PRIu32 "-%u",
		    ref->inode, ref->attr_type, (unsigned)ref->attr_id);
	else
		snprintf(what, sizeof(what), "%" PRIu64, ref->inode);
	fs = ev->fss[ref->fs].fs;
	if (ref->inode < fs->first_inum || ref->inode > fs->last_inum)
		return sp_err_set(err, SP_E_NOTFOUND, 0,
		    "inode %s: out of range %" PRIuINUM "-%" PRIuINUM,
		    what, fs->first_inum, fs->last_inum);
	return read_tsk_file(ev, tsk_fs_file_open_meta(fs, NULL,
	    (TSK_INUM_T)ref->inode), ref->attr_type, ref->attr_id, what, fn,
	    arg, err);
}

static int
hash_data(const void *buf, size_t len, void *arg)
{
	sp_hash_update(arg, buf, len);
	return SP_CB_CONTINUE;
}

int
sp_entry_has_content(const struct sp_entry *e)
{
	if (e->flags & (SP_ENTRY_NO_META | SP_ENTRY_REALLOC |
	    SP_ENTRY_FILE_NAME | SP_ENTRY_DOT | SP_ENTRY_SPARSE))
		return 0;
	/* an NTFS data stream is data, a directory's too; an index is not */
	if (e->flags & SP_ENTRY_ATTR)
		return e->attr_type == TSK_FS_ATTR_TYPE_NTFS_DATA &&
		    (e->meta_type == SP_TYPE_REG || e->meta_type == SP_TYPE_DIR);
	return e->meta_type == SP_TYPE_REG;
}

int
sp_evidence_read_entry(struct sp_evidence *ev, const struct sp_entry *e,
    sp_data_fn *fn, void *arg, struct sp_err *err)
{
	struct sp_file_ref ref;

	if (!sp_entry_has_content(e))
		return SP_OK;
	if (ev->ops != NULL)
		return ev->ops->read_file(ev->view, e->path, fn, arg, err);
	if (ev->kind == SP_EVIDENCE_DIR && (e->flags & SP_ENTRY_DIR_FD) &&
	    e->name != NULL && e->name[0] != '\0')
		return sp_dir_read_at(e->dir_fd, e->name, e->path, ev->cancel,
		    fn, arg, err);
	if (ev->kind == SP_EVIDENCE_DIR)
		return sp_dir_read_file(ev->path, e->path, ev->cancel, fn,
		    arg, err);
	/* by inode: a deleted name has no path to look up */
	sp_entry_file_ref(ev, e, &ref);
	return sp_evidence_read_ref(ev, &ref, fn, arg, err);
}

int
sp_evidence_hash_entry(struct sp_evidence *ev, const struct sp_entry *e,
    unsigned mask, struct sp_hash **hp, struct sp_err *err)
{
	struct sp_hash *h;
	struct sp_err rerr;
	int rc;

	*hp = NULL;
	if (!sp_entry_has_content(e))
		return SP_OK;
	if ((rc = sp_hash_new(&h, mask, err)) != SP_OK)
		return rc;
	sp_err_init(&rerr);
	rc = sp_evidence_read_entry(ev, e, hash_data, h, &rerr);
	if (rc == SP_E_UNRECOVERABLE) {
		/* a digest of nothing would pass for one of the evidence */
		sp_run_problem(ev->run, e->path, rc, "%s", rerr.msg);
		ev->problems++;
		sp_hash_free(h);
		return SP_OK;
	}
	if (rc == SP_OK)
		rc = sp_hash_final(h, &rerr);
	if (rc != SP_OK) {
		if (err != NULL)
			*err = rerr;
		sp_hash_free(h);
		return rc;
	}
	*hp = h;
	return SP_OK;
}

int
sp_evidence_hash_segments(const struct sp_evidence *ev,
    char (*seg)[SP_HASH_HEX_MAX], uint64_t *sizes,
    char whole[SP_HASH_HEX_MAX], struct sp_err *err)
{
	struct sp_hash *all = NULL, *h = NULL;
	unsigned char *buf;
	ssize_t n;
	size_t i;
	int fd, rc;

	whole[0] = '\0';
	if (ev->kind == SP_EVIDENCE_DIR)
		return sp_err_set(err, SP_E_USAGE, 0, "'%s': a directory has "
		    "no files of its own to hash", ev->path);
	if ((buf = malloc(1 << 20)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "hash");
	if ((rc = sp_hash_new(&all, SP_HASH_SHA256, err)) != SP_OK)
		goto out;
	for (i = 0; i < ev->nsegments && rc == SP_OK; i++) {
		seg[i][0] = '\0';
		sizes[i] = 0;
		if ((fd = open(ev->segments[i], O_RDONLY | O_CLOEXEC)) < 0) {
			rc = sp_err_set(err, sp_errno_code(errno), errno,
			    "'%s'", ev->segments[i]);
			break;
		}
		if ((rc = sp_hash_new(&h, SP_HASH_SHA256, err)) != SP_OK) {
			close(fd);
			break;
		}
		while ((n = read(fd, buf, 1 << 20)) > 0) {
			sp_hash_update(h, buf, (size_t)n);
			sp_hash_update(all, buf, (size_t)n);
			sizes[i] += (uint64_t)n;
		}
		if (n < 0)
			rc = sp_err_set(err, sp_errno_code(errno), errno,
			    "'%s'", ev->segments[i]);
		else if ((rc = sp_hash_final(h, err)) == SP_OK)
			snprintf(seg[i], SP_HASH_HEX_MAX, "%s",
			    sp_hash_hex(h, SP_HASH_SHA256));
		sp_hash_free(h);
		h = NULL;
		close(fd);
	}
	if (rc == SP_OK && (rc = sp_hash_final(all, err)) == SP_OK)
		snprintf(whole, SP_HASH_HEX_MAX, "%s",
		    sp_hash_hex(all, SP_HASH_SHA256));
out:
	sp_hash_free(all);
	free(buf);
	return rc;
}

int
sp_evidence_record_inputs(const struct sp_evidence *ev, struct sp_run *run,
    struct sp_err *err)
{
	char (*seg)[SP_HASH_HEX_MAX];
	char whole[SP_HASH_HEX_MAX];
	uint64_t *sizes;
	size_t i;
	int rc;

	if (run == NULL)
		return SP_OK;
	if (ev->ops != NULL)
		return ev->ops->record_inputs(ev->view, run, err);
	if (ev->kind == SP_EVIDENCE_DIR)
		return sp_run_add_input(run, ev->path, 0, NULL, err);
	seg = calloc(ev->nsegments + 1, sizeof(*seg));
	sizes = calloc(ev->nsegments + 1, sizeof(*sizes));
	if (seg == NULL || sizes == NULL) {
		free(seg);
		free(sizes);
		return sp_err_set(err, SP_E_NOMEM, 0, "hash");
	}
	rc = sp_evidence_hash_segments(ev, seg, sizes, whole, err);
	/* the segments hashed before a failure are recorded */
	for (i = 0; i < ev->nsegments && seg[i][0] != '\0'; i++)
		if (sp_run_add_input(run, ev->segments[i], sizes[i], seg[i],
		    rc == SP_OK ? err : NULL) != SP_OK && rc == SP_OK)
			rc = SP_E_NOMEM;
	free(seg);
	free(sizes);
	return rc;
}
