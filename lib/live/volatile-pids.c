/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cross view of process ids (see volatile-procfs.h): what readdir of
 * /proc lists, what the task directories of the listed thread groups
 * hold, and what answers a probe of every pid up to pid_max.  A rootkit
 * that filters getdents hides a process from the listing (and from ps)
 * but rarely from kill(2) or from a lookup of /proc/N by name; a pid
 * that answers but is missing from the listing, and is no thread of a
 * listed group, is hidden.  One byte per pid keeps the view flat (4 MiB
 * at the largest pid_max).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "volatile-procfs.h"

#define PID_MAX_LIMIT 4194304

/* Call fn for each numeric entry of the directory "path" under dirfd. */
static int
each_pid(int dirfd, const char *path, void (*fn)(pid_t, void *), void *arg)
{
	struct dirent *de;
	DIR *d;
	pid_t pid;
	int fd;

	if ((fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno;
	if ((d = fdopendir(fd)) == NULL) {
		int e = errno;

		close(fd);
		return e;
	}
	while ((de = readdir(d)) != NULL)
		if (sp_vol_is_pid(de->d_name, &pid))
			fn(pid, arg);
	closedir(d);
	return 0;
}

static void
largest(pid_t pid, void *arg)
{
	pid_t *max = arg;

	if (pid > *max)
		*max = pid;
}

struct mark {
	struct sp_vol_pids *v;
	pid_t group;
	unsigned char bit;
};

static void
mark_pid(pid_t pid, void *arg)
{
	struct mark *m = arg;

	if (pid > m->v->max)
		return;
	m->v->seen[pid] |= m->bit;
	if (m->group != 0 && pid == m->group)
		m->v->seen[pid] |= SP_VOL_LEADER;
}

/* Mark the tasks of group pid; note a /proc/N on another file system. */
static void
walk_tasks(struct sp_vol_pids *v, int proc_fd, pid_t pid)
{
	struct mark m = { v, pid, SP_VOL_TASK };
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "%d", (int)pid);
	if (fstatat(proc_fd, path, &st, 0) == 0 && st.st_dev != v->proc_dev)
		v->seen[pid] |= SP_VOL_COVERED;
	snprintf(path, sizeof(path), "%d/task", (int)pid);
	(void)each_pid(proc_fd, path, mark_pid, &m);
}

/* Whether proc_fd is the /proc of this process's pid namespace. */
static int
own_proc(int proc_fd)
{
	char *self = NULL;
	pid_t pid;
	int own;

	if (sp_vol_readlink(proc_fd, "self", &self) != 0)
		return 0;
	own = sp_vol_is_pid(self, &pid) && pid == getpid();
	free(self);
	return own;
}

static int
alive(int proc_fd, int use_kill, pid_t pid)
{
	char path[32];
	struct stat st;

	if (use_kill)
		return kill(pid, 0) == 0 || errno == EPERM;
	snprintf(path, sizeof(path), "%d", (int)pid);
	return fstatat(proc_fd, path, &st, 0) == 0;
}

/* The Tgid of pid from its status, or -1. */
static int64_t
tgid_of(int proc_fd, pid_t pid)
{
	struct sp_vol_status st;
	char path[32], *text;
	size_t len;

	snprintf(path, sizeof(path), "%d/status", (int)pid);
	if (sp_vol_read(proc_fd, path, 1 << 16, &text, &len, NULL) != 0)
		return -1;
	sp_vol_parse_status(text, len, &st);
	free(text);
	return st.tgid;
}

int
sp_vol_pids_build(struct sp_vol_pids *v, int proc_fd, int probe)
{
	struct mark m;
	struct stat st;
	char *text = NULL;
	uint64_t pid_max = 32768;
	struct sp_vol_span s;
	pid_t pid, max = 0;
	int e, use_kill;
	int64_t tgid;

	memset(v, 0, sizeof(*v));
	if (fstat(proc_fd, &st) != 0)
		return errno;
	v->proc_dev = st.st_dev;
	v->own = own_proc(proc_fd);
	if (sp_vol_read_line(proc_fd, "sys/kernel/pid_max", &text) == 0) {
		s.p = text;
		s.len = strlen(text);
		if (sp_vol_u64(s, 10, &pid_max) != 0 || pid_max < 2 ||
		    pid_max > PID_MAX_LIMIT)
			pid_max = PID_MAX_LIMIT;
		free(text);
	}
	/* a pid above a lowered pid_max still exists: room for it too */
	if ((e = each_pid(proc_fd, ".", largest, &max)) != 0)
		return e;
	v->max = max > (pid_t)pid_max ? max : (pid_t)pid_max;
	if ((v->seen = calloc((size_t)v->max + 1, 1)) == NULL)
		return ENOMEM;
	m.v = v;
	m.group = 0;
	m.bit = SP_VOL_READDIR;
	if ((e = each_pid(proc_fd, ".", mark_pid, &m)) != 0) {
		sp_vol_pids_release(v);
		return e;
	}
	for (pid = 1; pid <= v->max; pid++)
		if (v->seen[pid] & SP_VOL_READDIR)
			walk_tasks(v, proc_fd, pid);
	if (!probe)
		return 0;
	use_kill = v->own;
	for (pid = 1; pid <= v->max; pid++) {
		if (!alive(proc_fd, use_kill, pid))
			continue;
		v->seen[pid] |= SP_VOL_PROBE;
		if (v->seen[pid] & (SP_VOL_READDIR | SP_VOL_TASK))
			continue;
		/* a thread of a hidden group, or a hidden group's leader */
		tgid = tgid_of(proc_fd, pid);
		if (tgid > 0 && tgid != pid && tgid <= v->max) {
			v->seen[pid] |= SP_VOL_TASK;
			if (!(v->seen[tgid] & SP_VOL_READDIR)) {
				v->seen[tgid] |= SP_VOL_LEADER;
				walk_tasks(v, proc_fd, (pid_t)tgid);
			}
			continue;
		}
		v->seen[pid] |= SP_VOL_LEADER;
		walk_tasks(v, proc_fd, pid);
	}
	/* a process started during the probe is listed now: not hidden */
	m.bit = SP_VOL_READDIR;
	(void)each_pid(proc_fd, ".", mark_pid, &m);
	/*
	 * one probed that is gone now came and went between the two
	 * listings: not hidden either (a hidden one stays)
	 */
	for (pid = 1; pid <= v->max; pid++)
		if (sp_vol_pids_hidden(v, pid) && !alive(proc_fd, use_kill,
		    pid))
			v->seen[pid] &= (unsigned char)~(SP_VOL_LEADER |
			    SP_VOL_PROBE | SP_VOL_TASK);
	return 0;
}

void
sp_vol_pids_release(struct sp_vol_pids *v)
{
	free(v->seen);
	v->seen = NULL;
	v->max = 0;
}

int
sp_vol_pids_alive(const struct sp_vol_pids *v, int proc_fd, pid_t pid)
{
	return alive(proc_fd, v->own, pid);
}

int
sp_vol_pids_group(const struct sp_vol_pids *v, pid_t pid)
{
	if (pid <= 0 || pid > v->max)
		return 0;
	return (v->seen[pid] & SP_VOL_READDIR) || sp_vol_pids_hidden(v, pid);
}

int
sp_vol_pids_hidden(const struct sp_vol_pids *v, pid_t pid)
{
	unsigned char s;

	if (pid <= 0 || pid > v->max)
		return 0;
	s = v->seen[pid];
	return !(s & SP_VOL_READDIR) && (s & SP_VOL_LEADER) &&
	    (s & (SP_VOL_PROBE | SP_VOL_TASK));
}

void
sp_vol_json_seen_by(struct sp_json *w, const struct sp_vol_pids *v,
    pid_t pid)
{
	unsigned char s = pid > 0 && pid <= v->max ? v->seen[pid] : 0;

	sp_json_array_begin(w);
	if (s & SP_VOL_READDIR)
		sp_json_str(w, "readdir");
	if (s & SP_VOL_PROBE)
		sp_json_str(w, "probe");
	if (s & SP_VOL_TASK)
		sp_json_str(w, "task");
	sp_json_array_end(w);
}
