/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIGINT/SIGTERM: the handler only records the signal and trips the
 * cancellation token of the running operation (sp_signal_set_cancel).
 * Long operations poll their token between records, finish the current
 * one, close what they hold and return SP_E_INTERRUPTED; the tool then
 * exits 130 or 143.
 */
#ifndef SPOOR_SIGNAL_H
#define SPOOR_SIGNAL_H

#include "cancel.h"

/* Install handlers for SIGINT and SIGTERM (and ignore SIGPIPE). */
void sp_signal_install(void);

/*
 * The token the handler trips (borrowed until replaced; NULL for none):
 * the running operation's, so that a signal cancels it.
 */
void sp_signal_set_cancel(struct sp_cancel *c);

/* The first signal received (SIGINT, SIGTERM) or 0. */
int sp_signal_pending(void);

/* SP_EXIT_SIGINT, SP_EXIT_SIGTERM, or 0 when no signal came. */
int sp_signal_exit_status(void);

#endif
