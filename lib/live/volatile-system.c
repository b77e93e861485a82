/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state of the running kernel and its configuration
 * (sp_collect_system of include/spoor/collect.h): release, boot id and
 * uptime, taint, lockdown, the loaded modules in both of the kernel's
 * views (/proc/modules and /sys/module), the mounts of the collector's
 * mount namespace, /etc/ld.so.preload as ld.so reads it, and the users
 * of /var/run/utmp read as records, not through getutent(3) (which
 * honours the host's NSS configuration).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <utmp.h>

#include "spoor/collect.h"
#include "spoor/time.h"
#include "volatile-procfs.h"
#include "base/util.h"

#define STEP "system"
#define UTMP_PATH "/var/run/utmp"
#define PRELOAD_PATH "/etc/ld.so.preload"

/* ---- modules ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A module name that is safe as one path component. */
static int
module_name_ok(const char *s)
{
	return s[0] != '\0' && s[0] != '.' && strlen(s) < 256 &&
	    strchr(s, '/') == NULL;
}

static int
has_initstate(int sys_fd, const char *name)
{
	char path[300];

	if (sys_fd < 0 || !module_name_ok(name))
		return 0;
	snprintf(path, sizeof(path), "module/%s/initstate", name);
	return faccessat(sys_fd, path, F_OK, 0) == 0;
}

static char *
sys_module_attr(int sys_fd, const char *name, const char *attr)
{
	char path[300], *v;

	snprintf(path, sizeof(path), "module/%s/%s", name, attr);
	if (sp_vol_read_line(sys_fd, path, &v) != 0)
		return NULL;
	return v;
}

int
sp_vol_modules(int proc_fd, int sys_fd,
    void (*fn)(const struct sp_vol_modview *m, void *arg), void *arg)
{
	struct sp_vol_modview v;
	struct sp_vol_module m;
	struct sp_vol_lines r;
	struct sp_vol_span l, s;
	struct dirent *de;
	char **names = NULL, *state, *size, *ref, *taint, *name;
	size_t n = 0, cap = 0, i;
	int e, fd;
	DIR *d;
	uint64_t u;
	int64_t x;

	if ((e = sp_vol_lines_open(&r, proc_fd, "modules")) != 0)
		return e;
	while (sp_vol_lines_next(&r, &l)) {
		if (sp_vol_parse_module(l, &m) != 0)
			continue;
		if (sp_array_grow((void **)&names, &cap, n + 1,
		    sizeof(*names)) != SP_OK ||
		    (names[n] = strndup(m.name.p, m.name.len)) == NULL) {
			e = ENOMEM;
			break;
		}
		state = strndup(m.state.p, m.state.len);
		taint = m.taint.len > 0 ? strndup(m.taint.p, m.taint.len) :
		    NULL;
		memset(&v, 0, sizeof(v));
		v.name = names[n];
		v.size = m.size;
		v.refcount = m.refcount;
		v.state = state;
		v.taint = taint;
		v.in_proc = 1;
		v.in_sys = has_initstate(sys_fd, names[n]);
		fn(&v, arg);
		free(state);
		free(taint);
		n++;
	}
	sp_vol_lines_close(&r);
	if (e == 0 && n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	if (e == 0 && sys_fd >= 0 && (fd = openat(sys_fd, "module",
	    O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if ((d = fdopendir(fd)) == NULL) {
			close(fd);
		} else {
			while ((de = readdir(d)) != NULL) {
				name = de->d_name;
				if (!module_name_ok(name) ||
				    !has_initstate(sys_fd, name) ||
				    (n > 0 && bsearch(&name, names, n,
				    sizeof(*names), cmp_str) != NULL))
					continue;
				memset(&v, 0, sizeof(v));
				v.name = name;
				v.size = UINT64_MAX;
				v.refcount = -1;
				state = sys_module_attr(sys_fd, name,
				    "initstate");
				size = sys_module_attr(sys_fd, name,
				    "coresize");
				ref = sys_module_attr(sys_fd, name, "refcnt");
				taint = sys_module_attr(sys_fd, name, "taint");
				if (size != NULL) {
					s.p = size;
					s.len = strlen(size);
					if (sp_vol_u64(s, 10, &u) == 0)
						v.size = u;
				}
				if (ref != NULL) {
					s.p = ref;
					s.len = strlen(ref);
					if (sp_vol_i64(s, &x) == 0)
						v.refcount = x;
				}
				v.state = state;
				v.taint = taint != NULL && taint[0] != '\0' ?
				    taint : NULL;
				v.in_sys = 1;
				fn(&v, arg);
				free(state);
				free(size);
				free(ref);
				free(taint);
			}
			closedir(d);
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return e;
}

static void
json_module(const struct sp_vol_modview *m, void *arg)
{
	struct sp_json *w = arg;

	sp_json_object_begin(w);
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "kind", "module");
	sp_json_kv_str(w, "name", m->name);
	sp_json_key(w, "size");
	if (m->size != UINT64_MAX)
		sp_json_uint(w, m->size);
	else
		sp_json_null(w);
	sp_json_key(w, "refcount");
	if (m->refcount >= 0)
		sp_json_int(w, m->refcount);
	else
		sp_json_null(w);
	sp_json_kv_str(w, "state", m->state);
	sp_json_kv_str(w, "taint", m->taint);
	sp_json_kv_bool(w, "in_proc_modules", m->in_proc);
	sp_json_kv_bool(w, "in_sys_module", m->in_sys);
	sp_json_object_end(w);
	sp_json_line_end(w);
}

/* ---- kernel, boot, taint, lockdown ---- */

static void
kernel(struct sp_json *w)
{
	struct utsname u;

	if (uname(&u) != 0)
		return;
	sp_json_object_begin(w);
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "kind", "kernel");
	sp_json_kv_str(w, "release", u.release);
	sp_json_kv_str(w, "version", u.version);
	sp_json_kv_str(w, "machine", u.machine);
	sp_json_kv_str(w, "hostname", u.nodename);
	sp_json_object_end(w);
	sp_json_line_end(w);
}

static void
boot(struct sp_collect_out *o, int proc_fd, struct sp_json *w)
{
	char *id = NULL, *up = NULL, *end;
	int64_t bt = sp_vol_boot_ns(proc_fd);
	double uptime = -1;
	int e;

	if ((e = sp_vol_read_line(proc_fd, "sys/kernel/random/boot_id",
	    &id)) != 0)
		sp_collect_out_problem(o, STEP, "boot_id: %s", strerror(e));
	if (sp_vol_read_line(proc_fd, "uptime", &up) == 0) {
		uptime = strtod(up, &end);
		if (end == up || uptime < 0 || uptime > 1e12)
			uptime = -1;
	}
	sp_json_object_begin(w);
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "kind", "boot");
	sp_json_kv_str(w, "boot_id", id);
	sp_json_kv_time(w, "boot", bt > 0 ? bt : SP_TIME_NONE);
	sp_json_key(w, "uptime_s");
	if (uptime >= 0) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%.2f", uptime);
		sp_json_raw(w, buf);
	} else {
		sp_json_null(w);
	}
	sp_json_object_end(w);
	sp_json_line_end(w);
	free(id);
	free(up);
}

static void
taint(int proc_fd, struct sp_json *w)
{
	static const char letters[] = "PFSRMBUDAWCIOELKXTNJ";
	struct sp_vol_span s;
	char *text, flags[sizeof(letters)];
	uint64_t v;
	size_t i, n = 0;

	if (sp_vol_read_line(proc_fd, "sys/kernel/tainted", &text) != 0)
		return;
	s.p = text;
	s.len = strlen(text);
	if (sp_vol_u64(s, 10, &v) != 0) {
		free(text);
		return;
	}
	for (i = 0; i < sizeof(letters) - 1; i++)
		if (v & (UINT64_C(1) << i))
			flags[n++] = letters[i];
	flags[n] = '\0';
	sp_json_object_begin(w);
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "kind", "taint");
	sp_json_kv_uint(w, "value", v);
	sp_json_kv_str(w, "flags", flags);
	sp_json_object_end(w);
	sp_json_line_end(w);
	free(text);
}

static void
lockdown(int sys_fd, struct sp_json *w)
{
	char *text = NULL, *open, *close;

	sp_json_object_begin(w);
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "kind", "lockdown");
	if (sys_fd < 0 || sp_vol_read_line(sys_fd, "kernel/security/lockdown",
	    &text) != 0 || (open = strchr(text, '[')) == NULL ||
	    (close = strchr(open, ']')) == NULL) {
		sp_json_kv_str(w, "value", "absent");
	} else {
		sp_json_key(w, "value");
		sp_json_strn(w, open + 1, (size_t)(close - open - 1));
	}
	sp_json_object_end(w);
	sp_json_line_end(w);
	free(text);
}

/* ---- mounts, ld.so.preload, utmp ---- */

static void
mounts(struct sp_collect_out *o, int proc_fd, struct sp_json *w)
{
	struct sp_vol_mount m;
	struct sp_vol_lines r;
	struct sp_vol_span l;
	int e;

	if ((e = sp_vol_lines_open(&r, proc_fd, "self/mountinfo")) != 0) {
		sp_collect_out_problem(o, STEP, "self/mountinfo: %s",
		    strerror(e));
		return;
	}
	while (sp_vol_lines_next(&r, &l)) {
		if (sp_vol_parse_mount(l, &m) != 0)
			continue;
		sp_json_object_begin(w);
		sp_vol_json_mount(w, &m);
		sp_json_object_end(w);
		sp_json_line_end(w);
	}
	sp_vol_lines_close(&r);
}

static void
preload(struct sp_collect_out *o, struct sp_json *w)
{
	char *text = NULL;
	size_t len = 0, i = 0, n;
	int e;

	e = sp_vol_read(AT_FDCWD, PRELOAD_PATH, 1 << 20, &text, &len, NULL);
	if (e != 0 && e != ENOENT)
		sp_collect_out_problem(o, STEP, "'%s': %s", PRELOAD_PATH,
		    strerror(e));
	sp_json_object_begin(w);
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "kind", "ld_so_preload");
	sp_json_kv_str(w, "path", PRELOAD_PATH);
	sp_json_kv_bool(w, "exists", e == 0);
	sp_json_key(w, "entries");
	sp_json_array_begin(w);
	/* ld.so splits the file at blanks, newlines and colons */
	while (e == 0 && i < len) {
		n = strcspn(text + i, " \t\n:");
		if (n > 0)
			sp_json_strn(w, text + i, n);
		i += n + 1;
	}
	sp_json_array_end(w);
	sp_json_object_end(w);
	sp_json_line_end(w);
	free(text);
}

static void
users(struct sp_collect_out *o, struct sp_json *w)
{
	struct utmp u;
	ssize_t n;
	int fd, count = 0;

	if ((fd = open(UTMP_PATH, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) < 0) {
		if (errno != ENOENT)
			sp_collect_out_problem(o, STEP, "'%s': %s", UTMP_PATH,
			    strerror(errno));
		return;
	}
	/* bounded: a utmp of a million sessions is no utmp */
	while (count++ < 1000000 &&
	    (n = read(fd, &u, sizeof(u))) == (ssize_t)sizeof(u)) {
		if (u.ut_type != USER_PROCESS)
			continue;
		sp_json_object_begin(w);
		sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
		sp_json_kv_str(w, "kind", "user");
		sp_json_key(w, "user");
		sp_json_strn(w, u.ut_user, strnlen(u.ut_user,
		    sizeof(u.ut_user)));
		sp_json_key(w, "line");
		sp_json_strn(w, u.ut_line, strnlen(u.ut_line,
		    sizeof(u.ut_line)));
		sp_json_key(w, "host");
		sp_json_strn(w, u.ut_host, strnlen(u.ut_host,
		    sizeof(u.ut_host)));
		sp_json_kv_int(w, "pid", u.ut_pid);
		sp_json_kv_time(w, "login", (int64_t)u.ut_tv.tv_sec *
		    1000000000 + (int64_t)u.ut_tv.tv_usec * 1000);
		sp_json_object_end(w);
		sp_json_line_end(w);
	}
	close(fd);
}

int
sp_collect_system(struct sp_collect_out *o, const char *proc_root,
    const char *sys_root, struct sp_err *err)
{
	struct sp_collect_meta meta = { NULL, SP_TIME_NONE, -1, -1, -1, 0, 0 };
	struct sp_vol_item it;
	int proc_fd, sys_fd, rc, e;

	if (proc_root == NULL)
		proc_root = "/proc";
	if (sys_root == NULL)
		sys_root = "/sys";
	if ((proc_fd = open(proc_root, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
		    proc_root);
	if ((sys_fd = open(sys_root, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		sp_collect_out_problem(o, STEP, "'%s': %s", sys_root,
		    strerror(errno));
	if (sp_vol_item_open(&it) != 0) {
		close(proc_fd);
		if (sys_fd >= 0)
			close(sys_fd);
		return sp_err_set(err, SP_E_NOMEM, 0, "system");
	}
	kernel(&it.w);
	boot(o, proc_fd, &it.w);
	taint(proc_fd, &it.w);
	lockdown(sys_fd, &it.w);
	if ((e = sp_vol_modules(proc_fd, sys_fd, json_module, &it.w)) != 0 &&
	    e != ENOENT)
		sp_collect_out_problem(o, STEP, "modules: %s", strerror(e));
	mounts(o, proc_fd, &it.w);
	preload(o, &it.w);
	users(o, &it.w);
	close(proc_fd);
	if (sys_fd >= 0)
		close(sys_fd);
	if (sp_vol_item_close(&it) != 0) {
		free(it.buf);
		return sp_err_set(err, SP_E_NOMEM, 0, "system");
	}
	meta.source = proc_root;
	rc = sp_collect_out_add(o, "volatile/system.jsonl", "volatile",
	    it.buf, it.len, &meta, err);
	free(it.buf);
	return rc;
}
