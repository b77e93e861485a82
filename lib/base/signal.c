/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIGINT/SIGTERM recording (see include/spoor/signal.h).
 */
#include <signal.h>
#include <string.h>

#include "spoor/err.h"
#include "spoor/signal.h"

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
	switch (pending) {
	case 0:
		return 0;
	case SIGINT:
		return SP_EXIT_SIGINT;
	case SIGTERM:
		return SP_EXIT_SIGTERM;
	default:
		return SP_EXIT_OF(SP_E_INTERRUPTED);
	}
}
