/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the readers of the host's volatile state share (volatile.c,
 * volatile-system.c, netstate.c, hidden.c): bounded reads of /proc files,
 * the parsers of their text and the JSON members each parsed record
 * becomes, and the cross view of process ids (volatile-pids.c).  Parsed
 * records borrow their strings (spans) from the text they were parsed
 * from.  Private to lib/live.
 */
#ifndef SPOOR_LIVE_VOLATILE_PROCFS_H
#define SPOOR_LIVE_VOLATILE_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "spoor/json.h"
#include "spoor/strbuf.h"

/* The most any single /proc or /sys file is read to. */
#define SP_VOL_READ_MAX (64u << 20)

struct sp_vol_span {
	const char *p;
	size_t len;
};

/* ---- reading ---- */

/*
 * Read the file path (relative to dirfd, or absolute) whole, at most max
 * bytes, into *buf (owned by the caller, free(3); NUL-terminated, *len
 * without the NUL).  *truncated (may be NULL) says the cap cut it.
 * Returns 0 or the errno.
 */
int sp_vol_read(int dirfd, const char *path, size_t max, char **buf,
    size_t *len, int *truncated);
/* The target of the link path (like sp_vol_read) into *out; 0 or errno. */
int sp_vol_readlink(int dirfd, const char *path, char **out);
/* The first line of a small file, trimmed, into *out; 0 or errno. */
int sp_vol_read_line(int dirfd, const char *path, char **out);

/*
 * A file read line by line through a fixed window, so that a table of
 * any size (/proc/net/tcp of a busy server) is never held whole; a line
 * longer than the window is skipped and counted.
 */
struct sp_vol_lines {
	int fd;
	char *buf;
	size_t start, end;
	int eof;
	uint64_t skipped;
};
/* Open path under dirfd: 0 or the errno. */
int sp_vol_lines_open(struct sp_vol_lines *r, int dirfd, const char *path);
/* The next line without its newline, valid until the next call: 1, or 0. */
int sp_vol_lines_next(struct sp_vol_lines *r, struct sp_vol_span *l);
void sp_vol_lines_close(struct sp_vol_lines *r);

/* The boot time (btime of proc_root/stat) in ns since the epoch, or 0. */
int64_t sp_vol_boot_ns(int proc_fd);

/* The next line of [*p, end) without its newline; 0 at the end. */
int sp_vol_next_line(const char **p, const char *end, struct sp_vol_span *l);
/* The next blank-separated field of [*p, end); 0 when none is left. */
int sp_vol_field(const char **p, const char *end, struct sp_vol_span *f);
/* The span as a number in base (all of it): 0, or -1. */
int sp_vol_u64(struct sp_vol_span s, int base, uint64_t *v);
int sp_vol_i64(struct sp_vol_span s, int64_t *v);
/* Whether the span is a string of decimal digits (a pid). */
int sp_vol_is_pid(const char *s, pid_t *pid);

/* A pair of a key and an open memory stream a JSONL item is built in. */
struct sp_vol_item {
	FILE *f;
	char *buf;
	size_t len;
	struct sp_json w;
};

/* Open it; 0 or -1 (no memory). */
int sp_vol_item_open(struct sp_vol_item *it);
/* Close the stream; buf/len hold the text (free buf); 0 or -1. */
int sp_vol_item_close(struct sp_vol_item *it);

/* ---- parsers ---- */

/* /proc/PID/stat: the comm is between the first '(' and the last ')'. */
struct sp_vol_stat {
	int64_t pid;
	struct sp_vol_span comm;
	char state;
	int64_t ppid, pgrp, session, tty_nr;
	uint64_t flags;
	int64_t threads;
	uint64_t starttime;	/* clock ticks after boot */
};
int sp_vol_parse_stat(const char *text, size_t len, struct sp_vol_stat *st);

/* /proc/PID/status: the fields the readers use; -1 where absent. */
struct sp_vol_status {
	struct sp_vol_span name;
	int64_t tgid, ppid, threads;
	int64_t uid[4], gid[4];	/* real, effective, saved, fs */
};
void sp_vol_parse_status(const char *text, size_t len,
    struct sp_vol_status *st);

/* A line of /proc/net/{tcp,udp,raw}{,6}. */
struct sp_vol_inet {
	int v6;
	unsigned char local[16], remote[16];
	unsigned lport, rport, state;
	uint64_t uid, inode;
};
int sp_vol_parse_inet(struct sp_vol_span l, int v6, struct sp_vol_inet *s);
/* Members proto .. uid of a sockets.jsonl line (no pids). */
void sp_vol_json_inet(struct sp_json *w, const char *proto,
    const struct sp_vol_inet *s);

/* A line of /proc/net/unix. */
struct sp_vol_unix {
	uint64_t flags, type, state, inode;
	struct sp_vol_span path;	/* empty when unnamed */
};
int sp_vol_parse_unix(struct sp_vol_span l, struct sp_vol_unix *s);
void sp_vol_json_unix(struct sp_json *w, const struct sp_vol_unix *s);

/* A line of /proc/modules. */
struct sp_vol_module {
	struct sp_vol_span name, deps, state, address, taint;
	uint64_t size;
	int64_t refcount;
};
int sp_vol_parse_module(struct sp_vol_span l, struct sp_vol_module *m);

/* A line of /proc/PID/mountinfo; paths still octal-escaped. */
struct sp_vol_mount {
	int64_t id, parent;
	struct sp_vol_span dev, root, target, options, fstype, source, super;
};
int sp_vol_parse_mount(struct sp_vol_span l, struct sp_vol_mount *m);
/* Append the span with its \ooo escapes decoded. */
void sp_vol_unescape(struct sp_strbuf *sb, struct sp_vol_span s);
void sp_vol_json_mount(struct sp_json *w, const struct sp_vol_mount *m);

/* A line of /proc/net/route (IPv4), addresses in network order. */
struct sp_vol_route4 {
	struct sp_vol_span iface;
	unsigned char dest[4], gateway[4], mask[4];
	uint64_t flags, metric;
};
int sp_vol_parse_route4(struct sp_vol_span l, struct sp_vol_route4 *r);
void sp_vol_json_route4(struct sp_json *w, const struct sp_vol_route4 *r);

/* A line of /proc/net/ipv6_route. */
struct sp_vol_route6 {
	struct sp_vol_span iface;
	unsigned char dest[16], source[16], gateway[16];
	unsigned dest_len, source_len;
	uint64_t metric, flags;
};
int sp_vol_parse_route6(struct sp_vol_span l, struct sp_vol_route6 *r);
void sp_vol_json_route6(struct sp_json *w, const struct sp_vol_route6 *r);

/* A line of /proc/net/arp. */
struct sp_vol_arp {
	struct sp_vol_span address, mac, iface;
	uint64_t hwtype, flags;
};
int sp_vol_parse_arp(struct sp_vol_span l, struct sp_vol_arp *a);
void sp_vol_json_arp(struct sp_json *w, const struct sp_vol_arp *a);

/*
 * The IPv6 neighbours of the kernel's answer to an RTM_GETNEIGH dump
 * (which netstate.c asks for): len bytes of netlink messages at buf (4-byte aligned,
 * as malloc gives), each neighbour an object line of w.  A message or
 * attribute whose length does not fit ends the reading.  Returns 1 when
 * the answer's end (NLMSG_DONE or NLMSG_ERROR) is among them, else 0.
 */
int sp_vol_neigh_messages(const void *buf, size_t len, struct sp_json *w);

/* A line of /proc/net/if_inet6. */
struct sp_vol_inet6_addr {
	unsigned char address[16];
	uint64_t ifindex, prefix, scope, flags;
	struct sp_vol_span iface;
};
int sp_vol_parse_if_inet6(struct sp_vol_span l, struct sp_vol_inet6_addr *a);
/* "addr/prefix" into buf (at least 64 bytes). */
void sp_vol_format_inet6(const struct sp_vol_inet6_addr *a, char *buf,
    size_t size);

/*
 * The container a cgroup path names ("docker:ID", "containerd:ID",
 * "podman:ID", "crio:ID", "kubepods:ID", "lxc:NAME") into sb; 0 when
 * none is recognised.
 */
int sp_vol_container(struct sp_vol_span cgroup, struct sp_strbuf *sb);
/* Write a NUL-separated list (cmdline, environ) as a JSON array. */
void sp_vol_json_nul_list(struct sp_json *w, const char *buf, size_t len);
/* The value of name in a NUL-separated environment; 0 when absent. */
int sp_vol_env_get(const char *env, size_t len, const char *name,
    struct sp_vol_span *value);

/* Names of states and flags; static strings. */
const char *sp_vol_tcp_state(unsigned st);
const char *sp_vol_udp_state(unsigned st);
const char *sp_vol_unix_state(const struct sp_vol_unix *s);
const char *sp_vol_unix_type(uint64_t type);

/* ---- modules (volatile-system.c) ---- */

/* A module as /proc/modules and /sys/module/NAME show it. */
struct sp_vol_modview {
	const char *name;
	uint64_t size;		/* UINT64_MAX: unknown */
	int64_t refcount;	/* -1: unknown */
	const char *state, *taint;	/* NULL: unknown */
	int in_proc, in_sys;
};

/*
 * Call fn for each module of either view: those of /proc/modules first
 * (with whether sys/module/NAME/initstate exists), then those with an
 * initstate that /proc/modules lacks (built-in modules have none).  0,
 * or the errno of /proc/modules (ENOENT: no module support).
 */
int sp_vol_modules(int proc_fd, int sys_fd,
    void (*fn)(const struct sp_vol_modview *m, void *arg), void *arg);

/* ---- the cross view of process ids (volatile-pids.c) ---- */

enum {
	SP_VOL_READDIR = 1 << 0,	/* listed by readdir(/proc) */
	SP_VOL_PROBE = 1 << 1,	/* answered kill(pid, 0) or stat */
	SP_VOL_TASK = 1 << 2,	/* in some /proc/N/task */
	SP_VOL_LEADER = 1 << 3,	/* a thread group's leader */
	SP_VOL_COVERED = 1 << 4	/* /proc/N is on another device */
};

struct sp_vol_pids {
	unsigned char *seen;	/* SP_VOL_* bits by pid, max + 1 of them */
	pid_t max;
	dev_t proc_dev;
	int own;		/* the /proc of our pid namespace: kill works */
};

/*
 * Build the view of proc_root: the listing, the tasks of each thread
 * group, and (probe) every pid up to pid_max.  0, or an errno when
 * proc_root cannot be listed.  Release with sp_vol_pids_release.
 */
int sp_vol_pids_build(struct sp_vol_pids *v, int proc_fd, int probe);
void sp_vol_pids_release(struct sp_vol_pids *v);
/* Whether pid is a thread group to report (listed, or hidden leader). */
int sp_vol_pids_group(const struct sp_vol_pids *v, pid_t pid);
/* Whether pid is a thread group missing from the listing of /proc. */
int sp_vol_pids_hidden(const struct sp_vol_pids *v, pid_t pid);
/* Whether pid still runs (kill, or /proc/N by name). */
int sp_vol_pids_alive(const struct sp_vol_pids *v, int proc_fd, pid_t pid);
/* Write seen_by of pid as a JSON array. */
void sp_vol_json_seen_by(struct sp_json *w, const struct sp_vol_pids *v,
    pid_t pid);

#endif
