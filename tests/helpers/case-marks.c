/* SPDX-License-Identifier: Apache-2.0 */
/*
 * case-marks: read what the analyst keeps in a case (the tags and notes
 * that tests/helpers/case-store writes, through sp_query_open_marks; saved
 * filters) and the stored root-cause trees (sp_graph_trees,
 * sp_graph_tree_nodes) from the tests, printing '|'-separated lines in the
 * layout of the sqlite3 shell (NULL as nothing), so
 * tests/1146-case-marks.bats can hold them against plain SQL.
 *
 *   case-marks CASE marks KIND ID
 *   case-marks [filters] CASE save NAME
 *   case-marks CASE load|delete NAME
 *   case-marks CASE names [N]      (stop after N names)
 *   case-marks CASE trees
 *   case-marks CASE tree-nodes ID
 *
 * KIND is event, file, detection or node.  The filters are those of
 * case-query plus --tag and --tagged; load prints the loaded filter one
 * field a line.  Errors print the message and the error's name on stderr
 * and exit with the error's status.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/graph.h"
#include "spoor/query.h"

static void
p_int(int64_t v, int64_t none, const char *sep)
{
	if (v != none)
		printf("%" PRId64, v);
	fputs(sep, stdout);
}

static void
p_str(const char *s, const char *sep)
{
	fputs(s ? s : "", stdout);
	fputs(sep, stdout);
}

static int
parse_kind(const char *s, enum sp_mark_target *k)
{
	static const char *const names[] = { "event", "file", "detection",
	    "node" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*k = (enum sp_mark_target)i;
			return 0;
		}
	return -1;
}

static int
print_marks(struct sp_case *c, enum sp_mark_target k, int64_t id,
    struct sp_err *err)
{
	struct sp_query *q;
	const struct sp_mark_row *m;
	int rc, more;

	if ((rc = sp_query_open_marks(&q, c, k, id, err)) != SP_OK)
		return rc;
	while ((rc = sp_query_next(q, &more, err)) == SP_OK && more) {
		m = sp_query_mark(q);
		if (m->kind != k || sp_query_event(q) != NULL) {
			fputs("case-marks: wrong row kind\n", stderr);
			exit(70);
		}
		p_int(m->id, INT64_MIN, "|");
		p_int(m->is_note, INT64_MIN, "|");
		p_int(m->target_id, INT64_MIN, "|");
		p_str(m->text, "|");
		p_str(m->author, "|");
		p_int(m->created_ns, SP_TIME_NONE, "|");
		p_int(m->updated_ns, SP_TIME_NONE, "\n");
	}
	sp_query_close(q);
	return rc;
}

static void
print_filter(const struct sp_query_filter *f)
{
	size_t i;

	printf("from=");
	p_int(f->from, SP_TIME_NONE, "\n");
	printf("to=");
	p_int(f->to, SP_TIME_NONE, "\n");
	printf("artifacts=");
	for (i = 0; i < f->nartifacts; i++)
		printf("%s%s", i ? "," : "", f->artifacts[i]);
	printf("\nsource_id=%" PRId64 "\n", f->source_id);
	printf("host=");
	p_str(f->host, "\n");
	printf("user=");
	p_str(f->user, "\n");
	printf("pid=");
	p_int(f->pid, SP_QUERY_NULL, "\n");
	printf("session=");
	p_int(f->session, SP_QUERY_NULL, "\n");
	printf("detections_only=%d\n", f->detections_only);
	printf("match=");
	p_str(f->match, "\n");
	printf("tag=");
	p_str(f->tag, "\n");
	printf("tagged_only=%d\n", f->tagged_only);
	printf("bare=%d\n", f->bare);
}

struct stop {
	long left;
};

static int
print_name(const char *name, void *arg)
{
	struct stop *s = arg;

	printf("%s\n", name);
	return s->left > 0 && --s->left == 0;
}

static int
print_tree(const struct sp_tree_info *t, void *arg)
{
	(void)arg;
	p_int(t->id, SP_GRAPH_NONE, "|");
	p_int(t->run_id, SP_GRAPH_NONE, "|");
	p_int(t->incident, SP_GRAPH_NONE, "|");
	p_int(t->root, SP_GRAPH_NONE, "|");
	p_int(t->created_ns, SP_TIME_NONE, "|");
	p_str(t->summary, "|");
	p_str(t->missing, "\n");
	return 0;
}

static int
print_node(int64_t seq, const struct sp_tree_node *n, void *arg)
{
	(void)arg;
	p_int(seq, INT64_MIN, "|");
	p_int(n->node, INT64_MIN, "|");
	p_int(n->parent, INT64_MIN, "|");
	p_str(n->relation, "|");
	p_int(n->edge, SP_GRAPH_NONE, "|");
	printf("%d|", n->depth);
	p_int(n->time_ns, SP_GRAPH_NONE, "|");
	printf("%.6f|", n->confidence);
	p_str(n->label, "|");
	p_str(n->reason, "\n");
	return 0;
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
		{ "tag", required_argument, NULL, 'T' },
		{ "tagged", no_argument, NULL, 'g' },
		{ "bare", no_argument, NULL, 'b' },
		{ "run", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *artifacts[16];
	struct sp_query_filter f;
	struct sp_saved_filter *sf;
	struct sp_case *c;
	struct sp_err err;
	enum sp_mark_target kind;
	struct stop stop = { 0 };
	const char *cmd, *path;
	int64_t run_id = 0;
	int ch, rc = SP_OK, nargs, status = 0;

	sp_query_filter_init(&f);
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
		case 'T': f.tag = optarg; break;
		case 'g': f.tagged_only = 1; break;
		case 'b': f.bare = 1; break;
		case 'r': run_id = strtoll(optarg, NULL, 10); break;
		default: return 64;
		}
	}
	if (argc - optind < 2) {
		fputs("usage: case-marks [options] case command [args]\n",
		    stderr);
		return 64;
	}
	path = argv[optind];
	cmd = argv[optind + 1];
	argv += optind + 2;
	nargs = argc - optind - 2;
	sp_err_init(&err);
	if (sp_case_open(&c, path, 0, &err) != SP_OK) {
		fprintf(stderr, "case-marks: %s\n", err.msg);
		return 66;
	}
	if (strcmp(cmd, "marks") == 0 && nargs == 2 &&
	    parse_kind(argv[0], &kind) == 0)
		rc = print_marks(c, kind, strtoll(argv[1], NULL, 10), &err);
	else if (strcmp(cmd, "save") == 0 && nargs == 1)
		rc = sp_case_filter_save(c, argv[0], &f, run_id, &err);
	else if (strcmp(cmd, "load") == 0 && nargs == 1) {
		if ((rc = sp_case_filter_load(c, argv[0], &sf, &err)) ==
		    SP_OK) {
			print_filter(sp_saved_filter_get(sf));
			sp_saved_filter_free(sf);
		}
	} else if (strcmp(cmd, "delete") == 0 && nargs == 1)
		rc = sp_case_filter_delete(c, argv[0], &err);
	else if (strcmp(cmd, "names") == 0 && nargs <= 1) {
		stop.left = nargs ? strtol(argv[0], NULL, 10) : 0;
		rc = sp_case_filter_names(c, print_name, &stop, &err);
	} else if (strcmp(cmd, "trees") == 0 && nargs == 0)
		rc = sp_graph_trees(c, print_tree, NULL, &err);
	else if (strcmp(cmd, "tree-nodes") == 0 && nargs == 1)
		rc = sp_graph_tree_nodes(c, strtoll(argv[0], NULL, 10),
		    print_node, NULL, &err);
	else {
		fprintf(stderr, "case-marks: bad command '%s'\n", cmd);
		status = 64;
	}
	if (rc != SP_OK) {
		fprintf(stderr, "case-marks: %s (%s)\n", err.msg,
		    sp_err_name(err.code));
		status = sp_err_exit_status(err.code);
	}
	sp_case_close(c);
	return status;
}
