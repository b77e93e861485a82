/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Anti-forensics as findings (see include/spoor/timeline.h and
 * spoor-heuristics(7)): once a source is loaded, its files and events are
 * read back through the query cursors and compared with each other, the
 * way an examiner does when a log does not add up.  Each finding is a
 * detection of type "heuristic", namespace "antiforensics", with the
 * reason in words and an event on the timeline where it happened.
 *
 * Every check wants two witnesses before it speaks, because a quiet log
 * is usually just a quiet host: a logout without its login only after a
 * boot record in the same wtmp (so wtmp covers the login's time), a
 * login on a terminal only when wtmp covers its time, an audit serial gap
 * only when large and with no daemon start or boot in it, a log that
 * stops only when many files changed well after it and it is the current
 * (not a rotated) log.
 */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "spoor/artifact.h"
#include "spoor/json.h"
#include "spoor/query.h"
#include "spoor/severity.h"
#include "spoor/store.h"
#include "spoor/timeline.h"

#define NS		SP_NS_PER_SEC
/* A login elsewhere and its wtmp record are this close. */
#define LOGIN_SLACK	(120 * NS)
/*
 * Missing audit serials that make a gap: a burst of activity the rules
 * do not log still leaves gaps of hundreds in real logs.
 */
#define SERIAL_GAP	1000
/* A fall of the serial below the highest seen that is not a reordering. */
#define SERIAL_FALL	50
/* A boot this close to a serial restart explains it. */
#define BOOT_SLACK	(600 * NS)
/* A log stops early when FILES_AFTER files changed STOP_AFTER after it. */
#define STOP_AFTER	(86400 * NS)
#define FILES_AFTER	20
#define TOP_FILES	32
/* Bounds on what is kept of one source. */
#define MAX_RECORDS	1000000
#define MAX_ORIGINS	4096

struct top_file {
	sp_time_ns mtime;
	char *path;
};

/* A file the checks look at: a log, a login record file, a history. */
struct watched {
	char *path;
	int64_t file_id;
	int fs_index;
	uint64_t inode;
	int meta_type;
	char *link;
	uint64_t size;
	sp_time_ns mtime, ctime, crtime;
	int history;
};

/* One record of a login record file, as its event says. */
struct wrec {
	size_t origin;
	int64_t offset;
	sp_time_ns time;
	char type[16];
	char line[40];
	char user[40];
	char desc[16];
	int64_t pid;
	int paired, zeroed;
};

/* A login on a terminal seen by a log other than wtmp. */
struct login {
	sp_time_ns time;
	char user[40];
	char tty[40];
	char artifact[16];
	char origin[256];
};

struct origin {
	char *path;
	char artifact[16];
	sp_time_ns first, last;
	uint64_t events;
};

/* The audit serials of one log and node. */
struct serials {
	size_t origin;
	char node[64];
	int have;
	uint64_t last, max;
	sp_time_ns last_time;
	int started;		/* a daemon start or boot since the last */
};

/* A finding met while a cursor is open, reported once it is closed. */
struct pending {
	struct finding_copy {
		const char *name;
		int sev;
		sp_time_ns time;
		size_t origin;
		char *reason;
	} f;
};

struct af {
	struct pending *pend;
	size_t npend;
	struct sp_store *store;
	struct sp_run *run;
	int64_t source_id;
	struct sp_err *err;
	uint64_t found;
	struct top_file top[TOP_FILES];
	size_t ntop;
	struct watched *w;
	size_t nw;
	struct wrec *recs;
	size_t nrecs;
	struct login *logins;
	size_t nlogins;
	struct origin *origins;
	size_t norigins;
	struct serials *ser;
	size_t nser;
	sp_time_ns *boots;
	size_t nboots;
	int truncated;
};

/* ---- what an event's extra says ---- */

struct xf {
	char type[24];
	char line[40];
	char node[64];
	char auid_name[40];
	int login_time, zeroed, has_serial, has_auid;
	int64_t serial, auid;
};

static void
copy_str(const struct sp_json_val *v, char *out, size_t size)
{
	char *s = sp_json_string(v);

	snprintf(out, size, "%s", s != NULL ? s : "");
	free(s);
}

static int
on_member(const char *k, size_t kl, const struct sp_json_val *v, void *arg)
{
	struct xf *x = arg;

	if (kl == 4 && memcmp(k, "type", 4) == 0)
		copy_str(v, x->type, sizeof(x->type));
	else if (kl == 4 && memcmp(k, "line", 4) == 0)
		copy_str(v, x->line, sizeof(x->line));
	else if (kl == 4 && memcmp(k, "node", 4) == 0)
		copy_str(v, x->node, sizeof(x->node));
	else if (kl == 10 && memcmp(k, "login_time", 10) == 0)
		x->login_time = 1;
	else if (kl == 6 && memcmp(k, "zeroed", 6) == 0)
		x->zeroed = v->type == SP_JSON_TRUE;
	else if (kl == 6 && memcmp(k, "serial", 6) == 0)
		x->has_serial = sp_json_integer(v, &x->serial) == 0;
	else if (kl == 4 && memcmp(k, "auid", 4) == 0)
		x->has_auid = sp_json_integer(v, &x->auid) == 0;
	else if (kl == 9 && memcmp(k, "auid_name", 9) == 0)
		copy_str(v, x->auid_name, sizeof(x->auid_name));
	return 0;
}

static void
read_extra(const char *extra, struct xf *x)
{
	memset(x, 0, sizeof(*x));
	if (extra != NULL)
		(void)sp_json_members(extra, strlen(extra), on_member, x);
}

static size_t
origin_index(struct af *a, const char *path, const char *artifact)
{
	size_t i;

	for (i = a->norigins; i > 0; i--)
		if (strcmp(a->origins[i - 1].path, path) == 0)
			return i - 1;
	if (a->norigins >= MAX_ORIGINS ||
	    sp_array_grow_count((void **)&a->origins, a->norigins, sizeof(*a->origins)) != 0)
		return SIZE_MAX;
	memset(&a->origins[a->norigins], 0, sizeof(*a->origins));
	if ((a->origins[a->norigins].path = strdup(path)) == NULL)
		return SIZE_MAX;
	snprintf(a->origins[a->norigins].artifact,
	    sizeof(a->origins[0].artifact), "%s", artifact);
	a->origins[a->norigins].first = SP_TIME_NONE;
	a->origins[a->norigins].last = SP_TIME_NONE;
	return a->norigins++;
}

static const struct watched *
watched_at(const struct af *a, const char *path)
{
	size_t i;

	for (i = 0; i < a->nw; i++)
		if (strcmp(a->w[i].path, path) == 0)
			return &a->w[i];
	return NULL;
}

/* ---- the files ---- */

static int
is_history(const char *path)
{
	const struct sp_artifact_kind *k = sp_artifact_match(path);

	return k != NULL && (strcmp(k->name, "bash_history") == 0 ||
	    strcmp(k->name, "zsh_history") == 0);
}

/* A log the checks read: login records, syslog's family, audit. */
static int
is_watched_log(const char *path)
{
	const struct sp_artifact_kind *k = sp_artifact_match(path);

	return k != NULL && (strcmp(k->name, "utmp") == 0 ||
	    strcmp(k->name, "syslog") == 0 || strcmp(k->name, "audit") == 0);
}

static void
note_top(struct af *a, const struct sp_entry *e)
{
	size_t i, min = 0;

	if (a->ntop < TOP_FILES) {
		if ((a->top[a->ntop].path = strdup(e->path)) == NULL)
			return;
		a->top[a->ntop++].mtime = e->mtime;
		return;
	}
	for (i = 1; i < a->ntop; i++)
		if (a->top[i].mtime < a->top[min].mtime)
			min = i;
	if (e->mtime <= a->top[min].mtime)
		return;
	free(a->top[min].path);
	a->top[min].path = strdup(e->path);
	a->top[min].mtime = e->mtime;
}

static int
read_files(struct af *a, struct sp_case *c)
{
	struct sp_query_filter f;
	struct sp_query *q = NULL;
	const struct sp_file_row *r;
	const struct sp_entry *e;
	struct watched *w;
	int has, rc;

	sp_query_filter_init(&f);
	f.source_id = a->source_id;
	if ((rc = sp_query_open_files(&q, c, &f, a->err)) != SP_OK)
		return rc;
	while ((rc = sp_query_next(q, &has, a->err)) == SP_OK && has) {
		r = sp_query_file(q);
		e = &r->entry;
		if (!r->allocated || (e->flags & (SP_ENTRY_DELETED |
		    SP_ENTRY_STREAM | SP_ENTRY_FILE_NAME)))
			continue;
		if (e->meta_type == SP_TYPE_REG && e->mtime != SP_TIME_NONE)
			note_top(a, e);
		if (!is_history(e->path) && !(e->meta_type == SP_TYPE_REG &&
		    is_watched_log(e->path)))
			continue;
		if (sp_array_grow_count((void **)&a->w, a->nw, sizeof(*a->w)) != 0)
			break;
		w = &a->w[a->nw];
		memset(w, 0, sizeof(*w));
		if ((w->path = strdup(e->path)) == NULL)
			break;
		w->link = e->link != NULL ? strdup(e->link) : NULL;
		w->file_id = r->id;
		w->fs_index = (int)e->fs_index;
		w->inode = e->inode;
		w->meta_type = e->meta_type;
		w->size = e->size;
		w->mtime = e->mtime;
		w->ctime = e->ctime;
		w->crtime = e->crtime;
		w->history = is_history(e->path);
		a->nw++;
	}
	sp_query_close(q);
	return rc;
}

/* ---- the events ---- */

static int
is_login_records(const char *artifact)
{
	return strcmp(artifact, "wtmp") == 0 || strcmp(artifact, "utmp") == 0 ||
	    strcmp(artifact, "btmp") == 0;
}

static int
is_terminal(const char *tty)
{
	if (tty == NULL)
		return 0;
	if (strncmp(tty, "/dev/", 5) == 0)
		tty += 5;
	return strncmp(tty, "pts", 3) == 0 || strncmp(tty, "tty", 3) == 0;
}

static int
add_boot(struct af *a, sp_time_ns t)
{
	if (sp_array_grow_count((void **)&a->boots, a->nboots, sizeof(*a->boots)) != 0)
		return -1;
	a->boots[a->nboots++] = t;
	return 0;
}

static int boot_near(const struct af *a, sp_time_ns t, sp_time_ns slack);

/* What an audit event's serial says, against the last of its log. */
static int finding_serial(struct af *a, const struct serials *s,
    const struct sp_event_row *ev, uint64_t serial, int restart);

static int
on_audit(struct af *a, const struct sp_event_row *ev, size_t origin,
    const struct xf *x)
{
	struct serials *s = NULL;
	uint64_t serial;
	size_t i;
	int start = strcmp(x->type, "DAEMON_START") == 0 ||
	    strcmp(x->type, "DAEMON_END") == 0 ||
	    strcmp(x->type, "DAEMON_ABORT") == 0 ||
	    strcmp(x->type, "SYSTEM_BOOT") == 0 ||
	    strcmp(x->type, "DAEMON_RESUME") == 0 ||
	    strcmp(x->type, "DAEMON_ROTATE") == 0;
	int rc = SP_OK;

	if (!x->has_serial || x->serial < 0)
		return SP_OK;
	serial = (uint64_t)x->serial;
	for (i = 0; i < a->nser; i++)
		if (a->ser[i].origin == origin &&
		    strcmp(a->ser[i].node, x->node) == 0)
			s = &a->ser[i];
	if (s == NULL) {
		if (sp_array_grow_count((void **)&a->ser, a->nser, sizeof(*a->ser)) != 0)
			return SP_OK;
		s = &a->ser[a->nser++];
		memset(s, 0, sizeof(*s));
		s->origin = origin;
		snprintf(s->node, sizeof(s->node), "%s", x->node);
	}
	if (start) {
		s->started = 1;
		return SP_OK;
	}
	if (s->have && !s->started) {
		if (serial > s->max && serial - s->max - 1 >= SERIAL_GAP)
			rc = finding_serial(a, s, ev, serial, 0);
		else if (serial + SERIAL_FALL < s->max &&
		    !boot_near(a, ev->time_ns, BOOT_SLACK))
			rc = finding_serial(a, s, ev, serial, 1);
	}
	if (!s->have || s->started || serial + SERIAL_FALL < s->max)
		s->max = serial;	/* a new count from here */
	else if (serial > s->max)
		s->max = serial;
	s->have = 1;
	s->started = 0;
	s->last = serial;
	s->last_time = ev->time_ns;
	return rc;
}

static int
on_event(struct af *a, const struct sp_event_row *ev, int audit_pass)
{
	struct xf x;
	struct wrec *r;
	struct login *lg;
	struct origin *o;
	size_t oi;

	if (ev->origin == NULL || ev->artifact == NULL)
		return SP_OK;
	if ((oi = origin_index(a, ev->origin, ev->artifact)) == SIZE_MAX)
		return SP_OK;
	o = &a->origins[oi];
	if (audit_pass) {
		if (strcmp(ev->artifact, "audit") != 0)
			return SP_OK;
		read_extra(ev->extra, &x);
		return on_audit(a, ev, oi, &x);
	}
	if (ev->time_ns > 0 && (o->last == SP_TIME_NONE ||
	    ev->time_ns > o->last))
		o->last = ev->time_ns;
	if (ev->time_ns > 0 && (o->first == SP_TIME_NONE ||
	    ev->time_ns < o->first))
		o->first = ev->time_ns;
	o->events++;
	if (ev->time_desc != NULL && strcmp(ev->time_desc, "boot") == 0 &&
	    strcmp(ev->artifact, "btmp") != 0)
		(void)add_boot(a, ev->time_ns);
	read_extra(ev->extra, &x);
	if (is_login_records(ev->artifact)) {
		if (a->nrecs >= MAX_RECORDS) {
			a->truncated = 1;
			return SP_OK;
		}
		if (sp_array_grow_count((void **)&a->recs, a->nrecs, sizeof(*a->recs)) != 0)
			return SP_OK;
		r = &a->recs[a->nrecs++];
		memset(r, 0, sizeof(*r));
		r->origin = oi;
		r->offset = ev->origin_offset;
		r->time = ev->time_ns;
		snprintf(r->type, sizeof(r->type), "%s", x.type);
		snprintf(r->line, sizeof(r->line), "%s", x.line);
		snprintf(r->user, sizeof(r->user), "%s", ev->user ? ev->user :
		    "");
		snprintf(r->desc, sizeof(r->desc), "%s", ev->time_desc ?
		    ev->time_desc : "");
		r->pid = ev->pid;
		r->paired = x.login_time;
		r->zeroed = x.zeroed;
		return SP_OK;
	}
	/* a login on a terminal in another log */
	if (ev->time_desc == NULL || strcmp(ev->time_desc, "login") != 0 ||
	    ev->user == NULL || ev->user[0] == '\0')
		return SP_OK;
	if (strcmp(ev->artifact, "lastlog") != 0 && !is_terminal(ev->tty))
		return SP_OK;
	if (a->nlogins >= MAX_RECORDS ||
	    sp_array_grow_count((void **)&a->logins, a->nlogins, sizeof(*a->logins)) != 0)
		return SP_OK;
	lg = &a->logins[a->nlogins++];
	memset(lg, 0, sizeof(*lg));
	lg->time = ev->time_ns;
	snprintf(lg->user, sizeof(lg->user), "%s", ev->user);
	/* audit names the account by uid; its login uid has the name */
	if (strspn(ev->user, "0123456789") == strlen(ev->user) &&
	    x.has_auid && x.auid_name[0] != '\0' &&
	    x.auid == strtoll(ev->user, NULL, 10))
		snprintf(lg->user, sizeof(lg->user), "%s", x.auid_name);
	snprintf(lg->tty, sizeof(lg->tty), "%s", ev->tty ? ev->tty :
	    x.line);
	snprintf(lg->artifact, sizeof(lg->artifact), "%s", ev->artifact);
	snprintf(lg->origin, sizeof(lg->origin), "%s", ev->origin);
	return SP_OK;
}

static int
read_events(struct af *a, struct sp_case *c, int audit_pass)
{
	static const char *const kinds[] = { "wtmp", "utmp", "btmp",
	    "lastlog", "auth", "audit", "syslog", "cron" };
	static const char *const audit_only[] = { "audit" };
	struct sp_query_filter f;
	struct sp_query *q = NULL;
	int has, rc;

	sp_query_filter_init(&f);
	f.source_id = a->source_id;
	f.artifacts = audit_pass ? audit_only : kinds;
	f.nartifacts = audit_pass ? 1 : sizeof(kinds) / sizeof(kinds[0]);
	f.bare = 1;
	if ((rc = sp_query_open_events(&q, c, &f, NULL, a->err)) != SP_OK)
		return rc;
	while ((rc = sp_query_next(q, &has, a->err)) == SP_OK && has &&
	    (rc = on_event(a, sp_query_event(q), audit_pass)) == SP_OK)
		;
	sp_query_close(q);
	return rc;
}

static int
cmp_time(const void *x, const void *y)
{
	sp_time_ns a = *(const sp_time_ns *)x, b = *(const sp_time_ns *)y;

	return a < b ? -1 : a > b;
}

static int
boot_near(const struct af *a, sp_time_ns t, sp_time_ns slack)
{
	size_t i;

	for (i = 0; i < a->nboots; i++)
		if (a->boots[i] >= t - slack && a->boots[i] <= t + slack)
			return 1;
	return 0;
}

/* ---- findings ---- */

struct finding {
	const char *name;
	enum sp_severity sev;
	sp_time_ns time;
	const char *path;	/* the file it is about */
	const char *reason;
	const char *technique;	/* ATT&CK */
};

static int
report(struct af *a, const struct finding *fd)
{
	struct sp_detection_record d;
	const struct watched *w = watched_at(a, fd->path);
	struct sp_json wr;
	char *details = NULL, *msg = NULL;
	size_t dlen = 0;
	FILE *mf;
	int rc;

	if ((mf = open_memstream(&details, &dlen)) == NULL)
		return sp_err_set(a->err, SP_E_NOMEM, 0, "anti-forensics");
	sp_json_init(&wr, mf);
	sp_json_object_begin(&wr);
	sp_json_kv_int(&wr, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(&wr, "type", "heuristic");
	sp_json_kv_str(&wr, "namespace", "antiforensics");
	sp_json_kv_str(&wr, "name", fd->name);
	sp_json_kv_str(&wr, "severity", sp_severity_name(fd->sev));
	sp_json_kv_int(&wr, "score", sp_severity_score(fd->sev));
	sp_json_kv_str(&wr, "technique", fd->technique);
	sp_json_kv_str(&wr, "reason", fd->reason);
	sp_json_key(&wr, "target");
	sp_json_object_begin(&wr);
	sp_json_kv_str(&wr, "kind", "file");
	sp_json_kv_str(&wr, "path", fd->path);
	if (w != NULL) {
		sp_json_kv_int(&wr, "fs", w->fs_index);
		sp_json_kv_uint(&wr, "inode", w->inode);
	}
	sp_json_object_end(&wr);
	sp_json_object_end(&wr);
	if (fclose(mf) != 0 || details == NULL) {
		free(details);
		return sp_err_set(a->err, SP_E_NOMEM, 0, "anti-forensics");
	}
	if (asprintf(&msg, "heuristic antiforensics:%s (%s, score %d) in %s: "
	    "%s", fd->name, sp_severity_name(fd->sev),
	    sp_severity_score(fd->sev), fd->path, fd->reason) < 0)
		msg = NULL;
	memset(&d, 0, sizeof(d));
	d.source_id = a->source_id;
	d.file_id = w != NULL ? w->file_id : 0;
	d.time = fd->time;
	d.type = "heuristic";
	d.ns = "antiforensics";
	d.name = fd->name;
	d.severity = sp_severity_name(fd->sev);
	d.score = sp_severity_score(fd->sev);
	d.target_kind = "file";
	d.path = fd->path;
	d.fs_index = w != NULL ? w->fs_index : -1;
	d.inode = w != NULL ? w->inode : 0;
	d.pid = -1;
	d.reason = fd->reason;
	d.details = details;
	d.message = msg != NULL ? msg : fd->reason;
	d.origin = fd->path;
	rc = sp_store_detection_add(a->store, &d, a->err);
	free(details);
	free(msg);
	if (rc == SP_OK)
		a->found++;
	return rc;
}

static const char *
iso(sp_time_ns t, char *buf)
{
	return sp_time_format_iso(t, 0, buf, SP_TIME_ISO_MAX);
}

static int
cmp_rec(const void *x, const void *y)
{
	const struct wrec *a = x, *b = y;

	if (a->origin != b->origin)
		return a->origin < b->origin ? -1 : 1;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* Zeroed records, and logouts without a login, of one login record file. */
static int
check_records(struct af *a, size_t from, size_t to)
{
	const char *path = a->origins[a->recs[from].origin].path;
	char reason[768], t1[SP_TIME_ISO_MAX], t2[SP_TIME_ISO_MAX];
	char (*lines)[40] = NULL;
	size_t i, j, nlines = 0, k;
	sp_time_ns boot = SP_TIME_NONE;
	struct finding fd;
	int rc = SP_OK;

	for (i = from; i < to && rc == SP_OK; i++) {
		const struct wrec *r = &a->recs[i];
		if (r->zeroed) {
			const struct wrec *prev = NULL, *next = NULL;
			for (j = i; j < to && a->recs[j].zeroed; j++)
				;
			if (i > from)
				prev = &a->recs[i - 1];
			if (j < to)
				next = &a->recs[j];
			snprintf(reason, sizeof(reason), "%zu record%s at "
			    "offset %" PRId64 " of %s %s all zeros%s%s%s%s%s: "
			    "a login record overwritten in place, as log "
			    "wipers do", j - i, j - i == 1 ? "" : "s",
			    r->offset, path, j - i == 1 ? "is" : "are",
			    prev || next ? ", between " : "",
			    prev ? iso(prev->time, t1) : "the start",
			    prev || next ? " and " : "",
			    next ? iso(next->time, t2) : prev ? "the end" : "",
			    "");
			memset(&fd, 0, sizeof(fd));
			fd.name = "utmp_zeroed_record";
			fd.sev = SP_SEV_HIGH;
			fd.time = prev ? prev->time : next ? next->time :
			    SP_TIME_NONE;
			if (fd.time == SP_TIME_NONE) {
				const struct watched *w = watched_at(a, path);
				fd.time = w ? w->mtime : 0;
			}
			fd.path = path;
			fd.reason = reason;
			fd.technique = "T1070.002";
			rc = report(a, &fd);
			i = j - 1;
			continue;
		}
		if (strcmp(r->type, "BOOT_TIME") == 0 ||
		    strcmp(r->desc, "shutdown") == 0 ||
		    strcmp(r->user, "reboot") == 0) {
			boot = strcmp(r->desc, "shutdown") == 0 ? SP_TIME_NONE :
			    r->time;
			nlines = 0;
			continue;
		}
		if (r->line[0] == '\0' || strcmp(r->line, "~") == 0)
			continue;
		if (strcmp(r->type, "DEAD_PROCESS") != 0) {
			for (k = 0; k < nlines && strcmp(lines[k], r->line);
			    k++)
				;
			if (k == nlines) {
				if (sp_array_grow_count((void **)&lines, nlines, sizeof(*lines)) != 0)
					break;
				snprintf(lines[nlines++], sizeof(lines[0]),
				    "%s", r->line);
			}
			continue;
		}
		/* a logout: its login must be there, since the boot */
		if (r->paired || boot == SP_TIME_NONE)
			continue;
		for (k = 0; k < nlines && strcmp(lines[k], r->line); k++)
			;
		if (k < nlines)
			continue;
		snprintf(reason, sizeof(reason), "%s: a logout on %s (pid %"
		    PRId64 ") at %s, and no login or any other record on %s "
		    "since the boot at %s, which the file covers: the login "
		    "record was removed", path, r->line, r->pid > 0 ?
		    r->pid : 0, iso(r->time, t1), r->line, iso(boot, t2));
		memset(&fd, 0, sizeof(fd));
		fd.name = "logout_without_login";
		fd.sev = SP_SEV_MEDIUM;
		fd.time = r->time;
		fd.path = path;
		fd.reason = reason;
		fd.technique = "T1070.002";
		rc = report(a, &fd);
	}
	free(lines);
	return rc;
}

/* Logins on a terminal other logs saw, which wtmp covers and lacks. */
static int
check_logins(struct af *a)
{
	char reason[768], t1[SP_TIME_ISO_MAX], t2[SP_TIME_ISO_MAX];
	sp_time_ns first = SP_TIME_NONE, last = SP_TIME_NONE, wt;
	const char *wpath = NULL;
	struct finding fd;
	size_t i, j;
	int rc = SP_OK, seen;

	for (i = 0; i < a->nrecs; i++) {
		const struct wrec *r = &a->recs[i];
		const char *p = a->origins[r->origin].path;
		if (r->zeroed || r->time <= 0 ||
		    strstr(p, "wtmp") == NULL)
			continue;
		if (wpath == NULL || strcmp(p, "/var/log/wtmp") == 0)
			wpath = p;
		if (first == SP_TIME_NONE || r->time < first)
			first = r->time;
		if (last == SP_TIME_NONE || r->time > last)
			last = r->time;
	}
	if (wpath == NULL)
		return SP_OK;
	{
		const struct watched *w = watched_at(a, "/var/log/wtmp");
		if (w != NULL && w->mtime != SP_TIME_NONE && w->mtime > last)
			last = w->mtime;
	}
	for (i = 0; i < a->nlogins && rc == SP_OK; i++) {
		const struct login *lg = &a->logins[i];
		if (lg->time < first || lg->time > last)
			continue;	/* wtmp does not cover it */
		seen = 0;
		for (j = 0; j < a->nrecs && !seen; j++) {
			const struct wrec *r = &a->recs[j];
			wt = r->time;
			seen = strcmp(r->type, "USER_PROCESS") == 0 &&
			    strcmp(r->user, lg->user) == 0 &&
			    wt >= lg->time - LOGIN_SLACK &&
			    wt <= lg->time + LOGIN_SLACK;
		}
		if (seen)
			continue;
		snprintf(reason, sizeof(reason), "%s records a login of %s on "
		    "%s at %s, and %s, which holds records from %s on, has "
		    "no login of %s within %d s of it: the wtmp record was "
		    "removed", lg->origin, lg->user, lg->tty[0] ? lg->tty :
		    "a terminal", iso(lg->time, t1), wpath, iso(first, t2),
		    lg->user, (int)(LOGIN_SLACK / NS));
		memset(&fd, 0, sizeof(fd));
		fd.name = "login_missing_from_wtmp";
		fd.sev = SP_SEV_HIGH;
		fd.time = lg->time;
		fd.path = wpath;
		fd.reason = reason;
		fd.technique = "T1070.002";
		rc = report(a, &fd);
	}
	return rc;
}

/* The user whose history path is: /root, /home/NAME. */
static void
history_user(const char *path, char *user, size_t size)
{
	const char *p;

	user[0] = '\0';
	if (strncmp(path, "/root/", 6) == 0)
		snprintf(user, size, "root");
	else if (strncmp(path, "/home/", 6) == 0 &&
	    (p = strchr(path + 6, '/')) != NULL)
		snprintf(user, size, "%.*s", (int)(p - path - 6), path + 6);
}

/*
 * The end of the session of user that holds t (0 when still open at the
 * end of the records), or SP_TIME_NONE when no session of user holds t.
 */
static sp_time_ns
session_around(const struct af *a, const char *user, sp_time_ns t,
    sp_time_ns *login)
{
	size_t i, j;

	for (i = 0; i < a->nrecs; i++) {
		const struct wrec *r = &a->recs[i];
		sp_time_ns end = 0;
		if (strcmp(r->type, "USER_PROCESS") != 0 ||
		    strcmp(r->user, user) != 0 || r->time > t)
			continue;
		for (j = i + 1; j < a->nrecs && a->recs[j].origin == r->origin;
		    j++) {
			const struct wrec *n = &a->recs[j];
			if ((strcmp(n->type, "DEAD_PROCESS") == 0 &&
			    strcmp(n->line, r->line) == 0) ||
			    strcmp(n->type, "BOOT_TIME") == 0 ||
			    strcmp(n->desc, "shutdown") == 0) {
				end = n->time;
				break;
			}
		}
		if (end == 0 || end > t) {
			*login = r->time;
			return end;
		}
	}
	return SP_TIME_NONE;
}

static int
check_histories(struct af *a)
{
	char reason[768], user[64], t1[SP_TIME_ISO_MAX], t2[SP_TIME_ISO_MAX];
	char t3[SP_TIME_ISO_MAX];
	struct finding fd;
	sp_time_ns end, login = 0;
	size_t i;
	int rc = SP_OK;

	for (i = 0; i < a->nw && rc == SP_OK; i++) {
		const struct watched *w = &a->w[i];
		if (!w->history)
			continue;
		memset(&fd, 0, sizeof(fd));
		fd.path = w->path;
		fd.reason = reason;
		fd.technique = "T1070.003";
		if ((w->meta_type == SP_TYPE_LNK && w->link != NULL &&
		    strstr(w->link, "/dev/null") != NULL) ||
		    w->meta_type == SP_TYPE_CHR) {
			snprintf(reason, sizeof(reason), "%s is %s%s: the "
			    "shell's history goes nowhere", w->path,
			    w->meta_type == SP_TYPE_CHR ? "a character "
			    "device" : "a link to ", w->meta_type ==
			    SP_TYPE_CHR ? "" : w->link);
			fd.name = "history_to_dev_null";
			fd.sev = SP_SEV_MEDIUM;
			fd.time = w->crtime != SP_TIME_NONE ? w->crtime :
			    w->ctime != SP_TIME_NONE ? w->ctime : w->mtime;
			rc = report(a, &fd);
			continue;
		}
		if (w->meta_type != SP_TYPE_REG || w->size != 0 ||
		    w->mtime == SP_TIME_NONE)
			continue;
		history_user(w->path, user, sizeof(user));
		if (user[0] == '\0' || (end = session_around(a, user, w->mtime,
		    &login)) == SP_TIME_NONE)
			continue;
		/* a shell writes its history as it exits, at the logout */
		if (end != 0 && w->mtime >= end - 60 * NS)
			continue;
		snprintf(reason, sizeof(reason), "%s is empty and was last "
		    "written at %s, inside the session of %s from %s to %s: "
		    "a shell writes its history at the end of a session, so "
		    "it was emptied during one", w->path, iso(w->mtime, t1),
		    user, iso(login, t2), end ? iso(end, t3) : "the end of "
		    "the records");
		fd.name = "history_truncated";
		fd.sev = SP_SEV_MEDIUM;
		fd.time = w->mtime;
		rc = report(a, &fd);
	}
	return rc;
}

static int
finding_serial(struct af *a, const struct serials *s,
    const struct sp_event_row *ev, uint64_t serial, int restart)
{
	char reason[768], t1[SP_TIME_ISO_MAX], t2[SP_TIME_ISO_MAX];

	if (restart)
		snprintf(reason, sizeof(reason), "%s%s%s: the audit serial "
		    "falls from %" PRIu64 " (%s) to %" PRIu64 " (%s) with no "
		    "daemon start and no boot within %d s: the kernel numbers "
		    "records from boot, so records were spliced or the log "
		    "replaced", a->origins[s->origin].path, s->node[0] ?
		    " node " : "", s->node, s->max, iso(s->last_time, t1),
		    serial, iso(ev->time_ns, t2), (int)(BOOT_SLACK / NS));
	else
		snprintf(reason, sizeof(reason), "%s%s%s: %" PRIu64 " audit "
		    "serials are missing between %" PRIu64 " (%s) and %"
		    PRIu64 " (%s), with no daemon start or boot between: "
		    "records were removed (or lost by the kernel, which "
		    "auditctl -s counts as lost)", a->origins[s->origin].path,
		    s->node[0] ? " node " : "", s->node, serial - s->max - 1,
		    s->max, iso(s->last_time, t1), serial,
		    iso(ev->time_ns, t2));
	if (sp_array_grow_count((void **)&a->pend, a->npend, sizeof(*a->pend)) != 0 ||
	    (a->pend[a->npend].f.reason = strdup(reason)) == NULL)
		return sp_err_set(a->err, SP_E_NOMEM, 0, "anti-forensics");
	a->pend[a->npend].f.name = restart ? "audit_serial_restart" :
	    "audit_serial_gap";
	a->pend[a->npend].f.sev = restart ? SP_SEV_HIGH : SP_SEV_MEDIUM;
	a->pend[a->npend].f.time = restart ? ev->time_ns : s->last_time;
	a->pend[a->npend].f.origin = s->origin;
	a->npend++;
	return SP_OK;
}

static int
report_pending(struct af *a)
{
	struct finding fd;
	size_t i;
	int rc = SP_OK;

	for (i = 0; i < a->npend && rc == SP_OK; i++) {
		memset(&fd, 0, sizeof(fd));
		fd.name = a->pend[i].f.name;
		fd.sev = (enum sp_severity)a->pend[i].f.sev;
		fd.time = a->pend[i].f.time;
		fd.path = a->origins[a->pend[i].f.origin].path;
		fd.reason = a->pend[i].f.reason;
		fd.technique = "T1070.002";
		rc = report(a, &fd);
	}
	return rc;
}

/* A rotated log: name.1, name.2.gz, name-20240101. */
static int
rotated(const char *path)
{
	size_t n = strlen(path);

	return (n > 3 && strcmp(path + n - 3, ".gz") == 0) ||
	    (n > 0 && path[n - 1] >= '0' && path[n - 1] <= '9');
}

static int
check_stops(struct af *a)
{
	char reason[768], t1[SP_TIME_ISO_MAX], t2[SP_TIME_ISO_MAX];
	char t3[SP_TIME_ISO_MAX], t4[SP_TIME_ISO_MAX];
	struct finding fd;
	sp_time_ns after[TOP_FILES], nth;
	size_t i, j, n;
	int rc = SP_OK;

	for (i = 0; i < a->norigins && rc == SP_OK; i++) {
		const struct origin *o = &a->origins[i];
		const struct watched *w = watched_at(a, o->path);
		const struct sp_artifact_kind *k = sp_artifact_match(o->path);
		if (k == NULL || (strcmp(k->name, "syslog") != 0 &&
		    strcmp(k->name, "audit") != 0) || rotated(o->path) ||
		    o->last == SP_TIME_NONE || w == NULL)
			continue;
		for (j = n = 0; j < a->ntop; j++)
			if (strcmp(a->top[j].path, o->path) != 0 &&
			    a->top[j].mtime > o->last + STOP_AFTER)
				after[n++] = a->top[j].mtime;
		if (n < FILES_AFTER)
			continue;
		qsort(after, n, sizeof(after[0]), cmp_time);
		nth = after[n - FILES_AFTER];
		snprintf(reason, sizeof(reason), "the last entry of %s is of "
		    "%s, but %zu files of the file system were modified more "
		    "than %d hours later, up to %s (the %dth latest at %s)%s%s"
		    "%s: the log stops before the host's other activity, as "
		    "when its end was cut or logging was stopped", o->path,
		    iso(o->last, t1), n, (int)(STOP_AFTER / NS / 3600),
		    iso(after[n - 1], t2), FILES_AFTER, iso(nth, t3),
		    w->mtime > o->last + 3600 * NS ? "; the file itself was "
		    "modified at " : "", w->mtime > o->last + 3600 * NS ?
		    iso(w->mtime, t4) : "", w->mtime > o->last + 3600 * NS ?
		    ", after its last entry" : "");
		memset(&fd, 0, sizeof(fd));
		fd.name = "log_stops_early";
		fd.sev = SP_SEV_MEDIUM;
		fd.time = o->last;
		fd.path = o->path;
		fd.reason = reason;
		fd.technique = "T1070.002";
		rc = report(a, &fd);
	}
	return rc;
}

static void
af_release(struct af *a)
{
	size_t i;

	for (i = 0; i < a->ntop; i++)
		free(a->top[i].path);
	for (i = 0; i < a->nw; i++) {
		free(a->w[i].path);
		free(a->w[i].link);
	}
	free(a->w);
	for (i = 0; i < a->norigins; i++)
		free(a->origins[i].path);
	free(a->origins);
	free(a->recs);
	free(a->logins);
	free(a->ser);
	free(a->boots);
	for (i = 0; i < a->npend; i++)
		free(a->pend[i].f.reason);
	free(a->pend);
}

int
sp_antiforensics_run(struct sp_store *store, struct sp_run *run,
    int64_t source_id, uint64_t *found, struct sp_err *err)
{
	struct sp_case *c = sp_run_case(run);
	struct af a;
	size_t i, j;
	int rc;

	if (found != NULL)
		*found = 0;
	if (c == NULL)
		return SP_OK;
	memset(&a, 0, sizeof(a));
	a.store = store;
	a.run = run;
	a.source_id = source_id;
	a.err = err;
	/* read everything first: findings add events to what is read */
	if ((rc = read_files(&a, c)) != SP_OK ||
	    (rc = read_events(&a, c, 0)) != SP_OK)
		goto out;
	if (a.nboots > 0)
		qsort(a.boots, a.nboots, sizeof(*a.boots), cmp_time);
	if (a.nrecs > 0)
		qsort(a.recs, a.nrecs, sizeof(*a.recs), cmp_rec);
	if (a.truncated)
		sp_run_problem(run, "anti-forensics", SP_E_DATA, "more than %d "
		    "login records; the checks read the first only",
		    MAX_RECORDS);
	for (i = 0; i < a.nrecs && rc == SP_OK; i = j) {
		for (j = i; j < a.nrecs && a.recs[j].origin == a.recs[i].origin;
		    j++)
			;
		rc = check_records(&a, i, j);
	}
	if (rc == SP_OK)
		rc = check_logins(&a);
	if (rc == SP_OK)
		rc = check_histories(&a);
	if (rc == SP_OK)
		rc = check_stops(&a);
	/* the audit serials, in a pass of their own */
	if (rc == SP_OK)
		rc = read_events(&a, c, 1);
	if (rc == SP_OK)
		rc = report_pending(&a);
out:
	if (found != NULL)
		*found = a.found;
	af_release(&a);
	return rc;
}
