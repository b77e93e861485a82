/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-collect: triage of a live Linux host into a collection, most
 * volatile first (RFC 3227): processes, sockets, network, system state
 * and the cross-view of hidden processes read natively from /proc and
 * /sys; the memory of the processes asked for; then one walk of the file
 * systems for the bodyfile and the triage files.  It runs no program of
 * the host and writes nothing but its output.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/progress.h"
#include "common/tool.h"
#include "spoor/acquire.h"
#include "spoor/collect.h"
#include "spoor/json.h"
#include "spoor/size.h"
#include "spoor/time.h"

static const char usage_text[] =
    "usage: spoor-collect [-q] [--json] [--tar] [--environ] [--shadow]\n"
    "                     [--process-memory PID[,PID...]|suspicious]\n"
    "                     [--process-max SIZE] [--memory [--memory-source FILE]\n"
    "                     [--iomem FILE]] [--max-file SIZE]\n"
    "                     [--max-total SIZE] [--recent-days N]\n"
    "                     [--step-time SECONDS] [--all-filesystems]\n"
    "                     [--no-volatile] [--no-walk] [--no-nice]\n"
    "                     [--root DIR] [--progress MODE] OUTPUT\n";

enum {
	OPT_JSON = 256, OPT_TAR, OPT_ENVIRON, OPT_SHADOW, OPT_PROCMEM,
	OPT_PROCMAX, OPT_MAXFILE, OPT_MAXTOTAL, OPT_RECENT, OPT_STEP,
	OPT_ALLFS, OPT_NOVOL, OPT_NOWALK, OPT_NONICE, OPT_ROOT, OPT_PROGRESS,
	OPT_MAX_MEMORY, OPT_PHYSMEM, OPT_MEMSRC, OPT_IOMEM
};

static const struct option longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "tar", no_argument, NULL, OPT_TAR },
	{ "environ", no_argument, NULL, OPT_ENVIRON },
	{ "shadow", no_argument, NULL, OPT_SHADOW },
	{ "process-memory", required_argument, NULL, OPT_PROCMEM },
	{ "process-max", required_argument, NULL, OPT_PROCMAX },
	{ "memory", no_argument, NULL, OPT_PHYSMEM },
	{ "memory-source", required_argument, NULL, OPT_MEMSRC },
	{ "iomem", required_argument, NULL, OPT_IOMEM },
	{ "max-file", required_argument, NULL, OPT_MAXFILE },
	{ "max-total", required_argument, NULL, OPT_MAXTOTAL },
	{ "recent-days", required_argument, NULL, OPT_RECENT },
	{ "step-time", required_argument, NULL, OPT_STEP },
	{ "all-filesystems", no_argument, NULL, OPT_ALLFS },
	{ "no-volatile", no_argument, NULL, OPT_NOVOL },
	{ "no-walk", no_argument, NULL, OPT_NOWALK },
	{ "no-nice", no_argument, NULL, OPT_NONICE },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
help(void)
{
	printf("%s\nCollect the volatile state, process memory and triage "
	    "files of this host\ninto OUTPUT, a new directory, or a tar "
	    "stream on standard output for \"-\".\n\n"
	    "  -q, --quiet         no progress, no summary\n"
	    "      --json          the summary as a JSON object on standard "
	    "output\n"
	    "      --tar           OUTPUT is a tar file to create (\"-\" is "
	    "always tar)\n"
	    "      --environ       keep every process's environment (only "
	    "LD_PRELOAD\n"
	    "                      otherwise)\n"
	    "      --shadow        copy /etc/shadow and gshadow, not only "
	    "their metadata\n"
	    "      --process-memory PID[,PID...]|suspicious\n"
	    "                      copy the memory of these processes, or of "
	    "those with\n"
	    "                      a deleted or temporary executable or a "
	    "kernel thread's name\n"
	    "      --process-max SIZE  bytes of one process's memory (512M)\n"
	    "      --memory            the physical memory too, as "
	    "memory/physical.lime\n"
	    "                          (spoor-acquire --memory's code; a "
	    "directory output)\n"
	    "      --memory-source FILE  read it from FILE (/dev/crash, "
	    "/proc/kcore, /dev/mem)\n"
	    "      --iomem FILE        the ranges of RAM from FILE, not "
	    "/proc/iomem\n"
	    "      --max-file SIZE     bytes copied of one file (64M)\n"
	    "      --max-total SIZE    bytes copied of all files (2G)\n"
	    "      --recent-days N     web roots and vendor units changed "
	    "within N days (30)\n"
	    "      --step-time SECONDS time budget of the file walk (none)\n"
	    "      --all-filesystems   also network and FUSE file systems\n"
	    "      --no-volatile       no processes, sockets, network or "
	    "system state\n"
	    "      --no-walk           no bodyfile and no triage files\n"
	    "      --no-nice           keep the CPU and I/O priority\n"
	    "      --root DIR          walk DIR as the host's / (a mounted "
	    "image)\n"
	    "      --progress MODE     auto, bar, json or none (auto)\n"
	    "      --max-memory SIZE   bound the address space\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show versions\n", usage_text);
}

static int
usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "spoor-collect: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_text);
	return SP_EXIT_USAGE;
}

static int
parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "123,456": the pids to copy. */
static int
parse_pids(const char *s, pid_t **pids, size_t *n)
{
	const char *p = s;
	char *end;
	long v;
	pid_t *nv;

	while (*p != '\0') {
		errno = 0;
		v = strtol(p, &end, 10);
		if (errno != 0 || end == p || v <= 0 || v > 0x400000 ||
		    (*end != ',' && *end != '\0'))
			return -1;
		if ((nv = realloc(*pids, (*n + 1) * sizeof(**pids))) == NULL)
			return -1;
		*pids = nv;
		(*pids)[(*n)++] = (pid_t)v;
		p = *end == ',' ? end + 1 : end;
	}
	return *n > 0 ? 0 : -1;
}

/* Lower the priority: the host goes on serving while it is collected. */
static void
be_nice(void)
{
	/* a failed nice is not a problem of the collection */
	(void)setpriority(PRIO_PROCESS, 0, 10);
	/* ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_CLASS_IDLE) */
#ifdef SYS_ioprio_set
	(void)syscall(SYS_ioprio_set, 1, 0, 3 << 13);
#endif
}

struct step {
	const char *name;
	int (*fn)(struct sp_collect_out *o, struct sp_err *err);
};

static struct sp_collect_proc_opts proc_opts;

static int
step_processes(struct sp_collect_out *o, struct sp_err *err)
{
	return sp_collect_processes(o, NULL, &proc_opts, err);
}

static int
step_sockets(struct sp_collect_out *o, struct sp_err *err)
{
	return sp_collect_sockets(o, NULL, err);
}

static int
step_network(struct sp_collect_out *o, struct sp_err *err)
{
	return sp_collect_network(o, NULL, NULL, err);
}

static int
step_system(struct sp_collect_out *o, struct sp_err *err)
{
	return sp_collect_system(o, NULL, NULL, err);
}

static int
step_hidden(struct sp_collect_out *o, struct sp_err *err)
{
	return sp_collect_hidden(o, NULL, NULL, err);
}

/*
 * The physical memory into memory/physical.lime of a directory output,
 * with spoor-acquire's code, and its log beside it; a failure (kernel
 * lockdown, no memory device) is a problem of the collection.
 */
static void
physical_memory(struct sp_tool *t, struct sp_collect_out *o,
    const char *source, const char *iomem)
{
	struct sp_acquire_opts ao;
	struct sp_acquisition *acq = NULL;
	struct sp_collect_meta meta;
	struct sp_err err;
	char dir[4096], image[4200];

	sp_err_init(&err);
	snprintf(dir, sizeof(dir), "%s/memory", sp_collect_out_dir(o));
	snprintf(image, sizeof(image), "%s/physical.lime", dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		sp_collect_out_problem(o, "memory", "%s: %s", dir,
		    strerror(errno));
		return;
	}
	memset(&ao, 0, sizeof(ao));
	ao.output = image;
	ao.source = source;
	ao.iomem = iomem;
	ao.format = SP_ACQUIRE_LIME;
	ao.cancel = &t->cancel;
	if (sp_acquire_memory(t->run, &ao, &acq, &err) != SP_OK) {
		sp_collect_out_problem(o, "memory", "physical memory: %s",
		    err.msg);
		sp_acquisition_free(acq);
		return;
	}
	sp_acquisition_free(acq);
	memset(&meta, 0, sizeof(meta));
	meta.source = "physical memory";
	meta.mtime_ns = SP_TIME_NONE;
	meta.mode = meta.uid = meta.gid = -1;
	if (sp_collect_out_adopt(o, "memory/physical.lime", "memory", &meta,
	    &err) != SP_OK ||
	    sp_collect_out_adopt(o, "memory/physical.lime.log", "log", &meta,
	    &err) != SP_OK)
		sp_collect_out_problem(o, "memory", "%s", err.msg);
}

int
main(int argc, char *argv[])
{
	static const struct step volatile_steps[] = {
		{ "processes", step_processes },
		{ "sockets", step_sockets },
		{ "network", step_network },
		{ "system", step_system },
		{ "hidden", step_hidden },
	};
	struct sp_tool t;
	struct sp_err err;
	struct sp_collect_out *o = NULL;
	struct sp_collect_triage_opts topts;
	struct sp_collect_header hdr;
	struct sp_progress *bar = NULL;
	struct sp_progress_sink sink;
	enum sp_progress_mode pmode = SP_PROGRESS_AUTO;
	pid_t *pids = NULL;
	size_t npids = 0, i;
	uint64_t procmax = UINT64_C(512) << 20, v, mem_bytes = 0;
	const char *output;
	int ch, json = 0, tar = 0, quiet = 0, suspicious = 0, novol = 0;
	int nowalk = 0, nonice = 0, rc, status = SP_EXIT_OK, stopped = 0;
	int physmem = 0;
	const char *memsrc = NULL, *iomem = NULL;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	sp_tool_init(&t, "spoor-collect", argc, argv);
	sp_err_init(&err);
	sp_collect_proc_opts_init(&proc_opts);
	sp_collect_triage_opts_init(&topts);
	while ((ch = getopt_long(argc, argv, "qhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'q': quiet = 1; break;
		case OPT_JSON: json = 1; break;
		case OPT_TAR: tar = 1; break;
		case OPT_ENVIRON: proc_opts.environ = 1; break;
		case OPT_SHADOW: topts.shadow = 1; break;
		case OPT_PROCMEM:
			if (strcmp(optarg, "suspicious") == 0)
				suspicious = 1;
			else if (parse_pids(optarg, &pids, &npids) != 0) {
				free(pids);
				return usage("bad process list '%s'", optarg);
			}
			break;
		case OPT_PROCMAX:
		case OPT_MAXFILE:
		case OPT_MAXTOTAL:
			if (sp_size_parse(optarg, &v) != SP_OK) {
				free(pids);
				return usage("bad size '%s'", optarg);
			}
			if (ch == OPT_PROCMAX)
				procmax = v;
			else if (ch == OPT_MAXFILE)
				topts.max_file = v;
			else
				topts.max_total = v;
			break;
		case OPT_RECENT:
		case OPT_STEP:
			if (parse_uint(optarg, 100000, &v) != 0) {
				free(pids);
				return usage("bad number '%s'", optarg);
			}
			if (ch == OPT_RECENT)
				topts.recent_days = (unsigned)v;
			else
				topts.step_seconds = (unsigned)v;
			break;
		case OPT_ALLFS: topts.all_filesystems = 1; break;
		case OPT_PHYSMEM: physmem = 1; break;
		case OPT_MEMSRC: memsrc = optarg; break;
		case OPT_IOMEM: iomem = optarg; break;
		case OPT_NOVOL: novol = 1; break;
		case OPT_NOWALK: nowalk = 1; break;
		case OPT_NONICE: nonice = 1; break;
		case OPT_ROOT: topts.root = optarg; break;
		case OPT_PROGRESS:
			if (sp_progress_parse_mode(optarg, &pmode) != SP_OK) {
				free(pids);
				return usage("bad progress mode '%s'", optarg);
			}
			break;
		case OPT_MAX_MEMORY:
			if (sp_tool_max_memory(&t, optarg) != SP_OK) {
				free(pids);
				fputs(usage_text, stderr);
				return SP_EXIT_USAGE;
			}
			break;
		case 'h': help(); return SP_EXIT_OK;
		case 'V': sp_tool_version(&t); return SP_EXIT_OK;
		default: free(pids); fputs(usage_text, stderr);
			return SP_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		free(pids);
		return usage("%s", optind == argc ? "no output given" :
		    "one output at a time");
	}
	output = argv[optind];
	if ((memsrc != NULL || iomem != NULL) && !physmem) {
		free(pids);
		return usage("%s", "--memory-source and --iomem go with "
		    "--memory");
	}
	if (physmem && (tar || strcmp(output, "-") == 0)) {
		free(pids);
		return usage("%s", "--memory writes an image of its own: it "
		    "needs a directory output");
	}
	if (strcmp(output, "-") == 0) {
		tar = 1;
		if (json) {
			free(pids);
			return usage("%s", "--json goes to standard output, "
			    "which the tar stream takes");
		}
	}
	if (topts.root != NULL) {
		struct stat st;

		errno = 0;
		if (stat(topts.root, &st) != 0 || !S_ISDIR(st.st_mode)) {
			sp_err_set(&err, errno ? SP_E_NOINPUT : SP_E_USAGE,
			    errno, "root '%s'%s", topts.root, errno ? "" :
			    ": not a directory");
			free(pids);
			return sp_tool_error(&t, &err);
		}
	}
	/* no case: the collection is the record of this run */
	unsetenv("SPOOR_CASE");
	if ((rc = sp_tool_begin(&t, NULL, &err)) != SP_OK) {
		status = sp_tool_error(&t, &err);
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!nonice)
		be_nice();
	if ((rc = sp_collect_out_open(&o, output, tar, &err)) != SP_OK) {
		status = sp_tool_error(&t, &err);
		goto out;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.tool = "spoor-collect";
	hdr.started_ns = SP_TIME_NONE;
	hdr.uid = -1;
	hdr.options = (const char *const *)argv;
	hdr.noptions = (size_t)argc;
	if ((rc = sp_collect_out_header(o, &hdr, &err)) != SP_OK) {
		status = sp_tool_error(&t, &err);
		goto out;
	}

	/* 1. volatile state, most volatile first */
	for (i = 0; !novol && i < sizeof(volatile_steps) /
	    sizeof(volatile_steps[0]); i++) {
		if (sp_cancel_requested(&t.cancel)) {
			stopped = 1;
			break;
		}
		sp_err_init(&err);
		if ((rc = volatile_steps[i].fn(o, &err)) != SP_OK) {
			if (rc == SP_E_NOSPACE || rc == SP_E_IO) {
				status = sp_tool_error(&t, &err);
				goto out;
			}
			sp_collect_out_problem(o, volatile_steps[i].name, "%s",
			    err.msg);
		}
	}

	/* 2. process memory */
	if (!stopped && suspicious) {
		pid_t *more = NULL;
		size_t nmore = 0;

		if (sp_collect_suspicious(NULL, &more, &nmore, &err) != SP_OK)
			sp_collect_out_problem(o, "memory", "%s", err.msg);
		for (i = 0; i < nmore; i++) {
			pid_t *nv = realloc(pids, (npids + 1) * sizeof(*pids));

			if (nv == NULL)
				break;
			pids = nv;
			pids[npids++] = more[i];
		}
		free(more);
	}
	for (i = 0; !stopped && i < npids; i++) {
		uint64_t w = 0;

		if (sp_cancel_requested(&t.cancel)) {
			stopped = 1;
			break;
		}
		sp_err_init(&err);
		rc = sp_collect_process_memory(o, pids[i], procmax, &w, &err);
		if (rc == SP_E_NOSPACE || rc == SP_E_IO) {
			status = sp_tool_error(&t, &err);
			goto out;
		}
		if (rc != SP_OK)
			sp_collect_out_problem(o, "memory", "%s", err.msg);
		mem_bytes += w;
	}

	if (!stopped && physmem)
		physical_memory(&t, o, memsrc, iomem);

	/* 3. the file systems: bodyfile and triage files in one walk */
	if (!stopped && !nowalk) {
		if (!quiet && pmode != SP_PROGRESS_NONE)
			bar = sp_progress_new(stderr, pmode, "entries", 0);
		sink.fn = sp_progress_on_count;
		sink.arg = bar;
		topts.progress = bar != NULL ? &sink : NULL;
		topts.cancel = &t.cancel;
		sp_err_init(&err);
		rc = sp_collect_triage(o, &topts, &err);
		sp_progress_free(bar);
		bar = NULL;
		if (rc == SP_E_INTERRUPTED)
			stopped = 1;
		else if (rc != SP_OK) {
			status = sp_tool_error(&t, &err);
			goto out;
		}
	}

	{
		uint64_t problems = sp_collect_out_problems(o);
		const char *state = stopped || problems > 0 ? "partial" :
		    "complete";

		sp_err_init(&err);
		rc = sp_collect_out_close(o, state, &err);
		o = NULL;
		if (rc != SP_OK) {
			status = sp_tool_error(&t, &err);
			goto out;
		}
		if (problems > 0 && status == SP_EXIT_OK)
			status = SP_EXIT_PARTIAL;
		if (json) {
			struct sp_json w;

			sp_json_init(&w, stdout);
			sp_json_object_begin(&w);
			sp_json_kv_int(&w, "schema", 1);
			sp_json_kv_str(&w, "output", output);
			sp_json_kv_str(&w, "status", state);
			sp_json_kv_uint(&w, "problems", problems);
			sp_json_kv_uint(&w, "processes_copied", npids);
			sp_json_kv_uint(&w, "memory_bytes", mem_bytes);
			sp_json_kv_int(&w, "seconds_ms",
			    (int64_t)(sp_time_elapsed(&t0) * 1000));
			sp_json_object_end(&w);
			sp_json_line_end(&w);
		} else if (!quiet)
			fprintf(stderr, "spoor-collect: %s collection in %s "
			    "(%.1f s, %llu problems%s)\n", state,
			    strcmp(output, "-") == 0 ? "the tar stream" :
			    output, sp_time_elapsed(&t0),
			    (unsigned long long)problems, problems ?
			    ", see collection.log" : "");
	}
out:
	if (o != NULL)
		sp_collect_out_close(o, "partial", NULL);
	free(pids);
	return sp_tool_finish(&t, status);
}
