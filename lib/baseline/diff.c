/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Drift: a baseline against a new snapshot, both sorted by the same key,
 * merged in one pass.  A file's differences are grouped into AIDE's
 * change classes; what an intruder leaves (an executable no package
 * vouches for, a setuid bit, a unit, a cron line, a sudoers rule, a key)
 * is marked important, with the reason a detection will carry.
 */
#include <string.h>

#include "baseline/baseline-internal.h"

static const char *const status_names[] = { "added", "removed", "changed" };

const char *
sp_bl_status_name(enum sp_bl_status s)
{
	return (unsigned)s < 3 ? status_names[s] : "?";
}

static int
str_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL) != (b == NULL);
	return strcmp(a, b) != 0;
}

static unsigned
classes_of(const struct sp_bl_file *o, const struct sp_bl_file *n)
{
	unsigned c = 0;

	if (o->type != n->type)
		c |= SP_BL_TYPE;
	if (o->size != n->size)
		c |= SP_BL_SIZE;
	if (o->mode != n->mode)
		c |= SP_BL_PERM;
	if (o->uid != n->uid || o->gid != n->gid)
		c |= SP_BL_OWNER;
	/* content only where both were read: a type change says the rest */
	if (o->sha256 != NULL && n->sha256 != NULL &&
	    strcmp(o->sha256, n->sha256) != 0)
		c |= SP_BL_CONTENT;
	if (str_differ(o->link, n->link))
		c |= SP_BL_LINK;
	if ((o->mtime != SP_TIME_NONE && n->mtime != SP_TIME_NONE &&
	    o->mtime != n->mtime) || (o->ctime != SP_TIME_NONE &&
	    n->ctime != SP_TIME_NONE && o->ctime != n->ctime))
		c |= SP_BL_TIMES;
	/* unknown on either side (an image) is no difference */
	if (o->xattrs != NULL && n->xattrs != NULL &&
	    strcmp(o->xattrs, n->xattrs) != 0)
		c |= SP_BL_XATTRS;
	return c;
}

/* Whether dpkg vouches for f's content in snapshot s. */
static int
packaged(const struct sp_baseline *s, const struct sp_bl_file *f)
{
	if (s->pkgsums == NULL || f->md5 == NULL || f->fs != 0)
		return 0;
	return sp_pkgsums_verify(s->pkgsums, f->path, f->md5, NULL) ==
	    SP_PKGSUMS_VERIFIED;
}

/* Mark a file's change important when it is what an intruder leaves. */
static void
judge_file(const struct sp_baseline *s, struct sp_bl_change *c)
{
	const struct sp_bl_file *n = c->new, *o = c->old;
	uint32_t gained;

	if (n == NULL || n->type != SP_TYPE_REG)
		return;
	gained = n->mode & 06000 & ~(o ? o->mode : 0);
	if (gained) {
		c->important = 1;
		c->reason = gained & 04000 ? "new setuid file" :
		    "new setgid file";
		return;
	}
	if (!n->exec || packaged(s, n))
		return;
	if (c->status == SP_BL_ADDED) {
		c->important = 1;
		c->reason = "new executable not from a package";
	} else if (c->classes & (SP_BL_CONTENT | SP_BL_TYPE | SP_BL_PERM) &&
	    (!o->exec || (c->classes & (SP_BL_CONTENT | SP_BL_TYPE)))) {
		c->important = 1;
		c->reason = o->exec ? "changed executable not from a package" :
		    "file made executable";
	}
}

static void
judge_item(struct sp_bl_change *c)
{
	int added = c->status == SP_BL_ADDED;

	switch (c->item_kind) {
	case SP_BL_UNIT:
	case SP_BL_TIMER:
		if (c->status != SP_BL_REMOVED)
			c->reason = added ? (c->item_kind == SP_BL_UNIT ?
			    "new systemd unit" : "new systemd timer") :
			    (c->item_kind == SP_BL_UNIT ?
			    "changed systemd unit" : "changed systemd timer");
		break;
	case SP_BL_CRON:
		if (added)
			c->reason = "new cron entry";
		break;
	case SP_BL_SUDOERS:
		c->reason = added ? "new sudoers rule" : "sudoers rule removed";
		break;
	case SP_BL_KEY:
		if (added)
			c->reason = "new authorized key";
		break;
	case SP_BL_PRELOAD:
		if (added)
			c->reason = "new ld.so.preload entry";
		break;
	case SP_BL_LISTEN:
		if (added)
			c->reason = "new listening service";
		break;
	default:
		break;
	}
	c->important = c->reason != NULL;
}

static int
emit(struct sp_bl_change *c, sp_bl_change_fn *fn, void *arg,
    struct sp_bl_diff_counts *k, struct sp_err *err)
{
	int r;

	if (c->status == SP_BL_ADDED)
		k->added++;
	else if (c->status == SP_BL_REMOVED)
		k->removed++;
	else
		k->changed++;
	k->important += c->important != 0;
	r = fn(c, arg);
	if (r == SP_CB_STOP)
		return SP_CB_STOP;
	return sp_err_callback(err, r, "difference");
}

static int
diff_files(const struct sp_baseline *o, const struct sp_baseline *n,
    const struct sp_bl_rules *ignore, sp_bl_change_fn *fn, void *arg,
    struct sp_bl_diff_counts *k, struct sp_err *err)
{
	size_t i = 0, j = 0;
	struct sp_bl_change c;
	unsigned ign;
	int cmp, rc;

	while (i < o->nfiles || j < n->nfiles) {
		memset(&c, 0, sizeof(c));
		c.item_kind = -1;
		if (i == o->nfiles)
			cmp = 1;
		else if (j == n->nfiles)
			cmp = -1;
		else
			cmp = sp_bl_file_cmp(&o->files[i], &n->files[j]);
		if (cmp < 0) {
			c.status = SP_BL_REMOVED;
			c.old = &o->files[i++];
		} else if (cmp > 0) {
			c.status = SP_BL_ADDED;
			c.new = &n->files[j++];
		} else {
			c.status = SP_BL_CHANGED;
			c.old = &o->files[i++];
			c.new = &n->files[j++];
			if ((c.classes = classes_of(c.old, c.new)) == 0)
				continue;
		}
		ign = sp_bl_rules_ignored(ignore, (c.new ? c.new : c.old)->path);
		if (ign == SP_BL_ALL || (c.status == SP_BL_CHANGED &&
		    (c.classes & ~ign) == 0)) {
			k->ignored++;
			continue;
		}
		c.classes &= ~ign;
		judge_file(n, &c);
		if ((rc = emit(&c, fn, arg, k, err)) != SP_OK)
			return rc;
	}
	return SP_OK;
}

static int
diff_items(const struct sp_baseline *o, const struct sp_baseline *n,
    sp_bl_change_fn *fn, void *arg, struct sp_bl_diff_counts *k,
    struct sp_err *err)
{
	size_t i = 0, j = 0;
	struct sp_bl_change c;
	const struct sp_bl_item *a, *b;
	int cmp, rc;

	while (i < o->nitems || j < n->nitems) {
		memset(&c, 0, sizeof(c));
		a = i < o->nitems ? &o->items[i] : NULL;
		b = j < n->nitems ? &n->items[j] : NULL;
		/* what a baseline of schema 1 did not record is no change */
		if (a != NULL && a->kind == SP_BL_LISTEN && n->schema < 2) {
			i++;
			continue;
		}
		if (b != NULL && b->kind == SP_BL_LISTEN && o->schema < 2) {
			j++;
			continue;
		}
		cmp = a == NULL ? 1 : b == NULL ? -1 : sp_bl_item_cmp(a, b);
		if (cmp < 0) {
			c.status = SP_BL_REMOVED;
			c.item_kind = (int)a->kind;
			c.key = a->key;
			c.old_value = a->value;
			i++;
		} else if (cmp > 0) {
			c.status = SP_BL_ADDED;
			c.item_kind = (int)b->kind;
			c.key = b->key;
			c.new_value = b->value;
			j++;
		} else {
			i++;
			j++;
			if (strcmp(a->value, b->value) == 0)
				continue;
			c.status = SP_BL_CHANGED;
			c.item_kind = (int)a->kind;
			c.key = a->key;
			c.old_value = a->value;
			c.new_value = b->value;
		}
		judge_item(&c);
		if ((rc = emit(&c, fn, arg, k, err)) != SP_OK)
			return rc;
	}
	return SP_OK;
}

int
sp_baseline_diff(const struct sp_baseline *old,
    const struct sp_baseline *new, const struct sp_bl_rules *ignore,
    sp_bl_change_fn *fn, void *arg, struct sp_bl_diff_counts *counts,
    struct sp_err *err)
{
	struct sp_bl_diff_counts k;
	int rc;

	memset(&k, 0, sizeof(k));
	rc = diff_files(old, new, ignore, fn, arg, &k, err);
	if (rc == SP_OK)
		rc = diff_items(old, new, fn, arg, &k, err);
	if (counts != NULL)
		*counts = k;
	return rc == SP_CB_STOP ? SP_OK : rc;
}
