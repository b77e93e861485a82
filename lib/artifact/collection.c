/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Collections of spoor-collect (see include/spoor/artifact.h): the
 * manifest, the check of every item against it, and the volatile JSON
 * Lines turned into typed events (processes, sockets, logins, modules,
 * the system's state, the collector's findings).  A collection was
 * written on a host an attacker may have controlled, so every line is
 * read with the JSON reader under a length bound, every field is checked
 * for its type, and items are opened one name at a time beneath the root,
 * never through a symbolic link.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "spoor/artifact.h"
#include "spoor/hash.h"
#include "spoor/json.h"
#include "artifact/parsers.h"
#include "base/util.h"

#define LINE_MAX_BYTES	(1 << 20)	/* a process with a large environ */
#define ITEMS_MAX	(1 << 22)
#define PROCS_MAX	(1 << 22)
#define PATH_BYTES	4096
#define MSG_BYTES	2048
#define COMM_BYTES	64

struct proc {
	int64_t pid;
	char comm[COMM_BYTES];
	char *exe;
};

struct item {
	struct sp_collection_item pub;
	char *path, *type, *sha256, *source;
};

struct sp_collection {
	char *path;
	int rootfd;
	char host[256], boot_id[64], machine[32];
	sp_time_ns started;
	char manifest_sha256[SP_HASH_HEX_MAX];
	uint64_t manifest_size;
	struct item *items;
	size_t nitems, citems;
	size_t *by_path;	/* indexes of items sorted by path */
	struct proc *procs;	/* sorted by pid once processes are read */
	size_t nprocs, cprocs;
	int procs_sorted;
	sp_collection_finding_fn *finding;
	void *finding_arg;
};

/* ---- records: the members of one line ---- */

enum key {
	K_SCHEMA, K_PID, K_PPID, K_START_NS, K_UID, K_EUID, K_GID, K_EGID,
	K_COMM, K_STATE, K_EXE, K_EXE_DELETED, K_EXE_MEMFD, K_EXE_SHA256,
	K_CMDLINE, K_ENVIRON, K_CWD, K_ROOT, K_TTY_NR, K_SESSION, K_PGRP,
	K_THREADS, K_NAMESPACES, K_CGROUP, K_CONTAINER, K_LD_PRELOAD,
	K_KERNEL_THREAD, K_SEEN_BY, K_PROTO, K_LOCAL_ADDRESS, K_LOCAL_PORT,
	K_REMOTE_ADDRESS, K_REMOTE_PORT, K_INODE, K_PATH, K_PIDS, K_KIND,
	K_SEVERITY, K_REASON, K_TIME_NS, K_NAME, K_RELEASE, K_VERSION,
	K_MACHINE, K_BOOT_ID, K_BOOT_NS, K_VALUE, K_FLAGS, K_SIZE,
	K_REFCOUNT, K_IN_PROC_MODULES, K_IN_SYS_MODULE,
	K_SOURCE, K_TARGET, K_FSTYPE, K_OPTIONS, K_ENTRIES, K_USER, K_LINE,
	K_HOST, K_LOGIN_NS, K_ADDRESSES, K_MAC, K_FAMILY, K_DESTINATION,
	K_GATEWAY, K_INTERFACE, K_ADDRESS, K_SHA256, K_TYPE, K_MTIME_NS,
	K_TRUNCATED, K_CHANGED, K_STARTED_NS, K_STATUS, K_TGID,
	K_COUNT
};

static const char *const key_names[K_COUNT] = {
	"schema", "pid", "ppid", "start_ns", "uid", "euid", "gid", "egid",
	"comm", "state", "exe", "exe_deleted", "exe_memfd", "exe_sha256",
	"cmdline", "environ", "cwd", "root", "tty_nr", "session", "pgrp",
	"threads", "namespaces", "cgroup", "container", "ld_preload",
	"kernel_thread", "seen_by", "proto", "local_address", "local_port",
	"remote_address", "remote_port", "inode", "path", "pids", "kind",
	"severity", "reason", "time_ns", "name", "release", "version",
	"machine", "boot_id", "boot_ns", "value", "flags", "size",
	"refcount", "in_proc_modules", "in_sys_module",
	"source", "target", "fstype", "options", "entries", "user", "line",
	"host", "login_ns", "addresses", "mac", "family", "destination",
	"gateway", "interface", "address", "sha256", "type", "mtime_ns",
	"truncated", "changed", "started_ns", "status", "tgid",
};

#define OWNED_MAX 64

struct rec {
	struct sp_json_val v[K_COUNT];
	unsigned char have[K_COUNT];
	char *owned[OWNED_MAX];
	size_t nowned;
	const char *bad;	/* the first field of the wrong type */
	int nomem;
};

static int
rec_member(const char *key, size_t klen, const struct sp_json_val *v,
    void *arg)
{
	struct rec *r = arg;
	size_t i;

	for (i = 0; i < K_COUNT; i++)
		if (strlen(key_names[i]) == klen &&
		    memcmp(key_names[i], key, klen) == 0) {
			/* the first of a repeated key, as a reader must pick one */
			if (!r->have[i]) {
				r->v[i] = *v;
				r->have[i] = 1;
			}
			break;
		}
	return 0;
}

static void
rec_release(struct rec *r)
{
	size_t i;

	for (i = 0; i < r->nowned; i++)
		free(r->owned[i]);
	r->nowned = 0;
}

/* Read line into r; -1 when it is not one JSON object. */
static int
rec_read(struct rec *r, const char *line, size_t len)
{
	memset(r, 0, sizeof(*r));
	return sp_json_members(line, len, rec_member, r);
}

static int
present(const struct rec *r, enum key k)
{
	return r->have[k] && r->v[k].type != SP_JSON_NULL;
}

/* The string of k, decoded (owned by r), or NULL when absent or null. */
static const char *
rec_str(struct rec *r, enum key k)
{
	char *s;

	if (!present(r, k))
		return NULL;
	if (r->v[k].type != SP_JSON_STRING) {
		if (r->bad == NULL)
			r->bad = key_names[k];
		return NULL;
	}
	if (r->nowned == OWNED_MAX)
		return NULL;
	if ((s = sp_json_string(&r->v[k])) == NULL) {
		if (r->bad == NULL)
			r->bad = key_names[k];
		return NULL;
	}
	r->owned[r->nowned++] = s;
	return s;
}

/* The integer of k into *out: 1, or 0 when absent, null or not one. */
static int
rec_int(struct rec *r, enum key k, int64_t *out)
{
	if (!present(r, k))
		return 0;
	if (r->v[k].type != SP_JSON_NUMBER ||
	    sp_json_integer(&r->v[k], out) != 0) {
		if (r->bad == NULL)
			r->bad = key_names[k];
		return 0;
	}
	return 1;
}

static int
rec_bool(struct rec *r, enum key k)
{
	if (!present(r, k))
		return 0;
	if (r->v[k].type != SP_JSON_TRUE && r->v[k].type != SP_JSON_FALSE) {
		if (r->bad == NULL)
			r->bad = key_names[k];
		return 0;
	}
	return r->v[k].type == SP_JSON_TRUE;
}

/* A time in ns: NONE when absent or not a time since the epoch. */
static sp_time_ns
rec_time(struct rec *r, enum key k)
{
	int64_t v;

	if (!rec_int(r, k, &v) || v <= 0)
		return SP_TIME_NONE;
	return v;
}

/* Append s to buf (size bytes, NUL-terminated), cut at the end. */
static void
append(char *buf, size_t size, const char *s)
{
	size_t n = strlen(buf);

	if (n + 1 < size)
		snprintf(buf + n, size - n, "%s", s);
}

/* ---- processes by pid ---- */

static int
proc_cmp(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static const struct proc *
proc_find(struct sp_collection *c, int64_t pid)
{
	struct proc key;

	if (c == NULL || c->nprocs == 0 || pid < 0)
		return NULL;
	if (!c->procs_sorted) {
		qsort(c->procs, c->nprocs, sizeof(*c->procs), proc_cmp);
		c->procs_sorted = 1;
	}
	key.pid = pid;
	return bsearch(&key, c->procs, c->nprocs, sizeof(*c->procs),
	    proc_cmp);
}

static int
proc_add(struct sp_collection *c, int64_t pid, const char *comm,
    const char *exe)
{
	struct proc *n;
	size_t cap;

	if (c->nprocs == PROCS_MAX)
		return 0;
	if (c->nprocs == c->cprocs) {
		cap = c->cprocs ? c->cprocs * 2 : 256;
		if ((n = realloc(c->procs, cap * sizeof(*n))) == NULL)
			return -1;
		c->procs = n;
		c->cprocs = cap;
	}
	n = &c->procs[c->nprocs];
	n->pid = pid;
	snprintf(n->comm, sizeof(n->comm), "%s", comm ? comm : "");
	n->exe = NULL;
	if (exe != NULL && (n->exe = strdup(exe)) == NULL)
		return -1;
	c->nprocs++;
	c->procs_sorted = 0;
	return 0;
}

/* ---- one line of each kind ---- */

enum rkind { R_AUTO, R_PROCESS, R_SOCKET, R_NETWORK, R_SYSTEM, R_FINDING };

struct pstate {
	struct sp_collection *c;
	struct sp_artifact_ctx *ctx;
	enum rkind kind;
	struct sp_extra x;
	sp_time_ns at;		/* the collection's time */
	const char *boot_id;
	int rc;
};

struct arr {
	struct pstate *ps;
	char *msg;		/* joined, for the message */
	size_t msgsize;
	int n;
	const char *key;	/* environ: the variable to keep */
	char *found;
	int64_t first;
	int ints;
};

/* argv: into the extra's array and the message, from argv[1] on. */
static int
argv_el(const struct sp_json_val *v, void *arg)
{
	struct arr *a = arg;
	char *s;

	if (v->type != SP_JSON_STRING || (s = sp_json_string(v)) == NULL)
		return 0;
	sp_extra_array_str(&a->ps->x, s);
	if (a->msg != NULL && a->n > 0) {
		append(a->msg, a->msgsize, " ");
		append(a->msg, a->msgsize, s);
	}
	a->n++;
	free(s);
	return 0;
}

static int
str_el(const struct sp_json_val *v, void *arg)
{
	struct arr *a = arg;
	char *s;

	if (v->type != SP_JSON_STRING || (s = sp_json_string(v)) == NULL)
		return 0;
	sp_extra_array_str(&a->ps->x, s);
	if (a->msg != NULL) {
		if (a->n > 0)
			append(a->msg, a->msgsize, ",");
		append(a->msg, a->msgsize, s);
	}
	a->n++;
	free(s);
	return 0;
}

static int
int_el(const struct sp_json_val *v, void *arg)
{
	struct arr *a = arg;
	int64_t n;

	if (v->type != SP_JSON_NUMBER || sp_json_integer(v, &n) != 0)
		return 0;
	if (a->n == 0)
		a->first = n;
	sp_extra_array_int(&a->ps->x, n);
	a->n++;
	return 0;
}

/* environ: only the value of a->key ("LD_PRELOAD="). */
static int
env_el(const struct sp_json_val *v, void *arg)
{
	struct arr *a = arg;
	size_t k = strlen(a->key);
	char *s;

	if (a->found != NULL || v->type != SP_JSON_STRING ||
	    (s = sp_json_string(v)) == NULL)
		return 0;
	if (strncmp(s, a->key, k) == 0)
		a->found = strdup(s + k);
	free(s);
	return 0;
}

static int
ns_member(const char *key, size_t klen, const struct sp_json_val *v,
    void *arg)
{
	(void)key;
	(void)klen;
	return str_el(v, arg);
}

static int
emit(struct pstate *ps, struct sp_event *e, int64_t line)
{
	e->line = line;
	e->extra = sp_extra_text(&ps->x);
	if (e->host == NULL && ps->c != NULL && ps->c->host[0] != '\0' &&
	    ps->ctx->host == NULL)
		e->host = ps->c->host;
	return sp_artifact_emit(ps->ctx, e);
}

static int
on_process(struct pstate *ps, struct rec *r, int64_t line)
{
	struct sp_event e;
	struct arr a;
	char msg[MSG_BYTES], args[MSG_BYTES], ubuf[24];
	const char *comm, *exe, *user = NULL, *preload;
	int64_t pid, ppid = -1, uid = -1, v;
	int deleted, memfd, kthread, rc;
	char *envpre = NULL;

	if (!rec_int(r, K_PID, &pid) || pid < 0) {
		sp_artifact_problem(ps->ctx, line, "process without a pid");
		return 0;
	}
	comm = rec_str(r, K_COMM);
	exe = rec_str(r, K_EXE);
	if (ps->c != NULL && proc_add(ps->c, pid, comm, exe) != 0)
		return SP_E_NOMEM;
	sp_event_init(&e);
	e.artifact = "process";
	e.time_desc = "start";
	e.time = rec_time(r, K_START_NS);
	if (e.time == SP_TIME_NONE) {
		sp_artifact_problem(ps->ctx, line, "process %" PRId64 " has no "
		    "start_ns", pid);
		return 0;
	}
	e.pid = pid;
	if (rec_int(r, K_PPID, &ppid) && ppid >= 0)
		e.ppid = ppid;
	if (rec_int(r, K_UID, &uid) && uid >= 0) {
		user = sp_users_name(ps->ctx->users, uid);
		if (user == NULL) {
			snprintf(ubuf, sizeof(ubuf), "%" PRId64, uid);
			user = ubuf;
		}
	}
	e.user = user;
	e.exe = exe;
	e.path = exe;
	e.cwd = rec_str(r, K_CWD);
	e.boot_id = ps->boot_id;
	deleted = rec_bool(r, K_EXE_DELETED);
	memfd = rec_bool(r, K_EXE_MEMFD);
	kthread = rec_bool(r, K_KERNEL_THREAD);

	sp_extra_begin(&ps->x);
	sp_extra_str(&ps->x, "comm", comm);
	if (uid >= 0)
		sp_extra_int(&ps->x, "uid", uid);
	if (rec_int(r, K_EUID, &v))
		sp_extra_int(&ps->x, "euid", v);
	if (rec_int(r, K_GID, &v))
		sp_extra_int(&ps->x, "gid", v);
	if (rec_int(r, K_EGID, &v))
		sp_extra_int(&ps->x, "egid", v);
	if (rec_int(r, K_TGID, &v))
		sp_extra_int(&ps->x, "tgid", v);
	sp_extra_str(&ps->x, "state", rec_str(r, K_STATE));
	args[0] = '\0';
	memset(&a, 0, sizeof(a));
	a.ps = ps;
	if (present(r, K_CMDLINE)) {
		a.msg = args;
		a.msgsize = sizeof(args);
		sp_extra_array_begin(&ps->x, "argv");
		if (sp_json_elements(&r->v[K_CMDLINE], argv_el, &a) != 0 &&
		    r->bad == NULL)
			r->bad = "cmdline";
		sp_extra_array_end(&ps->x);
		sp_extra_str(&ps->x, "cmdline", a.n > 0 ? args[0] ? args + 1 :
		    "" : NULL);
	}
	sp_extra_str(&ps->x, "cwd", e.cwd);
	sp_extra_str(&ps->x, "root", rec_str(r, K_ROOT));
	if (present(r, K_NAMESPACES)) {
		memset(&a, 0, sizeof(a));
		a.ps = ps;
		sp_extra_array_begin(&ps->x, "namespaces");
		if (r->v[K_NAMESPACES].type != SP_JSON_OBJECT ||
		    sp_json_members(r->v[K_NAMESPACES].p, r->v[K_NAMESPACES].len,
		    ns_member, &a) != 0) {
			if (r->bad == NULL)
				r->bad = "namespaces";
		}
		sp_extra_array_end(&ps->x);
	}
	sp_extra_str(&ps->x, "cgroup", rec_str(r, K_CGROUP));
	sp_extra_str(&ps->x, "container", rec_str(r, K_CONTAINER));
	sp_extra_str(&ps->x, "exe_sha256", rec_str(r, K_EXE_SHA256));
	sp_extra_bool(&ps->x, "exe_deleted", deleted);
	if (memfd)
		sp_extra_bool(&ps->x, "exe_memfd", 1);
	if (kthread)
		sp_extra_bool(&ps->x, "kernel_thread", 1);
	/* of the environment only what hooks the dynamic linker */
	preload = rec_str(r, K_LD_PRELOAD);
	if (present(r, K_ENVIRON)) {
		memset(&a, 0, sizeof(a));
		a.ps = ps;
		a.key = "LD_PRELOAD=";
		if (sp_json_elements(&r->v[K_ENVIRON], env_el, &a) != 0 &&
		    r->bad == NULL)
			r->bad = "environ";
		envpre = a.found;
		if (preload == NULL)
			preload = envpre;
	}
	sp_extra_str(&ps->x, "ld_preload", preload);
	if (rec_int(r, K_THREADS, &v))
		sp_extra_int(&ps->x, "threads", v);
	if (rec_int(r, K_SESSION, &v))
		sp_extra_int(&ps->x, "sid", v);
	if (rec_int(r, K_TTY_NR, &v))
		sp_extra_int(&ps->x, "tty_nr", v);
	if (present(r, K_SEEN_BY)) {
		memset(&a, 0, sizeof(a));
		a.ps = ps;
		sp_extra_array_begin(&ps->x, "seen_by");
		if (sp_json_elements(&r->v[K_SEEN_BY], str_el, &a) != 0 &&
		    r->bad == NULL)
			r->bad = "seen_by";
		sp_extra_array_end(&ps->x);
	}
	if (r->bad != NULL) {
		sp_artifact_problem(ps->ctx, line, "process %" PRId64 ": bad "
		    "field '%s'", pid, r->bad);
		sp_extra_text(&ps->x);
		free(envpre);
		return 0;
	}
	snprintf(msg, sizeof(msg), "process %" PRId64 " %s%s%s%s%s%s%s%s",
	    pid, exe != NULL ? exe : "[", exe != NULL ? "" : comm ? comm : "?",
	    exe != NULL ? "" : "]", args, deleted ? " (deleted exe)" : "",
	    memfd ? " (memfd exe)" : "", preload ? " LD_PRELOAD=" : "",
	    preload ? preload : "");
	e.message = msg;
	rc = emit(ps, &e, line);
	free(envpre);
	return rc;
}

/* "10.0.0.5:40112", "[::1]:22". */
static void
endpoint(char *buf, size_t size, const char *addr, int64_t port)
{
	if (addr == NULL)
		addr = "?";
	if (strchr(addr, ':') != NULL)
		snprintf(buf, size, "[%s]:%" PRId64, addr, port);
	else
		snprintf(buf, size, "%s:%" PRId64, addr, port);
}

static int
on_socket(struct pstate *ps, struct rec *r, int64_t line)
{
	struct sp_event e;
	struct arr a;
	const struct proc *p;
	const char *proto, *state, *laddr, *raddr, *path;
	char msg[MSG_BYTES], l[300], rm[300], who[128], desc[32];
	int64_t lport = 0, rport = 0, v;
	int inet;
	size_t i;

	proto = rec_str(r, K_PROTO);
	state = rec_str(r, K_STATE);
	laddr = rec_str(r, K_LOCAL_ADDRESS);
	raddr = rec_str(r, K_REMOTE_ADDRESS);
	path = rec_str(r, K_PATH);
	(void)rec_int(r, K_LOCAL_PORT, &lport);
	(void)rec_int(r, K_REMOTE_PORT, &rport);
	if (proto == NULL) {
		sp_artifact_problem(ps->ctx, line, "socket without a proto");
		return 0;
	}
	inet = strncmp(proto, "tcp", 3) == 0 || strncmp(proto, "udp", 3) == 0;
	sp_event_init(&e);
	e.artifact = "socket";
	e.time = ps->at;
	e.boot_id = ps->boot_id;
	sp_extra_begin(&ps->x);
	sp_extra_str(&ps->x, "proto", proto);
	sp_extra_str(&ps->x, "state", state);
	sp_extra_str(&ps->x, "local_address", laddr);
	if (inet) {
		sp_extra_int(&ps->x, "local_port", lport);
		sp_extra_str(&ps->x, "remote_address", raddr);
		sp_extra_int(&ps->x, "remote_port", rport);
	}
	if (rec_int(r, K_INODE, &v))
		sp_extra_int(&ps->x, "inode", v);
	if (rec_int(r, K_UID, &v))
		sp_extra_int(&ps->x, "uid", v);
	sp_extra_str(&ps->x, "path", path);
	memset(&a, 0, sizeof(a));
	a.ps = ps;
	a.first = -1;
	if (present(r, K_PIDS)) {
		sp_extra_array_begin(&ps->x, "pids");
		if (sp_json_elements(&r->v[K_PIDS], int_el, &a) != 0 &&
		    r->bad == NULL)
			r->bad = "pids";
		sp_extra_array_end(&ps->x);
	}
	/*
	 * Listening, or a connection: outgoing ("connect") when the local
	 * port is the higher, ephemeral one, else accepted ("established").
	 */
	if (state != NULL && strcmp(state, "LISTEN") == 0)
		snprintf(desc, sizeof(desc), "listen");
	else if (inet && (raddr == NULL || rport == 0))
		snprintf(desc, sizeof(desc), "listen");
	else if (inet && state != NULL && (strcmp(state, "SYN_SENT") == 0 ||
	    (strcmp(state, "ESTABLISHED") == 0 && lport > rport &&
	    lport >= 1024)))
		snprintf(desc, sizeof(desc), "connect");
	else if (inet && state != NULL && strcmp(state, "ESTABLISHED") == 0)
		snprintf(desc, sizeof(desc), "established");
	else {
		snprintf(desc, sizeof(desc), "%s", state ? state : "open");
		for (i = 0; desc[i] != '\0'; i++)
			if (desc[i] >= 'A' && desc[i] <= 'Z')
				desc[i] = (char)(desc[i] - 'A' + 'a');
	}
	e.time_desc = desc;
	/* the connection's other end, where rca reads it from */
	if (inet && strcmp(desc, "listen") != 0) {
		sp_extra_str(&ps->x, "address", raddr);
		sp_extra_int(&ps->x, "port", rport);
	}
	if (r->bad != NULL) {
		sp_artifact_problem(ps->ctx, line, "socket: bad field '%s'",
		    r->bad);
		sp_extra_text(&ps->x);
		return 0;
	}
	who[0] = '\0';
	if (a.n > 0 && a.first >= 0) {
		e.pid = a.first;
		p = proc_find(ps->c, a.first);
		if (p != NULL)
			e.exe = p->exe;
		snprintf(who, sizeof(who), " (pid %" PRId64 "%s%s)", a.first,
		    p != NULL && p->comm[0] ? " " : "", p != NULL ? p->comm :
		    "");
	}
	if (inet) {
		endpoint(l, sizeof(l), laddr, lport);
		endpoint(rm, sizeof(rm), raddr, rport);
		if (strcmp(desc, "listen") == 0)
			snprintf(msg, sizeof(msg), "%s %s %s%s", proto, l,
			    state ? state : "", who);
		else
			snprintf(msg, sizeof(msg), "%s %s -> %s %s%s", proto, l,
			    rm, state ? state : "", who);
	} else
		snprintf(msg, sizeof(msg), "%s %s %s%s", proto,
		    path ? path : laddr ? laddr : "-", state ? state : "", who);
	e.path = path;
	e.message = msg;
	return emit(ps, &e, line);
}

static int
on_network(struct pstate *ps, struct rec *r, const char *kind, int64_t line)
{
	struct sp_event e;
	struct arr a;
	char msg[MSG_BYTES], addrs[1024];
	const char *name, *mac, *dst, *gw, *ifc, *addr;

	sp_event_init(&e);
	e.artifact = "network";
	e.time_desc = "state";
	e.time = ps->at;
	e.boot_id = ps->boot_id;
	sp_extra_begin(&ps->x);
	sp_extra_str(&ps->x, "kind", kind);
	if (strcmp(kind, "interface") == 0) {
		name = rec_str(r, K_NAME);
		mac = rec_str(r, K_MAC);
		addrs[0] = '\0';
		memset(&a, 0, sizeof(a));
		a.ps = ps;
		a.msg = addrs;
		a.msgsize = sizeof(addrs);
		sp_extra_str(&ps->x, "name", name);
		if (present(r, K_ADDRESSES)) {
			sp_extra_array_begin(&ps->x, "addresses");
			if (sp_json_elements(&r->v[K_ADDRESSES], str_el, &a) != 0
			    && r->bad == NULL)
				r->bad = "addresses";
			sp_extra_array_end(&ps->x);
		}
		sp_extra_str(&ps->x, "mac", mac);
		sp_extra_str(&ps->x, "flags", rec_str(r, K_FLAGS));
		snprintf(msg, sizeof(msg), "interface %s %s%s%s",
		    name ? name : "?", addrs[0] ? addrs : "(no address)",
		    mac ? " mac " : "", mac ? mac : "");
	} else if (strcmp(kind, "route") == 0) {
		dst = rec_str(r, K_DESTINATION);
		gw = rec_str(r, K_GATEWAY);
		ifc = rec_str(r, K_INTERFACE);
		sp_extra_str(&ps->x, "family", rec_str(r, K_FAMILY));
		sp_extra_str(&ps->x, "destination", dst);
		sp_extra_str(&ps->x, "gateway", gw);
		sp_extra_str(&ps->x, "interface", ifc);
		snprintf(msg, sizeof(msg), "route %s%s%s dev %s",
		    dst ? dst : "?", gw ? " via " : "", gw ? gw : "",
		    ifc ? ifc : "?");
	} else {
		addr = rec_str(r, K_ADDRESS);
		mac = rec_str(r, K_MAC);
		ifc = rec_str(r, K_INTERFACE);
		sp_extra_str(&ps->x, "address", addr);
		sp_extra_str(&ps->x, "mac", mac);
		sp_extra_str(&ps->x, "interface", ifc);
		snprintf(msg, sizeof(msg), "neighbour %s %s dev %s",
		    addr ? addr : "?", mac ? mac : "?", ifc ? ifc : "?");
	}
	if (r->bad != NULL) {
		sp_artifact_problem(ps->ctx, line, "%s: bad field '%s'", kind,
		    r->bad);
		sp_extra_text(&ps->x);
		return 0;
	}
	e.message = msg;
	return emit(ps, &e, line);
}

static int
on_system(struct pstate *ps, struct rec *r, const char *kind, int64_t line)
{
	struct sp_event e;
	struct arr a;
	char msg[MSG_BYTES], list[1024];
	const char *s1, *s2, *s3, *s4;
	int64_t v, v2;

	sp_event_init(&e);
	e.artifact = "system";
	e.time_desc = "state";
	e.time = ps->at;
	e.boot_id = ps->boot_id;
	sp_extra_begin(&ps->x);
	sp_extra_str(&ps->x, "kind", kind);
	msg[0] = '\0';
	if (strcmp(kind, "kernel") == 0) {
		s1 = rec_str(r, K_RELEASE);
		s2 = rec_str(r, K_VERSION);
		s3 = rec_str(r, K_MACHINE);
		sp_extra_str(&ps->x, "release", s1);
		sp_extra_str(&ps->x, "version", s2);
		sp_extra_str(&ps->x, "machine", s3);
		snprintf(msg, sizeof(msg), "kernel %s %s %s", s1 ? s1 : "?",
		    s2 ? s2 : "", s3 ? s3 : "");
	} else if (strcmp(kind, "boot") == 0) {
		s1 = rec_str(r, K_BOOT_ID);
		sp_extra_str(&ps->x, "boot_id", s1);
		/* the boot itself, when its time is known */
		if ((e.time = rec_time(r, K_BOOT_NS)) == SP_TIME_NONE)
			e.time = ps->at;
		else
			e.time_desc = "boot";
		snprintf(msg, sizeof(msg), "boot %s", s1 ? s1 : "?");
	} else if (strcmp(kind, "taint") == 0) {
		s1 = rec_str(r, K_FLAGS);
		if (!rec_int(r, K_VALUE, &v))
			v = 0;
		sp_extra_int(&ps->x, "value", v);
		sp_extra_str(&ps->x, "flags", s1);
		snprintf(msg, sizeof(msg), "kernel taint %" PRId64 "%s%s%s", v,
		    s1 && *s1 ? " (" : "", s1 && *s1 ? s1 : "",
		    s1 && *s1 ? ")" : "");
	} else if (strcmp(kind, "lockdown") == 0) {
		s1 = rec_str(r, K_VALUE);
		sp_extra_str(&ps->x, "value", s1);
		snprintf(msg, sizeof(msg), "kernel lockdown %s",
		    s1 ? s1 : "?");
	} else if (strcmp(kind, "module") == 0) {
		s1 = rec_str(r, K_NAME);
		s2 = rec_str(r, K_STATE);
		e.artifact = "module";
		e.time_desc = "loaded";
		sp_extra_str(&ps->x, "name", s1);
		if (!rec_int(r, K_SIZE, &v))
			v = -1;
		if (!rec_int(r, K_REFCOUNT, &v2))
			v2 = -1;
		if (v >= 0)
			sp_extra_int(&ps->x, "size", v);
		if (v2 >= 0)
			sp_extra_int(&ps->x, "refcount", v2);
		sp_extra_str(&ps->x, "state", s2);
		sp_extra_bool(&ps->x, "in_proc_modules",
		    rec_bool(r, K_IN_PROC_MODULES));
		sp_extra_bool(&ps->x, "in_sys_module",
		    rec_bool(r, K_IN_SYS_MODULE));
		snprintf(msg, sizeof(msg), "kernel module %s (%s)%s%s",
		    s1 ? s1 : "?", s2 ? s2 : "?",
		    present(r, K_IN_PROC_MODULES) && !rec_bool(r,
		    K_IN_PROC_MODULES) ? " not in /proc/modules" : "",
		    present(r, K_IN_SYS_MODULE) && !rec_bool(r, K_IN_SYS_MODULE) ?
		    " not in /sys/module" : "");
		e.path = NULL;
	} else if (strcmp(kind, "mount") == 0) {
		s1 = rec_str(r, K_SOURCE);
		s2 = rec_str(r, K_TARGET);
		s3 = rec_str(r, K_FSTYPE);
		s4 = rec_str(r, K_OPTIONS);
		sp_extra_str(&ps->x, "source", s1);
		sp_extra_str(&ps->x, "target", s2);
		sp_extra_str(&ps->x, "fstype", s3);
		sp_extra_str(&ps->x, "options", s4);
		e.path = s2;
		snprintf(msg, sizeof(msg), "mount %s on %s type %s (%s)",
		    s1 ? s1 : "?", s2 ? s2 : "?", s3 ? s3 : "?",
		    s4 ? s4 : "");
	} else if (strcmp(kind, "ld_so_preload") == 0) {
		s1 = rec_str(r, K_PATH);
		list[0] = '\0';
		memset(&a, 0, sizeof(a));
		a.ps = ps;
		a.msg = list;
		a.msgsize = sizeof(list);
		sp_extra_str(&ps->x, "path", s1);
		if (present(r, K_ENTRIES)) {
			sp_extra_array_begin(&ps->x, "entries");
			if (sp_json_elements(&r->v[K_ENTRIES], str_el, &a) != 0
			    && r->bad == NULL)
				r->bad = "entries";
			sp_extra_array_end(&ps->x);
		}
		e.path = s1;
		snprintf(msg, sizeof(msg), "%s: %s", s1 ? s1 :
		    "/etc/ld.so.preload", list[0] ? list : "(empty)");
	} else if (strcmp(kind, "user") == 0) {
		s1 = rec_str(r, K_USER);
		s2 = rec_str(r, K_LINE);
		s3 = rec_str(r, K_HOST);
		e.artifact = "utmp";
		e.time_desc = "login";
		if ((e.time = rec_time(r, K_LOGIN_NS)) == SP_TIME_NONE) {
			sp_artifact_problem(ps->ctx, line, "user %s: no "
			    "login_ns", s1 ? s1 : "?");
			sp_extra_text(&ps->x);
			return 0;
		}
		e.user = s1;
		e.tty = s2;
		if (rec_int(r, K_PID, &v) && v >= 0)
			e.pid = v;
		sp_extra_str(&ps->x, "line", s2);
		sp_extra_str(&ps->x, "hostname", s3);
		/* rca reads a remote login's origin from address */
		if (s3 != NULL && *s3 != '\0')
			sp_extra_str(&ps->x, "address", s3);
		snprintf(msg, sizeof(msg), "login %s on %s%s%s (logged in "
		    "when collected)", s1 ? s1 : "?", s2 ? s2 : "?",
		    s3 && *s3 ? " from " : "", s3 && *s3 ? s3 : "");
	} else {
		/* a kind this reader does not know yet: kept, not lost */
		e.time_desc = "state";
		snprintf(msg, sizeof(msg), "system %s", kind);
	}
	if (r->bad != NULL) {
		sp_artifact_problem(ps->ctx, line, "%s: bad field '%s'", kind,
		    r->bad);
		sp_extra_text(&ps->x);
		return 0;
	}
	e.message = msg;
	return emit(ps, &e, line);
}

static const char *const severities[] = {
	"info", "low", "medium", "high", "critical", NULL
};

static int
on_finding(struct pstate *ps, struct rec *r, int64_t line)
{
	struct sp_collection_finding f;
	struct sp_event e;
	const struct proc *p = NULL;
	char msg[MSG_BYTES];
	size_t i;
	int rc;

	memset(&f, 0, sizeof(f));
	f.kind = rec_str(r, K_KIND);
	f.severity = rec_str(r, K_SEVERITY);
	f.reason = rec_str(r, K_REASON);
	f.path = rec_str(r, K_PATH);
	f.name = rec_str(r, K_NAME);
	if (!rec_int(r, K_PID, &f.pid) || f.pid < 0)
		f.pid = -1;
	if ((f.time = rec_time(r, K_TIME_NS)) == SP_TIME_NONE)
		f.time = ps->at;
	f.line = line;
	if (f.kind == NULL || f.severity == NULL || r->bad != NULL) {
		sp_artifact_problem(ps->ctx, line, "finding: %s", r->bad ?
		    r->bad : f.kind == NULL ? "no kind" : "no severity");
		return 0;
	}
	for (i = 0; severities[i] != NULL; i++)
		if (strcmp(severities[i], f.severity) == 0)
			break;
	if (severities[i] == NULL) {
		sp_artifact_problem(ps->ctx, line, "finding %s: unknown "
		    "severity", f.kind);
		return 0;
	}
	if (f.time == SP_TIME_NONE) {
		sp_artifact_problem(ps->ctx, line, "finding %s: no time",
		    f.kind);
		return 0;
	}
	if (f.pid >= 0 && (p = proc_find(ps->c, f.pid)) != NULL)
		f.exe = p->exe;
	sp_event_init(&e);
	e.artifact = "finding";
	e.time_desc = "finding";
	e.time = f.time;
	e.pid = f.pid;
	e.exe = f.exe;
	e.path = f.path;
	e.boot_id = ps->boot_id;
	sp_extra_begin(&ps->x);
	sp_extra_str(&ps->x, "kind", f.kind);
	sp_extra_str(&ps->x, "severity", f.severity);
	sp_extra_str(&ps->x, "reason", f.reason);
	sp_extra_str(&ps->x, "name", f.name);
	snprintf(msg, sizeof(msg), "%s (%s): %s", f.kind, f.severity,
	    f.reason ? f.reason : f.path ? f.path : f.name ? f.name : "");
	e.message = msg;
	if ((rc = emit(ps, &e, line)) != 0)
		return rc;
	if (ps->c != NULL && ps->c->finding != NULL)
		return ps->c->finding(&f, ps->c->finding_arg);
	return 0;
}

static int
is_network_kind(const char *k)
{
	return strcmp(k, "interface") == 0 || strcmp(k, "route") == 0 ||
	    strcmp(k, "neighbour") == 0;
}

static int
on_line(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	struct pstate *ps = arg;
	struct rec r;
	enum rkind k = ps->kind;
	const char *kind = NULL;
	int64_t schema;
	int rc = 0;

	if (rec_read(&r, l->p, l->len) != 0) {
		sp_artifact_problem(ctx, l->number, "not a JSON object");
		return 0;
	}
	if (rec_int(&r, K_SCHEMA, &schema) && schema != 1) {
		sp_artifact_problem(ctx, l->number, "schema %" PRId64 " is "
		    "not known", schema);
		goto out;
	}
	if (present(&r, K_KIND) && (kind = rec_str(&r, K_KIND)) == NULL) {
		sp_artifact_problem(ctx, l->number, "bad field 'kind'");
		goto out;
	}
	if (k == R_AUTO) {
		if (present(&r, K_PROTO))
			k = R_SOCKET;
		else if (present(&r, K_SEVERITY))
			k = R_FINDING;
		else if (kind != NULL)
			k = is_network_kind(kind) ? R_NETWORK : R_SYSTEM;
		else if (present(&r, K_PID))
			k = R_PROCESS;
		else {
			sp_artifact_problem(ctx, l->number, "not a record of "
			    "a collection");
			goto out;
		}
	}
	switch (k) {
	case R_PROCESS:
		rc = on_process(ps, &r, l->number);
		break;
	case R_SOCKET:
		rc = on_socket(ps, &r, l->number);
		break;
	case R_FINDING:
		rc = on_finding(ps, &r, l->number);
		break;
	case R_NETWORK:
	case R_SYSTEM:
		if (kind == NULL) {
			sp_artifact_problem(ctx, l->number, "no kind");
			break;
		}
		if (k == R_NETWORK && is_network_kind(kind))
			rc = on_network(ps, &r, kind, l->number);
		else if (k == R_NETWORK)
			sp_artifact_problem(ctx, l->number, "unknown network "
			    "record");
		else
			rc = on_system(ps, &r, kind, l->number);
		break;
	case R_AUTO:
		break;
	}
out:
	rec_release(&r);
	return rc;
}

static enum rkind
kind_of(const char *origin)
{
	const char *b = origin ? strrchr(origin, '/') : NULL;

	b = b ? b + 1 : origin ? origin : "";
	if (strcmp(b, "processes.jsonl") == 0)
		return R_PROCESS;
	if (strcmp(b, "sockets.jsonl") == 0)
		return R_SOCKET;
	if (strcmp(b, "network.jsonl") == 0)
		return R_NETWORK;
	if (strcmp(b, "system.jsonl") == 0)
		return R_SYSTEM;
	if (strcmp(b, "findings.jsonl") == 0)
		return R_FINDING;
	return R_AUTO;
}

int
sp_collection_parse(struct sp_collection *c, struct sp_artifact_ctx *ctx,
    FILE *in, struct sp_err *err)
{
	struct pstate ps;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.c = c;
	ps.ctx = ctx;
	ps.kind = kind_of(ctx->origin);
	ps.at = c != NULL && c->started != SP_TIME_NONE ? c->started :
	    ctx->origin_mtime;
	ps.boot_id = c != NULL && c->boot_id[0] ? c->boot_id : NULL;
	rc = sp_artifact_lines(ctx, in, LINE_MAX_BYTES, SP_LINES_SKIP_EMPTY,
	    on_line, &ps, err);
	if (rc == SP_E_NOMEM)
		sp_err_set(err, rc, ENOMEM, "collection");
	sp_extra_release(&ps.x);
	return rc;
}

/*
 * The registry's parser: one volatile file on its own, its kind from its
 * name or, for another name, from each line; a socket's time is the
 * file's modification time, since no header says when it was collected.
 */
int
sp_parse_collection(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	struct sp_collection c;
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	c.rootfd = -1;
	c.started = SP_TIME_NONE;
	rc = sp_collection_parse(&c, ctx, in, err);
	for (i = 0; i < c.nprocs; i++)
		free(c.procs[i].exe);
	free(c.procs);
	return rc;
}

/* ---- the manifest ---- */

static int
path_ok(const char *p)
{
	const char *s = p, *e;

	if (*p == '\0' || *p == '/' || strlen(p) >= PATH_BYTES)
		return 0;
	for (;;) {
		e = strchr(s, '/');
		if (e == NULL)
			e = s + strlen(s);
		if (e == s || (e - s == 1 && s[0] == '.') ||
		    (e - s == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		if (*e == '\0')
			return 1;
		s = e + 1;
	}
}

static int
hex64_ok(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

static char *
dup_or_null(const char *s, int *nomem)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*nomem = 1;
	return d;
}

static int
add_item(struct sp_collection *c, struct rec *r, struct sp_run *run,
    int64_t line)
{
	const char *path = rec_str(r, K_PATH), *type = rec_str(r, K_TYPE),
	    *sha = rec_str(r, K_SHA256), *src = rec_str(r, K_SOURCE);
	struct item *it, *n;
	int64_t size = -1;
	int nomem = 0;
	size_t cap;

	if (path == NULL || !path_ok(path)) {
		sp_run_problem(run, "manifest.jsonl", SP_E_DATA, "line %" PRId64
		    ": %s", line, path == NULL ? "item without a path" :
		    "item path not inside the collection");
		return 0;
	}
	if (sha != NULL && !hex64_ok(sha)) {
		sp_run_problem(run, "manifest.jsonl", SP_E_DATA, "line %" PRId64
		    ": item '%s': bad sha256", line, path);
		sha = NULL;
	}
	if (present(r, K_SIZE) && (!rec_int(r, K_SIZE, &size) || size < 0)) {
		sp_run_problem(run, "manifest.jsonl", SP_E_DATA, "line %" PRId64
		    ": item '%s': bad size", line, path);
		size = -1;
	}
	if (c->nitems == ITEMS_MAX) {
		sp_run_problem(run, "manifest.jsonl", SP_E_DATA, "line %" PRId64
		    ": more than %d items; the rest are not read", line,
		    ITEMS_MAX);
		return 1;
	}
	if (c->nitems == c->citems) {
		cap = c->citems ? c->citems * 2 : 64;
		if ((n = realloc(c->items, cap * sizeof(*n))) == NULL)
			return -1;
		c->items = n;
		c->citems = cap;
	}
	it = &c->items[c->nitems];
	memset(it, 0, sizeof(*it));
	it->path = dup_or_null(path, &nomem);
	it->type = dup_or_null(type ? type : "", &nomem);
	it->sha256 = dup_or_null(sha, &nomem);
	it->source = dup_or_null(src, &nomem);
	if (nomem) {
		free(it->path);
		free(it->type);
		free(it->sha256);
		free(it->source);
		return -1;
	}
	c->nitems++;
	it->pub.size = size;
	it->pub.mtime = rec_time(r, K_MTIME_NS);
	it->pub.truncated = rec_bool(r, K_TRUNCATED);
	it->pub.changed = rec_bool(r, K_CHANGED);
	return 0;
}

static void
set_field(char *dst, size_t size, const char *s)
{
	size_t i;

	snprintf(dst, size, "%s", s ? s : "");
	/* a label, not a place for terminal controls */
	for (i = 0; dst[i] != '\0'; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = '?';
}

static int
read_manifest(struct sp_collection *c, FILE *f, struct sp_run *run,
    struct sp_err *err)
{
	struct sp_line l;
	struct rec r;
	const char *kind, *status;
	int got, too_long, header = 0, end = 0, rc = SP_OK, bad;

	memset(&l, 0, sizeof(l));
	while ((got = sp_line_read(&l, f, LINE_MAX_BYTES, &too_long)) == 1) {
		if (too_long || memchr(l.p, '\0', l.len) != NULL ||
		    rec_read(&r, l.p, l.len) != 0) {
			if (l.number == 1) {
				rc = sp_err_set(err, SP_E_FORMAT, 0,
				    "manifest.jsonl: the first line is not a "
				    "collection header");
				break;
			}
			if (too_long || l.len > 0)
				sp_run_problem(run, "manifest.jsonl", SP_E_DATA,
				    "line %lld: %s", (long long)l.number,
				    too_long ? "line too long" :
				    "not a JSON object");
			continue;
		}
		kind = rec_str(&r, K_KIND);
		if (l.number == 1) {
			if (kind == NULL || strcmp(kind, "collection") != 0) {
				rec_release(&r);
				rc = sp_err_set(err, SP_E_FORMAT, 0,
				    "manifest.jsonl: the first line is not a "
				    "collection header");
				break;
			}
			header = 1;
			set_field(c->host, sizeof(c->host), rec_str(&r, K_HOST));
			set_field(c->boot_id, sizeof(c->boot_id),
			    rec_str(&r, K_BOOT_ID));
			set_field(c->machine, sizeof(c->machine),
			    rec_str(&r, K_MACHINE));
			c->started = rec_time(&r, K_STARTED_NS);
			if (c->started == SP_TIME_NONE)
				sp_run_problem(run, "manifest.jsonl", SP_E_DATA,
				    "line 1: no started_ns; volatile state "
				    "has no time");
		} else if (kind != NULL && strcmp(kind, "item") == 0) {
			if ((bad = add_item(c, &r, run, l.number)) < 0) {
				rec_release(&r);
				rc = sp_err_set(err, SP_E_NOMEM, ENOMEM,
				    "manifest");
				break;
			}
		} else if (kind != NULL && strcmp(kind, "end") == 0) {
			end = 1;
			status = rec_str(&r, K_STATUS);
			if (status == NULL || strcmp(status, "complete") != 0)
				sp_run_problem(run, "manifest.jsonl", SP_E_DATA,
				    "the collector marked the collection %s "
				    "(see collection.log)", status ? status :
				    "incomplete");
		} else
			sp_run_problem(run, "manifest.jsonl", SP_E_DATA,
			    "line %lld: unknown kind", (long long)l.number);
		rec_release(&r);
	}
	if (rc == SP_OK && got < 0)
		rc = sp_line_error(got, err);
	if (rc == SP_OK && !header)
		rc = sp_err_set(err, SP_E_FORMAT, 0, "manifest.jsonl is empty");
	if (rc == SP_OK && !end)
		sp_run_problem(run, "manifest.jsonl", SP_E_DATA, "no end line: "
		    "the collection was cut short");
	sp_line_release(&l);
	return rc;
}

/*
 * The manifest as read: every byte the parser's stream takes from fd is
 * hashed and counted, so the collection's identity is the file's own
 * SHA-256 and size (sha256sum's), whatever its line endings, a last line
 * without a newline or a line too long to parse.
 */
struct tap {
	int fd;
	struct sp_hash *h;
	uint64_t n;
};

static ssize_t
tap_read(void *cookie, char *buf, size_t size)
{
	struct tap *t = cookie;
	ssize_t n;

	do
		n = read(t->fd, buf, size);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		sp_hash_update(t->h, buf, (size_t)n);
		t->n += (uint64_t)n;
	}
	return n;
}

static int
tap_close(void *cookie)
{
	return close(((struct tap *)cookie)->fd);
}

static const struct sp_collection *sort_c;

static int
by_path_cmp(const void *a, const void *b)
{
	return strcmp(sort_c->items[*(const size_t *)a].path,
	    sort_c->items[*(const size_t *)b].path);
}

/* ---- opening ---- */

int
sp_collection_open_file(const struct sp_collection *c, const char *rel,
    int *fd, struct sp_err *err)
{
	char buf[PATH_BYTES], *s, *e;
	int dfd, nfd;

	*fd = -1;
	if (!path_ok(rel))
		return sp_err_set(err, SP_E_DATA, 0, "'%s': not a path inside "
		    "the collection", rel);
	snprintf(buf, sizeof(buf), "%s", rel);
	dfd = c->rootfd;
	for (s = buf; (e = strchr(s, '/')) != NULL; s = e + 1) {
		*e = '\0';
		nfd = openat(dfd, s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (dfd != c->rootfd)
			close(dfd);
		if (nfd < 0)
			return sp_err_set(err, sp_errno_code(errno), errno,
			    "'%s'", rel);
		dfd = nfd;
	}
	nfd = openat(dfd, s, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (dfd != c->rootfd)
		close(dfd);
	if (nfd < 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
		    rel);
	*fd = nfd;
	return SP_OK;
}

/* Whether the ustar header at h names manifest.jsonl. */
static int
tar_manifest(const unsigned char *h)
{
	return memcmp(h + 257, "ustar", 5) == 0 &&
	    (strncmp((const char *)h, "manifest.jsonl", 100) == 0 ||
	    strncmp((const char *)h, "./manifest.jsonl", 100) == 0);
}

enum sp_collection_sniff
sp_collection_sniff(const char *path)
{
	unsigned char h[512];
	char line[256];
	struct stat st;
	ssize_t n;
	int dfd, fd;

	if (stat(path, &st) != 0)
		return SP_COLLECTION_NONE;
	if (S_ISREG(st.st_mode)) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
			return SP_COLLECTION_NONE;
		n = read(fd, h, sizeof(h));
		close(fd);
		return n == (ssize_t)sizeof(h) && tar_manifest(h) ?
		    SP_COLLECTION_TAR : SP_COLLECTION_NONE;
	}
	if (!S_ISDIR(st.st_mode))
		return SP_COLLECTION_NONE;
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return SP_COLLECTION_NONE;
	fd = openat(dfd, "manifest.jsonl", O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK);
	close(dfd);
	if (fd < 0)
		return SP_COLLECTION_NONE;
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n <= 0)
		return SP_COLLECTION_NONE;
	line[n] = '\0';
	/* the header's kind, however its members are spaced */
	return line[0] == '{' && strstr(line, "\"collection\"") != NULL &&
	    strstr(line, "\"kind\"") != NULL ? SP_COLLECTION_DIR :
	    SP_COLLECTION_NONE;
}

int
sp_collection_open(struct sp_collection **cp, const char *path,
    struct sp_run *run, struct sp_err *err)
{
	static const cookie_io_functions_t tap_io = { tap_read, NULL, NULL,
	    tap_close };
	struct sp_collection *c;
	struct tap tap;
	struct stat st;
	FILE *f;
	int fd, rc;

	*cp = NULL;
	if (sp_collection_sniff(path) == SP_COLLECTION_TAR)
		return sp_err_set(err, SP_E_FORMAT, 0, "a collection as a tar "
		    "stream: extract it first (tar -xf) and give the "
		    "directory");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, ENOMEM, "collection");
	c->started = SP_TIME_NONE;
	if ((c->path = strdup(path)) == NULL) {
		free(c);
		return sp_err_set(err, SP_E_NOMEM, ENOMEM, "collection");
	}
	if ((c->rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = sp_err_set(err, errno == ENOTDIR ? SP_E_FORMAT :
		    sp_errno_code(errno), errno, "%s", errno == ENOTDIR ?
		    "not a collection directory" : "");
		goto fail;
	}
	if ((fd = openat(c->rootfd, "manifest.jsonl", O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC | O_NONBLOCK)) < 0) {
		rc = sp_err_set(err, errno == ENOENT ? SP_E_FORMAT :
		    sp_errno_code(errno), errno, "manifest.jsonl");
		goto fail;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		rc = sp_err_set(err, SP_E_FORMAT, 0, "manifest.jsonl: not a "
		    "regular file");
		goto fail;
	}
	tap.fd = fd;
	tap.n = 0;
	if ((rc = sp_hash_new(&tap.h, SP_HASH_SHA256, err)) != SP_OK) {
		close(fd);
		goto fail;
	}
	if ((f = fopencookie(&tap, "r", tap_io)) == NULL) {
		close(fd);
		sp_hash_free(tap.h);
		rc = sp_err_set(err, SP_E_NOMEM, errno, "manifest.jsonl");
		goto fail;
	}
	rc = read_manifest(c, f, run, err);
	fclose(f);
	if (rc == SP_OK && (rc = sp_hash_final(tap.h, err)) == SP_OK) {
		snprintf(c->manifest_sha256, sizeof(c->manifest_sha256), "%s",
		    sp_hash_hex(tap.h, SP_HASH_SHA256));
		c->manifest_size = tap.n;
	}
	sp_hash_free(tap.h);
	if (rc != SP_OK)
		goto fail;
	if (c->nitems > 0) {
		size_t i;
		if ((c->by_path = calloc(c->nitems, sizeof(size_t))) == NULL) {
			rc = sp_err_set(err, SP_E_NOMEM, ENOMEM, "collection");
			goto fail;
		}
		for (i = 0; i < c->nitems; i++) {
			c->by_path[i] = i;
			c->items[i].pub.path = c->items[i].path;
			c->items[i].pub.type = c->items[i].type;
			c->items[i].pub.sha256 = c->items[i].sha256;
			c->items[i].pub.source = c->items[i].source;
		}
		sort_c = c;
		qsort(c->by_path, c->nitems, sizeof(size_t), by_path_cmp);
		sort_c = NULL;
	}
	*cp = c;
	return SP_OK;
fail:
	sp_collection_close(c);
	return rc;
}

void
sp_collection_close(struct sp_collection *c)
{
	size_t i;

	if (c == NULL)
		return;
	if (c->rootfd >= 0)
		close(c->rootfd);
	for (i = 0; i < c->nitems; i++) {
		free(c->items[i].path);
		free(c->items[i].type);
		free(c->items[i].sha256);
		free(c->items[i].source);
	}
	for (i = 0; i < c->nprocs; i++)
		free(c->procs[i].exe);
	free(c->procs);
	free(c->items);
	free(c->by_path);
	free(c->path);
	free(c);
}

const char *
sp_collection_path(const struct sp_collection *c)
{
	return c->path;
}

const char *
sp_collection_host(const struct sp_collection *c)
{
	return c->host;
}

const char *
sp_collection_boot_id(const struct sp_collection *c)
{
	return c->boot_id;
}

sp_time_ns
sp_collection_started(const struct sp_collection *c)
{
	return c->started;
}

const char *
sp_collection_manifest_sha256(const struct sp_collection *c)
{
	return c->manifest_sha256;
}

uint64_t
sp_collection_manifest_size(const struct sp_collection *c)
{
	return c->manifest_size;
}

size_t
sp_collection_item_count(const struct sp_collection *c)
{
	return c->nitems;
}

const struct sp_collection_item *
sp_collection_item(const struct sp_collection *c, size_t i)
{
	return i < c->nitems ? &c->items[i].pub : NULL;
}

const struct sp_collection_item *
sp_collection_find(const struct sp_collection *c, const char *path)
{
	size_t lo = 0, hi = c->nitems, mid;
	int d;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		d = strcmp(path, c->items[c->by_path[mid]].path);
		if (d == 0)
			return &c->items[c->by_path[mid]].pub;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void
sp_collection_set_finding_fn(struct sp_collection *c,
    sp_collection_finding_fn *fn, void *arg)
{
	c->finding = fn;
	c->finding_arg = arg;
}

int
sp_collection_verify(struct sp_collection *c, struct sp_run *run,
    const struct sp_cancel *cancel, size_t *bad, struct sp_err *err)
{
	struct sp_hash *h = NULL;
	struct sp_err oerr;
	struct stat st;
	unsigned char *buf;
	uint64_t total;
	ssize_t n;
	size_t i, nbad = 0;
	int fd, rc = SP_OK;

	if (bad != NULL)
		*bad = 0;
	if ((buf = malloc(1 << 20)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, ENOMEM, "verify");
	for (i = 0; i < c->nitems && rc == SP_OK; i++) {
		const struct sp_collection_item *it = &c->items[i].pub;

		if (sp_cancel_requested(cancel)) {
			rc = sp_err_set(err, SP_E_INTERRUPTED, 0, "verify");
			break;
		}
		sp_err_init(&oerr);
		if (sp_collection_open_file(c, it->path, &fd, &oerr) != SP_OK) {
			sp_run_problem(run, it->path, oerr.code, "item of the "
			    "manifest: %s", oerr.sys_errno ?
			    strerror(oerr.sys_errno) : oerr.msg);
			nbad++;
			continue;
		}
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			sp_run_problem(run, it->path, SP_E_DATA, "item of the "
			    "manifest is not a regular file");
			nbad++;
			continue;
		}
		if ((rc = sp_hash_new(&h, SP_HASH_SHA256, err)) != SP_OK) {
			close(fd);
			break;
		}
		total = 0;
		while ((n = read(fd, buf, 1 << 20)) > 0) {
			sp_hash_update(h, buf, (size_t)n);
			total += (uint64_t)n;
		}
		close(fd);
		if (n < 0) {
			sp_run_problem(run, it->path, SP_E_IO, "read: %s",
			    strerror(errno));
			nbad++;
		} else if ((rc = sp_hash_final(h, err)) == SP_OK) {
			if (it->size >= 0 && (uint64_t)it->size != total) {
				sp_run_problem(run, it->path, SP_E_CORRUPT,
				    "size %" PRIu64 " differs from the "
				    "manifest's %" PRId64, total, it->size);
				nbad++;
			} else if (it->sha256 != NULL && strcmp(it->sha256,
			    sp_hash_hex(h, SP_HASH_SHA256)) != 0) {
				sp_run_problem(run, it->path, SP_E_CORRUPT,
				    "sha256 mismatch: the manifest says %s, "
				    "the file is %s", it->sha256,
				    sp_hash_hex(h, SP_HASH_SHA256));
				nbad++;
			} else if (it->sha256 == NULL) {
				sp_run_problem(run, it->path, SP_E_DATA,
				    "the manifest gives no sha256");
				nbad++;
			}
		}
		sp_hash_free(h);
		h = NULL;
	}
	free(buf);
	if (bad != NULL)
		*bad = nbad;
	return rc;
}
