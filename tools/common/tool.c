/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared command plumbing (see common/tool.h).
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "spoor/log.h"
#include "spoor/output.h"
#include "spoor/size.h"
#include "spoor/signal.h"
#include "common/tool.h"

/*
 * Every message goes out through the text escaper: messages name paths
 * and carry strings read from evidence, which must not reach a terminal
 * as control sequences.
 */
static void
say(const char *name, const char *prefix, const char *msg)
{
	fprintf(stderr, "%s: %s", name, prefix);
	sp_print_safe(stderr, msg);
	fputc('\n', stderr);
}

static void
stderr_sink(enum sp_log_level level, const char *msg, void *arg)
{
	const struct sp_tool *t = arg;

	say(t->name, level == SP_LOG_WARN ? "warning: " : "", msg);
}

/*
 * Bound the address space: libtsk and libewf size allocations from
 * values the evidence gives, and a hostile image must make them fail
 * (recorded, status 2 or 65) rather than take the machine.  The bound is
 * --max-memory, else $SPOOR_MAX_MEMORY ("none" for none), else half the
 * RAM; when every input counted is a regular file, no more than 64 times
 * their size (a 200 KB image has no use for 10 GB), and never below a
 * floor of 2 GiB and 256 MiB per core (thread stacks and malloc arenas
 * are address space too).  Sanitizer builds reserve terabytes of shadow
 * memory: no bound.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_MEMORY_LIMIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define NO_MEMORY_LIMIT 1
#endif
#endif

static int
memory_size(const char *v, uint64_t *limit)
{
	if (strcmp(v, "none") == 0) {
		*limit = 0;
		return SP_OK;
	}
	if (sp_size_parse(v, limit) != SP_OK || *limit == 0)
		return SP_E_USAGE;
	return SP_OK;
}

int
sp_tool_max_memory(struct sp_tool *t, const char *value)
{
	uint64_t limit;

	if (memory_size(value, &limit) != SP_OK) {
		sp_tool_warn(t, "bad size '%s' for --max-memory", value);
		return SP_E_USAGE;
	}
	t->max_memory = value;
	return SP_OK;
}

static void
limit_memory(const struct sp_tool *t)
{
#ifndef NO_MEMORY_LIMIT
	const char *v = t->max_memory != NULL ? t->max_memory :
	    getenv("SPOOR_MAX_MEMORY");
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t limit = 0;
	struct rlimit rl;

	if (v != NULL && v[0] != '\0') {
		if (strcmp(v, "none") == 0)
			return;
		if (memory_size(v, &limit) != SP_OK) {
			sp_tool_warn(t, "SPOOR_MAX_MEMORY: bad size '%s'", v);
			limit = 0;
		}
	}
	if (limit == 0 && pages > 0 && psize > 0)
		limit = (uint64_t)pages * (uint64_t)psize / 2;
	if (v == NULL || v[0] == '\0') {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		uint64_t floor = (2ULL << 30) +
		    (uint64_t)(cores > 0 ? cores : 1) * (256ULL << 20);

		if (t->input_bytes > 0 && !t->input_unsized &&
		    t->input_bytes < limit / 64)
			limit = t->input_bytes * 64;
		if (limit < floor)
			limit = floor;
	}
	if (getrlimit(RLIMIT_AS, &rl) != 0)
		return;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= limit)
		return;
	rl.rlim_cur = (rlim_t)limit;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_AS, &rl);
#else
	(void)t;
#endif
}

void
sp_tool_init(struct sp_tool *t, const char *name, int argc,
    char *const argv[])
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->argc = argc;
	t->argv = argv;
	/* times are UTC unless a command is told otherwise */
	setenv("TZ", "UTC0", 1);
	tzset();
	sp_cancel_init(&t->cancel);
	sp_signal_install();
	sp_signal_set_cancel(&t->cancel);
	sp_log_set_sink(stderr_sink, t);
}

void
sp_tool_warn(const struct sp_tool *t, const char *fmt, ...)
{
	char buf[1024], *msg = buf;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf) && (msg = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	say(t->name, "", msg != NULL ? msg : buf);
	if (msg != buf)
		free(msg);
}

int
sp_tool_error(const struct sp_tool *t, const struct sp_err *err)
{
	say(t->name, "", err->msg[0] ? err->msg : sp_strerror(err->code));
	return sp_err_exit_status(err->code);
}

void
sp_tool_input(struct sp_tool *t, const char *path)
{
	struct stat st;

	if (path == NULL || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		t->input_unsized = 1;
		return;
	}
	if ((uint64_t)st.st_size > UINT64_MAX / 64 - t->input_bytes)
		t->input_unsized = 1;
	else
		t->input_bytes += (uint64_t)st.st_size;
}

int
sp_tool_begin(struct sp_tool *t, const char *path, struct sp_err *err)
{
	int rc;

	if (t->run == NULL)
		limit_memory(t);
	if (t->run == NULL &&
	    (rc = sp_run_new(&t->run, t->name, t->argc, t->argv, err)) != SP_OK)
		return rc;
	if ((path = sp_case_path_from_env(path)) == NULL)
		return SP_OK;
	if ((rc = sp_case_open(&t->c, path, SP_CASE_CREATE, err)) != SP_OK)
		return rc;
	if ((rc = sp_case_run_attach(t->c, t->run, err)) != SP_OK) {
		sp_err_prefix(err, "case '%s'", path);
		sp_case_close(t->c);
		t->c = NULL;
	}
	return rc;
}

int
sp_tool_output_closed(void)
{
	struct pollfd p = { STDOUT_FILENO, 0, 0 };
	struct stat st;

	/*
	 * SIGPIPE is ignored (sp_signal_install), so a write to a pipe
	 * without a reader fails with EPIPE; the write end of such a pipe
	 * polls as an error, which tells it from a full disk or an I/O
	 * error whatever errno has become since.
	 */
	if (!ferror(stdout) || fstat(STDOUT_FILENO, &st) != 0 ||
	    (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)))
		return 0;
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

int
sp_tool_finish(struct sp_tool *t, int status)
{
	struct sp_err err;
	uint64_t n = sp_run_problem_count(t->run);
	const char *state;
	int signo, closed;

	/* the handler tripped the token; its reason is the signal */
	if ((signo = sp_cancel_requested(&t->cancel)) != 0) {
		status = sp_cancel_exit_status(&t->cancel);
		if (signo == SP_CANCEL_REQUESTED)
			sp_tool_warn(t, "interrupted");
		else
			sp_tool_warn(t, "interrupted by signal %d", signo);
	}
	else if (status == SP_EXIT_OK && n > 0)
		status = SP_EXIT_PARTIAL;
	sp_signal_set_cancel(NULL);
	/* the reader of the output stopped reading: no error, no message */
	fflush(stdout);
	closed = signo == 0 && sp_tool_output_closed();
	if (closed && (status == SP_EXIT_OK || status == SP_EXIT_PARTIAL ||
	    status == SP_EXIT_OF(SP_E_IO)))
		status = SP_EXIT_SIGPIPE;
	if (signo != 0 || status == SP_EXIT_SIGPIPE)
		state = "interrupted";
	else if (status == SP_EXIT_PARTIAL)
		state = "partial";
	else if (status <= SP_EXIT_FOUND)
		state = "done";
	else
		state = "failed";
	if (n > 0 && status != SP_EXIT_SIGPIPE)
		sp_tool_warn(t, "%llu problem%s skipped (partial results)%s",
		    (unsigned long long)n, n == 1 ? "" : "s",
		    t->c ? "; see the case's problems table" : "");
	sp_err_init(&err);
	if (t->run != NULL &&
	    sp_run_end(t->run, status, state, &err) != SP_OK) {
		sp_tool_error(t, &err);
		if (status == SP_EXIT_OK)
			status = sp_err_exit_status(err.code);
	}
	sp_run_free(t->run);
	t->run = NULL;
	sp_case_close(t->c);
	t->c = NULL;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* only when it is the run's one failure */
		if (status == SP_EXIT_OK && !closed) {
			sp_tool_warn(t, "standard output: write error");
			status = SP_EXIT_OF(SP_E_IO);
		}
	}
	return status;
}

void
sp_tool_version(const struct sp_tool *t)
{
	printf("%s (spoor)\n%s", t->name, sp_versions_text());
}
