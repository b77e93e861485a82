/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A plain directory as evidence, taken as the root of a mounted file system:
 * walked with openat/fstatat relative to directory descriptors, never
 * following a symbolic link, entries in byte order of their names so two
 * walks of the same tree agree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <sys/syscall.h>
#include <linux/openat2.h>

#include "spoor/signal.h"
#include "spoor/evidence.h"
#include "evidence/evidence-internal.h"
#include "base/util.h"

#define MAX_DEPTH 256

struct dwalk {
	unsigned flags;
	struct sp_run *run;
	uint64_t *problems;
	const struct sp_cancel *cancel;
	sp_entry_fn *fn;
	void *arg;
	char path[PATH_MAX * 2];
	int stop;
};

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char
type_of(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return SP_TYPE_REG;
	case S_IFDIR: return SP_TYPE_DIR;
	case S_IFLNK: return SP_TYPE_LNK;
	case S_IFCHR: return SP_TYPE_CHR;
	case S_IFBLK: return SP_TYPE_BLK;
	case S_IFIFO: return SP_TYPE_FIFO;
	case S_IFSOCK: return SP_TYPE_SOCK;
	default: return SP_TYPE_UNKNOWN;
	}
}

static void
problem(struct dwalk *w, int e, const char *what)
{
	sp_run_problem(w->run, w->path[0] ? w->path : "/", sp_errno_code(e),
	    "%s: %s", what, strerror(e));
	(*w->problems)++;
}

static int
xattr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The extended attributes of name in dfd as sp_entry.xattrs has them,
 * into buf (size bytes); NULL when they cannot be read.  Read through
 * /proc/self/fd with the l* calls, so no symbolic link is followed.
 */
static const char *
read_xattrs(struct dwalk *w, int dfd, const char *name, char *buf,
    size_t size)
{
	char at[PATH_MAX + 64], list[4096], *names[128], val[1024];
	ssize_t n, vn;
	size_t i, count = 0, used = 0, k;
	char *p;

	snprintf(at, sizeof(at), "/proc/self/fd/%d/%s", dfd, name);
	if ((n = llistxattr(at, list, sizeof(list))) < 0) {
		if (errno == ENOTSUP)
			return "";
		problem(w, errno, "list extended attributes");
		return NULL;
	}
	for (p = list; p < list + n && count < 128; p += strlen(p) + 1)
		names[count++] = p;
	qsort(names, count, sizeof(*names), xattr_cmp);
	buf[0] = '\0';
	for (i = 0; i < count; i++) {
		if ((vn = lgetxattr(at, names[i], val, sizeof(val))) < 0)
			vn = 0;
		if (used + strlen(names[i]) + 2 * (size_t)vn + 3 > size)
			break;
		used += (size_t)snprintf(buf + used, size - used, "%s=",
		    names[i]);
		for (k = 0; k < (size_t)vn; k++)
			used += (size_t)snprintf(buf + used, size - used,
			    "%02x", (unsigned char)val[k]);
		used += (size_t)snprintf(buf + used, size - used, "\n");
	}
	return buf;
}

static void
emit(struct dwalk *w, int dfd, const char *name)
{
	char xattrs[8192];
	struct sp_entry e;
	struct statx sx;
	char link[PATH_MAX];
	ssize_t n;

	memset(&e, 0, sizeof(e));
	e.path = w->path;
	e.name = name;
	e.atime = e.mtime = e.ctime = e.crtime = e.dtime = SP_TIME_NONE;
	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT,
	    STATX_BASIC_STATS | STATX_BTIME, &sx) != 0) {
		problem(w, errno, "stat");
		e.flags |= SP_ENTRY_NO_META;
		e.name_type = e.meta_type = SP_TYPE_UNKNOWN;
	} else {
		e.inode = sx.stx_ino;
		e.name_type = e.meta_type = type_of(sx.stx_mode);
		e.mode = sx.stx_mode & 07777;
		e.uid = sx.stx_uid;
		e.gid = sx.stx_gid;
		e.size = sx.stx_size;
		e.nlink = sx.stx_nlink;
		e.atime = sp_time_from_parts(sx.stx_atime.tv_sec,
		    sx.stx_atime.tv_nsec);
		e.mtime = sp_time_from_parts(sx.stx_mtime.tv_sec,
		    sx.stx_mtime.tv_nsec);
		e.ctime = sp_time_from_parts(sx.stx_ctime.tv_sec,
		    sx.stx_ctime.tv_nsec);
		if (sx.stx_mask & STATX_BTIME)
			e.crtime = sp_time_from_parts(sx.stx_btime.tv_sec,
			    sx.stx_btime.tv_nsec);
		if (S_ISLNK(sx.stx_mode)) {
			n = readlinkat(dfd, name, link, sizeof(link) - 1);
			if (n >= 0) {
				link[n] = '\0';
				e.link = link;
			}
		}
		if (w->flags & SP_WALK_XATTRS)
			e.xattrs = read_xattrs(w, dfd, name, xattrs,
			    sizeof(xattrs));
	}
	e.flags |= SP_ENTRY_DIR_FD;
	e.dir_fd = dfd;
	if ((n = w->fn(&e, w->arg)) != SP_CB_CONTINUE)
		w->stop = (int)n;
}

static void
walk_dir(struct dwalk *w, int dfd, int depth)
{
	struct dirent *de;
	char **names = NULL, **nn;
	size_t n = 0, cap = 0, i, len = strlen(w->path);
	DIR *d;
	int fd, sub;
	struct stat st;

	if ((fd = dup(dfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		problem(w, errno, "open directory");
		return;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nn = realloc(names, cap * sizeof(*nn))) == NULL)
				break;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			break;
		n++;
	}
	if (errno != 0)
		problem(w, errno, "read directory");
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n && !w->stop; i++) {
		if (sp_cancel_requested(w->cancel)) {
			w->stop = SP_E_INTERRUPTED;
			break;
		}
		snprintf(w->path + len, sizeof(w->path) - len, "/%s", names[i]);
		if (w->flags & SP_WALK_ALLOCATED)
			emit(w, dfd, names[i]);
		if (!(w->flags & SP_WALK_RECURSE) || w->stop)
			continue;
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (depth >= MAX_DEPTH) {
			problem(w, ELOOP, "directory nesting too deep");
			continue;
		}
		sub = openat(dfd, names[i], O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
		if (sub < 0 && errno == EPERM)
			sub = openat(dfd, names[i], O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			problem(w, errno, "open directory");
			continue;
		}
		walk_dir(w, sub, depth + 1);
		close(sub);
	}
	w->path[len] = '\0';
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Open start (relative to root) without following symlinks at any step. */
static int
open_beneath(const char *root, const char *start, int *fdp, struct sp_err *err)
{
	char buf[PATH_MAX], *p, *save = NULL;
	struct open_how how;
	int fd, next;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "'%s'", root);
	if (start == NULL) {
		*fdp = fd;
		return SP_OK;
	}
	snprintf(buf, sizeof(buf), "%s", start);
	for (p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save))
		if (strcmp(p, "..") == 0) {
			close(fd);
			return sp_err_set(err, SP_E_USAGE, 0,
			    "'%s': '..' not allowed", start);
		}
	/*
	 * One openat2 that follows no symbolic link and stays beneath the
	 * root does what the walk below does a component at a time; the
	 * walk remains for kernels without it (before 5.6, or filtered).
	 */
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS;
	while (*start == '/')
		start++;
	if (*start == '\0') {
		*fdp = fd;
		return SP_OK;
	}
	next = (int)syscall(SYS_openat2, fd, start, &how, sizeof(how));
	if (next >= 0 || (errno != ENOSYS && errno != EPERM &&
	    errno != EINVAL && errno != E2BIG)) {
		close(fd);
		if (next < 0)
			return sp_err_set(err, errno == ELOOP ? SP_E_NOTFOUND :
			    sp_errno_code(errno), errno, "'%s'", start);
		*fdp = next;
		return SP_OK;
	}
	snprintf(buf, sizeof(buf), "%s", start);
	for (p = strtok_r(buf, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
		next = openat(fd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NONBLOCK);
		close(fd);
		if (next < 0)
			return sp_err_set(err, errno == ELOOP ? SP_E_NOTFOUND :
			    sp_errno_code(errno), errno, "'%s'", start);
		fd = next;
	}
	*fdp = fd;
	return SP_OK;
}

int
sp_dir_walk(const char *root, const char *start, unsigned flags,
    struct sp_run *run, uint64_t *problems, const struct sp_cancel *cancel,
    sp_entry_fn *fn, void *arg, struct sp_err *err)
{
	struct dwalk *w;
	struct stat st;
	int fd, rc;

	if ((rc = open_beneath(root, start, &fd, err)) != SP_OK)
		return rc;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		close(fd);
		return sp_err_set(err, SP_E_NOMEM, 0, "walk");
	}
	w->flags = flags;
	w->run = run;
	w->problems = problems;
	w->cancel = cancel;
	w->fn = fn;
	w->arg = arg;
	if (start != NULL && strcmp(start, "/") != 0) {
		snprintf(w->path, sizeof(w->path), "%s%s",
		    start[0] == '/' ? "" : "/", start);
		while (strlen(w->path) > 1 && w->path[strlen(w->path) - 1] == '/')
			w->path[strlen(w->path) - 1] = '\0';
	}
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) {
		/* a single file: list just it */
		char *slash = strrchr(w->path, '/'), parent[PATH_MAX];
		int pfd;
		snprintf(parent, sizeof(parent), "%.*s",
		    (int)(slash - w->path), w->path);
		if (open_beneath(root, parent[0] ? parent : NULL, &pfd, NULL)
		    == SP_OK) {
			emit(w, pfd, slash + 1);
			close(pfd);
		}
	} else
		walk_dir(w, fd, 0);
	close(fd);
	rc = sp_err_callback(err, w->stop, "walk");
	free(w);
	return rc;
}

static int read_fd(int fd, const char *path, const struct sp_cancel *cancel,
    sp_data_fn *fn, void *arg, struct sp_err *err);

int
sp_dir_read_file(const char *root, const char *path,
    const struct sp_cancel *cancel, sp_data_fn *fn, void *arg,
    struct sp_err *err)
{
	int fd, rc;

	if ((rc = open_beneath(root, path, &fd, err)) != SP_OK)
		return rc;
	return read_fd(fd, path, cancel, fn, arg, err);
}

int
sp_dir_read_at(int dfd, const char *name, const char *path,
    const struct sp_cancel *cancel, sp_data_fn *fn, void *arg,
    struct sp_err *err)
{
	int fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) < 0)
		return sp_err_set(err, errno == ELOOP ? SP_E_NOTFOUND :
		    sp_errno_code(errno), errno, "'%s'", path);
	return read_fd(fd, path, cancel, fn, arg, err);
}

/* Read fd, the file at path, to its end through fn; closes fd. */
static int
read_fd(int fd, const char *path, const struct sp_cancel *cancel,
    sp_data_fn *fn, void *arg, struct sp_err *err)
{
	char buf[1 << 16];
	struct stat st;
	ssize_t n;
	int rc = SP_OK;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return sp_err_set(err, SP_E_USAGE, 0, "'%s': not a regular file",
		    path);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (sp_cancel_requested(cancel)) {
			close(fd);
			return sp_err_set(err, SP_E_INTERRUPTED, 0, "read");
		}
		if ((rc = fn(buf, (size_t)n, arg)) != SP_CB_CONTINUE) {
			close(fd);
			return sp_err_callback(err, rc, path);
		}
	}
	if (n < 0)
		rc = sp_err_set(err, sp_errno_code(errno), errno, "'%s'", path);
	close(fd);
	return rc;
}

int
sp_dir_special(const char *root, const char *path, unsigned *major_out,
    unsigned *minor_out, int *opaque)
{
	char parent[PATH_MAX], val[8];
	const char *slash = strrchr(path, '/'), *name;
	struct stat st;
	ssize_t n;
	int fd, rc, sub;

	if (slash == NULL)
		return SP_E_NOTFOUND;
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
	name = slash + 1;
	if ((rc = open_beneath(root, parent[0] ? parent : NULL, &fd, NULL)) !=
	    SP_OK)
		return rc;
	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		close(fd);
		return SP_E_NOTFOUND;
	}
	if (major_out != NULL)
		*major_out = major(st.st_rdev);
	if (minor_out != NULL)
		*minor_out = minor(st.st_rdev);
	if (opaque != NULL) {
		*opaque = 0;
		if (S_ISDIR(st.st_mode) && (sub = openat(fd, name, O_RDONLY |
		    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0) {
			n = fgetxattr(sub, "trusted.overlay.opaque", val,
			    sizeof(val));
			if (n < 0)
				n = fgetxattr(sub, "user.overlay.opaque", val,
				    sizeof(val));
			*opaque = n == 1 && val[0] == 'y';
			close(sub);
		}
	}
	close(fd);
	return SP_OK;
}
