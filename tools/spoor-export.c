/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-export: write a case's timeline as a TSK bodyfile, mactime text or
 * CSV, Timesketch JSONL, spoor's JSONL or a CSV text of every event; the
 * event views narrowed by the same filters a viewer of the case applies,
 * given as options or as a filter saved in the case by name.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/export.h"
#include "spoor/output.h"
#include "common/tool.h"

enum { OPT_BODYFILE = 256, OPT_MACTIME, OPT_CSV, OPT_TIMESKETCH, OPT_JSONL,
	OPT_NS, OPT_FROM, OPT_TO, OPT_SOURCE, OPT_ARTIFACT, OPT_MAX_MEMORY,
	OPT_TEXT, OPT_HOST, OPT_USER, OPT_PID, OPT_SESSION, OPT_TAG,
	OPT_TAGGED, OPT_MATCH, OPT_DETECTIONS, OPT_FILTER };

/* the most kinds one export takes (what the read cursor binds) */
#define MAX_KINDS 32

static const char usage_text[] =
    "usage: spoor-export [-hVy] [-c case] [-z zone]\n"
    "                    [--bodyfile [--ns] | --mactime [--csv] |\n"
    "                     --timesketch | --jsonl | --text] [--from time]\n"
    "                    [--to time] [--source id|path] [--artifact kind,...]\n"
    "                    [--host host] [--user user] [--pid pid]\n"
    "                    [--session id] [--tag tag] [--tagged]\n"
    "                    [--match query] [--detections] [--filter name]\n";

static const struct option longopts[] = {
	{ "case", required_argument, NULL, 'c' },
	{ "bodyfile", no_argument, NULL, OPT_BODYFILE },
	{ "mactime", no_argument, NULL, OPT_MACTIME },
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "timesketch", no_argument, NULL, OPT_TIMESKETCH },
	{ "jsonl", no_argument, NULL, OPT_JSONL },
	{ "text", no_argument, NULL, OPT_TEXT },
	{ "ns", no_argument, NULL, OPT_NS },
	{ "iso", no_argument, NULL, 'y' },
	{ "zone", required_argument, NULL, 'z' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "artifact", required_argument, NULL, OPT_ARTIFACT },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "user", required_argument, NULL, OPT_USER },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "session", required_argument, NULL, OPT_SESSION },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "tagged", no_argument, NULL, OPT_TAGGED },
	{ "match", required_argument, NULL, OPT_MATCH },
	{ "detections", no_argument, NULL, OPT_DETECTIONS },
	{ "filter", required_argument, NULL, OPT_FILTER },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
help(void)
{
	printf("%s\n"
	    "Write the timeline of a case database, sorted by time.\n\n"
	    "  -c, --case FILE     the case database ($SPOOR_CASE)\n"
	    "      --bodyfile      TSK bodyfile v3 (file system entries)\n"
	    "      --ns            bodyfile times with nanoseconds\n"
	    "      --mactime       mactime's text output (the default)\n"
	    "      --csv           with --mactime: mactime -d's CSV\n"
	    "  -y, --iso           mactime dates as ISO-8601 UTC\n"
	    "  -z, --zone ZONE     mactime dates in this time zone\n"
	    "      --timesketch    Timesketch JSONL\n"
	    "      --jsonl         every event as JSON Lines\n"
	    "      --text          every event as CSV (time, artifact,\n"
	    "                      time_desc, host, user, pid, message, origin)\n"
	    "      --from TIME     from this ISO-8601 time on (inclusive)\n"
	    "      --to TIME       up to this ISO-8601 time (inclusive)\n"
	    "      --source S      only the source with this id or path\n"
	    "      --artifact KIND[,KIND...]\n"
	    "                      only events of these artifacts (fs, audit,\n"
	    "                      auth, ...); repeatable\n"
	    "      --host HOST     only events of this host\n"
	    "      --user USER     only events of this user\n"
	    "      --pid PID       only events of this process id\n"
	    "      --session ID    only events of this login or audit session\n"
	    "      --tag TAG       only events tagged TAG\n"
	    "      --tagged        only events with a tag or a note\n"
	    "      --match QUERY   only events whose message matches this\n"
	    "                      full-text (FTS5) query\n"
	    "      --detections    only the events of detections\n"
	    "      --filter NAME   the filter saved in the case as NAME; the\n"
	    "                      options given here override its fields\n"
	    "      --max-memory SIZE\n"
	    "                      bound memory use ($SPOOR_MAX_MEMORY)\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show versions\n", usage_text);
}

/* Add the comma-separated kinds of list to kinds, once each. */
static int
add_kinds(const char *list, char **kinds, size_t *n)
{
	const char *p = list, *end;
	size_t len, i;

	for (;;) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0) {
			fprintf(stderr, "spoor-export: empty artifact kind in "
			    "'%s'\n%s", list, usage_text);
			return -1;
		}
		for (i = 0; i < *n; i++)
			if (strlen(kinds[i]) == len &&
			    strncmp(kinds[i], p, len) == 0)
				break;
		if (i == *n) {
			if (*n == MAX_KINDS) {
				fprintf(stderr, "spoor-export: more than %d "
				    "artifact kinds\n%s", MAX_KINDS,
				    usage_text);
				return -1;
			}
			if ((kinds[*n] = strndup(p, len)) == NULL) {
				perror("spoor-export");
				return -1;
			}
			(*n)++;
		}
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

/* The kinds of --artifact, freed at exit whatever way main returns. */
static char *kinds[MAX_KINDS];
static size_t nkinds;

static void
free_kinds(void)
{
	while (nkinds > 0)
		free(kinds[--nkinds]);
}

/* A pid or session id: a decimal number, at least 0. */
static int
parse_id(const char *opt, const char *s, int64_t *v)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 0 ||
	    strspn(s, "0123456789") != strlen(s)) {
		fprintf(stderr, "spoor-export: bad %s '%s' (a number "
		    "expected)\n%s", opt, s, usage_text);
		return -1;
	}
	*v = n;
	return 0;
}

/* Which filters the command line gave, so a saved filter fills the rest. */
struct given {
	int from, to, host, user, pid, session, match, tag;
};

/*
 * Fill the filters of o the command line did not give (given, and a
 * source when *source is set, kinds when there are some) from the saved
 * filter f; its strings stay owned by the saved filter.
 */
static void
merge_saved(struct sp_export_opts *o, const struct given *g,
    const char *source, const struct sp_query_filter *f)
{
	if (!g->from)
		o->from = f->from;
	if (!g->to)
		o->to = f->to;
	if (source == NULL)
		o->source_id = f->source_id;
	if (o->nartifacts == 0) {
		o->artifacts = f->artifacts;
		o->nartifacts = f->nartifacts;
	}
	if (!g->host)
		o->host = f->host;
	if (!g->user)
		o->user = f->user;
	if (!g->pid)
		o->pid = f->pid;
	if (!g->session)
		o->session = f->session;
	if (!g->match)
		o->match = f->match;
	if (!g->tag)
		o->tag = f->tag;
	o->detections_only |= f->detections_only;
	o->tagged_only |= f->tagged_only;
}

/* Whether o filters events by more than time, source and kind. */
static int
filters_events(const struct sp_export_opts *o)
{
	return o->host || o->user || o->pid != SP_QUERY_NULL ||
	    o->session != SP_QUERY_NULL || o->match || o->tag ||
	    o->tagged_only || o->detections_only;
}

/* Whether the kinds of o leave the file views nothing (no fs among them). */
static int
kinds_without_fs(const struct sp_export_opts *o)
{
	size_t i;

	for (i = 0; i < o->nartifacts; i++)
		if (strcmp(o->artifacts[i], "fs") == 0)
			return 0;
	return o->nartifacts > 0;
}

static const char *
format_name(enum sp_export_format f)
{
	return f == SP_EXPORT_BODYFILE ? "bodyfile" : "mactime";
}

static int
parse_time(const char *s, sp_time_ns *t, int end)
{
	/* a bare date as --to means the end of that day */
	if (sp_time_parse_iso(s, t) != SP_OK)
		return -1;
	if (end && strlen(s) == 10)
		*t += 86400 * SP_NS_PER_SEC - 1;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct sp_tool t;
	struct sp_export_opts o;
	struct sp_err err;
	struct given g = { 0 };
	struct sp_saved_filter *saved = NULL;
	const char *case_path = NULL, *zone = NULL, *source = NULL;
	const char *filter = NULL;
	uint64_t rows;
	int ch, csv = 0, status = SP_EXIT_OK, rc, files;

	sp_tool_init(&t, "spoor-export", argc, argv);
	/* one thread writes: no lock per character, and large writes */
	__fsetlocking(stdout, FSETLOCKING_BYCALLER);
	(void)setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	sp_err_init(&err);
	atexit(free_kinds);
	sp_export_opts_init(&o);
	while ((ch = getopt_long(argc, argv, "c:yz:hV", longopts, NULL))
	    != -1) {
		switch (ch) {
		case 'c': case_path = optarg; break;
		case OPT_BODYFILE: o.format = SP_EXPORT_BODYFILE; break;
		case OPT_MACTIME: o.format = SP_EXPORT_MACTIME; break;
		case OPT_CSV: csv = 1; break;
		case OPT_TIMESKETCH: o.format = SP_EXPORT_TIMESKETCH; break;
		case OPT_JSONL: o.format = SP_EXPORT_JSONL; break;
		case OPT_TEXT: o.format = SP_EXPORT_TEXT; break;
		case OPT_NS: o.bodyfile_flags |= SP_BODYFILE_NS; break;
		case 'y': o.iso = 1; break;
		case 'z': zone = optarg; break;
		case OPT_FROM:
		case OPT_TO:
			if (parse_time(optarg, ch == OPT_FROM ? &o.from : &o.to,
			    ch == OPT_TO) != 0) {
				fprintf(stderr, "spoor-export: bad time '%s' "
				    "(ISO-8601 expected)\n%s", optarg,
				    usage_text);
				return SP_EXIT_USAGE;
			}
			if (ch == OPT_FROM)
				g.from = 1;
			else
				g.to = 1;
			break;
		case OPT_SOURCE: source = optarg; break;
		case OPT_ARTIFACT:
			if (add_kinds(optarg, kinds, &nkinds) != 0)
				return SP_EXIT_USAGE;
			break;
		case OPT_HOST: o.host = optarg; g.host = 1; break;
		case OPT_USER: o.user = optarg; g.user = 1; break;
		case OPT_PID:
			if (parse_id("pid", optarg, &o.pid) != 0)
				return SP_EXIT_USAGE;
			g.pid = 1;
			break;
		case OPT_SESSION:
			if (parse_id("session", optarg, &o.session) != 0)
				return SP_EXIT_USAGE;
			g.session = 1;
			break;
		case OPT_TAG:
		case OPT_MATCH:
			if (*optarg == '\0') {
				fprintf(stderr, "spoor-export: empty --%s\n%s",
				    ch == OPT_TAG ? "tag" : "match", usage_text);
				return SP_EXIT_USAGE;
			}
			if (ch == OPT_TAG) {
				o.tag = optarg;
				g.tag = 1;
			} else {
				o.match = optarg;
				g.match = 1;
			}
			break;
		case OPT_TAGGED: o.tagged_only = 1; break;
		case OPT_DETECTIONS: o.detections_only = 1; break;
		case OPT_FILTER: filter = optarg; break;
		case OPT_MAX_MEMORY:
			if (sp_tool_max_memory(&t, optarg) != SP_OK) {
				fputs(usage_text, stderr);
				return SP_EXIT_USAGE;
			}
			break;
		case 'h': help(); return SP_EXIT_OK;
		case 'V': sp_tool_version(&t); return SP_EXIT_OK;
		default: fputs(usage_text, stderr); return SP_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fputs(usage_text, stderr);
		return SP_EXIT_USAGE;
	}
	if (csv) {
		if (o.format != SP_EXPORT_MACTIME) {
			fprintf(stderr, "spoor-export: --csv goes with "
			    "--mactime\n%s", usage_text);
			return SP_EXIT_USAGE;
		}
		o.format = SP_EXPORT_MACTIME_CSV;
	}
	o.artifacts = (const char *const *)kinds;
	o.nartifacts = nkinds;
	files = o.format == SP_EXPORT_BODYFILE || o.format ==
	    SP_EXPORT_MACTIME || o.format == SP_EXPORT_MACTIME_CSV;
	if (files) {
		/* the file views hold file system entries and nothing else */
		if (o.host || o.user || o.pid != SP_QUERY_NULL ||
		    o.session != SP_QUERY_NULL) {
			fprintf(stderr, "spoor-export: --host, --user, --pid "
			    "and --session filter events: use --text, --jsonl "
			    "or --timesketch\n%s", usage_text);
			return SP_EXIT_USAGE;
		}
		if (filters_events(&o)) {
			fprintf(stderr, "spoor-export: --tag, --tagged, --match "
			    "and --detections filter events: use --text, "
			    "--jsonl or --timesketch\n%s", usage_text);
			return SP_EXIT_USAGE;
		}
		if (kinds_without_fs(&o)) {
			fprintf(stderr, "spoor-export: --%s lists file system "
			    "entries only (artifact fs): use --text, --jsonl or "
			    "--timesketch for '%s'\n%s", format_name(o.format),
			    kinds[0], usage_text);
			return SP_EXIT_USAGE;
		}
	}
	if (zone != NULL && sp_time_set_zone(zone) != SP_OK) {
		fprintf(stderr, "spoor-export: unknown time zone '%s'\n%s",
		    zone, usage_text);
		return SP_EXIT_USAGE;
	}
	if (sp_case_path_from_env(case_path) == NULL) {
		fprintf(stderr, "spoor-export: no case database: give -c or "
		    "set SPOOR_CASE\n%s", usage_text);
		return SP_EXIT_USAGE;
	}
	/* an export needs a case that exists; its run is recorded there */
	if (sp_case_open(&t.c, sp_case_path_from_env(case_path), 0, &err)
	    != SP_OK)
		return sp_tool_error(&t, &err);
	sp_case_close(t.c);
	t.c = NULL;
	if (sp_tool_begin(&t, case_path, &err) != SP_OK)
		return sp_tool_finish(&t, sp_tool_error(&t, &err));
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	if (filter != NULL) {
		if (sp_case_filter_load(t.c, filter, &saved, &err) != SP_OK)
			return sp_tool_finish(&t, sp_tool_error(&t, &err));
		merge_saved(&o, &g, source, sp_saved_filter_get(saved));
		/* the same rules as the options, for what the filter gave */
		if (files && filters_events(&o))
			sp_err_set(&err, SP_E_USAGE, 0, "filter '%s' filters "
			    "events: use --text, --jsonl or --timesketch",
			    filter);
		else if (files && kinds_without_fs(&o))
			sp_err_set(&err, SP_E_USAGE, 0, "filter '%s': --%s "
			    "lists file system entries only (artifact fs): use "
			    "--text, --jsonl or --timesketch for '%s'", filter,
			    format_name(o.format), o.artifacts[0]);
		else if (o.nartifacts > MAX_KINDS)
			sp_err_set(&err, SP_E_USAGE, 0, "filter '%s': more "
			    "than %d artifact kinds", filter, MAX_KINDS);
		if (err.code != SP_OK) {
			status = sp_tool_error(&t, &err);
			goto end;
		}
	}
	if (source != NULL &&
	    sp_export_find_source(t.c, source, &o.source_id, &err) != SP_OK) {
		status = sp_tool_error(&t, &err);
		goto end;
	}
	if (o.nartifacts > 0 && sp_export_check_artifacts(t.c, o.artifacts,
	    o.nartifacts, &err) != SP_OK) {
		status = sp_tool_error(&t, &err);
		goto end;
	}
	o.cancel = &t.cancel;
	rc = sp_export(t.c, &o, stdout, &rows, &err);
	/* a reader that stopped reading (| head) is no error: it is quiet */
	if (rc != SP_OK && rc != SP_E_INTERRUPTED && !sp_tool_output_closed())
		status = sp_tool_error(&t, &err);
end:
	status = sp_tool_finish(&t, status);
	sp_saved_filter_free(saved);
	return status;
}
