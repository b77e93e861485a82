/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Progress rendering for the commands (see common/progress.h): the library
 * reports counts through sp_progress_fn and this draws them.  Updates are
 * cheap: the clock is read at most every 1024 calls and output at most 10
 * times a second.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spoor/json.h"
#include "common/progress.h"

struct sp_progress {
	FILE *out;
	enum sp_progress_mode mode;
	char label[64];
	uint64_t total, done, calls;
	struct timespec start, last;
	int drawn;
};

int
sp_progress_parse_mode(const char *s, enum sp_progress_mode *mode)
{
	if (strcmp(s, "auto") == 0)
		*mode = SP_PROGRESS_AUTO;
	else if (strcmp(s, "none") == 0)
		*mode = SP_PROGRESS_NONE;
	else if (strcmp(s, "bar") == 0)
		*mode = SP_PROGRESS_BAR;
	else if (strcmp(s, "json") == 0)
		*mode = SP_PROGRESS_JSON;
	else
		return SP_E_USAGE;
	return SP_OK;
}

static double
elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

struct sp_progress *
sp_progress_new(FILE *out, enum sp_progress_mode mode, const char *label,
    uint64_t total)
{
	struct sp_progress *p;

	if (mode == SP_PROGRESS_AUTO)
		mode = isatty(fileno(out)) ? SP_PROGRESS_BAR : SP_PROGRESS_NONE;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->out = out;
	p->mode = mode;
	p->total = total;
	snprintf(p->label, sizeof(p->label), "%s", label);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
	return p;
}

static void
draw(struct sp_progress *p, const struct timespec *now, int final)
{
	double secs = elapsed(&p->start, now);
	struct sp_json w;

	if (p->mode == SP_PROGRESS_JSON) {
		sp_json_init(&w, p->out);
		sp_json_object_begin(&w);
		sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
		sp_json_kv_str(&w, "progress", p->label);
		sp_json_kv_uint(&w, "done", p->done);
		sp_json_kv_uint(&w, "total", p->total);
		sp_json_kv_int(&w, "elapsed_ms", (int64_t)(secs * 1000));
		sp_json_kv_bool(&w, "final", final);
		sp_json_object_end(&w);
		sp_json_line_end(&w);
		fflush(p->out);
		return;
	}
	if (p->total > 0) {
		int pct = (int)(p->done * 100 / p->total), i;
		fprintf(p->out, "\r%-20.20s [", p->label);
		for (i = 0; i < 30; i++)
			fputc(i < pct * 30 / 100 ? '#' : ' ', p->out);
		fprintf(p->out, "] %3d%% %llu/%llu", pct,
		    (unsigned long long)p->done, (unsigned long long)p->total);
		if (secs > 1 && p->done > 0 && p->done < p->total) {
			double eta = secs * (double)(p->total - p->done) /
			    (double)p->done;
			fprintf(p->out, " ETA %02d:%02d", (int)eta / 60,
			    (int)eta % 60);
		}
	} else
		fprintf(p->out, "\r%-20.20s %llu (%.0f/s)", p->label,
		    (unsigned long long)p->done,
		    secs > 0 ? (double)p->done / secs : 0.0);
	fputs("\033[K", p->out);
	fflush(p->out);
	p->drawn = 1;
}

void
sp_progress_update(struct sp_progress *p, uint64_t done)
{
	struct timespec now;

	if (p == NULL || p->mode == SP_PROGRESS_NONE)
		return;
	p->done = done;
	if ((++p->calls & 1023) != 0 && p->calls != 1)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (elapsed(&p->last, &now) < 0.1 && p->calls != 1)
		return;
	p->last = now;
	draw(p, &now, 0);
}

void
sp_progress_free(struct sp_progress *p)
{
	struct timespec now;

	if (p == NULL)
		return;
	if (p->mode == SP_PROGRESS_JSON) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		draw(p, &now, 1);
	} else if (p->drawn) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
	}
	free(p);
}

void
sp_progress_on_count(const char *what, uint64_t done, uint64_t total,
    void *arg)
{
	struct sp_progress *p = arg;

	(void)what;
	if (p == NULL)
		return;
	if (total != 0)
		p->total = total;
	sp_progress_update(p, done);
}
