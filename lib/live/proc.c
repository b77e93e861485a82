/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The processes of the running host through /proc (see
 * include/spoor/live.h): the list of process ids, each one's memory map
 * and memory, its executable and command line.  A process may end between
 * any two reads; every reader copes with it and none writes to /proc.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spoor/live.h"
#include "base/util.h"

#define PAGE 4096u

/* ---- the list of processes ---- */

struct sp_live_procs {
	DIR *dir;
	pid_t self;
};

int
sp_live_procs_open(struct sp_live_procs **out, struct sp_err *err)
{
	struct sp_live_procs *p;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "/proc");
	if ((p->dir = opendir("/proc")) == NULL) {
		free(p);
		return sp_err_set(err, sp_errno_code(errno), errno, "/proc");
	}
	p->self = getpid();
	*out = p;
	return SP_OK;
}

pid_t
sp_live_procs_next(struct sp_live_procs *p)
{
	struct dirent *de;
	char *end;
	long v;

	while ((de = readdir(p->dir)) != NULL) {
		v = strtol(de->d_name, &end, 10);
		if (*end != '\0' || v <= 0 || v == p->self)
			continue;
		return (pid_t)v;
	}
	return 0;
}

void
sp_live_procs_close(struct sp_live_procs *p)
{
	if (p == NULL)
		return;
	closedir(p->dir);
	free(p);
}

/* ---- /proc/PID/maps ---- */

struct sp_live_maps {
	FILE *f;
	char *line;
	size_t cap;
};

int
sp_live_maps_open(struct sp_live_maps **out, pid_t pid, struct sp_err *err)
{
	struct sp_live_maps *m;
	char path[64];
	int e;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "process %d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if ((m->f = fopen(path, "re")) == NULL) {
		e = errno;
		free(m);
		return sp_err_set(err, e == ENOENT ? SP_E_NOINPUT :
		    sp_errno_code(e), 0, "process %d: %s", (int)pid,
		    e == ENOENT ? "no such process" : strerror(e));
	}
	*out = m;
	return SP_OK;
}

int
sp_live_maps_next(struct sp_live_maps *m, struct sp_live_region *r)
{
	unsigned long long start, end, off, ino;
	unsigned maj, min;
	int consumed;

	while (getline(&m->line, &m->cap, m->f) > 0) {
		if (sscanf(m->line, "%llx-%llx %7s %llx %x:%x %llu %n", &start,
		    &end, r->perms, &off, &maj, &min, &ino, &consumed) < 7)
			continue;
		r->start = start;
		r->end = end;
		r->offset = off;
		snprintf(r->path, sizeof(r->path), "%s", m->line + consumed);
		r->path[strcspn(r->path, "\n")] = '\0';
		return 1;
	}
	return 0;
}

void
sp_live_maps_close(struct sp_live_maps *m)
{
	if (m == NULL)
		return;
	free(m->line);
	fclose(m->f);
	free(m);
}

int
sp_live_region_skip(const struct sp_live_region *r)
{
	struct stat st;

	if (r->perms[0] != 'r')
		return 1;
	if (strcmp(r->path, "[vvar]") == 0 ||
	    strcmp(r->path, "[vsyscall]") == 0 ||
	    strcmp(r->path, "[vvar_vclock]") == 0)
		return 1;
	/* device mappings can hang or change state on reads */
	if (strncmp(r->path, "/dev/", 5) == 0 &&
	    strncmp(r->path, "/dev/shm/", 9) != 0 &&
	    (stat(r->path, &st) != 0 || S_ISCHR(st.st_mode) ||
	    S_ISBLK(st.st_mode)))
		return 1;
	return 0;
}

/* ---- /proc/PID/mem ---- */

struct sp_live_procmem {
	int fd;
	uint64_t unreadable;
};

int
sp_live_procmem_open(struct sp_live_procmem **out, pid_t pid,
    struct sp_err *err)
{
	struct sp_live_procmem *m;
	char path[64];
	int e;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "process %d", (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	if ((m->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		e = errno;
		free(m);
		return sp_err_set(err, e == ENOENT ? SP_E_NOINPUT :
		    sp_errno_code(e), 0, "process %d: %s", (int)pid,
		    strerror(e));
	}
	*out = m;
	return SP_OK;
}

void
sp_live_procmem_read(struct sp_live_procmem *m, uint64_t addr,
    unsigned char *buf, size_t len)
{
	size_t done = 0, want;
	ssize_t n;

	while (done < len) {
		n = pread(m->fd, buf + done, len - done, (off_t)(addr + done));
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		/* unreadable: go page by page, zeros where a page fails */
		want = PAGE - ((addr + done) % PAGE);
		if (want > len - done)
			want = len - done;
		n = pread(m->fd, buf + done, want, (off_t)(addr + done));
		if (n <= 0) {
			memset(buf + done, 0, want);
			m->unreadable++;
			n = (ssize_t)want;
		}
		done += (size_t)n;
	}
}

uint64_t
sp_live_procmem_unreadable(const struct sp_live_procmem *m)
{
	return m->unreadable;
}

void
sp_live_procmem_close(struct sp_live_procmem *m)
{
	if (m == NULL)
		return;
	close(m->fd);
	free(m);
}

/* ---- executable and command line ---- */

void
sp_live_process_exe(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((n = readlink(path, buf, size - 1)) < 0)
		n = 0;
	buf[n] = '\0';
}

void
sp_live_process_cmdline(pid_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	size_t i;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (i = 0; i < (size_t)n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\n'))
		buf[--n] = '\0';
}
