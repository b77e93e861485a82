/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-info: describe evidence — format, size, segments, E01 metadata and
 * stored hashes, volumes and file systems.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/container.h"
#include "spoor/evidence.h"
#include "spoor/json.h"
#include "spoor/memimage.h"
#include "spoor/output.h"
#include "common/tool.h"

enum { OPT_JSON = 256, OPT_MAX_MEMORY, OPT_HASH, OPT_CONTAINERS };

/* The SHA-256 of the evidence's files (--hash), whole and each. */
struct hashes {
	int done;
	char whole[SP_HASH_HEX_MAX];
	char (*seg)[SP_HASH_HEX_MAX];
	uint64_t *sizes;
};

static const char usage_text[] =
    "usage: spoor-info [-hV] [-c case] [--hash] [--json] [--containers]\n"
    "                  evidence ...\n";

/* A LiME memory image's ranges in address order, for its gaps. */
static int
cmp_start(const void *a, const void *b)
{
	const struct sp_mem_range *x = *(const struct sp_mem_range *const *)a;
	const struct sp_mem_range *y = *(const struct sp_mem_range *const *)b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static const struct sp_mem_range **
sorted_ranges(const struct sp_memimage *m)
{
	size_t i, n = sp_memimage_range_count(m);
	const struct sp_mem_range **r = calloc(n ? n : 1, sizeof(*r));

	if (r == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		r[i] = sp_memimage_range(m, i);
	qsort(r, n, sizeof(*r), cmp_start);
	return r;
}

/*
 * Whether addresses are missing before the i-th range in address order;
 * *far is then the last address of the ranges before it (which may
 * overlap, so it is the furthest end of all of them, not the previous).
 */
static int
gap_before(const struct sp_mem_range **r, size_t i, uint64_t *far)
{
	size_t j;

	*far = r[0]->end;
	for (j = 1; j < i; j++)
		if (r[j]->end > *far)
			*far = r[j]->end;
	return *far != UINT64_MAX && r[i]->start > *far + 1;
}

static void
print_memimage(const struct sp_memimage *m, int json)
{
	const struct sp_mem_range **r = sorted_ranges(m), *g;
	const struct sp_mem_problem *p;
	size_t i, n = sp_memimage_range_count(m);
	uint64_t far;
	struct sp_json w;

	if (json) {
		sp_json_init(&w, stdout);
		sp_json_object_begin(&w);
		sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
		sp_json_kv_str(&w, "path", sp_memimage_path(m));
		sp_json_kv_str(&w, "kind", sp_memimage_format(m));
		sp_json_kv_uint(&w, "size", sp_memimage_file_size(m));
		sp_json_key(&w, "ranges");
		sp_json_array_begin(&w);
		for (i = 0; i < n; i++) {
			g = sp_memimage_range(m, i);
			sp_json_object_begin(&w);
			sp_json_kv_uint(&w, "start", g->start);
			sp_json_kv_uint(&w, "end", g->end);
			sp_json_kv_uint(&w, "size", g->end - g->start + 1);
			sp_json_kv_uint(&w, "offset", g->offset);
			sp_json_object_end(&w);
		}
		sp_json_array_end(&w);
		sp_json_key(&w, "gaps");
		sp_json_array_begin(&w);
		for (i = 1; r != NULL && i < n; i++) {
			if (!gap_before(r, i, &far))
				continue;
			sp_json_object_begin(&w);
			sp_json_kv_uint(&w, "start", far + 1);
			sp_json_kv_uint(&w, "end", r[i]->start - 1);
			sp_json_kv_uint(&w, "size", r[i]->start - far - 1);
			sp_json_object_end(&w);
		}
		sp_json_array_end(&w);
		sp_json_key(&w, "problems");
		sp_json_array_begin(&w);
		for (i = 0; (p = sp_memimage_problem(m, i)) != NULL; i++) {
			sp_json_object_begin(&w);
			sp_json_kv_uint(&w, "offset", p->offset);
			sp_json_kv_str(&w, "message", p->message);
			sp_json_object_end(&w);
		}
		sp_json_array_end(&w);
		sp_json_kv_uint(&w, "problem_count",
		    sp_memimage_problem_count(m));
		sp_json_object_end(&w);
		sp_json_line_end(&w);
		free(r);
		return;
	}
	printf("evidence: ");
	sp_print_safe(stdout, sp_memimage_path(m));
	printf("\nformat: %s (memory image)\n", sp_memimage_format(m));
	printf("size: %" PRIu64 " bytes\n", sp_memimage_file_size(m));
	printf("ranges: %zu\n", n);
	printf("  %-18s %-18s %12s %12s\n", "start", "end", "size", "offset");
	for (i = 0; i < n; i++) {
		g = sp_memimage_range(m, i);
		printf("  0x%016" PRIx64 " 0x%016" PRIx64 " %12" PRIu64 " %12"
		    PRIu64 "\n", g->start, g->end, g->end - g->start + 1,
		    g->offset);
	}
	printf("gaps:\n");
	for (i = 1; r != NULL && i < n; i++)
		if (gap_before(r, i, &far))
			printf("  0x%016" PRIx64 " 0x%016" PRIx64 " %12" PRIu64
			    "\n", far + 1, r[i]->start - 1,
			    r[i]->start - far - 1);
	if (sp_memimage_problem_count(m) > 0) {
		printf("problems: %zu\n", sp_memimage_problem_count(m));
		for (i = 0; (p = sp_memimage_problem(m, i)) != NULL; i++)
			printf("  %s\n", p->message);
	}
	free(r);
}

static const struct option longopts[] = {
	{ "case", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "hash", no_argument, NULL, OPT_HASH },
	{ "containers", no_argument, NULL, OPT_CONTAINERS },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
help(void)
{
	printf("%s\n"
	    "Describe evidence: its format, size and segments, the case\n"
	    "metadata and hashes stored in an E01, its volumes and the file\n"
	    "systems in them; for a LiME memory image, its ranges of\n"
	    "physical memory and the gaps between them.\n\n"
	    "  -c, --case FILE     record the run in case FILE ($SPOOR_CASE)\n"
	    "      --hash          read the evidence's files whole for their\n"
	    "                      SHA-256, all together and each\n"
	    "      --json          one JSON record per evidence\n"
	    "      --containers    list the Docker and Podman containers stored\n"
	    "                      in the evidence (with --json: one record each)\n"
	    "      --max-memory SIZE\n"
	    "                      bound memory use ($SPOOR_MAX_MEMORY)\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show versions\n", usage_text);
}

static void
text_field(const char *label, const char *value)
{
	if (value == NULL)
		return;
	printf("  %-18s ", label);
	sp_print_safe(stdout, value);
	putchar('\n');
}

static void
print_hashes_text(const struct sp_evidence *ev, const struct hashes *h)
{
	size_t i, n = sp_evidence_segment_count(ev);

	if (!h->done)
		return;
	printf("sha256: %s\n", h->whole);
	for (i = 0; n > 1 && i < n; i++) {
		printf("  %s  ", h->seg[i]);
		sp_print_safe(stdout, sp_evidence_segment(ev, i));
		putchar('\n');
	}
}

static void
print_text(const struct sp_evidence *ev, const struct hashes *h)
{
	const struct sp_ewf_info *ewf = sp_evidence_ewf_info(ev);
	char t[SP_TIME_ISO_MAX];
	size_t i, n;

	printf("evidence: ");
	sp_print_safe(stdout, sp_evidence_path(ev));
	printf("\nformat: %s", sp_evidence_kind_name(sp_evidence_kind(ev)));
	if (ewf != NULL)
		printf(" (%s)", ewf->format);
	n = sp_evidence_segment_count(ev);
	if (n > 1)
		printf(", %zu segments", n);
	putchar('\n');
	if (sp_evidence_kind(ev) != SP_EVIDENCE_DIR)
		printf("size: %" PRIu64 " bytes, sector size %u\n",
		    sp_evidence_size(ev), sp_evidence_sector_size(ev));
	print_hashes_text(ev, h);
	if (ewf != NULL) {
		printf("e01:\n");
		text_field("case number", ewf->case_number);
		text_field("evidence number", ewf->evidence_number);
		text_field("examiner", ewf->examiner);
		text_field("description", ewf->description);
		text_field("notes", ewf->notes);
		text_field("acquiry date", ewf->acquiry_date);
		text_field("system date", ewf->system_date);
		text_field("acquiry os", ewf->acquiry_os);
		text_field("acquiry software", ewf->acquiry_software);
		text_field("compression", ewf->compression);
		printf("  %-18s %" PRIu64 "\n", "sectors per chunk",
		    ewf->sectors_per_chunk);
		printf("  %-18s %" PRIu64 "\n", "acquiry errors",
		    ewf->error_count);
		text_field("md5", ewf->md5);
		text_field("sha1", ewf->sha1);
	}
	if (sp_evidence_vs_type(ev) != NULL) {
		printf("volume system: %s\n", sp_evidence_vs_type(ev));
		printf("  %-5s %-8s %-12s %-12s %-12s %s\n", "", "slot",
		    "start", "end", "length", "description");
		for (i = 0; i < sp_evidence_volume_count(ev); i++) {
			const struct sp_volume *v = sp_evidence_volume(ev, i);
			printf("  %03u:  %-8s %012" PRIu64 " %012" PRIu64
			    " %012" PRIu64 " ", v->index, v->slot, v->start,
			    v->start + v->length - 1, v->length);
			sp_print_safe(stdout, v->description);
			putchar('\n');
		}
	}
	n = sp_evidence_fs_count(ev);
	printf("file systems: %zu\n", n);
	for (i = 0; i < n; i++) {
		const struct sp_fs_info *fs = sp_evidence_fs(ev, i);
		printf("  fs %u: %s", fs->index, fs->type);
		if (fs->volume >= 0)
			printf(" in volume %03u",
			    sp_evidence_volume(ev, (size_t)fs->volume)->index);
		if (sp_evidence_kind(ev) != SP_EVIDENCE_DIR)
			printf(" at offset %" PRIu64 " (sector %" PRIu64 ")",
			    fs->offset, fs->offset /
			    sp_evidence_sector_size(ev));
		putchar('\n');
		if (sp_evidence_kind(ev) == SP_EVIDENCE_DIR)
			continue;
		if (fs->label[0]) {
			printf("    label: ");
			sp_print_safe(stdout, fs->label);
			putchar('\n');
		}
		if (fs->id[0])
			printf("    id: %s\n", fs->id);
		printf("    block size: %u, blocks: %" PRIu64 "\n",
		    fs->block_size, fs->block_count);
		printf("    inodes: %" PRIu64 "-%" PRIu64 ", root %" PRIu64
		    "\n", fs->first_inode, fs->last_inode, fs->root_inode);
		if (fs->last_written != SP_TIME_NONE)
			printf("    last written: %s\n", sp_time_format_iso(
			    fs->last_written, 0, t, sizeof(t)));
	}
}

/* The problems of the run from first on: what was met opening ev. */
static void
print_problems_text(const struct sp_run *run, uint64_t first)
{
	uint64_t i, n = sp_run_problem_kept(run);

	if (n <= first)
		return;
	printf("problems: %" PRIu64 "\n", n - first);
	for (i = first; i < n; i++) {
		printf("  ");
		sp_print_safe(stdout, sp_run_problem_text(run, i));
		putchar('\n');
	}
}

static void
print_problems_json(struct sp_json *w, const struct sp_run *run,
    uint64_t first)
{
	const char *subject, *code, *message;
	uint64_t i, n = sp_run_problem_kept(run);

	sp_json_key(w, "problems");
	sp_json_array_begin(w);
	for (i = first; i < n; i++) {
		sp_run_problem_get(run, i, &subject, &code, &message);
		sp_json_object_begin(w);
		sp_json_kv_str(w, "subject", subject);
		sp_json_kv_str(w, "code", code);
		sp_json_kv_str(w, "message", message);
		sp_json_object_end(w);
	}
	sp_json_array_end(w);
}

static void
print_json(const struct sp_evidence *ev, const struct hashes *h,
    const struct sp_run *run,
    uint64_t first)
{
	const struct sp_ewf_info *ewf = sp_evidence_ewf_info(ev);
	struct sp_json w;
	size_t i;

	sp_json_init(&w, stdout);
	sp_json_object_begin(&w);
	sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(&w, "path", sp_evidence_path(ev));
	sp_json_kv_str(&w, "kind", sp_evidence_kind_name(sp_evidence_kind(ev)));
	sp_json_kv_uint(&w, "size", sp_evidence_size(ev));
	sp_json_kv_uint(&w, "sector_size", sp_evidence_sector_size(ev));
	sp_json_key(&w, "segments");
	sp_json_array_begin(&w);
	for (i = 0; i < sp_evidence_segment_count(ev); i++)
		sp_json_str(&w, sp_evidence_segment(ev, i));
	sp_json_array_end(&w);
	if (h->done) {
		sp_json_kv_str(&w, "sha256", h->whole);
		sp_json_key(&w, "segment_sha256");
		sp_json_array_begin(&w);
		for (i = 0; i < sp_evidence_segment_count(ev); i++)
			sp_json_str(&w, h->seg[i]);
		sp_json_array_end(&w);
	}
	sp_json_key(&w, "ewf");
	if (ewf == NULL)
		sp_json_null(&w);
	else {
		sp_json_object_begin(&w);
		sp_json_kv_str(&w, "format", ewf->format);
		sp_json_kv_str(&w, "case_number", ewf->case_number);
		sp_json_kv_str(&w, "evidence_number", ewf->evidence_number);
		sp_json_kv_str(&w, "examiner", ewf->examiner);
		sp_json_kv_str(&w, "description", ewf->description);
		sp_json_kv_str(&w, "notes", ewf->notes);
		sp_json_kv_str(&w, "acquiry_date", ewf->acquiry_date);
		sp_json_kv_str(&w, "system_date", ewf->system_date);
		sp_json_kv_str(&w, "acquiry_os", ewf->acquiry_os);
		sp_json_kv_str(&w, "acquiry_software", ewf->acquiry_software);
		sp_json_kv_str(&w, "compression", ewf->compression);
		sp_json_kv_uint(&w, "media_size", ewf->media_size);
		sp_json_kv_uint(&w, "bytes_per_sector", ewf->bytes_per_sector);
		sp_json_kv_uint(&w, "sectors_per_chunk",
		    ewf->sectors_per_chunk);
		sp_json_kv_uint(&w, "acquiry_errors", ewf->error_count);
		sp_json_kv_str(&w, "md5", ewf->md5);
		sp_json_kv_str(&w, "sha1", ewf->sha1);
		sp_json_object_end(&w);
	}
	sp_json_kv_str(&w, "volume_system", sp_evidence_vs_type(ev));
	sp_json_key(&w, "volumes");
	sp_json_array_begin(&w);
	for (i = 0; i < sp_evidence_volume_count(ev); i++) {
		const struct sp_volume *v = sp_evidence_volume(ev, i);
		sp_json_object_begin(&w);
		sp_json_kv_uint(&w, "index", v->index);
		sp_json_kv_str(&w, "slot", v->slot);
		sp_json_kv_uint(&w, "start", v->start);
		sp_json_kv_uint(&w, "end", v->start + v->length - 1);
		sp_json_kv_uint(&w, "length", v->length);
		sp_json_kv_uint(&w, "offset", v->start *
		    sp_evidence_sector_size(ev));
		sp_json_kv_str(&w, "description", v->description);
		sp_json_kv_bool(&w, "allocated", v->allocated);
		sp_json_kv_bool(&w, "meta", v->meta);
		sp_json_object_end(&w);
	}
	sp_json_array_end(&w);
	sp_json_key(&w, "file_systems");
	sp_json_array_begin(&w);
	for (i = 0; i < sp_evidence_fs_count(ev); i++) {
		const struct sp_fs_info *fs = sp_evidence_fs(ev, i);
		sp_json_object_begin(&w);
		sp_json_kv_uint(&w, "index", fs->index);
		sp_json_key(&w, "volume");
		if (fs->volume < 0)
			sp_json_null(&w);
		else
			sp_json_uint(&w, sp_evidence_volume(ev,
			    (size_t)fs->volume)->index);
		sp_json_kv_uint(&w, "offset", fs->offset);
		sp_json_kv_str(&w, "type", fs->type);
		sp_json_kv_str(&w, "label", fs->label);
		sp_json_kv_str(&w, "id", fs->id);
		sp_json_kv_uint(&w, "block_size", fs->block_size);
		sp_json_kv_uint(&w, "block_count", fs->block_count);
		sp_json_kv_uint(&w, "first_inode", fs->first_inode);
		sp_json_kv_uint(&w, "last_inode", fs->last_inode);
		sp_json_kv_uint(&w, "root_inode", fs->root_inode);
		sp_json_object_end(&w);
	}
	sp_json_array_end(&w);
	print_problems_json(&w, run, first);
	sp_json_object_end(&w);
	sp_json_line_end(&w);
}

/*
 * --hash: the evidence's files read whole; with a case, recorded as the
 * run's inputs with these hashes (read once for both).
 */
static int
hash_files(struct sp_tool *t, struct sp_evidence *ev, struct hashes *h)
{
	size_t i, n = sp_evidence_segment_count(ev);
	struct sp_err err;

	sp_err_init(&err);
	h->seg = calloc(n + 1, sizeof(*h->seg));
	h->sizes = calloc(n + 1, sizeof(*h->sizes));
	if (h->seg == NULL || h->sizes == NULL)
		sp_err_set(&err, SP_E_NOMEM, 0, "hash");
	else if (sp_evidence_hash_segments(ev, h->seg, h->sizes, h->whole,
	    &err) == SP_OK)
		h->done = 1;
	if (!h->done) {
		sp_err_prefix(&err, "'%s'", sp_evidence_path(ev));
		return sp_tool_error(t, &err);
	}
	for (i = 0; t->c != NULL && i < n; i++)
		if (sp_run_add_input(t->run, sp_evidence_segment(ev, i),
		    h->sizes[i], h->seg[i], &err) != SP_OK)
			sp_tool_warn(t, "%s", err.msg);
	return SP_EXIT_OK;
}

static void
kv_text(const char *key, const char *v)
{
	if (v == NULL || v[0] == '\0')
		return;
	printf("  %-9s ", key);
	sp_print_safe(stdout, v);
	putchar('\n');
}

static void
time_text(const char *key, sp_time_ns t)
{
	char buf[SP_TIME_ISO_MAX];

	if (t != SP_TIME_NONE)
		kv_text(key, sp_time_format_iso(t, 9, buf, sizeof(buf)));
}

static void
container_text(const struct sp_container *c)
{
	size_t i;

	printf("container ");
	sp_print_safe(stdout, c->id);
	putchar('\n');
	kv_text("engine:", c->engine);
	kv_text("namespace:", c->ns);
	kv_text("name:", c->name);
	kv_text("image:", c->image);
	kv_text("image_id:", c->image_id);
	kv_text("command:", c->command);
	kv_text("hostname:", c->hostname);
	time_text("created:", c->created);
	time_text("started:", c->started);
	time_text("finished:", c->finished);
	kv_text("state:", c->state);
	if (c->pid > 0)
		printf("  %-9s %lld\n", "pid:", (long long)c->pid);
	if (c->exit_code >= 0 && c->finished != SP_TIME_NONE)
		printf("  %-9s %lld\n", "exit:", (long long)c->exit_code);
	for (i = 0; i < c->nmounts; i++) {
		printf("  %-9s ", "mount:");
		sp_print_safe(stdout, c->mounts[i].source ?
		    c->mounts[i].source : "-");
		fputs(" -> ", stdout);
		sp_print_safe(stdout, c->mounts[i].destination ?
		    c->mounts[i].destination : "-");
		fputs(" (", stdout);
		sp_print_safe(stdout, c->mounts[i].type ? c->mounts[i].type :
		    "-");
		printf(", %s)\n", c->mounts[i].rw ? "rw" : "ro");
	}
	for (i = 0; i < c->nnetworks; i++) {
		const struct sp_container_network *n = &c->networks[i];
		printf("  %-9s ", "network:");
		sp_print_safe(stdout, n->name ? n->name : "-");
		fputs(" ip ", stdout);
		sp_print_safe(stdout, n->ip && n->ip[0] ? n->ip : "-");
		fputs(" mac ", stdout);
		sp_print_safe(stdout, n->mac && n->mac[0] ? n->mac : "-");
		putchar('\n');
	}
	printf("  %-9s %u\n", "fs:", c->fs);
	kv_text("upper:", c->upper);
	for (i = 0; i < c->nlayers; i++)
		kv_text("lower:", c->layers[i]);
	kv_text("log:", c->log_path);
	kv_text("problem:", c->problem);
}

static void
container_json(struct sp_json *w, const char *evidence,
    const struct sp_container *c)
{
	size_t i;

	sp_json_object_begin(w);
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "evidence", evidence);
	sp_json_kv_str(w, "engine", c->engine);
	sp_json_kv_str(w, "id", c->id);
	sp_json_kv_str(w, "namespace", c->ns);
	sp_json_kv_str(w, "name", c->name);
	sp_json_kv_str(w, "image", c->image);
	sp_json_kv_str(w, "image_id", c->image_id);
	sp_json_kv_str(w, "command", c->command);
	sp_json_kv_str(w, "hostname", c->hostname);
	sp_json_kv_time(w, "created", c->created);
	sp_json_kv_time(w, "started", c->started);
	sp_json_kv_time(w, "finished", c->finished);
	sp_json_kv_str(w, "state", c->state);
	sp_json_kv_int(w, "pid", c->pid);
	sp_json_kv_int(w, "exit_code", c->exit_code);
	sp_json_key(w, "mounts");
	sp_json_array_begin(w);
	for (i = 0; i < c->nmounts; i++) {
		sp_json_object_begin(w);
		sp_json_kv_str(w, "source", c->mounts[i].source);
		sp_json_kv_str(w, "destination", c->mounts[i].destination);
		sp_json_kv_str(w, "type", c->mounts[i].type);
		sp_json_kv_bool(w, "rw", c->mounts[i].rw);
		sp_json_object_end(w);
	}
	sp_json_array_end(w);
	sp_json_key(w, "networks");
	sp_json_array_begin(w);
	for (i = 0; i < c->nnetworks; i++) {
		sp_json_object_begin(w);
		sp_json_kv_str(w, "name", c->networks[i].name);
		sp_json_kv_str(w, "ip", c->networks[i].ip);
		sp_json_kv_str(w, "mac", c->networks[i].mac);
		sp_json_kv_str(w, "gateway", c->networks[i].gateway);
		sp_json_object_end(w);
	}
	sp_json_array_end(w);
	sp_json_kv_uint(w, "fs", c->fs);
	sp_json_kv_str(w, "upper", c->upper);
	sp_json_key(w, "lower");
	sp_json_array_begin(w);
	for (i = 0; i < c->nlayers; i++)
		sp_json_str(w, c->layers[i]);
	sp_json_array_end(w);
	sp_json_kv_str(w, "log", c->log_path);
	sp_json_kv_str(w, "problem", c->problem);
	sp_json_object_end(w);
	sp_json_line_end(w);
}

static int
print_containers(struct sp_evidence *ev, const char *path, int json,
    struct sp_err *err)
{
	struct sp_container *list;
	struct sp_json w;
	size_t n, i;
	int rc;

	if ((rc = sp_container_list(ev, &list, &n, err)) != SP_OK)
		return rc;
	sp_json_init(&w, stdout);
	for (i = 0; i < n; i++) {
		if (json)
			container_json(&w, path, &list[i]);
		else {
			if (i > 0)
				putchar('\n');
			container_text(&list[i]);
		}
	}
	sp_container_list_free(list, n);
	return SP_OK;
}

int
main(int argc, char *argv[])
{
	struct sp_tool t;
	struct hashes h;
	struct sp_evidence *ev;
	struct sp_memimage *mem;
	struct sp_err err;
	const char *case_path = NULL;
	int ch, json = 0, hash = 0, containers = 0, status = SP_EXIT_OK, i, s;
	uint64_t first;

	sp_tool_init(&t, "spoor-info", argc, argv);
	sp_err_init(&err);
	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': case_path = optarg; break;
		case OPT_JSON: json = 1; break;
		case OPT_HASH: hash = 1; break;
		case OPT_CONTAINERS: containers = 1; break;
		case OPT_MAX_MEMORY:
			if (sp_tool_max_memory(&t, optarg) != SP_OK) {
				fputs(usage_text, stderr);
				return SP_EXIT_USAGE;
			}
			break;
		case 'h': help(); return SP_EXIT_OK;
		case 'V': sp_tool_version(&t); return SP_EXIT_OK;
		default: fputs(usage_text, stderr); return SP_EXIT_USAGE;
		}
	}
	if (optind == argc) {
		fputs(usage_text, stderr);
		return SP_EXIT_USAGE;
	}
	for (i = optind; i < argc; i++)
		sp_tool_input(&t, argv[i]);
	if (sp_tool_begin(&t, case_path, &err) != SP_OK)
		return sp_tool_finish(&t, sp_tool_error(&t, &err));
	for (i = optind; i < argc; i++) {
		if (sp_memimage_is_lime(argv[i])) {
			if (sp_memimage_open(&mem, argv[i], 0, t.run,
			    &err) != SP_OK) {
				sp_err_prefix(&err, "'%s'", argv[i]);
				s = sp_tool_error(&t, &err);
				if (status == SP_EXIT_OK)
					status = s;
				continue;
			}
			if (t.c != NULL && sp_run_add_input(t.run, argv[i],
			    sp_memimage_file_size(mem), NULL, &err) != SP_OK)
				sp_tool_warn(&t, "%s", err.msg);
			if (!json && i > optind)
				putchar('\n');
			print_memimage(mem, json);
			sp_memimage_close(mem);
			continue;
		}
		first = sp_run_problem_kept(t.run);
		if (sp_evidence_open(&ev, argv[i], t.run, &err) != SP_OK) {
			sp_err_prefix(&err, "'%s'", argv[i]);
			s = sp_tool_error(&t, &err);
			if (status == SP_EXIT_OK)
				status = s;
			continue;
		}
		memset(&h, 0, sizeof(h));
		if (hash && sp_evidence_kind(ev) != SP_EVIDENCE_DIR &&
		    (s = hash_files(&t, ev, &h)) != SP_EXIT_OK) {
			if (status == SP_EXIT_OK)
				status = s;
			free(h.seg);
			free(h.sizes);
			sp_evidence_close(ev);
			continue;
		}
		if (t.c != NULL && !h.done &&
		    sp_evidence_record_inputs(ev, t.run, &err) != SP_OK)
			sp_tool_warn(&t, "%s", err.msg);
		if (containers) {
			if (print_containers(ev, argv[i], json, &err) !=
			    SP_OK) {
				sp_err_prefix(&err, "'%s'", argv[i]);
				s = sp_tool_error(&t, &err);
				if (status == SP_EXIT_OK)
					status = s;
			}
		} else if (json)
			print_json(ev, &h, t.run, first);
		else {
			if (i > optind)
				putchar('\n');
			print_text(ev, &h);
			print_problems_text(t.run, first);
		}
		free(h.seg);
		free(h.sizes);
		sp_evidence_close(ev);
	}
	return sp_tool_finish(&t, status);
}
