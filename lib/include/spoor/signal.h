/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIGINT/SIGTERM: the handler only records the signal.  Long loops poll
 * sp_signal_pending() between records, finish the current one, close what
 * they hold and return SP_E_INTERRUPTED; the tool then exits 128+signal.
 */
#ifndef SPOOR_SIGNAL_H
#define SPOOR_SIGNAL_H

/* Install handlers for SIGINT and SIGTERM (and ignore SIGPIPE). */
void sp_signal_install(void);

/* The first signal received (SIGINT, SIGTERM) or 0. */
int sp_signal_pending(void);

/* 130 for SIGINT, 143 for SIGTERM, 0 when no signal came. */
int sp_signal_exit_status(void);

#endif
