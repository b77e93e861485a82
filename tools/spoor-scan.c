/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-scan: YARA rules, hash sets, package digests and heuristics over
 * images, directories, files, memory images and live processes.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/evidence.h"
#include "spoor/hashset.h"
#include "spoor/heur.h"
#include "spoor/json.h"
#include "spoor/memimage.h"
#include "spoor/scan.h"
#include "spoor/severity.h"
#include "spoor/size.h"
#include "spoor/time.h"
#include "common/tool.h"

static const char usage_text[] =
    "usage: spoor-scan [-hqV] [--json] [-c case] [-r rules]... [-C compiled]\n"
    "                  [-j threads] [--known-good file]... "
    "[--known-bad file]...\n"
    "                  [--exclude glob]... [--newer time] [--older time]\n"
    "                  [--max-size size] [--memory | --file] "
    "[--pid pid]... [--all-processes]\n"
    "                  [target ...]\n";

enum {
	OPT_JSON = 256, OPT_MAX_SIZE, OPT_BLOCK_SIZE, OPT_EXCLUDE, OPT_NEWER,
	OPT_OLDER, OPT_KNOWN_GOOD, OPT_KNOWN_BAD, OPT_NO_YARA, OPT_NO_HEUR,
	OPT_NO_PACKAGES, OPT_NO_DELETED, OPT_STRINGS, OPT_TIMEOUT, OPT_MEMORY,
	OPT_FILE, OPT_PID, OPT_ALL_PROCESSES, OPT_PROCESS_MAX, OPT_DETECTORS,
	OPT_MAX_MEMORY
};

static const struct option longopts[] = {
	{ "rules", required_argument, NULL, 'r' },
	{ "compiled", required_argument, NULL, 'C' },
	{ "threads", required_argument, NULL, 'j' },
	{ "case", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "block-size", required_argument, NULL, OPT_BLOCK_SIZE },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "newer", required_argument, NULL, OPT_NEWER },
	{ "older", required_argument, NULL, OPT_OLDER },
	{ "known-good", required_argument, NULL, OPT_KNOWN_GOOD },
	{ "known-bad", required_argument, NULL, OPT_KNOWN_BAD },
	{ "no-yara", no_argument, NULL, OPT_NO_YARA },
	{ "no-heuristics", no_argument, NULL, OPT_NO_HEUR },
	{ "no-packages", no_argument, NULL, OPT_NO_PACKAGES },
	{ "no-deleted", no_argument, NULL, OPT_NO_DELETED },
	{ "strings", no_argument, NULL, OPT_STRINGS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "memory", no_argument, NULL, OPT_MEMORY },
	{ "file", no_argument, NULL, OPT_FILE },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "all-processes", no_argument, NULL, OPT_ALL_PROCESSES },
	{ "process-max", required_argument, NULL, OPT_PROCESS_MAX },
	{ "list-detectors", no_argument, NULL, OPT_DETECTORS },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
help(void)
{
	printf("%s\n"
	    "Scan evidence with YARA rules, hash sets, the image's package\n"
	    "digests and heuristics.  A target is a disk image (raw, split,\n"
	    "E01), a directory, a file, or a memory image (LiME, or raw with\n"
	    "--memory).  Exit status: 0 nothing found, 1 something found,\n"
	    "2 nothing found but part could not be scanned.\n\n"
	    "  -r, --rules PATH      rule file or directory (repeatable;\n"
	    "                        default: spoor's own rules)\n"
	    "  -C, --compiled FILE   rules compiled by yarac\n"
	    "  -j, --threads N       YARA worker threads (default: cores)\n"
	    "  -c, --case FILE       store detections in case FILE "
	    "($SPOOR_CASE),\n"
	    "                        those it already holds not again\n"
	    "      --json            JSON Lines: detections, targets, summary\n"
	    "  -q, --quiet           no summary on standard error\n"
	    "      --known-good FILE hash list or database to skip (repeatable)\n"
	    "      --known-bad FILE  hash list or database to detect "
	    "(repeatable)\n"
	    "      --exclude GLOB    skip paths or names matching GLOB "
	    "(repeatable)\n"
	    "      --newer TIME      only files with a time at or after TIME\n"
	    "      --older TIME      only files with a time at or before TIME\n"
	    "      --max-size SIZE   skip files larger than SIZE (e.g. 100M)\n"
	    "      --block-size SIZE scan larger content in blocks of SIZE "
	    "(16M)\n"
	    "      --timeout SEC     give up a block after SEC seconds\n"
	    "      --no-yara         no YARA rules\n"
	    "      --no-heuristics   no heuristics\n"
	    "      --no-packages     do not report modified package files\n"
	    "      --no-deleted      allocated files only\n"
	    "      --strings         show matched data\n"
	    "      --memory          take each file target as a raw memory "
	    "dump\n"
	    "      --file            take each file target as a plain file\n"
	    "      --pid PID         scan a live process's memory "
	    "(repeatable)\n"
	    "      --all-processes   scan every live process\n"
	    "      --process-max SIZE  bytes read per process at most (1G)\n"
	    "      --list-detectors  list the heuristics and exit\n"
	    "      --max-memory SIZE bound memory use ($SPOOR_MAX_MEMORY)\n"
	    "  -h, --help            show this help\n"
	    "  -V, --version         show versions\n", usage_text);
}

struct out {
	int json;
	int quiet;
	FILE *fp;
};

/* Text output: bytes that are not printable ASCII as \xHH. */
static void
put_escaped(FILE *fp, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '\\')
			fputs("\\\\", fp);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
}

static int
on_detection(const struct sp_detection *d, void *arg)
{
	struct out *o = arg;
	const struct sp_scan_target *t = d->target;
	char label[4096];

	if (o->json) {
		fputs(d->json, o->fp);
		fputc('\n', o->fp);
		return SP_CB_CONTINUE;
	}
	switch (t->kind) {
	case SP_TARGET_FILE:
		if (t->fs_index >= 0)
			snprintf(label, sizeof(label), "%s:%d:%s", t->source,
			    t->fs_index, t->path);
		else
			snprintf(label, sizeof(label), "%s", t->path);
		break;
	case SP_TARGET_MEMORY:
		if (t->pid > 0)
			snprintf(label, sizeof(label), "%s (pid %d)@0x%" PRIx64,
			    t->source, (int)t->pid, d->address);
		else
			snprintf(label, sizeof(label), "%s@0x%" PRIx64,
			    t->source, d->address);
		break;
	case SP_TARGET_PROCESS:
		snprintf(label, sizeof(label), "pid %d %s@0x%" PRIx64 " (%s %s)",
		    (int)t->pid, t->exe ? t->exe : "", d->address,
		    t->perms ? t->perms : "", t->region_path &&
		    *t->region_path ? t->region_path : "[anon]");
		break;
	case SP_TARGET_MEMORY_IMAGE:
		if (t->container == SP_TARGET_PROCESS)
			snprintf(label, sizeof(label), "pid %d %s@0x%" PRIx64
			    " (%s image at 0x%" PRIx64 ", %" PRIu64 " bytes, "
			    "in %s %s)", (int)t->pid, t->exe ? t->exe : "",
			    d->address, t->image_format, t->image_address,
			    t->image_size, t->perms ? t->perms : "",
			    t->region_path && *t->region_path ?
			    t->region_path : "[anon]");
		else if (t->pid > 0)
			snprintf(label, sizeof(label), "%s (pid %d)@0x%" PRIx64
			    " (%s image at 0x%" PRIx64 ", %" PRIu64 " bytes)",
			    t->source, (int)t->pid, d->address,
			    t->image_format, t->image_address, t->image_size);
		else
			snprintf(label, sizeof(label), "%s@0x%" PRIx64 " (%s "
			    "image at 0x%" PRIx64 ", %" PRIu64 " bytes)",
			    t->source, d->address, t->image_format,
			    t->image_address, t->image_size);
		break;
	}
	fprintf(o->fp, "%s\t%d\t%s:%s\t", sp_severity_name(d->severity),
	    d->score, d->type, d->name);
	put_escaped(o->fp, label);
	fputc('\t', o->fp);
	put_escaped(o->fp, d->reason);
	fputc('\n', o->fp);
	return SP_CB_CONTINUE;
}

static int
on_target(const char *label, int score, unsigned n, const char *json,
    void *arg)
{
	struct out *o = arg;

	if (o->json) {
		fputs(json, o->fp);
		fputc('\n', o->fp);
		return SP_CB_CONTINUE;
	}
	if (o->quiet)
		return SP_CB_CONTINUE;
	fprintf(stderr, "spoor-scan: score %d (%s, %u detection%s): ", score,
	    sp_severity_name(sp_severity_of_score(score)), n,
	    n == 1 ? "" : "s");
	put_escaped(stderr, label);
	fputc('\n', stderr);
	return SP_CB_CONTINUE;
}

static void
list_detectors(void)
{
	const struct sp_heur_detector *d;
	size_t i;

	for (i = 0; i < sp_heur_detector_count(); i++) {
		d = sp_heur_detector(i);
		printf("%-22s %-8s %3d  %-10s %s\n", d->name,
		    sp_severity_name(d->severity), d->score,
		    d->technique ? d->technique : "-", d->description);
	}
}

static void
print_summary_json(FILE *fp, const struct sp_scan_stats *st,
    const char *text, size_t rules)
{
	struct sp_json w;

	sp_json_init(&w, fp);
	sp_json_object_begin(&w);
	sp_json_kv_str(&w, "type", "summary");
	sp_json_kv_uint(&w, "rules", rules);
	sp_json_kv_uint(&w, "detections", st->detections);
	sp_json_kv_uint(&w, "already_known", st->already_known);
	sp_json_kv_uint(&w, "targets_hit", st->targets_hit);
	sp_json_kv_uint(&w, "files_seen", st->files_seen);
	sp_json_kv_uint(&w, "files_scanned", st->files_scanned);
	sp_json_kv_uint(&w, "bytes_scanned", st->bytes_scanned);
	sp_json_key(&w, "skipped");
	sp_json_object_begin(&w);
	sp_json_kv_uint(&w, "known_good", st->known_good);
	sp_json_kv_uint(&w, "package_verified", st->package_verified);
	sp_json_kv_uint(&w, "too_big", st->too_big);
	sp_json_kv_uint(&w, "excluded", st->excluded);
	sp_json_kv_uint(&w, "out_of_window", st->out_of_window);
	sp_json_kv_uint(&w, "unreadable", st->unreadable);
	sp_json_kv_uint(&w, "unrecoverable", st->unrecoverable);
	sp_json_kv_uint(&w, "not_regular", st->not_regular);
	sp_json_kv_uint(&w, "targets", st->targets_skipped);
	sp_json_object_end(&w);
	sp_json_kv_uint(&w, "memory_ranges", st->memory_ranges);
	sp_json_kv_uint(&w, "memory_images", st->memory_images);
	sp_json_kv_uint(&w, "processes", st->processes);
	sp_json_kv_uint(&w, "processes_no_memory", st->processes_no_memory);
	sp_json_kv_uint(&w, "regions", st->regions);
	sp_json_kv_uint(&w, "regions_skipped", st->regions_skipped);
	sp_json_kv_uint(&w, "processes_capped", st->process_capped);
	sp_json_kv_uint(&w, "unreadable_pages", st->unreadable_pages);
	sp_json_kv_str(&w, "text", text);
	sp_json_object_end(&w);
	sp_json_line_end(&w);
}

static int
bad_value(const char *opt, const char *v)
{
	fprintf(stderr, "spoor-scan: bad value '%s' for %s\n%s", v, opt,
	    usage_text);
	return SP_EXIT_USAGE;
}

struct list {
	const char **v;
	size_t n;
};

static int
list_add(struct list *l, const char *s)
{
	const char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	v[l->n++] = s;
	l->v = v;
	return 0;
}

/*
 * What was skipped and why, the first MAX_WARNED of it (all of it is in
 * the case); targets that failed were said when they did.
 */
#define MAX_WARNED 20
static uint64_t said[MAX_WARNED];	/* problems said already */
static size_t nsaid;

static void
warn_problems(const struct sp_tool *t)
{
	uint64_t i, n = sp_run_problem_count(t->run), shown = 0;
	const char *p;
	size_t j;

	for (i = 0; i < n && shown < MAX_WARNED; i++) {
		for (j = 0; j < nsaid && said[j] != i; j++)
			;
		if (j < nsaid || (p = sp_run_problem_text(t->run, i)) == NULL)
			continue;
		sp_tool_warn(t, "skipped %s", p);
		shown++;
	}
	if (i < n)
		sp_tool_warn(t, "and %" PRIu64 " more", n - i);
}

/* A target that could not be scanned: said, recorded, the status kept. */
static void
target_failed(struct sp_tool *t, const char *target, int rc,
    struct sp_err *err, int *first_error)
{
	sp_tool_error(t, err);
	if (nsaid < MAX_WARNED)
		said[nsaid++] = sp_run_problem_count(t->run);
	sp_run_problem(t->run, target, rc, "%s", err->msg);
	if (*first_error == 0)
		*first_error = sp_err_exit_status(rc);
	sp_err_init(err);
}

int
main(int argc, char *argv[])
{
	struct sp_tool t;
	struct sp_err err;
	struct sp_scan_options o;
	struct sp_rules *rules = NULL;
	struct sp_hashset *hs = NULL;
	struct sp_scan *s = NULL;
	struct list rule_paths = { 0 }, excludes = { 0 }, good = { 0 },
	    bad = { 0 }, pids = { 0 };
	struct out out = { 0, 0, stdout };
	const char *case_path = NULL, *compiled = NULL;
	char summary[1024], *end;
	int ch, status = SP_EXIT_OK, quiet = 0, as_memory = 0, as_file = 0;
	int all_processes = 0, first_error = 0, rc;
	long v;
	size_t i;
	uint64_t size;

	sp_tool_init(&t, "spoor-scan", argc, argv);
	sp_err_init(&err);
	sp_scan_options_init(&o);
	o.cancel = &t.cancel;
	while ((ch = getopt_long(argc, argv, "r:C:j:c:qhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (list_add(&rule_paths, optarg) != 0)
				return SP_EXIT_OF(SP_E_NOMEM);
			break;
		case 'C': compiled = optarg; break;
		case 'j':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 64)
				return bad_value("-j", optarg);
			o.threads = (unsigned)v;
			break;
		case 'c': case_path = optarg; break;
		case 'q': quiet = out.quiet = 1; break;
		case OPT_JSON: out.json = 1; break;
		case OPT_MAX_SIZE:
			if (sp_size_parse(optarg, &o.max_size) != 0)
				return bad_value("--max-size", optarg);
			break;
		case OPT_BLOCK_SIZE:
			if (sp_size_parse(optarg, &o.block_size) != 0 ||
			    o.block_size < (1u << 16) || o.block_size >
			    (UINT64_C(1) << 31))
				return bad_value("--block-size", optarg);
			break;
		case OPT_PROCESS_MAX:
			if (sp_size_parse(optarg, &o.process_max) != 0 ||
			    o.process_max == 0)
				return bad_value("--process-max", optarg);
			break;
		case OPT_EXCLUDE:
			if (list_add(&excludes, optarg) != 0)
				return SP_EXIT_OF(SP_E_NOMEM);
			break;
		case OPT_NEWER:
			if (sp_time_parse_iso(optarg, &o.newer) != 0)
				return bad_value("--newer", optarg);
			break;
		case OPT_OLDER:
			if (sp_time_parse_iso(optarg, &o.older) != 0)
				return bad_value("--older", optarg);
			break;
		case OPT_KNOWN_GOOD:
			if (list_add(&good, optarg) != 0)
				return SP_EXIT_OF(SP_E_NOMEM);
			break;
		case OPT_KNOWN_BAD:
			if (list_add(&bad, optarg) != 0)
				return SP_EXIT_OF(SP_E_NOMEM);
			break;
		case OPT_NO_YARA: o.flags |= SP_SCAN_NO_YARA; break;
		case OPT_NO_HEUR: o.flags |= SP_SCAN_NO_HEURISTICS; break;
		case OPT_NO_PACKAGES: o.flags |= SP_SCAN_NO_PACKAGES; break;
		case OPT_NO_DELETED: o.flags |= SP_SCAN_NO_DELETED; break;
		case OPT_STRINGS: o.flags |= SP_SCAN_STRINGS; break;
		case OPT_TIMEOUT:
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 86400)
				return bad_value("--timeout", optarg);
			o.timeout = (int)v;
			break;
		case OPT_MEMORY: as_memory = 1; break;
		case OPT_FILE: as_file = 1; break;
		case OPT_PID:
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 0x3fffffff)
				return bad_value("--pid", optarg);
			if (list_add(&pids, optarg) != 0)
				return SP_EXIT_OF(SP_E_NOMEM);
			break;
		case OPT_ALL_PROCESSES: all_processes = 1; break;
		case OPT_DETECTORS: list_detectors(); return SP_EXIT_OK;
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
	if (optind == argc && pids.n == 0 && !all_processes) {
		fputs(usage_text, stderr);
		return SP_EXIT_USAGE;
	}
	if (as_memory && as_file) {
		fprintf(stderr, "spoor-scan: --memory and --file exclude each "
		    "other\n%s", usage_text);
		return SP_EXIT_USAGE;
	}
	if (compiled != NULL && rule_paths.n > 0) {
		fprintf(stderr, "spoor-scan: -C and -r exclude each other\n%s",
		    usage_text);
		return SP_EXIT_USAGE;
	}
	if (o.newer != SP_TIME_NONE && o.older != SP_TIME_NONE &&
	    o.newer > o.older) {
		fprintf(stderr, "spoor-scan: --newer is after --older\n%s",
		    usage_text);
		return SP_EXIT_USAGE;
	}
	/* the inputs the memory bound is sized from: a process or
	 * a directory leaves it the machine's */
	for (i = optind; i < (size_t)argc; i++)
		sp_tool_input(&t, argv[i]);
	if (pids.n > 0 || all_processes)
		sp_tool_input(&t, NULL);
	for (i = 0; i < rule_paths.n; i++)
		sp_tool_input(&t, rule_paths.v[i]);
	if (compiled != NULL)
		sp_tool_input(&t, compiled);
	for (i = 0; i < good.n; i++)
		sp_tool_input(&t, good.v[i]);
	for (i = 0; i < bad.n; i++)
		sp_tool_input(&t, bad.v[i]);
	if (sp_tool_begin(&t, case_path, &err) != SP_OK)
		return sp_tool_finish(&t, sp_tool_error(&t, &err));

	if (!(o.flags & SP_SCAN_NO_YARA)) {
		if ((rc = sp_rules_new(&rules, &err)) != SP_OK)
			goto fail;
		if (compiled != NULL)
			rc = sp_rules_load_compiled(rules, compiled, &err);
		else if (rule_paths.n == 0)
			rc = sp_rules_add_path(rules, sp_rules_default_path(),
			    &err);
		for (i = 0; rc == SP_OK && i < rule_paths.n; i++)
			rc = sp_rules_add_path(rules, rule_paths.v[i], &err);
		if (rc == SP_OK)
			rc = sp_rules_finish(rules, &err);
		if (rc != SP_OK) {
			sp_err_prefix(&err, "rules");
			goto fail;
		}
		for (i = 0; i < sp_rules_file_count(rules); i++) {
			const char *sha;
			const char *p = sp_rules_file(rules, i, &size, &sha);
			sp_run_add_input(t.run, p, size, sha, NULL);
		}
		o.rules = rules;
	}
	if (good.n > 0 || bad.n > 0) {
		if ((rc = sp_hashset_new(&hs, &err)) != SP_OK)
			goto fail;
		for (i = 0; rc == SP_OK && i < good.n; i++)
			rc = sp_hashset_load(hs, good.v[i],
			    SP_HASHSET_KNOWN_GOOD, t.run, &err);
		for (i = 0; rc == SP_OK && i < bad.n; i++)
			rc = sp_hashset_load(hs, bad.v[i],
			    SP_HASHSET_KNOWN_BAD, t.run, &err);
		if (rc != SP_OK)
			goto fail;
		o.hashes = hs;
	}
	o.excludes = excludes.v;
	o.nexcludes = excludes.n;
	if ((rc = sp_scan_new(&s, &o, t.run, on_detection, &out, &err)) !=
	    SP_OK)
		goto fail;

	for (i = optind; i < (size_t)argc; i++) {
		rc = sp_scan_path(s, argv[i], as_memory ? SP_SCAN_AS_MEMORY :
		    as_file ? SP_SCAN_AS_FILE : SP_SCAN_AS_ANY, &err);
		if (rc == SP_E_INTERRUPTED)
			break;
		if (rc != SP_OK)
			target_failed(&t, argv[i], rc, &err, &first_error);
	}
	for (i = 0; rc != SP_E_INTERRUPTED && i < pids.n; i++) {
		rc = sp_scan_process(s, (pid_t)strtol(pids.v[i], NULL, 10),
		    &err);
		if (rc != SP_OK && rc != SP_E_INTERRUPTED)
			target_failed(&t, pids.v[i], rc, &err, &first_error);
	}
	if (rc != SP_E_INTERRUPTED && all_processes) {
		rc = sp_scan_process(s, 0, &err);
		if (rc != SP_OK && rc != SP_E_INTERRUPTED)
			target_failed(&t, "/proc", rc, &err, &first_error);
	}
	/* the callbacks here never stop the scan nor fail */
	(void)sp_scan_finish(s, on_target, &out, &err);
	sp_scan_summary(s, summary, sizeof(summary));
	if (out.json)
		print_summary_json(stdout, sp_scan_stats(s), summary,
		    rules ? sp_rules_count(rules) : 0);
	if (!quiet) {
		warn_problems(&t);
		fprintf(stderr, "spoor-scan: %s\n", summary);
	}
	if (sp_scan_stats(s)->detections > 0)
		status = SP_EXIT_FOUND;
	else if (first_error != 0)
		status = first_error;
	goto out;
fail:
	status = sp_tool_error(&t, &err);
out:
	sp_scan_free(s);
	sp_hashset_free(hs);
	sp_rules_free(rules);
	free(rule_paths.v);
	free(excludes.v);
	free(good.v);
	free(bad.v);
	free(pids.v);
	return sp_tool_finish(&t, status);
}
