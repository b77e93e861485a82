/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-hashset: build and query hash sets for spoor-scan: import plain
 * hash lists and NSRL RDSv3 databases into a spoor hash database, look
 * hashes up, and describe what a hash database holds.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/hashset.h"
#include "spoor/json.h"
#include "common/tool.h"

static const char usage_text[] =
    "usage: spoor-hashset import [-c case] [--known-good | --known-bad] "
    "[-n name] [--json]\n"
    "                            hashdb source ...\n"
    "       spoor-hashset lookup [-c case] [--known-good | --known-bad] "
    "[--json]\n"
    "                            hashdb|nsrl|list hash ...\n"
    "       spoor-hashset info [-c case] [--json] hashdb\n"
    "       spoor-hashset -h | -V\n";

enum { OPT_JSON = 256, OPT_MAX_MEMORY };

static const struct option longopts[] = {
	{ "known-good", no_argument, NULL, 'g' },
	{ "known-bad", no_argument, NULL, 'b' },
	{ "name", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "case", required_argument, NULL, 'c' },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
help(void)
{
	printf("%s\n"
	    "Build and query the hash sets spoor-scan uses: known-good\n"
	    "hashes are skipped, known-bad ones are detections.\n\n"
	    "  import   add plain hash lists (md5sum, sha1sum, sha256sum\n"
	    "           output or one hash a line) or NSRL RDSv3 databases\n"
	    "           to a spoor hash database, created when missing\n"
	    "  lookup   tell for each hash whether a hash database, an NSRL\n"
	    "           RDSv3 or a list knows it (exit 1 when one is not)\n"
	    "  info     the sets and imports of a hash database\n\n"
	    "  -g, --known-good    the hashes are known-good (the default for\n"
	    "                      an NSRL; a list needs one of the two)\n"
	    "  -b, --known-bad     the hashes are known-bad\n"
	    "  -n, --name NAME     import into set NAME (default: the\n"
	    "                      source's file name)\n"
	    "      --json          JSON Lines on standard output\n"
	    "  -c, --case FILE     record the run in case FILE ($SPOOR_CASE)\n"
	    "      --max-memory SIZE\n"
	    "                      bound memory use ($SPOOR_MAX_MEMORY)\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show versions\n", usage_text);
}

static const char *
kind_name(enum sp_hashset_kind k)
{
	return k == SP_HASHSET_KNOWN_BAD ? "known-bad" : "known-good";
}

static const char *
format_name(enum sp_hashset_format f)
{
	return f == SP_HASHSET_NSRL ? "nsrl-rdsv3" : f == SP_HASHSET_HASHDB ?
	    "hashdb" : "list";
}

static const char *
alg_name(enum sp_hash_alg a)
{
	return a == SP_HASH_MD5 ? "md5" : a == SP_HASH_SHA1 ? "sha1" :
	    "sha256";
}

/* s on stdout with control characters escaped. */
static void
put_text(const char *s)
{
	sp_json_escape(stdout, s, strlen(s));
}

/* Print the problems the run recorded since *seen. */
static void
warn_problems(const struct sp_tool *t, uint64_t *seen)
{
	const char *p;

	for (; *seen < sp_run_problem_count(t->run); (*seen)++)
		if ((p = sp_run_problem_text(t->run, *seen)) != NULL)
			sp_tool_warn(t, "%s", p);
}

static int
cmd_import(struct sp_tool *t, int json, enum sp_hashset_kind kind,
    const char *name, int argc, char **argv)
{
	struct sp_hashdb_stats st;
	struct sp_json w;
	struct sp_err err;
	uint64_t seen = 0;
	int i;

	sp_json_init(&w, stdout);
	for (i = 1; i < argc; i++) {
		sp_err_init(&err);
		if (sp_hashdb_import(argv[0], argv[i], name, kind, t->run, &st,
		    &err) != SP_OK) {
			warn_problems(t, &seen);
			return sp_tool_error(t, &err);
		}
		warn_problems(t, &seen);
		if (t->c != NULL && sp_run_add_input(t->run, argv[i], st.source_size,
		    st.source_sha256, &err) != SP_OK)
			sp_tool_warn(t, "%s", err.msg);
		if (json) {
			sp_json_object_begin(&w);
			sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
			sp_json_kv_str(&w, "type", "import");
			sp_json_kv_str(&w, "hashdb", argv[0]);
			sp_json_kv_str(&w, "source", argv[i]);
			sp_json_kv_str(&w, "format", format_name(st.format));
			sp_json_kv_str(&w, "source_sha256", st.source_sha256);
			sp_json_kv_str(&w, "set", st.set);
			sp_json_kv_uint(&w, "read", st.read);
			sp_json_kv_uint(&w, "added", st.added);
			sp_json_kv_uint(&w, "duplicates", st.duplicates);
			sp_json_kv_uint(&w, "malformed", st.malformed);
			sp_json_object_end(&w);
			sp_json_line_end(&w);
		} else {
			printf("%llu added to set '", (unsigned long long)
			    st.added);
			put_text(st.set);
			printf("' from '");
			put_text(argv[i]);
			printf("' (%s: %llu read, %llu duplicates, %llu "
			    "malformed)\n", format_name(st.format),
			    (unsigned long long)st.read,
			    (unsigned long long)st.duplicates,
			    (unsigned long long)st.malformed);
		}
	}
	return SP_EXIT_OK;
}

static int
cmd_lookup(struct sp_tool *t, int json, enum sp_hashset_kind kind, int argc,
    char **argv)
{
	struct sp_hashset *hs = NULL;
	struct sp_hashset_match m;
	struct sp_json w;
	struct sp_err err;
	uint64_t seen = 0;
	int i, found, status = SP_EXIT_OK;

	sp_err_init(&err);
	for (i = 1; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if ((n != 32 && n != 40 && n != 64) ||
		    strspn(argv[i], "0123456789abcdefABCDEF") != n) {
			sp_tool_warn(t, "'%s': not an MD5, SHA-1 or SHA-256 "
			    "hash", argv[i]);
			return SP_EXIT_USAGE;
		}
	}
	if (sp_hashset_new(&hs, &err) != SP_OK ||
	    sp_hashset_load(hs, argv[0], kind, t->run, &err) != SP_OK) {
		warn_problems(t, &seen);
		sp_hashset_free(hs);
		return sp_tool_error(t, &err);
	}
	warn_problems(t, &seen);
	sp_json_init(&w, stdout);
	for (i = 1; i < argc; i++) {
		if (sp_hashset_lookup_hex(hs, argv[i], &m, &found, &err) !=
		    SP_OK) {
			status = sp_tool_error(t, &err);
			break;
		}
		if (found == 0)
			status = SP_EXIT_MISS;
		if (json) {
			sp_json_object_begin(&w);
			sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
			sp_json_kv_str(&w, "type", "lookup");
			sp_json_kv_str(&w, "hash", argv[i]);
			sp_json_kv_bool(&w, "found", found);
			if (found) {
				sp_json_kv_str(&w, "algorithm",
				    alg_name(m.alg));
				sp_json_kv_str(&w, "kind", kind_name(m.kind));
				sp_json_kv_str(&w, "set", m.set);
				sp_json_kv_str(&w, "source", m.source);
				sp_json_kv_str(&w, "name", m.name[0] ?
				    m.name : NULL);
				if (m.size >= 0)
					sp_json_kv_int(&w, "size", m.size);
				else {
					sp_json_key(&w, "size");
					sp_json_null(&w);
				}
			}
			sp_json_object_end(&w);
			sp_json_line_end(&w);
		} else if (found) {
			printf("%s\t%s\t", argv[i], kind_name(m.kind));
			put_text(m.set);
			putchar('\t');
			put_text(m.name);
			putchar('\n');
		} else
			printf("%s\tnot-found\n", argv[i]);
	}
	sp_hashset_free(hs);
	return status;
}

static int
print_import(const struct sp_hashdb_import *rec, void *arg)
{
	struct sp_json *w = arg;

	if (w != NULL) {
		sp_json_object_begin(w);
		sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
		sp_json_kv_str(w, "type", "import");
		sp_json_kv_int(w, "id", rec->id);
		sp_json_kv_str(w, "set", rec->set);
		sp_json_kv_str(w, "source", rec->source);
		sp_json_kv_str(w, "format", rec->format);
		sp_json_kv_int(w, "source_size", rec->source_size);
		sp_json_kv_str(w, "source_sha256", rec->source_sha256);
		sp_json_kv_str(w, "time", rec->time);
		sp_json_kv_uint(w, "read", rec->read);
		sp_json_kv_uint(w, "added", rec->added);
		sp_json_kv_uint(w, "duplicates", rec->duplicates);
		sp_json_kv_uint(w, "malformed", rec->malformed);
		sp_json_object_end(w);
		sp_json_line_end(w);
		return SP_CB_CONTINUE;
	}
	printf("import %lld: ", (long long)rec->id);
	put_text(rec->source ? rec->source : "");
	printf(" (%s, %lld bytes, sha256 %s) into '", rec->format ?
	    rec->format : "", (long long)rec->source_size,
	    rec->source_sha256 ? rec->source_sha256 : "");
	put_text(rec->set ? rec->set : "");
	printf("' at %s: %llu read, %llu added, %llu duplicates, %llu "
	    "malformed\n", rec->time ? rec->time : "",
	    (unsigned long long)rec->read, (unsigned long long)rec->added,
	    (unsigned long long)rec->duplicates,
	    (unsigned long long)rec->malformed);
	return SP_CB_CONTINUE;
}

static int
cmd_info(struct sp_tool *t, int json, const char *path)
{
	struct sp_hashset *hs = NULL;
	struct sp_hashset_info in;
	enum sp_hashset_format fmt;
	struct sp_json w;
	struct sp_err err;
	size_t i;

	sp_err_init(&err);
	if (sp_hashset_sniff(path, &fmt, &err) != SP_OK)
		return sp_tool_error(t, &err);
	if (fmt != SP_HASHSET_HASHDB) {
		sp_tool_warn(t, "'%s': not a spoor hash database", path);
		return SP_EXIT_OF(SP_E_FORMAT);
	}
	if (sp_hashset_new(&hs, &err) != SP_OK ||
	    sp_hashset_load(hs, path, SP_HASHSET_RECORDED, t->run, &err)
	    != SP_OK) {
		sp_hashset_free(hs);
		return sp_tool_error(t, &err);
	}
	sp_json_init(&w, stdout);
	for (i = 0; i < sp_hashset_count(hs); i++) {
		sp_hashset_info(hs, i, &in);
		if (json) {
			sp_json_object_begin(&w);
			sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
			sp_json_kv_str(&w, "type", "set");
			sp_json_kv_str(&w, "set", in.name);
			sp_json_kv_str(&w, "kind", kind_name(in.kind));
			sp_json_kv_uint(&w, "md5", in.count[0]);
			sp_json_kv_uint(&w, "sha1", in.count[1]);
			sp_json_kv_uint(&w, "sha256", in.count[2]);
			sp_json_object_end(&w);
			sp_json_line_end(&w);
		} else {
			printf("set '");
			put_text(in.name);
			printf("' %s: %llu MD5, %llu SHA-1, %llu SHA-256\n",
			    kind_name(in.kind),
			    (unsigned long long)in.count[0],
			    (unsigned long long)in.count[1],
			    (unsigned long long)in.count[2]);
		}
	}
	sp_hashset_free(hs);
	if (sp_hashdb_imports(path, print_import, json ? &w : NULL, &err)
	    != SP_OK)
		return sp_tool_error(t, &err);
	return SP_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	struct sp_tool t;
	struct sp_err err;
	enum sp_hashset_kind kind = SP_HASHSET_RECORDED;
	const char *case_path = NULL, *name = NULL, *verb;
	int ch, json = 0, status, n;

	sp_tool_init(&t, "spoor-hashset", argc, argv);
	sp_err_init(&err);
	while ((ch = getopt_long(argc, argv, "gbn:c:hV", longopts, NULL))
	    != -1) {
		switch (ch) {
		case 'g':
		case 'b':
			if (kind != SP_HASHSET_RECORDED) {
				fprintf(stderr, "spoor-hashset: --known-good "
				    "and --known-bad exclude each other\n%s",
				    usage_text);
				return SP_EXIT_USAGE;
			}
			kind = ch == 'g' ? SP_HASHSET_KNOWN_GOOD :
			    SP_HASHSET_KNOWN_BAD;
			break;
		case 'n': name = optarg; break;
		case OPT_JSON: json = 1; break;
		case 'c': case_path = optarg; break;
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
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return SP_EXIT_USAGE;
	}
	verb = argv[optind++];
	n = argc - optind;
	if ((strcmp(verb, "import") == 0 && n < 2) ||
	    (strcmp(verb, "lookup") == 0 && n < 2) ||
	    (strcmp(verb, "info") == 0 && n != 1) ||
	    (strcmp(verb, "import") != 0 && strcmp(verb, "lookup") != 0 &&
	    strcmp(verb, "info") != 0)) {
		fputs(usage_text, stderr);
		return SP_EXIT_USAGE;
	}
	if ((name != NULL && strcmp(verb, "import") != 0) ||
	    (kind != SP_HASHSET_RECORDED && strcmp(verb, "info") == 0)) {
		fprintf(stderr, "spoor-hashset: option not valid with '%s'\n%s",
		    verb, usage_text);
		return SP_EXIT_USAGE;
	}
	if (name != NULL && name[0] == '\0') {
		fprintf(stderr, "spoor-hashset: empty set name\n%s",
		    usage_text);
		return SP_EXIT_USAGE;
	}
	if (sp_tool_begin(&t, case_path, &err) != SP_OK)
		return sp_tool_finish(&t, sp_tool_error(&t, &err));
	if (strcmp(verb, "import") == 0)
		status = cmd_import(&t, json, kind, name, n, argv + optind);
	else if (strcmp(verb, "lookup") == 0)
		status = cmd_lookup(&t, json, kind, n, argv + optind);
	else
		status = cmd_info(&t, json, argv[optind]);
	return sp_tool_finish(&t, status);
}
