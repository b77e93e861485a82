/* SPDX-License-Identifier: Apache-2.0 */
/*
 * case-query: drive the case's read cursors (spoor/query.h) from the tests
 * and print what they give as '|'-separated lines in the layout of the
 * sqlite3 shell (NULL as nothing), so tests/1145-case-query.bats can hold
 * them against plain SQL run by sqlite3.
 *
 *   case-query [filters] [page] CASE events|detections|files|file-times
 *   case-query [filters] --width NS [--per-artifact] CASE histogram
 *   case-query CASE record ID
 *   case-query [filters] CASE interrupt
 *
 * --pages N walks the whole result forward in pages of N rows, each
 * after the last key of the page before; --pages-back N walks it from the
 * end in pages before the first key of the page before.  Each line is
 * then prefixed with its page number.  --sql prints the cursor's SQL.
 * --marks adds to each event row its marks and its severity.
 */
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/json.h"
#include "spoor/query.h"

static void
p_int(int64_t v, const char *sep)
{
	if (v != SP_QUERY_NULL)
		printf("%" PRId64, v);
	fputs(sep, stdout);
}

static void
p_str(const char *s, const char *sep)
{
	fputs(s ? s : "", stdout);
	fputs(sep, stdout);
}

static int show_marks;

static void
print_row(struct sp_query *q)
{
	const struct sp_event_row *e;
	const struct sp_file_row *f;
	const struct sp_file_time_row *t;
	const struct sp_detection_row *d;
	const struct sp_query_bucket *b;

	if ((e = sp_query_event(q)) != NULL) {
		p_int(e->id, "|");
		p_int(e->time_ns, "|");
		p_str(e->artifact, "|");
		p_int(e->source_id, "|");
		p_int(e->file_id, "|");
		p_int(e->origin_file_id, "|");
		p_str(e->host, "|");
		p_str(e->user, "|");
		p_int(e->pid, "|");
		p_int(e->session, "|");
		if (show_marks) {
			p_str(e->message, "|");
			p_int(e->marks, "|");
			p_str(e->severity, "\n");
		} else
			p_str(e->message, "\n");
	} else if ((t = sp_query_file_time(q)) != NULL) {
		p_int(t->sec, "|");
		p_int(t->macb, "|");
		p_int(t->file.id, "|");
		p_str(t->file.entry.path, "\n");
	} else if ((f = sp_query_file(q)) != NULL) {
		p_int(f->id, "|");
		p_int(f->source_id, "|");
		p_int((int64_t)f->entry.inode, "|");
		p_str(f->entry.path, "\n");
	} else if ((d = sp_query_detection(q)) != NULL) {
		p_int(d->id, "|");
		p_int(d->time_ns, "|");
		p_str(d->type, "|");
		p_str(d->name, "|");
		p_int(d->event_id, "|");
		p_str(d->path, "\n");
	} else if ((b = sp_query_bucket(q)) != NULL) {
		if (b->artifact)
			p_str(b->artifact, "|");
		p_int(b->start, "|");
		printf("%" PRIu64 "\n", b->count);
	}
}

static void
json_file(struct sp_json *w, const char *key, const struct sp_file_row *f)
{
	sp_json_key(w, key);
	if (f == NULL) {
		sp_json_null(w);
		return;
	}
	sp_json_object_begin(w);
	sp_json_kv_int(w, "id", f->id);
	sp_json_kv_int(w, "source_id", f->source_id);
	sp_json_kv_uint(w, "inode", f->entry.inode);
	sp_json_kv_str(w, "path", f->entry.path);
	sp_json_kv_int(w, "allocated", f->allocated);
	sp_json_kv_str(w, "sha256", f->sha256);
	sp_json_object_end(w);
}

static void
json_int(struct sp_json *w, const char *key, int64_t v)
{
	sp_json_key(w, key);
	if (v == SP_QUERY_NULL)
		sp_json_null(w);
	else
		sp_json_int(w, v);
}

static int
print_record(struct sp_case *c, int64_t id)
{
	struct sp_event_record *r;
	const struct sp_event_row *e;
	struct sp_json w;
	struct sp_err err;

	sp_err_init(&err);
	if (sp_event_record_get(c, id, &r, &err) != SP_OK) {
		fprintf(stderr, "case-query: %s\n", err.msg);
		return err.code == SP_E_NOTFOUND ? 66 : 74;
	}
	e = r->event;
	sp_json_init(&w, stdout);
	sp_json_object_begin(&w);
	sp_json_kv_int(&w, "id", e->id);
	sp_json_kv_int(&w, "time_ns", e->time_ns);
	sp_json_kv_str(&w, "artifact", e->artifact);
	sp_json_kv_str(&w, "message", e->message);
	sp_json_kv_str(&w, "origin", e->origin);
	json_int(&w, "origin_line", e->origin_line);
	json_int(&w, "origin_offset", e->origin_offset);
	sp_json_kv_str(&w, "boot_id", e->boot_id);
	json_int(&w, "session", e->session);
	json_int(&w, "auid", e->auid);
	sp_json_kv_str(&w, "tty", e->tty);
	sp_json_kv_str(&w, "cwd", e->cwd);
	sp_json_key(&w, "source");
	if (r->source == NULL)
		sp_json_null(&w);
	else {
		sp_json_object_begin(&w);
		sp_json_kv_int(&w, "id", r->source_id);
		sp_json_kv_str(&w, "kind", r->source->kind);
		sp_json_kv_str(&w, "path", r->source->path);
		sp_json_kv_str(&w, "sha256", r->source->sha256);
		sp_json_kv_str(&w, "host", r->source->host);
		sp_json_object_end(&w);
	}
	json_file(&w, "origin_file", r->origin_file);
	json_file(&w, "file", r->file);
	sp_json_key(&w, "detection");
	if (r->detection == NULL)
		sp_json_null(&w);
	else {
		sp_json_object_begin(&w);
		sp_json_kv_int(&w, "id", r->detection->id);
		sp_json_kv_str(&w, "type", r->detection->type);
		sp_json_kv_str(&w, "name", r->detection->name);
		sp_json_kv_int(&w, "score", r->detection->score);
		sp_json_object_end(&w);
	}
	sp_json_object_end(&w);
	sp_json_line_end(&w);
	sp_event_record_free(r);
	return 0;
}

static int
open_kind(struct sp_query **q, struct sp_case *c, const char *kind,
    const struct sp_query_filter *f, const struct sp_query_page *p,
    sp_time_ns width, int per_artifact, struct sp_err *err)
{
	if (strcmp(kind, "events") == 0 || strcmp(kind, "interrupt") == 0)
		return sp_query_open_events(q, c, f, p, err);
	if (strcmp(kind, "detections") == 0)
		return sp_query_open_detections(q, c, f, p, err);
	if (strcmp(kind, "files") == 0)
		return sp_query_open_files(q, c, f, err);
	if (strcmp(kind, "file-times") == 0)
		return sp_query_open_file_times(q, c, f, err);
	if (strcmp(kind, "histogram") == 0)
		return sp_query_open_histogram(q, c, f, width, per_artifact,
		    err);
	return sp_err_set(err, SP_E_USAGE, 0, "unknown kind '%s'", kind);
}

static struct sp_case *interrupt_case;

static void *
interrupt_thread(void *arg)
{
	(void)arg;
	sp_query_interrupt(interrupt_case);
	return NULL;
}

static int
parse_key(const char *s, struct sp_query_key *k)
{
	return sscanf(s, "%" SCNd64 ",%" SCNd64, &k->time_ns, &k->id) == 2 ?
	    0 : -1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "artifact", required_argument, NULL, 'a' },
		{ "source", required_argument, NULL, 's' },
		{ "host", required_argument, NULL, 'H' },
		{ "user", required_argument, NULL, 'u' },
		{ "pid", required_argument, NULL, 'p' },
		{ "session", required_argument, NULL, 'S' },
		{ "detections", no_argument, NULL, 'd' },
		{ "match", required_argument, NULL, 'm' },
		{ "desc", no_argument, NULL, 'D' },
		{ "after", required_argument, NULL, 'A' },
		{ "before", required_argument, NULL, 'B' },
		{ "limit", required_argument, NULL, 'l' },
		{ "pages", required_argument, NULL, 'P' },
		{ "pages-back", required_argument, NULL, 'R' },
		{ "width", required_argument, NULL, 'w' },
		{ "per-artifact", no_argument, NULL, 'k' },
		{ "sql", no_argument, NULL, 'q' },
		{ "tag", required_argument, NULL, 'T' },
		{ "tagged", no_argument, NULL, 'g' },
		{ "marks", no_argument, NULL, 'M' },
		{ "bare", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *artifacts[16];
	struct sp_query_filter f;
	struct sp_query_page p;
	struct sp_query_key after, before, key;
	struct sp_case *c;
	struct sp_query *q;
	struct sp_err err;
	const char *kind;
	char *sql;
	sp_time_ns width = 0;
	uint64_t pages = 0, n, page_no;
	int ch, per_artifact = 0, show_sql = 0, back = 0, more, rc, status = 0;
	pthread_t th;

	sp_query_filter_init(&f);
	memset(&p, 0, sizeof(p));
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f': f.from = strtoll(optarg, NULL, 10); break;
		case 't': f.to = strtoll(optarg, NULL, 10); break;
		case 'a':
			if (f.nartifacts < 16)
				artifacts[f.nartifacts++] = optarg;
			f.artifacts = artifacts;
			break;
		case 's': f.source_id = strtoll(optarg, NULL, 10); break;
		case 'H': f.host = optarg; break;
		case 'u': f.user = optarg; break;
		case 'p': f.pid = strtoll(optarg, NULL, 10); break;
		case 'S': f.session = strtoll(optarg, NULL, 10); break;
		case 'd': f.detections_only = 1; break;
		case 'm': f.match = optarg; break;
		case 'D': p.descending = 1; break;
		case 'A':
			if (parse_key(optarg, &after) != 0)
				return 64;
			p.after = &after;
			break;
		case 'B':
			if (parse_key(optarg, &before) != 0)
				return 64;
			p.before = &before;
			break;
		case 'l': p.limit = strtoull(optarg, NULL, 10); break;
		case 'P': pages = strtoull(optarg, NULL, 10); break;
		case 'R': pages = strtoull(optarg, NULL, 10); back = 1; break;
		case 'w': width = strtoll(optarg, NULL, 10); break;
		case 'k': per_artifact = 1; break;
		case 'q': show_sql = 1; break;
		case 'T': f.tag = optarg; break;
		case 'g': f.tagged_only = 1; break;
		case 'M': show_marks = 1; break;
		case 'b': f.bare = 1; break;
		default: return 64;
		}
	}
	if (argc - optind < 2) {
		fputs("usage: case-query [options] case kind [id]\n", stderr);
		return 64;
	}
	sp_err_init(&err);
	if (sp_case_open(&c, argv[optind], SP_CASE_READONLY, &err) != SP_OK) {
		fprintf(stderr, "case-query: %s\n", err.msg);
		return 66;
	}
	kind = argv[optind + 1];
	if (strcmp(kind, "record") == 0) {
		status = argc - optind < 3 ? 64 :
		    print_record(c, strtoll(argv[optind + 2], NULL, 10));
		sp_case_close(c);
		return status;
	}
	if (pages) {
		/* a key past either end of the order starts a backward walk */
		key.time_ns = key.id = p.descending ? INT64_MIN : INT64_MAX;
		p.limit = pages;
		p.after = p.before = NULL;
		if (back)
			p.before = &key;
	}
	for (page_no = 1;; page_no++) {
		if ((rc = open_kind(&q, c, kind, &f, &p, width, per_artifact,
		    &err)) != SP_OK)
			break;
		if (show_sql) {
			sql = sp_query_sql(q);
			printf("%s\n", sql ? sql : "");
			free(sql);
			sp_query_close(q);
			break;
		}
		n = 0;
		while ((rc = sp_query_next(q, &more, &err)) == SP_OK && more) {
			if (pages)
				printf("%" PRIu64 " ", page_no);
			print_row(q);
			/* forward: the last key; backward: the first one */
			if (!back || n == 0)
				key = sp_query_row_key(q);
			n++;
			if (strcmp(kind, "interrupt") == 0 && n == 1) {
				interrupt_case = c;
				pthread_create(&th, NULL, interrupt_thread, NULL);
				pthread_join(th, NULL);
			}
		}
		sp_query_close(q);
		if (rc != SP_OK || !pages || n < pages)
			break;
		if (back)
			p.before = &key;
		else
			p.after = &key;
	}
	if (rc != SP_OK) {
		fprintf(stderr, "case-query: %s (%s)\n", err.msg,
		    sp_err_name(err.code));
		status = sp_err_exit_status(err.code);
	}
	sp_case_close(c);
	return status;
}
