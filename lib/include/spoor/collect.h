/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Live-host collection (spoor-collect): the output, a directory or a tar
 * stream holding the items of one collection and its manifest (the format
 * is described in spoor-collect(1)); the readers of the host's volatile
 * state, which write their JSON Lines through the output; and the triage
 * walk of the file system, which writes the bodyfile and mirrors the
 * files an investigation needs first.  Everything read from the host is
 * treated as hostile; nothing here writes anywhere but the output.
 */
#ifndef SPOOR_COLLECT_H
#define SPOOR_COLLECT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "cancel.h"
#include "err.h"
#include "progress.h"

/* ---- output ---- */

struct sp_collect_out;		/* the output: a directory or a tar stream */

/*
 * What the manifest says of an item besides its name, size and hash.
 * source is the host path it was read from (NULL: none); mtime_ns is
 * SP_TIME_NONE (spoor/time.h) and mode, uid, gid are -1 when unknown;
 * truncated and changed are OR-ed with what the output itself finds.
 */
struct sp_collect_meta { const char *source; int64_t mtime_ns; int64_t mode, uid, gid; int truncated, changed; };

/*
 * Open a new output.  With tar 0, path is a directory: created (its
 * parent must exist) or an existing empty one; a non-empty directory or
 * a symbolic link is refused (SP_E_EXISTS).  With tar 1, path is a file
 * created new (an existing one is refused with SP_E_EXISTS) or "-" for
 * standard output, and a POSIX pax (ustar) archive is written to it.
 * *o is owned by the caller until sp_collect_out_close.  The header of
 * the manifest is filled from the running host (uname, boot id, uid, the
 * time of this call) and may be completed with sp_collect_out_header
 * before the first item.  An output is used by one thread at a time.
 */
int  sp_collect_out_open(struct sp_collect_out **o, const char *path /* dir, or "-": a tar stream on fd 1 */, int tar, struct sp_err *err);

/*
 * The first line of manifest.jsonl.  A NULL string (or started_ns
 * SP_TIME_NONE, uid -1) keeps what sp_collect_out_open found.
 */
struct sp_collect_header {
	const char *tool;		/* "spoor-collect" */
	const char *version;		/* the program's version */
	const char *host, *boot_id, *kernel, *machine;
	int64_t started_ns;
	int64_t uid;
	const char *const *options;	/* the command line, argv style */
	size_t noptions;
};

/*
 * Set the manifest's header line; h and its strings are borrowed for the
 * call (copied).  Only before the first item is added: SP_E_USAGE after.
 * Without a call, the header holds what sp_collect_out_open found, with
 * tool "spoor-collect" and this library's version.
 */
int  sp_collect_out_header(struct sp_collect_out *o, const struct sp_collect_header *h, struct sp_err *err);

/*
 * An item's name is its path in the collection ("volatile/sockets.jsonl",
 * "files/etc/passwd"): relative, without "." or ".." components or empty
 * ones; any other byte is kept as it is (a pax 'path' record in a tar, the
 * bytes of the file name in a directory).  A name already used, or one
 * whose directory is in the way (a file or symbolic link), is refused with
 * SP_E_EXISTS; the output stays usable.  An error writing the output
 * (disk full, a closed pipe: SP_E_NOSPACE, SP_E_IO) breaks it: every
 * later call returns that error and the collection is never ended as
 * complete.  The tool is expected to ignore SIGPIPE.
 *
 * The manifest writes a name or source that is not well-formed UTF-8 as a
 * JSON string with U+FFFD for the bad bytes, and adds "path_hex" (and
 * "source_hex") with its bytes in hex, so every item can be found.
 */

/* a whole item from memory (volatile JSONL, maps); meta may be NULL */
int  sp_collect_out_add(struct sp_collect_out *o, const char *name, const char *type, const void *buf, size_t len, const struct sp_collect_meta *meta, struct sp_err *err);
/*
 * A file copied from the host, streamed from fd (a regular file; anything
 * else is SP_E_UNSUPPORTED; it is read with pread from offset 0): size
 * known up front (from fstat); shorter is zero-padded, longer cut, both
 * flagged "changed", as is a change of its mtime; a read error
 * zero-fills the rest and is logged.  cap (0: none) cuts it and flags
 * "truncated".  With meta NULL, the manifest takes mtime, mode, uid and
 * gid from fstat.  The caller keeps fd.
 */
int  sp_collect_out_copy(struct sp_collect_out *o, const char *name, const char *type, int fd, const struct sp_collect_meta *meta, uint64_t cap, struct sp_err *err);
/*
 * A line of collection.log: "TIME WARN STEP: message", the message's
 * control characters, backslashes and bytes that are not UTF-8 written as
 * \xNN escapes.  Counted in the end line's "problems".
 */
void sp_collect_out_problem(struct sp_collect_out *o, const char *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The problems recorded so far. */
uint64_t sp_collect_out_problems(const struct sp_collect_out *o);
/*
 * The device and inode of what the output writes to (its directory, or
 * the archive's file), so that a walk of the host leaves it out: 1, or 0
 * when it is not a file or directory (a pipe, a terminal).
 */
int  sp_collect_out_where(const struct sp_collect_out *o, uint64_t *dev,
    uint64_t *ino);
/*
 * Finish: collection.log as an item, the end line with status
 * ("complete" or "partial"; NULL: "complete" when no problem was
 * recorded, else "partial") and the manifest (in a tar its last member,
 * after collection.log); the output is synced before the end line is
 * written.  Items still open are dropped.  Frees o, whatever the result;
 * accepts NULL.  After a write error it writes no end line and returns
 * that error.
 */
int  sp_collect_out_close(struct sp_collect_out *o, const char *status, struct sp_err *err);  /* end line, manifest; frees */

/*
 * An item written piece by piece, for text that grows while other items
 * are written (the bodyfile): in a directory it is a file written as it
 * comes; in a tar it is kept in memory, compressed, and written as a
 * member by sp_collect_item_end.  *it is owned by the output; it ends
 * with sp_collect_item_end, or is dropped by sp_collect_out_close.
 */
struct sp_collect_item;
int  sp_collect_item_begin(struct sp_collect_out *o, const char *name,
    const char *type, const struct sp_collect_meta *meta,
    struct sp_collect_item **it, struct sp_err *err);
int  sp_collect_item_write(struct sp_collect_item *it, const void *buf,
    size_t len, struct sp_err *err);
/* Finish the item and its manifest line; it is freed either way. */
int  sp_collect_item_end(struct sp_collect_item *it, struct sp_err *err);

/*
 * The directory of a directory output, for a writer that makes a file of
 * its own below it (the physical memory image); NULL for a tar stream.
 * Borrowed from o.
 */
const char *sp_collect_out_dir(const struct sp_collect_out *o);
/*
 * Record the file at name below a directory output, made by another
 * writer, as an item: its size and SHA-256 are read from what it holds
 * now.  Never through a symbolic link; SP_E_USAGE for a tar stream.
 */
int sp_collect_out_adopt(struct sp_collect_out *o, const char *name,
    const char *type, const struct sp_collect_meta *meta, struct sp_err *err);

/* ---- triage ---- */

/*
 * The triage walk.  Caller-owned; sp_collect_triage_opts_init sets the
 * defaults shown.
 */
struct sp_collect_triage_opts {
	const char *root;	/* the host's "/" (NULL: "/"); borrowed */
	int all_filesystems;	/* also network and FUSE file systems (0) */
	int shadow;		/* copy shadow and gshadow, not only list (0) */
	unsigned recent_days;	/* web roots, vendor units: changed within (30) */
	uint64_t max_file;	/* bytes copied of one file; 0 none (64 MiB) */
	uint64_t max_total;	/* bytes copied of all files; 0 none (2 GiB) */
	unsigned step_seconds;	/* time budget of the walk; 0 none (0) */
	int64_t now_ns;		/* "now" for recent_days; SP_TIME_NONE: clock */
	const struct sp_progress_sink *progress;	/* "entries"; borrowed */
	const struct sp_cancel *cancel;		/* polled per entry; borrowed */
};

void sp_collect_triage_opts_init(struct sp_collect_triage_opts *opts);

/*
 * One walk of the file systems below opts->root that writes bodyfile.txt
 * (TSK bodyfile v3, type "bodyfile") and copies the triage files to
 * files/<path> (type "file"): logs of /var/log, the security-relevant
 * files of /etc, the users' shell histories, rc files and ~/.ssh, the
 * files of /tmp, /var/tmp and /dev/shm, recently changed files of the
 * web roots and vendor systemd units, and container runtimes' metadata
 * and logs.  Symbolic links are never followed, only regular files are
 * opened, and files and directories are opened with O_NOATIME; as root,
 * the walk reads through a private read-only clone of the mount tree, so
 * that no atime (not even a symbolic link's) changes.  Pseudo file
 * systems, and network and FUSE ones unless opts->all_filesystems, are
 * listed at their mount point and not entered.
 *
 * Bodyfile names are the host's paths, '%', '|', control characters and
 * bytes that are not UTF-8 written as %XX (the escape mactime(1) decodes);
 * a symbolic link is "name -> target" with '>' of the name escaped too.
 *
 * Problems (unreadable entries, caps, the time budget) go to
 * collection.log and the walk goes on; when opts->step_seconds is spent,
 * the walk stops there with SP_OK.  Returns SP_OK, SP_E_INTERRUPTED when
 * opts->cancel is tripped (the bodyfile is finished first), or the
 * output's error.
 */
int sp_collect_triage(struct sp_collect_out *o,
    const struct sp_collect_triage_opts *opts, struct sp_err *err);

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
 * "if_inet6", "cgroup" or "environ", or "neighbours": the bytes of the
 * kernel's netlink answer to an RTM_GETNEIGH dump.  The text (len bytes,
 * borrowed) is parsed as the readers parse it and each record found is
 * written to out as one JSON line, the way the item holds it (as far as
 * one file says).  Malformed lines are skipped.  SP_E_USAGE for an
 * unknown kind, SP_E_NOMEM.
 */
int sp_collect_procfs_jsonl(const char *kind, const char *text, size_t len,
    FILE *out, struct sp_err *err);



/* ---- process memory ---- */

/*
 * Copy the memory of process pid into memory/PID.lime: every readable
 * mapping (devices, [vvar] and [vsyscall] left out) as one LiME range
 * whose start and end are its virtual addresses, read through
 * /proc/PID/mem (unreadable pages are zeros, said in collection.log), at
 * most max bytes (0: all; a cut is said too).  *written receives the bytes
 * of memory copied.  SP_E_NOINPUT when there is no such process.
 */
int sp_collect_process_memory(struct sp_collect_out *o, pid_t pid,
    uint64_t max, uint64_t *written, struct sp_err *err);

/*
 * The processes worth a copy of their memory: an executable deleted, in
 * /tmp, /var/tmp, /dev/shm or a memfd, or a program that wears a kernel
 * thread's name.  *pids (n of them) is owned by the caller (free()).
 * proc_root is reserved (the live /proc is read).
 */
int sp_collect_suspicious(const char *proc_root, pid_t **pids, size_t *n,
    struct sp_err *err);

#endif
