/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-cat: write the content of one file inside evidence to stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "spoor/evidence.h"
#include "spoor/output.h"
#include "spoor/strbuf.h"
#include "common/tool.h"

enum { OPT_MAX_MEMORY = 256 };

static const char usage_text[] =
    "usage: spoor-cat [-hV] [-c case] [-f fs] evidence path|inode\n";

static const struct option longopts[] = {
	{ "fs", required_argument, NULL, 'f' },
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
	    "Write the content of a file in evidence to standard output.\n"
	    "The file is named by its path, its inode number, or for NTFS\n"
	    "streams inode-type-id as spoor-ls prints it.\n\n"
	    "  -f, --fs N          file system N (see spoor-info; by default the\n"
	    "                      one that has the path)\n"
	    "  -c, --case FILE     record the run in case FILE ($SPOOR_CASE)\n"
	    "      --max-memory SIZE\n"
	    "                      bound memory use ($SPOOR_MAX_MEMORY)\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show versions\n", usage_text);
}

static int
on_data(const void *buf, size_t len, void *arg)
{
	if (fwrite(buf, 1, len, stdout) != len)
		return sp_err_set(arg, SP_E_IO, errno, "standard output");
	return SP_CB_CONTINUE;
}

/* "N" or "N-T-I" is an inode (or NTFS attribute) of an image. */
static int
is_inode(struct sp_evidence *ev, const char *what)
{
	struct sp_file_ref ref;

	return sp_evidence_kind(ev) != SP_EVIDENCE_DIR &&
	    sp_file_ref_parse(what, &ref) == SP_OK;
}

/*
 * No -f and several file systems: the one that has the path, or a usage
 * error naming those that have it (or all, for an inode, which every
 * file system numbers).  Returns SP_OK with *fs set, or an error in err.
 */
static int
choose_fs(struct sp_evidence *ev, const char *what, long *fs,
    struct sp_err *err)
{
	struct sp_strbuf sb = SP_STRBUF_INIT;
	unsigned found[16];
	size_t n;
	int rc;

	if (is_inode(ev, what)) {
		sp_fs_list_write(&sb, ev, NULL, 0);
		rc = sp_err_set(err, SP_E_USAGE, 0, "inode %s: the evidence has "
		    "%zu file systems, %s: choose one with -f", what,
		    sp_evidence_fs_count(ev), sp_strbuf_str(&sb));
		sp_strbuf_release(&sb);
		return rc;
	}
	if ((rc = sp_evidence_locate(ev, what, found,
	    sizeof(found) / sizeof(found[0]), &n, err)) != SP_OK)
		return rc;
	if (n == 1) {
		*fs = found[0];
		return SP_OK;
	}
	sp_fs_list_write(&sb, ev, found, n < 16 ? n : 16);
	rc = sp_err_set(err, SP_E_USAGE, 0, "'%s' is in %zu file systems, %s: "
	    "choose one with -f", what, n, sp_strbuf_str(&sb));
	sp_strbuf_release(&sb);
	return rc;
}

/*
 * What names the file: "N" or "N-T-I" an inode (or NTFS attribute) of an
 * image, anything else a path.
 */
static int
read_file(struct sp_evidence *ev, unsigned fs, const char *what,
    struct sp_err *err)
{
	struct sp_file_ref ref;

	if (is_inode(ev, what) && sp_file_ref_parse(what, &ref) == SP_OK) {
		ref.source = sp_evidence_path(ev);
		ref.fs = fs;
		return sp_evidence_read_ref(ev, &ref, on_data, err, err);
	}
	return sp_evidence_read_file(ev, fs, what, on_data, err, err);
}

int
main(int argc, char *argv[])
{
	struct sp_tool t;
	struct sp_evidence *ev = NULL;
	struct sp_err err;
	const char *case_path = NULL;
	long fs = -1;
	char *end;
	int ch, status = SP_EXIT_OK;

	sp_tool_init(&t, "spoor-cat", argc, argv);
	sp_err_init(&err);
	while ((ch = getopt_long(argc, argv, "f:c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			fs = strtol(optarg, &end, 10);
			if (*end != '\0' || fs < 0) {
				fprintf(stderr, "spoor-cat: bad file system "
				    "number '%s'\n%s", optarg, usage_text);
				return SP_EXIT_USAGE;
			}
			break;
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
	if (argc - optind != 2) {
		fputs(usage_text, stderr);
		return SP_EXIT_USAGE;
	}
	sp_tool_input(&t, argv[optind]);
	if (sp_tool_begin(&t, case_path, &err) != SP_OK)
		return sp_tool_finish(&t, sp_tool_error(&t, &err));
	if (sp_evidence_open(&ev, argv[optind], t.run, &err) != SP_OK) {
		sp_err_prefix(&err, "'%s'", argv[optind]);
		return sp_tool_finish(&t, sp_tool_error(&t, &err));
	}
	sp_evidence_set_cancel(ev, &t.cancel);
	if (t.c != NULL && sp_evidence_record_inputs(ev, t.run, &err) != SP_OK)
		sp_tool_warn(&t, "%s", err.msg);
	if (fs < 0 && sp_evidence_fs_count(ev) <= 1)
		fs = 0;
	if (fs < 0 && choose_fs(ev, argv[optind + 1], &fs, &err) != SP_OK) {
		sp_err_prefix(&err, "'%s'", argv[optind]);
		status = sp_tool_error(&t, &err);
	} else if ((size_t)fs >= sp_evidence_fs_count(ev)) {
		sp_tool_warn(&t, "'%s': no file system %ld", argv[optind], fs);
		status = sp_evidence_fs_count(ev) ? SP_EXIT_USAGE :
		    SP_EXIT_OF(SP_E_FORMAT);
	} else if (read_file(ev, (unsigned)fs, argv[optind + 1], &err) !=
	    SP_OK) {
		if (sp_tool_output_closed())
			/* the reader stopped: sp_tool_finish ends quietly */
			status = sp_err_exit_status(err.code);
		else {
			sp_err_prefix(&err, "'%s'", argv[optind]);
			status = sp_tool_error(&t, &err);
		}
	} else if (ferror(stdout) && !sp_tool_output_closed()) {
		sp_tool_warn(&t, "write: output error");
		status = SP_EXIT_OF(SP_E_IO);
	}
	sp_evidence_close(ev);
	return sp_tool_finish(&t, status);
}
