/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container's merged file system, as overlayfs mounts it: the rw layer
 * (upper) over the image layers (lower, top first), every layer a
 * directory read through the evidence that holds it (a directory, or a
 * file system of an image read by libtsk).  A name is taken from the
 * topmost layer that has it; a whiteout hides it below (a character
 * device 0/0, or Docker's legacy ".wh.NAME"); an opaque directory hides
 * the lower layers' content of that directory ("trusted.overlay.opaque"
 * set to "y", read on directory evidence, or a ".wh..wh..opq" in it).  A
 * lower directory merges only under directories: a file above ends it.
 * Paths are those the container sees.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spoor/container.h"
#include "spoor/log.h"
#include "spoor/signal.h"
#include "evidence/evidence-internal.h"
#include "base/util.h"

#define MAX_DEPTH 256
#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

struct sp_overlay;
static void sp_overlay_free(struct sp_overlay *ov);

struct sp_overlay {
	struct sp_evidence *base;	/* borrowed */
	unsigned fs;
	char *layer[SP_CONTAINER_LAYERS_MAX + 1];	/* [0] upper */
	size_t nlayers;
};

struct item {
	char *name;
	int rank;
	int whiteout;
	struct sp_entry e;	/* path and name unset; link owned */
	char *link;
};

struct items {
	struct item *v;
	size_t n;
	int opaque;
	int rank;
	int dir_base;
	struct sp_overlay *ov;
	const char *dir;	/* base path of the listed directory */
	int err;
};

static void
items_free(struct items *it)
{
	size_t i;

	for (i = 0; i < it->n; i++) {
		free(it->v[i].name);
		free(it->v[i].link);
	}
	free(it->v);
	it->v = NULL;
	it->n = 0;
}

/* Is e a whiteout device?  Only directory evidence tells the device. */
static int
whiteout_dev(struct items *it, const struct sp_entry *e)
{
	char path[8192];
	unsigned maj, min;

	if (e->meta_type != SP_TYPE_CHR)
		return 0;
	if (!it->dir_base)
		return 1;	/* libtsk does not say; a layer has no devices */
	snprintf(path, sizeof(path), "%s/%s", it->dir, e->name);
	if (sp_dir_special(sp_evidence_path(it->ov->base), path, &maj, &min,
	    NULL) != SP_OK)
		return 1;
	return maj == 0 && min == 0;
}

static int
list_cb(const struct sp_entry *e, void *arg)
{
	struct items *it = arg;
	struct item *t;
	const char *name = e->name;
	int wh = 0;

	if (strcmp(name, WH_OPAQUE) == 0) {
		it->opaque = 1;
		return SP_CB_CONTINUE;
	}
	if (strncmp(name, WH_PREFIX, 4) == 0 && name[4] != '\0') {
		name += 4;
		wh = 1;
	} else if (whiteout_dev(it, e))
		wh = 1;
	if (it->n >= (1u << 22))
		return SP_E_DATA;
	if (sp_array_grow_count((void **)&it->v, it->n, sizeof(*it->v)) !=
	    SP_OK)
		return SP_E_NOMEM;
	t = &it->v[it->n];
	memset(t, 0, sizeof(*t));
	if ((t->name = strdup(name)) == NULL ||
	    (e->link != NULL && (t->link = strdup(e->link)) == NULL)) {
		free(t->name);
		return SP_E_NOMEM;
	}
	t->rank = it->rank;
	t->whiteout = wh;
	t->e = *e;
	/* kept past the walk: its directory is closed by then */
	t->e.flags &= ~(unsigned)SP_ENTRY_DIR_FD;
	t->e.dir_fd = -1;
	t->e.path = t->e.name = NULL;
	t->e.link = NULL;
	it->n++;
	return SP_CB_CONTINUE;
}

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : x->rank - y->rank;
}

/*
 * The items of directory dir (a container path, "" for the root) in the
 * layers ranks[0..n), sorted by name then rank.
 */
static int
merge_dir(struct sp_overlay *ov, const char *dir, const int *ranks, size_t n,
    struct items *it, struct sp_err *err)
{
	char path[8192];
	size_t i;
	int rc;

	memset(it, 0, sizeof(*it));
	it->ov = ov;
	it->dir_base = sp_evidence_kind(ov->base) == SP_EVIDENCE_DIR;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s%s", ov->layer[ranks[i]], dir);
		it->rank = ranks[i];
		it->opaque = 0;
		it->dir = path;
		rc = sp_evidence_walk(ov->base, ov->fs, path, SP_WALK_ALLOCATED,
		    list_cb, it, NULL);
		if (rc == SP_E_NOMEM || rc == SP_E_INTERRUPTED) {
			items_free(it);
			return sp_err_set(err, rc, 0, "'%s'", dir);
		}
		if (!it->opaque && it->dir_base) {
			int op = 0;
			if (sp_dir_special(sp_evidence_path(ov->base), path,
			    NULL, NULL, &op) == SP_OK && op)
				it->opaque = 1;
		}
		if (it->opaque)
			break;
	}
	if (it->n > 1)
		qsort(it->v, it->n, sizeof(*it->v), item_cmp);
	return SP_OK;
}

/*
 * The layers below the winner of the group it->v[first..end) through
 * which a directory goes on: from the winner down while each is a
 * directory.
 */
static size_t
child_ranks(const struct items *it, size_t first, size_t end, int *ranks)
{
	size_t i, n = 0;

	for (i = first; i < end; i++) {
		if (it->v[i].whiteout || it->v[i].e.meta_type != SP_TYPE_DIR)
			break;
		ranks[n++] = it->v[i].rank;
	}
	return n;
}

static size_t
group_end(const struct items *it, size_t i)
{
	size_t j = i + 1;

	while (j < it->n && strcmp(it->v[j].name, it->v[i].name) == 0)
		j++;
	return j;
}

struct owalk {
	struct sp_overlay *ov;
	unsigned flags;
	const struct sp_cancel *cancel;
	sp_entry_fn *fn;
	void *arg;
	int stop;
	struct sp_err *err;
};

static int
emit(struct owalk *w, const char *dir, struct item *t)
{
	struct sp_entry e = t->e;
	char path[8192];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, t->name);
	e.path = path;
	e.name = t->name;
	e.link = t->link;
	e.fs_index = 0;
	e.flags &= ~(unsigned)(SP_ENTRY_DELETED | SP_ENTRY_REALLOC);
	rc = w->fn(&e, w->arg);
	if (rc != SP_CB_CONTINUE)
		w->stop = rc;
	return rc;
}

static void
walk_dir(struct owalk *w, const char *dir, const int *ranks, size_t n,
    int depth)
{
	struct items it;
	int sub[SP_CONTAINER_LAYERS_MAX + 1];
	char path[8192];
	size_t i, end, ns;
	int rc;

	if ((rc = merge_dir(w->ov, dir, ranks, n, &it, NULL)) != SP_OK) {
		w->stop = rc;
		return;
	}
	for (i = 0; i < it.n && !w->stop; i = end) {
		end = group_end(&it, i);
		if (it.v[i].whiteout)
			continue;
		if (sp_cancel_requested(w->cancel)) {
			w->stop = SP_E_INTERRUPTED;
			break;
		}
		if ((w->flags & SP_WALK_ALLOCATED) && emit(w, dir, &it.v[i]) !=
		    SP_CB_CONTINUE)
			break;
		if (!(w->flags & SP_WALK_RECURSE) ||
		    it.v[i].e.meta_type != SP_TYPE_DIR)
			continue;
		if (depth >= MAX_DEPTH) {
			sp_run_problem(sp_evidence_run(w->ov->base), dir,
			    SP_E_CORRUPT, "directory nesting too deep");
			continue;
		}
		ns = child_ranks(&it, i, end, sub);
		snprintf(path, sizeof(path), "%s/%s", dir, it.v[i].name);
		walk_dir(w, path, sub, ns, depth + 1);
	}
	items_free(&it);
}

/*
 * Resolve path (a container path) from layer first down: the winning
 * item in *out (its name and link owned by the caller: free them) and,
 * for a directory, the layers it spans in ranks and *nranks.
 */
static int
resolve(struct sp_overlay *ov, int first, const char *path, struct item *out,
    int *ranks, size_t *nranks, struct sp_err *err)
{
	char buf[8192], dir[8192] = "", *p, *save = NULL, *next;
	struct items it;
	size_t n = 0, i, end;
	int rc;

	for (i = (size_t)first; i < ov->nlayers; i++)
		ranks[n++] = (int)i;
	snprintf(buf, sizeof(buf), "%s", path);
	p = strtok_r(buf, "/", &save);
	if (p == NULL) {
		/* the root */
		memset(out, 0, sizeof(*out));
		out->e.meta_type = out->e.name_type = SP_TYPE_DIR;
		*nranks = n;
		return n > 0 ? SP_OK : sp_err_set(err, SP_E_NOTFOUND, 0,
		    "'%s'", path);
	}
	for (; p != NULL; p = next) {
		next = strtok_r(NULL, "/", &save);
		if (strcmp(p, "..") == 0 || strcmp(p, ".") == 0)
			return sp_err_set(err, SP_E_USAGE, 0, "'%s': '%s' not "
			    "allowed", path, p);
		if ((rc = merge_dir(ov, dir, ranks, n, &it, err)) != SP_OK)
			return rc;
		for (i = 0; i < it.n; i = group_end(&it, i))
			if (strcmp(it.v[i].name, p) == 0)
				break;
		if (i >= it.n || it.v[i].whiteout) {
			items_free(&it);
			return sp_err_set(err, SP_E_NOTFOUND, 0, "'%s': no such "
			    "file ('%s' missing)", path, p);
		}
		end = group_end(&it, i);
		if (next == NULL) {
			*out = it.v[i];
			it.v[i].name = it.v[i].link = NULL;
			*nranks = child_ranks(&it, i, end, ranks);
			items_free(&it);
			return SP_OK;
		}
		if (it.v[i].e.meta_type != SP_TYPE_DIR) {
			items_free(&it);
			return sp_err_set(err, SP_E_NOTFOUND, 0, "'%s': '%s' is "
			    "not a directory", path, p);
		}
		n = child_ranks(&it, i, end, ranks);
		items_free(&it);
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/%s",
		    p);
	}
	return sp_err_set(err, SP_E_NOTFOUND, 0, "'%s'", path);
}

static int
sp_overlay_walk(struct sp_overlay *ov, const char *start, unsigned flags,
    const struct sp_cancel *cancel, sp_entry_fn *fn, void *arg,
    struct sp_err *err)
{
	struct owalk w = { ov, flags, cancel, fn, arg, 0, err };
	int ranks[SP_CONTAINER_LAYERS_MAX + 1];
	char dir[8192];
	struct item t;
	size_t n;
	int rc;

	if ((rc = resolve(ov, 0, start ? start : "/", &t, ranks, &n, err)) !=
	    SP_OK)
		return rc;
	snprintf(dir, sizeof(dir), "%s", start ? start : "");
	while (strlen(dir) > 0 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = '\0';
	if (dir[0] != '\0' && dir[0] != '/') {
		char tmp[8192];
		snprintf(tmp, sizeof(tmp), "/%s", dir);
		snprintf(dir, sizeof(dir), "%s", tmp);
	}
	if (t.e.meta_type != SP_TYPE_DIR && t.name != NULL) {
		/* a single file: list just it */
		char *slash = strrchr(dir, '/');
		if (slash != NULL)
			*slash = '\0';
		if (flags & SP_WALK_ALLOCATED)
			emit(&w, dir, &t);
	} else
		walk_dir(&w, dir, ranks, n, 0);
	free(t.name);
	free(t.link);
	return sp_err_callback(err, w.stop, "walk");
}

static int
sp_overlay_read_file(struct sp_overlay *ov, const char *path,
    sp_data_fn *fn, void *arg, struct sp_err *err)
{
	int ranks[SP_CONTAINER_LAYERS_MAX + 1];
	char full[8192];
	struct item t;
	size_t n;
	int rc, type;

	if ((rc = resolve(ov, 0, path, &t, ranks, &n, err)) != SP_OK)
		return rc;
	type = t.e.meta_type;
	free(t.name);
	free(t.link);
	if (type != SP_TYPE_REG)
		return sp_err_set(err, SP_E_USAGE, 0, "'%s': not a regular "
		    "file", path);
	snprintf(full, sizeof(full), "%s%s%s", ov->layer[t.rank],
	    path[0] == '/' ? "" : "/", path);
	return sp_evidence_read_file(ov->base, ov->fs, full, fn, arg, err);
}

static int
sp_overlay_new(struct sp_overlay **ovp, struct sp_evidence *base,
    const struct sp_container *c, struct sp_err *err)
{
	struct sp_overlay *ov;
	size_t i;

	if ((ov = calloc(1, sizeof(*ov))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "overlay");
	ov->base = base;
	ov->fs = c->fs;
	if (c->upper == NULL) {
		free(ov);
		return sp_err_set(err, SP_E_DATA, 0, "container %.12s: %s",
		    c->id, c->problem ? c->problem : "no rw layer");
	}
	if ((ov->layer[0] = strdup(c->upper)) == NULL)
		goto nomem;
	ov->nlayers = 1;
	for (i = 0; i < c->nlayers; i++) {
		if ((ov->layer[ov->nlayers] = strdup(c->layers[i])) == NULL)
			goto nomem;
		ov->nlayers++;
	}
	*ovp = ov;
	return SP_OK;
nomem:
	sp_overlay_free(ov);
	return sp_err_set(err, SP_E_NOMEM, 0, "overlay");
}

static void
sp_overlay_free(struct sp_overlay *ov)
{
	size_t i;

	if (ov == NULL)
		return;
	for (i = 0; i < ov->nlayers; i++)
		free(ov->layer[i]);
	free(ov);
}

/* ---- drift ---- */

struct upper {
	struct item *v;
	size_t n;
	size_t prefix;
	struct sp_overlay *ov;
	int dir_base;
};

static int
upper_cb(const struct sp_entry *e, void *arg)
{
	struct upper *u = arg;
	struct item *t;
	char path[8192];
	int wh = 0;

	if (strlen(e->path) <= u->prefix || strcmp(e->name, WH_OPAQUE) == 0)
		return SP_CB_CONTINUE;
	snprintf(path, sizeof(path), "%s", e->path + u->prefix);
	if (strncmp(e->name, WH_PREFIX, 4) == 0 && e->name[4] != '\0') {
		/* ".wh.NAME" deletes NAME beside it */
		char *slash = strrchr(path, '/');
		memmove(slash + 1, slash + 5, strlen(slash + 5) + 1);
		wh = 1;
	} else if (e->meta_type == SP_TYPE_CHR) {
		unsigned maj = 0, min = 0;
		wh = !u->dir_base || sp_dir_special(sp_evidence_path(
		    u->ov->base), e->path, &maj, &min, NULL) != SP_OK ||
		    (maj == 0 && min == 0);
	}
	if (u->n >= (1u << 22))
		return SP_E_DATA;
	if (sp_array_grow_count((void **)&u->v, u->n, sizeof(*u->v)) != SP_OK)
		return SP_E_NOMEM;
	t = &u->v[u->n];
	memset(t, 0, sizeof(*t));
	if ((t->name = strdup(path)) == NULL ||
	    (e->link != NULL && (t->link = strdup(e->link)) == NULL)) {
		free(t->name);
		return SP_E_NOMEM;
	}
	t->whiteout = wh;
	t->e = *e;
	/* kept past the walk: its directory is closed by then */
	t->e.flags &= ~(unsigned)SP_ENTRY_DIR_FD;
	t->e.dir_fd = -1;
	t->e.path = t->e.name = t->e.link = NULL;
	u->n++;
	return SP_CB_CONTINUE;
}

struct magic {
	unsigned char b[4];
	size_t n;
};

static int
magic_cb(const void *buf, size_t len, void *arg)
{
	struct magic *m = arg;
	size_t k = len < 4 - m->n ? len : 4 - m->n;

	memcpy(m->b + m->n, buf, k);
	m->n += k;
	return m->n >= 4 ? SP_CB_STOP : SP_CB_CONTINUE;
}

static int
executable(struct sp_overlay *ov, const char *base_path,
    const struct sp_entry *e)
{
	struct magic m = { { 0 }, 0 };

	if (e->meta_type != SP_TYPE_REG)
		return 0;
	if (e->mode & 0111)
		return 1;
	if (sp_evidence_read_file(ov->base, ov->fs, base_path, magic_cb, &m,
	    NULL) != SP_OK)
		return 0;
	return (m.n >= 4 && memcmp(m.b, "\177ELF", 4) == 0) ||
	    (m.n >= 2 && m.b[0] == '#' && m.b[1] == '!');
}

static int
sp_overlay_drift(struct sp_overlay *ov, const struct sp_cancel *cancel,
    int (*fn)(const struct sp_drift *d, void *arg), void *arg,
    struct sp_err *err)
{
	struct upper u;
	int ranks[SP_CONTAINER_LAYERS_MAX + 1];
	char full[8192];
	size_t i, n;
	int rc = SP_OK;

	memset(&u, 0, sizeof(u));
	u.ov = ov;
	u.prefix = strlen(ov->layer[0]);
	u.dir_base = sp_evidence_kind(ov->base) == SP_EVIDENCE_DIR;
	rc = sp_evidence_walk(ov->base, ov->fs, ov->layer[0],
	    SP_WALK_RECURSE | SP_WALK_ALLOCATED, upper_cb, &u, err);
	if (rc != SP_OK)
		goto out;
	/* the walk's order is the base's: name order for the listing */
	if (u.n > 1)
		qsort(u.v, u.n, sizeof(*u.v), item_cmp);
	for (i = 0; i < u.n && rc == SP_OK; i++) {
		struct item *t = &u.v[i], low;
		struct sp_drift d;
		struct sp_entry e = t->e;
		int in_lower;

		if (sp_cancel_requested(cancel)) {
			rc = sp_err_set(err, SP_E_INTERRUPTED, 0, "drift");
			break;
		}
		memset(&low, 0, sizeof(low));
		in_lower = ov->nlayers > 1 && resolve(ov, 1, t->name, &low,
		    ranks, &n, NULL) == SP_OK;
		free(low.name);
		free(low.link);
		memset(&d, 0, sizeof(d));
		d.path = t->name;
		if (t->whiteout) {
			d.change = 'D';
			if (!in_lower)
				continue;	/* hides nothing */
		} else {
			e.path = t->name;
			e.name = strrchr(t->name, '/') + 1;
			e.link = t->link;
			d.entry = &e;
			d.change = in_lower ? 'C' : 'A';
			snprintf(full, sizeof(full), "%s%s", ov->layer[0],
			    t->name);
			d.executable = executable(ov, full, &e);
		}
		rc = fn(&d, arg);
		if (rc == SP_CB_STOP) {
			rc = SP_OK;
			break;
		}
		if (rc != SP_CB_CONTINUE)
			rc = sp_err_callback(err, rc, "drift");
	}
out:
	for (i = 0; i < u.n; i++) {
		free(u.v[i].name);
		free(u.v[i].link);
	}
	free(u.v);
	return rc;
}

/* ---- EVIDENCE@container=ID as evidence ---- */

#define CONTAINER_SEP "@container="

struct cview {
	struct sp_evidence *base;
	struct sp_container *list;	/* all of base's containers */
	size_t n;
	const struct sp_container *c;	/* the one shown */
	struct sp_overlay *ov;
};

static int
view_walk(void *v, const char *start, unsigned flags,
    const struct sp_cancel *cancel, sp_entry_fn *fn, void *arg,
    struct sp_err *err)
{
	return sp_overlay_walk(((struct cview *)v)->ov, start, flags, cancel,
	    fn, arg, err);
}

static int
view_read_file(void *v, const char *path, sp_data_fn *fn, void *arg,
    struct sp_err *err)
{
	return sp_overlay_read_file(((struct cview *)v)->ov, path, fn, arg,
	    err);
}

static int
view_record_inputs(void *v, struct sp_run *run, struct sp_err *err)
{
	return sp_evidence_record_inputs(((struct cview *)v)->base, run, err);
}

static void
view_set_cancel(void *v, const struct sp_cancel *cancel)
{
	sp_evidence_set_cancel(((struct cview *)v)->base, cancel);
}

static uint64_t
view_problem_count(void *v)
{
	return sp_evidence_problem_count(((struct cview *)v)->base);
}

static void
view_close(void *v)
{
	struct cview *cv = v;

	if (cv == NULL)
		return;
	sp_overlay_free(cv->ov);
	sp_container_list_free(cv->list, cv->n);
	sp_evidence_close(cv->base);
	free(cv);
}

static const struct sp_evidence_view_ops container_ops = {
	view_walk, view_read_file, view_record_inputs, view_set_cancel,
	view_problem_count, view_close
};

/*
 * "BASE@container=SEL": open BASE, find its containers, take the one SEL
 * names and show its merged file system as directory-like evidence with
 * one file system ("overlay", labelled with the container's name).
 */
static int
container_open(struct sp_evidence **evp, const char *path, const char *at,
    struct sp_run *run, struct sp_err *err)
{
	const char *sel = at + strlen(CONTAINER_SEP);
	struct sp_fs_info fs;
	struct cview *cv;
	char *base_path;
	size_t idx;
	int rc;

	*evp = NULL;
	if (*sel == '\0')
		return sp_err_set(err, SP_E_USAGE, 0, "no container after '%s'",
		    CONTAINER_SEP);
	if ((cv = calloc(1, sizeof(*cv))) == NULL ||
	    (base_path = strndup(path, (size_t)(at - path))) == NULL) {
		free(cv);
		return sp_err_set(err, SP_E_NOMEM, 0, "'%s'", path);
	}
	rc = sp_evidence_open_plain(&cv->base, base_path, run, err);
	if (rc != SP_OK)
		sp_err_prefix(err, "'%s'", base_path);
	free(base_path);
	if (rc != SP_OK)
		goto fail;
	if ((rc = sp_container_list(cv->base, &cv->list, &cv->n, err)) !=
	    SP_OK || (rc = sp_container_select(cv->list, cv->n, sel, &idx,
	    err)) != SP_OK)
		goto fail;
	cv->c = &cv->list[idx];
	if (cv->c->problem != NULL) {
		sp_run_problem(run, path, SP_E_CORRUPT, "container %.12s: %s",
		    cv->c->id, cv->c->problem);
		sp_evidence_add_problem(cv->base);
		sp_log(SP_LOG_WARN, "'%s': container %.12s: %s", path,
		    cv->c->id, cv->c->problem);
	}
	if ((rc = sp_overlay_new(&cv->ov, cv->base, cv->c, err)) != SP_OK)
		goto fail;
	memset(&fs, 0, sizeof(fs));
	fs.volume = -1;
	fs.type = "overlay";
	fs.label = cv->c->name;
	fs.id = cv->c->id;
	fs.last_written = SP_TIME_NONE;
	if ((rc = sp_evidence_view_new(evp, path, &container_ops, cv, &fs,
	    run, err)) != SP_OK)
		goto fail;
	return SP_OK;
fail:
	view_close(cv);
	return rc;
}

/* The last "@container=" of path when path names no file, else NULL. */
static const char *
view_sep(const char *path)
{
	struct stat st;
	const char *at, *next;

	/* a name that is there is opened as it is, whatever it says */
	if (stat(path, &st) == 0 || (at = strstr(path, CONTAINER_SEP)) == NULL)
		return NULL;
	while ((next = strstr(at + 1, CONTAINER_SEP)) != NULL)
		at = next;
	return at;
}

int
sp_container_view_path(const char *path)
{
	return view_sep(path) != NULL;
}

int
sp_evidence_open(struct sp_evidence **evp, const char *path,
    struct sp_run *run, struct sp_err *err)
{
	const char *at = view_sep(path);

	if (at != NULL)
		return container_open(evp, path, at, run, err);
	return sp_evidence_open_plain(evp, path, run, err);
}

const struct sp_container *
sp_evidence_container(const struct sp_evidence *ev)
{
	const struct cview *cv = sp_evidence_view(ev, &container_ops);

	return cv != NULL ? cv->c : NULL;
}

/*
 * What the engine or the runtime adds to the rw layer as it creates or
 * starts a container: mount points of /proc, /sys, /dev, /run and of the
 * files it bind-mounts (the list podman diff leaves out; Docker keeps
 * them in its init layer).  Empty (or /etc/mtab's link into /proc),
 * they are no drift; with content they are.
 */
static const char *const runtime_inodes[] = {
	"/dev", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf",
	"/etc/mtab", "/proc", "/run", "/run/notify", "/run/.containerenv",
	"/run/secrets", "/sys", NULL
};

struct drift_filter {
	int (*fn)(const struct sp_drift *d, void *arg);
	void *arg;
};

static int
drift_filter_cb(const struct sp_drift *d, void *arg)
{
	struct drift_filter *df = arg;
	const struct sp_entry *e = d->entry;
	size_t i;

	if (d->change == 'A' && e != NULL && (e->meta_type == SP_TYPE_DIR ||
	    (e->meta_type == SP_TYPE_REG && e->size == 0) ||
	    (e->meta_type == SP_TYPE_LNK && e->link != NULL &&
	    strncmp(e->link, "/proc/", 6) == 0)))
		for (i = 0; runtime_inodes[i] != NULL; i++)
			if (strcmp(d->path, runtime_inodes[i]) == 0)
				return SP_CB_CONTINUE;
	return df->fn(d, df->arg);
}

int
sp_container_drift(struct sp_evidence *ev,
    int (*fn)(const struct sp_drift *d, void *arg), void *arg,
    struct sp_err *err)
{
	struct cview *cv = sp_evidence_view(ev, &container_ops);
	struct drift_filter df = { fn, arg };

	if (cv == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "'%s' is no container "
		    "(EVIDENCE%sID)", sp_evidence_path(ev), CONTAINER_SEP);
	return sp_overlay_drift(cv->ov, NULL, drift_filter_cb, &df, err);
}
