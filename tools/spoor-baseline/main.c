/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-baseline: take a baseline of a system's files and configuration,
 * tell how evidence drifted from it, and list the executables that no
 * package, baseline or allowlist vouches for.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/baseline.h"
#include "spoor/evidence.h"
#include "spoor/json.h"
#include "common/tool.h"

static const char usage_text[] =
    "usage: spoor-baseline create [-c case] [--json] [--force] "
    "-o base.db evidence\n"
    "       spoor-baseline diff [-c case] [--json] [--ignore file] "
    "[--no-default-ignores]\n"
    "                           base.db evidence\n"
    "       spoor-baseline allowlist [-c case] [--json] [--allow file] "
    "[--baseline base.db]\n"
    "                           evidence\n"
    "       spoor-baseline -h | -V\n";

enum {
	OPT_JSON = 256, OPT_MAX_MEMORY, OPT_FORCE, OPT_IGNORE,
	OPT_NO_DEFAULTS, OPT_ALLOW, OPT_BASELINE
};

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "ignore", required_argument, NULL, OPT_IGNORE },
	{ "no-default-ignores", no_argument, NULL, OPT_NO_DEFAULTS },
	{ "allow", required_argument, NULL, OPT_ALLOW },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "case", required_argument, NULL, 'c' },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

struct opts {
	const char *output, *case_path, *allow, *baseline;
	const char *ignore[16];
	int nignore, force, json, no_defaults;
};

static void
help(void)
{
	printf("%s\n"
	    "Baselines of a system and its drift from them.\n\n"
	    "  create     record every file (type, mode, owner, size,\n"
	    "             SHA-256, link, times, extended attributes) and\n"
	    "             the packages, users, units, timers, cron entries,\n"
	    "             sudoers rules and keys of evidence in base.db\n"
	    "  diff       what was added, removed and changed since the\n"
	    "             baseline (exit 1 when anything was)\n"
	    "  allowlist  the executables no package digest, baseline or\n"
	    "             allowlist vouches for (exit 1 when any)\n\n"
	    "  -o, --output FILE   the baseline to write (create)\n"
	    "      --force         replace an existing baseline (create)\n"
	    "      --ignore FILE   ignore rules (diff; may be repeated)\n"
	    "      --no-default-ignores\n"
	    "                      leave out the built-in ignore rules (diff)\n"
	    "      --allow FILE    allowlist of paths, globs and SHA-256\n"
	    "                      digests (allowlist)\n"
	    "      --baseline FILE a baseline whose files are vouched for\n"
	    "                      (allowlist)\n"
	    "      --json          JSON Lines on standard output\n"
	    "  -c, --case FILE     record the run and the findings in case\n"
	    "                      FILE ($SPOOR_CASE)\n"
	    "      --max-memory SIZE\n"
	    "                      bound memory use ($SPOOR_MAX_MEMORY)\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show versions\n", usage_text);
}

/* s on stdout with control characters and other bytes escaped. */
static void
put_text(const char *s)
{
	sp_json_escape(stdout, s, strlen(s));
}

/* Open evidence with a file system, its inputs recorded in a case. */
static int
open_evidence(struct sp_tool *t, const char *path, struct sp_evidence **ev)
{
	struct sp_err err;

	sp_err_init(&err);
	if (sp_evidence_open(ev, path, t->run, &err) != SP_OK)
		return sp_tool_error(t, &err);
	if ((t->c != NULL && sp_evidence_record_inputs(*ev, t->run, &err)
	    != SP_OK) || sp_evidence_need_fs(*ev, &err) != SP_OK) {
		sp_evidence_close(*ev);
		*ev = NULL;
		return sp_tool_error(t, &err);
	}
	sp_evidence_set_cancel(*ev, &t->cancel);
	return SP_EXIT_OK;
}

/* The status of an operation that failed or finished. */
static int
done(struct sp_tool *t, int rc, const struct sp_err *err, int found)
{
	if (rc != SP_OK)
		return sp_tool_error(t, err);
	/* an incomplete comparison says so before it says what it found */
	if (sp_run_problem_count(t->run) > 0)
		return SP_EXIT_PARTIAL;
	return found ? SP_EXIT_FOUND : SP_EXIT_OK;
}

/* The summary's keys for the counts of each kind of item. */
static const char *const count_keys[] = {
	"packages", "users", "groups", "units", "timers", "cron_entries",
	"sudoers_lines", "keys", "preload_entries", "profile_lines",
	"listen_lines"
};
_Static_assert(sizeof(count_keys) / sizeof(count_keys[0]) == SP_BL_NKINDS,
    "a summary key for every kind of item");

static int
cmd_create(struct sp_tool *t, const struct opts *o, const char *evpath)
{
	struct sp_evidence *ev = NULL;
	struct sp_baseline *b = NULL;
	struct sp_json w;
	struct sp_err err;
	int rc, status;
	unsigned k;

	sp_err_init(&err);
	if ((status = open_evidence(t, evpath, &ev)) != SP_EXIT_OK)
		return status;
	rc = sp_baseline_take(&b, ev, 0, t->run, &err);
	if (rc == SP_OK)
		rc = sp_baseline_save(b, o->output, evpath, o->force, &err);
	if (rc == SP_OK && t->c != NULL)
		rc = sp_baseline_record_file(t->run, o->output, &err);
	if (rc == SP_OK && o->json) {
		sp_json_init(&w, stdout);
		sp_json_object_begin(&w);
		sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
		sp_json_kv_str(&w, "record", "summary");
		sp_json_kv_str(&w, "baseline", o->output);
		sp_json_kv_str(&w, "evidence", evpath);
		sp_json_kv_uint(&w, "files", sp_baseline_file_count(b));
		for (k = 0; k < SP_BL_NKINDS; k++)
			sp_json_kv_uint(&w, count_keys[k],
			    sp_baseline_item_count(b, (enum sp_bl_item_kind)k));
		sp_json_kv_uint(&w, "problems", sp_run_problem_count(t->run));
		sp_json_object_end(&w);
		sp_json_line_end(&w);
	} else if (rc == SP_OK) {
		printf("baseline '");
		put_text(o->output);
		printf("': %zu files, %zu packages, %zu users, %zu units, "
		    "%zu timers, %zu cron entries, %zu sudoers lines, "
		    "%zu keys, %zu listening lines\n",
		    sp_baseline_file_count(b),
		    sp_baseline_item_count(b, SP_BL_PACKAGE),
		    sp_baseline_item_count(b, SP_BL_USER),
		    sp_baseline_item_count(b, SP_BL_UNIT),
		    sp_baseline_item_count(b, SP_BL_TIMER),
		    sp_baseline_item_count(b, SP_BL_CRON),
		    sp_baseline_item_count(b, SP_BL_SUDOERS),
		    sp_baseline_item_count(b, SP_BL_KEY),
		    sp_baseline_item_count(b, SP_BL_LISTEN));
	}
	sp_baseline_free(b);
	sp_evidence_close(ev);
	return done(t, rc, &err, 0);
}

struct diff_out {
	int json;
	struct sp_bl_recorder *rec;
	struct sp_err *err;
};

static int
print_change(const struct sp_bl_change *c, void *arg)
{
	struct diff_out *d = arg;
	char classes[128], *json;
	int rc;

	if (d->rec != NULL && (rc = sp_bl_record_change(d->rec, c, d->err))
	    != SP_OK)
		return rc;
	if (d->json) {
		if ((json = sp_bl_change_json(c)) == NULL)
			return SP_E_NOMEM;
		/* the record is the event's fields behind its name */
		printf("{\"schema\":%d,\"record\":\"entry\",%s\n",
		    SP_JSON_SCHEMA, json + 1);
		free(json);
	} else if (c->item_kind < 0) {
		printf("%-8s ", sp_bl_status_name(c->status));
		put_text((c->new ? c->new : c->old)->path);
		if (c->status == SP_BL_CHANGED)
			printf("  %s", sp_bl_classes_text(c->classes, classes,
			    sizeof(classes)));
		putchar('\n');
	} else {
		printf("%-8s %s:", sp_bl_status_name(c->status),
		    sp_bl_item_kind_name((enum sp_bl_item_kind)c->item_kind));
		put_text(c->key);
		if (c->new_value && c->new_value[0] &&
		    c->item_kind == SP_BL_PACKAGE) {
			printf("  ");
			if (c->old_value) {
				put_text(c->old_value);
				printf(" -> ");
			}
			put_text(c->new_value);
		}
		putchar('\n');
	}
	return sp_tool_output_closed() ? SP_CB_STOP : SP_CB_CONTINUE;
}

/* The ignore rules: the built-in ones unless refused, then the files'. */
static int
load_ignores(const struct opts *o, struct sp_bl_rules **rules,
    struct sp_err *err)
{
	int i, rc;

	if ((rc = sp_bl_rules_new(rules, 0, err)) != SP_OK)
		return rc;
	if (!o->no_defaults && (rc = sp_bl_rules_add_defaults(*rules, err))
	    != SP_OK)
		return rc;
	for (i = 0; i < o->nignore; i++)
		if ((rc = sp_bl_rules_load(*rules, o->ignore[i], err)) != SP_OK)
			return rc;
	return SP_OK;
}

static int
cmd_diff(struct sp_tool *t, const struct opts *o, const char *base_path,
    const char *evpath)
{
	struct sp_evidence *ev = NULL;
	struct sp_baseline *base = NULL, *now = NULL;
	struct sp_bl_rules *rules = NULL;
	struct sp_bl_diff_counts k;
	struct diff_out d;
	struct sp_err err;
	int rc, status;

	sp_err_init(&err);
	memset(&d, 0, sizeof(d));
	memset(&k, 0, sizeof(k));
	d.json = o->json;
	d.err = &err;
	if ((rc = load_ignores(o, &rules, &err)) != SP_OK ||
	    (rc = sp_baseline_load(&base, base_path, &err)) != SP_OK) {
		sp_bl_rules_free(rules);
		return sp_tool_error(t, &err);
	}
	if ((status = open_evidence(t, evpath, &ev)) != SP_EXIT_OK) {
		sp_baseline_free(base);
		sp_bl_rules_free(rules);
		return status;
	}
	rc = sp_baseline_take(&now, ev, 0, t->run, &err);
	if (rc == SP_OK && t->c != NULL &&
	    (rc = sp_baseline_record_file(t->run, base_path, &err)) == SP_OK)
		rc = sp_bl_recorder_new(&d.rec, t->run, ev, &err);
	if (rc == SP_OK)
		rc = sp_baseline_diff(base, now, rules, print_change, &d, &k,
		    &err);
	if (d.rec != NULL) {
		struct sp_err ferr;

		sp_err_init(&ferr);
		if (sp_bl_recorder_finish(d.rec, &ferr) != SP_OK &&
		    rc == SP_OK) {
			err = ferr;
			rc = ferr.code;
		}
	}
	if (rc == SP_OK && o->json) {
		struct sp_json w;

		sp_json_init(&w, stdout);
		sp_json_object_begin(&w);
		sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
		sp_json_kv_str(&w, "record", "summary");
		sp_json_kv_str(&w, "baseline", base_path);
		sp_json_kv_str(&w, "evidence", evpath);
		sp_json_kv_uint(&w, "added", k.added);
		sp_json_kv_uint(&w, "removed", k.removed);
		sp_json_kv_uint(&w, "changed", k.changed);
		sp_json_kv_uint(&w, "important", k.important);
		sp_json_kv_uint(&w, "ignored", k.ignored);
		sp_json_kv_uint(&w, "problems", sp_run_problem_count(t->run));
		sp_json_object_end(&w);
		sp_json_line_end(&w);
	}
	sp_baseline_free(now);
	sp_baseline_free(base);
	sp_bl_rules_free(rules);
	sp_evidence_close(ev);
	return done(t, rc, &err, k.added + k.removed + k.changed > 0);
}

struct allow_out {
	int json;
	struct sp_bl_recorder *rec;
	struct sp_err *err;
};

static int
print_unvouched(const struct sp_bl_unvouched *u, void *arg)
{
	struct allow_out *a = arg;
	char *json;
	int rc;

	if (a->rec != NULL && (rc = sp_bl_record_unvouched(a->rec, u,
	    a->err)) != SP_OK)
		return rc;
	if (a->json) {
		if ((json = sp_bl_unvouched_json(u)) == NULL)
			return SP_E_NOMEM;
		printf("{\"schema\":%d,\"record\":\"unvouched\",%s\n",
		    SP_JSON_SCHEMA, json + 1);
		free(json);
	} else {
		printf("%-11s ", u->what);
		put_text(u->path);
		printf("  %s", u->why);
		if (u->from != NULL) {
			printf("; named by ");
			put_text(u->from);
		}
		putchar('\n');
	}
	return sp_tool_output_closed() ? SP_CB_STOP : SP_CB_CONTINUE;
}

static int
cmd_allowlist(struct sp_tool *t, const struct opts *o, const char *evpath)
{
	struct sp_evidence *ev = NULL;
	struct sp_baseline *base = NULL, *now = NULL;
	struct sp_bl_rules *allow = NULL;
	struct sp_bl_allow_counts k;
	struct allow_out a;
	struct sp_err err;
	int rc, status;

	sp_err_init(&err);
	memset(&a, 0, sizeof(a));
	memset(&k, 0, sizeof(k));
	a.json = o->json;
	a.err = &err;
	if ((o->allow != NULL && ((rc = sp_bl_rules_new(&allow, 1, &err))
	    != SP_OK || (rc = sp_bl_rules_load(allow, o->allow, &err))
	    != SP_OK)) || (o->baseline != NULL &&
	    (rc = sp_baseline_load(&base, o->baseline, &err)) != SP_OK)) {
		sp_bl_rules_free(allow);
		return sp_tool_error(t, &err);
	}
	if ((status = open_evidence(t, evpath, &ev)) != SP_EXIT_OK) {
		sp_baseline_free(base);
		sp_bl_rules_free(allow);
		return status;
	}
	rc = sp_baseline_take(&now, ev, SP_BASELINE_ALL_MD5, t->run, &err);
	if (rc == SP_OK && t->c != NULL && o->baseline != NULL)
		rc = sp_baseline_record_file(t->run, o->baseline, &err);
	if (rc == SP_OK && t->c != NULL)
		rc = sp_bl_recorder_new(&a.rec, t->run, ev, &err);
	if (rc == SP_OK)
		rc = sp_baseline_allowlist(now, base, allow, print_unvouched,
		    &a, &k, &err);
	if (a.rec != NULL) {
		struct sp_err ferr;

		sp_err_init(&ferr);
		if (sp_bl_recorder_finish(a.rec, &ferr) != SP_OK &&
		    rc == SP_OK) {
			err = ferr;
			rc = ferr.code;
		}
	}
	if (rc == SP_OK && o->json) {
		struct sp_json w;

		sp_json_init(&w, stdout);
		sp_json_object_begin(&w);
		sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
		sp_json_kv_str(&w, "record", "summary");
		sp_json_kv_str(&w, "evidence", evpath);
		sp_json_kv_uint(&w, "executables", k.executables);
		sp_json_kv_uint(&w, "packaged", k.packaged);
		sp_json_kv_uint(&w, "baseline", k.baseline);
		sp_json_kv_uint(&w, "allowlisted", k.allowlisted);
		sp_json_kv_uint(&w, "unvouched", k.unvouched);
		sp_json_kv_uint(&w, "missing", k.missing);
		sp_json_kv_uint(&w, "problems", sp_run_problem_count(t->run));
		sp_json_object_end(&w);
		sp_json_line_end(&w);
	}
	sp_baseline_free(now);
	sp_baseline_free(base);
	sp_bl_rules_free(allow);
	sp_evidence_close(ev);
	return done(t, rc, &err, k.unvouched + k.missing > 0);
}

static int
usage_error(const char *msg)
{
	if (msg != NULL)
		fprintf(stderr, "spoor-baseline: %s\n", msg);
	fputs(usage_text, stderr);
	return SP_EXIT_USAGE;
}

/* Options that belong to another verb are usage errors. */
static const char *
misplaced(const char *verb, const struct opts *o)
{
	int create = strcmp(verb, "create") == 0;
	int diff = strcmp(verb, "diff") == 0;
	int allow = strcmp(verb, "allowlist") == 0;

	if (!create && (o->output || o->force))
		return "-o and --force are options of 'create'";
	if (!diff && (o->nignore || o->no_defaults))
		return "--ignore and --no-default-ignores are options of 'diff'";
	if (!allow && (o->allow || o->baseline))
		return "--allow and --baseline are options of 'allowlist'";
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct sp_tool t;
	struct sp_err err;
	struct opts o;
	const char *verb, *msg;
	int ch, status, n;

	sp_tool_init(&t, "spoor-baseline", argc, argv);
	sp_err_init(&err);
	memset(&o, 0, sizeof(o));
	while ((ch = getopt_long(argc, argv, "o:c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o': o.output = optarg; break;
		case OPT_FORCE: o.force = 1; break;
		case OPT_IGNORE:
			if (o.nignore == 16)
				return usage_error("at most 16 --ignore files");
			o.ignore[o.nignore++] = optarg;
			break;
		case OPT_NO_DEFAULTS: o.no_defaults = 1; break;
		case OPT_ALLOW: o.allow = optarg; break;
		case OPT_BASELINE: o.baseline = optarg; break;
		case OPT_JSON: o.json = 1; break;
		case 'c': o.case_path = optarg; break;
		case OPT_MAX_MEMORY:
			if (sp_tool_max_memory(&t, optarg) != SP_OK)
				return usage_error(NULL);
			break;
		case 'h': help(); return SP_EXIT_OK;
		case 'V': sp_tool_version(&t); return SP_EXIT_OK;
		default: return usage_error(NULL);
		}
	}
	if (optind >= argc)
		return usage_error(NULL);
	verb = argv[optind++];
	n = argc - optind;
	if (strcmp(verb, "create") != 0 && strcmp(verb, "diff") != 0 &&
	    strcmp(verb, "allowlist") != 0)
		return usage_error(NULL);
	if ((msg = misplaced(verb, &o)) != NULL)
		return usage_error(msg);
	if (strcmp(verb, "create") == 0 && (n != 1 || o.output == NULL))
		return usage_error(n == 1 ? "create needs -o base.db" : NULL);
	if (strcmp(verb, "diff") == 0 && n != 2)
		return usage_error(NULL);
	if (strcmp(verb, "allowlist") == 0 && n != 1)
		return usage_error(NULL);
	if (sp_tool_begin(&t, o.case_path, &err) != SP_OK)
		return sp_tool_finish(&t, sp_tool_error(&t, &err));
	if (strcmp(verb, "create") == 0)
		status = cmd_create(&t, &o, argv[optind]);
	else if (strcmp(verb, "diff") == 0)
		status = cmd_diff(&t, &o, argv[optind], argv[optind + 1]);
	else
		status = cmd_allowlist(&t, &o, argv[optind]);
	return sp_tool_finish(&t, status);
}
