/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration a snapshot keeps besides files: packages from dpkg's
 * status, users and groups, systemd units and timers, cron entries,
 * sudoers rules, authorized keys, ld.so.preload, the lines of shell
 * profiles and the lines that open listening sockets (socket units,
 * sshd, nginx, Apache), each as items (kind, key, value) so that two snapshots
 * compare as sets; and dpkg's md5sums, kept for the allowlist.  Lines are
 * taken as the files hold them, comments and blank lines dropped: what
 * runs is what is compared.
 */
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include "spoor/strbuf.h"
#include "baseline/baseline-internal.h"

enum cfg {
	CFG_NONE, CFG_STATUS, CFG_MD5SUMS, CFG_PASSWD, CFG_GROUP, CFG_UNIT,
	CFG_TIMER, CFG_CRON, CFG_SUDOERS, CFG_KEYS, CFG_PRELOAD, CFG_PROFILE,
	CFG_SOCKET, CFG_SSHD, CFG_WEB
};

static const struct {
	const char *glob;
	enum cfg cfg;
} config_files[] = {
	{ "/var/lib/dpkg/status", CFG_STATUS },
	{ "/var/lib/dpkg/info/*.md5sums", CFG_MD5SUMS },
	{ "/etc/passwd", CFG_PASSWD },
	{ "/etc/group", CFG_GROUP },
	{ "/etc/systemd/system/**.service", CFG_UNIT },
	{ "/lib/systemd/system/**.service", CFG_UNIT },
	{ "/usr/lib/systemd/system/**.service", CFG_UNIT },
	{ "/root/.config/systemd/user/**.service", CFG_UNIT },
	{ "/home/*/.config/systemd/user/**.service", CFG_UNIT },
	{ "/etc/systemd/system/**.timer", CFG_TIMER },
	{ "/lib/systemd/system/**.timer", CFG_TIMER },
	{ "/usr/lib/systemd/system/**.timer", CFG_TIMER },
	{ "/root/.config/systemd/user/**.timer", CFG_TIMER },
	{ "/home/*/.config/systemd/user/**.timer", CFG_TIMER },
	{ "/etc/crontab", CFG_CRON },
	{ "/etc/cron.d/*", CFG_CRON },
	{ "/var/spool/cron/crontabs/*", CFG_CRON },
	{ "/var/spool/cron/*", CFG_CRON },
	{ "/etc/sudoers", CFG_SUDOERS },
	{ "/etc/sudoers.d/*", CFG_SUDOERS },
	{ "/root/.ssh/authorized_keys*", CFG_KEYS },
	{ "/home/*/.ssh/authorized_keys*", CFG_KEYS },
	{ "/etc/ld.so.preload", CFG_PRELOAD },
	{ "/etc/profile", CFG_PROFILE },
	{ "/etc/profile.d/*", CFG_PROFILE },
	{ "/etc/bash.bashrc", CFG_PROFILE },
	{ "/root/.bashrc", CFG_PROFILE },
	{ "/root/.profile", CFG_PROFILE },
	{ "/home/*/.bashrc", CFG_PROFILE },
	{ "/home/*/.profile", CFG_PROFILE },
	/* what listens, where the configuration says */
	{ "/etc/systemd/system/**.socket", CFG_SOCKET },
	{ "/lib/systemd/system/**.socket", CFG_SOCKET },
	{ "/usr/lib/systemd/system/**.socket", CFG_SOCKET },
	{ "/etc/ssh/sshd_config", CFG_SSHD },
	{ "/etc/ssh/sshd_config.d/*", CFG_SSHD },
	{ "/etc/nginx/nginx.conf", CFG_WEB },
	{ "/etc/nginx/conf.d/*", CFG_WEB },
	{ "/etc/nginx/sites-enabled/*", CFG_WEB },
	{ "/etc/apache2/ports.conf", CFG_WEB },
	{ "/etc/apache2/sites-enabled/*", CFG_WEB },
	{ "/etc/httpd/conf/httpd.conf", CFG_WEB },
	{ "/etc/httpd/conf.d/*", CFG_WEB },
};

static enum cfg
config_of(const char *path)
{
	size_t i;

	/* cheap refusal first: every one of them is under these */
	if (strncmp(path, "/etc/", 5) != 0 && strncmp(path, "/var/", 5) != 0 &&
	    strncmp(path, "/root/", 6) != 0 && strncmp(path, "/home/", 6) != 0 &&
	    strncmp(path, "/lib/", 5) != 0 && strncmp(path, "/usr/lib/", 9) != 0)
		return CFG_NONE;
	/* then each pattern's literal start before its glob */
	for (i = 0; i < sizeof(config_files) / sizeof(config_files[0]); i++) {
		const char *g = config_files[i].glob;

		if (strncmp(g, path, strcspn(g, "*?[")) == 0 &&
		    sp_bl_glob_match(g, path))
			return config_files[i].cfg;
	}
	return CFG_NONE;
}

int
sp_bl_config_wanted(const char *path)
{
	return config_of(path) != CFG_NONE;
}

/* The next line of buf: [*s, *e) without its newline; 0 at the end. */
static int
next_line(const char **p, const char *end, const char **s, const char **e)
{
	const char *nl;

	if (*p >= end)
		return 0;
	*s = *p;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*e = nl ? nl : end;
	*p = nl ? nl + 1 : end;
	/* trailing blanks and a carriage return say nothing */
	while (*e > *s && ((*e)[-1] == '\r' || (*e)[-1] == ' ' ||
	    (*e)[-1] == '\t'))
		(*e)--;
	return 1;
}

/* [s, e) with leading blanks skipped; 1 when it is a comment or blank. */
static int
skip_comment(const char **s, const char *e)
{
	while (*s < e && (**s == ' ' || **s == '\t'))
		(*s)++;
	return *s == e || **s == '#';
}

/* Every non-comment line as an item "path: line". */
static int
add_lines(struct sp_baseline *b, enum sp_bl_item_kind kind,
    const char *path, const char *buf, size_t len)
{
	const char *p = buf, *s, *e;
	char key[8192];
	int n;

	while (next_line(&p, buf + len, &s, &e)) {
		/* sudoers' "#include" and "#includedir" are directives */
		if (skip_comment(&s, e) && (e - s < 8 ||
		    strncmp(s, "#include", 8) != 0))
			continue;
		n = snprintf(key, sizeof(key), "%s: %.*s", path,
		    (int)(e - s), s);
		if (n < 0)
			continue;
		if (sp_bl_add_item(b, kind, key, (size_t)n < sizeof(key) ?
		    (size_t)n : sizeof(key) - 1, "", 0) != SP_OK)
			return SP_E_NOMEM;
	}
	return SP_OK;
}

/* Whether [s, e) starts with the word w, any case, then a blank or '='. */
static int
word_is(const char *s, const char *e, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(e - s) > n && strncasecmp(s, w, n) == 0 &&
	    (s[n] == ' ' || s[n] == '\t' || s[n] == '=');
}

/*
 * The lines that open a listening socket, as items "path: line": a socket
 * unit's Listen*= lines, sshd's Port and ListenAddress, nginx's listen
 * and Apache's Listen and <VirtualHost addr:port>.
 */
static int
add_listen(struct sp_baseline *b, enum cfg cfg, const char *path,
    const char *buf, size_t len)
{
	static const char *const socket_words[] = {
		"ListenStream", "ListenDatagram", "ListenSequentialPacket",
		"ListenFIFO", "ListenNetlink", "ListenSpecial",
		"ListenMessageQueue", "ListenUSBFunction", NULL
	};
	static const char *const sshd_words[] = {
		"Port", "ListenAddress", NULL
	};
	static const char *const web_words[] = {
		"listen", "<VirtualHost", NULL
	};
	const char *const *words = cfg == CFG_SOCKET ? socket_words :
	    cfg == CFG_SSHD ? sshd_words : web_words;
	const char *p = buf, *s, *e;
	char key[8192];
	int n, i;

	while (next_line(&p, buf + len, &s, &e)) {
		if (skip_comment(&s, e))
			continue;
		for (i = 0; words[i] != NULL; i++)
			if (word_is(s, e, words[i]))
				break;
		if (words[i] == NULL)
			continue;
		n = snprintf(key, sizeof(key), "%s: %.*s", path,
		    (int)(e - s), s);
		if (n < 0)
			continue;
		if (sp_bl_add_item(b, SP_BL_LISTEN, key, (size_t)n <
		    sizeof(key) ? (size_t)n : sizeof(key) - 1, "", 0) != SP_OK)
			return SP_E_NOMEM;
	}
	return SP_OK;
}

/* passwd and group: one item per name, the line its value. */
static int
add_accounts(struct sp_baseline *b, enum sp_bl_item_kind kind,
    const char *buf, size_t len)
{
	const char *p = buf, *s, *e, *colon;

	while (next_line(&p, buf + len, &s, &e)) {
		if (skip_comment(&s, e))
			continue;
		colon = memchr(s, ':', (size_t)(e - s));
		if (colon == NULL || colon == s)
			continue;
		if (sp_bl_add_item(b, kind, s, (size_t)(colon - s), s,
		    (size_t)(e - s)) != SP_OK)
			return SP_E_NOMEM;
	}
	return SP_OK;
}

/* A unit or timer: its directives, comments dropped, as one value. */
static int
add_unit(struct sp_baseline *b, enum sp_bl_item_kind kind, const char *path,
    const char *buf, size_t len)
{
	const char *p = buf, *s, *e;
	struct sp_strbuf v = SP_STRBUF_INIT;
	int rc;

	while (next_line(&p, buf + len, &s, &e)) {
		if (skip_comment(&s, e) || *s == ';')
			continue;
		sp_strbuf_addn(&v, s, (size_t)(e - s));
		sp_strbuf_add(&v, "\n");
	}
	rc = v.oom ? SP_E_NOMEM : sp_bl_add_item(b, kind, path, strlen(path),
	    v.buf ? v.buf : "", v.len);
	sp_strbuf_release(&v);
	return rc;
}

/* The value of field name in [s, e) ("Package: x"), or NULL. */
static const char *
field(const char *s, const char *e, const char *name, size_t *vlen)
{
	size_t n = strlen(name);

	if ((size_t)(e - s) <= n || strncmp(s, name, n) != 0 || s[n] != ':')
		return NULL;
	s += n + 1;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	*vlen = (size_t)(e - s);
	return s;
}

/* dpkg's status: one item per installed package, its version the value. */
static int
add_packages(struct sp_baseline *b, const char *buf, size_t len)
{
	const char *p = buf, *s, *e, *v, *pkg = NULL, *ver = NULL,
	    *arch = NULL;
	size_t vl, pl = 0, verl = 0, al = 0;
	int installed = 0, more = 1;
	char key[512];

	while (more) {
		more = next_line(&p, buf + len, &s, &e);
		if (!more || s == e) {
			if (pkg != NULL && installed) {
				snprintf(key, sizeof(key), "%.*s%s%.*s",
				    (int)pl, pkg, al ? ":" : "", (int)al,
				    arch ? arch : "");
				if (sp_bl_add_item(b, SP_BL_PACKAGE, key,
				    strlen(key), ver ? ver : "", verl)
				    != SP_OK)
					return SP_E_NOMEM;
			}
			pkg = ver = arch = NULL;
			pl = verl = al = 0;
			installed = 0;
			continue;
		}
		if ((v = field(s, e, "Package", &vl)) != NULL) {
			pkg = v;
			pl = vl;
		} else if ((v = field(s, e, "Version", &vl)) != NULL) {
			ver = v;
			verl = vl;
		} else if ((v = field(s, e, "Architecture", &vl)) != NULL) {
			arch = v;
			al = vl;
		} else if ((v = field(s, e, "Status", &vl)) != NULL)
			installed = vl >= 9 &&
			    memcmp(v + vl - 9, "installed", 9) == 0 &&
			    (vl < 13 || memcmp(v + vl - 13, " not-installed",
			    13) != 0);
	}
	return SP_OK;
}

static int
add_md5sums(struct sp_baseline *b, const char *path, const char *buf,
    size_t len, struct sp_run *run)
{
	char pkg[256];

	if (sp_pkgsums_file_kind(path, pkg, sizeof(pkg)) !=
	    SP_PKGSUMS_MD5SUMS)
		return SP_OK;
	return sp_pkgsums_add(b->pkgsums, pkg, buf, len, path, run, NULL);
}

int
sp_bl_config_parse(struct sp_baseline *b, const char *path,
    const char *buf, size_t len, struct sp_run *run)
{
	switch (config_of(path)) {
	case CFG_STATUS:
		return add_packages(b, buf, len);
	case CFG_MD5SUMS:
		return b->pkgsums ? add_md5sums(b, path, buf, len, run) : SP_OK;
	case CFG_PASSWD:
		return add_accounts(b, SP_BL_USER, buf, len);
	case CFG_GROUP:
		return add_accounts(b, SP_BL_GROUP, buf, len);
	case CFG_UNIT:
		return add_unit(b, SP_BL_UNIT, path, buf, len);
	case CFG_TIMER:
		return add_unit(b, SP_BL_TIMER, path, buf, len);
	case CFG_CRON:
		return add_lines(b, SP_BL_CRON, path, buf, len);
	case CFG_SUDOERS:
		return add_lines(b, SP_BL_SUDOERS, path, buf, len);
	case CFG_KEYS:
		return add_lines(b, SP_BL_KEY, path, buf, len);
	case CFG_PRELOAD:
		return add_lines(b, SP_BL_PRELOAD, path, buf, len);
	case CFG_PROFILE:
		return add_lines(b, SP_BL_PROFILE, path, buf, len);
	case CFG_SOCKET:
	case CFG_SSHD:
	case CFG_WEB:
		return add_listen(b, config_of(path), path, buf, len);
	case CFG_NONE:
		break;
	}
	return SP_OK;
}
