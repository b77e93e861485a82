/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Paths inside the file system of an image, resolved one name at a time
 * over libtsk's directories.  libtsk's own lookup (tsk_fs_path2inum) cuts
 * every NTFS name at its first ':' and returns the file's inode, so it
 * reaches neither a named data stream nor a file whose name holds a colon.
 *
 * A name matches as libtsk matches it: with the file system's comparison
 * (case-insensitive on FAT and NTFS), the short 8.3 name too, an allocated
 * entry before a deleted one.  On NTFS the last name may end in ":stream",
 * the way fls names a data stream, or in ":stream:$DATA" and "::$DATA"
 * as Windows writes them.  An entry that has the whole name wins: only
 * when no entry has it is the name split at a colon into a file and one
 * of its data streams, so a file named "notes.txt:ads" (a POSIX name
 * ntfs-3g allows) is still read by its path.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <tsk/libtsk.h>

#include "spoor/strbuf.h"
#include "evidence/evidence-internal.h"

#define DATA_SUFFIX ":$DATA"

/* libtsk's error text, first line only, then reset. */
static void
tsk_reason(char *buf, size_t size)
{
	const char *m = tsk_error_get();

	snprintf(buf, size, "%s", m ? m : "unknown libtsk error");
	buf[strcspn(buf, "\n")] = '\0';
	tsk_error_reset();
}

/*
 * The index in d of the entry called name: an allocated one first, then
 * a deleted one that still points at an inode, then any deleted one;
 * -1 when none is.
 */
static ssize_t
find_name(TSK_FS_INFO *fs, const TSK_FS_DIR *d, const char *name)
{
	size_t i, n = tsk_fs_dir_getsize(d);
	ssize_t deleted = -1, unlinked = -1;

	for (i = 0; i < n; i++) {
		const TSK_FS_NAME *nm = tsk_fs_dir_get_name(d, i);

		if (nm == NULL)
			continue;
		if (!((nm->name != NULL &&
		    fs->name_cmp(fs, nm->name, name) == 0) ||
		    (nm->shrt_name != NULL && nm->shrt_name[0] != '\0' &&
		    fs->name_cmp(fs, nm->shrt_name, name) == 0)))
			continue;
		if (nm->flags & TSK_FS_NAME_FLAG_ALLOC)
			return (ssize_t)i;
		if (nm->meta_addr != 0 && deleted < 0)
			deleted = (ssize_t)i;
		else if (unlinked < 0)
			unlinked = (ssize_t)i;
	}
	tsk_error_reset();
	return deleted >= 0 ? deleted : unlinked;
}

/*
 * The $DATA attribute of f called stream (case as the file system
 * compares names); "" is the unnamed one.  NULL when f has none.
 */
static const TSK_FS_ATTR *
find_stream(TSK_FS_FILE *f, const char *stream)
{
	int i, n;

	if (f->meta == NULL)
		return NULL;
	n = tsk_fs_file_attr_getsize(f);
	for (i = 0; i < n; i++) {
		const TSK_FS_ATTR *a = tsk_fs_file_attr_get_idx(f, i);

		if (a == NULL || a->type != TSK_FS_ATTR_TYPE_NTFS_DATA)
			continue;
		if (stream[0] == '\0' ? (a->name == NULL || a->name[0] == '\0') :
		    (a->name != NULL &&
		    f->fs_info->name_cmp(f->fs_info, a->name, stream) == 0)) {
			tsk_error_reset();
			return a;
		}
	}
	tsk_error_reset();
	return NULL;
}

/* dir, then "/" unless dir ends with one, then name: for messages. */
static const char *
join(struct sp_strbuf *sb, const char *dir, const char *name)
{
	size_t n = strlen(dir);

	sp_strbuf_reset(sb);
	sp_strbuf_add(sb, dir);
	if (n == 0 || dir[n - 1] != '/')
		sp_strbuf_add(sb, "/");
	sp_strbuf_add(sb, name);
	return sp_strbuf_str(sb);
}

/*
 * comp names no entry of d: try it as FILE:STREAM, at each colon from
 * the first.  On a hit *file and *attr are set and 1 is returned; else 0,
 * with why in why (empty when no FILE part names an entry either).
 */
static int
find_stream_name(TSK_FS_INFO *fs, TSK_FS_DIR *d, const char *dir,
    const char *comp, TSK_FS_FILE **file, const TSK_FS_ATTR **attr,
    char *why, size_t whysize)
{
	struct sp_strbuf sb = SP_STRBUF_INIT;
	const char *colon;
	char *base, *stream;
	size_t n;
	ssize_t i;
	TSK_FS_FILE *f;

	why[0] = '\0';
	for (colon = strchr(comp, ':'); colon != NULL;
	    colon = strchr(colon + 1, ':')) {
		if (colon == comp)
			continue;
		if ((base = strndup(comp, (size_t)(colon - comp))) == NULL)
			break;
		if ((stream = strdup(colon + 1)) == NULL) {
			free(base);
			break;
		}
		n = strlen(stream);
		/* "name:stream:$DATA", and "name::$DATA" for the unnamed */
		if (n >= strlen(DATA_SUFFIX) && strcasecmp(stream + n -
		    strlen(DATA_SUFFIX), DATA_SUFFIX) == 0)
			stream[n - strlen(DATA_SUFFIX)] = '\0';
		if ((i = find_name(fs, d, base)) >= 0 &&
		    (f = tsk_fs_dir_get(d, (size_t)i)) != NULL) {
			const TSK_FS_ATTR *a = find_stream(f, stream);
			if (a != NULL) {
				*file = f;
				*attr = a;
				free(base);
				free(stream);
				sp_strbuf_release(&sb);
				return 1;
			}
			if (why[0] == '\0')
				snprintf(why, whysize, "'%s' has no data stream "
				    "'%s'", join(&sb, dir, base), stream);
			tsk_fs_file_close(f);
		}
		tsk_error_reset();
		free(base);
		free(stream);
	}
	sp_strbuf_release(&sb);
	return 0;
}

int
sp_tsk_path_resolve(TSK_FS_INFO *fs, const char *path, TSK_FS_FILE **file,
    const TSK_FS_ATTR **attr, struct sp_err *err)
{
	struct sp_strbuf dir = SP_STRBUF_INIT, sb = SP_STRBUF_INIT;
	char *copy, *comp, *next, why[SP_ERR_MSG_MAX / 2];
	TSK_INUM_T cur = fs->root_inum;
	TSK_FS_DIR *d;
	TSK_FS_FILE *f = NULL;
	ssize_t i;
	int rc = SP_OK;

	*file = NULL;
	*attr = NULL;
	if ((copy = strdup(path)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "path");
	comp = copy;
	while (*comp == '/')
		comp++;
	if (*comp == '\0') {
		free(copy);
		if ((*file = tsk_fs_file_open_meta(fs, NULL, cur)) == NULL) {
			tsk_reason(why, sizeof(why));
			return sp_err_set(err, SP_E_CORRUPT, 0, "the root "
			    "directory cannot be read: %s", why);
		}
		return SP_OK;
	}
	sp_strbuf_add(&dir, "/");
	for (; comp != NULL; comp = next) {
		if ((next = strchr(comp, '/')) != NULL) {
			*next++ = '\0';
			while (*next == '/')
				next++;
			if (*next == '\0')
				next = NULL;
		}
		if ((d = tsk_fs_dir_open_meta(fs, cur)) == NULL) {
			tsk_reason(why, sizeof(why));
			rc = sp_err_set(err, SP_E_CORRUPT, 0, "directory '%s' "
			    "cannot be read: %s", sp_strbuf_str(&dir), why);
			break;
		}
		f = NULL;
		why[0] = '\0';
		if ((i = find_name(fs, d, comp)) >= 0) {
			if ((f = tsk_fs_dir_get(d, (size_t)i)) == NULL) {
				tsk_reason(why, sizeof(why));
				rc = sp_err_set(err, SP_E_CORRUPT, 0, "'%s' "
				    "cannot be read: %s", join(&sb,
				    sp_strbuf_str(&dir), comp), why);
				tsk_fs_dir_close(d);
				break;
			}
		} else if (next == NULL && TSK_FS_TYPE_ISNTFS(fs->ftype) &&
		    find_stream_name(fs, d, sp_strbuf_str(&dir), comp, &f,
		    attr, why, sizeof(why))) {
			/* FILE:STREAM: f and *attr are set */
		} else {
			if (why[0] == '\0')
				snprintf(why, sizeof(why), "'%s' not found in "
				    "'%s'", comp, sp_strbuf_str(&dir));
			rc = sp_err_set(err, SP_E_NOTFOUND, 0, "%s", why);
			tsk_fs_dir_close(d);
			break;
		}
		tsk_fs_dir_close(d);
		if (next == NULL) {
			*file = f;
			break;
		}
		if (f->meta == NULL || !TSK_FS_IS_DIR_META(f->meta->type)) {
			rc = sp_err_set(err, SP_E_NOTFOUND, 0, "'%s' is not a "
			    "directory", join(&sb, sp_strbuf_str(&dir), comp));
			tsk_fs_file_close(f);
			break;
		}
		cur = f->meta->addr;
		tsk_fs_file_close(f);
		join(&sb, sp_strbuf_str(&dir), comp);
		sp_strbuf_reset(&dir);
		sp_strbuf_add(&dir, sp_strbuf_str(&sb));
	}
	if (rc == SP_OK && (dir.oom || sb.oom))
		rc = sp_err_set(err, SP_E_NOMEM, 0, "path");
	if (rc != SP_OK && *file != NULL) {
		tsk_fs_file_close(*file);
		*file = NULL;
	}
	if (rc != SP_OK)
		*attr = NULL;
	sp_strbuf_release(&dir);
	sp_strbuf_release(&sb);
	free(copy);
	return rc;
}
