/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drives the collection output and the triage walk for
 * tests/8120-collect-output.bats and tests/8121-collect-triage.bats.
 *   collect-triage [--tar] [--shadow] [--all-filesystems]
 *       [--max-file SIZE] [--max-total SIZE] [--step-seconds N]
 *       [--recent-days N] ROOT OUT
 * walks ROOT into the collection OUT (a directory, or with --tar an
 * archive; "-" is standard output);
 *   collect-triage --items [--tar] [--cap SIZE] OUT
 *       [copy NAME FILE | add NAME TEXT]...
 * writes the listed items: FILE copied from the file system, TEXT from
 * memory.  Exit status 0 for a complete collection, 2 for a partial one,
 * an error's status with "collect-triage: message" on stderr.
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spoor/collect.h"
#include "spoor/err.h"
#include "spoor/size.h"

static int
usage(void)
{
	fputs("usage: collect-triage [--tar] [options] ROOT OUT\n"
	    "       collect-triage --items [--tar] [--cap SIZE] OUT "
	    "[copy NAME FILE | add NAME TEXT]...\n", stderr);
	return SP_EXIT_USAGE;
}

static int
fail(struct sp_err *err, int rc)
{
	fprintf(stderr, "collect-triage: %s\n",
	    err->msg[0] ? err->msg : sp_strerror(rc));
	return sp_err_exit_status(rc);
}

static int
items(struct sp_collect_out *o, int argc, char **argv, uint64_t cap,
    struct sp_err *err)
{
	int i, fd, rc;

	for (i = 0; i < argc; i += 3) {
		if (i + 2 >= argc)
			return sp_err_set(err, SP_E_USAGE, 0, "'%s' needs a "
			    "name and an argument", argv[i]);
		if (strcmp(argv[i], "add") == 0)
			rc = sp_collect_out_add(o, argv[i + 1], "volatile",
			    argv[i + 2], strlen(argv[i + 2]), NULL, err);
		else if (strcmp(argv[i], "copy") == 0) {
			struct sp_collect_meta m = { argv[i + 2], INT64_MIN,
			    -1, -1, -1, 0, 0 };
			fd = open(argv[i + 2], O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return sp_err_set(err, SP_E_NOINPUT, 0, "'%s'",
				    argv[i + 2]);
			rc = sp_collect_out_copy(o, argv[i + 1], "file", fd,
			    &m, cap, err);
			close(fd);
		} else
			return sp_err_set(err, SP_E_USAGE, 0, "unknown "
			    "'%s'", argv[i]);
		if (rc != SP_OK)
			return rc;
	}
	return SP_OK;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "tar", no_argument, NULL, 't' },
		{ "items", no_argument, NULL, 'i' },
		{ "shadow", no_argument, NULL, 's' },
		{ "all-filesystems", no_argument, NULL, 'a' },
		{ "max-file", required_argument, NULL, 'f' },
		{ "max-total", required_argument, NULL, 'T' },
		{ "step-seconds", required_argument, NULL, 'S' },
		{ "recent-days", required_argument, NULL, 'r' },
		{ "cap", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct sp_collect_triage_opts opts;
	struct sp_collect_header h;
	struct sp_collect_out *o = NULL;
	struct sp_err err;
	uint64_t cap = 0;
	int tar = 0, item_mode = 0, c, rc;
	const char *out;

	signal(SIGPIPE, SIG_IGN);
	sp_err_init(&err);
	sp_collect_triage_opts_init(&opts);
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 't': tar = 1; break;
		case 'i': item_mode = 1; break;
		case 's': opts.shadow = 1; break;
		case 'a': opts.all_filesystems = 1; break;
		case 'f':
			if (sp_size_parse(optarg, &opts.max_file) != SP_OK)
				return usage();
			break;
		case 'T':
			if (sp_size_parse(optarg, &opts.max_total) != SP_OK)
				return usage();
			break;
		case 'c':
			if (sp_size_parse(optarg, &cap) != SP_OK)
				return usage();
			break;
		case 'S': opts.step_seconds = (unsigned)atoi(optarg); break;
		case 'r': opts.recent_days = (unsigned)atoi(optarg); break;
		default: return usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (item_mode ? argc < 1 : argc != 2)
		return usage();
	out = item_mode ? argv[0] : argv[1];
	if ((rc = sp_collect_out_open(&o, out, tar, &err)) != SP_OK)
		return fail(&err, rc);
	memset(&h, 0, sizeof(h));
	h.started_ns = INT64_MIN;
	h.uid = -1;
	h.version = "test";
	h.options = (const char *const *)argv;
	h.noptions = (size_t)argc;
	if ((rc = sp_collect_out_header(o, &h, &err)) != SP_OK) {
		sp_collect_out_close(o, NULL, NULL);
		return fail(&err, rc);
	}
	if (item_mode)
		rc = items(o, argc - 1, argv + 1, cap, &err);
	else {
		opts.root = argv[0];
		rc = sp_collect_triage(o, &opts, &err);
	}
	if (rc != SP_OK) {
		sp_collect_out_close(o, "partial", NULL);
		return fail(&err, rc);
	}
	c = sp_collect_out_problems(o) != 0;
	if ((rc = sp_collect_out_close(o, NULL, &err)) != SP_OK)
		return fail(&err, rc);
	return c ? SP_EXIT_PARTIAL : SP_EXIT_OK;
}
