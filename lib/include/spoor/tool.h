/*
 * What every spoor command does the same way: program name and messages,
 * UTC as the process time zone, signal handling, the case database from -c
 * or $SPOOR_CASE, and the run record that ends with the exit status.
 */
#ifndef SPOOR_TOOL_H
#define SPOOR_TOOL_H

#include "case.h"
#include "err.h"

/* Common state of one command; caller-owned, set up by sp_tool_init. */
struct sp_tool {
	const char *name;	/* "spoor-ls" */
	struct sp_run *run;
	struct sp_case *c;
};

/*
 * Set the program name (borrowed; a string literal), the time zone to UTC,
 * the signal handlers and a log sink that writes "name: message" to
 * stderr, and start the run record from argc/argv.
 */
void sp_tool_init(struct sp_tool *t, const char *name, int argc,
    char *const argv[]);

/* Print "name: message" on stderr (the message of err if fmt is NULL). */
void sp_tool_warn(const struct sp_tool *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print err's message and return its exit status. */
int sp_tool_error(const struct sp_tool *t, const struct sp_err *err);

/*
 * Open the case named by path (or $SPOOR_CASE when path is NULL), creating
 * it, and record the run in it.  Without either, does nothing.
 */
int sp_tool_open_case(struct sp_tool *t, const char *path,
    struct sp_err *err);

/*
 * End the run with status (130/143 when a signal came, 2 when problems were
 * recorded and status is 0), print how many problems were skipped, close
 * the case and return the final exit status.
 */
int sp_tool_finish(struct sp_tool *t, int status);

/* Print the versions for --version. */
void sp_tool_version(const struct sp_tool *t);

#endif
