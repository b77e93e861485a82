/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The build of the causal graph: one pass over the case's typed events in
 * time order makes processes (one node per executed image, identified by
 * host, pid and start), sessions (logins, sudo and su) and objects (files,
 * endpoints, web requests, cron entries, units) with the edges the events
 * prove; a pass over the files adds what file times and owners suggest;
 * joins then add what Linux hides (pty monitors without an exec record,
 * services and cron jobs whose parent is pid 1 or cron, requests served
 * by a web server's workers, logins through an added key).  Every edge
 * that is inferred rather than recorded says so in its reason and has a
 * confidence below 1.  Then the graph is written to the case.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sys/mman.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spoor/graph.h"
#include "spoor/query.h"
#include "spoor/rca.h"
#include "spoor/strbuf.h"
#include "rca/rca-internal.h"

#define NONE SP_GRAPH_NONE
#define SEC 1000000000LL
#define MAX_NODE_EVENTS 2
#define AUDIT_UNSET 4294967295LL

struct bnode {
	char kind;
	const char *type;		/* static */
	char *host;
	sp_time_ns start, end;
	int64_t pid, ppid, uid, euid, auid, ses, port, file_id, inode;
	char *exe, *argv, *cwd, *tty, *comm, *user, *address, *method,
	    *name, *path, *detail, *sha256;
	unsigned inferred:1, has_exec:1, web:1, uploaded:1, written:1, ran:1;
	int64_t parent;			/* process: node of the parent */
	sp_time_ns seen;		/* process: last sign of life */
	sp_time_ns mtime;		/* file: last change known */
	int64_t last_edge;		/* process: its last edge out, + 1 */
	int64_t ev[MAX_NODE_EVENTS];
	unsigned nev;
};

struct bedge {
	int64_t src, dst;
	const char *kind;		/* static */
	sp_time_ns t;
	double conf;
	char *reason;
	int64_t ev[2];			/* the first and the last event */
	sp_time_ns t_last;
	uint32_t count;			/* records merged into this edge */
	int64_t prev;			/* the source's edge before, + 1 */
};

struct request {
	sp_time_ns t;
	int64_t event;
	char *client, *method, *path, *ua;
	int64_t status;
	int64_t node;			/* -1 until needed */
};

struct hist {
	sp_time_ns t;
	int64_t event;
	char *user, *command, *time_source, *host;
	int64_t origin;			/* origin file id: one history file */
};

struct b {
	struct sp_run *run;
	struct bnode *n;
	size_t nn, cn;
	struct bedge *e;
	size_t ne, ce;
	struct rmap map;
	struct request *rq;
	size_t nrq, crq;
	struct hist *hs;
	size_t nhs, chs;
	struct rmap failed;		/* address -> failed logins */
	uint64_t nevents, inferred;
	uint64_t by_art[8];		/* audit auth wtmp web persistence
					 * history cron journal */
	const char *only_host;		/* the case's one host, if one */
	int have_audit, saw_web_server;
	sp_time_ns wrap_t;		/* when pids last wrapped */
	int64_t last_pid;
	struct rmap istr;		/* interned strings */
	int64_t *priv;			/* processes of sudo, su ... in order */
	size_t npriv, cpriv;
	int nomem;
};

enum { A_AUDIT, A_AUTH, A_WTMP, A_WEB, A_PERSIST, A_HIST, A_CRON, A_JOURNAL };

/* ---- nodes, edges, keys ---- */

/*
 * The node and edge arrays: hundreds of megabytes touched once each, so
 * mapped with transparent huge pages where the kernel offers them (a
 * page fault per 2 MiB rather than per 4 KiB) and grown with mremap.
 */
static void *
big_grow(void *old, size_t old_bytes, size_t bytes)
{
	void *p;

	if (old == NULL) {
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else {
		p = mremap(old, old_bytes, bytes, MREMAP_MAYMOVE);
	}
	if (p == MAP_FAILED)
		return NULL;
	(void)madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

static void
big_free(void *p, size_t bytes)
{
	if (p != NULL)
		munmap(p, bytes);
}

static char *
dup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/*
 * One copy of a string that many nodes share (host, program, directory,
 * terminal, user), kept until the build ends; never freed alone.
 */
static char *
intern(struct b *b, const char *s)
{
	const char *k;

	if (s == NULL)
		return NULL;
	if ((k = rmap_intern(&b->istr, s, strlen(s))) == NULL)
		b->nomem = 1;
	return (char *)k;
}

static int64_t
node_new(struct b *b, char kind, const char *type, const char *host,
    sp_time_ns t)
{
	struct bnode *n;

	if (b->nn == b->cn) {
		size_t nc = b->cn ? b->cn * 2 : 4096;
		struct bnode *nn = big_grow(b->n, b->cn * sizeof(*nn),
		    nc * sizeof(*nn));
		if (nn == NULL) {
			b->nomem = 1;
			return -1;
		}
		b->n = nn;
		b->cn = nc;
	}
	n = &b->n[b->nn];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->type = type;
	n->host = intern(b, host);
	n->start = t;
	n->end = NONE;
	n->pid = n->ppid = n->uid = n->euid = n->auid = n->ses = NONE;
	n->port = n->file_id = n->inode = NONE;
	n->parent = -1;
	return (int64_t)b->nn++;
}

static void
node_event(struct b *b, int64_t i, int64_t ev)
{
	struct bnode *n;

	if (i < 0 || ev <= 0)
		return;
	n = &b->n[i];
	if (n->nev > 0 && n->ev[n->nev - 1] == ev)
		return;
	if (n->nev < MAX_NODE_EVENTS)
		n->ev[n->nev++] = ev;
}

static void
edge_add(struct b *b, int64_t src, int64_t dst, const char *kind,
    sp_time_ns t, double conf, char *reason, int64_t ev)
{
	struct bedge *e;

	if (src < 0 || dst < 0 || src == dst) {
		free(reason);
		return;
	}
	if (b->ne == b->ce) {
		size_t nc = b->ce ? b->ce * 2 : 8192;
		struct bedge *ne = big_grow(b->e, b->ce * sizeof(*ne),
		    nc * sizeof(*ne));
		if (ne == NULL) {
			free(reason);
			b->nomem = 1;
			return;
		}
		b->e = ne;
		b->ce = nc;
	}
	e = &b->e[b->ne++];
	e->src = src;
	e->dst = dst;
	e->kind = kind;
	e->t = t;
	e->conf = conf;
	e->reason = reason;
	e->ev[0] = ev;
	e->ev[1] = 0;
	e->t_last = t;
	e->count = 1;
	e->prev = 0;
	if (b->n[src].kind == SP_GNODE_PROCESS) {
		e->prev = b->n[src].last_edge;
		b->n[src].last_edge = (int64_t)b->ne;
	}
	if (conf < 1.0)
		b->inferred++;
	if (strcmp(kind, "wrote") == 0 || strcmp(kind, "uploaded") == 0 ||
	    strcmp(kind, "renamed") == 0)
		b->n[dst].written = 1;
	if (b->n[src].kind == SP_GNODE_SESSION &&
	    b->n[dst].kind == SP_GNODE_PROCESS && b->n[dst].has_exec)
		b->n[src].ran = 1;
}

static size_t key(char *buf, size_t cap, char tag, const char *host,
    const char *a, int64_t num);

/*
 * The same recorded action again (a process connecting to the same
 * endpoint, writing the same file): one edge with its first and last
 * time and a count, so beacons do not make thousands of edges.
 */
static int
edge_again(struct b *b, int64_t src, int64_t dst, const char *kind,
    sp_time_ns t, int64_t ev)
{
	int64_t last = b->n[src].last_edge;
	struct bedge *e;
	int look;

	/* among the source's last few edges */
	for (look = 0; look < 8 && last > 0 && (size_t)last <= b->ne;
	    look++, last = e->prev) {
		e = &b->e[last - 1];
		if (e->src != src)
			return 0;
		if (e->dst != dst || e->kind != kind)
			continue;
		if (t > e->t_last)
			e->t_last = t;
		e->ev[1] = ev;
		e->count++;
		return 1;
	}
	return 0;
}


/* A key "tag\x1fhost\x1fa\x1fnum" in buf (cap >= 64), cut to fit. */
static size_t
key(char *buf, size_t cap, char tag, const char *host, const char *a,
    int64_t num)
{
	size_t n = 0, l;
	char digits[24];
	int d = 0, neg = num < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)num : (uint64_t)num;

	buf[n++] = tag;
	buf[n++] = '\x1f';
	if (host != NULL) {
		l = strlen(host);
		if (l > cap / 4)
			l = cap / 4;
		memcpy(buf + n, host, l);
		n += l;
	}
	buf[n++] = '\x1f';
	if (a != NULL) {
		l = strlen(a);
		if (l > cap - n - 32)
			l = cap - n - 32;
		memcpy(buf + n, a, l);
		n += l;
	}
	buf[n++] = '\x1f';
	do {
		digits[d++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (neg)
		buf[n++] = '-';
	while (d > 0)
		buf[n++] = digits[--d];
	buf[n] = '\0';
	return n;
}

static int64_t
map_get(struct b *b, char tag, const char *host, const char *a, int64_t num)
{
	char k[4352];
	size_t n = key(k, sizeof(k), tag, host, a, num);
	int64_t v;

	return rmap_get(&b->map, k, n, &v) ? v : -1;
}

static void
map_put(struct b *b, char tag, const char *host, const char *a, int64_t num,
    int64_t v)
{
	char k[4352];
	size_t n = key(k, sizeof(k), tag, host, a, num);

	if (rmap_put(&b->map, k, n, v) != 0)
		b->nomem = 1;
}

/* The host of an event: its own, else the case's one host. */
static const char *
host_of(struct b *b, const char *h)
{
	return h != NULL && *h != '\0' ? h : b->only_host;
}

/* path made absolute against cwd; a new string. */
static char *
abs_path(const char *path, const char *cwd)
{
	struct sp_strbuf sb;

	if (path == NULL || *path == '\0')
		return NULL;
	if (path[0] == '/' || cwd == NULL || cwd[0] != '/')
		return strdup(path);
	sp_strbuf_init(&sb);
	sp_strbuf_add(&sb, cwd);
	if (sb.len == 0 || sb.buf[sb.len - 1] != '/')
		sp_strbuf_add(&sb, "/");
	if (strncmp(path, "./", 2) == 0)
		path += 2;
	sp_strbuf_add(&sb, path);
	return sp_strbuf_detach(&sb, NULL);
}

static int64_t
file_node(struct b *b, const char *host, const char *path, sp_time_ns t)
{
	int64_t i;

	if (path == NULL || *path == '\0')
		return -1;
	if ((i = map_get(b, 'F', host, path, 0)) >= 0)
		return i;
	if ((i = node_new(b, SP_GNODE_OBJECT, "file", host, t)) < 0)
		return -1;
	b->n[i].path = strdup(path);
	b->n[i].name = strdup(rca_base(path));
	map_put(b, 'F', host, path, 0, i);
	/* files by base name, for requests that name them */
	map_put(b, 'B', NULL, rca_base(path), 0, i);
	return i;
}

static int64_t
endpoint_node(struct b *b, const char *address, int64_t port, sp_time_ns t)
{
	int64_t i;

	if (address == NULL || *address == '\0' || strcmp(address, "?") == 0)
		return -1;
	if ((i = map_get(b, 'E', NULL, address, port)) >= 0)
		return i;
	if ((i = node_new(b, SP_GNODE_OBJECT, "endpoint", NULL, t)) < 0)
		return -1;
	b->n[i].address = strdup(address);
	b->n[i].port = port < 0 ? NONE : port;
	map_put(b, 'E', NULL, address, port, i);
	return i;
}

/* ---- processes ---- */

/*
 * The process of pid alive now on host (its latest image), or -1.  A
 * process not heard of since the pids last wrapped has ended: its pid
 * may belong to another process now.
 */
static int64_t
proc_at(struct b *b, const char *host, int64_t pid)
{
	int64_t i;

	if (pid == NONE || pid < 0)
		return -1;
	i = map_get(b, 'P', host, NULL, pid);
	if (i >= 0 && b->wrap_t != 0 && b->n[i].seen < b->wrap_t &&
	    pid > 2)
		return -1;
	return i;
}

/* A process known from an event that is not its exec: a placeholder. */
static int64_t
proc_seen(struct b *b, const char *host, int64_t pid, int64_t ppid,
    const char *exe, sp_time_ns t, int64_t uid)
{
	int64_t i = proc_at(b, host, pid);
	struct bnode *n;

	if (i >= 0) {
		n = &b->n[i];
		if (t > n->seen)
			n->seen = t;
		if (n->exe == NULL && exe != NULL)
			n->exe = intern(b, exe);
		if (n->ppid == NONE && ppid != NONE)
			n->ppid = ppid;
		if (n->uid == NONE && uid >= 0)
			n->uid = uid;
		return i;
	}
	if (pid == NONE || pid < 0)
		return -1;
	if ((i = node_new(b, SP_GNODE_PROCESS, "process", host, t)) < 0)
		return -1;
	n = &b->n[i];
	n->pid = pid;
	n->ppid = ppid;
	n->exe = intern(b, exe);
	n->uid = uid >= 0 ? uid : NONE;
	n->inferred = 1;
	n->seen = t;
	if (exe != NULL && rca_is_web_server(exe))
		b->saw_web_server = 1;
	map_put(b, 'P', host, NULL, pid, i);
	return i;
}

static int64_t
aud(int64_t v)
{
	return v == AUDIT_UNSET || v < 0 ? NONE : v;
}

static void argv_deletes(struct b *b, int64_t p, const char *host,
    const char *argv, const char *cwd, sp_time_ns t, int64_t ev);

static void
on_exec(struct b *b, const struct sp_event_row *r, const char *host,
    const struct rca_fields *f)
{
	int64_t old, i, par;
	struct bnode *n;


	/* pids count up and wrap around */
	if (r->pid != SP_QUERY_NULL) {
		if (b->last_pid > 0 && r->pid + 10000 < b->last_pid)
			b->wrap_t = r->time_ns;
		b->last_pid = r->pid;
	}
	old = proc_at(b, host, r->pid);

	if ((i = node_new(b, SP_GNODE_PROCESS, "process", host,
	    r->time_ns)) < 0)
		return;
	n = &b->n[i];
	n->pid = r->pid;
	n->ppid = r->ppid;
	n->exe = intern(b, r->exe);
	n->argv = intern(b, f->argv);
	n->cwd = intern(b, r->cwd != NULL ? r->cwd : f->cwd);
	n->tty = intern(b, r->tty != NULL ? r->tty : f->tty);
	n->comm = intern(b, f->comm);
	n->user = intern(b, r->user);
	n->uid = f->uid >= 0 ? f->uid : NONE;
	n->euid = f->euid >= 0 ? f->euid : NONE;
	n->auid = r->auid != SP_QUERY_NULL ? aud(r->auid) : NONE;
	n->ses = r->session != SP_QUERY_NULL ? aud(r->session) : NONE;
	n->has_exec = 1;
	n->seen = r->time_ns;
	if (rca_is_web_server(r->exe))
		b->saw_web_server = 1;
	node_event(b, i, r->id);
	map_put(b, 'P', host, NULL, r->pid, i);
	if (rca_is_priv_changer(r->exe)) {
		if (b->npriv == b->cpriv) {
			size_t nc = b->cpriv ? b->cpriv * 2 : 64;
			int64_t *np = realloc(b->priv, nc * sizeof(*np));
			if (np == NULL) {
				b->nomem = 1;
				return;
			}
			b->priv = np;
			b->cpriv = nc;
		}
		b->priv[b->npriv++] = i;
	}

	/* the same process replacing its image keeps its parent */
	if (old >= 0 && b->n[old].ppid == r->ppid && r->ppid != NONE) {
		b->n[i].parent = old;
		edge_add(b, old, i, "executed", r->time_ns, 1.0, NULL, r->id);
	} else if ((par = proc_seen(b, host, r->ppid, NONE, NULL,
	    r->time_ns, -1)) >= 0) {
		b->n[i].parent = par;
		edge_add(b, par, i, "spawned", r->time_ns, 1.0, NULL, r->id);
	}
	/* a deletion program names its victims; audit rarely watches them */
	if (r->exe != NULL && f->argv != NULL &&
	    (strcmp(rca_base(r->exe), "rm") == 0 ||
	    strcmp(rca_base(r->exe), "shred") == 0 ||
	    strcmp(rca_base(r->exe), "unlink") == 0))
		argv_deletes(b, i, host, f->argv, n->cwd, r->time_ns, r->id);
	/* the program file: a cause only when something here wrote it
	 * before (what is written later cannot have caused this run) */
	if (r->exe != NULL) {
		int64_t fn = map_get(b, 'F', host, r->exe, 0);
		if (fn >= 0 && b->n[fn].written)
			edge_add(b, fn, i, "executed", r->time_ns, 1.0, NULL,
			    r->id);
	}
}

struct del_ctx {
	struct b *b;
	int64_t p;
	const char *host, *cwd;
	sp_time_ns t;
	int64_t ev;
	int first;
};

static int
del_arg(const struct sp_json_val *v, void *arg)
{
	struct del_ctx *d = arg;
	char *s = sp_json_string(v), *path;

	if (s == NULL)
		return 0;
	if (d->first) {
		d->first = 0;
	} else if (s[0] != '-' && (path = abs_path(s, d->cwd)) != NULL) {
		edge_add(d->b, d->p, file_node(d->b, d->host, path, d->t),
		    "deleted", d->t, 0.8, rca_fmt("%s named %s in its arguments "
		    "(no unlink record)", rca_base(d->b->n[d->p].exe), path),
		    d->ev);
		free(path);
	}
	free(s);
	return 0;
}

/* What rm, shred or unlink was told to delete. */
static void
argv_deletes(struct b *b, int64_t p, const char *host, const char *argv,
    const char *cwd, sp_time_ns t, int64_t ev)
{
	struct del_ctx d = { b, p, host, cwd, t, ev, 1 };
	struct sp_json_val v;

	v.type = SP_JSON_ARRAY;
	v.p = argv;
	v.len = strlen(argv);
	(void)sp_json_elements(&v, del_arg, &d);
}

static void failed_login(struct b *b, char tag, const char *addr);

static const char *
file_action(const char *desc, const char *syscall)
{
	if (strcmp(desc, "write") == 0)
		return "wrote";
	if (strcmp(desc, "unlink") == 0)
		return "deleted";
	if (strcmp(desc, "rename") == 0)
		return "renamed";
	if (strcmp(desc, "open") == 0)
		return "read";
	if (syscall != NULL && (strstr(syscall, "chmod") != NULL ||
	    strstr(syscall, "chown") != NULL || strstr(syscall, "utime") !=
	    NULL || strstr(syscall, "setxattr") != NULL || strstr(syscall,
	    "truncate") != NULL))
		return "wrote";
	if (syscall != NULL && (strstr(syscall, "unlink") != NULL ||
	    strcmp(syscall, "rmdir") == 0))
		return "deleted";
	if (syscall != NULL && strstr(syscall, "rename") != NULL)
		return "renamed";
	if (syscall != NULL && (strstr(syscall, "mkdir") != NULL ||
	    strstr(syscall, "link") != NULL || strstr(syscall, "mknod") !=
	    NULL))
		return "wrote";
	return NULL;
}

static void
on_audit(struct b *b, const struct sp_event_row *r, const char *host,
    const struct rca_fields *f)
{
	const char *d = r->time_desc;
	const char *act;
	int64_t p, fn, s;

	if (strcmp(d, "exec") == 0) {
		if (f->success != 0)
			on_exec(b, r, host, f);
		return;
	}
	if (strcmp(d, "connect") == 0) {
		/* EINPROGRESS: a non-blocking connect under way */
		if (f->success == 0 && f->exit != -115)
			return;
		if (f->address == NULL || f->address[0] == '/' ||
		    f->address[0] == '@')
			return;
		p = proc_seen(b, host, r->pid, r->ppid, r->exe, r->time_ns,
		    f->uid);
		fn = endpoint_node(b, f->address, f->port, r->time_ns);
		if (p >= 0 && fn >= 0 && edge_again(b, p, fn, "connected",
		    r->time_ns, r->id))
			return;
		node_event(b, fn, r->id);
		edge_add(b, p, fn, "connected", r->time_ns, 1.0,
		    f->success == 0 ? rca_fmt("pid %" PRId64 " connected to %s "
		    "port %" PRId64 " (in progress when recorded)", r->pid,
		    f->address, f->port) : NULL, r->id);
		return;
	}
	if (r->path != NULL && (act = file_action(d, f->syscall)) != NULL) {
		char *path, *old = NULL;

		if (f->success == 0)
			return;
		p = proc_seen(b, host, r->pid, r->ppid, r->exe, r->time_ns,
		    f->uid);
		path = abs_path(r->path, r->cwd != NULL ? r->cwd : f->cwd);
		fn = file_node(b, host, path, r->time_ns);
		node_event(b, fn, r->id);
		if (strcmp(act, "read") == 0) {
			edge_add(b, fn, p, "read", r->time_ns, 1.0, NULL,
			    r->id);
		} else if (p < 0 || fn < 0 || !edge_again(b, p, fn, act,
		    r->time_ns, r->id)) {
			edge_add(b, p, fn, act, r->time_ns, 1.0, NULL, r->id);
		}
		if (strcmp(act, "renamed") == 0 && f->old_path != NULL &&
		    (old = abs_path(f->old_path, r->cwd)) != NULL) {
			int64_t on = file_node(b, host, old, r->time_ns);
			edge_add(b, on, fn, "renamed", r->time_ns, 1.0,
			    rca_fmt("%s renamed to %s", old, path), r->id);
		}
		free(old);
		free(path);
		return;
	}
	if (strcmp(d, "login") == 0 || strcmp(d, "session_open") == 0 ||
	    strcmp(d, "session_close") == 0 || strcmp(d, "logout") == 0) {
		int64_t ses = r->session != SP_QUERY_NULL ? aud(r->session) :
		    NONE;
		const char *addr = f->addr != NULL && strcmp(f->addr, "?") !=
		    0 ? f->addr : NULL;
		if (ses == NONE)
			return;
		/* the sshd that authenticated, known to auth.log by pid */
		s = map_get(b, 'S', host, NULL, ses);
		if (s < 0 && r->pid != SP_QUERY_NULL)
			s = map_get(b, 'L', host, NULL, r->pid);
		if (s < 0) {
			if (strcmp(d, "session_close") == 0 ||
			    strcmp(d, "logout") == 0)
				return;
			/* only logins make sessions; cron's and systemd's
			 * PAM sessions are not logins */
			if (strcmp(d, "login") != 0)
				return;
			if ((s = node_new(b, SP_GNODE_SESSION,
			    addr != NULL ? "ssh" : "console", host,
			    r->time_ns)) < 0)
				return;
			b->n[s].user = intern(b, r->user != NULL ? r->user : f->acct);
			b->n[s].address = dup(addr);
			b->n[s].pid = r->pid != SP_QUERY_NULL ? r->pid : NONE;
			if (addr != NULL) {
				int64_t ep = endpoint_node(b, addr, -1,
				    r->time_ns);
				edge_add(b, ep, s, "logged_in", r->time_ns,
				    1.0, rca_fmt("login of %s from %s (audit "
				    "session %" PRId64 ")", b->n[s].user ?
				    b->n[s].user : "?", addr, ses), r->id);
			}
		}
		b->n[s].ses = ses;
		b->n[s].auid = r->auid != SP_QUERY_NULL ? aud(r->auid) : NONE;
		if (b->n[s].tty == NULL && r->tty != NULL)
			b->n[s].tty = intern(b, r->tty);
		if (strcmp(d, "session_close") == 0 ||
		    strcmp(d, "logout") == 0)
			b->n[s].end = r->time_ns;
		node_event(b, s, r->id);
		map_put(b, 'S', host, NULL, ses, s);
		if (r->pid != SP_QUERY_NULL)
			map_put(b, 'L', host, NULL, r->pid, s);
		if (strcmp(d, "login") == 0 && b->n[s].user != NULL)
			map_put(b, 'W', host, b->n[s].user, 0, s);
		return;
	}
	if (strcmp(d, "login_failed") == 0 && f->addr != NULL &&
	    strcmp(f->addr, "?") != 0)
		failed_login(b, 'a', f->addr);
}

/*
 * A live collection's process table and sockets: each process seen
 * running is an image started at its start time by its parent, as an
 * exec would say, and each outgoing connection an edge to its endpoint.
 */
static void
on_collected(struct b *b, const struct sp_event_row *r, const char *host,
    const struct rca_fields *f)
{
	int64_t p, fn;

	if (strcmp(r->artifact, "process") == 0) {
		if (strcmp(r->time_desc, "start") == 0 && r->pid !=
		    SP_QUERY_NULL && r->exe != NULL)
			on_exec(b, r, host, f);
		return;
	}
	if (strcmp(r->time_desc, "connect") != 0 || f->address == NULL ||
	    r->pid == SP_QUERY_NULL)
		return;
	p = proc_seen(b, host, r->pid, NONE, r->exe, r->time_ns, f->uid);
	fn = endpoint_node(b, f->address, f->port, r->time_ns);
	if (p >= 0 && fn >= 0 && edge_again(b, p, fn, "connected",
	    r->time_ns, r->id))
		return;
	node_event(b, fn, r->id);
	edge_add(b, p, fn, "connected", r->time_ns, 1.0, rca_fmt("pid %"
	    PRId64 " connected to %s port %" PRId64 " (seen established "
	    "when collected)", r->pid, f->address, f->port), r->id);
}

/* ---- logins from auth logs and utmp ---- */

/*
 * Count a failed login from addr as one log saw it (tag): each log
 * counts an attempt its own way (auth.log may have two lines for one,
 * audit several records), so the count said is btmp's (one record an
 * attempt), else the authentication log's, else audit's.
 */
static void
failed_login(struct b *b, char tag, const char *addr)
{
	char k[300];
	int64_t c = 0;
	int n;

	if (addr == NULL || *addr == '\0')
		return;
	n = snprintf(k, sizeof(k), "%c%s", tag, addr);
	if (n < 0 || (size_t)n >= sizeof(k))
		return;
	(void)rmap_get(&b->failed, k, (size_t)n, &c);
	if (rmap_put(&b->failed, k, (size_t)n, c + 1) != 0)
		b->nomem = 1;
}

static int64_t
failed_logins(const struct b *b, const char *addr)
{
	static const char tags[] = "bla";
	char k[300];
	int64_t c;
	int n, i;

	for (i = 0; tags[i] != '\0'; i++) {
		n = snprintf(k, sizeof(k), "%c%s", tags[i], addr);
		if (n < 0 || (size_t)n >= sizeof(k))
			continue;
		if (rmap_get(&b->failed, k, (size_t)n, &c) && c > 0)
			return c;
	}
	return 0;
}

/* A session of user from address around t (within 10 s), or -1. */
static int64_t
session_near(struct b *b, const char *host, const char *user,
    const char *addr, sp_time_ns t)
{
	int64_t s = map_get(b, 'W', host, user, 0);
	struct bnode *n;

	if (s < 0)
		return -1;
	n = &b->n[s];
	if ((addr == NULL) != (n->address == NULL) || (addr != NULL &&
	    strcmp(addr, n->address) != 0))
		return -1;
	if (t - n->start > 10 * SEC || n->start - t > 10 * SEC)
		return -1;
	return s;
}

static int64_t
session_login(struct b *b, const char *host, const char *type,
    const char *user, const char *addr, int64_t port, int64_t pid,
    sp_time_ns t, int64_t ev, const char *how)
{
	int64_t s = -1, ep;

	if (pid != NONE && pid >= 0)
		s = map_get(b, 'L', host, NULL, pid);
	if (s >= 0 && (t - b->n[s].start > 10 * SEC ||
	    b->n[s].start - t > 10 * SEC))
		s = -1;
	if (s < 0)
		s = session_near(b, host, user, addr, t);
	if (s < 0) {
		if ((s = node_new(b, SP_GNODE_SESSION, type, host, t)) < 0)
			return -1;
		b->n[s].user = intern(b, user);
		b->n[s].address = dup(addr);
		b->n[s].pid = pid;
		if (addr != NULL) {
			ep = endpoint_node(b, addr, -1, t);
			edge_add(b, ep, s, "logged_in", t, 1.0,
			    rca_fmt("%s of %s from %s", how, user ? user : "?",
			    addr), ev);
		}
	}
	if (b->n[s].address == NULL && addr != NULL) {
		b->n[s].address = strdup(addr);
		ep = endpoint_node(b, addr, -1, t);
		edge_add(b, ep, s, "logged_in", t, 1.0, rca_fmt("%s of %s from %s",
		    how, user ? user : "?", addr), ev);
	}
	if (b->n[s].port == NONE && port >= 0)
		b->n[s].port = port;
	if (b->n[s].user == NULL && user != NULL)
		b->n[s].user = intern(b, user);
	node_event(b, s, ev);
	if (pid != NONE && pid >= 0)
		map_put(b, 'L', host, NULL, pid, s);
	map_put(b, 'W', host, user, 0, s);
	return s;
}

static void
on_auth(struct b *b, const struct sp_event_row *r, const char *host,
    const struct rca_fields *f)
{
	const char *d = r->time_desc;
	int64_t s, pid = r->pid != SP_QUERY_NULL ? r->pid : NONE;

	if (strcmp(d, "login") == 0) {
		s = session_login(b, host, "ssh", r->user, f->source_ip,
		    f->source_port, pid, r->time_ns, r->id, "login");
		if (s < 0)
			return;
		if (b->n[s].method == NULL && f->method != NULL)
			b->n[s].method = strdup(f->method);
		if (f->fingerprint != NULL && b->n[s].detail == NULL)
			b->n[s].detail = rca_fmt("{\"key_fingerprint\":\"%s\"}",
			    f->fingerprint);
		if (b->n[s].address == NULL)
			b->n[s].type = "console";
		return;
	}
	if (strcmp(d, "login_failed") == 0) {
		failed_login(b, 'l', f->source_ip);
		return;
	}
	if (strcmp(d, "session_open") == 0 && pid != NONE) {
		s = map_get(b, 'L', host, NULL, pid);
		if (s >= 0 && b->n[s].uid == NONE && f->uid >= 0)
			b->n[s].uid = f->uid;
		return;
	}
	if ((strcmp(d, "session_close") == 0 || strcmp(d, "logout") == 0) &&
	    pid != NONE) {
		s = map_get(b, 'L', host, NULL, pid);
		if (s >= 0 && b->n[s].end == NONE)
			b->n[s].end = r->time_ns;
		return;
	}
	if (strcmp(d, "sudo") == 0 || strcmp(d, "su") == 0 ||
	    strcmp(d, "user_change") == 0) {
		int64_t from = -1;
		const char *tty = f->tty != NULL ? f->tty : r->tty;

		if ((s = node_new(b, SP_GNODE_SESSION, strcmp(d, "sudo") == 0 ?
		    "sudo" : "su", host, r->time_ns)) < 0)
			return;
		b->n[s].user = intern(b, f->target_user != NULL ? f->target_user :
		    "root");
		b->n[s].tty = intern(b, tty);
		b->n[s].inferred = 1;
		b->n[s].detail = NULL;
		if (f->command != NULL) {
			struct sp_strbuf sb;
			sp_strbuf_init(&sb);
			sp_strbuf_add(&sb, "{\"by\":");
			sp_strbuf_add(&sb, "\"");
			sp_strbuf_add(&sb, r->user != NULL ? r->user : "?");
			sp_strbuf_add(&sb, "\"}");
			b->n[s].detail = sp_strbuf_detach(&sb, NULL);
			b->n[s].name = strdup(f->command);
		}
		b->n[s].method = dup(r->user);	/* who changed user */
		b->n[s].cwd = intern(b, r->cwd != NULL ? r->cwd : f->cwd);
		node_event(b, s, r->id);
		/* the session of the user on that terminal */
		if (r->user != NULL && tty != NULL &&
		    strcmp(tty, "unknown") != 0)
			from = map_get(b, 'T', host, tty, 0);
		if (from >= 0 && b->n[from].user != NULL && r->user != NULL &&
		    strcmp(b->n[from].user, r->user) == 0)
			edge_add(b, from, s, "changed_user", r->time_ns, 0.9,
			    rca_fmt("%s ran sudo on %s (log line)", r->user, tty),
			    r->id);
		/* remember it for the web join and the history */
		map_put(b, 'U', host, r->user, r->time_ns / SEC, s);
		return;
	}
}

static void
on_utmp(struct b *b, const struct sp_event_row *r, const char *host,
    const struct rca_fields *f)
{
	int64_t s;
	const char *addr = f->address;

	(void)f;
	if (strcmp(r->artifact, "btmp") == 0) {
		failed_login(b, 'b', addr);
		return;
	}
	if (strcmp(r->time_desc, "login") == 0 && r->user != NULL) {
		s = session_login(b, host, addr != NULL ? "ssh" : "console",
		    r->user, addr, -1, NONE, r->time_ns, r->id, "login");
		if (s >= 0 && r->tty != NULL) {
			if (b->n[s].tty == NULL)
				b->n[s].tty = intern(b, r->tty);
			map_put(b, 'T', host, r->tty, 0, s);
		}
		return;
	}
	if (strcmp(r->time_desc, "logout") == 0 && r->tty != NULL) {
		s = map_get(b, 'T', host, r->tty, 0);
		if (s >= 0 && b->n[s].end == NONE)
			b->n[s].end = r->time_ns;
	}
}

/* ---- web, persistence, history, cron ---- */

static void
on_web(struct b *b, const struct sp_event_row *r, const struct rca_fields *f)
{
	struct request *q;
	int post;

	if (f->client == NULL || f->req_path == NULL)
		return;
	post = f->method != NULL && (strcmp(f->method, "POST") == 0 ||
	    strcmp(f->method, "PUT") == 0 || strcmp(f->method, "PATCH") == 0);
	if (!post && !rca_is_script_request(f->req_path))
		return;
	if (f->status >= 400 && f->status != 500)
		return;
	if (b->nrq == b->crq) {
		size_t nc = b->crq ? b->crq * 2 : 1024;
		struct request *nq = realloc(b->rq, nc * sizeof(*nq));
		if (nq == NULL) {
			b->nomem = 1;
			return;
		}
		b->rq = nq;
		b->crq = nc;
	}
	q = &b->rq[b->nrq++];
	q->t = r->time_ns;
	q->event = r->id;
	q->client = dup(f->client);
	q->method = dup(f->method);
	q->path = dup(f->req_path);
	q->ua = dup(f->user_agent);
	q->status = f->status;
	q->node = -1;
}

static void
on_persistence(struct b *b, const struct sp_event_row *r, const char *host,
    const struct rca_fields *f)
{
	int64_t file, o, prog;
	const char *kind = f->kind;

	if (kind == NULL || r->path == NULL)
		return;
	file = file_node(b, host, r->path, r->time_ns);
	node_event(b, file, r->id);
	if (strcmp(kind, "cron") == 0 || strcmp(kind, "systemd") == 0) {
		const char *cmd = strcmp(kind, "cron") == 0 ? f->command :
		    f->exec_start;
		char prog_path[4096];
		size_t n = 0;

		if ((o = node_new(b, SP_GNODE_OBJECT, strcmp(kind, "cron") ==
		    0 ? "cron" : "unit", host, r->time_ns)) < 0)
			return;
		b->n[o].path = strdup(r->path);
		b->n[o].name = dup(strcmp(kind, "cron") == 0 ? f->line :
		    f->unit);
		b->n[o].user = intern(b, r->user != NULL ? r->user : f->user);
		b->n[o].argv = intern(b, cmd);	/* the command, as text */
		node_event(b, o, r->id);
		edge_add(b, file, o, "installed", r->time_ns, 1.0,
		    rca_fmt("%s %s defines it", strcmp(kind, "cron") == 0 ?
		    "crontab" : "unit file", r->path), r->id);
		if (strcmp(kind, "systemd") == 0 && f->unit != NULL)
			map_put(b, 'N', host, f->unit, 0, o);
		/* the program it runs */
		if (cmd != NULL) {
			const char *c = cmd;
			while (*c == '-' || *c == '@' || *c == '+' ||
			    *c == '!' || *c == ':')
				c++;
			while (c[n] != '\0' && c[n] != ' ' && c[n] != '\t' &&
			    n + 1 < sizeof(prog_path)) {
				prog_path[n] = c[n];
				n++;
			}
			prog_path[n] = '\0';
			if (prog_path[0] == '/') {
				prog = file_node(b, host, prog_path,
				    r->time_ns);
				map_put(b, 'R', host, prog_path, 0, o);
				(void)prog;
			}
		}
		return;
	}
	if (strcmp(kind, "ld_preload") == 0 && f->library != NULL) {
		int64_t lib = file_node(b, host, f->library, r->time_ns);
		edge_add(b, file, lib, "installed", r->time_ns, 0.9,
		    rca_fmt("%s lists %s: loaded into every dynamically linked "
		    "program", r->path, f->library), r->id);
		return;
	}
	if (strcmp(kind, "authorized_keys") == 0 && f->fingerprint != NULL) {
		map_put(b, 'K', host, f->fingerprint, 0, file);
		/* the file's last change (the event's time is its mtime) */
		if (b->n[file].mtime == 0 || r->time_ns > b->n[file].mtime)
			b->n[file].mtime = r->time_ns;
		return;
	}
}

static void
on_history(struct b *b, const struct sp_event_row *r, const char *host,
    const struct rca_fields *f)
{
	struct hist *h;

	if (f->command == NULL)
		return;
	if (b->nhs == b->chs) {
		size_t nc = b->chs ? b->chs * 2 : 256;
		struct hist *nh = realloc(b->hs, nc * sizeof(*nh));
		if (nh == NULL) {
			b->nomem = 1;
			return;
		}
		b->hs = nh;
		b->chs = nc;
	}
	h = &b->hs[b->nhs++];
	h->t = r->time_ns;
	h->event = r->id;
	h->user = intern(b, r->user);
	h->command = dup(f->command);
	h->time_source = dup(f->time_source);
	h->host = intern(b, host);
	h->origin = r->origin_file_id != SP_QUERY_NULL ? r->origin_file_id :
	    0;
}

static void
on_cron_exec(struct b *b, const struct sp_event_row *r, const char *host,
    const struct rca_fields *f)
{
	int64_t p;

	if (f->command == NULL || r->pid == SP_QUERY_NULL)
		return;
	/* the process that ran the command, known from audit or not */
	p = proc_at(b, host, r->pid);
	if (p < 0 || r->time_ns - b->n[p].start > 5 * SEC) {
		if ((p = node_new(b, SP_GNODE_PROCESS, "process", host,
		    r->time_ns)) < 0)
			return;
		b->n[p].pid = r->pid;
		b->n[p].inferred = 1;
		b->n[p].user = intern(b, r->user);
		b->n[p].comm = intern(b, f->command);
		map_put(b, 'P', host, NULL, r->pid, p);
	}
	node_event(b, p, r->id);
	map_put(b, 'X', host, NULL, r->pid, r->time_ns / SEC);
	if (b->n[p].detail == NULL)
		b->n[p].detail = strdup("{\"cron\":true}");
}

/* ---- joins after the pass ---- */

static int
argv_contains(const char *argv_json, const char *s)
{
	return argv_json != NULL && s != NULL && *s != '\0' &&
	    strstr(argv_json, s) != NULL;
}

/*
 * A process whose parent has no exec record: a fork of sudo or su in the
 * same audit session (their pty monitor), else the first process of its
 * audit session, joined to the login.
 */
static void
join_orphans(struct b *b)
{
	size_t i, n = b->nn;

	for (i = 0; i < n; i++) {
		struct bnode *c = &b->n[i], *p;
		int64_t s;

		if (c->kind != SP_GNODE_PROCESS || !c->has_exec ||
		    c->parent < 0)
			continue;
		p = &b->n[c->parent];
		if (p->has_exec || p->parent >= 0)
			continue;
		/* a privilege changer that exec'd just before, pid close */
		{
			size_t lo = 0, hi = b->npriv;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (b->priv[mid] < (int64_t)i)
					lo = mid + 1;
				else
					hi = mid;
			}
			while (lo-- > 0) {
				int64_t jj = b->priv[lo];
				struct bnode *q = &b->n[jj];
				if (c->start - q->start > 3600 * SEC)
					break;
				if (q->pid == NONE || p->pid == NONE ||
				    q->pid >= p->pid || p->pid - q->pid > 16)
					continue;
				if (c->ses != NONE && q->ses != c->ses)
					continue;
				if (c->ses == NONE && q->uid != NONE &&
				    c->auid != q->auid)
					continue;
				p->parent = jj;
				p->exe = p->exe ? p->exe : intern(b, q->exe);
				edge_add(b, jj, c->parent, "spawned", q->start,
				    0.8, rca_fmt("pid %" PRId64 " has no exec record: "
				    "a fork of %s (pid %" PRId64 ")%s, its pty "
				    "monitor", p->pid, rca_base(q->exe), q->pid,
				    c->ses != NONE ? " in the same audit session" :
				    ""), 0);
				break;
			}
		}
		if (p->parent >= 0 || c->ses == NONE)
			continue;
		if ((s = map_get(b, 'S', c->host, NULL, c->ses)) < 0)
			continue;
		edge_add(b, s, (int64_t)i, "logged_in", c->start, 0.9,
		    rca_fmt("first process of audit session %" PRId64 " (login of "
		    "%s); its parent pid %" PRId64 " has no exec record",
		    c->ses, b->n[s].user ? b->n[s].user : "?", p->pid), 0);
		p->parent = s;	/* joined once */
	}
}

/* Services and cron jobs: what started a process whose parent is init
 * or cron; and systemctl runs that enabled a unit. */
static void
join_units(struct b *b)
{
	size_t i, n = b->nn;

	for (i = 0; i < n; i++) {
		struct bnode *c = &b->n[i];
		int64_t o;

		if (c->kind != SP_GNODE_PROCESS)
			continue;
		if (c->exe != NULL && c->has_exec &&
		    (o = map_get(b, 'R', c->host, c->exe, 0)) >= 0 &&
		    c->start >= b->n[o].start &&
		    (c->ses == NONE || c->ppid == 1)) {
			edge_add(b, o, (int64_t)i, "started_by", c->start,
			    c->ppid == 1 ? 0.9 : 0.7,
			    rca_fmt("%s runs %s; pid %" PRId64 " (ppid %" PRId64
			    ") started with no login session", b->n[o].type,
			    c->exe, c->pid, c->ppid == NONE ? -1 : c->ppid),
			    c->nev ? c->ev[0] : 0);
		}
		if (c->has_exec && c->argv != NULL &&
		    strcmp(rca_base(c->exe), "systemctl") == 0 &&
		    (strstr(c->argv, "\"enable\"") != NULL ||
		    strstr(c->argv, "\"start\"") != NULL ||
		    strstr(c->argv, "\"restart\"") != NULL)) {
			size_t k;
			for (k = 0; k < b->nn; k++) {
				struct bnode *u = &b->n[k];
				char svc[512];
				if (u->kind != SP_GNODE_OBJECT ||
				    strcmp(u->type, "unit") != 0 ||
				    u->name == NULL)
					continue;
				snprintf(svc, sizeof(svc), "%s", u->name);
				if (strlen(svc) > 8 && strcmp(svc + strlen(svc) -
				    8, ".service") == 0)
					svc[strlen(svc) - 8] = '\0';
				if (argv_contains(c->argv, svc))
					edge_add(b, (int64_t)i, (int64_t)k,
					    "enabled", c->start, 0.9,
					    rca_fmt("systemctl named unit %s",
					    u->name), c->nev ? c->ev[0] : 0);
			}
		}
	}
	/* cron jobs: a cron entry whose command the process runs */
	{
	size_t ncr = 0, k;
	int64_t *cr = NULL;
	for (k = 0; k < b->nn; k++)
		if (b->n[k].kind == SP_GNODE_OBJECT &&
		    strcmp(b->n[k].type, "cron") == 0)
			ncr++;
	if (ncr == 0 || (cr = malloc(ncr * sizeof(*cr))) == NULL)
		return;
	for (k = 0, ncr = 0; k < b->nn; k++)
		if (b->n[k].kind == SP_GNODE_OBJECT &&
		    strcmp(b->n[k].type, "cron") == 0)
			cr[ncr++] = (int64_t)k;
	for (i = 0; i < n; i++) {
		struct bnode *c = &b->n[i];

		if (c->kind != SP_GNODE_PROCESS || c->ses != NONE)
			continue;
		if (!(c->detail != NULL && strstr(c->detail, "cron")) &&
		    !(c->has_exec && rca_is_shell(c->exe)))
			continue;
		for (k = 0; k < ncr; k++) {
			struct bnode *o = &b->n[cr[k]];
			const char *cmd = o->argv;
			if (cmd == NULL)
				continue;
			if (c->start < o->start)
				continue;
			if ((c->comm != NULL && strcmp(c->comm, cmd) == 0) ||
			    (c->has_exec && c->argv != NULL &&
			    strlen(cmd) > 4 && strstr(c->argv, cmd) != NULL))
				edge_add(b, cr[k], (int64_t)i,
				    "started_by", c->start, 0.8,
				    rca_fmt("cron entry of %s in %s runs this "
				    "command", o->user ? o->user : "?",
				    o->path), c->nev ? c->ev[0] : 0);
		}
	}
	free(cr);
	}
}

/* The request node of request q, made on first use. */
static int64_t
request_node(struct b *b, struct request *q, const char *host)
{
	int64_t i, ep;
	struct bnode *n;

	if (q->node >= 0)
		return q->node;
	if ((i = node_new(b, SP_GNODE_OBJECT, "request", host, q->t)) < 0)
		return -1;
	n = &b->n[i];
	n->method = dup(q->method);
	n->path = dup(q->path);
	n->address = dup(q->client);
	n->port = q->status;
	n->name = dup(q->ua);
	node_event(b, i, q->event);
	q->node = i;
	ep = endpoint_node(b, q->client, -1, q->t);
	edge_add(b, ep, i, "requested", q->t, 1.0, rca_fmt("%s %s from %s",
	    q->method ? q->method : "?", q->path, q->client), q->event);
	return i;
}

/* The request path without its query, into buf. */
static const char *
req_file(const char *path, char *buf, size_t cap)
{
	size_t n = strcspn(path, "?#;");

	if (n >= cap)
		n = cap - 1;
	memcpy(buf, path, n);
	buf[n] = '\0';
	return buf;
}

/* Does file path end with request path rp (a URL path under a root)? */
static int
serves(const char *path, const char *rp)
{
	size_t a, b2;

	if (path == NULL || rp == NULL || rp[0] != '/')
		return 0;
	a = strlen(path);
	b2 = strlen(rp);
	return b2 > 1 && a >= b2 && strcmp(path + a - b2, rp) == 0;
}

/* Requests in [from, to], by binary search: the first index. */
static size_t
rq_first(const struct b *b, sp_time_ns from)
{
	size_t lo = 0, hi = b->nrq;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->rq[mid].t < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A request that explains what a web server did at t: nearest in time,
 * to a file written here first. */
static struct request *
request_at(struct b *b, sp_time_ns t, sp_time_ns before, sp_time_ns after)
{
	size_t i = rq_first(b, t - before);
	struct request *best = NULL;
	int best_score = -1;
	sp_time_ns best_d = 0;

	for (; i < b->nrq && b->rq[i].t <= t + after; i++) {
		struct request *q = &b->rq[i];
		char rp[2048];
		int64_t f;
		int score = 0;
		sp_time_ns d = q->t > t ? q->t - t : t - q->t;

		req_file(q->path, rp, sizeof(rp));
		f = map_get(b, 'B', NULL, rca_base(rp), 0);
		if (f >= 0 && b->n[f].uploaded)
			score += 2;
		if (strchr(q->path, '?') != NULL)
			score += 1;
		if (score > best_score || (score == best_score && d < best_d)) {
			best = q;
			best_score = score;
			best_d = d;
		}
	}
	return best;
}

/* Web server workers act for the request they serve. */
static void
join_web(struct b *b)
{
	size_t i, n = b->ne;

	if (b->nrq == 0)
		return;
	for (i = 0; i < n; i++) {
		struct bedge *e = &b->e[i];
		struct bnode *src = &b->n[e->src], *dst = &b->n[e->dst];
		struct request *q;
		int64_t rn;

		if (src->kind == SP_GNODE_SESSION)
			continue;
		if (src->kind != SP_GNODE_PROCESS)
			continue;
		if (!rca_is_web_server(src->exe) && !(src->web))
			continue;
		if (strcmp(e->kind, "spawned") != 0 &&
		    strcmp(e->kind, "wrote") != 0 &&
		    strcmp(e->kind, "connected") != 0)
			continue;
		if ((q = request_at(b, e->t, 2 * SEC, 2 * SEC)) == NULL)
			continue;
		src->web = 1;
		/* the request made the web server act: one edge per pair */
		{
			int64_t ps = e->src, pid = src->pid, seen;
			sp_time_ns t = e->t;
			char *why;

			(void)dst;
			seen = map_get(b, 'Q', NULL, NULL, q->event);
			if (seen == ps)
				continue;
			map_put(b, 'Q', NULL, NULL, q->event, ps);
			why = rca_fmt("%s (pid %" PRId64 ") acted within 2 s of %s "
			    "%s from %s", rca_base(src->exe), pid,
			    q->method ? q->method : "?", q->path, q->client);
			if ((rn = request_node(b, q, src->host)) < 0) {
				free(why);
				continue;
			}
			edge_add(b, rn, ps, "served", t, 0.7, why, q->event);
		}
	}
	/* sudo run by the web server's user with no terminal, during a
	 * request to an uploaded script (audit shows the real process) */
	for (i = 0; i < b->nn && !b->have_audit; i++) {
		struct bnode *s = &b->n[i];
		struct request *q;
		int64_t rn;
		char rp[2048];

		if (s->kind != SP_GNODE_SESSION || (strcmp(s->type, "sudo") !=
		    0 && strcmp(s->type, "su") != 0) || (s->tty != NULL &&
		    strcmp(s->tty, "unknown") != 0))
			continue;
		if ((q = request_at(b, s->start, 2 * SEC, 2 * SEC)) == NULL ||
		    strchr(q->path, '?') == NULL)
			continue;
		req_file(q->path, rp, sizeof(rp));
		if ((rn = map_get(b, 'B', NULL, rca_base(rp), 0)) < 0 ||
		    !b->n[rn].uploaded)
			continue;
		{
			char *why = rca_fmt("%s ran %s without a terminal within 2 s "
			    "of %s %s from %s, a request to the uploaded %s",
			    s->method ? s->method : "?", s->type, q->method,
			    q->path, q->client, b->n[rn].path);
			sp_time_ns t = s->start;
			if ((rn = request_node(b, q, s->host)) < 0) {
				free(why);
				continue;
			}
			edge_add(b, rn, (int64_t)i, "served", t, 0.5, why,
			    q->event);
		}
	}
}

/* ---- files: times and owners when nothing recorded the writes ---- */

struct fcand {
	int64_t file_id;
	char *path;
	int64_t uid, inode;
	sp_time_ns born, mtime;
	int is_dir;
	char *sha256;
};

/* The absolute paths a request's query names, url-decoded, into map
 * 'H' (path -> request index). */
static void
named_paths(struct b *b, size_t qi)
{
	const char *q = strchr(b->rq[qi].path, '?');
	char dec[4096], *tok, *save = NULL;
	size_t n = 0;

	if (q == NULL)
		return;
	for (q++; *q != '\0' && n + 1 < sizeof(dec); q++) {
		if (*q == '%' && q[1] && q[2]) {
			char h[3] = { q[1], q[2], 0 };
			char *e;
			long v = strtol(h, &e, 16);
			if (*e == '\0' && v > 0) {
				dec[n++] = (char)v;
				q += 2;
				continue;
			}
		}
		dec[n++] = *q == '+' ? ' ' : *q;
	}
	dec[n] = '\0';
	for (tok = strtok_r(dec, " \t\n\"'`;|&<>=(),", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\n\"'`;|&<>=(),", &save))
		if (tok[0] == '/' && tok[1] != '\0' && strncmp(tok, "/dev/", 5) !=
		    0)
			map_put(b, 'H', NULL, tok, b->rq[qi].t / SEC,
			    (int64_t)qi);
}

static int
is_upload(const struct request *q)
{
	return q->method != NULL && (strcmp(q->method, "POST") == 0 ||
	    strcmp(q->method, "PUT") == 0) && q->status >= 200 &&
	    q->status < 400;
}

static void
link_files(struct b *b, struct sp_case *c, int have_audit,
    struct sp_err *err)
{
	struct sp_query_filter flt;
	struct sp_query *q = NULL;
	struct fcand *cand = NULL;
	size_t nc = 0, cc = 0, i, k, nsw = 0, nnamed = 0;
	int64_t *sw = NULL;
	int has;
	struct {
		size_t qi;
		int64_t file_id, uid;
		char *path;
		sp_time_ns mtime;
	} named[64];

	for (i = 0; i < b->nn; i++)
		if (b->n[i].kind == SP_GNODE_SESSION)
			nsw++;
	if (nsw > 0 && (sw = malloc(nsw * sizeof(*sw))) == NULL) {
		b->nomem = 1;
		return;
	}
	for (i = 0, nsw = 0; i < b->nn; i++)
		if (b->n[i].kind == SP_GNODE_SESSION)
			sw[nsw++] = (int64_t)i;

	for (i = 0; i < b->nrq; i++)
		named_paths(b, i);
	sp_query_filter_init(&flt);
	if (sp_query_open_files(&q, c, &flt, err) != SP_OK) {
		free(sw);
		return;
	}
	while (sp_query_next(q, &has, err) == SP_OK && has) {
		const struct sp_file_row *f = sp_query_file(q);
		const struct sp_entry *en = &f->entry;
		sp_time_ns born = en->crtime != SP_TIME_NONE ?
		    en->crtime : en->mtime;
		int64_t fn;
		int keep = 0;

		if (!f->allocated || en->path == NULL)
			continue;
		/* a file object known by path gets its identity */
		fn = map_get(b, 'F', host_of(b, NULL), en->path, 0);
		if (fn >= 0 && b->n[fn].file_id == NONE) {
			b->n[fn].file_id = f->id;
			b->n[fn].inode = (int64_t)en->inode;
			b->n[fn].sha256 = dup(f->sha256);
			b->n[fn].uid = (int64_t)en->uid;
		}
		/* a file a request's query named, changed in its seconds */
		for (k = 0; k < 5 && en->mtime != SP_TIME_NONE; k++) {
			int64_t qi = map_get(b, 'H', NULL, en->path,
			    en->mtime / SEC - 3 + (int64_t)k);
			if (qi >= 0 && en->mtime != SP_TIME_NONE &&
			    en->mtime >= b->rq[qi].t - SEC &&
			    en->mtime <= b->rq[qi].t + 3 * SEC &&
			    nnamed < 64) {
				named[nnamed].qi = (size_t)qi;
				named[nnamed].file_id = f->id;
				named[nnamed].path = strdup(en->path);
				named[nnamed].uid = (int64_t)en->uid;
				named[nnamed].mtime = en->mtime;
				if (named[nnamed].path != NULL)
					nnamed++;
				break;
			}
		}
		if (born == SP_TIME_NONE || rca_is_noise_path(en->path))
			continue;
		/* near an upload or a request, or inside a login */
		k = rq_first(b, born - 3 * SEC);
		if (k < b->nrq && b->rq[k].t <= born + 3 * SEC)
			keep = 1;
		for (k = 0; !keep && k < nsw; k++) {
			struct bnode *s = &b->n[sw[k]];
			if (s->start <= born && (s->end == NONE ||
			    born <= s->end))
				keep = 1;
		}
		if (!keep)
			continue;
		if (nc == cc) {
			size_t ncap = cc ? cc * 2 : 256;
			struct fcand *nn = realloc(cand, ncap * sizeof(*nn));
			if (nn == NULL) {
				b->nomem = 1;
				break;
			}
			cand = nn;
			cc = ncap;
		}
		cand[nc].file_id = f->id;
		cand[nc].path = strdup(en->path);
		cand[nc].uid = (int64_t)en->uid;
		cand[nc].inode = (int64_t)en->inode;
		cand[nc].born = born;
		cand[nc].mtime = en->mtime;
		cand[nc].is_dir = en->meta_type != SP_TYPE_REG;
		cand[nc].sha256 = dup(f->sha256);
		nc++;
	}
	sp_query_close(q);

	/* 1: uploads: a file born within 3 s after a POST or PUT */
	for (i = 0; i < nc; i++) {
		struct fcand *fc = &cand[i];
		if (fc->is_dir)
			continue;
		for (k = rq_first(b, fc->born - 1 * SEC); k < b->nrq &&
		    b->rq[k].t <= fc->born + 3 * SEC; k++) {
			struct request *rq = &b->rq[k];
			int64_t fn, rn;
			double conf = 0.6;
			size_t m;
			if (!is_upload(rq) || fc->born < rq->t - SEC)
				continue;
			/* named by a later request: stronger */
			for (m = k + 1; m < b->nrq; m++) {
				char rp[2048];
				if (serves(fc->path, req_file(b->rq[m].path,
				    rp, sizeof(rp)))) {
					conf = 0.8;
					break;
				}
			}
			fn = file_node(b, host_of(b, NULL), fc->path,
			    fc->born);
			if (fn < 0)
				break;
			b->n[fn].file_id = fc->file_id;
			b->n[fn].uid = fc->uid;
			b->n[fn].uploaded = 1;
			rn = request_node(b, rq, host_of(b, NULL));
			edge_add(b, rn, fn, "uploaded", fc->born, conf,
			    rca_fmt("%s born %s %.0f s after %s %s from %s%s",
			    fc->path, "", (double)(fc->born - rq->t) / SEC,
			    rq->method, rq->path, rq->client, conf > 0.7 ?
			    ", and requested by name later" : ""),
			    rq->event);
			break;
		}
	}
	/* 2: requests for a file written here: the file served them */
	for (k = 0; k < b->nrq; k++) {
		struct request *rq = &b->rq[k];
		char rp[2048];
		int64_t fn;

		req_file(rq->path, rp, sizeof(rp));
		fn = map_get(b, 'B', NULL, rca_base(rp), 0);
		if (fn < 0 || !serves(b->n[fn].path, rp) ||
		    rq->t < b->n[fn].start)
			continue;
		/* only a file that something here created or uploaded */
		if (!b->n[fn].written)
			continue;
		edge_add(b, fn, request_node(b, rq, host_of(b, NULL)),
		    "requested", rq->t, 0.9, rca_fmt("%s %s from %s asks for %s",
		    rq->method ? rq->method : "?", rq->path, rq->client,
		    b->n[fn].path), rq->event);
	}
	/* 1b: copies: a file with the content of a file written here */
	{
		struct rmap bysum;
		memset(&bysum, 0, sizeof(bysum));
		for (i = 0; i < b->nn; i++) {
			struct bnode *fnode = &b->n[i];
			int64_t first;
			if (fnode->kind != SP_GNODE_OBJECT || fnode->sha256 ==
			    NULL || strcmp(fnode->type, "file") != 0 ||
			    strlen(fnode->sha256) != 64 || strcmp(fnode->sha256,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495"
			    "991b7852b855") == 0)
				continue;
			if (!rmap_get(&bysum, fnode->sha256, 64, &first)) {
				(void)rmap_put(&bysum, fnode->sha256, 64,
				    (int64_t)i);
				continue;
			}
			if (b->n[first].written && first != (int64_t)i)
				edge_add(b, first, (int64_t)i, "copied",
				    fnode->start, 0.6, rca_fmt("%s has the content "
				    "of %s (SHA-256 %.16s...)", fnode->path,
				    b->n[first].path, fnode->sha256), 0);
		}
		rmap_free(&bysum);
	}
	/* 2b: a file a request to an uploaded script named in its query
	 * and that changed within its seconds */
	for (i = 0; i < nnamed; i++) {
		struct request *rq = &b->rq[named[i].qi];
		char rp[2048];
		int64_t sf, fn;

		req_file(rq->path, rp, sizeof(rp));
		sf = map_get(b, 'B', NULL, rca_base(rp), 0);
		if (sf >= 0 && (b->n[sf].uploaded || b->n[sf].written) &&
		    serves(b->n[sf].path, rp) &&
		    (fn = file_node(b, host_of(b, NULL), named[i].path,
		    named[i].mtime)) >= 0) {
			if (b->n[fn].file_id == NONE)
				b->n[fn].file_id = named[i].file_id;
			edge_add(b, request_node(b, rq, host_of(b, NULL)), fn,
			    "wrote", named[i].mtime, 0.5, rca_fmt("%s %s, a "
			    "request to the uploaded %s, names %s in its query, "
			    "and the file changed %.0f s later", rq->method ?
			    rq->method : "?", rp, b->n[sf].path, named[i].path,
			    (double)(named[i].mtime - rq->t) / SEC), rq->event);
		}
		free(named[i].path);
	}
	/* 3: without audit, files born at the second of a request to a
	 * written script and owned like it; files born in a login owned by
	 * its user */
	for (i = 0; i < nc && !have_audit; i++) {
		struct fcand *fc = &cand[i];
		int64_t fn = -1;
		if (fc->is_dir)
			continue;
		for (k = rq_first(b, fc->born - 2 * SEC); k < b->nrq &&
		    b->rq[k].t <= fc->born + 2 * SEC; k++) {
			struct request *rq = &b->rq[k];
			char rp[2048];
			int64_t sf;
			if (rq->node < 0 || strchr(rq->path, '?') == NULL)
				continue;
			req_file(rq->path, rp, sizeof(rp));
			sf = map_get(b, 'B', NULL, rca_base(rp), 0);
			if (sf < 0 || !b->n[sf].uploaded ||
			    b->n[sf].uid != fc->uid ||
			    strcmp(b->n[sf].path, fc->path) == 0)
				continue;
			fn = file_node(b, host_of(b, NULL), fc->path,
			    fc->born);
			if (fn < 0)
				break;
			b->n[fn].file_id = fc->file_id;
			edge_add(b, rq->node, fn, "wrote", fc->born, 0.5,
			    rca_fmt("no audit record: %s was born within 2 s of "
			    "%s %s, a request to the uploaded %s, and has its "
			    "owner (uid %" PRId64 ")", fc->path, rq->method,
			    rq->path, b->n[sf].path, fc->uid), rq->event);
			break;
		}
		if (fn >= 0)
			continue;
		for (k = 0; k < nsw; k++) {
			struct bnode *s = &b->n[sw[k]];
			if (s->uid == NONE ||
			    s->uid != fc->uid || s->start > fc->born ||
			    (s->end != NONE && fc->born > s->end) ||
			    s->address == NULL)
				continue;
			fn = file_node(b, host_of(b, NULL), fc->path,
			    fc->born);
			if (fn < 0)
				break;
			b->n[fn].file_id = fc->file_id;
			edge_add(b, sw[k], fn, "wrote", fc->born, 0.4,
			    rca_fmt("no audit record: %s was born inside the "
			    "login of %s from %s and is owned by its uid %"
			    PRId64, fc->path, s->user ? s->user : "?",
			    s->address, fc->uid), 0);
			break;
		}
	}
	for (i = 0; i < nc; i++) {
		free(cand[i].path);
		free(cand[i].sha256);
	}
	free(cand);
	free(sw);
}

/* ---- shell history bound to logins ---- */

/* The effect on files of a command line, for history without audit. */
static void
history_effects(struct b *b, int64_t p, const char *host, const char *cmd,
    sp_time_ns t, int64_t ev)
{
	char buf[4096], *tok, *save = NULL, *words[64];
	size_t nw = 0, i;
	const char *act = NULL, *prog;

	snprintf(buf, sizeof(buf), "%s", cmd);
	for (tok = strtok_r(buf, " \t", &save); tok != NULL && nw < 64;
	    tok = strtok_r(NULL, " \t", &save))
		words[nw++] = tok;
	if (nw == 0)
		return;
	prog = rca_base(words[0]);
	if (strcmp(prog, "rm") == 0 || strcmp(prog, "shred") == 0 ||
	    strcmp(prog, "unlink") == 0)
		act = "deleted";
	else if (strcmp(prog, "wget") == 0 || strcmp(prog, "curl") == 0 ||
	    strcmp(prog, "cp") == 0 || strcmp(prog, "mv") == 0 ||
	    strcmp(prog, "chmod") == 0 || strcmp(prog, "touch") == 0 ||
	    strcmp(prog, "tee") == 0 || strcmp(prog, "install") == 0 ||
	    strcmp(prog, "vi") == 0 || strcmp(prog, "vim") == 0 ||
	    strcmp(prog, "nano") == 0 || strcmp(prog, "chattr") == 0)
		act = "wrote";
	for (i = 1; i < nw; i++) {
		const char *w = words[i];
		if (*w == '>')
			w++;
		if (*w != '/' || (strncmp(w, "/dev/", 5) == 0 &&
		    strncmp(w, "/dev/shm/", 9) != 0))
			continue;
		if (act == NULL && words[i][0] != '>')
			continue;
		edge_add(b, p, file_node(b, host, w, t), act ? act : "wrote",
		    t, 0.4, rca_fmt("shell history: %s", cmd), ev);
	}
}

static void
join_history(struct b *b, int have_audit)
{
	size_t i, j;

	/* without audit, what a sudo or su command line names */
	for (i = 0; i < b->nn && !have_audit; i++) {
		struct bnode *s = &b->n[i];
		if (s->kind == SP_GNODE_SESSION && s->name != NULL &&
		    (strcmp(s->type, "sudo") == 0 || strcmp(s->type, "su") ==
		    0))
			history_effects(b, (int64_t)i, s->host, s->name,
			    s->start, s->nev ? s->ev[0] : 0);
	}

	/* each history file: written by the shell of the login of its user
	 * that ended when the file last changed (or was open then) */
	for (i = 0; i < b->nhs; i++) {
		struct hist *h = &b->hs[i];
		int64_t best = -1;
		size_t k;

		if (h->origin <= 0 || h->user == NULL || (i + 1 < b->nhs &&
		    b->hs[i + 1].origin == h->origin))
			continue;
		for (j = 0; j < b->nn; j++) {
			struct bnode *s = &b->n[j];
			if (s->kind != SP_GNODE_SESSION || s->user == NULL ||
			    strcmp(s->user, h->user) != 0 || s->start > h->t)
				continue;
			if (s->end != NONE && (h->t - s->end > 60 * SEC ||
			    s->end - h->t > 60 * SEC))
				continue;
			if (best < 0 || s->start > b->n[best].start)
				best = (int64_t)j;
		}
		if (best < 0)
			continue;
		for (k = 0; k < b->nn; k++) {
			if (b->n[k].kind != SP_GNODE_OBJECT ||
			    b->n[k].file_id != h->origin)
				continue;
			edge_add(b, best, (int64_t)k, "wrote", h->t, 0.5,
			    rca_fmt("shell history of %s, written when this login "
			    "ended", h->user), h->event);
			break;
		}
	}
	for (i = 0; i < b->nhs; i++) {
		struct hist *h = &b->hs[i];
		int64_t best = -1, p;
		int mtime = h->time_source != NULL &&
		    strcmp(h->time_source, "mtime") == 0;
		int has_exec = 0;

		/* with times from the file's mtime, only the last block (after
		 * the last "exit" before the end) is the last login's */
		if (mtime) {
			for (j = i + 1; j < b->nhs; j++)
				if (b->hs[j].origin == h->origin &&
				    (strcmp(b->hs[j].command, "exit") == 0 ||
				    strcmp(b->hs[j].command, "logout") == 0) &&
				    j + 1 < b->nhs && b->hs[j + 1].origin ==
				    h->origin)
					break;
			if (j < b->nhs && b->hs[j].origin == h->origin)
				continue;
		}
		if (strcmp(h->command, "exit") == 0 ||
		    strcmp(h->command, "logout") == 0)
			continue;
		for (j = 0; j < b->nn; j++) {
			struct bnode *s = &b->n[j];
			if (s->kind != SP_GNODE_SESSION || s->user == NULL ||
			    h->user == NULL || strcmp(s->user, h->user) != 0)
				continue;
			if (s->start > h->t)
				continue;
			if (mtime ? (s->end != NONE && (h->t - s->end > 60 * SEC ||
			    s->end - h->t > 60 * SEC)) : (s->end != NONE &&
			    h->t > s->end))
				continue;
			if (best < 0 || s->start > b->n[best].start)
				best = (int64_t)j;
		}
		if (best < 0)
			continue;
		/* a login whose commands audit recorded needs no history */
		has_exec = b->n[best].ran || b->have_audit;
		if (has_exec)
			continue;
		if ((p = node_new(b, SP_GNODE_PROCESS, "process", h->host,
		    h->t)) < 0)
			return;
		b->n[p].inferred = 1;
		b->n[p].user = intern(b, h->user);
		b->n[p].comm = intern(b, h->command);
		b->n[p].exe = NULL;
		{
			char w[512];
			size_t n = strcspn(h->command, " \t;|&");
			if (n >= sizeof(w))
				n = sizeof(w) - 1;
			memcpy(w, h->command, n);
			w[n] = '\0';
			b->n[p].exe = intern(b, w);
		}
		node_event(b, p, h->event);
		edge_add(b, best, p, "ran", h->t, mtime ? 0.5 : 0.7,
		    rca_fmt("shell history of %s%s: %s", h->user,
		    mtime ? " (written at the end of the login)" :
		    " (time stamped)", h->command), h->event);
		history_effects(b, p, h->host, h->command, h->t, h->event);
	}
}

/*
 * Logins through an authorized key: the key that logged in is in the
 * file.  A key that logged in before the file last changed was there
 * before the change: the change does not explain its logins.
 */
static void
join_keys(struct b *b)
{
	size_t i;
	struct rmap first;

	memset(&first, 0, sizeof(first));
	for (i = 0; i < b->nn; i++) {
		struct bnode *s = &b->n[i];
		const char *fp;
		char buf[256];
		int64_t t;

		if (s->kind != SP_GNODE_SESSION || s->detail == NULL ||
		    (fp = strstr(s->detail, "SHA256:")) == NULL)
			continue;
		snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(fp, "\""), fp);
		if (!rmap_get(&first, buf, strlen(buf), &t) || s->start < t)
			(void)rmap_put(&first, buf, strlen(buf), s->start);
	}
	for (i = 0; i < b->nn; i++) {
		struct bnode *s = &b->n[i];
		const char *fp;
		int64_t f, t = 0;
		char buf[256];
		int before;

		if (s->kind != SP_GNODE_SESSION || s->detail == NULL ||
		    (fp = strstr(s->detail, "SHA256:")) == NULL)
			continue;
		snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(fp, "\""), fp);
		if ((f = map_get(b, 'K', s->host, buf, 0)) < 0)
			continue;
		(void)rmap_get(&first, buf, strlen(buf), &t);
		before = b->n[f].mtime != 0 && t < b->n[f].mtime - SEC;
		edge_add(b, f, (int64_t)i, "authorized", s->start,
		    before ? 0.3 : 1.0, before ? rca_fmt("the key %s that logged "
		    "%s in is in %s, but it logged in before the file last "
		    "changed: it was there before", buf, s->user ? s->user :
		    "?", b->n[f].path) : rca_fmt("the key %s that logged %s in is "
		    "in %s", buf, s->user ? s->user : "?", b->n[f].path), 0);
	}
	rmap_free(&first);
}

/* ---- writing ---- */

static char *
events_json(const int64_t *ev, unsigned n)
{
	struct sp_strbuf sb;
	unsigned i;

	sp_strbuf_init(&sb);
	sp_strbuf_add(&sb, "[");
	for (i = 0; i < n; i++)
		if (ev[i] > 0)
			sp_strbuf_addf(&sb, "%s%" PRId64, sb.len > 1 ? "," : "",
			    ev[i]);
	sp_strbuf_add(&sb, "]");
	return sp_strbuf_detach(&sb, NULL);
}

/* The reason of an edge an audit record proves, in words. */
static void
recorded_reason(const struct b *b, const struct bedge *e, char *buf,
    size_t cap)
{
	const struct bnode *s = &b->n[e->src], *d = &b->n[e->dst];
	const char *k = e->kind;

	if (strcmp(k, "spawned") == 0)
		snprintf(buf, cap, "exec record of pid %" PRId64 " names ppid %"
		    PRId64, d->pid, s->pid);
	else if (strcmp(k, "executed") == 0 && s->kind == SP_GNODE_PROCESS)
		snprintf(buf, cap, "pid %" PRId64 " replaced its image with %s",
		    d->pid, d->exe != NULL ? d->exe : "?");
	else if (strcmp(k, "executed") == 0)
		snprintf(buf, cap, "pid %" PRId64 " executed %s", d->pid,
		    s->path != NULL ? s->path : "?");
	else if (strcmp(k, "connected") == 0)
		snprintf(buf, cap, "pid %" PRId64 " connected to %s port %"
		    PRId64, s->pid, d->address != NULL ? d->address : "?",
		    d->port == NONE ? -1 : d->port);
	else
		goto other;
	goto count;
other:
	if (strcmp(k, "read") == 0)
		snprintf(buf, cap, "pid %" PRId64 " opened %s", d->pid,
		    s->path != NULL ? s->path : "?");
	else
		snprintf(buf, cap, "%s %s by pid %" PRId64 " (audit record)", k,
		    d->path != NULL ? d->path : "?", s->pid);
count:
	if (e->count > 1) {
		char iso[SP_TIME_ISO_MAX];
		size_t n = strlen(buf);
		snprintf(buf + n, cap - n, ", %u times until %s", e->count,
		    sp_time_format_iso(e->t_last, 0, iso, sizeof(iso)));
	}
}

static int
write_graph(struct b *b, struct sp_rca_build_stats *st, struct sp_err *err)
{
	char why[4600], fdetail[64];
	struct sp_graph_writer *w = NULL;
	struct sp_graph_info info;
	struct sp_strbuf miss;
	size_t i;
	int rc, m;

	if ((rc = sp_graph_writer_begin(&w, b->run, err)) != SP_OK)
		return rc;
	for (i = 0; i < b->nn; i++) {
		struct bnode *bn = &b->n[i];
		struct sp_gnode g;
		char *ev = events_json(bn->ev, bn->nev);

		memset(&g, 0, sizeof(g));
		g.id = (int64_t)i + 1;
		g.kind = bn->kind;
		g.type = bn->type;
		g.host = bn->host;
		g.start_ns = bn->start;
		g.end_ns = bn->end;
		g.pid = bn->pid;
		g.ppid = bn->ppid;
		g.uid = bn->uid;
		g.euid = bn->euid;
		g.auid = bn->auid;
		g.ses = bn->ses;
		g.exe = bn->exe;
		g.argv = bn->argv;
		g.cwd = bn->cwd;
		g.tty = bn->tty;
		g.comm = bn->comm;
		g.inferred = bn->inferred;
		g.user = bn->user;
		g.address = bn->address;
		g.method = bn->method;
		g.port = bn->port;
		g.name = bn->name;
		g.path = bn->path;
		g.sha256 = bn->sha256;
		g.file_id = bn->file_id;
		g.inode = bn->inode;
		g.detail = bn->detail;
		g.events = ev;
		if (bn->kind == SP_GNODE_OBJECT && strcmp(bn->type, "cron") ==
		    0) {
			/* cron: name = the line, argv held the command */
			g.argv = NULL;
			g.detail = bn->argv;
		}
		if (bn->kind == SP_GNODE_OBJECT && strcmp(bn->type,
		    "request") == 0) {
			g.port = NONE;
			g.detail = NULL;
		}
		if (bn->kind == SP_GNODE_OBJECT && strcmp(bn->type,
		    "endpoint") == 0 && bn->address != NULL) {
			int64_t nf = failed_logins(b, bn->address);
			if (nf > 0) {
				snprintf(fdetail, sizeof(fdetail),
				    "{\"failed_logins\":%" PRId64 "}", nf);
				g.detail = fdetail;
			}
		}
		rc = sp_graph_writer_node(w, &g, err);
		free(ev);
		if (rc != SP_OK)
			goto out;
		if (bn->kind == SP_GNODE_PROCESS)
			st->processes++;
		else if (bn->kind == SP_GNODE_SESSION)
			st->sessions++;
		else
			st->objects++;
	}
	for (i = 0; i < b->ne; i++) {
		struct bedge *be = &b->e[i];
		struct sp_gedge g;
		char *ev;

		/* running a program nothing here wrote explains nothing */
		if (strcmp(be->kind, "executed") == 0 &&
		    b->n[be->src].kind == SP_GNODE_OBJECT &&
		    !b->n[be->src].written) {
			st->edges--;
			continue;
		}
		ev = events_json(be->ev, 2);
		if (be->reason == NULL)
			recorded_reason(b, be, why, sizeof(why));
		memset(&g, 0, sizeof(g));
		g.src = be->src + 1;
		g.dst = be->dst + 1;
		g.src_kind = b->n[be->src].kind;
		g.dst_kind = b->n[be->dst].kind;
		g.kind = be->kind;
		g.time_ns = be->t;
		g.confidence = be->conf;
		g.reason = be->reason != NULL ? be->reason : why;
		g.events = ev;
		rc = sp_graph_writer_edge(w, &g, err);
		free(ev);
		if (rc != SP_OK)
			goto out;
	}
	st->edges += b->ne;
	st->inferred_edges = b->inferred;
	memset(&info, 0, sizeof(info));
	info.events = (int64_t)b->nevents;
	sp_strbuf_init(&miss);
	sp_strbuf_add(&miss, "[");
	for (m = 0; m < st->nmissing; m++) {
		sp_strbuf_addf(&miss, "%s\"%s\"", m ? "," : "",
		    st->missing[m]);
	}
	sp_strbuf_add(&miss, "]");
	info.missing = sp_strbuf_str(&miss);
	rc = sp_graph_writer_finish(w, &info, err);
	sp_strbuf_release(&miss);
out:
	sp_graph_writer_free(w);
	return rc;
}

/* The files of each detection are nodes, whatever else names them. */
static void
detection_files(struct b *b, struct sp_case *c, struct sp_err *err)
{
	struct sp_query_filter f;
	struct sp_query *q = NULL;
	int has;

	sp_query_filter_init(&f);
	if (sp_query_open_detections(&q, c, &f, NULL, err) != SP_OK)
		return;
	while (sp_query_next(q, &has, err) == SP_OK && has) {
		const struct sp_detection_row *d = sp_query_detection(q);
		int64_t fn;
		if (strcmp(d->target_kind, "file") != 0 || d->path == NULL)
			continue;
		fn = file_node(b, host_of(b, NULL), d->path, d->time_ns);
		if (fn >= 0 && d->file_id != SP_QUERY_NULL &&
		    b->n[fn].file_id == NONE)
			b->n[fn].file_id = d->file_id;
	}
	sp_query_close(q);
}

static void
b_free(struct b *b)
{
	size_t i;

	for (i = 0; i < b->nn; i++) {
		struct bnode *n = &b->n[i];
		free(n->address);
		free(n->method);
		free(n->name);
		free(n->path);
		free(n->detail);
		free(n->sha256);
	}
	big_free(b->n, b->cn * sizeof(*b->n));
	for (i = 0; i < b->ne; i++)
		free(b->e[i].reason);
	big_free(b->e, b->ce * sizeof(*b->e));
	for (i = 0; i < b->nrq; i++) {
		free(b->rq[i].client);
		free(b->rq[i].method);
		free(b->rq[i].path);
		free(b->rq[i].ua);
	}
	free(b->rq);
	for (i = 0; i < b->nhs; i++) {
		free(b->hs[i].command);
		free(b->hs[i].time_source);
	}
	free(b->hs);
	rmap_free(&b->map);
	rmap_free(&b->failed);
	free(b->priv);
	rmap_free(&b->istr);
	free((char *)b->only_host);
}

static void
missing(struct sp_rca_build_stats *st, const char *text)
{
	if (st->nmissing < 4)
		snprintf(st->missing[st->nmissing++],
		    sizeof(st->missing[0]), "%s", text);
}

/* ---- the reader thread ---- */

#define FEED_SLOTS 256
#define FEED_BATCH 64

/* One event read ahead: its row and fields, in storage of its own. */
struct slot {
	struct sp_event_row r;
	struct rca_fields f;
	char *buf;		/* the row's strings */
	size_t cap;
	char *arena;		/* the fields' strings */
	size_t acap;
};

struct feed {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t can_fill, can_take;
	struct slot slots[FEED_SLOTS];
	size_t head, tail;	/* taken, filled */
	int done, stop, started;
	int rc;
	struct sp_err err;
	struct sp_query *q;
};

/* s copied into the slot's buffer at *used; its copy, or NULL. */
static const char *
slot_str(struct slot *sl, size_t *used, const char *s)
{
	size_t n;
	char *d;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	if (*used + n > sl->cap)
		return NULL;
	d = sl->buf + *used;
	memcpy(d, s, n);
	*used += n;
	return d;
}

static size_t
row_len(const struct sp_event_row *r)
{
	const char *v[] = { r->time_desc, r->artifact, r->host, r->user,
	    r->exe, r->path, r->extra, r->tty, r->cwd };
	size_t i, n = 0;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		n += v[i] != NULL ? strlen(v[i]) + 1 : 0;
	return n;
}

static int
slot_fill(struct slot *sl, const struct sp_event_row *r)
{
	size_t need = row_len(r), used = 0;

	if (need > sl->cap) {
		char *nb = realloc(sl->buf, need + 1024);
		if (nb == NULL)
			return SP_E_NOMEM;
		sl->buf = nb;
		sl->cap = need + 1024;
	}
	memset(&sl->r, 0, sizeof(sl->r));
	sl->r.id = r->id;
	sl->r.time_ns = r->time_ns;
	sl->r.source_id = r->source_id;
	sl->r.file_id = r->file_id;
	sl->r.origin_file_id = r->origin_file_id;
	sl->r.pid = r->pid;
	sl->r.ppid = r->ppid;
	sl->r.session = r->session;
	sl->r.auid = r->auid;
	sl->r.origin_line = r->origin_line;
	sl->r.origin_offset = r->origin_offset;
	sl->r.run_id = r->run_id;
	sl->r.inode = r->inode;
	sl->r.time_desc = slot_str(sl, &used, r->time_desc);
	sl->r.artifact = slot_str(sl, &used, r->artifact);
	sl->r.host = slot_str(sl, &used, r->host);
	sl->r.user = slot_str(sl, &used, r->user);
	sl->r.exe = slot_str(sl, &used, r->exe);
	sl->r.path = slot_str(sl, &used, r->path);
	sl->r.extra = slot_str(sl, &used, r->extra);
	sl->r.tty = slot_str(sl, &used, r->tty);
	sl->r.cwd = slot_str(sl, &used, r->cwd);
	if (sl->r.time_desc == NULL)
		sl->r.time_desc = "";
	if (sl->r.artifact == NULL)
		sl->r.artifact = "";
	rca_fields_read(&sl->f, sl->r.extra, &sl->arena, &sl->acap);
	return SP_OK;
}

static void *
feed_main(void *arg)
{
	struct feed *fd = arg;
	int has = 1, rc = SP_OK;

	while (has && rc == SP_OK) {
		size_t room, filled = 0, at;

		pthread_mutex_lock(&fd->mu);
		while (fd->tail - fd->head == FEED_SLOTS && !fd->stop)
			pthread_cond_wait(&fd->can_fill, &fd->mu);
		if (fd->stop) {
			pthread_mutex_unlock(&fd->mu);
			break;
		}
		room = FEED_SLOTS - (fd->tail - fd->head);
		at = fd->tail;
		pthread_mutex_unlock(&fd->mu);
		/* fill a batch of the free slots, then hand them over */
		if (room > FEED_BATCH)
			room = FEED_BATCH;
		while (filled < room) {
			struct slot *sl = &fd->slots[(at + filled) % FEED_SLOTS];
			if ((rc = sp_query_next(fd->q, &has, &fd->err)) !=
			    SP_OK || !has)
				break;
			if ((rc = slot_fill(sl, sp_query_event(fd->q))) !=
			    SP_OK) {
				sp_err_set(&fd->err, rc, 0, "out of memory "
				    "reading events");
				break;
			}
			filled++;
		}
		pthread_mutex_lock(&fd->mu);
		fd->tail += filled;
		pthread_cond_signal(&fd->can_take);
		pthread_mutex_unlock(&fd->mu);
	}
	pthread_mutex_lock(&fd->mu);
	fd->rc = rc;
	fd->done = 1;
	pthread_cond_signal(&fd->can_take);
	pthread_mutex_unlock(&fd->mu);
	return NULL;
}

static int
feed_start(struct feed *fd, struct sp_query *q, struct sp_err *err)
{
	memset(fd, 0, sizeof(*fd));
	sp_err_init(&fd->err);
	fd->q = q;
	pthread_mutex_init(&fd->mu, NULL);
	pthread_cond_init(&fd->can_fill, NULL);
	pthread_cond_init(&fd->can_take, NULL);
	if (pthread_create(&fd->th, NULL, feed_main, fd) != 0)
		return sp_err_set(err, SP_E_OS, errno, "cannot start the "
		    "reader thread");
	fd->started = 1;
	return SP_OK;
}

/*
 * The events read and not yet taken: the first in *first, how many
 * returned (0 at the end, or when the reader failed).
 */
static size_t
feed_take(struct feed *fd, size_t *first)
{
	size_t n;

	pthread_mutex_lock(&fd->mu);
	while (fd->tail == fd->head && !fd->done)
		pthread_cond_wait(&fd->can_take, &fd->mu);
	n = fd->tail - fd->head;
	*first = fd->head;
	pthread_mutex_unlock(&fd->mu);
	return n;
}

/* The n events taken are used: their slots may be filled again. */
static void
feed_done(struct feed *fd, size_t n)
{
	pthread_mutex_lock(&fd->mu);
	fd->head += n;
	pthread_cond_signal(&fd->can_fill);
	pthread_mutex_unlock(&fd->mu);
}

/* Stop the reader, wait for it, free the slots; its status. */
static int
feed_stop(struct feed *fd)
{
	size_t i;

	if (!fd->started)
		return SP_OK;
	pthread_mutex_lock(&fd->mu);
	fd->stop = 1;
	pthread_cond_signal(&fd->can_fill);
	pthread_mutex_unlock(&fd->mu);
	pthread_join(fd->th, NULL);
	fd->started = 0;
	for (i = 0; i < FEED_SLOTS; i++) {
		free(fd->slots[i].buf);
		free(fd->slots[i].arena);
	}
	pthread_cond_destroy(&fd->can_fill);
	pthread_cond_destroy(&fd->can_take);
	pthread_mutex_destroy(&fd->mu);
	return fd->rc;
}

int
sp_rca_build(struct sp_run *run, struct sp_rca_build_stats *st,
    struct sp_err *err)
{
	static const char *const arts[] = { "audit", "auth", "wtmp", "btmp",
	    "utmp", "web", "persistence", "bash_history", "zsh_history",
	    "cron", "process", "socket" };
	struct sp_case *c = sp_run_case(run);
	struct sp_query_filter flt;
	struct sp_query *q = NULL;
	struct b b;
	struct timespec t0;
	struct feed fd;
	int rc, has;

	memset(st, 0, sizeof(*st));
	memset(&b, 0, sizeof(b));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	b.run = run;
	if (c == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "rca: the run has no "
		    "case");

	/* the one host of a case that names one */
	sp_query_filter_init(&flt);
	flt.artifacts = arts;
	flt.nartifacts = 1;
	{
		struct sp_query *hq = NULL;
		struct sp_query_filter hf;
		sp_query_filter_init(&hf);
		if (sp_query_open_events(&hq, c, &hf, &(struct sp_query_page){
		    0, NULL, NULL, 200 }, err) == SP_OK) {
			while (sp_query_next(hq, &has, err) == SP_OK && has) {
				const struct sp_event_row *r =
				    sp_query_event(hq);
				if (r->host != NULL && *r->host != '\0' &&
				    b.only_host == NULL)
					b.only_host = strdup(r->host);
			}
		}
		sp_query_close(hq);
	}

	detection_files(&b, c, err);
	flt.artifacts = arts;
	flt.nartifacts = sizeof(arts) / sizeof(arts[0]);
	flt.bare = 1;
	if ((rc = sp_query_open_events(&q, c, &flt, NULL, err)) != SP_OK)
		goto out;
	/* one thread steps the cursor and reads the typed fields, this one
	 * builds: the two halves of the read overlap */
	if ((rc = feed_start(&fd, q, err)) != SP_OK)
		goto out;
	for (;;) {
		size_t first, n, k;

		if ((n = feed_take(&fd, &first)) == 0)
			break;
		for (k = 0; k < n; k++) {
			struct slot *sl = &fd.slots[(first + k) % FEED_SLOTS];
			const struct sp_event_row *r = &sl->r;
			struct rca_fields *f = &sl->f;
			const char *host;

			b.nevents++;
			host = host_of(&b, r->host);
			if (strcmp(r->artifact, "audit") == 0) {
				b.by_art[A_AUDIT]++;
				on_audit(&b, r, host, f);
			} else if (strcmp(r->artifact, "auth") == 0) {
				b.by_art[A_AUTH]++;
				on_auth(&b, r, host, f);
			} else if (strcmp(r->artifact, "web") == 0) {
				b.by_art[A_WEB]++;
				on_web(&b, r, f);
			} else if (strcmp(r->artifact, "persistence") == 0) {
				b.by_art[A_PERSIST]++;
				on_persistence(&b, r, host, f);
			} else if (strcmp(r->artifact, "cron") == 0) {
				b.by_art[A_CRON]++;
				on_cron_exec(&b, r, host, f);
			} else if (strstr(r->artifact, "history") != NULL) {
				b.by_art[A_HIST]++;
				on_history(&b, r, host, f);
			} else if (strcmp(r->artifact, "process") == 0 ||
			    strcmp(r->artifact, "socket") == 0) {
				on_collected(&b, r, host, f);
			} else {
				b.by_art[A_WTMP]++;
				on_utmp(&b, r, host, f);
			}
		}
		feed_done(&fd, n);
		if (b.nomem) {
			feed_stop(&fd);
			rc = sp_err_set(err, SP_E_NOMEM, 0, "out of memory "
			    "building the causal graph");
			goto out;
		}
	}
	if ((rc = feed_stop(&fd)) != SP_OK) {
		sp_err_set(err, rc, 0, "%s", fd.err.msg);
		goto out;
	}
	sp_query_close(q);
	q = NULL;
	st->read_s = sp_time_elapsed(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	b.have_audit = b.by_art[A_AUDIT] > 0;
	join_orphans(&b);
	join_keys(&b);
	link_files(&b, c, b.by_art[A_AUDIT] > 0, err);
	join_web(&b);
	join_units(&b);
	join_history(&b, b.by_art[A_AUDIT] > 0);
	if (b.nomem) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "out of memory building "
		    "the causal graph");
		goto out;
	}
	st->events = b.nevents;
	if (b.by_art[A_AUDIT] == 0)
		missing(st, "no audit records: processes, file writes and "
		    "connections inferred from web requests, file times and "
		    "owners, shell history and log lines");
	if (b.by_art[A_AUTH] == 0)
		missing(st, "no authentication log (auth.log, secure): logins "
		    "taken from wtmp and audit, without method or key");
	if (b.by_art[A_WTMP] == 0)
		missing(st, "no wtmp or btmp records");
	if (b.by_art[A_WEB] == 0 && b.saw_web_server)
		missing(st, "no web server access log, though a web server "
		    "ran");
	st->join_s = sp_time_elapsed(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = write_graph(&b, st, err);
	st->write_s = sp_time_elapsed(&t0);
out:
	sp_query_close(q);
	b_free(&b);
	return rc;
}
