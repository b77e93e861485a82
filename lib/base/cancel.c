/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cancellation tokens (see include/spoor/cancel.h).  The reason is a
 * lock-free atomic, so tripping it is async-signal-safe and polling it
 * from worker threads is no data race.
 */
#include <signal.h>

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

int
sp_cancel_exit_status(const struct sp_cancel *c)
{
	switch (sp_cancel_requested(c)) {
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
