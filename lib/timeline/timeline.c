/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file system timeline (see include/spoor/timeline.h).  Entries go
 * into files, and each distinct time of an entry into events, through
 * the case's store (store.h) in batched transactions; the full-text index
 * is filled once per source at the end, which is far cheaper than a
 * trigger per row.  The source's own SHA-256 is computed by a second
 * thread while the walk runs, unless a source of the same size is already
 * in the case, when it must be known first to refuse a duplicate.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <zlib.h>

#include "spoor/artifact.h"
#include "spoor/hash.h"
#include "spoor/json.h"
#include "spoor/output.h"
#include "spoor/signal.h"
#include "spoor/timeline.h"
#include "spoor/case.h"
#include "spoor/container.h"
#include "spoor/evidence.h"
#include "spoor/store.h"
#include "spoor/severity.h"
#include "base/util.h"
#include "timeline/evq.h"
#include "timeline/walkq.h"

/* An artifact found during the walk, parsed once the walk is done. */
struct found {
	unsigned fs_index;
	struct sp_file_ref ref;	/* to read it by */
	char *path;
	sp_time_ns mtime;
	int64_t file_id;
	const struct sp_artifact_kind *kind;
};

/*
 * A file system's /etc/passwd, noted during the walk and read before the
 * artifacts of that file system are parsed, so their parsers can name
 * the users of records that only give a uid.
 */
struct passwd_file {
	unsigned fs_index;
	struct sp_file_ref ref;
	int loaded;
	struct sp_users *users;	/* NULL until loaded, or when unreadable */
};

/* The zone of one file system's local times, and where it was read. */
struct fs_zone {
	unsigned fs_index;
	struct sp_zone *zone;
	char from[160];
	char timezone_file[128];	/* /etc/timezone when it disagrees */
};

/*
 * How a source of evidence is known: its fingerprint, whether its own
 * SHA-256 is computed by this run, and the media hashes recorded
 * elsewhere (the E01's header, spoor-acquire's record of it), trusted as
 * recorded, not verified.
 */
struct identity {
	char fingerprint[SP_FINGERPRINT_HEX_MAX];
	int sha256_computed;
	char md5[SP_HASH_HEX_MAX], sha1[SP_HASH_HEX_MAX];
	char sha256[SP_HASH_HEX_MAX];
	char from[64];
};

struct loader {
	struct sp_store *store;
	struct sp_run *run;
	struct sp_evidence *ev;
	const struct sp_timeline_opts *opts;
	int64_t source_id;
	int64_t last_file_id;
	struct found *found;
	size_t nfound;
	struct passwd_file *passwds;
	size_t npasswds;
	int64_t artifact_file_id;	/* files row of the artifact parsed now */
	/* the users every artifact is read with (a collection's), or NULL */
	const struct sp_users *users;
	struct fs_zone *zones;		/* the file systems' zones */
	size_t nzones;
	struct sp_zone *override;	/* opts->zone, loaded */
	struct identity *id;		/* evidence: how the source is known */
	uint64_t files, events;
	const char *origin;		/* bodyfile path */
	uint64_t problems_before;	/* the run's problems at the start */
	int64_t origin_line;
	int rc;
	struct sp_err *err;
};

/* ---- the source's hash, on its own thread ---- */

struct hasher {
	pthread_t thread;
	int started;
	char **paths;
	size_t npaths;
	uint64_t bytes;
	uint64_t *seg_bytes;
	char (*seg_sha256)[SP_HASH_HEX_MAX];	/* each segment's own */
	char sha256[SP_HASH_HEX_MAX];		/* all segments in order */
	struct sp_err err;
	int rc;
	const struct sp_cancel *cancel;
};

static void *
hash_main(void *arg)
{
	struct hasher *h = arg;
	struct sp_hash *s = NULL, *seg = NULL;
	unsigned char *buf;
	ssize_t n;
	size_t i;
	int fd;

	sp_err_init(&h->err);
	if ((buf = malloc(1 << 20)) == NULL) {
		h->rc = sp_err_set(&h->err, SP_E_NOMEM, 0, "hash");
		return NULL;
	}
	if ((h->rc = sp_hash_new(&s, SP_HASH_SHA256, &h->err)) != SP_OK) {
		free(buf);
		return NULL;
	}
	for (i = 0; i < h->npaths && h->rc == SP_OK; i++) {
		if ((fd = open(h->paths[i], O_RDONLY | O_CLOEXEC)) < 0) {
			h->rc = sp_err_set(&h->err, sp_errno_code(errno), errno,
			    "'%s'", h->paths[i]);
			break;
		}
		/* one segment's hash is the whole hash: compute it once */
		if (h->npaths > 1 && (h->rc = sp_hash_new(&seg, SP_HASH_SHA256,
		    &h->err)) != SP_OK) {
			close(fd);
			break;
		}
		while ((n = read(fd, buf, 1 << 20)) > 0) {
			sp_hash_update(s, buf, (size_t)n);
			sp_hash_update(seg, buf, (size_t)n);
			h->bytes += (uint64_t)n;
			h->seg_bytes[i] += (uint64_t)n;
			if (sp_cancel_requested(h->cancel))
				break;
		}
		if (n < 0)
			h->rc = sp_err_set(&h->err, sp_errno_code(errno), errno,
			    "'%s'", h->paths[i]);
		else if (seg != NULL && sp_hash_final(seg, &h->err) == SP_OK)
			snprintf(h->seg_sha256[i], SP_HASH_HEX_MAX, "%s",
			    sp_hash_hex(seg, SP_HASH_SHA256));
		sp_hash_free(seg);
		seg = NULL;
		close(fd);
	}
	/* a hash of part of the evidence must never be stored as its own */
	if (h->rc == SP_OK && sp_cancel_requested(h->cancel))
		h->rc = sp_err_set(&h->err, SP_E_INTERRUPTED, 0, "hash");
	if (h->rc == SP_OK && (h->rc = sp_hash_final(s, &h->err)) == SP_OK) {
		snprintf(h->sha256, sizeof(h->sha256), "%s",
		    sp_hash_hex(s, SP_HASH_SHA256));
		if (h->npaths == 1)
			memcpy(h->seg_sha256[0], h->sha256, SP_HASH_HEX_MAX);
	}
	sp_hash_free(s);
	free(buf);
	return NULL;
}

/* ---- rows ---- */

static int
insert_entry(struct loader *l, const struct sp_entry *e,
    const struct sp_hash *h, const char *md5)
{
	sp_time_ns t[4] = { e->mtime, e->atime, e->ctime, e->crtime };
	sp_time_ns gt[4];
	unsigned gm[4], ng = 0, i, j;
	struct sp_fs_event fe;
	char desc[5];
	int64_t file_id;
	int rc;

	if ((rc = sp_store_file_add(l->store, l->source_id, e,
	    h ? sp_hash_hex(h, SP_HASH_MD5) : md5,
	    h ? sp_hash_hex(h, SP_HASH_SHA1) : NULL,
	    h ? sp_hash_hex(h, SP_HASH_SHA256) : NULL, &file_id, l->err))
	    != SP_OK)
		return rc;
	l->last_file_id = file_id;
	l->files++;

	/* one event per distinct time, its MACB letters together */
	for (i = 0; i < 4; i++) {
		if (t[i] == SP_TIME_NONE)
			continue;
		for (j = 0; j < ng && gt[j] != t[i]; j++)
			;
		if (j == ng) {
			gt[ng] = t[i];
			gm[ng++] = 0;
		}
		gm[j] |= 1u << i;
	}
	if (ng == 0)
		return SP_OK;
	memset(&fe, 0, sizeof(fe));
	fe.source_id = l->source_id;
	fe.file_id = file_id;
	fe.macb = desc;
	fe.host = l->opts->host;
	fe.origin = l->origin;
	fe.origin_line = l->origin_line;
	for (j = 0; j < ng; j++) {
		desc[0] = gm[j] & 1 ? 'm' : '.';
		desc[1] = gm[j] & 2 ? 'a' : '.';
		desc[2] = gm[j] & 4 ? 'c' : '.';
		desc[3] = gm[j] & 8 ? 'b' : '.';
		desc[4] = '\0';
		fe.time = gt[j];
		if ((rc = sp_store_fs_event_add(l->store, &fe, l->err)) != SP_OK)
			return rc;
		l->events++;
	}
	return SP_OK;
}

static int emit_event(const struct sp_event *e, void *arg);

/*
 * A unit is enabled by a symbolic link in a *.wants directory: there is
 * no content to parse, the link itself is the persistence entry.
 */
static int
note_enablement(struct loader *l, const struct sp_entry *e)
{
	static const char *const wants[] = {
		"/etc/systemd/system/*.wants/*",
		"/etc/systemd/user/*.wants/*",
		"/root/.config/systemd/user/*.wants/*",
		"/home/*/.config/systemd/user/*.wants/*",
	};
	const struct sp_artifact_kind *k = sp_artifact_find("systemd");
	struct sp_extra x = { 0 };
	struct sp_event ev;
	char msg[1024], wanted[256];
	const char *slash, *dot;
	size_t i;
	int rc;

	for (i = 0; sp_artifact_kind_at(i) != k; i++)
		;
	if (!(l->opts->artifacts & (UINT64_C(1) << i)))
		return SP_OK;
	for (i = 0; i < sizeof(wants) / sizeof(wants[0]); i++)
		if (fnmatch(wants[i], e->path, FNM_PATHNAME) == 0)
			break;
	if (i == sizeof(wants) / sizeof(wants[0]))
		return SP_OK;
	/* the directory names the target that wants the unit */
	slash = strrchr(e->path, '/');
	for (dot = slash; dot > e->path && dot[-1] != '/'; dot--)
		;
	snprintf(wanted, sizeof(wanted), "%.*s", (int)(slash - dot), dot);
	if ((dot = strstr(wanted, ".wants")) != NULL)
		wanted[dot - wanted] = '\0';
	sp_extra_begin(&x);
	sp_extra_str(&x, "kind", "systemd_enablement");
	sp_extra_str(&x, "unit", e->name);
	sp_extra_str(&x, "target", e->link);
	sp_extra_str(&x, "wanted_by", wanted);
	sp_event_init(&ev);
	ev.time = e->crtime != SP_TIME_NONE ? e->crtime : e->mtime;
	ev.artifact = "persistence";
	ev.time_desc = "persistence";
	ev.path = e->path;
	snprintf(msg, sizeof(msg), "systemd unit %s enabled for %s -> %s",
	    e->name, wanted, e->link ? e->link : "?");
	ev.message = msg;
	ev.extra = sp_extra_text(&x);
	l->artifact_file_id = l->last_file_id;
	l->origin = e->path;
	rc = emit_event(&ev, l);
	l->origin = NULL;
	l->artifact_file_id = 0;
	sp_extra_release(&x);
	return rc;
}

/* Note the /etc/passwd of e's file system (the first one seen). */
static int
note_passwd(struct loader *l, const struct sp_entry *e)
{
	struct passwd_file *n;
	size_t i;

	for (i = 0; i < l->npasswds; i++)
		if (l->passwds[i].fs_index == e->fs_index)
			return SP_OK;
	if ((n = realloc(l->passwds, (l->npasswds + 1) * sizeof(*n))) == NULL)
		return sp_err_set(l->err, SP_E_NOMEM, 0, "passwd");
	l->passwds = n;
	n = &l->passwds[l->npasswds++];
	memset(n, 0, sizeof(*n));
	n->fs_index = e->fs_index;
	sp_entry_file_ref(l->ev, e, &n->ref);
	return SP_OK;
}

static int
note_artifact(struct loader *l, const struct sp_entry *e)
{
	const struct sp_artifact_kind *k;
	struct found *n, *f;
	size_t i;

	if (e->meta_type == SP_TYPE_LNK && !(e->flags & SP_ENTRY_DELETED))
		return note_enablement(l, e);
	if (e->meta_type != SP_TYPE_REG || (e->flags & (SP_ENTRY_DELETED |
	    SP_ENTRY_NO_META | SP_ENTRY_FILE_NAME | SP_ENTRY_STREAM)))
		return SP_OK;
	if (strcmp(e->path, "/etc/passwd") == 0)
		return note_passwd(l, e);
	if ((k = sp_artifact_match(e->path)) == NULL)
		return SP_OK;
	for (i = 0; sp_artifact_kind_at(i) != k; i++)
		;
	if (!(l->opts->artifacts & (UINT64_C(1) << i)))
		return SP_OK;
	if ((l->nfound & (l->nfound - 1)) == 0) {
		n = realloc(l->found, (l->nfound ? l->nfound * 2 : 1) *
		    sizeof(*n));
		if (n == NULL)
			return sp_err_set(l->err, SP_E_NOMEM, 0, "artifacts");
		l->found = n;
	}
	f = &l->found[l->nfound];
	if ((f->path = strdup(e->path)) == NULL)
		return sp_err_set(l->err, SP_E_NOMEM, 0, "artifacts");
	f->fs_index = e->fs_index;
	sp_entry_file_ref(l->ev, e, &f->ref);
	f->mtime = e->mtime;
	f->file_id = l->last_file_id;
	f->kind = k;
	l->nfound++;
	return SP_OK;
}

static int
on_entry(const struct sp_entry *e, void *arg)
{
	struct loader *l = arg;
	struct sp_hash *h = NULL;
	struct sp_err herr;
	int rc;

	if (l->opts->hash_mask != 0 && sp_evidence_hash_entry(l->ev, e,
	    l->opts->hash_mask, &h, &herr) != SP_OK &&
	    !(e->flags & SP_ENTRY_DELETED))
		sp_run_problem(l->run, e->path, herr.code, "hash: %s",
		    herr.msg);
	rc = insert_entry(l, e, h, NULL);
	sp_hash_free(h);
	if (rc != SP_OK)
		return rc;
	if (l->opts->artifacts != 0 && (rc = note_artifact(l, e)) != SP_OK)
		return rc;
	sp_progress_report(&l->opts->progress, "entries", l->files, 0);
	return sp_store_tick(l->store, l->err);
}

/* ---- artifacts ---- */

static int
emit_event(const struct sp_event *e, void *arg)
{
	struct loader *l = arg;
	int rc;

	if (e->time == SP_TIME_NONE)
		return 0;	/* a parser gives every event its time */
	if ((rc = sp_store_artifact_event_add(l->store, l->source_id,
	    l->artifact_file_id, l->origin, l->opts->host, e, l->err)) != SP_OK)
		return rc;
	l->events++;
	if ((rc = sp_store_tick(l->store, l->err)) != SP_OK)
		return rc;
	if (sp_cancel_requested(l->opts->cancel))
		return sp_err_set(l->err, SP_E_INTERRUPTED, 0, "artifacts");
	return 0;
}

/*
 * A gzip stream read through stdio, so parsers see one kind of input.  A
 * truncated or corrupt stream ends the input early; the cookie remembers
 * why, so the loss is recorded instead of passing for a short log.
 */
struct gz_cookie {
	gzFile gz;
	char error[128];
};

static ssize_t
gz_read(void *cookie, char *buf, size_t size)
{
	struct gz_cookie *c = cookie;
	int n = gzread(c->gz, buf, size > INT32_MAX ? INT32_MAX :
	    (unsigned)size);
	int errnum = Z_OK;
	const char *msg;

	if (n <= 0) {
		msg = gzerror(c->gz, &errnum);
		if (errnum != Z_OK && errnum != Z_STREAM_END &&
		    c->error[0] == '\0')
			snprintf(c->error, sizeof(c->error), "%s",
			    msg && *msg ? msg : "corrupt gzip stream");
		if (n < 0) {
			errno = EIO;
			return -1;
		}
	}
	return n;
}

static int
gz_close(void *cookie)
{
	struct gz_cookie *c = cookie;
	int rc = gzclose(c->gz) == Z_OK ? 0 : -1;

	free(c);
	return rc;
}

#define GZ_BUFFER (256u << 10)

static FILE *
open_gz(FILE *raw, struct gz_cookie **cp)
{
	cookie_io_functions_t io = { gz_read, NULL, NULL, gz_close };
	struct gz_cookie *c;
	FILE *f;
	int fd;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((fd = dup(fileno(raw))) < 0) {
		free(c);
		return NULL;
	}
	lseek(fd, 0, SEEK_SET);
	if ((c->gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		free(c);
		return NULL;
	}
	/* large reads through zlib and stdio: few calls per MiB */
	(void)gzbuffer(c->gz, GZ_BUFFER);
	if ((f = fopencookie(c, "r", io)) == NULL) {
		gzclose(c->gz);
		free(c);
		return NULL;
	}
	(void)setvbuf(f, NULL, _IOFBF, GZ_BUFFER);
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	*cp = c;
	return f;
}

static int
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/*
 * Parse one artifact stream.  A parser's failure is a problem of the run,
 * not the end of the load.
 */
static int
parse_artifact(struct loader *l, const struct sp_artifact_kind *k,
    FILE *raw, const char *origin, sp_time_ns mtime,
    const struct sp_users *users, const struct sp_zone *zone)
{
	struct sp_artifact_ctx ctx;
	struct sp_err perr;
	struct gz_cookie *gz = NULL;
	struct sp_evq *q = NULL;
	FILE *in = raw;
	int rc, qrc;

	if (has_suffix(origin, ".gz") && (in = open_gz(raw, &gz)) == NULL) {
		sp_run_problem(l->run, origin, SP_E_DATA, "cannot read gzip");
		return SP_OK;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.origin = origin;
	ctx.origin_mtime = mtime;
	ctx.host = l->opts->host;
	ctx.run = l->run;
	ctx.users = users;
	ctx.zone = zone;
	ctx.emit = emit_event;
	ctx.arg = l;
	l->origin = origin;
	sp_err_init(&perr);
	/* the parser on this thread, the store on a second one */
	if (sp_evq_start(&q, emit_event, l) == SP_OK) {
		ctx.emit = sp_evq_emit;
		ctx.arg = q;
	}
	rc = k->parse(&ctx, in, &perr);
	if (q != NULL && (qrc = sp_evq_finish(q)) != SP_OK) {
		/* the store's error, already in l->err, is what stopped it */
		if (rc == SP_OK || rc == qrc)
			rc = qrc;
		if (l->err != NULL && l->err->code != SP_OK)
			perr = *l->err;
	}
	l->origin = NULL;
	if (gz != NULL && gz->error[0] != '\0')
		sp_run_problem(l->run, origin, SP_E_CORRUPT, "gzip: %s; "
		    "the records after it are lost", gz->error);
	if (in != raw)
		fclose(in);
	if (rc == SP_E_INTERRUPTED || rc == SP_E_CASE || rc == SP_E_NOMEM) {
		if (l->err && l->err->code == SP_OK)
			*l->err = perr;
		return rc;
	}
	if (rc == SP_E_UNSUPPORTED)
		return SP_OK;	/* a kind this build cannot read yet */
	if (rc != SP_OK)
		sp_run_problem(l->run, origin, rc, "%s: %s", k->name,
		    perr.msg);
	return SP_OK;
}

static int
spool(const void *buf, size_t len, void *arg)
{
	return fwrite(buf, 1, len, arg) != len ? SP_E_IO : 0;
}

/*
 * The users of file system fs_index, from its /etc/passwd, read on first
 * use; NULL when it has none or it cannot be read (a problem of the run).
 */
static const struct sp_users *
users_of(struct loader *l, struct sp_evidence *ev, unsigned fs_index)
{
	struct passwd_file *p = NULL;
	struct sp_err rerr;
	size_t i;
	FILE *tmp;

	if (l->users != NULL)
		return l->users;
	for (i = 0; i < l->npasswds; i++)
		if (l->passwds[i].fs_index == fs_index)
			p = &l->passwds[i];
	if (p == NULL || p->loaded)
		return p != NULL ? p->users : NULL;
	p->loaded = 1;
	if ((tmp = tmpfile()) == NULL) {
		sp_run_problem(l->run, "/etc/passwd", SP_E_OS,
		    "temporary file: %s", strerror(errno));
		return NULL;
	}
	sp_err_init(&rerr);
	if ((sp_evidence_kind(ev) == SP_EVIDENCE_DIR ?
	    sp_evidence_read_file(ev, fs_index, "/etc/passwd", spool, tmp,
	    &rerr) : sp_evidence_read_ref(ev, &p->ref, spool, tmp, &rerr)) !=
	    SP_OK || fflush(tmp) != 0) {
		sp_run_problem(l->run, "/etc/passwd", rerr.code ? rerr.code :
		    SP_E_IO, "read: %s; users named by uid only", rerr.msg);
		fclose(tmp);
		return NULL;
	}
	rewind(tmp);
	sp_err_init(&rerr);
	if (sp_users_load(tmp, &p->users, &rerr) != SP_OK)
		sp_run_problem(l->run, "/etc/passwd", rerr.code, "%s; users "
		    "named by uid only", rerr.msg);
	fclose(tmp);
	return p->users;
}

/* ---- the host's zone ---- */

/* Content read out of the evidence into memory, up to a bound. */
struct small_file {
	unsigned char *p;
	size_t len, cap;
};

#define ZONE_FILE_MAX (1 << 20)

static int
spool_small(const void *buf, size_t len, void *arg)
{
	struct small_file *f = arg;
	unsigned char *n;

	if (len > ZONE_FILE_MAX - f->len)
		return SP_E_FORMAT;
	if (f->len + len > f->cap) {
		size_t cap = (f->len + len) * 2;
		if ((n = realloc(f->p, cap)) == NULL)
			return SP_E_NOMEM;
		f->p = n;
		f->cap = cap;
	}
	memcpy(f->p + f->len, buf, len);
	f->len += len;
	return SP_OK;
}

/* Read path of file system fs into f (the caller frees f->p). */
static int
read_small(struct sp_evidence *ev, unsigned fs, const char *path,
    struct small_file *f)
{
	struct sp_err rerr;

	memset(f, 0, sizeof(*f));
	sp_err_init(&rerr);
	if (sp_evidence_read_file(ev, fs, path, spool_small, f, &rerr) !=
	    SP_OK) {
		free(f->p);
		memset(f, 0, sizeof(*f));
		return -1;
	}
	return 0;
}

/* What /etc says of the zone: /etc/localtime and /etc/timezone. */
struct etc_probe {
	int localtime;		/* 0 none, 1 a regular file, 2 a link */
	char link[512];
	int timezone;
};

static int
on_etc(const struct sp_entry *e, void *arg)
{
	struct etc_probe *p = arg;

	if (e->flags & (SP_ENTRY_DELETED | SP_ENTRY_STREAM |
	    SP_ENTRY_FILE_NAME))
		return SP_CB_CONTINUE;
	if (strcmp(e->path, "/etc/localtime") == 0) {
		if (e->meta_type == SP_TYPE_REG)
			p->localtime = 1;
		else if (e->meta_type == SP_TYPE_LNK && e->link != NULL &&
		    strlen(e->link) < sizeof(p->link)) {
			p->localtime = 2;
			snprintf(p->link, sizeof(p->link), "%s", e->link);
		}
	} else if (strcmp(e->path, "/etc/timezone") == 0 &&
	    e->meta_type == SP_TYPE_REG)
		p->timezone = 1;
	return SP_CB_CONTINUE;
}

/* A zone name the tz database could have: printable, relative, no "..". */
static int
zone_name_ok(const char *s)
{
	size_t i;

	if (s[0] == '\0' || s[0] == '/' || strstr(s, "..") != NULL)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("/_-+", s[i]) ==
		    NULL)
			return 0;
	return 1;
}

/* The zone name in a link target: what follows "zoneinfo/". */
static const char *
zone_name_of_link(const char *target)
{
	const char *p = strstr(target, "zoneinfo/");

	if (p == NULL)
		return NULL;
	p += 9;
	if (strncmp(p, "posix/", 6) == 0)
		p += 6;
	return zone_name_ok(p) ? p : NULL;
}

/* The absolute path of link target t of /etc/localtime, into out. */
static void
resolve_link(const char *t, char *out, size_t size)
{
	char buf[1024], *parts[64], *save = NULL, *tok;
	size_t n = 0, i, len = 0;

	snprintf(buf, sizeof(buf), "%s%s", t[0] == '/' ? "" : "/etc/", t);
	for (tok = strtok_r(buf, "/", &save); tok != NULL && n < 64;
	    tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (n > 0)
				n--;
			continue;
		}
		parts[n++] = tok;
	}
	out[0] = '\0';
	for (i = 0; i < n && len + 1 < size; i++)
		len += (size_t)snprintf(out + len, size - len, "/%s", parts[i]);
}

/* The zone of file system fs of ev, from its own files; NULL when none. */
static struct sp_zone *
find_zone(struct loader *l, struct sp_evidence *ev, unsigned fs,
    struct fs_zone *fz)
{
	struct etc_probe probe;
	struct small_file f;
	struct sp_zone *z = NULL;
	struct sp_err zerr;
	char name[128] = "", path[1024];
	const char *lname = NULL;
	size_t i;

	memset(&probe, 0, sizeof(probe));
	sp_err_init(&zerr);
	if (sp_evidence_walk(ev, fs, "/etc", SP_WALK_ALLOCATED, on_etc, &probe,
	    &zerr) != SP_OK)
		return NULL;
	if (probe.timezone && read_small(ev, fs, "/etc/timezone", &f) == 0) {
		for (i = 0; i < f.len && i + 1 < sizeof(name) &&
		    f.p[i] != '\n' && f.p[i] != '\r'; i++)
			name[i] = (char)f.p[i];
		name[i] = '\0';
		while (i > 0 && (name[i - 1] == ' ' || name[i - 1] == '\t'))
			name[--i] = '\0';
		free(f.p);
		if (!zone_name_ok(name)) {
			sp_run_problem(l->run, "/etc/timezone", SP_E_DATA,
			    "not a zone name; ignored");
			name[0] = '\0';
		}
	}
	/* /etc/localtime is what the C library of the host used */
	if (probe.localtime == 1 && read_small(ev, fs, "/etc/localtime", &f)
	    == 0) {
		sp_err_init(&zerr);
		if (sp_zone_from_tzif(&z, f.p, f.len, name[0] ? name : NULL,
		    &zerr) == SP_OK)
			snprintf(fz->from, sizeof(fz->from), "/etc/localtime");
		else
			sp_run_problem(l->run, "/etc/localtime", zerr.code,
			    "%s", zerr.msg);
		free(f.p);
	} else if (probe.localtime == 2) {
		lname = zone_name_of_link(probe.link);
		resolve_link(probe.link, path, sizeof(path));
		if (read_small(ev, fs, path, &f) == 0) {
			sp_err_init(&zerr);
			if (sp_zone_from_tzif(&z, f.p, f.len, lname, &zerr) ==
			    SP_OK)
				snprintf(fz->from, sizeof(fz->from),
				    "/etc/localtime");
			free(f.p);
		}
		sp_err_init(&zerr);
		if (z == NULL && lname != NULL &&
		    sp_zone_load(&z, lname, &zerr) == SP_OK)
			snprintf(fz->from, sizeof(fz->from), "/etc/localtime "
			    "(a link; the zone's rules from this machine)");
	}
	if (z != NULL) {
		if (name[0] != '\0' && strcmp(name, sp_zone_name(z)) != 0)
			snprintf(fz->timezone_file, sizeof(fz->timezone_file),
			    "%s", name);
		return z;
	}
	if (name[0] == '\0')
		return NULL;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	if (read_small(ev, fs, path, &f) == 0) {
		sp_err_init(&zerr);
		if (sp_zone_from_tzif(&z, f.p, f.len, name, &zerr) == SP_OK)
			snprintf(fz->from, sizeof(fz->from), "/etc/timezone");
		free(f.p);
	}
	sp_err_init(&zerr);
	if (z == NULL && sp_zone_load(&z, name, &zerr) == SP_OK)
		snprintf(fz->from, sizeof(fz->from), "/etc/timezone (the "
		    "zone's rules from this machine)");
	if (z == NULL)
		sp_run_problem(l->run, "/etc/timezone", SP_E_DATA, "unknown "
		    "zone '%s'; local times read as UTC", name);
	return z;
}

/* The zones of every file system of ev (none with opts->zone). */
static int
find_zones(struct loader *l, struct sp_evidence *ev)
{
	struct fs_zone fz;
	size_t i, n = sp_evidence_fs_count(ev);

	if (l->override != NULL || n == 0)
		return SP_OK;
	if ((l->zones = calloc(n, sizeof(*l->zones))) == NULL)
		return sp_err_set(l->err, SP_E_NOMEM, 0, "zones");
	for (i = 0; i < n; i++) {
		memset(&fz, 0, sizeof(fz));
		fz.fs_index = (unsigned)i;
		if ((fz.zone = find_zone(l, ev, (unsigned)i, &fz)) != NULL)
			l->zones[l->nzones++] = fz;
	}
	return SP_OK;
}

/*
 * The zone of file system fs: --tz, its own, or the one another file
 * system of the evidence has (/var on a partition of its own); NULL: UTC.
 */
static const struct sp_zone *
zone_of(struct loader *l, unsigned fs)
{
	size_t i;

	if (l->override != NULL)
		return l->override;
	for (i = 0; i < l->nzones; i++)
		if (l->zones[i].fs_index == fs)
			return l->zones[i].zone;
	return l->nzones > 0 ? l->zones[0].zone : NULL;
}

/* The zone in a source's details: "zone", "zone_from". */
static void
zone_details(struct sp_json *w, const struct loader *l)
{
	size_t i;

	if (l->override != NULL) {
		sp_json_kv_str(w, "zone", sp_zone_name(l->override));
		sp_json_kv_str(w, "zone_from", "--tz");
		return;
	}
	if (l->nzones == 0) {
		sp_json_kv_str(w, "zone", "UTC");
		sp_json_kv_str(w, "zone_from", "assumed: no /etc/localtime "
		    "or /etc/timezone");
		return;
	}
	sp_json_kv_str(w, "zone", sp_zone_name(l->zones[0].zone));
	sp_json_kv_str(w, "zone_from", l->zones[0].from);
	if (l->zones[0].timezone_file[0] != '\0')
		sp_json_kv_str(w, "timezone_file", l->zones[0].timezone_file);
	if (l->nzones > 1) {
		sp_json_key(w, "zones");
		sp_json_array_begin(w);
		for (i = 0; i < l->nzones; i++) {
			sp_json_object_begin(w);
			sp_json_kv_uint(w, "fs", l->zones[i].fs_index);
			sp_json_kv_str(w, "zone",
			    sp_zone_name(l->zones[i].zone));
			sp_json_kv_str(w, "zone_from", l->zones[i].from);
			sp_json_object_end(w);
		}
		sp_json_array_end(w);
	}
}

/* Parse every artifact the walk found, reading it out of the evidence. */
static int
parse_found(struct loader *l, struct sp_evidence *ev)
{
	struct sp_err rerr;
	size_t i;
	FILE *tmp;
	int rc = SP_OK;

	for (i = 0; i < l->nfound && rc == SP_OK; i++) {
		struct found *f = &l->found[i];
		if ((tmp = tmpfile()) == NULL)
			return sp_err_set(l->err, SP_E_OS, errno, "temporary file");
		sp_err_init(&rerr);
		/* images are read by inode, a directory by its path */
		if ((sp_evidence_kind(ev) == SP_EVIDENCE_DIR ?
		    sp_evidence_read_file(ev, f->fs_index, f->path, spool, tmp,
		    &rerr) : sp_evidence_read_ref(ev, &f->ref, spool, tmp,
		    &rerr)) != SP_OK || fflush(tmp) != 0) {
			sp_run_problem(l->run, f->path, rerr.code ? rerr.code :
			    SP_E_IO, "read: %s", rerr.msg);
			fclose(tmp);
			continue;
		}
		rewind(tmp);
		l->artifact_file_id = f->file_id;
		rc = parse_artifact(l, f->kind, tmp, f->path, f->mtime,
		    users_of(l, ev, f->fs_index), zone_of(l, f->fs_index));
		l->artifact_file_id = 0;
		fclose(tmp);
	}
	return rc;
}

/* ---- sources ---- */

static void
identity_details(struct sp_json *w, const struct identity *id)
{
	if (id == NULL)
		return;
	sp_json_key(w, "identity");
	sp_json_object_begin(w);
	sp_json_kv_str(w, "fingerprint", id->fingerprint[0] ?
	    id->fingerprint : NULL);
	sp_json_kv_str(w, "sha256", id->sha256_computed ? "computed by this "
	    "run over the segment files" : "not computed (spoor-timeline "
	    "--verify computes it)");
	if (id->from[0]) {
		sp_json_key(w, "recorded");
		sp_json_object_begin(w);
		sp_json_kv_str(w, "from", id->from);
		sp_json_kv_str(w, "md5", id->md5[0] ? id->md5 : NULL);
		sp_json_kv_str(w, "sha1", id->sha1[0] ? id->sha1 : NULL);
		sp_json_kv_str(w, "sha256", id->sha256[0] ? id->sha256 : NULL);
		sp_json_kv_str(w, "of", "the media data, as recorded; not "
		    "verified by this run");
		sp_json_object_end(w);
	}
	sp_json_object_end(w);
}

/*
 * The media hashes recorded for ev: spoor-acquire's record of it in the
 * case, else the hashes its E01 header stores.
 */
static int
recorded_hashes(struct loader *l, struct identity *id)
{
	const struct sp_ewf_info *ewf;
	int64_t src;
	int rc;

	if ((rc = sp_store_source_recorded_hashes(l->store,
	    sp_evidence_path(l->ev), sp_evidence_size(l->ev), &src, id->md5,
	    id->sha1, id->sha256, l->err)) != SP_OK)
		return rc;
	if (src != 0) {
		snprintf(id->from, sizeof(id->from), "spoor-acquire, source "
		    "%" PRId64 " of this case", src);
		return SP_OK;
	}
	ewf = sp_evidence_ewf_info(l->ev);
	if (ewf != NULL && (ewf->md5 != NULL || ewf->sha1 != NULL)) {
		snprintf(id->md5, sizeof(id->md5), "%s", ewf->md5 ?
		    ewf->md5 : "");
		snprintf(id->sha1, sizeof(id->sha1), "%s", ewf->sha1 ?
		    ewf->sha1 : "");
		snprintf(id->from, sizeof(id->from), "the E01 header");
	}
	return SP_OK;
}

static void
fill_details(struct sp_json *w, const void *arg)
{
	const struct loader *l = arg;
	const struct sp_evidence *ev = l->ev;
	const struct sp_container *c;
	size_t i;

	sp_json_object_begin(w);
	if (ev == NULL) {
		sp_json_object_end(w);
		return;
	}
	zone_details(w, l);
	sp_json_key(w, "segments");
	sp_json_array_begin(w);
	for (i = 0; i < sp_evidence_segment_count(ev); i++)
		sp_json_str(w, sp_evidence_segment(ev, i));
	sp_json_array_end(w);
	sp_json_kv_str(w, "volume_system", sp_evidence_vs_type(ev));
	sp_json_key(w, "file_systems");
	sp_json_array_begin(w);
	for (i = 0; i < sp_evidence_fs_count(ev); i++) {
		const struct sp_fs_info *fs = sp_evidence_fs(ev, i);
		sp_json_object_begin(w);
		sp_json_kv_uint(w, "index", fs->index);
		sp_json_kv_str(w, "type", fs->type);
		sp_json_kv_uint(w, "offset", fs->offset);
		sp_json_kv_str(w, "label", fs->label);
		sp_json_kv_str(w, "id", fs->id);
		sp_json_object_end(w);
	}
	sp_json_array_end(w);
	if ((c = sp_evidence_container(ev)) != NULL) {
		/* EVIDENCE@container=ID: whose file system this is */
		sp_json_key(w, "container");
		sp_json_object_begin(w);
		sp_json_kv_str(w, "engine", c->engine);
		sp_json_kv_str(w, "id", c->id);
		sp_json_kv_str(w, "name", c->name);
		sp_json_kv_str(w, "image", c->image);
		sp_json_kv_str(w, "image_id", c->image_id);
		sp_json_object_end(w);
	}
	identity_details(w, l->id);
	sp_json_object_end(w);
}

static int
refuse_or_replace(struct loader *l, int64_t same, const char *what)
{
	if (same == 0)
		return SP_OK;
	if (!l->opts->replace)
		return sp_err_set(l->err, SP_E_EXISTS, 0, "%s is already in "
		    "the case as source %" PRId64 "; use --replace to load it "
		    "again", what, same);
	return sp_store_source_delete(l->store, same, l->err);
}

static int
add_source(struct loader *l, const char *kind, const char *path,
    uint64_t size, const char *sha256, const char *details)
{
	struct sp_source_record src;

	memset(&src, 0, sizeof(src));
	src.kind = kind;
	src.path = path;
	src.size = size;
	src.sha256 = sha256;
	src.host = l->opts->host;
	src.details = details;
	src.fingerprint = l->id != NULL && l->id->fingerprint[0] ?
	    l->id->fingerprint : NULL;
	return sp_store_source_add(l->store, &src, &l->source_id, l->err);
}

static void
loader_release(struct loader *l)
{
	size_t i;

	for (i = 0; i < l->nfound; i++)
		free(l->found[i].path);
	free(l->found);
	l->found = NULL;
	l->nfound = 0;
	for (i = 0; i < l->npasswds; i++)
		sp_users_free(l->passwds[i].users);
	free(l->passwds);
	l->passwds = NULL;
	l->npasswds = 0;
	for (i = 0; i < l->nzones; i++)
		sp_zone_free(l->zones[i].zone);
	free(l->zones);
	l->zones = NULL;
	l->nzones = 0;
	sp_zone_free(l->override);
	l->override = NULL;
}

static int
loader_init(struct loader *l, struct sp_run *run,
    const struct sp_timeline_opts *opts, struct sp_err *err)
{
	int rc;

	memset(l, 0, sizeof(*l));
	l->run = run;
	l->opts = opts;
	l->err = err;
	l->problems_before = sp_run_problem_count(run);
	if (opts->zone != NULL && (rc = sp_zone_load(&l->override, opts->zone,
	    err)) != SP_OK)
		return rc;
	if ((rc = sp_store_new(&l->store, run, SP_STORE_BATCH, err)) !=
	    SP_OK) {
		sp_zone_free(l->override);
		l->override = NULL;
	}
	return rc;
}

/*
 * Nothing of a refused source is kept: delete it in a transaction of its
 * own, and free the store.
 */
static void
loader_drop(struct loader *l)
{
	if (l->source_id != 0 && sp_store_begin(l->store, 0, NULL) == SP_OK) {
		sp_store_source_delete(l->store, l->source_id, NULL);
		sp_store_commit(l->store, NULL);
	}
	sp_store_free(l->store);
	l->store = NULL;
}

/*
 * End the load: build the indexes a first load dropped, mark the source,
 * commit, fill the stats.  The store stays for loader_drop or
 * sp_store_free.
 */
static int
loader_end(struct loader *l, int rc, const char *sha256,
    struct sp_timeline_stats *stats)
{
	const char *state = rc == SP_E_INTERRUPTED ? "interrupted" :
	    rc != SP_OK ? "partial" :
	    sp_run_problem_count(l->run) > l->problems_before ? "partial" :
	    "complete";
	struct sp_err ferr;
	int frc;

	sp_err_init(&ferr);
	frc = sp_store_bulk_end(l->store, &ferr);
	if (frc != SP_OK && rc == SP_OK) {
		rc = frc;
		if (l->err)
			*l->err = ferr;
	}
	/* what the logs of a whole source say about each other */
	if (rc == SP_OK && frc == SP_OK && l->source_id != 0 && l->ev != NULL) {
		uint64_t found = 0;
		rc = sp_antiforensics_run(l->store, l->run, l->source_id,
		    &found, l->err);
		l->events += found;
	}
	/* what the persistence entries and process names of it run */
	if (rc == SP_OK && frc == SP_OK && l->source_id != 0) {
		uint64_t found = 0;
		rc = sp_persistence_check_run(l->store, l->run, l->ev,
		    l->source_id, &found, l->err);
		l->events += found;
	}
	if (l->source_id != 0) {
		frc = sp_store_source_finish(l->store, l->source_id, state,
		    l->files, l->events, sha256, &ferr);
		if (frc == SP_OK)
			frc = sp_store_commit(l->store, &ferr);
		else
			sp_store_commit(l->store, NULL);
		if (frc != SP_OK && rc == SP_OK) {
			rc = frc;
			if (l->err)
				*l->err = ferr;
		}
	} else
		sp_store_rollback(l->store);
	if (stats != NULL) {
		stats->source_id = l->source_id;
		stats->files = l->files;
		stats->events = l->events;
	}
	loader_release(l);
	return rc;
}

static uint64_t
seg_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

int
sp_timeline_add_evidence(struct sp_run *run, struct sp_evidence *ev,
    const struct sp_timeline_opts *opts, struct sp_timeline_stats *stats,
    struct sp_err *err)
{
	struct loader l;
	struct hasher h;
	struct identity ident;
	struct stat st;
	const char *kind = sp_evidence_kind_name(sp_evidence_kind(ev));
	char *details = NULL;
	uint64_t size = 0;
	int64_t same;
	size_t i;
	int rc, taken = 0, is_dir = sp_evidence_kind(ev) == SP_EVIDENCE_DIR;

	/* the verdict spoor-ls and spoor-scan give: no empty source */
	if ((rc = sp_evidence_need_fs(ev, err)) != SP_OK)
		return rc;
	if ((rc = loader_init(&l, run, opts, err)) != SP_OK)
		return rc;
	l.ev = ev;
	if (opts->cancel != NULL)
		sp_evidence_set_cancel(ev, opts->cancel);
	memset(&h, 0, sizeof(h));
	memset(&ident, 0, sizeof(ident));
	h.cancel = opts->cancel;
	h.npaths = is_dir ? 0 : sp_evidence_segment_count(ev);
	if ((h.paths = calloc(h.npaths + 1, sizeof(char *))) == NULL ||
	    (h.seg_bytes = calloc(h.npaths + 1, sizeof(uint64_t))) == NULL ||
	    (h.seg_sha256 = calloc(h.npaths + 1, SP_HASH_HEX_MAX)) == NULL) {
		free(h.paths);
		free(h.seg_bytes);
		sp_store_free(l.store);
		sp_zone_free(l.override);
		return sp_err_set(err, SP_E_NOMEM, 0, "timeline");
	}
	for (i = 0; i < h.npaths; i++) {
		h.paths[i] = (char *)sp_evidence_segment(ev, i);
		if (stat(h.paths[i], &st) == 0)
			size += (uint64_t)st.st_size;
	}
	if ((rc = sp_store_begin(l.store, 1, err)) != SP_OK)
		goto out;
	/* same hashes imply the same size: hash first only then */
	if (!is_dir && (rc = sp_store_source_size_taken(l.store, size, &taken,
	    err)) != SP_OK)
		goto fail;
	/*
	 * The fingerprint tells a source loaded before; a source of the
	 * same size is hashed first, so one whose SHA-256 is known is
	 * compared by it, and one never hashed by the fingerprint.
	 */
	if (!is_dir) {
		l.id = &ident;
		if ((rc = sp_evidence_fingerprint(ev, ident.fingerprint,
		    err)) != SP_OK || (rc = recorded_hashes(&l, &ident)) !=
		    SP_OK)
			goto fail;
	}
	if (is_dir || taken) {
		const char *what = is_dir ? "this directory" :
		    "evidence with the same SHA-256";

		if (!is_dir) {
			hash_main(&h);
			if ((rc = h.rc) != SP_OK) {
				*err = h.err;
				goto fail;
			}
			ident.sha256_computed = 1;
		}
		if ((rc = sp_store_source_find(l.store, kind,
		    sp_evidence_path(ev), size, is_dir ? NULL : h.sha256, &same,
		    err)) != SP_OK)
			goto fail;
		if (!is_dir && same == 0) {
			what = "evidence with the same fingerprint";
			if ((rc = sp_store_source_find_fingerprint(l.store,
			    size, ident.fingerprint, &same, err)) != SP_OK)
				goto fail;
		}
		if ((rc = refuse_or_replace(&l, same, what)) != SP_OK)
			goto fail;
	}
	if (!is_dir && !taken && opts->verify)
		ident.sha256_computed = 1;
	if ((rc = find_zones(&l, ev)) != SP_OK)
		goto fail;
	if ((details = sp_json_to_string(fill_details, &l)) == NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "timeline");
		goto fail;
	}
	if ((rc = add_source(&l, kind, sp_evidence_path(ev), size,
	    h.sha256[0] ? h.sha256 : NULL, details)) != SP_OK ||
	    (rc = sp_store_bulk_begin(l.store, err)) != SP_OK)
		goto fail;
	/* the source row is visible (state 'loading') from here on */
	if ((rc = sp_store_commit_batch(l.store, err)) != SP_OK)
		goto fail;
	/* --verify: the full hash on a second thread while the walk runs */
	if (!is_dir && !taken && opts->verify) {
		if (pthread_create(&h.thread, NULL, hash_main, &h) == 0)
			h.started = 1;
		else
			hash_main(&h);
	}
	/* with no content to read during the walk, it runs on its own
	   thread while this one writes the case */
	if (opts->hash_mask == 0)
		rc = sp_walk_all_threaded(ev, SP_WALK_RECURSE | SP_WALK_ALL,
		    on_entry, &l, err);
	else
		for (i = 0; i < sp_evidence_fs_count(ev) && rc == SP_OK; i++)
			rc = sp_evidence_walk(ev, (unsigned)i, NULL,
			    SP_WALK_RECURSE | SP_WALK_ALL, on_entry, &l, err);
	if (rc == SP_OK)
		rc = parse_found(&l, ev);
	if (h.started)
		pthread_join(h.thread, NULL);
	if (rc == SP_OK && !is_dir && h.rc != SP_OK) {
		*err = h.err;
		rc = h.rc;
	}
	/* the run's inputs: the files read, with the hashes computed */
	if (is_dir)
		sp_run_add_input(run, sp_evidence_path(ev), 0, NULL, NULL);
	for (i = 0; i < h.npaths && h.rc == SP_OK; i++)
		sp_run_add_input(run, h.paths[i], ident.sha256_computed ?
		    h.seg_bytes[i] : seg_size(h.paths[i]), ident.sha256_computed ?
		    h.seg_sha256[i] : NULL, NULL);
	rc = loader_end(&l, rc, h.sha256[0] ? h.sha256 : NULL, stats);
	goto out;
fail:
	loader_end(&l, rc, NULL, stats);
	if (stats != NULL)
		stats->source_id = 0;
	/* nothing of a refused source is kept */
	if (rc != SP_E_INTERRUPTED)
		loader_drop(&l);
out:
	sp_store_free(l.store);
	loader_release(&l);
	free(details);
	free(h.paths);
	free(h.seg_bytes);
	free(h.seg_sha256);
	return rc;
}

#define LINE_MAX_BYTES (1 << 20)

/*
 * Every line of the bodyfile f (named name) into files and events; h, when
 * not NULL, is fed the bytes and *bytes counts them.  A malformed line is
 * a problem of the run.
 */
static int
bodyfile_lines(struct loader *l, FILE *f, const char *name, struct sp_hash *h,
    uint64_t *bytes)
{
	struct sp_entry e;
	struct sp_err lerr;
	const char *md5;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = SP_OK;

	l->origin = name;
	l->origin_line = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		l->origin_line++;
		*bytes += (uint64_t)n;
		if (h != NULL)
			sp_hash_update(h, line, (size_t)n);
		if (sp_cancel_requested(l->opts->cancel)) {
			rc = sp_err_set(l->err, SP_E_INTERRUPTED, 0, "import");
			break;
		}
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (n > LINE_MAX_BYTES || memchr(line, '\0', (size_t)n)) {
			sp_run_problem(l->run, name, SP_E_DATA, "line %" PRId64
			    ": %s", l->origin_line, n > LINE_MAX_BYTES ?
			    "longer than 1 MiB" : "NUL byte");
			continue;
		}
		sp_err_init(&lerr);
		if (sp_bodyfile_parse(line, &e, &md5, &lerr) != SP_OK) {
			sp_run_problem(l->run, name, SP_E_DATA, "line %" PRId64
			    ": %s", l->origin_line, lerr.msg);
			continue;
		}
		if ((rc = insert_entry(l, &e, NULL, md5)) != SP_OK)
			break;
		sp_progress_report(&l->opts->progress, "entries", l->files, 0);
		if ((rc = sp_store_tick(l->store, l->err)) != SP_OK)
			break;
	}
	free(line);
	return rc;
}

int
sp_timeline_add_bodyfile(struct sp_run *run, const char *path,
    const struct sp_timeline_opts *opts, struct sp_timeline_stats *stats,
    struct sp_err *err)
{
	struct loader l;
	struct sp_hash *h = NULL;
	struct stat st;
	const char *name = strcmp(path, "-") == 0 ? "(stdin)" : path;
	int64_t same = 0;
	uint64_t bytes = 0;
	FILE *f;
	int rc;

	if ((rc = loader_init(&l, run, opts, err)) != SP_OK)
		return rc;
	l.origin = name;
	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "re")) == NULL) {
		sp_store_free(l.store);
		sp_zone_free(l.override);
		return sp_err_set(err, sp_errno_code(errno), errno, "%s", "");
	} else if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		sp_store_free(l.store);
		sp_zone_free(l.override);
		return sp_err_set(err, SP_E_USAGE, 0, "is a directory");
	}
	if ((rc = sp_hash_new(&h, SP_HASH_SHA256, err)) != SP_OK)
		goto close;
	if ((rc = sp_store_begin(l.store, 1, err)) != SP_OK)
		goto close;
	if ((rc = add_source(&l, "bodyfile", name, 0, NULL, NULL)) != SP_OK ||
	    (rc = sp_store_bulk_begin(l.store, err)) != SP_OK)
		goto fail;
	rc = bodyfile_lines(&l, f, name, h, &bytes);
	if (rc == SP_OK && ferror(f))
		rc = sp_err_set(err, SP_E_IO, errno, "read");
	if (rc == SP_OK && (rc = sp_hash_final(h, err)) == SP_OK) {
		const char *hex = sp_hash_hex(h, SP_HASH_SHA256);
		/* a bodyfile is known by its bytes, read only now */
		if ((rc = sp_store_source_find(l.store, "bodyfile", name, bytes,
		    hex, &same, err)) == SP_OK && same != 0 &&
		    same != l.source_id) {
			if (!opts->replace)
				rc = sp_err_set(err, SP_E_EXISTS, 0, "a bodyfile "
				    "with the same SHA-256 is already in the "
				    "case as source %" PRId64 "; use --replace "
				    "to load it again", same);
			else
				rc = sp_store_source_delete(l.store, same, err);
		}
		if (rc == SP_OK)
			rc = sp_store_source_set_size(l.store, l.source_id, bytes,
			    err);
		if (rc == SP_OK) {
			rc = loader_end(&l, rc, hex, stats);
			goto close;
		}
	}
	if (rc == SP_E_INTERRUPTED) {
		rc = loader_end(&l, rc, NULL, stats);
		goto close;
	}
fail:
	loader_end(&l, rc, NULL, stats);
	if (stats != NULL)
		stats->source_id = 0;
	loader_drop(&l);
close:
	sp_store_free(l.store);
	loader_release(&l);
	sp_hash_free(h);
	if (f != stdin)
		fclose(f);
	return rc;
}

int
sp_timeline_add_artifact_file(struct sp_run *run, const char *kind,
    const char *path, const struct sp_timeline_opts *opts,
    struct sp_timeline_stats *stats, struct sp_err *err)
{
	const struct sp_artifact_kind *k = sp_artifact_find(kind);
	const char *name = strcmp(path, "-") == 0 ? "(stdin)" : path;
	struct loader l;
	struct sp_hash *h = NULL;
	struct stat st;
	char buf[1 << 16];
	FILE *in = NULL, *tmp = NULL;
	int64_t same = 0;
	uint64_t bytes = 0;
	size_t n;
	int rc;

	if (k == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "unknown artifact '%s'",
		    kind);
	if ((rc = loader_init(&l, run, opts, err)) != SP_OK)
		return rc;
	if (strcmp(path, "-") == 0)
		in = stdin;
	else if ((in = fopen(path, "re")) == NULL) {
		sp_store_free(l.store);
		sp_zone_free(l.override);
		return sp_err_set(err, sp_errno_code(errno), errno, "%s", "");
	}
	if (fstat(fileno(in), &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = sp_err_set(err, SP_E_USAGE, 0, "is a directory");
		goto close;
	}
	/* a copy to parse and a hash to know it by, in one read */
	if ((tmp = tmpfile()) == NULL) {
		rc = sp_err_set(err, SP_E_OS, errno, "temporary file");
		goto close;
	}
	if ((rc = sp_hash_new(&h, SP_HASH_SHA256, err)) != SP_OK)
		goto close;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		sp_hash_update(h, buf, n);
		bytes += n;
		if (fwrite(buf, 1, n, tmp) != n) {
			rc = sp_err_set(err, SP_E_IO, errno, "temporary file");
			goto close;
		}
	}
	if (ferror(in)) {
		rc = sp_err_set(err, SP_E_IO, errno, "read");
		goto close;
	}
	if ((rc = sp_hash_final(h, err)) != SP_OK)
		goto close;
	sp_run_add_input(run, name, bytes, sp_hash_hex(h, SP_HASH_SHA256),
	    NULL);
	if (fflush(tmp) != 0) {
		rc = sp_err_set(err, SP_E_IO, errno, "temporary file");
		goto close;
	}
	rewind(tmp);
	if ((rc = sp_store_begin(l.store, 1, err)) != SP_OK)
		goto close;
	if ((rc = sp_store_source_find(l.store, "file", name, bytes,
	    sp_hash_hex(h, SP_HASH_SHA256), &same, err)) != SP_OK ||
	    (rc = refuse_or_replace(&l, same, "a file with the same SHA-256"))
	    != SP_OK ||
	    (rc = add_source(&l, "file", name, bytes,
	    sp_hash_hex(h, SP_HASH_SHA256), NULL)) != SP_OK ||
	    (rc = sp_store_bulk_begin(l.store, err)) != SP_OK) {
		loader_end(&l, rc, NULL, stats);
		if (stats != NULL)
			stats->source_id = 0;
		goto close;
	}
	/* a pipe's time is now, not the artifact's: it has none */
	rc = parse_artifact(&l, k, tmp, name, S_ISREG(st.st_mode) ?
	    sp_time_from_parts(st.st_mtim.tv_sec, st.st_mtim.tv_nsec) :
	    SP_TIME_NONE, NULL, l.override);
	rc = loader_end(&l, rc, NULL, stats);
close:
	sp_store_free(l.store);
	loader_release(&l);
	sp_hash_free(h);
	if (tmp != NULL)
		fclose(tmp);
	if (in != NULL && in != stdin)
		fclose(in);
	return rc;
}

/* ---- collections of spoor-collect ---- */

struct coll_load {
	struct loader *l;
	struct sp_collection *c;
	char rel[PATH_MAX + 8];
};

/* A finding of the collector: an event, and a detection like spoor-scan's. */
static int
on_finding(const struct sp_collection_finding *f, void *arg)
{
	struct loader *l = arg;
	struct sp_detection_record d;
	enum sp_severity sev = SP_SEV_INFO;
	struct sp_json w;
	char *details = NULL, *msg = NULL;
	size_t dlen = 0;
	FILE *mf;
	int rc;

	(void)sp_severity_parse(f->severity, &sev);
	if ((mf = open_memstream(&details, &dlen)) == NULL)
		return sp_err_set(l->err, SP_E_NOMEM, ENOMEM, "finding");
	sp_json_init(&w, mf);
	sp_json_object_begin(&w);
	sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(&w, "type", "heuristic");
	sp_json_kv_str(&w, "namespace", "collect");
	sp_json_kv_str(&w, "name", f->kind);
	sp_json_kv_str(&w, "severity", sp_severity_name(sev));
	sp_json_kv_int(&w, "score", sp_severity_score(sev));
	sp_json_kv_str(&w, "reason", f->reason);
	sp_json_key(&w, "target");
	sp_json_object_begin(&w);
	sp_json_kv_str(&w, "kind", f->pid >= 0 ? "process" : "file");
	sp_json_kv_str(&w, "source", "volatile/findings.jsonl");
	sp_json_kv_int(&w, "line", f->line);
	if (f->pid >= 0)
		sp_json_kv_int(&w, "pid", f->pid);
	if (f->exe != NULL)
		sp_json_kv_str(&w, "exe", f->exe);
	if (f->path != NULL)
		sp_json_kv_str(&w, "path", f->path);
	if (f->name != NULL)
		sp_json_kv_str(&w, "name", f->name);
	sp_json_object_end(&w);
	sp_json_object_end(&w);
	if (fclose(mf) != 0 || details == NULL) {
		free(details);
		return sp_err_set(l->err, SP_E_NOMEM, ENOMEM, "finding");
	}
	if (asprintf(&msg, "heuristic collect:%s (%s, score %d) in %s",
	    f->kind, sp_severity_name(sev), sp_severity_score(sev),
	    f->path ? f->path : f->exe ? f->exe : f->name ? f->name :
	    "the collection") < 0)
		msg = NULL;
	memset(&d, 0, sizeof(d));
	d.source_id = l->source_id;
	d.time = f->time;
	d.type = "heuristic";
	d.ns = "collect";
	d.name = f->kind;
	d.severity = sp_severity_name(sev);
	d.score = sp_severity_score(sev);
	d.target_kind = f->pid >= 0 ? "process" : "file";
	d.path = f->path != NULL ? f->path : f->exe;
	d.fs_index = -1;
	d.pid = f->pid;
	d.exe = f->exe;
	d.reason = f->reason;
	d.details = details;
	d.message = msg;
	d.origin = "volatile/findings.jsonl";
	rc = sp_store_detection_add(l->store, &d, l->err);
	free(details);
	free(msg);
	if (rc != SP_OK)
		return rc;
	l->events++;
	return sp_store_tick(l->store, l->err);
}

/*
 * An entry of files/: not a file of the host's file system (bodyfile.txt
 * is that), but a copy whose artifacts are parsed as the host's.  A
 * regular file the manifest does not list was not written by the
 * collector.
 */
static int
on_collection_entry(const struct sp_entry *e, void *arg)
{
	struct coll_load *cl = arg;
	struct loader *l = cl->l;
	const struct sp_collection_item *it;
	size_t before = l->nfound;
	int rc;

	if (e->meta_type != SP_TYPE_REG)
		return SP_CB_CONTINUE;
	snprintf(cl->rel, sizeof(cl->rel), "files%s", e->path);
	if ((it = sp_collection_find(cl->c, cl->rel)) == NULL) {
		sp_run_problem(l->run, cl->rel, SP_E_DATA, "not an item of the "
		    "manifest");
		return SP_CB_CONTINUE;
	}
	l->last_file_id = 0;
	if (l->opts->artifacts != 0 && (rc = note_artifact(l, e)) != SP_OK)
		return rc;
	/* the host's file was that old, not its copy */
	if (l->nfound > before && it->mtime != SP_TIME_NONE)
		l->found[l->nfound - 1].mtime = it->mtime;
	return sp_cancel_requested(l->opts->cancel) ?
	    sp_err_set(l->err, SP_E_INTERRUPTED, 0, "collection") :
	    SP_CB_CONTINUE;
}

/* Parse volatile/NAME.jsonl of c, when the collection has it. */
static int
collection_volatile(struct loader *l, struct sp_collection *c,
    const char *name, const struct sp_users *users)
{
	struct sp_artifact_ctx ctx;
	struct sp_err perr;
	FILE *f;
	int fd, rc;

	sp_err_init(&perr);
	/* a missing item of the manifest is a problem verify recorded */
	if (sp_collection_open_file(c, name, &fd, &perr) != SP_OK)
		return SP_OK;
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return sp_err_set(l->err, SP_E_NOMEM, errno, "%s", name);
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.origin = name;
	ctx.origin_mtime = sp_collection_started(c);
	ctx.host = l->opts->host;
	ctx.run = l->run;
	ctx.users = users;
	ctx.emit = emit_event;
	ctx.arg = l;
	l->origin = name;
	l->artifact_file_id = 0;
	rc = sp_collection_parse(c, &ctx, f, &perr);
	l->origin = NULL;
	fclose(f);
	if (rc == SP_E_INTERRUPTED || rc == SP_E_CASE || rc == SP_E_NOMEM) {
		if (l->err && l->err->code == SP_OK)
			*l->err = perr;
		return rc;
	}
	if (rc != SP_OK)
		sp_run_problem(l->run, name, rc, "%s", perr.msg);
	return SP_OK;
}

static void
collection_details(struct sp_json *w, const void *arg)
{
	const struct sp_collection *c = arg;
	char iso[SP_TIME_ISO_MAX];

	sp_json_object_begin(w);
	sp_json_kv_str(w, "host", sp_collection_host(c));
	sp_json_kv_str(w, "boot_id", sp_collection_boot_id(c));
	if (sp_collection_started(c) != SP_TIME_NONE) {
		sp_json_kv_int(w, "started_ns", sp_collection_started(c));
		sp_json_kv_str(w, "started", sp_time_format_iso(
		    sp_collection_started(c), 9, iso, sizeof(iso)));
	}
	sp_json_kv_uint(w, "items", sp_collection_item_count(c));
	sp_json_object_end(w);
}

int
sp_timeline_add_collection(struct sp_run *run, const char *path,
    const struct sp_timeline_opts *opts, struct sp_timeline_stats *stats,
    struct sp_err *err)
{
	static const char *const vols[] = {
		"volatile/processes.jsonl", "volatile/sockets.jsonl",
		"volatile/network.jsonl", "volatile/system.jsonl",
		"volatile/findings.jsonl"
	};
	struct sp_timeline_opts o = *opts;
	struct sp_collection *c = NULL;
	struct sp_evidence *ev = NULL;
	struct sp_users *users = NULL;
	struct coll_load cl;
	struct loader l;
	struct sp_err lerr;
	struct stat st;
	char *details = NULL, *files = NULL;
	uint64_t bytes = 0;
	int64_t same = 0;
	size_t i;
	FILE *f;
	int fd, rc;

	if ((rc = sp_collection_open(&c, path, run, err)) != SP_OK)
		return rc;
	if (o.host == NULL && sp_collection_host(c)[0] != '\0')
		o.host = sp_collection_host(c);
	if ((rc = sp_collection_verify(c, run, opts->cancel, NULL, err))
	    != SP_OK) {
		sp_collection_close(c);
		return rc;
	}
	if ((rc = loader_init(&l, run, &o, err)) != SP_OK) {
		sp_collection_close(c);
		return rc;
	}
	/* problems of the manifest and the check belong to this load */
	l.problems_before = 0;
	if ((rc = sp_store_begin(l.store, 1, err)) != SP_OK)
		goto out;
	if ((rc = sp_store_source_find(l.store, "collection", path,
	    sp_collection_manifest_size(c), sp_collection_manifest_sha256(c),
	    &same, err)) != SP_OK ||
	    (rc = refuse_or_replace(&l, same, "a collection with the same "
	    "manifest")) != SP_OK)
		goto fail;
	if ((details = sp_json_to_string(collection_details, c)) == NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "timeline");
		goto fail;
	}
	if ((rc = add_source(&l, "collection", path,
	    sp_collection_manifest_size(c), sp_collection_manifest_sha256(c),
	    details)) != SP_OK ||
	    (rc = sp_store_bulk_begin(l.store, err)) != SP_OK ||
	    (rc = sp_store_commit_batch(l.store, err)) != SP_OK)
		goto fail;

	/* the host's users name the uids of processes and logs */
	sp_err_init(&lerr);
	if (sp_collection_open_file(c, "files/etc/passwd", &fd, &lerr) ==
	    SP_OK) {
		if ((f = fdopen(fd, "r")) == NULL)
			close(fd);
		else {
			if (sp_users_load(f, &users, &lerr) != SP_OK)
				sp_run_problem(run, "files/etc/passwd",
				    lerr.code, "%s; users named by uid only",
				    lerr.msg);
			fclose(f);
		}
	}
	l.users = users;

	/* the file system: the collector's bodyfile */
	sp_err_init(&lerr);
	if (sp_collection_open_file(c, "bodyfile.txt", &fd, &lerr) == SP_OK) {
		if ((f = fdopen(fd, "r")) == NULL) {
			close(fd);
			rc = sp_err_set(err, SP_E_NOMEM, errno, "bodyfile.txt");
			goto fail;
		}
		rc = bodyfile_lines(&l, f, "bodyfile.txt", NULL, &bytes);
		if (rc == SP_OK && ferror(f))
			rc = sp_err_set(err, SP_E_IO, errno, "bodyfile.txt");
		fclose(f);
		l.origin = NULL;
		l.origin_line = 0;
		if (rc != SP_OK)
			goto end;
	}

	/* the volatile state; processes first, which the rest name */
	sp_collection_set_finding_fn(c, on_finding, &l);
	for (i = 0; i < sizeof(vols) / sizeof(vols[0]) && rc == SP_OK; i++)
		rc = collection_volatile(&l, c, vols[i], users);
	if (rc != SP_OK)
		goto end;

	/* the triage files, parsed as a directory's artifacts */
	if (asprintf(&files, "%s/files", path) < 0) {
		files = NULL;
		rc = sp_err_set(err, SP_E_NOMEM, 0, "timeline");
		goto end;
	}
	if (lstat(files, &st) == 0 && S_ISDIR(st.st_mode)) {
		sp_err_init(&lerr);
		if (sp_evidence_open(&ev, files, run, &lerr) != SP_OK) {
			sp_run_problem(run, "files", lerr.code, "%s", lerr.msg);
		} else {
			if (opts->cancel != NULL)
				sp_evidence_set_cancel(ev, opts->cancel);
			memset(&cl, 0, sizeof(cl));
			cl.l = &l;
			cl.c = c;
			l.ev = ev;
			rc = find_zones(&l, ev);
			for (i = 0; i < sp_evidence_fs_count(ev) && rc == SP_OK;
			    i++)
				rc = sp_evidence_walk(ev, (unsigned)i, NULL,
				    SP_WALK_RECURSE | SP_WALK_ALLOCATED,
				    on_collection_entry, &cl, err);
			if (rc == SP_OK)
				rc = parse_found(&l, ev);
		}
	}
end:
	sp_run_add_input(run, path, sp_collection_manifest_size(c),
	    sp_collection_manifest_sha256(c), NULL);
	rc = loader_end(&l, rc, sp_collection_manifest_sha256(c), stats);
	goto out;
fail:
	loader_end(&l, rc, NULL, stats);
	if (stats != NULL)
		stats->source_id = 0;
	if (rc != SP_E_INTERRUPTED)
		loader_drop(&l);
out:
	sp_store_free(l.store);
	loader_release(&l);
	sp_evidence_close(ev);
	sp_users_free(users);
	sp_collection_close(c);
	free(details);
	free(files);
	return rc;
}
