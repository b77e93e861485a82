/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The artifact parsers, one module each under lib/artifact/; the registry
 * in lib/artifact.c lists them with the paths where they are found.
 */
#ifndef SPOOR_ARTIFACT_PARSERS_H
#define SPOOR_ARTIFACT_PARSERS_H

#include "spoor/artifact.h"

sp_artifact_parse_fn sp_parse_syslog;		/* syslog.c: RFC 3164/5424, auth */
sp_artifact_parse_fn sp_parse_audit;		/* audit.c */
sp_artifact_parse_fn sp_parse_utmp;		/* utmp.c: utmp, wtmp, btmp */
sp_artifact_parse_fn sp_parse_lastlog;		/* utmp.c */
sp_artifact_parse_fn sp_parse_bash_history;	/* history.c */
sp_artifact_parse_fn sp_parse_zsh_history;	/* history.c */
sp_artifact_parse_fn sp_parse_dpkg;		/* packages.c */
sp_artifact_parse_fn sp_parse_apt_history;	/* packages.c */
sp_artifact_parse_fn sp_parse_crontab;		/* persistence.c */
sp_artifact_parse_fn sp_parse_systemd_unit;	/* persistence.c */
sp_artifact_parse_fn sp_parse_ld_preload;	/* persistence.c */
sp_artifact_parse_fn sp_parse_authorized_keys;	/* persistence.c */
sp_artifact_parse_fn sp_parse_journal;		/* journal.c */
sp_artifact_parse_fn sp_parse_web_access;	/* web.c */
sp_artifact_parse_fn sp_parse_collection;	/* collection.c */
sp_artifact_parse_fn sp_parse_container_log;	/* container-log.c */

/*
 * The boots one artifact speaks of, by host (NULL: the artifact's own).
 * A record that starts a boot (a kernel banner, a wtmp reboot record,
 * an audit serial restart) begins one, named "boot@<UTC ISO-8601 time>";
 * the records after it carry that name until the next.  A log of many
 * hosts keeps the last BOOTS_MAX of them.
 */
#define SP_BOOTS_MAX	16
#define SP_BOOT_ID_MAX	48

struct sp_boot {
	char host[64];
	char id[SP_BOOT_ID_MAX];	/* "" before the first boot */
	sp_time_ns start;
	uint64_t serial;		/* audit: the last kernel serial */
	int have_serial;
	int pending;			/* a start announced, not yet seen */
	sp_time_ns pending_time;
	uint64_t used;			/* for replacing the oldest */
};

struct sp_boots {
	struct sp_boot b[SP_BOOTS_MAX];
	uint64_t tick;
};

/* The entry of host in bs, made (empty) when it is new; never NULL. */
struct sp_boot *sp_boots_at(struct sp_boots *bs, const char *host);
/* Begin a boot of b at t; returns its id. */
const char *sp_boot_begin(struct sp_boot *b, sp_time_ns t);
/* The boot id of b, or NULL before its first boot. */
const char *sp_boot_id(const struct sp_boot *b);

/* The audit arch= values of the system call tables of syscalls.c. */
#define SP_AUDIT_ARCH_X86_64	0xc000003eu
#define SP_AUDIT_ARCH_I386	0x40000003u
#define SP_AUDIT_ARCH_AARCH64	0xc00000b7u

/*
 * The name of system call nr of the architecture an audit record's arch=
 * names, or NULL when the table has none.  Static storage.
 */
const char *sp_syscall_name(uint32_t arch, int64_t nr);

/*
 * sudo's and other tools' "TTY=pts/0 ; PWD=/root ; ..." in a message:
 * copy the values into tty and cwd (left empty when absent).
 */
void sp_message_tty_cwd(const char *m, char *tty, size_t ttysize,
    char *cwd, size_t cwdsize);

/*
 * A local time without a zone, read into *t as if it were UTC, made UTC
 * with zone z, and said in x: "zone" (z's name) and "local_time" (text,
 * as written), with "local_time_fit" when the local time happened twice
 * or never.  With z NULL, *t is left alone and x says "UTC assumed".
 */
void sp_zone_apply(const struct sp_zone *z, sp_time_ns *t,
    struct sp_extra *x, const char *text);

#endif
