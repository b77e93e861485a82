/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What every spoor command does the same way: program name and messages,
 * UTC as the process time zone, signal handling, the case database from -c
 * or $SPOOR_CASE, and the run record that ends with the exit status.
 */
#ifndef SPOOR_TOOL_H
#define SPOOR_TOOL_H

#include "spoor/cancel.h"
#include "spoor/case.h"
#include "spoor/err.h"

/* Common state of one command; caller-owned, set up by sp_tool_init. */
struct sp_tool {
	const char *name;	/* "spoor-ls" */
	int argc;
	char *const *argv;
	struct sp_run *run;
	struct sp_case *c;
	/*
	 * The running operation's cancellation token: the SIGINT/SIGTERM
	 * handler trips it; pass it to the operation (its opts->cancel,
	 * sp_evidence_set_cancel) and reset it to reuse it.
	 */
	struct sp_cancel cancel;
	/* --max-memory as given (borrowed), or NULL for $SPOOR_MAX_MEMORY */
	const char *max_memory;
	/* the inputs counted by sp_tool_input: their total size, and
	 * whether one of them is no regular file (or cannot be sized) */
	uint64_t input_bytes;
	int input_unsized;
};

/*
 * Set the program name (borrowed; a string literal), the time zone to UTC,
 * the signal handlers (which trip t->cancel, so t must stay in place until
 * sp_tool_finish) and a log sink that writes "name: message" to stderr.  argv is borrowed for sp_tool_begin.  Nothing is allocated, so a
 * command may return at once (--help, usage errors).
 */
void sp_tool_init(struct sp_tool *t, const char *name, int argc,
    char *const argv[]);

/*
 * Count the file at path (evidence, rules, hash sets) toward the default
 * bound of sp_tool_begin; call it for each input before sp_tool_begin.
 * A directory, a device, a process or a path that cannot be sized makes
 * the default the machine's.
 */
void sp_tool_input(struct sp_tool *t, const char *path);

/*
 * Bound the address space (--max-memory, else $SPOOR_MAX_MEMORY, else
 * half the RAM, and no more than 64 times the size of the inputs when
 * every input is a regular file; at least 2 GiB and 256 MiB per core),
 * start the run record once the arguments are accepted, and open the case
 * named by case_path (or $SPOOR_CASE when NULL; none when neither),
 * creating it and recording the run in it.  On failure the error is in
 * err; sp_tool_finish must still be called.
 */
int sp_tool_begin(struct sp_tool *t, const char *case_path,
    struct sp_err *err);

/*
 * Take the value of --max-memory: a size in the syntax of sp_size_parse
 * or "none".  It bounds the address space in place of $SPOOR_MAX_MEMORY
 * once sp_tool_begin runs.  A bad value is said on stderr and gives
 * SP_E_USAGE.
 */
int sp_tool_max_memory(struct sp_tool *t, const char *value);

/* Print "name: message" on stderr (the message of err if fmt is NULL). */
void sp_tool_warn(const struct sp_tool *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print err's message and return its exit status. */
int sp_tool_error(const struct sp_tool *t, const struct sp_err *err);

/*
 * End the run with status (SP_EXIT_SIGINT/SP_EXIT_SIGTERM when a signal
 * tripped t->cancel, SP_EXIT_PARTIAL when problems were recorded and
 * status is SP_EXIT_OK; SP_EXIT_SIGPIPE, silently, when standard output's
 * reader went away), print how many problems were skipped, close the case
 * and return the final exit status.
 */
int sp_tool_finish(struct sp_tool *t, int status);

/*
 * Whether standard output failed because its reader went away (a pipe
 * to "head" that exited): the command then stops quietly and
 * sp_tool_finish ends it with SP_EXIT_SIGPIPE.
 */
int sp_tool_output_closed(void);

/* Print the versions for --version. */
void sp_tool_version(const struct sp_tool *t);

#endif
