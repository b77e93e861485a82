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

#endif
