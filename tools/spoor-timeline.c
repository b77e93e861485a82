/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-timeline: add evidence (every file system, allocated and deleted
 * entries) or bodyfiles to a case database as a timeline.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "spoor/artifact.h"
#include "spoor/evidence.h"
#include "spoor/hash.h"
#include "spoor/json.h"
#include "spoor/signal.h"
#include "spoor/timeline.h"
#include "common/progress.h"
#include "common/tool.h"

enum { OPT_JSON = 256, OPT_BODYFILE, OPT_HOST, OPT_HASH, OPT_REPLACE,
	OPT_TZ, OPT_PROGRESS, OPT_ARTIFACT, OPT_ARTIFACTS, OPT_MAX_MEMORY,
	OPT_VERIFY };

static const char usage_text[] =
    "usage: spoor-timeline [-hV] [-c case] [--host name] [--hash list]\n"
    "                      [--replace] [--verify] [--tz zone]\n"
    "                      [--progress=mode]\n"
    "                      [--json] evidence ...\n"
    "       spoor-timeline [-c case] [options] --bodyfile file ...\n"
    "       spoor-timeline [-c case] [options] --artifact kind file ...\n";

static const struct option longopts[] = {
	{ "case", required_argument, NULL, 'c' },
	{ "bodyfile", no_argument, NULL, OPT_BODYFILE },
	{ "artifact", required_argument, NULL, OPT_ARTIFACT },
	{ "artifacts", required_argument, NULL, OPT_ARTIFACTS },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "hash", required_argument, NULL, OPT_HASH },
	{ "replace", no_argument, NULL, OPT_REPLACE },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
help(void)
{
	printf("%s\n"
	    "Add the file system timeline of evidence (raw, split raw, E01,\n"
	    "a directory, a spoor-collect collection) or of TSK bodyfiles to a\n"
	    "case database.\n\n"
	    "  -c, --case FILE     the case database ($SPOOR_CASE); created\n"
	    "                      when missing\n"
	    "      --bodyfile      the operands are bodyfiles (- for stdin)\n"
	    "      --artifact KIND the operands are files of this artifact\n"
	    "                      kind (syslog, audit, utmp, ...; - for stdin)\n"
	    "      --artifacts LIST artifact kinds to parse where found in\n"
	    "                      evidence (default all; none for none)\n"
	    "      --host NAME     label the source with a host name\n"
	    "      --hash LIST     hash file content: md5,sha1,sha256\n"
	    "      --replace       replace a source already in the case\n"
	    "      --verify        also compute the evidence's SHA-256 (a\n"
	    "                      source is otherwise known by a sampled\n"
	    "                      fingerprint and the hashes recorded for it)\n"
	    "      --tz ZONE       zone of local times: those of FAT and of\n"
	    "                      syslog, dpkg and apt logs (default: the\n"
	    "                      host's own from its /etc/localtime or\n"
	    "                      /etc/timezone, else UTC)\n"
	    "      --progress=MODE auto, bar, json or none (on stderr)\n"
	    "      --json          one JSON summary record per source\n"
	    "      --max-memory SIZE\n"
	    "                      bound memory use ($SPOOR_MAX_MEMORY)\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show versions\n", usage_text);
}

static void
report(int json, const char *path, const struct sp_timeline_stats *s)
{
	struct sp_json w;

	if (!json) {
		printf("%s: source %" PRId64 ", %" PRIu64 " files, %" PRIu64
		    " events\n", path, s->source_id, s->files, s->events);
		return;
	}
	sp_json_init(&w, stdout);
	sp_json_object_begin(&w);
	sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(&w, "path", path);
	sp_json_kv_int(&w, "source_id", s->source_id);
	sp_json_kv_uint(&w, "files", s->files);
	sp_json_kv_uint(&w, "events", s->events);
	sp_json_object_end(&w);
	sp_json_line_end(&w);
}

int
main(int argc, char *argv[])
{
	struct sp_tool t;
	struct sp_timeline_opts opts;
	struct sp_timeline_stats stats;
	struct sp_evidence *ev;
	struct sp_err err;
	struct sp_progress *progress;
	enum sp_progress_mode mode = SP_PROGRESS_AUTO;
	const char *case_path = NULL, *tz = NULL, *artifact = NULL;
	int ch, json = 0, bodyfile = 0, status = SP_EXIT_OK, s, i, rc;

	sp_tool_init(&t, "spoor-timeline", argc, argv);
	sp_err_init(&err);
	memset(&opts, 0, sizeof(opts));
	opts.artifacts = ~UINT64_C(0);
	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': case_path = optarg; break;
		case OPT_BODYFILE: bodyfile = 1; break;
		case OPT_HOST: opts.host = optarg; break;
		case OPT_ARTIFACT:
			if (sp_artifact_find(optarg) == NULL) {
				fprintf(stderr, "spoor-timeline: unknown "
				    "artifact '%s'\n%s", optarg, usage_text);
				return SP_EXIT_USAGE;
			}
			artifact = optarg;
			break;
		case OPT_ARTIFACTS:
			if (sp_artifact_parse_list(optarg, &opts.artifacts,
			    &err) != SP_OK) {
				fprintf(stderr, "spoor-timeline: %s\n%s",
				    err.msg, usage_text);
				return SP_EXIT_USAGE;
			}
			break;
		case OPT_HASH:
			if (sp_hash_parse_list(optarg, &opts.hash_mask, &err)
			    != SP_OK) {
				fprintf(stderr, "spoor-timeline: %s\n%s",
				    err.msg, usage_text);
				return SP_EXIT_USAGE;
			}
			break;
		case OPT_REPLACE: opts.replace = 1; break;
		case OPT_VERIFY: opts.verify = 1; break;
		case OPT_TZ: tz = opts.zone = optarg; break;
		case OPT_PROGRESS:
			if (sp_progress_parse_mode(optarg, &mode) != SP_OK) {
				fprintf(stderr, "spoor-timeline: bad progress "
				    "mode '%s'\n%s", optarg, usage_text);
				return SP_EXIT_USAGE;
			}
			break;
		case OPT_JSON: json = 1; break;
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
	if (optind == argc || (bodyfile && artifact != NULL)) {
		fputs(usage_text, stderr);
		return SP_EXIT_USAGE;
	}
	if (sp_case_path_from_env(case_path) == NULL) {
		fprintf(stderr, "spoor-timeline: no case database: give -c "
		    "or set SPOOR_CASE\n%s", usage_text);
		return SP_EXIT_USAGE;
	}
	if (tz != NULL && sp_time_set_zone(tz) != SP_OK) {
		fprintf(stderr, "spoor-timeline: unknown time zone '%s'\n%s",
		    tz, usage_text);
		return SP_EXIT_USAGE;
	}
	for (i = optind; i < argc; i++)
		sp_tool_input(&t, argv[i]);
	if (sp_tool_begin(&t, case_path, &err) != SP_OK)
		return sp_tool_finish(&t, sp_tool_error(&t, &err));
	opts.cancel = &t.cancel;
	for (i = optind; i < argc && !sp_cancel_requested(&t.cancel); i++) {
		progress = NULL;
		if (bodyfile) {
			progress = sp_progress_new(stderr, mode, "entries", 0);
			opts.progress.fn = sp_progress_on_count;
			opts.progress.arg = progress;
			rc = sp_timeline_add_bodyfile(t.run, argv[i], &opts,
			    &stats, &err);
		} else if (artifact != NULL) {
			rc = sp_timeline_add_artifact_file(t.run, artifact,
			    argv[i], &opts, &stats, &err);
		} else if (sp_collection_sniff(argv[i]) !=
		    SP_COLLECTION_NONE) {
			progress = sp_progress_new(stderr, mode, "entries", 0);
			opts.progress.fn = sp_progress_on_count;
			opts.progress.arg = progress;
			rc = sp_timeline_add_collection(t.run, argv[i], &opts,
			    &stats, &err);
		} else {
			if (sp_evidence_open(&ev, argv[i], t.run, &err)
			    != SP_OK) {
				sp_err_prefix(&err, "'%s'", argv[i]);
				s = sp_tool_error(&t, &err);
				if (status == SP_EXIT_OK)
					status = s;
				continue;
			}
			/* inputs are hashed and recorded by the load itself */
			progress = sp_progress_new(stderr, mode, "entries", 0);
			opts.progress.fn = sp_progress_on_count;
			opts.progress.arg = progress;
			rc = sp_timeline_add_evidence(t.run, ev, &opts, &stats,
			    &err);
			sp_evidence_close(ev);
		}
		sp_progress_free(progress);
		opts.progress.fn = NULL;
		opts.progress.arg = NULL;
		if (rc == SP_E_INTERRUPTED) {
			report(json, argv[i], &stats);
			break;
		}
		if (rc != SP_OK) {
			sp_err_prefix(&err, "'%s'", argv[i]);
			s = sp_tool_error(&t, &err);
			if (status == SP_EXIT_OK)
				status = s;
			continue;
		}
		report(json, argv[i], &stats);
	}
	return sp_tool_finish(&t, status);
}
