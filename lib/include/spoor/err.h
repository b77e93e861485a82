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

struct sp_err;

enum sp_error {
	SP_OK = 0,
#define SP_EXIT(name, status, meaning)
#define SP_ERROR(name, status, msg) name,
#include "../../base/errors.def"
#undef SP_ERROR
#undef SP_EXIT
	SP_E_MAX
};

/*
 * Exit statuses, all from lib/base/errors.def (spoor(7)): the outcomes
 * (SP_EXIT_OK, SP_EXIT_FOUND, SP_EXIT_MISS, SP_EXIT_PARTIAL,
 * SP_EXIT_SIGINT, SP_EXIT_SIGTERM) and, for every error code, the status
 * it maps to as SP_EXIT_OF(SP_E_...).  A command never writes a number.
 */
enum sp_exit_status {
#define SP_EXIT(name, status, meaning) name = status,
#define SP_ERROR(name, status, msg) name##_EXIT = status,
#include "../../base/errors.def"
#undef SP_ERROR
#undef SP_EXIT
};
#define SP_EXIT_OF(code) code##_EXIT
#define SP_EXIT_USAGE SP_EXIT_OF(SP_E_USAGE)

/*
 * What a walker's or emitter's callback returns (sp_entry_fn, sp_data_fn,
 * sp_detection_fn, the artifact emit, ...), as TSK_WALK_CONT/STOP/ERROR in
 * libtsk and CALLBACK_CONTINUE/ABORT/ERROR in libyara:
 *   SP_CB_CONTINUE  go on;
 *   SP_CB_STOP      stop early; not an error, the walker returns SP_OK;
 *   an SP_E_* code  stop with that error: the walker returns the code
 *                   (the callback may have put the detail in a struct
 *                   sp_err it shares with the walker's caller).
 */
enum sp_cb {
	SP_CB_STOP = -1,
	SP_CB_CONTINUE = 0
};

/* What a walker returns for its callback's result r (see enum sp_cb). */
static inline int
sp_cb_status(int r)
{
	return r > 0 ? r : SP_OK;
}

/*
 * A walker's result after its callback returned r: SP_OK for continue or
 * stop; for an error, r with the detail the callback left in err when it
 * shares it (err->code == r), else "what: <r's message>".
 */
int sp_err_callback(struct sp_err *err, int r, const char *what);

/*
 * Lookups that can fail return SP_OK or an SP_E_* code and say whether
 * they found the key in an int *found out parameter; lookups that cannot
 * fail return what they found or NULL.
 */

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

/*
 * Prepend "context: " to the message already in err.  Returns err->code;
 * with a NULL err, the code of the last sp_err_set on this thread (so
 * "return sp_err_prefix(err, ...)" keeps the code without a struct).
 * Prefer "sp_err_prefix(err, ...); return rc;" where rc is at hand.
 */
int sp_err_prefix(struct sp_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The table's message for code; never NULL. */
const char *sp_strerror(int code);

/* The exit status for code (SP_OK gives 0). */
int sp_err_exit_status(int code);

/* The symbolic name for code ("SP_E_IO"); never NULL. */
const char *sp_err_name(int code);

#endif
