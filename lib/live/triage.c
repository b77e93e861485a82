/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The triage walk of a live host (see include/spoor/collect.h): one pass
 * over its local file systems that lists every entry in a TSK bodyfile
 * and copies the files an investigation reads first into files/<path>.
 * The host is hostile: symbolic links are never followed, only regular
 * files are opened (lstat first, then the descriptor's fstat must match),
 * names are kept as bytes, directory cycles through bind mounts are cut
 * by the ancestors' device and inode, depth and sizes are capped.  The
 * walk reads with O_NOATIME and, when it may, through a detached
 * read-only clone of the mount tree, so that it changes nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "spoor/collect.h"
#include "spoor/strbuf.h"
#include "spoor/time.h"
#include "spoor/json.h"
#include "base/util.h"

#define MAX_DEPTH 256		/* directories open at once */
#define MAX_HOMES 4096
#define PASSWD_MAX (16u << 20)
#define LINE_FLUSH (256u * 1024)
#define STEP "triage"

struct ancestor {
	dev_t dev;
	ino_t ino;
};

struct walk {
	struct sp_collect_out *o;
	const struct sp_collect_triage_opts *opts;
	struct sp_err *err;
	struct sp_collect_item *body;
	struct sp_strbuf line;		/* bodyfile text not yet written */
	struct sp_strbuf path;		/* "/etc/passwd"; "" for the root */
	char **homes;			/* sorted, without the trailing '/' */
	size_t nhomes;
	struct ancestor anc[MAX_DEPTH + 1];
	int64_t recent_ns;
	uint64_t copied, entries;
	uint64_t out_dev, out_ino;
	int has_out;
	int total_full;
	int stop;			/* the budget is spent */
	int rc;				/* an error that ends the walk */
	struct timespec t0;
	char *target;			/* PATH_MAX + 1 */
};

void
sp_collect_triage_opts_init(struct sp_collect_triage_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->recent_days = 30;
	opts->max_file = UINT64_C(64) << 20;
	opts->max_total = UINT64_C(2) << 30;
	opts->now_ns = SP_TIME_NONE;
}

/* ---- the bodyfile ---- */

/*
 * name as mactime(1) reads it: '%', '|', control characters (C0, DEL,
 * C1) and bytes that are not UTF-8 as %XX; '>' too when gt.
 */
static void
body_escape(struct sp_strbuf *sb, const char *s, size_t n, int gt)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, k;

	while (i < n) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f && c != '%' && c != '|' &&
		    !(gt && c == '>')) {
			i++;
			run++;
			continue;
		}
		if (c >= 0x80 && (k = sp_utf8_seq(p + i, n - i)) != 0 &&
		    !(c == 0xc2 && p[i + 1] <= 0x9f)) {
			i += k;
			run += k;
			continue;
		}
		if (run)
			sp_strbuf_addn(sb, s + i - run, run);
		run = 0;
		sp_strbuf_addf(sb, "%%%02X", c);
		i++;
	}
	if (run)
		sp_strbuf_addn(sb, s + i - run, run);
}

/* TSK's "r/rrwxr-xr-x": name type, metadata type, permissions. */
static void
mode_string(mode_t m, char out[13])
{
	static const char rwx[] = "rwxrwxrwx";
	char t;
	int i;

	switch (m & S_IFMT) {
	case S_IFREG: t = 'r'; break;
	case S_IFDIR: t = 'd'; break;
	case S_IFLNK: t = 'l'; break;
	case S_IFCHR: t = 'c'; break;
	case S_IFBLK: t = 'b'; break;
	case S_IFIFO: t = 'p'; break;
	case S_IFSOCK: t = 'h'; break;
	default: t = '-'; break;
	}
	out[0] = t;
	out[1] = '/';
	out[2] = t;
	for (i = 0; i < 9; i++)
		out[3 + i] = m & (0400u >> i) ? rwx[i] : '-';
	if (m & S_ISUID)
		out[5] = m & S_IXUSR ? 's' : 'S';
	if (m & S_ISGID)
		out[8] = m & S_IXGRP ? 's' : 'S';
	if (m & S_ISVTX)
		out[11] = m & S_IXOTH ? 't' : 'T';
	out[12] = '\0';
}

static int
body_flush(struct walk *w, int force)
{
	int rc;

	if (w->line.oom)
		return w->rc = sp_err_set(w->err, SP_E_NOMEM, 0, "bodyfile");
	if (w->line.len == 0 || (!force && w->line.len < LINE_FLUSH))
		return SP_OK;
	rc = sp_collect_item_write(w->body, w->line.buf, w->line.len, w->err);
	sp_strbuf_reset(&w->line);
	if (rc != SP_OK)
		w->rc = rc;
	return rc;
}

static void
body_line(struct walk *w, const struct statx *x, const char *target,
    size_t tlen)
{
	char mode[13];
	const char *p = w->path.len ? w->path.buf : "/";
	size_t n = w->path.len ? w->path.len : 1;

	mode_string(x->stx_mode, mode);
	sp_strbuf_add(&w->line, "0|");
	body_escape(&w->line, p, n, target != NULL);
	if (target != NULL) {
		sp_strbuf_add(&w->line, " -> ");
		body_escape(&w->line, target, tlen, 0);
	}
	sp_strbuf_addf(&w->line, "|%llu|%s|%u|%u|%llu|%lld|%lld|%lld|%lld\n",
	    (unsigned long long)x->stx_ino, mode, x->stx_uid, x->stx_gid,
	    (unsigned long long)x->stx_size,
	    (long long)x->stx_atime.tv_sec,
	    (long long)x->stx_mtime.tv_sec,
	    (long long)x->stx_ctime.tv_sec,
	    (long long)(x->stx_mask & STATX_BTIME ?
	    x->stx_btime.tv_sec : 0));
	body_flush(w, 0);
}

/* ---- what to copy ---- */

/* p is a file below dir ("/var/log" holds "/var/log/x/y"). */
static int
below(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(p, dir, n) == 0 && p[n] == '/' && p[n + 1] != '\0';
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* dir (n bytes of it) is a user's home: from passwd, /root or /home/X. */
static int
is_home(const struct walk *w, const char *dir, size_t n)
{
	char buf[4096];
	const char *key = buf;
	size_t lo = 0, hi = w->nhomes, mid;
	int c;

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, dir, n);
	buf[n] = '\0';
	if (strcmp(buf, "/root") == 0)
		return 1;
	if (strncmp(buf, "/home/", 6) == 0 && buf[6] != '\0' &&
	    strchr(buf + 6, '/') == NULL)
		return 1;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strcmp(key, w->homes[mid]);
		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* A file the user's home holds at rel (".ssh/", ".bash_history"). */
static int
home_file(const struct walk *w, const char *p)
{
	static const char *const files[] = {
		".bash_history", ".zsh_history", ".zhistory", ".sh_history",
		".history", ".ash_history", ".ksh_history", ".python_history",
		".mysql_history", ".psql_history", ".sqlite_history",
		".node_repl_history", ".lesshst", ".viminfo", ".wget-hsts",
		".bashrc", ".bash_profile", ".bash_login", ".bash_logout",
		".profile", ".zshrc", ".zprofile", ".zshenv", ".zlogin",
		".cshrc", ".tcshrc", ".selected_editor", ".forward",
		".rhosts", ".shosts", ".netrc", ".pam_environment",
		".local/share/fish/fish_history", NULL
	};
	static const char *const dirs[] = {
		"/.ssh/", "/.config/systemd/user/", "/.config/autostart/",
		"/.gnupg/", NULL
	};
	const char *s, *base;
	size_t i, n, len = strlen(p);

	for (i = 0; files[i] != NULL; i++) {
		n = strlen(files[i]);
		if (len <= n)
			continue;
		s = p + len - n;
		if (s[-1] == '/' && strcmp(s, files[i]) == 0 &&
		    is_home(w, p, (size_t)(s - 1 - p)))
			return 1;
	}
	for (i = 0; dirs[i] != NULL; i++)
		for (s = strstr(p, dirs[i]); s != NULL;
		    s = strstr(s + 1, dirs[i]))
			if (is_home(w, p, (size_t)(s - p)))
				return 1;
	/* rootless podman */
	s = strstr(p, "/.local/share/containers/storage/overlay-containers/");
	base = strrchr(p, '/');
	if (s != NULL && strcmp(base, "/config.json") == 0 &&
	    is_home(w, p, (size_t)(s - p)))
		return 1;
	return 0;
}

static int
recent(const struct walk *w, const struct statx *x)
{
	int64_t m = sp_time_from_parts(x->stx_mtime.tv_sec,
	    x->stx_mtime.tv_nsec);
	int64_t c = sp_time_from_parts(x->stx_ctime.tv_sec,
	    x->stx_ctime.tv_nsec);

	return m >= w->recent_ns || c >= w->recent_ns;
}

/* The number of components of rel ("a/b" has 2). */
static int
components(const char *rel)
{
	int n = 1;

	for (; *rel; rel++)
		n += *rel == '/';
	return n;
}

/* Whether the regular file at p (root-relative) is copied. */
static int
wanted(const struct walk *w, const char *p, const struct statx *x)
{
	static const char *const etc_files[] = {
		"/etc/passwd", "/etc/group", "/etc/sudoers", "/etc/crontab",
		"/etc/anacrontab", "/etc/ld.so.preload", "/etc/ld.so.conf",
		"/etc/hosts", "/etc/hosts.allow", "/etc/hosts.deny",
		"/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/profile",
		"/etc/bash.bashrc", "/etc/environment", "/etc/rc.local",
		"/etc/hostname", "/etc/os-release", "/etc/fstab",
		"/etc/machine-id", "/etc/timezone", "/etc/shells",
		"/etc/login.defs", "/etc/securetty",
		"/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db",
		"/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/"
		    "metadata.db",
		"/var/lib/containers/storage/libpod/bolt_state.db",
		"/var/lib/containers/storage/db.sql",
		"/var/lib/containers/storage/overlay-containers/containers.json",
		NULL
	};
	static const char *const etc_dirs[] = {
		"/var/log", "/etc/sudoers.d", "/etc/ssh", "/etc/ld.so.conf.d",
		"/etc/profile.d", "/etc/systemd", "/etc/pam.d",
		"/etc/update-motd.d", "/etc/xdg/autostart", "/var/spool/cron",
		"/tmp", "/var/tmp", "/dev/shm", NULL
	};
	static const char *const recent_dirs[] = {
		"/usr/lib/systemd/system", "/lib/systemd/system",
		"/usr/lib/systemd/user", "/var/www", "/srv/www",
		"/usr/share/nginx/html", NULL
	};
	const char *rel, *base;
	size_t i;

	for (i = 0; etc_files[i] != NULL; i++)
		if (strcmp(p, etc_files[i]) == 0)
			return 1;
	if (strcmp(p, "/etc/shadow") == 0 || strcmp(p, "/etc/gshadow") == 0)
		return w->opts->shadow;
	/* cron.d/, cron.daily/, cron.allow, crontab... */
	if (strncmp(p, "/etc/cron", 9) == 0)
		return 1;
	for (i = 0; etc_dirs[i] != NULL; i++)
		if (below(p, etc_dirs[i]))
			return 1;
	for (i = 0; recent_dirs[i] != NULL; i++)
		if (below(p, recent_dirs[i]))
			return recent(w, x);
	base = strrchr(p, '/') + 1;
	if (below(p, "/var/lib/docker/containers")) {
		rel = p + strlen("/var/lib/docker/containers/");
		return components(rel) == 2 &&
		    (strcmp(base, "config.v2.json") == 0 ||
		    strcmp(base, "hostconfig.json") == 0 ||
		    strstr(base, "-json.log") != NULL);
	}
	if (below(p, "/var/lib/containers/storage/overlay-containers")) {
		rel = p + strlen("/var/lib/containers/storage/"
		    "overlay-containers/");
		return components(rel) == 3 &&
		    (strcmp(base, "config.json") == 0 ||
		    strcmp(base, "ctr.log") == 0) &&
		    strstr(rel, "/userdata/") != NULL;
	}
	return home_file(w, p);
}

/* ---- homes from passwd ---- */

/* Open rel (no leading '/') below rootfd, never through a link. */
static int
open_below(int rootfd, const char *rel, int flags)
{
	char comp[NAME_MAX + 1];
	const char *p = rel, *q;
	int cur, next;
	size_t n;

	if ((cur = dup(rootfd)) < 0)
		return -1;
	while ((q = strchr(p, '/')) != NULL) {
		n = (size_t)(q - p);
		if (n == 0 || n > NAME_MAX) {
			close(cur);
			errno = ENOENT;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(cur);
		if (next < 0)
			return -1;
		cur = next;
		p = q + 1;
	}
	next = openat(cur, p, flags | O_NOFOLLOW | O_CLOEXEC);
	if (next < 0 && errno == EPERM && (flags & O_NOATIME))
		next = openat(cur, p, (flags & ~O_NOATIME) | O_NOFOLLOW |
		    O_CLOEXEC);
	close(cur);
	return next;
}

/* A home from passwd, "/home/x//" as "/home/x"; NULL when unusable. */
static char *
home_norm(const char *s, size_t n)
{
	struct sp_strbuf sb = SP_STRBUF_INIT;
	size_t i = 0, j;

	if (n == 0 || s[0] != '/')
		return NULL;
	while (i < n) {
		while (i < n && s[i] == '/')
			i++;
		for (j = i; j < n && s[j] != '/'; j++)
			;
		if (j == i)
			break;
		if ((j - i == 1 && s[i] == '.') ||
		    (j - i == 2 && s[i] == '.' && s[i + 1] == '.')) {
			sp_strbuf_release(&sb);
			return NULL;
		}
		sp_strbuf_add(&sb, "/");
		sp_strbuf_addn(&sb, s + i, j - i);
		i = j;
	}
	if (sb.len == 0)
		sp_strbuf_add(&sb, "");	/* "/" itself: the root */
	return sp_strbuf_detach(&sb, NULL);
}

static void
read_homes(struct walk *w, int rootfd)
{
	struct stat st;
	char *text, *line, *end, *f;
	size_t len = 0, cap = 0;
	int fd, i;
	ssize_t n;

	fd = open_below(rootfd, "etc/passwd", O_RDONLY | O_NONBLOCK |
	    O_NOATIME);
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	cap = st.st_size > 0 && (uint64_t)st.st_size < PASSWD_MAX ?
	    (size_t)st.st_size : PASSWD_MAX;
	if ((text = malloc(cap + 1)) == NULL) {
		close(fd);
		return;
	}
	while (len < cap && (n = read(fd, text + len, cap - len)) > 0)
		len += (size_t)n;
	close(fd);
	text[len] = '\0';
	for (line = text; line < text + len && w->nhomes < MAX_HOMES;
	    line = end + 1) {
		end = memchr(line, '\n', (size_t)(text + len - line));
		if (end == NULL)
			end = text + len;
		*end = '\0';
		/* name:pw:uid:gid:gecos:home:shell */
		f = line;
		for (i = 0; i < 5 && f != NULL; i++)
			if ((f = strchr(f, ':')) != NULL)
				f++;
		if (f != NULL) {
			char *colon = strchr(f, ':'), *h;
			size_t hl = colon ? (size_t)(colon - f) : strlen(f);
			if ((h = home_norm(f, hl)) != NULL) {
				char **p = realloc(w->homes, (w->nhomes + 1) *
				    sizeof(*p));
				if (p == NULL) {
					free(h);
					break;
				}
				w->homes = p;
				w->homes[w->nhomes++] = h;
			}
		}
		if (end == text + len)
			break;
	}
	free(text);
	if (w->nhomes > 1)
		qsort(w->homes, w->nhomes, sizeof(*w->homes), cmp_str);
}

/* ---- the walk ---- */

struct fs_kind {
	unsigned long magic;
	int network;		/* walked with all_filesystems */
};

static const struct fs_kind skipped[] = {
	{ 0x9fa0, 0 },		/* proc */
	{ 0x62656572, 0 },	/* sysfs */
	{ 0x1cd1, 0 },		/* devpts */
	{ 0x27e0eb, 0 },	/* cgroup */
	{ 0x63677270, 0 },	/* cgroup2 */
	{ 0x73636673, 0 },	/* securityfs */
	{ 0x64626720, 0 },	/* debugfs */
	{ 0x74726163, 0 },	/* tracefs */
	{ 0x6165676c, 0 },	/* pstore */
	{ 0xcafe4a11, 0 },	/* bpf */
	{ 0x62656570, 0 },	/* configfs */
	{ 0x65735543, 0 },	/* fusectl */
	{ 0x19800202, 0 },	/* mqueue */
	{ 0x958458f6, 0 },	/* hugetlbfs */
	{ 0x42494e4d, 0 },	/* binfmt_misc */
	{ 0xde5e81e4, 0 },	/* efivarfs */
	{ 0xf97cff8c, 0 },	/* selinuxfs */
	{ 0x43415d53, 0 },	/* smackfs */
	{ 0x5a3c69f0, 0 },	/* apparmorfs */
	{ 0x0187, 0 },		/* autofs: never trigger a mount */
	{ 0x6e736673, 0 },	/* nsfs */
	{ 0x67596969, 0 },	/* rpc_pipefs */
	{ 0x9fa2, 0 },		/* usbdevfs */
	{ 0x6c6f6f70, 0 },	/* binderfs */
	{ 0x794c7630, 0 },	/* overlay: a view of files walked elsewhere */
	{ 0x6969, 1 },		/* nfs */
	{ 0x517b, 1 },		/* smb */
	{ 0xff534d42, 1 },	/* cifs */
	{ 0xfe534d42, 1 },	/* smb2 */
	{ 0x73757245, 1 },	/* coda */
	{ 0x5346414f, 1 },	/* afs */
	{ 0x6b414653, 1 },	/* kafs */
	{ 0x00c36400, 1 },	/* ceph */
	{ 0x65735546, 1 },	/* fuse */
	{ 0x01021997, 1 },	/* 9p */
	{ 0x564c, 1 },		/* ncp */
	{ 0x7461636f, 1 },	/* ocfs2 */
	{ 0x01161970, 1 },	/* gfs2 */
	{ 0x0bd00bd0, 1 },	/* lustre */
	{ 0, 0 }
};

/* Whether the file system of fd is left out of the walk. */
static int
skip_fs(const struct walk *w, int fd, unsigned long *magic)
{
	struct statfs sf;
	size_t i;

	*magic = 0;
	if (fstatfs(fd, &sf) != 0)
		return 0;
	*magic = (unsigned long)(unsigned int)sf.f_type;
	for (i = 0; skipped[i].magic != 0; i++)
		if (skipped[i].magic == *magic)
			return !(skipped[i].network &&
			    w->opts->all_filesystems);
	return 0;
}

static int
budget_spent(struct walk *w)
{
	if (w->stop || w->rc != SP_OK)
		return 1;
	if (sp_cancel_requested(w->opts->cancel)) {
		w->rc = sp_err_set(w->err, SP_E_INTERRUPTED, 0, "triage");
		return 1;
	}
	if (w->opts->step_seconds > 0 &&
	    sp_time_elapsed(&w->t0) >= (double)w->opts->step_seconds) {
		sp_collect_out_problem(w->o, STEP, "time budget of %u s spent "
		    "after %llu entries; the walk stops here",
		    w->opts->step_seconds, (unsigned long long)w->entries);
		w->stop = 1;
		return 1;
	}
	return 0;
}

static int
open_entry(int dfd, const char *name, int flags)
{
	int fd = openat(dfd, name, flags | O_NOATIME);

	if (fd < 0 && errno == EPERM)
		fd = openat(dfd, name, flags);
	return fd;
}

static const char *
shown(const struct walk *w)
{
	return w->path.len ? w->path.buf : "/";
}

static void
copy_file(struct walk *w, int dfd, const char *name, const struct statx *x)
{
	struct sp_collect_meta meta;
	struct sp_strbuf mirror = SP_STRBUF_INIT;
	struct sp_err e;
	struct stat st;
	uint64_t cap, size;
	int fd, rc;

	if (w->opts->max_total && w->copied >= w->opts->max_total) {
		if (!w->total_full)
			sp_collect_out_problem(w->o, STEP, "total cap of %llu "
			    "bytes reached at '%s'; no further file is copied",
			    (unsigned long long)w->opts->max_total, shown(w));
		w->total_full = 1;
		return;
	}
	fd = open_entry(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			sp_collect_out_problem(w->o, STEP, "'%s': open: %s",
			    shown(w), strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_ino != x->stx_ino ||
	    major(st.st_dev) != x->stx_dev_major ||
	    minor(st.st_dev) != x->stx_dev_minor) {
		sp_collect_out_problem(w->o, STEP, "'%s': replaced while "
		    "walked; not copied", shown(w));
		close(fd);
		return;
	}
	size = st.st_size < 0 ? 0 : (uint64_t)st.st_size;
	cap = w->opts->max_file;
	if (w->opts->max_total) {
		uint64_t left = w->opts->max_total - w->copied;
		if (cap == 0 || cap > left)
			cap = left;
	}
	memset(&meta, 0, sizeof(meta));
	meta.source = shown(w);
	meta.mtime_ns = sp_time_from_parts(st.st_mtim.tv_sec,
	    st.st_mtim.tv_nsec);
	meta.mode = st.st_mode;
	meta.uid = st.st_uid;
	meta.gid = st.st_gid;
	sp_strbuf_add(&mirror, "files");
	sp_strbuf_addn(&mirror, w->path.buf, w->path.len);
	if (mirror.oom) {
		close(fd);
		w->rc = sp_err_set(w->err, SP_E_NOMEM, 0, "triage");
		return;
	}
	sp_err_init(&e);
	rc = sp_collect_out_copy(w->o, mirror.buf, "file", fd, &meta, cap, &e);
	close(fd);
	sp_strbuf_release(&mirror);
	if (rc == SP_OK)
		w->copied += cap && size > cap ? cap : size;
	else if (rc == SP_E_NOSPACE || rc == SP_E_IO || rc == SP_E_NOMEM) {
		if (w->err != NULL)
			*w->err = e;
		w->rc = rc;
	} else
		sp_collect_out_problem(w->o, STEP, "'%s': not copied: %s",
		    shown(w), e.msg);
}

static void walk_dir(struct walk *w, int fd, int depth);

/* stat name in dfd; 0, or -1 with errno. */
static int
stat_entry(int dfd, const char *name, struct statx *x)
{
	struct stat st;

	if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
	    AT_STATX_DONT_SYNC, STATX_BASIC_STATS | STATX_BTIME, x) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return -1;
	memset(x, 0, sizeof(*x));
	x->stx_mask = STATX_BASIC_STATS;
	x->stx_mode = (uint16_t)st.st_mode;
	x->stx_ino = st.st_ino;
	x->stx_uid = st.st_uid;
	x->stx_gid = st.st_gid;
	x->stx_size = (uint64_t)st.st_size;
	x->stx_atime.tv_sec = st.st_atim.tv_sec;
	x->stx_mtime.tv_sec = st.st_mtim.tv_sec;
	x->stx_mtime.tv_nsec = (uint32_t)st.st_mtim.tv_nsec;
	x->stx_ctime.tv_sec = st.st_ctim.tv_sec;
	x->stx_ctime.tv_nsec = (uint32_t)st.st_ctim.tv_nsec;
	x->stx_dev_major = major(st.st_dev);
	x->stx_dev_minor = minor(st.st_dev);
	return 0;
}

static void
enter_dir(struct walk *w, int dfd, const char *name, const struct statx *x,
    int depth)
{
	dev_t dev = makedev(x->stx_dev_major, x->stx_dev_minor);
	unsigned long magic;
	struct stat st;
	int fd, i;

	if (w->has_out && (uint64_t)dev == w->out_dev &&
	    (uint64_t)x->stx_ino == w->out_ino)
		return;		/* the collection itself */
	if (depth >= MAX_DEPTH) {
		sp_collect_out_problem(w->o, STEP, "'%s': deeper than %d "
		    "levels; not entered", shown(w), MAX_DEPTH);
		return;
	}
	for (i = 0; i <= depth; i++)
		if (w->anc[i].dev == dev && w->anc[i].ino == x->stx_ino) {
			sp_collect_out_problem(w->o, STEP, "'%s': a directory "
			    "cycle (a bind mount of an ancestor); not "
			    "entered", shown(w));
			return;
		}
	fd = open_entry(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			sp_collect_out_problem(w->o, STEP, "'%s': open: %s",
			    shown(w), strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || st.st_dev != dev ||
	    st.st_ino != x->stx_ino) {
		sp_collect_out_problem(w->o, STEP, "'%s': replaced while "
		    "walked; not entered", shown(w));
		close(fd);
		return;
	}
	if (dev != w->anc[depth].dev) {
		/* a mount point */
		if (skip_fs(w, fd, &magic)) {
			close(fd);
			return;
		}
		if (depth == 0 && strcmp(name, "dev") == 0) {
			/* devtmpfs shows as tmpfs: only its shm is walked */
			struct statx sx;
			size_t mark = w->path.len;
			w->anc[1].dev = dev;
			w->anc[1].ino = x->stx_ino;
			sp_strbuf_add(&w->path, "/shm");
			if (stat_entry(fd, "shm", &sx) == 0 &&
			    S_ISDIR(sx.stx_mode)) {
				w->entries++;
				body_line(w, &sx, NULL, 0);
				enter_dir(w, fd, "shm", &sx, 1);
			}
			w->path.len = mark;
			w->path.buf[mark] = '\0';
			close(fd);
			return;
		}
	}
	w->anc[depth + 1].dev = dev;
	w->anc[depth + 1].ino = x->stx_ino;
	walk_dir(w, fd, depth + 1);
}

/* One entry of the directory dfd; w->path is its path. */
static void
walk_entry(struct walk *w, int dfd, const char *name, int depth)
{
	struct statx x;
	ssize_t n = 0;

	if (stat_entry(dfd, name, &x) != 0) {
		if (errno != ENOENT)
			sp_collect_out_problem(w->o, STEP, "'%s': stat: %s",
			    shown(w), strerror(errno));
		return;
	}
	w->entries++;
	if ((w->entries & 1023) == 0)
		sp_progress_report(w->opts->progress, "entries", w->entries,
		    0);
	if (S_ISLNK(x.stx_mode)) {
		n = readlinkat(dfd, name, w->target, 4096);
		if (n < 0) {
			sp_collect_out_problem(w->o, STEP, "'%s': readlink: %s",
			    shown(w), strerror(errno));
			n = 0;
		}
		body_line(w, &x, w->target, (size_t)n);
		return;
	}
	body_line(w, &x, NULL, 0);
	if (S_ISREG(x.stx_mode)) {
		if (wanted(w, w->path.buf, &x) && !(w->has_out &&
		    makedev(x.stx_dev_major, x.stx_dev_minor) == w->out_dev &&
		    x.stx_ino == w->out_ino))
			copy_file(w, dfd, name, &x);
	} else if (S_ISDIR(x.stx_mode))
		enter_dir(w, dfd, name, &x, depth);
}

/* Walk the directory fd (taken over), at depth (the root is 0). */
static void
walk_dir(struct walk *w, int fd, int depth)
{
	struct dirent *de;
	size_t mark;
	DIR *d;

	if ((d = fdopendir(fd)) == NULL) {
		sp_collect_out_problem(w->o, STEP, "'%s': %s", shown(w),
		    strerror(errno));
		close(fd);
		return;
	}
	for (;;) {
		if (budget_spent(w))
			break;
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0)
				sp_collect_out_problem(w->o, STEP, "'%s': "
				    "read directory: %s", shown(w),
				    strerror(errno));
			break;
		}
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		mark = w->path.len;
		sp_strbuf_add(&w->path, "/");
		sp_strbuf_add(&w->path, de->d_name);
		if (w->path.oom) {
			w->rc = sp_err_set(w->err, SP_E_NOMEM, 0, "triage");
			break;
		}
		walk_entry(w, dirfd(d), de->d_name, depth);
		w->path.len = mark;
		w->path.buf[mark] = '\0';
	}
	closedir(d);
}

/*
 * A detached read-only clone of the mount tree at root, so that reading
 * changes no atime, not even a symbolic link's; -1 when not permitted.
 */
static int
readonly_tree(const char *root, int *err_no)
{
	struct mount_attr attr;
	int fd;

	fd = open_tree(AT_FDCWD, root, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_RECURSIVE);
	if (fd < 0) {
		*err_no = errno;
		return -1;
	}
	memset(&attr, 0, sizeof(attr));
	attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOATIME |
	    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	attr.attr_clr = MOUNT_ATTR__ATIME;
	if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
	    sizeof(attr)) != 0) {
		*err_no = errno;
		close(fd);
		return -1;
	}
	return fd;
}

int
sp_collect_triage(struct sp_collect_out *o,
    const struct sp_collect_triage_opts *opts, struct sp_err *err)
{
	struct sp_collect_triage_opts defaults;
	const char *root;
	struct walk w;
	struct statx x;
	int64_t now;
	int treefd, rootfd = -1, rc, e = 0;
	size_t i;

	if (opts == NULL) {
		sp_collect_triage_opts_init(&defaults);
		opts = &defaults;
	}
	root = opts->root ? opts->root : "/";
	memset(&w, 0, sizeof(w));
	w.o = o;
	w.opts = opts;
	w.err = err;
	clock_gettime(CLOCK_MONOTONIC, &w.t0);
	now = opts->now_ns == SP_TIME_NONE ? sp_time_now() : opts->now_ns;
	w.recent_ns = now - (int64_t)opts->recent_days * 86400 * SP_NS_PER_SEC;
	w.has_out = sp_collect_out_where(o, &w.out_dev, &w.out_ino);
	if ((w.target = malloc(4097)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "triage");

	if ((treefd = readonly_tree(root, &e)) >= 0)
		rootfd = openat(treefd, ".", O_RDONLY | O_DIRECTORY |
		    O_NOATIME | O_CLOEXEC);
	else {
		if (e != ENOENT && e != ENOTDIR)
			sp_collect_out_problem(o, STEP, "cannot read '%s' "
			    "through a read-only mount (%s): reading a "
			    "symbolic link may change its atime", root,
			    strerror(e));
		rootfd = open(root, O_RDONLY | O_DIRECTORY | O_NOATIME |
		    O_CLOEXEC);
		if (rootfd < 0 && errno == EPERM)
			rootfd = open(root, O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC);
	}
	if (rootfd < 0) {
		rc = sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
		    root);
		goto fail;
	}
	if (stat_entry(rootfd, ".", &x) != 0) {
		rc = sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
		    root);
		close(rootfd);
		goto fail;
	}
	read_homes(&w, rootfd);
	if ((rc = sp_collect_item_begin(o, "bodyfile.txt", "bodyfile", NULL,
	    &w.body, err)) != SP_OK) {
		close(rootfd);
		goto fail;
	}
	w.anc[0].dev = makedev(x.stx_dev_major, x.stx_dev_minor);
	w.anc[0].ino = x.stx_ino;
	sp_strbuf_add(&w.path, "");
	w.entries = 1;
	body_line(&w, &x, NULL, 0);
	walk_dir(&w, rootfd, 0);
	sp_progress_report(opts->progress, "entries", w.entries, w.entries);

	/* the bodyfile is finished whatever stopped the walk */
	rc = w.rc;
	if (rc == SP_OK || rc == SP_E_INTERRUPTED) {
		int frc = body_flush(&w, 1);
		if (frc == SP_OK) {
			frc = sp_collect_item_end(w.body, rc ? NULL : err);
			w.body = NULL;
		}
		if (frc != SP_OK)
			rc = frc;
	}
fail:
	/* a bodyfile left open is dropped by sp_collect_out_close */
	if (treefd >= 0)
		close(treefd);
	for (i = 0; i < w.nhomes; i++)
		free(w.homes[i]);
	free(w.homes);
	free(w.target);
	sp_strbuf_release(&w.line);
	sp_strbuf_release(&w.path);
	return rc;
}
