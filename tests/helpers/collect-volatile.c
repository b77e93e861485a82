/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drives the readers of the host's volatile state for
 * tests/8110-collect-volatile.bats, over a minimal output of its own: each
 * item is written as a plain file under OUTDIR, each problem as a line of
 * OUTDIR/collection.log ("STEP: message").  Usage:
 *   collect-volatile [-e] [-P] [-p PROC] [-s SYS] OUTDIR READER...
 *       READER: processes, sockets, network, system, hidden;
 *       -e with the environment, -P without the pid probe
 *   collect-volatile -k KIND FILE
 *       the records sp_collect_procfs_jsonl parses from FILE, on stdout
 * Exit status: 0, 2 when problems were recorded, or the error's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spoor/collect.h"
#include "spoor/err.h"

struct sp_collect_out {
	char *dir;
	FILE *log;
	unsigned problems;
};

int
sp_collect_out_open(struct sp_collect_out **out, const char *path, int tar,
    struct sp_err *err)
{
	struct sp_collect_out *o;
	char log[4096];

	*out = NULL;
	if (tar)
		return sp_err_set(err, SP_E_UNSUPPORTED, 0, "tar");
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return sp_err_set(err, SP_E_CREATE, errno, "'%s'", path);
	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (o->dir = strdup(path)) == NULL) {
		free(o);
		return sp_err_set(err, SP_E_NOMEM, 0, "'%s'", path);
	}
	snprintf(log, sizeof(log), "%s/collection.log", path);
	if ((o->log = fopen(log, "we")) == NULL) {
		free(o->dir);
		free(o);
		return sp_err_set(err, SP_E_CREATE, errno, "'%s'", log);
	}
	*out = o;
	return SP_OK;
}

int
sp_collect_out_add(struct sp_collect_out *o, const char *name,
    const char *type, const void *buf, size_t len,
    const struct sp_collect_meta *meta, struct sp_err *err)
{
	char path[8192], *slash;
	FILE *f;

	(void)type;
	(void)meta;
	if (strstr(name, "..") != NULL || name[0] == '/')
		return sp_err_set(err, SP_E_INTERNAL, 0, "bad name '%s'", name);
	snprintf(path, sizeof(path), "%s/%s", o->dir, name);
	for (slash = path + strlen(o->dir) + 1; (slash = strchr(slash, '/'))
	    != NULL; slash++) {
		*slash = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return sp_err_set(err, SP_E_CREATE, errno, "'%s'",
			    path);
		*slash = '/';
	}
	if ((f = fopen(path, "wxe")) == NULL)
		return sp_err_set(err, SP_E_CREATE, errno, "'%s'", path);
	if ((len > 0 && fwrite(buf, 1, len, f) != len) | (fclose(f) != 0))
		return sp_err_set(err, SP_E_IO, errno, "'%s'", path);
	return SP_OK;
}

int
sp_collect_out_copy(struct sp_collect_out *o, const char *name,
    const char *type, int fd, const struct sp_collect_meta *meta,
    uint64_t cap, struct sp_err *err)
{
	(void)o; (void)name; (void)type; (void)fd; (void)meta; (void)cap;
	return sp_err_set(err, SP_E_UNSUPPORTED, 0, "copy");
}

void
sp_collect_out_problem(struct sp_collect_out *o, const char *step,
    const char *fmt, ...)
{
	va_list ap;

	o->problems++;
	fprintf(o->log, "%s: ", step);
	va_start(ap, fmt);
	vfprintf(o->log, fmt, ap);
	va_end(ap);
	fputc('\n', o->log);
}

int
sp_collect_out_close(struct sp_collect_out *o, const char *status,
    struct sp_err *err)
{
	int rc = SP_OK;

	(void)status;
	if (o == NULL)
		return SP_OK;
	if (fclose(o->log) != 0)
		rc = sp_err_set(err, SP_E_IO, errno, "collection.log");
	free(o->dir);
	free(o);
	return rc;
}

static int
parse_file(const char *kind, const char *file)
{
	struct sp_err err;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	FILE *f;
	int rc;

	sp_err_init(&err);
	if ((f = fopen(file, "rbe")) == NULL) {
		perror(file);
		return 66;
	}
	for (;;) {
		if (len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL)
				return 71;
			buf = nb;
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	rc = sp_collect_procfs_jsonl(kind, buf != NULL ? buf : "", len, stdout,
	    &err);
	free(buf);
	if (rc != SP_OK) {
		fprintf(stderr, "collect-volatile: %s\n", err.msg);
		return sp_err_exit_status(rc);
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct sp_collect_proc_opts opts;
	const char *proc = NULL, *sys = NULL;
	struct sp_collect_out *o;
	struct sp_err err;
	unsigned problems;
	int c, i, rc = SP_OK;

	sp_collect_proc_opts_init(&opts);
	while ((c = getopt(argc, argv, "ePp:s:k:")) != -1) {
		switch (c) {
		case 'e': opts.environ = 1; break;
		case 'P': opts.probe = 0; break;
		case 'p': proc = optarg; break;
		case 's': sys = optarg; break;
		case 'k':
			if (optind != argc - 1)
				goto usage;
			return parse_file(optarg, argv[optind]);
		default: goto usage;
		}
	}
	if (argc - optind < 2)
		goto usage;
	sp_err_init(&err);
	if ((rc = sp_collect_out_open(&o, argv[optind], 0, &err)) != SP_OK) {
		fprintf(stderr, "collect-volatile: %s\n", err.msg);
		return sp_err_exit_status(rc);
	}
	for (i = optind + 1; i < argc && rc == SP_OK; i++) {
		if (strcmp(argv[i], "processes") == 0)
			rc = sp_collect_processes(o, proc, &opts, &err);
		else if (strcmp(argv[i], "sockets") == 0)
			rc = sp_collect_sockets(o, proc, &err);
		else if (strcmp(argv[i], "network") == 0)
			rc = sp_collect_network(o, proc, sys, &err);
		else if (strcmp(argv[i], "system") == 0)
			rc = sp_collect_system(o, proc, sys, &err);
		else if (strcmp(argv[i], "hidden") == 0)
			rc = sp_collect_hidden(o, proc, sys, &err);
		else
			rc = sp_err_set(&err, SP_E_USAGE, 0,
			    "unknown reader '%s'", argv[i]);
	}
	problems = o->problems;
	if (rc != SP_OK)
		fprintf(stderr, "collect-volatile: %s\n", err.msg);
	(void)sp_collect_out_close(o, rc == SP_OK ? "complete" : "partial",
	    NULL);
	if (rc != SP_OK)
		return sp_err_exit_status(rc);
	return problems > 0 ? 2 : 0;
usage:
	fputs("usage: collect-volatile [-eP] [-p proc] [-s sys] outdir "
	    "reader...\n       collect-volatile -k kind file\n", stderr);
	return 64;
}
