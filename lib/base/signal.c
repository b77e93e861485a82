/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIGINT/SIGTERM recording (see include/spoor/signal.h).
 */
#include <signal.h>
#include <string.h>

#include "spoor/signal.h"

static volatile sig_atomic_t pending;

static void
on_signal(int signo)
{
	if (pending == 0)
		pending = signo;
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

int
sp_signal_pending(void)
{
	return pending;
}

int
sp_signal_exit_status(void)
{
	return pending ? 128 + pending : 0;
}
