/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The library never prints: it reports through a log sink that the tool
 * installs.  Without a sink, messages are dropped.
 */
#ifndef SPOOR_LOG_H
#define SPOOR_LOG_H

enum sp_log_level { SP_LOG_ERROR, SP_LOG_WARN, SP_LOG_INFO, SP_LOG_DEBUG };

/* A sink receives each message (no trailing newline); msg lives for the call. */
typedef void sp_log_fn(enum sp_log_level level, const char *msg, void *arg);

/* Install fn (NULL removes the sink) with arg passed back on each call. */
void sp_log_set_sink(sp_log_fn *fn, void *arg);

/* Messages above max are dropped before formatting. */
void sp_log_set_level(enum sp_log_level max);

void sp_log(enum sp_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
