/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Taking a snapshot: one walk over every allocated entry of every file
 * system, each regular file read once — its SHA-256, its first bytes to
 * tell an executable, its MD5 only when it is one (what dpkg's md5sums
 * are checked with), and its whole content only when it is a
 * configuration file the snapshot parses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/hash.h"
#include "spoor/strbuf.h"
#include "baseline/baseline-internal.h"

/* Configuration files bigger than this are hashed but not parsed. */
#define CONFIG_MAX (16u << 20)

struct take {
	struct sp_baseline *b;
	struct sp_evidence *ev;
	struct sp_run *run;
	unsigned flags;
	int nomem;
	/* the file being read */
	struct sp_hash *sha, *md5;
	int first, exec, config;
	struct sp_strbuf content;
};

/* What the first bytes say: SP_BL_EXEC_ELF, SP_BL_EXEC_SCRIPT or 0. */
static int
exec_magic(const unsigned char *p, size_t n)
{
	if (n >= 4 && memcmp(p, "\177ELF", 4) == 0)
		return SP_BL_EXEC_ELF;
	if (n >= 2 && p[0] == '#' && p[1] == '!')
		return SP_BL_EXEC_SCRIPT;
	return 0;
}

static int
on_data(const void *buf, size_t len, void *arg)
{
	struct take *t = arg;

	if (t->first) {
		t->first = 0;
		t->exec |= exec_magic(buf, len);
		if ((t->exec || (t->flags & SP_BASELINE_ALL_MD5)) &&
		    sp_hash_new(&t->md5, SP_HASH_MD5, NULL)
		    != SP_OK)
			return SP_E_NOMEM;
	}
	sp_hash_update(t->sha, buf, len);
	if (t->md5 != NULL)
		sp_hash_update(t->md5, buf, len);
	if (t->config && t->content.len + len <= CONFIG_MAX)
		sp_strbuf_addn(&t->content, buf, len);
	return SP_CB_CONTINUE;
}

/* Read e: f's digests and exec flag, and its items when it is config. */
static int
read_file(struct take *t, const struct sp_entry *e, struct sp_bl_file *f,
    char sha[SP_HASH_HEX_MAX], char md5[SP_HASH_HEX_MAX])
{
	struct sp_err err;
	int rc;

	sp_err_init(&err);
	t->first = 1;
	t->exec = (e->mode & 0111) ? SP_BL_EXEC_MODE : 0;
	t->config = sp_bl_config_wanted(e->path);
	t->md5 = NULL;
	sp_strbuf_reset(&t->content);
	if (sp_hash_new(&t->sha, SP_HASH_SHA256, &err) != SP_OK)
		return err.code;
	rc = sp_evidence_read_entry(t->ev, e, on_data, t, &err);
	if (rc == SP_OK) {
		sp_hash_final(t->sha, NULL);
		snprintf(sha, SP_HASH_HEX_MAX, "%s",
		    sp_hash_hex(t->sha, SP_HASH_SHA256));
		f->sha256 = sha;
		if (t->md5 != NULL) {
			sp_hash_final(t->md5, NULL);
			snprintf(md5, SP_HASH_HEX_MAX, "%s",
			    sp_hash_hex(t->md5, SP_HASH_MD5));
			f->md5 = md5;
		}
		if (t->config && t->content.len <= CONFIG_MAX &&
		    sp_bl_config_parse(t->b, e->path,
		    t->content.buf ? t->content.buf : "", t->content.len,
		    t->run) != SP_OK)
			t->nomem = 1;
	} else if (rc == SP_E_INTERRUPTED || rc == SP_E_NOMEM) {
		sp_hash_free(t->sha);
		sp_hash_free(t->md5);
		return rc;
	} else
		sp_run_problem(t->run, e->path, rc, "read: %s", err.msg);
	f->exec = t->exec;
	sp_hash_free(t->sha);
	sp_hash_free(t->md5);
	return SP_OK;
}

static int
on_entry(const struct sp_entry *e, void *arg)
{
	struct take *t = arg;
	struct sp_bl_file f;
	char sha[SP_HASH_HEX_MAX], md5[SP_HASH_HEX_MAX];
	int rc;

	/* one row per name: NTFS's $FILE_NAME times and "." repeats are
	 * the same file again, and virtual entries are libtsk's own */
	if (e->flags & (SP_ENTRY_FILE_NAME | SP_ENTRY_DOT | SP_ENTRY_NO_META |
	    SP_ENTRY_DELETED) || e->meta_type == SP_TYPE_VIRT ||
	    e->meta_type == SP_TYPE_VDIR)
		return SP_CB_CONTINUE;
	memset(&f, 0, sizeof(f));
	f.fs = e->fs_index;
	f.path = e->path;
	f.type = e->meta_type;
	f.mode = e->mode;
	f.uid = e->uid;
	f.gid = e->gid;
	f.size = e->size;
	f.link = e->link;
	f.mtime = e->mtime;
	f.ctime = e->ctime;
	f.xattrs = e->xattrs;
	if (e->meta_type == SP_TYPE_REG)
		f.exec = (e->mode & 0111) ? SP_BL_EXEC_MODE : 0;
	if (sp_entry_has_content(e) && !(t->flags & SP_BASELINE_NO_HASH) &&
	    (rc = read_file(t, e, &f, sha, md5)) != SP_OK)
		return rc;
	if (sp_bl_add_file(t->b, &f) != SP_OK || t->nomem)
		return SP_E_NOMEM;
	return SP_CB_CONTINUE;
}

int
sp_baseline_take(struct sp_baseline **out, struct sp_evidence *ev,
    unsigned flags, struct sp_run *run, struct sp_err *err)
{
	struct take t;
	size_t i;
	int rc;

	*out = NULL;
	memset(&t, 0, sizeof(t));
	if ((rc = sp_bl_new(&t.b, err)) != SP_OK)
		return rc;
	if ((rc = sp_pkgsums_new(&t.b->pkgsums, err)) != SP_OK)
		goto fail;
	t.ev = ev;
	t.run = run;
	t.flags = flags;
	sp_strbuf_init(&t.content);
	for (i = 0; i < sp_evidence_fs_count(ev); i++) {
		rc = sp_evidence_walk(ev, (unsigned)i, NULL, SP_WALK_RECURSE |
		    SP_WALK_ALLOCATED | SP_WALK_XATTRS, on_entry, &t, err);
		if (rc == SP_E_NOMEM)
			sp_err_set(err, rc, 0, "snapshot");
		if (rc != SP_OK)
			goto fail;
	}
	if ((t.b->source = strdup(sp_evidence_path(ev))) == NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "snapshot");
		goto fail;
	}
	sp_bl_sort(t.b);
	sp_strbuf_release(&t.content);
	*out = t.b;
	return SP_OK;
fail:
	sp_strbuf_release(&t.content);
	sp_baseline_free(t.b);
	return rc;
}
