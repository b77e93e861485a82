/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-ls: list the entries of the file systems in a piece of evidence,
 * like fls, as text, JSON Lines or a TSK bodyfile.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/container.h"
#include "spoor/evidence.h"
#include "spoor/hash.h"
#include "spoor/json.h"
#include "spoor/output.h"
#include "common/progress.h"
#include "spoor/signal.h"
#include "spoor/strbuf.h"
#include "common/tool.h"

enum { OPT_JSON = 256, OPT_BODYFILE, OPT_NS, OPT_PROGRESS, OPT_HASH,
	OPT_MAX_MEMORY, OPT_DRIFT };

static const char usage_text[] =
    "usage: spoor-ls [-druhV] [-c case] [-f fs] [--json | --bodyfile [--ns]]\n"
    "                [--hash list] [--progress=mode] evidence [path]\n"
    "       spoor-ls --drift [--json] evidence@container=id\n";

static const struct option longopts[] = {
	{ "recursive", no_argument, NULL, 'r' },
	{ "deleted", no_argument, NULL, 'd' },
	{ "allocated", no_argument, NULL, 'u' },
	{ "fs", required_argument, NULL, 'f' },
	{ "case", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "bodyfile", no_argument, NULL, OPT_BODYFILE },
	{ "ns", no_argument, NULL, OPT_NS },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "hash", required_argument, NULL, OPT_HASH },
	{ "drift", no_argument, NULL, OPT_DRIFT },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
help(void)
{
	printf("%s\n"
	    "List file system entries (allocated and deleted) in evidence:\n"
	    "a raw, split raw or E01 image, or a directory.\n\n"
	    "  -r, --recursive     descend into directories\n"
	    "  -d, --deleted       list deleted entries only\n"
	    "  -u, --allocated     list allocated entries only\n"
	    "  -f, --fs N          only file system N (see spoor-info); with a\n"
	    "                      path, by default the one that has it\n"
	    "  -c, --case FILE     record the run in case FILE ($SPOOR_CASE)\n"
	    "      --json          JSON Lines, one entry per line\n"
	    "      --bodyfile      TSK bodyfile v3 (for mactime)\n"
	    "      --ns            bodyfile times with nanoseconds\n"
	    "      --drift         for EVIDENCE@container=ID: the changes of its\n"
	    "                      rw layer, A (added), C (changed), D (deleted),\n"
	    "                      new executables marked '*' (JSON: executable)\n"
	    "      --hash LIST     hash file content: md5,sha1,sha256 (bodyfile:\n"
	    "                      the MD5 column; JSON: md5, sha1, sha256)\n"
	    "      --progress=MODE auto, bar, json or none (on stderr)\n"
	    "      --max-memory SIZE\n"
	    "                      bound memory use ($SPOOR_MAX_MEMORY)\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show versions\n", usage_text);
}

enum format { TEXT, JSON, BODYFILE };

struct ls {
	enum format format;
	unsigned bodyflags;
	struct sp_json w;
	struct sp_progress *progress;
	uint64_t count;
	struct sp_evidence *ev;
	struct sp_run *run;
	unsigned hash_mask;
	const struct sp_cancel *cancel;
};

static int
on_drift(const struct sp_drift *d, void *arg)
{
	struct ls *ls = arg;

	sp_progress_update(ls->progress, ++ls->count);
	if (ls->format == JSON) {
		sp_json_object_begin(&ls->w);
		sp_json_kv_int(&ls->w, "schema", SP_JSON_SCHEMA);
		sp_json_kv_str(&ls->w, "change", d->change == 'A' ? "added" :
		    d->change == 'C' ? "changed" : "deleted");
		sp_json_kv_str(&ls->w, "path", d->path);
		if (d->entry != NULL) {
			char t[2] = { d->entry->meta_type, '\0' };
			sp_json_kv_str(&ls->w, "type", t);
			sp_json_kv_uint(&ls->w, "mode", d->entry->mode);
			sp_json_kv_uint(&ls->w, "size", d->entry->size);
			sp_json_kv_time(&ls->w, "mtime", d->entry->mtime);
		}
		sp_json_kv_bool(&ls->w, "executable", d->executable);
		sp_json_object_end(&ls->w);
		sp_json_line_end(&ls->w);
	} else {
		printf("%c ", d->change);
		sp_print_safe(stdout, d->path);
		fputs(d->executable ? " *\n" : "\n", stdout);
	}
	if (ferror(stdout))
		return sp_cancel_requested(ls->cancel) ? SP_E_INTERRUPTED :
		    SP_E_IO;
	return SP_CB_CONTINUE;
}

static int
on_entry(const struct sp_entry *e, void *arg)
{
	struct ls *ls = arg;
	struct sp_hash *h = NULL;
	struct sp_err err;

	sp_progress_update(ls->progress, ++ls->count);
	if (ls->hash_mask != 0 && sp_evidence_hash_entry(ls->ev, e,
	    ls->hash_mask, &h, &err) != SP_OK && !(e->flags & SP_ENTRY_DELETED))
		/* deleted content is often gone; that is not a problem */
		sp_run_problem(ls->run, e->path, err.code, "hash: %s", err.msg);
	switch (ls->format) {
	case TEXT: sp_fls_write(stdout, e); break;
	case JSON: sp_entry_json_write_hashed(&ls->w, e, h, ls->hash_mask);
		break;
	case BODYFILE:
		sp_bodyfile_write(stdout, e, sp_hash_hex(h, SP_HASH_MD5),
		    ls->bodyflags);
		break;
	}
	sp_hash_free(h);
	if (ferror(stdout))
		return sp_cancel_requested(ls->cancel) ? SP_E_INTERRUPTED :
		    SP_E_IO;
	return SP_CB_CONTINUE;
}

/* "/", "//" or "": the root of every file system. */
static int
is_root(const char *path)
{
	return path[strspn(path, "/")] == '\0';
}

/*
 * A path and no -f on evidence with several file systems: the one file
 * system that has the path, or a usage error naming those that have it.
 * Returns SP_OK with *fs set, or an error in err.
 */
static int
choose_fs(struct sp_evidence *ev, const char *path, long *fs,
    struct sp_err *err)
{
	struct sp_strbuf sb = SP_STRBUF_INIT;
	unsigned found[16];
	size_t n;
	int rc;

	if ((rc = sp_evidence_locate(ev, path, found,
	    sizeof(found) / sizeof(found[0]), &n, err)) != SP_OK)
		return rc;
	if (n == 1) {
		*fs = found[0];
		return SP_OK;
	}
	sp_fs_list_write(&sb, ev, found, n < 16 ? n : 16);
	rc = sp_err_set(err, SP_E_USAGE, 0, "'%s' is in %zu file systems, %s: "
	    "choose one with -f", path, n, sp_strbuf_str(&sb));
	sp_strbuf_release(&sb);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct sp_tool t;
	struct sp_evidence *ev = NULL;
	struct sp_err err;
	struct ls ls = { TEXT, 0, { 0 }, NULL, 0, NULL, NULL, 0, NULL };
	enum sp_progress_mode progress = SP_PROGRESS_AUTO;
	const char *case_path = NULL, *path = NULL;
	unsigned flags = SP_WALK_ALL;
	long fs_only = -1;
	char *end;
	size_t i, nfs;
	int ch, rc, status = SP_EXIT_OK, drift = 0;

	sp_tool_init(&t, "spoor-ls", argc, argv);
	sp_err_init(&err);
	while ((ch = getopt_long(argc, argv, "rduf:c:hV", longopts, NULL))
	    != -1) {
		switch (ch) {
		case 'r': flags |= SP_WALK_RECURSE; break;
		case 'd': flags &= ~SP_WALK_ALLOCATED; break;
		case 'u': flags &= ~SP_WALK_DELETED; break;
		case 'f':
			fs_only = strtol(optarg, &end, 10);
			if (*end != '\0' || fs_only < 0) {
				fprintf(stderr, "spoor-ls: bad file system "
				    "number '%s'\n%s", optarg, usage_text);
				return SP_EXIT_USAGE;
			}
			break;
		case 'c': case_path = optarg; break;
		case OPT_JSON: ls.format = JSON; break;
		case OPT_BODYFILE: ls.format = BODYFILE; break;
		case OPT_NS: ls.bodyflags |= SP_BODYFILE_NS; break;
		case OPT_DRIFT: drift = 1; break;
		case OPT_HASH:
			if (sp_hash_parse_list(optarg, &ls.hash_mask, &err)
			    != SP_OK) {
				fprintf(stderr, "spoor-ls: %s\n%s", err.msg,
				    usage_text);
				return SP_EXIT_USAGE;
			}
			break;
		case OPT_PROGRESS:
			if (sp_progress_parse_mode(optarg, &progress) != SP_OK) {
				fprintf(stderr, "spoor-ls: bad progress mode "
				    "'%s'\n%s", optarg, usage_text);
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
	if (argc - optind < 1 || argc - optind > 2 ||
	    (flags & SP_WALK_ALL) == 0) {
		fputs(usage_text, stderr);
		return SP_EXIT_USAGE;
	}
	if (argc - optind == 2)
		path = argv[optind + 1];
	if (drift && (path != NULL || ls.format == BODYFILE ||
	    ls.hash_mask != 0)) {
		fprintf(stderr, "spoor-ls: --drift takes one container and no "
		    "path, --bodyfile or --hash\n%s", usage_text);
		return SP_EXIT_USAGE;
	}
	sp_tool_input(&t, argv[optind]);
	if (sp_tool_begin(&t, case_path, &err) != SP_OK)
		return sp_tool_finish(&t, sp_tool_error(&t, &err));
	if ((rc = sp_evidence_open(&ev, argv[optind], t.run, &err)) != SP_OK) {
		sp_err_prefix(&err, "'%s'", argv[optind]);
		return sp_tool_finish(&t, sp_tool_error(&t, &err));
	}
	if (t.c != NULL && sp_evidence_record_inputs(ev, t.run, &err) != SP_OK)
		sp_tool_warn(&t, "%s", err.msg);
	/* records are small and many: write them in large blocks */
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	sp_json_init(&ls.w, stdout);
	ls.progress = sp_progress_new(stderr, progress, "entries", 0);
	ls.ev = ev;
	ls.run = t.run;
	ls.cancel = &t.cancel;
	sp_evidence_set_cancel(ev, &t.cancel);
	nfs = sp_evidence_fs_count(ev);
	if (sp_evidence_need_fs(ev, &err) != SP_OK) {
		sp_err_prefix(&err, "'%s'", argv[optind]);
		status = sp_tool_error(&t, &err);
	}
	if (fs_only >= 0 && (size_t)fs_only >= nfs) {
		sp_tool_warn(&t, "'%s': no file system %ld (it has %zu)",
		    argv[optind], fs_only, nfs);
		status = SP_EXIT_USAGE;
	} else if (status == SP_EXIT_OK && path != NULL && fs_only < 0 &&
	    nfs > 1 && !is_root(path) &&
	    choose_fs(ev, path, &fs_only, &err) != SP_OK) {
		sp_err_prefix(&err, "'%s'", argv[optind]);
		status = sp_tool_error(&t, &err);
	}
	if (drift && status == SP_EXIT_OK) {
		rc = sp_container_drift(ev, on_drift, &ls, &err);
		if (rc == SP_E_IO && sp_tool_output_closed())
			rc = SP_OK;
		if (rc != SP_OK && rc != SP_E_INTERRUPTED) {
			sp_err_prefix(&err, "'%s'", argv[optind]);
			status = sp_tool_error(&t, &err);
		}
		nfs = 0;
	}
	for (i = 0; i < nfs && status == SP_EXIT_OK; i++) {
		const struct sp_fs_info *fs = sp_evidence_fs(ev, i);
		if (fs_only >= 0 && (size_t)fs_only != i)
			continue;
		if (ls.format == TEXT && nfs > 1 && fs_only < 0)
			printf("# fs %zu: %s at offset %llu\n", i, fs->type,
			    (unsigned long long)fs->offset);
		rc = sp_evidence_walk(ev, (unsigned)i, path, flags, on_entry,
		    &ls, &err);
		if (rc == SP_E_INTERRUPTED)
			break;	/* sp_tool_finish reports the signal */
		if (rc == SP_E_IO && sp_tool_output_closed())
			break;	/* sp_tool_finish ends it quietly */
		if (rc == SP_E_IO) {
			sp_tool_warn(&t, "standard output: write error");
			status = SP_EXIT_OF(SP_E_IO);
		} else if (rc != SP_OK) {
			sp_err_prefix(&err, "'%s'", argv[optind]);
			status = sp_tool_error(&t, &err);
		}
	}
	sp_progress_free(ls.progress);
	sp_evidence_close(ev);
	return sp_tool_finish(&t, status);
}
