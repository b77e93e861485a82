/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-rca: build the causal graph of a case and explain its detections
 * (or given targets) as root-cause trees with a who / what / when / where
 * / how summary, as text, JSON Lines or Graphviz.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spoor/graph.h"
#include "spoor/json.h"
#include "spoor/rca.h"
#include "spoor/size.h"
#include "common/tool.h"

enum { OPT_REBUILD = 256, OPT_JSON, OPT_DOT, OPT_ASCII, OPT_ALL, OPT_DEPTH,
	OPT_WINDOW, OPT_EXPLAIN, OPT_NO_STORE, OPT_MAX_NODES, OPT_MAX_MEMORY };

static const char usage_text[] =
    "usage: spoor-rca [-hV] [-c case] [--rebuild] [--json | --dot] [--ascii]\n"
    "                 [--all] [--depth n] [--window duration] [--no-store]\n"
    "                 [--explain node | target ...]\n"
    "  target: detection:ID event:ID pid:PID path:PATH inode:N node:ID\n";

static const struct option longopts[] = {
	{ "case", required_argument, NULL, 'c' },
	{ "rebuild", no_argument, NULL, OPT_REBUILD },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "dot", no_argument, NULL, OPT_DOT },
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "depth", required_argument, NULL, OPT_DEPTH },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "no-store", no_argument, NULL, OPT_NO_STORE },
	{ "max-nodes", required_argument, NULL, OPT_MAX_NODES },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
help(void)
{
	printf("%s\n"
	    "Explain a case: build its causal graph (processes, logins, files,\n"
	    "endpoints, web requests, cron entries and units, with the edges\n"
	    "between them) and walk it back from each detection to the entry\n"
	    "point, then forward for everything the attacker touched.\n\n"
	    "  -c, --case FILE     the case database ($SPOOR_CASE)\n"
	    "      --rebuild       build the graph again even if it is current\n"
	    "      --json          one JSON object per incident (JSON Lines)\n"
	    "      --dot           Graphviz, one digraph per incident\n"
	    "      --ascii         draw the tree in ASCII, not UTF-8\n"
	    "      --all           no pruning of routine activity\n"
	    "      --depth N       stop the forward walk N levels down\n"
	    "      --window DUR    stop the forward walk DUR after the root\n"
	    "                      (s, m, h or d suffix)\n"
	    "      --max-nodes N   at most N nodes a tree (default 2000)\n"
	    "      --explain NODE  why a graph node is where it is\n"
	    "      --no-store      do not store the trees in the case\n"
	    "      --max-memory SIZE\n"
	    "                      bound memory use ($SPOOR_MAX_MEMORY)\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show versions\n", usage_text);
}

static int
parse_num(const char *s, int64_t *v)
{
	char *e;
	long long n;

	errno = 0;
	n = strtoll(s, &e, 10);
	if (errno != 0 || e == s || *e != '\0' || n < 0)
		return -1;
	*v = n;
	return 0;
}

static int
parse_duration(const char *s, sp_time_ns *t)
{
	char *e;
	double v;
	int64_t mul = 1;

	errno = 0;
	v = strtod(s, &e);
	if (errno != 0 || e == s || v < 0)
		return -1;
	switch (*e) {
	case '\0': case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	default: return -1;
	}
	if (*e != '\0' && e[1] != '\0')
		return -1;
	*t = (sp_time_ns)(v * (double)mul * (double)SP_NS_PER_SEC);
	return 0;
}

static int
parse_target(const char *s, struct sp_rca_target *t)
{
	static const struct {
		const char *prefix;
		enum sp_rca_target_kind kind;
		int numeric;
	} k[] = {
		{ "detection:", SP_RCA_DETECTION, 1 },
		{ "event:", SP_RCA_EVENT, 1 },
		{ "pid:", SP_RCA_PID, 1 },
		{ "path:", SP_RCA_PATH, 0 },
		{ "inode:", SP_RCA_INODE, 1 },
		{ "node:", SP_RCA_NODE, 1 },
	};
	size_t i, n;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		n = strlen(k[i].prefix);
		if (strncmp(s, k[i].prefix, n) != 0)
			continue;
		memset(t, 0, sizeof(*t));
		t->kind = k[i].kind;
		if (k[i].numeric)
			return parse_num(s + n, &t->num);
		t->text = s + n;
		return *t->text == '/' ? 0 : -1;
	}
	/* a bare absolute path */
	if (s[0] == '/') {
		memset(t, 0, sizeof(*t));
		t->kind = SP_RCA_PATH;
		t->text = s;
		return 0;
	}
	return -1;
}

int
main(int argc, char *argv[])
{
	struct sp_tool t;
	struct sp_err err;
	struct sp_rca_options o;
	struct sp_rca_target *targets = NULL;
	struct sp_rca_result *res = NULL;
	const char *case_path = NULL;
	int64_t explain = -1, v;
	size_t nt = 0, i;
	int ch, json = 0, dot = 0, ascii = 0, rebuild = 0, store = 1, stale;
	int status = SP_EXIT_OK, rc;

	sp_tool_init(&t, "spoor-rca", argc, argv);
	sp_err_init(&err);
	memset(&o, 0, sizeof(o));
	o.window = SP_TIME_NONE;
	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': case_path = optarg; break;
		case OPT_REBUILD: rebuild = 1; break;
		case OPT_JSON: json = 1; break;
		case OPT_DOT: dot = 1; break;
		case OPT_ASCII: ascii = 1; break;
		case OPT_ALL: o.all = 1; break;
		case OPT_NO_STORE: store = 0; break;
		case OPT_DEPTH:
			if (parse_num(optarg, &v) != 0 || v < 1 || v > 4096) {
				fprintf(stderr, "spoor-rca: bad depth '%s'\n%s",
				    optarg, usage_text);
				return SP_EXIT_USAGE;
			}
			o.depth = (int)v;
			break;
		case OPT_MAX_NODES:
			if (parse_num(optarg, &v) != 0 || v < 1 ||
			    v > 1000000) {
				fprintf(stderr, "spoor-rca: bad node count "
				    "'%s'\n%s", optarg, usage_text);
				return SP_EXIT_USAGE;
			}
			o.max_nodes = (size_t)v;
			break;
		case OPT_WINDOW:
			if (parse_duration(optarg, &o.window) != 0) {
				fprintf(stderr, "spoor-rca: bad duration "
				    "'%s'\n%s", optarg, usage_text);
				return SP_EXIT_USAGE;
			}
			break;
		case OPT_EXPLAIN:
			if (parse_num(optarg[0] == 'n' ? optarg + 1 : optarg,
			    &explain) != 0) {
				fprintf(stderr, "spoor-rca: bad node '%s'\n%s",
				    optarg, usage_text);
				return SP_EXIT_USAGE;
			}
			break;
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
	if (json && dot) {
		fprintf(stderr, "spoor-rca: --json and --dot do not go "
		    "together\n%s", usage_text);
		return SP_EXIT_USAGE;
	}
	if (explain >= 0 && optind != argc) {
		fprintf(stderr, "spoor-rca: --explain takes no targets\n%s",
		    usage_text);
		return SP_EXIT_USAGE;
	}
	if (argc > optind &&
	    (targets = calloc((size_t)(argc - optind), sizeof(*targets))) ==
	    NULL) {
		fputs("spoor-rca: out of memory\n", stderr);
		return SP_EXIT_OF(SP_E_NOMEM);
	}
	for (; optind < argc; optind++) {
		if (parse_target(argv[optind], &targets[nt]) != 0) {
			fprintf(stderr, "spoor-rca: bad target '%s'\n%s",
			    argv[optind], usage_text);
			free(targets);
			return SP_EXIT_USAGE;
		}
		nt++;
	}
	if (sp_case_path_from_env(case_path) == NULL) {
		fprintf(stderr, "spoor-rca: no case database: give -c or set "
		    "SPOOR_CASE\n%s", usage_text);
		free(targets);
		return SP_EXIT_USAGE;
	}
	/* the case must exist: an analysis never creates one */
	if (sp_case_open(&t.c, sp_case_path_from_env(case_path), 0, &err) !=
	    SP_OK) {
		free(targets);
		return sp_tool_error(&t, &err);
	}
	sp_case_close(t.c);
	t.c = NULL;
	if (sp_tool_begin(&t, case_path, &err) != SP_OK) {
		free(targets);
		return sp_tool_finish(&t, sp_tool_error(&t, &err));
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);

	/* the graph: built when missing, stale or asked for */
	if ((rc = sp_graph_stale(t.c, &stale, &err)) != SP_OK)
		goto fail;
	if (rebuild || stale) {
		struct sp_rca_build_stats st;
		if ((rc = sp_rca_build(t.run, &st, &err)) != SP_OK)
			goto fail;
		if ((!json && !dot && explain < 0 && isatty(2)) ||
		    getenv("SPOOR_RCA_STATS") != NULL)
			fprintf(stderr, "spoor-rca: causal graph of %" PRIu64
			    " events: %" PRIu64 " processes, %" PRIu64
			    " sessions, %" PRIu64 " objects, %" PRIu64
			    " edges (%" PRIu64 " inferred) in %.2f s (read "
			    "%.2f, joins %.2f, write %.2f)\n", st.events,
			    st.processes, st.sessions, st.objects, st.edges,
			    st.inferred_edges, st.read_s + st.join_s +
			    st.write_s, st.read_s, st.join_s, st.write_s);
	}
	if (explain >= 0) {
		struct sp_json w;
		sp_json_init(&w, stdout);
		rc = sp_rca_explain(t.c, explain, stdout, json ? &w : NULL,
		    &err);
		if (json && rc == SP_OK)
			sp_json_line_end(&w);
		if (rc != SP_OK)
			goto fail;
		free(targets);
		return sp_tool_finish(&t, status);
	}
	if ((rc = sp_rca_analyse(t.c, targets, nt, &o, &res, &err)) != SP_OK)
		goto fail;
	for (i = 0; i < sp_rca_notes(res); i++)
		sp_tool_warn(&t, "%s", sp_rca_note(res, i));
	if (sp_rca_incidents(res) == 0 && !json && !dot)
		fprintf(stderr, "spoor-rca: nothing to explain: %s\n",
		    nt > 0 ? "the targets lead nowhere" :
		    "the case holds no detection (give a target)");
	for (i = 0; i < sp_rca_incidents(res); i++) {
		if (json) {
			struct sp_json w;
			sp_json_init(&w, stdout);
			sp_rca_write_json(&w, res, i);
			sp_json_line_end(&w);
		} else if (dot) {
			sp_rca_write_dot(stdout, res, i);
		} else {
			if (i > 0)
				putchar('\n');
			sp_rca_write_text(stdout, res, i, ascii);
		}
	}
	if (fflush(stdout) != 0 && !sp_tool_output_closed()) {
		sp_tool_warn(&t, "write error on standard output");
		status = SP_EXIT_OF(SP_E_IO);
	}
	if (store && (rc = sp_rca_store(t.run, res, &err)) != SP_OK)
		goto fail;
	sp_rca_result_free(res);
	free(targets);
	return sp_tool_finish(&t, status);
fail:
	sp_rca_result_free(res);
	free(targets);
	return sp_tool_finish(&t, sp_tool_error(&t, &err));
}
