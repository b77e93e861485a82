/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the collector itself finds suspicious on the running host
 * (sp_collect_hidden of include/spoor/collect.h), each finding with a
 * severity and a sentence.  Most are cross views: the same fact asked of
 * the kernel two ways, where a rootkit usually patches only one (the
 * listing of /proc against a probe of every pid and the task lists;
 * /proc/N against the /proc it lives in, and mountinfo, for a mount that
 * covers a process; /proc/modules against /sys/module).  The others are
 * traits that are rare on a clean host and common in intrusions: a
 * preload configured for every program, LD_PRELOAD in an environment, an
 * executable that is deleted, in memory only (memfd) or in a
 * world-writable temporary directory, a process named like a kernel
 * thread that has an executable.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spoor/collect.h"
#include "spoor/time.h"
#include "volatile-procfs.h"
#include "base/util.h"

#define STEP "findings"
#define PF_KTHREAD 0x00200000u
#define ENV_MAX (4u << 20)
#define PRELOAD_PATH "/etc/ld.so.preload"

struct hunt {
	struct sp_collect_out *o;
	struct sp_json *w;
	int proc_fd;
	const char *proc_root;
	sp_time_ns now;
	struct sp_vol_pids pids;
	pid_t *mounted;		/* pids whose /proc/N is a mount point */
	size_t nmounted, mounted_cap;
};

static void finding(struct hunt *h, const char *kind, const char *severity,
    pid_t pid, const char *path, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void
finding(struct hunt *h, const char *kind, const char *severity, pid_t pid,
    const char *path, const char *name, const char *fmt, ...)
{
	char reason[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	sp_json_object_begin(h->w);
	sp_json_kv_int(h->w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(h->w, "kind", kind);
	sp_json_kv_str(h->w, "severity", severity);
	sp_json_key(h->w, "pid");
	if (pid > 0)
		sp_json_int(h->w, pid);
	else
		sp_json_null(h->w);
	sp_json_kv_str(h->w, "path", path);
	sp_json_kv_str(h->w, "name", name);
	sp_json_kv_str(h->w, "reason", reason);
	sp_json_kv_int(h->w, "time_ns", h->now);
	sp_json_object_end(h->w);
	sp_json_line_end(h->w);
}

/* ---- mounts over /proc/N ---- */

static void
proc_mounts(struct hunt *h)
{
	struct sp_strbuf target = SP_STRBUF_INIT;
	size_t rootlen = strlen(h->proc_root);
	struct sp_vol_mount m;
	struct sp_vol_lines r;
	struct sp_vol_span l;
	const char *t, *digits;
	pid_t pid;
	char num[16];
	size_t n;

	if (sp_vol_lines_open(&r, h->proc_fd, "self/mountinfo") != 0)
		return;
	while (sp_vol_lines_next(&r, &l)) {
		if (sp_vol_parse_mount(l, &m) != 0)
			continue;
		sp_strbuf_reset(&target);
		sp_vol_unescape(&target, m.target);
		t = sp_strbuf_str(&target);
		if (strncmp(t, h->proc_root, rootlen) != 0 || t[rootlen] != '/')
			continue;
		digits = t + rootlen + 1;
		n = strspn(digits, "0123456789");
		if (n == 0 || n >= sizeof(num) ||
		    (digits[n] != '\0' && digits[n] != '/'))
			continue;
		memcpy(num, digits, n);
		num[n] = '\0';
		if (!sp_vol_is_pid(num, &pid))
			continue;
		finding(h, "proc_bind_mount", "high", pid, t, NULL,
		    "a mount on %s hides what /proc says of process %d "
		    "from ps and every tool that reads /proc", t, (int)pid);
		if (sp_array_grow((void **)&h->mounted, &h->mounted_cap,
		    h->nmounted + 1, sizeof(*h->mounted)) == SP_OK)
			h->mounted[h->nmounted++] = pid;
	}
	sp_vol_lines_close(&r);
	sp_strbuf_release(&target);
}

static int
was_mounted(const struct hunt *h, pid_t pid)
{
	size_t i;

	for (i = 0; i < h->nmounted; i++)
		if (h->mounted[i] == pid)
			return 1;
	return 0;
}

/* ---- processes ---- */

static int
kthread_name(const char *s, size_t n)
{
	static const char *const prefixes[] = {
		"kworker/", "kswapd", "ksoftirqd/", "kthreadd", "migration/",
		"rcu_", "watchdog", "kblockd", "khugepaged", "kcompactd",
		"jbd2/", "irq/", "cpuhp/", "kdevtmpfs", "kauditd",
		"oom_reaper", "writeback", "kintegrityd", "ksmd", "scsi_eh_",
		"idle_inject/", "kthrotld", "khungtaskd", "ecryptfs-kthread",
		"netns", "kstrp", "ipv6_addrconf", "xfsaild/", "card0-crtc"
	};
	size_t i, k;

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']')
		return 1;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		k = strlen(prefixes[i]);
		if (n >= k && memcmp(s, prefixes[i], k) == 0)
			return 1;
	}
	return 0;
}

static void
one_process(struct hunt *h, pid_t pid)
{
	static const char del[] = " (deleted)";
	static const char *const tmp[] = { "/tmp/", "/var/tmp/", "/dev/shm/" };
	struct sp_vol_stat st;
	struct sp_vol_span pre;
	struct stat est;
	char path[32], *stat_text = NULL, *exe = NULL, *cmd = NULL;
	char *env = NULL, *comm = NULL, *val;
	size_t stat_len, cmd_len = 0, env_len = 0, n, i;
	int dirfd, e, deleted = 0, have_stat;

	snprintf(path, sizeof(path), "%d", (int)pid);
	if ((dirfd = openat(h->proc_fd, path, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return;
	e = sp_vol_read(dirfd, "stat", 1 << 16, &stat_text, &stat_len, NULL);
	have_stat = e == 0 && sp_vol_parse_stat(stat_text, stat_len, &st) == 0;
	if (have_stat)
		comm = strndup(st.comm.p, st.comm.len);
	if (!have_stat && (e == ENOENT || e == ESRCH) &&
	    (h->pids.seen[pid] & SP_VOL_COVERED) &&
	    sp_vol_pids_alive(&h->pids, h->proc_fd, pid))
		finding(h, "hidden_process", "critical", pid, NULL, NULL,
		    "process %d runs but its /proc entry is covered by "
		    "another file system, so ps does not show it", (int)pid);
	if ((h->pids.seen[pid] & SP_VOL_COVERED) && !was_mounted(h, pid))
		finding(h, "proc_bind_mount", "high", pid, NULL, NULL,
		    "%s/%d is on another file system than %s: something "
		    "covers the process's entry", h->proc_root, (int)pid,
		    h->proc_root);
	if (!have_stat)
		goto done;

	if (sp_vol_readlink(dirfd, "exe", &exe) == 0) {
		n = strlen(exe);
		if (n >= sizeof(del) - 1 &&
		    strcmp(exe + n - (sizeof(del) - 1), del) == 0 &&
		    (fstatat(dirfd, "exe", &est, 0) != 0 ||
		    est.st_nlink == 0)) {
			deleted = 1;
			exe[n - (sizeof(del) - 1)] = '\0';
		}
		if (strncmp(exe, "/memfd:", 7) == 0)
			finding(h, "memfd_exe", "high", pid, exe, comm,
			    "process %d runs an executable that exists only "
			    "in memory (memfd_create), a common way to run "
			    "a payload without touching the disk", (int)pid);
		else if (deleted)
			finding(h, "deleted_exe", "medium", pid, exe, comm,
			    "process %d runs an executable that was deleted "
			    "after it started (an upgrade, or a payload "
			    "covering its tracks)", (int)pid);
		for (i = 0; i < sizeof(tmp) / sizeof(tmp[0]); i++)
			if (strncmp(exe, tmp[i], strlen(tmp[i])) == 0)
				finding(h, "exe_in_tmp", "medium", pid, exe,
				    comm, "process %d runs an executable from "
				    "%s, a world-writable directory", (int)pid,
				    tmp[i]);
		if (!(st.flags & PF_KTHREAD)) {
			int mimic = kthread_name(st.comm.p, st.comm.len);

			if (!mimic && sp_vol_read(dirfd, "cmdline", 4096, &cmd,
			    &cmd_len, NULL) == 0)
				mimic = kthread_name(cmd, strnlen(cmd,
				    cmd_len));
			if (mimic)
				finding(h, "kernel_thread_mimic", "high", pid,
				    exe, comm, "process %d is named like a "
				    "kernel thread but runs the executable %s",
				    (int)pid, exe);
		}
	}
	if (sp_vol_read(dirfd, "environ", ENV_MAX, &env, &env_len,
	    NULL) == 0 && sp_vol_env_get(env, env_len, "LD_PRELOAD", &pre) &&
	    pre.len > 0 && (val = strndup(pre.p, pre.len)) != NULL) {
		finding(h, "ld_preload_env", "medium", pid, val, comm,
		    "process %d runs with LD_PRELOAD set, so the listed "
		    "libraries are loaded into it before any other", (int)pid);
		free(val);
	}
done:
	free(stat_text);
	free(exe);
	free(cmd);
	free(env);
	free(comm);
	close(dirfd);
}

/* ---- modules and the loader ---- */

static void
module_view(const struct sp_vol_modview *m, void *arg)
{
	struct hunt *h = arg;

	if (m->in_proc && !m->in_sys)
		finding(h, "hidden_module", "medium", 0, NULL, m->name,
		    "module %s is in /proc/modules but has no "
		    "/sys/module/%s/initstate", m->name, m->name);
	else if (!m->in_proc && m->in_sys)
		finding(h, "hidden_module", "high", 0, NULL, m->name,
		    "module %s is loaded (/sys/module/%s/initstate) but "
		    "missing from /proc/modules, hidden from lsmod", m->name,
		    m->name);
}

static void
ld_so_preload(struct hunt *h)
{
	char *text = NULL;
	size_t len;
	int e;

	if ((e = sp_vol_read(AT_FDCWD, PRELOAD_PATH, 1 << 20, &text, &len,
	    NULL)) != 0) {
		if (e != ENOENT)
			sp_collect_out_problem(h->o, STEP, "'%s': %s",
			    PRELOAD_PATH, strerror(e));
		return;
	}
	if (strspn(text, " \t\n:") < len) {
		while (len > 0 && strchr(" \t\n:", text[len - 1]) != NULL)
			text[--len] = '\0';
		finding(h, "ld_so_preload", "high", 0, PRELOAD_PATH, text,
		    "%s is not empty: ld.so loads what it lists into every "
		    "dynamically linked program", PRELOAD_PATH);
	}
	free(text);
}

int
sp_collect_hidden(struct sp_collect_out *o, const char *proc_root,
    const char *sys_root, struct sp_err *err)
{
	struct sp_collect_meta meta = { NULL, SP_TIME_NONE, -1, -1, -1, 0, 0 };
	struct sp_vol_item it;
	struct hunt h;
	char name[16];
	pid_t pid;
	int sys_fd, rc, e;

	if (proc_root == NULL)
		proc_root = "/proc";
	if (sys_root == NULL)
		sys_root = "/sys";
	memset(&h, 0, sizeof(h));
	h.o = o;
	h.proc_root = proc_root;
	h.now = sp_time_now();
	if ((h.proc_fd = open(proc_root, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
		    proc_root);
	if ((e = sp_vol_pids_build(&h.pids, h.proc_fd, 1)) != 0) {
		close(h.proc_fd);
		return sp_err_set(err, sp_errno_code(e), e, "'%s'", proc_root);
	}
	if (sp_vol_item_open(&it) != 0) {
		sp_vol_pids_release(&h.pids);
		close(h.proc_fd);
		return sp_err_set(err, SP_E_NOMEM, 0, "findings");
	}
	h.w = &it.w;
	proc_mounts(&h);
	for (pid = 1; pid <= h.pids.max; pid++) {
		if (sp_vol_pids_hidden(&h.pids, pid)) {
			char *text = NULL, path[32];
			struct sp_vol_stat st;
			size_t len;

			/* its name, if /proc/N still answers by name */
			name[0] = '\0';
			snprintf(path, sizeof(path), "%d/stat", (int)pid);
			if (sp_vol_read(h.proc_fd, path, 1 << 16, &text, &len,
			    NULL) == 0 && sp_vol_parse_stat(text, len,
			    &st) == 0)
				snprintf(name, sizeof(name), "%.*s",
				    (int)st.comm.len, st.comm.p);
			free(text);
			finding(&h, "hidden_process", "critical", pid, NULL,
			    name[0] != '\0' ? name : NULL, "process %d "
			    "answers a probe (or is a task of a thread group) "
			    "but is missing from the listing of %s", (int)pid,
			    proc_root);
		}
		if (h.pids.seen[pid] & SP_VOL_READDIR)
			one_process(&h, pid);
	}
	if ((sys_fd = open(sys_root, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) >= 0) {
		if ((e = sp_vol_modules(h.proc_fd, sys_fd, module_view,
		    &h)) != 0 && e != ENOENT)
			sp_collect_out_problem(o, STEP, "modules: %s",
			    strerror(e));
		close(sys_fd);
	} else {
		sp_collect_out_problem(o, STEP, "'%s': %s", sys_root,
		    strerror(errno));
	}
	ld_so_preload(&h);
	sp_vol_pids_release(&h.pids);
	free(h.mounted);
	close(h.proc_fd);
	if (sp_vol_item_close(&it) != 0) {
		free(it.buf);
		return sp_err_set(err, SP_E_NOMEM, 0, "findings");
	}
	meta.source = proc_root;
	rc = sp_collect_out_add(o, "volatile/findings.jsonl", "volatile",
	    it.buf, it.len, &meta, err);
	free(it.buf);
	return rc;
}
