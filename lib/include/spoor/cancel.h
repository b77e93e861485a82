/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cancellation of one operation: a token the caller owns, passes to a long
 * operation (the evidence walk and reads, the timeline load, the scan,
 * acquisition) and may trip from anywhere, a signal handler or another
 * thread included.  The operation polls it between records, finishes the
 * current one, closes what it holds and returns SP_E_INTERRUPTED.  The
 * caller resets the token to reuse it for its next operation.
 */
#ifndef SPOOR_CANCEL_H
#define SPOOR_CANCEL_H

#include <stdatomic.h>

/* Why an operation was cancelled, when not by a signal. */
#define SP_CANCEL_REQUESTED 256

/* Caller-owned; initialise with SP_CANCEL_INIT or sp_cancel_init. */
struct sp_cancel {
	atomic_int reason;	/* 0, a signal number or SP_CANCEL_REQUESTED */
};

#define SP_CANCEL_INIT { 0 }

/* Set c to "not cancelled" (also how a caller resets it for reuse). */
void sp_cancel_init(struct sp_cancel *c);
void sp_cancel_reset(struct sp_cancel *c);

/*
 * Ask the operation holding c to stop: reason is a signal number or
 * SP_CANCEL_REQUESTED; the first reason is kept.  Async-signal-safe and
 * safe from any thread.
 */
void sp_cancel_request(struct sp_cancel *c, int reason);

/*
 * The reason c was tripped, or 0.  A NULL token stands for the process:
 * the first SIGINT/SIGTERM recorded by sp_signal_install's handler.
 */
int sp_cancel_requested(const struct sp_cancel *c);

/*
 * The exit status of a cancelled operation: SP_EXIT_SIGINT,
 * SP_EXIT_SIGTERM, the status of SP_E_INTERRUPTED for another reason, and
 * SP_EXIT_OK when c was not tripped.
 */
int sp_cancel_exit_status(const struct sp_cancel *c);

#endif
