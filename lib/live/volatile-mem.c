/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process memory into a collection: every readable mapping of a process
 * read through /proc/PID/mem into memory/PID.lime, one LiME range per
 * mapping with the mapping's virtual addresses, which spoor-scan reads as
 * a memory image; and the choice of the processes worth that copy when
 * the responder asks for the "suspicious" ones.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "spoor/collect.h"
#include "spoor/live.h"
#include "spoor/time.h"

#define LIME_MAGIC 0x4C694D45u
#define CHUNK (1u << 20)

/* A LiME range header, little-endian on every host spoor runs on. */
struct lime_header {
	uint32_t magic, version;
	uint64_t start, end;	/* end inclusive */
	unsigned char reserved[8];
};

int
sp_collect_process_memory(struct sp_collect_out *o, pid_t pid,
    uint64_t max, uint64_t *written, struct sp_err *err)
{
	struct sp_live_maps *maps = NULL;
	struct sp_live_procmem *mem = NULL;
	struct sp_collect_item *it = NULL;
	struct sp_live_region r;
	struct sp_collect_meta meta;
	struct lime_header h;
	unsigned char *buf = NULL;
	char name[64], source[64];
	uint64_t total = 0, a, n;
	int rc, cut = 0;

	*written = 0;
	snprintf(name, sizeof(name), "memory/%d.lime", (int)pid);
	snprintf(source, sizeof(source), "/proc/%d/mem", (int)pid);
	if ((rc = sp_live_maps_open(&maps, pid, err)) != SP_OK)
		return rc;
	if ((rc = sp_live_procmem_open(&mem, pid, err)) != SP_OK)
		goto out;
	if ((buf = malloc(CHUNK)) == NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "process %d: memory",
		    (int)pid);
		goto out;
	}
	memset(&meta, 0, sizeof(meta));
	meta.source = source;
	meta.mtime_ns = SP_TIME_NONE;
	meta.mode = meta.uid = meta.gid = -1;
	if ((rc = sp_collect_item_begin(o, name, "memory", &meta, &it, err))
	    != SP_OK)
		goto out;
	while (sp_live_maps_next(maps, &r)) {
		if (sp_live_region_skip(&r) || r.end <= r.start)
			continue;
		n = r.end - r.start;
		if (max > 0 && total + n > max) {
			if (total >= max) {
				cut = 1;
				break;
			}
			n = max - total;
			cut = 1;
		}
		memset(&h, 0, sizeof(h));
		h.magic = LIME_MAGIC;
		h.version = 1;
		h.start = r.start;
		h.end = r.start + n - 1;
		if ((rc = sp_collect_item_write(it, &h, sizeof(h), err)) != SP_OK)
			goto out;
		for (a = r.start; a < r.start + n; a += CHUNK) {
			size_t len = r.start + n - a < CHUNK ?
			    (size_t)(r.start + n - a) : CHUNK;

			sp_live_procmem_read(mem, a, buf, len);
			if ((rc = sp_collect_item_write(it, buf, len, err))
			    != SP_OK)
				goto out;
		}
		total += n;
		if (cut)
			break;
	}
	if (sp_live_procmem_unreadable(mem) > 0)
		sp_collect_out_problem(o, "memory", "process %d: %llu pages "
		    "could not be read and are zeros", (int)pid,
		    (unsigned long long)sp_live_procmem_unreadable(mem));
	if (cut)
		sp_collect_out_problem(o, "memory", "process %d: cut at %llu "
		    "bytes (--process-max)", (int)pid,
		    (unsigned long long)total);
	rc = sp_collect_item_end(it, err);
	it = NULL;
	*written = total;
out:
	if (it != NULL)
		sp_collect_item_end(it, NULL);
	free(buf);
	sp_live_procmem_close(mem);
	sp_live_maps_close(maps);
	return rc;
}

/* A name the kernel's own threads use, worn by a program with a file. */
static int
kernel_thread_name(const char *comm)
{
	static const char *const names[] = { "kworker", "kswapd", "ksoftirqd",
	    "kthreadd", "migration", "rcu_", "watchdog", "kdevtmpfs",
	    "khugepaged", "kcompactd", "jbd2", "kblockd", "irq/" };
	size_t i;

	if (comm[0] == '[')
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(comm, names[i], strlen(names[i])) == 0)
			return 1;
	return 0;
}

int
sp_collect_suspicious(const char *proc_root, pid_t **pids, size_t *n,
    struct sp_err *err)
{
	struct sp_live_procs *p = NULL;
	char exe[4096], path[128], comm[64];
	pid_t pid, *v = NULL, *nv;
	size_t cap = 0;
	FILE *f;
	int rc;

	(void)proc_root;	/* the live /proc: its pids are this host's */
	*pids = NULL;
	*n = 0;
	if ((rc = sp_live_procs_open(&p, err)) != SP_OK)
		return rc;
	while ((pid = sp_live_procs_next(p)) != 0) {
		size_t len;
		int pick;

		sp_live_process_exe(pid, exe, sizeof(exe));
		if (exe[0] == '\0')
			continue;	/* a kernel thread, or gone */
		comm[0] = '\0';
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		if ((f = fopen(path, "re")) != NULL) {
			if (fgets(comm, sizeof(comm), f) == NULL)
				comm[0] = '\0';
			fclose(f);
		}
		comm[strcspn(comm, "\n")] = '\0';
		len = strlen(exe);
		pick = (len > 10 && strcmp(exe + len - 10, " (deleted)") == 0) ||
		    strncmp(exe, "/tmp/", 5) == 0 ||
		    strncmp(exe, "/var/tmp/", 9) == 0 ||
		    strncmp(exe, "/dev/shm/", 9) == 0 ||
		    strncmp(exe, "/memfd:", 7) == 0 ||
		    kernel_thread_name(comm);
		if (!pick)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				sp_live_procs_close(p);
				return sp_err_set(err, SP_E_NOMEM, 0,
				    "suspicious processes");
			}
			v = nv;
		}
		v[(*n)++] = pid;
	}
	sp_live_procs_close(p);
	*pids = v;
	return SP_OK;
}
