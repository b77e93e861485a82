/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cancellation tokens (see include/spoor/cancel.h) and the signals that
 * trip them (include/spoor/signal.h): one module, since a signal is only
 * one way an operation is cancelled.  The reason is a lock-free atomic,
 * so tripping it is async-signal-safe and polling it from worker threads
 * is no data race.
 */
#include <signal.h>
#include <string.h>

#include "spoor/cancel.h"
#include "spoor/err.h"
#include "spoor/signal.h"

void
sp_cancel_init(struct sp_cancel *c)
{
	atomic_init(&c->reason, 0);
}

void
sp_cancel_reset(struct sp_cancel *c)
{
	atomic_store(&c->reason, 0);
}

void
sp_cancel_request(struct sp_cancel *c, int reason)
{
	int none = 0;

	if (c != NULL)
		atomic_compare_exchange_strong(&c->reason, &none, reason);
}

int
sp_cancel_requested(const struct sp_cancel *c)
{
	if (c == NULL)
		return sp_signal_pending();
	return atomic_load_explicit(&((struct sp_cancel *)c)->reason,
	    memory_order_relaxed);
}

/* The exit status of an operation cancelled for reason (0: none). */
static int
exit_status_of(int reason)
{
	switch (reason) {
	case 0:
		return SP_EXIT_OK;
	case SIGINT:
		return SP_EXIT_SIGINT;
	case SIGTERM:
		return SP_EXIT_SIGTERM;
	default:
		return SP_EXIT_OF(SP_E_INTERRUPTED);
	}
}

int
sp_cancel_exit_status(const struct sp_cancel *c)
{
	return exit_status_of(sp_cancel_requested(c));
}

/* ---- signals ---- */

static volatile sig_atomic_t pending;
static struct sp_cancel *_Atomic current;

static void
on_signal(int signo)
{
	if (pending == 0)
		pending = signo;
	sp_cancel_request(atomic_load(&current), signo);
}

void
sp_signal_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void
sp_signal_set_cancel(struct sp_cancel *c)
{
	atomic_store(&current, c);
	/* a signal that came first still cancels the new operation */
	if (c != NULL && pending != 0)
		sp_cancel_request(c, pending);
}

int
sp_signal_pending(void)
{
	return pending;
}

int
sp_signal_exit_status(void)
{
	return exit_status_of(pending);
}
