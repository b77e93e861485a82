/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Live-host collection: the output of a collection (a directory or a tar
 * stream with its manifest) and the readers of the host's volatile state
 * (processes, sockets, network, system, cross-view findings) that write
 * their JSON Lines items into it.  The format is described in spoor(7)
 * and COLLECTION-SPEC.md.
 */
#ifndef SPOOR_COLLECT_H
#define SPOOR_COLLECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* ---- output ---- */

struct sp_collect_out;		/* the output: a directory or a tar stream */

/* What the manifest says of an item; a NULL source or -1 is "null". */
struct sp_collect_meta {
	const char *source;
	int64_t mtime_ns;
	int64_t mode, uid, gid;
	int truncated, changed;
};

/*
 * Open the output at path (a directory, or "-" with tar for a tar stream
 * on standard output).  *o is owned by the caller until
 * sp_collect_out_close.
 */
int sp_collect_out_open(struct sp_collect_out **o, const char *path,
    int tar, struct sp_err *err);
/*
 * A whole item from memory (volatile JSONL, maps): name is its path in
 * the collection, buf (len bytes) is borrowed for the call; meta may be
 * NULL.
 */
int sp_collect_out_add(struct sp_collect_out *o, const char *name,
    const char *type, const void *buf, size_t len,
    const struct sp_collect_meta *meta, struct sp_err *err);
/*
 * A file copied from the host, streamed from fd (borrowed): size known up
 * front (from fstat); shorter is zero-padded, longer cut, both flagged
 * "changed".
 */
int sp_collect_out_copy(struct sp_collect_out *o, const char *name,
    const char *type, int fd, const struct sp_collect_meta *meta,
    uint64_t cap, struct sp_err *err);
/* One problem met at step, a line of collection.log. */
void sp_collect_out_problem(struct sp_collect_out *o, const char *step,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Write the end line and the manifest, and free o. */
int sp_collect_out_close(struct sp_collect_out *o, const char *status,
    struct sp_err *err);

/* ---- volatile state ---- */

/*
 * The readers below read the running host natively, from /proc and /sys
 * and a few files (/etc/ld.so.preload, /var/run/utmp); they run no
 * program and load nothing.  Everything they read is treated as hostile:
 * reads are bounded, lines of any length are handled, NUL bytes are kept
 * inside JSON strings.  proc_root is "/proc" and sys_root "/sys" on a
 * live host (NULL means those).  A process that ends while it is read is
 * skipped quietly; what cannot be read for another reason (permission, a
 * malformed file) is a problem recorded through sp_collect_out_problem,
 * and the reader goes on.  Each returns SP_OK, or an error when its item
 * could not be made or written (err says which).
 */

/* Options of sp_collect_processes. */
struct sp_collect_proc_opts {
	int environ;		/* write each process's environment */
	uint64_t exe_hash_max;	/* hash executables up to this size */
	int probe;		/* probe every pid up to pid_max (seen_by) */
};

#define SP_COLLECT_EXE_HASH_MAX (UINT64_C(256) << 20)

/* The defaults: no environment, executables to 256 MiB, probe. */
void sp_collect_proc_opts_init(struct sp_collect_proc_opts *opts);

/*
 * volatile/processes.jsonl, one line per thread group (those hidden from
 * the listing of /proc too), and volatile/maps/PID.txt for each process
 * whose map can be read.  opts may be NULL for the defaults.
 */
int sp_collect_processes(struct sp_collect_out *o, const char *proc_root,
    const struct sp_collect_proc_opts *opts, struct sp_err *err);
/*
 * volatile/sockets.jsonl: the sockets of /proc/net/{tcp,tcp6,udp,udp6,
 * raw,raw6,unix}, each with the processes holding it.
 */
int sp_collect_sockets(struct sp_collect_out *o, const char *proc_root,
    struct sp_err *err);
/*
 * volatile/network.jsonl: interfaces (sys_root/class/net), routes and
 * neighbours (ARP from /proc/net/arp, NDP through a netlink socket).
 */
int sp_collect_network(struct sp_collect_out *o, const char *proc_root,
    const char *sys_root, struct sp_err *err);
/*
 * volatile/system.jsonl: kernel, boot, taint, lockdown, modules (both
 * views), mounts, /etc/ld.so.preload and the users logged in
 * (/var/run/utmp).
 */
int sp_collect_system(struct sp_collect_out *o, const char *proc_root,
    const char *sys_root, struct sp_err *err);
/*
 * volatile/findings.jsonl: the cross-view findings (processes missing
 * from the listing of /proc, /proc entries covered by mounts, modules in
 * one view only) and the suspicious traits of processes and of the
 * loader's configuration.
 */
int sp_collect_hidden(struct sp_collect_out *o, const char *proc_root,
    const char *sys_root, struct sp_err *err);

/*
 * The parsers of /proc text behind the readers, one kind of file at a
 * time: kind is "stat", "status", "tcp", "tcp6", "udp", "udp6", "raw",
 * "raw6", "unix", "modules", "mountinfo", "route", "ipv6_route", "arp",
 * "if_inet6", "cgroup" or "environ".  The text (len bytes, borrowed) is
 * parsed as the readers parse it and each record found is written to out
 * as one JSON line, the way the item holds it (as far as one file says).
 * Malformed lines are skipped.  SP_E_USAGE for an unknown kind.
 */
int sp_collect_procfs_jsonl(const char *kind, const char *text, size_t len,
    FILE *out, struct sp_err *err);

#endif
