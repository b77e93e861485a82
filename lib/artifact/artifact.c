/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The artifact registry (see include/spoor/artifact.h): each kind with its
 * parser and the paths where it lives.  What the parsers share is in
 * event.c.
 */
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/artifact.h"
#include "artifact/parsers.h"

static const char *const syslog_paths[] = {
	"/var/log/syslog*", "/var/log/messages*", "/var/log/auth.log*",
	"/var/log/secure*", "/var/log/kern.log*", "/var/log/daemon.log*",
	"/var/log/cron*", "/var/log/user.log*", NULL
};
static const char *const audit_paths[] = {
	"/var/log/audit/audit.log*", NULL
};
static const char *const utmp_paths[] = {
	"/var/log/wtmp*", "/var/log/btmp*", "/var/run/utmp", "/run/utmp", NULL
};
static const char *const lastlog_paths[] = { "/var/log/lastlog", NULL };
static const char *const bash_paths[] = {
	"/root/.bash_history", "/home/*/.bash_history", NULL
};
static const char *const zsh_paths[] = {
	"/root/.zsh_history", "/home/*/.zsh_history", "/root/.zhistory",
	"/home/*/.zhistory", NULL
};
static const char *const dpkg_paths[] = { "/var/log/dpkg.log*", NULL };
static const char *const apt_paths[] = {
	"/var/log/apt/history.log*", NULL
};
static const char *const cron_paths[] = {
	"/etc/crontab", "/etc/cron.d/*", "/var/spool/cron/crontabs/*",
	"/var/spool/cron/*", NULL
};
static const char *const systemd_paths[] = {
	"/etc/systemd/system/*", "/etc/systemd/system/*/*",
	"/lib/systemd/system/*.service", "/usr/lib/systemd/system/*.service",
	"/root/.config/systemd/user/*", "/home/*/.config/systemd/user/*",
	"/home/*/.config/systemd/user/*/*", NULL
};
static const char *const preload_paths[] = { "/etc/ld.so.preload", NULL };
static const char *const keys_paths[] = {
	"/root/.ssh/authorized_keys*", "/home/*/.ssh/authorized_keys*", NULL
};
static const char *const journal_paths[] = {
	"/var/log/journal/*/*.journal", "/var/log/journal/*/*.journal~",
	"/run/log/journal/*/*.journal", NULL
};
static const char *const web_paths[] = {
	"/var/log/apache2/access.log*", "/var/log/apache2/*access.log*",
	"/var/log/httpd/access_log*", "/var/log/nginx/access.log*",
	"/var/log/nginx/*access.log*", NULL
};
static const char *const container_log_paths[] = {
	"/var/lib/docker/containers/*/*-json.log*",
	"/var/log/pods/*/*/*.log*",
	"/var/lib/containers/storage/overlay-containers/*/userdata/ctr.log",
	NULL
};

/* never found by path: a collection's volatile files are read as such */
static const char *const collection_paths[] = { NULL };

static const struct sp_artifact_kind kinds[] = {
	{ "syslog", "syslog (RFC 3164, RFC 5424, rsyslog) with auth events",
	    sp_parse_syslog, syslog_paths },
	{ "audit", "Linux audit log (auditd), records grouped into events",
	    sp_parse_audit, audit_paths },
	{ "utmp", "utmp, wtmp and btmp login records", sp_parse_utmp,
	    utmp_paths },
	{ "lastlog", "lastlog, each user's last login", sp_parse_lastlog,
	    lastlog_paths },
	{ "bash_history", "bash history", sp_parse_bash_history, bash_paths },
	{ "zsh_history", "zsh history", sp_parse_zsh_history, zsh_paths },
	{ "dpkg", "dpkg.log package changes", sp_parse_dpkg, dpkg_paths },
	{ "apt_history", "apt history.log transactions", sp_parse_apt_history,
	    apt_paths },
	{ "cron", "crontabs as persistence entries", sp_parse_crontab,
	    cron_paths },
	{ "systemd", "systemd units and their enablement links",
	    sp_parse_systemd_unit, systemd_paths },
	{ "ld_preload", "/etc/ld.so.preload entries", sp_parse_ld_preload,
	    preload_paths },
	{ "authorized_keys", "SSH authorized_keys entries",
	    sp_parse_authorized_keys, keys_paths },
	{ "journal", "systemd journal files", sp_parse_journal,
	    journal_paths },
	{ "web", "apache and nginx access logs", sp_parse_web_access,
	    web_paths },
	{ "container_log", "container logs: Docker json-file, CRI "
	    "(Kubernetes, Podman k8s-file)",
	    sp_parse_container_log, container_log_paths },
	{ "collection", "spoor-collect volatile state (processes, sockets, "
	    "network, system, findings as JSON Lines)", sp_parse_collection,
	    collection_paths },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

const struct sp_artifact_kind *
sp_artifact_kind_at(size_t i)
{
	return i < NKINDS ? &kinds[i] : NULL;
}

const struct sp_artifact_kind *
sp_artifact_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKINDS; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/*
 * The artifacts events carry beside the registry's kinds: the parsers
 * name an event by what it records (an auth.log line read as syslog is
 * "auth", a wtmp file read as utmp is "wtmp"), and the passes after a
 * load write their own.
 */
static const char *const written_kinds[] = {
	"auth", "cron", "wtmp", "btmp", "utmp", "lastlog", "persistence",
	"bash_history", "zsh_history", "apt_history", "dpkg", "web",
	"process", "socket", "module", "system", "network", "finding",
	"detection", "fs", NULL
};

int
sp_artifact_written(const char *name)
{
	const char *const *k;

	if (sp_artifact_find(name) != NULL)
		return 1;
	for (k = written_kinds; *k != NULL; k++)
		if (strcmp(*k, name) == 0)
			return 1;
	return 0;
}

/* The length of each pattern's start before its first wildcard. */
#define MAX_PATTERNS 128
static unsigned char literal[MAX_PATTERNS];
static pthread_once_t literal_once = PTHREAD_ONCE_INIT;

static void
literal_init(void)
{
	const char *const *p;
	size_t i, j = 0, n;

	for (i = 0; i < NKINDS; i++)
		for (p = kinds[i].paths; *p != NULL && j < MAX_PATTERNS; p++) {
			n = strcspn(*p, "*?[\\");
			/* a pattern too short for the first two bytes' test,
			   or too long to count, is left to fnmatch alone */
			literal[j++] = n >= 2 && n < 255 ? (unsigned char)n : 0;
		}
}

const struct sp_artifact_kind *
sp_artifact_match(const char *path)
{
	const char *const *p;
	size_t i, j, lit;

	/*
	 * A pattern's literal start rules out most paths before fnmatch;
	 * its length is computed once (every walked entry is matched).
	 */
	pthread_once(&literal_once, literal_init);
	for (i = 0, j = 0; i < NKINDS; i++)
		for (p = kinds[i].paths; *p != NULL; p++, j++) {
			lit = j < MAX_PATTERNS ? literal[j] : 0;
			if (lit >= 2 && (path[0] != (*p)[0] ||
			    path[1] != (*p)[1] || strncmp(*p, path, lit) != 0))
				continue;
			if (fnmatch(*p, path, FNM_PATHNAME) == 0)
				return &kinds[i];
		}
	return NULL;
}

int
sp_artifact_parse_list(const char *list, uint64_t *mask, struct sp_err *err)
{
	const char *p = list, *e;
	char name[64];
	size_t n, i;
	int found;

	*mask = 0;
	while (*p != '\0') {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		found = 0;
		for (i = 0; i < NKINDS; i++)
			if (strcmp(name, "all") == 0 ||
			    strcmp(name, kinds[i].name) == 0) {
				*mask |= UINT64_C(1) << i;
				found = 1;
			}
		if (strcmp(name, "none") == 0)
			found = 1;
		if (!found)
			return sp_err_set(err, SP_E_USAGE, 0,
			    "unknown artifact '%s'", name);
		p += n;
		if (*p == ',')
			p++;
	}
	return SP_OK;
}
