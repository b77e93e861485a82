/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The log sink (see include/spoor/log.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "spoor/log.h"

static sp_log_fn *sink;
static void *sink_arg;
static enum sp_log_level max_level = SP_LOG_INFO;

void
sp_log_set_sink(sp_log_fn *fn, void *arg)
{
	sink = fn;
	sink_arg = arg;
}

void
sp_log_set_level(enum sp_log_level max)
{
	max_level = max;
}

void
sp_log(enum sp_log_level level, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (sink == NULL || level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sink(level, buf, sink_arg);
}
