/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Errors: one code table (lib/errors.def) and an error chain that carries
 * the code, the saved errno and a message to which each layer that knows
 * more prepends its context ("image 'x.E01': partition 2: read: ...").
 */
#ifndef SPOOR_ERR_H
#define SPOOR_ERR_H

#include <stdarg.h>
#include <stddef.h>

enum sp_error {
	SP_OK = 0,
#define SP_ERROR(name, status, msg) name,
#include "../../base/errors.def"
#undef SP_ERROR
	SP_E_MAX
};

/* Exit statuses shared by every tool (spoor(7)). */
#define SP_EXIT_OK 0
#define SP_EXIT_FOUND 1
#define SP_EXIT_PARTIAL 2
#define SP_EXIT_USAGE 64

#define SP_ERR_MSG_MAX 1024

/* Caller-owned error detail; all functions accept a NULL struct sp_err *. */
struct sp_err {
	int code;	/* SP_OK or an SP_E_* code */
	int sys_errno;	/* errno saved at the failing site, or 0 */
	char msg[SP_ERR_MSG_MAX];
};

/* Reset err to SP_OK with an empty message. */
void sp_err_init(struct sp_err *err);

/*
 * Record a failure: code, errno (0 for none) and a printf-style message.
 * When sys_errno is set, ": strerror(errno)" is appended.  Returns code so
 * a site can write "return sp_err_set(err, ...)".
 */
int sp_err_set(struct sp_err *err, int code, int sys_errno,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Prepend "context: " to the message already in err.  Returns err->code. */
int sp_err_prefix(struct sp_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The table's message for code; never NULL. */
const char *sp_strerror(int code);

/* The exit status for code (SP_OK gives 0). */
int sp_err_exit_status(int code);

/* The symbolic name for code ("SP_E_IO"); never NULL. */
const char *sp_err_name(int code);

#endif
