/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The processes of the running host (sp_collect_processes of
 * include/spoor/collect.h): one JSON line per thread group with what
 * /proc says of it, its executable hashed through /proc/PID/exe (which
 * still reads a deleted or memfd executable), and its memory map as an
 * item of its own.  Each process is read through a descriptor of its
 * /proc/PID directory, so a pid reused mid-read cannot mix two
 * processes.  A process that ends mid-read is dropped quietly unless it
 * still answers a probe: then its /proc entry is hidden (covered by a
 * mount), and what could not be read is written as null.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spoor/collect.h"
#include "spoor/time.h"
#include "spoor/hash.h"
#include "volatile-procfs.h"
#include "base/util.h"

#define STEP "processes"
#define PF_KTHREAD 0x00200000u
#define CMDLINE_MAX (4u << 20)
#define MAPS_MAX (64u << 20)
#define HASH_CHUNK (1u << 16)

struct exe_hash {
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime_ns;
	char hex[SP_HASH_HEX_MAX];
};

struct procs {
	struct sp_collect_out *o;
	struct sp_collect_proc_opts opts;
	int proc_fd;
	int64_t boot_ns;
	long hz;
	struct sp_vol_pids pids;
	struct exe_hash *cache;
	size_t ncache, cache_cap;
	unsigned char *chunk;
	struct sp_json *w;
};

void
sp_collect_proc_opts_init(struct sp_collect_proc_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->exe_hash_max = SP_COLLECT_EXE_HASH_MAX;
	opts->probe = 1;
}

/* A read that failed for another reason than the process ending. */
static void
problem(struct procs *p, pid_t pid, const char *what, int e)
{
	if (e == ENOENT || e == ESRCH || e == 0)
		return;
	sp_collect_out_problem(p->o, STEP, "process %d: %s: %s", (int)pid,
	    what, strerror(e));
}

static void
json_link(struct procs *p, pid_t pid, int dirfd, const char *key,
    const char *path)
{
	char *target;
	int e;

	sp_json_key(p->w, key);
	if ((e = sp_vol_readlink(dirfd, path, &target)) != 0) {
		problem(p, pid, path, e);
		sp_json_null(p->w);
		return;
	}
	sp_json_str(p->w, target);
	free(target);
}

/* The SHA-256 of the executable, from the cache or read whole. */
static const char *
exe_sha256(struct procs *p, pid_t pid, int dirfd, int64_t *size)
{
	struct exe_hash *c, key;
	struct sp_hash *h = NULL;
	struct stat st;
	uint64_t left;
	ssize_t n;
	size_t i;
	int fd;

	*size = -1;
	if ((fd = openat(dirfd, "exe", O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) < 0) {
		problem(p, pid, "exe", errno);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	*size = (int64_t)st.st_size;
	memset(&key, 0, sizeof(key));
	key.dev = st.st_dev;
	key.ino = st.st_ino;
	key.size = st.st_size;
	key.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
	    st.st_mtim.tv_nsec;
	for (i = 0; i < p->ncache; i++) {
		c = &p->cache[i];
		if (c->dev == key.dev && c->ino == key.ino &&
		    c->size == key.size && c->mtime_ns == key.mtime_ns) {
			close(fd);
			return c->hex;
		}
	}
	if ((uint64_t)st.st_size > p->opts.exe_hash_max ||
	    sp_hash_new(&h, SP_HASH_SHA256, NULL) != SP_OK) {
		close(fd);
		return NULL;
	}
	left = (uint64_t)st.st_size;
	while (left > 0) {
		n = read(fd, p->chunk, left < HASH_CHUNK ? left : HASH_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sp_hash_update(h, p->chunk, (size_t)n);
		left -= (uint64_t)n;
	}
	close(fd);
	if (left != 0) {
		/* the file shrank or failed under us: no honest digest */
		sp_collect_out_problem(p->o, STEP, "process %d: exe: short read",
		    (int)pid);
		sp_hash_free(h);
		return NULL;
	}
	if (sp_hash_final(h, NULL) != SP_OK ||
	    sp_array_grow((void **)&p->cache, &p->cache_cap, p->ncache + 1,
	    sizeof(*p->cache)) != SP_OK) {
		sp_hash_free(h);
		return NULL;
	}
	c = &p->cache[p->ncache++];
	*c = key;
	snprintf(c->hex, sizeof(c->hex), "%s", sp_hash_hex(h, SP_HASH_SHA256));
	sp_hash_free(h);
	return c->hex;
}

static void
json_namespaces(struct procs *p, int dirfd)
{
	static const char *const names[] = {
		"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
		"time", "time_for_children", "user", "uts"
	};
	char path[64], *target;
	size_t i;

	sp_json_key(p->w, "namespaces");
	sp_json_object_begin(p->w);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "ns/%s", names[i]);
		if (sp_vol_readlink(dirfd, path, &target) != 0)
			continue;
		sp_json_kv_str(p->w, names[i], target);
		free(target);
	}
	sp_json_object_end(p->w);
}

static void
json_cgroup(struct procs *p, pid_t pid, int dirfd)
{
	struct sp_strbuf sb = SP_STRBUF_INIT;
	const char *q, *end;
	struct sp_vol_span l, path;
	char *text;
	size_t len;
	int e, found = 0;

	if ((e = sp_vol_read(dirfd, "cgroup", 1 << 20, &text, &len,
	    NULL)) != 0) {
		problem(p, pid, "cgroup", e);
		sp_json_kv_str(p->w, "cgroup", NULL);
		sp_json_kv_str(p->w, "container", NULL);
		return;
	}
	while (len > 0 && text[len - 1] == '\n')
		len--;
	sp_json_key(p->w, "cgroup");
	sp_json_strn(p->w, text, len);
	q = text;
	end = text + len;
	while (!found && sp_vol_next_line(&q, end, &l)) {
		/* "ID:CONTROLLERS:PATH": the path after the second ':' */
		const char *c1 = memchr(l.p, ':', l.len), *c2;

		if (c1 == NULL || (c2 = memchr(c1 + 1, ':',
		    (size_t)(l.p + l.len - c1 - 1))) == NULL)
			continue;
		path.p = c2 + 1;
		path.len = (size_t)(l.p + l.len - path.p);
		found = sp_vol_container(path, &sb);
	}
	sp_json_kv_str(p->w, "container", found ? sp_strbuf_str(&sb) : NULL);
	sp_strbuf_release(&sb);
	free(text);
}

/* fds and socket_inodes from /proc/PID/fd. */
static void
json_fds(struct procs *p, pid_t pid, int dirfd)
{
	struct sp_strbuf inodes = SP_STRBUF_INIT;
	struct dirent *de;
	char *target;
	pid_t fdn;
	DIR *d;
	int fd;

	sp_json_key(p->w, "fds");
	if ((fd = openat(dirfd, "fd", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0 || (d = fdopendir(fd)) == NULL) {
		problem(p, pid, "fd", errno);
		if (fd >= 0)
			close(fd);
		sp_json_null(p->w);
		sp_json_kv_str(p->w, "socket_inodes", NULL);
		return;
	}
	sp_json_array_begin(p->w);
	while ((de = readdir(d)) != NULL) {
		unsigned long long ino;
		int used = 0;

		if (!sp_vol_is_pid(de->d_name, &fdn) &&
		    strcmp(de->d_name, "0") != 0)
			continue;
		if (sp_vol_readlink(fd, de->d_name, &target) != 0)
			continue;
		sp_json_object_begin(p->w);
		sp_json_kv_int(p->w, "fd", atoi(de->d_name));
		sp_json_kv_str(p->w, "target", target);
		sp_json_object_end(p->w);
		if (sscanf(target, "socket:[%llu]%n", &ino, &used) == 1 &&
		    used > 0 && target[used] == '\0')
			sp_strbuf_addf(&inodes, "%s%llu", inodes.len ? "," : "",
			    ino);
		free(target);
	}
	closedir(d);
	sp_json_array_end(p->w);
	sp_json_key(p->w, "socket_inodes");
	sp_json_array_begin(p->w);
	if (inodes.len > 0)
		sp_json_raw(p->w, sp_strbuf_str(&inodes));
	sp_json_array_end(p->w);
	sp_strbuf_release(&inodes);
}

/* volatile/maps/PID.txt. */
static int
write_maps(struct procs *p, pid_t pid, int dirfd, const char *proc_root,
    struct sp_err *err)
{
	struct sp_collect_meta meta = { NULL, SP_TIME_NONE, -1, -1, -1, 0, 0 };
	char name[64], source[4200];
	char *text;
	size_t len;
	int e, rc;

	if ((e = sp_vol_read(dirfd, "maps", MAPS_MAX, &text, &len,
	    &meta.truncated)) != 0) {
		problem(p, pid, "maps", e);
		return SP_OK;
	}
	snprintf(name, sizeof(name), "volatile/maps/%d.txt", (int)pid);
	snprintf(source, sizeof(source), "%s/%d/maps", proc_root, (int)pid);
	meta.source = source;
	rc = sp_collect_out_add(p->o, name, "map", text, len, &meta, err);
	free(text);
	return rc;
}

/* The line of a process whose /proc entry cannot be read. */
static void
json_unreadable(struct procs *p, pid_t pid)
{
	static const char *const nulls[] = {
		"ppid", "tgid", "start", "uid", "euid", "gid", "egid", "comm",
		"state", "exe", "exe_deleted", "exe_memfd", "exe_sha256",
		"exe_size", "cmdline", "environ", "cwd", "root", "tty_nr",
		"session", "pgrp", "threads", "namespaces", "cgroup",
		"container", "fds", "socket_inodes", "ld_preload",
		"kernel_thread"
	};
	size_t i;

	sp_json_object_begin(p->w);
	sp_json_kv_int(p->w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_int(p->w, "pid", pid);
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		sp_json_kv_str(p->w, nulls[i], NULL);
		if (strcmp(nulls[i], "start") == 0)
			sp_json_kv_str(p->w, "start_ns", NULL);
	}
	sp_json_key(p->w, "seen_by");
	sp_vol_json_seen_by(p->w, &p->pids, pid);
	sp_json_kv_bool(p->w, "readable", 0);
	sp_json_object_end(p->w);
	sp_json_line_end(p->w);
}

static int
one_process(struct procs *p, pid_t pid, const char *proc_root,
    struct sp_err *err)
{
	struct sp_vol_status status;
	struct sp_vol_stat st;
	struct sp_vol_span pre;
	struct stat est;
	char path[32], *stat_text = NULL, *status_text = NULL, *exe = NULL;
	char *cmdline = NULL, *env = NULL, state[2];
	size_t stat_len, status_len = 0, cmd_len = 0, env_len = 0, n;
	const char *hex = NULL;
	int dirfd, e, deleted = 0, memfd = 0, rc = SP_OK, have_env = 0;
	int64_t size = -1;
	struct sp_json *w = p->w;

	snprintf(path, sizeof(path), "%d", (int)pid);
	dirfd = openat(p->proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	e = dirfd < 0 ? errno : sp_vol_read(dirfd, "stat", 1 << 16,
	    &stat_text, &stat_len, NULL);
	if (e == 0 && sp_vol_parse_stat(stat_text, stat_len, &st) != 0) {
		sp_collect_out_problem(p->o, STEP,
		    "process %d: stat: malformed", (int)pid);
		e = EINVAL;
	}
	if (e != 0) {
		if (e != ENOENT && e != ESRCH && e != EINVAL)
			problem(p, pid, "stat", e);
		/* gone, or hidden behind a mount while it runs */
		if ((e != ENOENT && e != ESRCH) ||
		    sp_vol_pids_alive(&p->pids, p->proc_fd, pid))
			json_unreadable(p, pid);
		free(stat_text);
		if (dirfd >= 0)
			close(dirfd);
		return SP_OK;
	}
	if ((e = sp_vol_read(dirfd, "status", 1 << 16, &status_text,
	    &status_len, NULL)) != 0)
		problem(p, pid, "status", e);
	sp_vol_parse_status(status_text != NULL ? status_text : "",
	    status_len, &status);

	if ((e = sp_vol_readlink(dirfd, "exe", &exe)) != 0) {
		problem(p, pid, "exe", e);
	} else {
		static const char del[] = " (deleted)";

		n = strlen(exe);
		memfd = strncmp(exe, "/memfd:", 7) == 0;
		if (n >= sizeof(del) - 1 &&
		    strcmp(exe + n - (sizeof(del) - 1), del) == 0 &&
		    (fstatat(dirfd, "exe", &est, 0) != 0 ||
		    est.st_nlink == 0)) {
			deleted = 1;
			exe[n - (sizeof(del) - 1)] = '\0';
		}
		hex = exe_sha256(p, pid, dirfd, &size);
	}
	if ((e = sp_vol_read(dirfd, "cmdline", CMDLINE_MAX, &cmdline,
	    &cmd_len, NULL)) != 0)
		problem(p, pid, "cmdline", e);
	if ((e = sp_vol_read(dirfd, "environ", CMDLINE_MAX, &env, &env_len,
	    NULL)) != 0)
		problem(p, pid, "environ", e);
	else
		have_env = 1;

	sp_json_object_begin(w);
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_int(w, "pid", pid);
	sp_json_kv_int(w, "ppid", st.ppid);
	sp_json_kv_int(w, "tgid", status.tgid >= 0 ? status.tgid : pid);
	if (p->boot_ns > 0 && p->hz > 0)
		sp_json_kv_time(w, "start", p->boot_ns +
		    (int64_t)(st.starttime / (uint64_t)p->hz) * 1000000000 +
		    (int64_t)(st.starttime % (uint64_t)p->hz) * 1000000000 /
		    p->hz);
	else
		sp_json_kv_time(w, "start", SP_TIME_NONE);
	sp_json_kv_int(w, "uid", status.uid[0]);
	sp_json_kv_int(w, "euid", status.uid[1]);
	sp_json_kv_int(w, "gid", status.gid[0]);
	sp_json_kv_int(w, "egid", status.gid[1]);
	sp_json_key(w, "comm");
	sp_json_strn(w, st.comm.p, st.comm.len);
	state[0] = st.state;
	state[1] = '\0';
	sp_json_kv_str(w, "state", state);
	sp_json_kv_str(w, "exe", exe);
	sp_json_kv_bool(w, "exe_deleted", deleted);
	sp_json_kv_bool(w, "exe_memfd", memfd);
	sp_json_kv_str(w, "exe_sha256", hex);
	sp_json_key(w, "exe_size");
	if (size >= 0)
		sp_json_int(w, size);
	else
		sp_json_null(w);
	sp_json_key(w, "cmdline");
	if (cmdline != NULL)
		sp_vol_json_nul_list(w, cmdline, cmd_len);
	else
		sp_json_null(w);
	sp_json_key(w, "environ");
	if (p->opts.environ && have_env)
		sp_vol_json_nul_list(w, env, env_len);
	else
		sp_json_null(w);
	json_link(p, pid, dirfd, "cwd", "cwd");
	json_link(p, pid, dirfd, "root", "root");
	sp_json_kv_int(w, "tty_nr", st.tty_nr);
	sp_json_kv_int(w, "session", st.session);
	sp_json_kv_int(w, "pgrp", st.pgrp);
	sp_json_kv_int(w, "threads", st.threads);
	json_namespaces(p, dirfd);
	json_cgroup(p, pid, dirfd);
	json_fds(p, pid, dirfd);
	sp_json_key(w, "ld_preload");
	if (have_env && sp_vol_env_get(env, env_len, "LD_PRELOAD", &pre))
		sp_json_strn(w, pre.p, pre.len);
	else
		sp_json_null(w);
	sp_json_kv_bool(w, "kernel_thread", (st.flags & PF_KTHREAD) ||
	    (exe == NULL && (st.ppid == 2 || pid == 2)));
	sp_json_key(w, "seen_by");
	sp_vol_json_seen_by(w, &p->pids, pid);
	sp_json_kv_bool(w, "readable", 1);
	sp_json_object_end(w);
	sp_json_line_end(w);

	rc = write_maps(p, pid, dirfd, proc_root, err);
	free(stat_text);
	free(status_text);
	free(exe);
	free(cmdline);
	free(env);
	close(dirfd);
	return rc;
}

int
sp_collect_processes(struct sp_collect_out *o, const char *proc_root,
    const struct sp_collect_proc_opts *opts, struct sp_err *err)
{
	struct sp_collect_meta meta = { NULL, SP_TIME_NONE, -1, -1, -1, 0, 0 };
	struct sp_vol_item it;
	struct procs p;
	pid_t pid;
	int rc = SP_OK, e;

	if (proc_root == NULL)
		proc_root = "/proc";
	memset(&p, 0, sizeof(p));
	p.o = o;
	if (opts != NULL)
		p.opts = *opts;
	else
		sp_collect_proc_opts_init(&p.opts);
	if ((p.proc_fd = open(proc_root, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
		    proc_root);
	if ((e = sp_vol_pids_build(&p.pids, p.proc_fd, p.opts.probe)) != 0) {
		close(p.proc_fd);
		return sp_err_set(err, sp_errno_code(e), e, "'%s'", proc_root);
	}
	p.boot_ns = sp_vol_boot_ns(p.proc_fd);
	p.hz = sysconf(_SC_CLK_TCK);
	if ((p.chunk = malloc(HASH_CHUNK)) == NULL ||
	    sp_vol_item_open(&it) != 0) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "processes");
		goto fail;
	}
	p.w = &it.w;
	for (pid = 1; pid <= p.pids.max && rc == SP_OK; pid++)
		if (sp_vol_pids_group(&p.pids, pid))
			rc = one_process(&p, pid, proc_root, err);
	if (sp_vol_item_close(&it) != 0 && rc == SP_OK)
		rc = sp_err_set(err, SP_E_NOMEM, 0, "processes");
	if (rc == SP_OK) {
		meta.source = proc_root;
		rc = sp_collect_out_add(o, "volatile/processes.jsonl",
		    "volatile", it.buf, it.len, &meta, err);
	}
	free(it.buf);
fail:
	free(p.chunk);
	free(p.cache);
	sp_vol_pids_release(&p.pids);
	close(p.proc_fd);
	return rc;
}
