/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the files of lib/baseline/ share: the snapshot in memory, files
 * sorted by file system and path, items by kind and key.
 */
#ifndef SPOOR_BASELINE_INTERNAL_H
#define SPOOR_BASELINE_INTERNAL_H

#include "spoor/baseline.h"
#include "spoor/hashset.h"

struct sp_baseline {
	struct sp_bl_file *files;
	size_t nfiles, fcap;
	struct sp_bl_item *items;
	size_t nitems, icap;
	struct sp_pkgsums *pkgsums;	/* the evidence's dpkg digests */
	char *source;
	sp_time_ns time;
	int schema;	/* of the file it was read from; a snapshot's is
			   SP_BASELINE_SCHEMA */
};

/* A new empty snapshot. */
int sp_bl_new(struct sp_baseline **b, struct sp_err *err);
/* Append copies of f and of an item; SP_E_NOMEM. */
int sp_bl_add_file(struct sp_baseline *b, const struct sp_bl_file *f);
int sp_bl_add_item(struct sp_baseline *b, enum sp_bl_item_kind kind,
    const char *key, size_t klen, const char *value, size_t vlen);
/* Sort files and items and drop duplicate items. */
void sp_bl_sort(struct sp_baseline *b);
/* Compare two files' keys (fs, path), and two items' (kind, key). */
int sp_bl_file_cmp(const struct sp_bl_file *a, const struct sp_bl_file *b);
int sp_bl_item_cmp(const struct sp_bl_item *a, const struct sp_bl_item *b);

/*
 * Parse one configuration file of the evidence at path (its content
 * buf, len bytes) into items, when path is one; 0 when it is none.
 */
int sp_bl_config_wanted(const char *path);
int sp_bl_config_parse(struct sp_baseline *b, const char *path,
    const char *buf, size_t len, struct sp_run *run);

#endif
