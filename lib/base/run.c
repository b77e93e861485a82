/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The run record (see include/spoor/run.h): kept in memory, under one
 * mutex, because walkers and scanner workers record problems at once.
 * Nothing here knows SQL; a case store binds itself to the run and is
 * called back when the run ends.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/json.h"
#include "spoor/run.h"

#define PROBLEMS_KEPT 10000

struct sp_run {
	pthread_mutex_t lock;
	char *tool;
	char *argv_json;
	char *inputs_json;	/* without the closing ']' until read */
	size_t inputs_len;
	struct sp_case *c;
	int64_t id;
	sp_run_end_fn *end;
	void *end_arg;
	sp_time_ns started;
	uint64_t nproblems;
	char **problems;	/* "subject\0code\0message" kept in full */
	size_t nkept;
	int ended;
};

struct argv_arg {
	int argc;
	char *const *argv;
};

static void
fill_argv(struct sp_json *w, const void *p)
{
	const struct argv_arg *a = p;
	int i;

	sp_json_array_begin(w);
	for (i = 0; i < a->argc; i++)
		sp_json_str(w, a->argv[i]);
	sp_json_array_end(w);
}

int
sp_run_new(struct sp_run **rp, const char *tool, int argc,
    char *const argv[], struct sp_err *err)
{
	struct argv_arg a = { argc, argv };
	struct sp_run *r;

	*rp = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "run");
	pthread_mutex_init(&r->lock, NULL);
	if ((r->tool = strdup(tool)) == NULL ||
	    (r->argv_json = sp_json_to_string(fill_argv, &a)) == NULL ||
	    (r->inputs_json = calloc(1, 3)) == NULL) {
		sp_run_free(r);
		return sp_err_set(err, SP_E_NOMEM, 0, "run");
	}
	r->inputs_json[0] = '[';
	r->inputs_len = 1;
	r->started = sp_time_now();
	*rp = r;
	return SP_OK;
}

void
sp_run_bind(struct sp_run *r, struct sp_case *c, int64_t id,
    sp_run_end_fn *end, void *arg)
{
	pthread_mutex_lock(&r->lock);
	r->c = c;
	r->id = id;
	r->end = end;
	r->end_arg = arg;
	pthread_mutex_unlock(&r->lock);
}

int64_t
sp_run_id(const struct sp_run *r)
{
	return r ? r->id : 0;
}

struct sp_case *
sp_run_case(const struct sp_run *r)
{
	return r ? r->c : NULL;
}

const char *
sp_run_tool(const struct sp_run *r)
{
	return r->tool;
}

const char *
sp_run_argv_json(const struct sp_run *r)
{
	return r->argv_json;
}

sp_time_ns
sp_run_started(const struct sp_run *r)
{
	return r->started;
}

struct input_arg {
	const char *path;
	uint64_t size;
	const char *sha256;
};

static void
fill_input(struct sp_json *w, const void *p)
{
	const struct input_arg *a = p;

	sp_json_object_begin(w);
	sp_json_kv_str(w, "path", a->path);
	sp_json_kv_uint(w, "size", a->size);
	sp_json_kv_str(w, "sha256", a->sha256);
	sp_json_object_end(w);
}

int
sp_run_add_input(struct sp_run *r, const char *path, uint64_t size,
    const char *sha256, struct sp_err *err)
{
	struct input_arg a = { path, size, sha256 };
	char *obj, *n;
	size_t len;

	if ((obj = sp_json_to_string(fill_input, &a)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "run input");
	len = strlen(obj);
	pthread_mutex_lock(&r->lock);
	if ((n = realloc(r->inputs_json, r->inputs_len + len + 3)) == NULL) {
		pthread_mutex_unlock(&r->lock);
		free(obj);
		return sp_err_set(err, SP_E_NOMEM, 0, "run input");
	}
	r->inputs_json = n;
	if (r->inputs_len > 1)
		n[r->inputs_len++] = ',';
	memcpy(n + r->inputs_len, obj, len);
	r->inputs_len += len;
	n[r->inputs_len] = '\0';
	pthread_mutex_unlock(&r->lock);
	free(obj);
	return SP_OK;
}

const char *
sp_run_inputs_json(struct sp_run *r)
{
	pthread_mutex_lock(&r->lock);
	r->inputs_json[r->inputs_len] = ']';
	r->inputs_json[r->inputs_len + 1] = '\0';
	pthread_mutex_unlock(&r->lock);
	return r->inputs_json;
}

void
sp_run_problem(struct sp_run *r, const char *subject, int code,
    const char *fmt, ...)
{
	char msg[SP_ERR_MSG_MAX], *p, **np;
	const char *name = sp_err_name(code);
	size_t ls, ln, lm;
	va_list ap;

	if (r == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ls = strlen(subject);
	ln = strlen(name);
	lm = strlen(msg);
	if ((p = malloc(ls + ln + lm + 3)) == NULL) {
		pthread_mutex_lock(&r->lock);
		r->nproblems++;
		pthread_mutex_unlock(&r->lock);
		return;
	}
	memcpy(p, subject, ls + 1);
	memcpy(p + ls + 1, name, ln + 1);
	memcpy(p + ls + ln + 2, msg, lm + 1);
	pthread_mutex_lock(&r->lock);
	r->nproblems++;
	if (r->nkept >= PROBLEMS_KEPT)
		goto drop;
	if ((r->nkept & (r->nkept - 1)) == 0) {
		np = realloc(r->problems, (r->nkept ? r->nkept * 2 : 1) *
		    sizeof(*np));
		if (np == NULL)
			goto drop;
		r->problems = np;
	}
	r->problems[r->nkept++] = p;
	pthread_mutex_unlock(&r->lock);
	return;
drop:
	pthread_mutex_unlock(&r->lock);
	free(p);
}

uint64_t
sp_run_problem_count(const struct sp_run *r)
{
	uint64_t n;

	if (r == NULL)
		return 0;
	pthread_mutex_lock((pthread_mutex_t *)&r->lock);
	n = r->nproblems;
	pthread_mutex_unlock((pthread_mutex_t *)&r->lock);
	return n;
}

uint64_t
sp_run_problem_kept(const struct sp_run *r)
{
	uint64_t n;

	if (r == NULL)
		return 0;
	pthread_mutex_lock((pthread_mutex_t *)&r->lock);
	n = r->nkept;
	pthread_mutex_unlock((pthread_mutex_t *)&r->lock);
	return n;
}

void
sp_run_problem_get(const struct sp_run *r, uint64_t i, const char **subject,
    const char **code, const char **message)
{
	const char *p;

	pthread_mutex_lock((pthread_mutex_t *)&r->lock);
	p = r->problems[i];
	pthread_mutex_unlock((pthread_mutex_t *)&r->lock);
	*subject = p;
	*code = p + strlen(p) + 1;
	*message = *code + strlen(*code) + 1;
}

const char *
sp_run_problem_text(const struct sp_run *r, uint64_t i)
{
	static _Thread_local char buf[2 * SP_ERR_MSG_MAX];
	const char *s, *c, *m;

	if (r == NULL || i >= sp_run_problem_kept(r))
		return NULL;
	sp_run_problem_get(r, i, &s, &c, &m);
	snprintf(buf, sizeof(buf), "%s: %s", s, m);
	return buf;
}

int
sp_run_end(struct sp_run *r, int exit_status, const char *state,
    struct sp_err *err)
{
	r->ended = 1;
	if (r->end == NULL)
		return SP_OK;
	return r->end(r, exit_status, state, r->end_arg, err);
}

void
sp_run_free(struct sp_run *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (!r->ended && r->end != NULL)
		sp_run_end(r, sp_err_exit_status(SP_E_INTERNAL), "failed", NULL);
	for (i = 0; i < r->nkept; i++)
		free(r->problems[i]);
	free(r->problems);
	free(r->tool);
	free(r->argv_json);
	free(r->inputs_json);
	pthread_mutex_destroy(&r->lock);
	free(r);
}
