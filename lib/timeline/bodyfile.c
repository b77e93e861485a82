/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading TSK bodyfiles (v3): the parser of one line.  A name may hold '|', so the line
 * is split from both ends: the MD5 is the first field and the last nine
 * are fixed.  Times may carry a fraction of a second.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/timeline.h"

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

/* "1700000000", "1700000000.5", "-5", "0" (none). */
static int
parse_time(const char *s, sp_time_ns *t)
{
	uint64_t sec = 0;
	int64_t ns = 0, scale = 100000000;
	int neg = 0;
	const char *p = s;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (sec > (uint64_t)INT64_MAX / SP_NS_PER_SEC / 10)
			return -1;
		sec = sec * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			ns += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (*p != '\0')
		return -1;
	if (sec == 0 && ns == 0) {
		*t = SP_TIME_NONE;
		return 0;
	}
	*t = neg ? -sp_time_from_parts((int64_t)sec, ns) :
	    sp_time_from_parts((int64_t)sec, ns);
	return 0;
}

static int
parse_mode(const char *s, struct sp_entry *e)
{
	static const char bits[] = "rwxrwxrwx";
	uint32_t m = 0;
	int i;

	if (strlen(s) != 12 || s[1] != '/')
		return -1;
	e->name_type = s[0];
	e->meta_type = s[2];
	for (i = 0; i < 9; i++) {
		char c = s[3 + i];
		uint32_t bit = 0400u >> i;
		if (c == bits[i])
			m |= bit;
		else if (i == 2 && (c == 's' || c == 'S'))
			m |= 04000 | (c == 's' ? bit : 0);
		else if (i == 5 && (c == 's' || c == 'S'))
			m |= 02000 | (c == 's' ? bit : 0);
		else if (i == 8 && (c == 't' || c == 'T'))
			m |= 01000 | (c == 't' ? bit : 0);
		else if (c != '-')
			return -1;
	}
	e->mode = m;
	return 0;
}

static int
strip_suffix(char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	if (n > k && strcmp(s + n - k, suffix) == 0) {
		s[n - k] = '\0';
		return 1;
	}
	return 0;
}

int
sp_bodyfile_parse(char *line, struct sp_entry *e, const char **md5,
    struct sp_err *err)
{
	char *f[9], *name, *p, *bar, *arrow;
	unsigned long long a, t, id;
	uint64_t v;
	char tail;
	int i;

	memset(e, 0, sizeof(*e));
	e->atime = e->mtime = e->ctime = e->crtime = e->dtime = SP_TIME_NONE;
	if ((bar = strchr(line, '|')) == NULL)
		return sp_err_set(err, SP_E_DATA, 0, "not a bodyfile line");
	*bar = '\0';
	*md5 = strcmp(line, "0") == 0 || line[0] == '\0' ? NULL : line;
	name = bar + 1;
	/* the last nine fields, from the right */
	p = name + strlen(name);
	for (i = 8; i >= 0; i--) {
		while (p > name && p[-1] != '|')
			p--;
		if (p == name)
			return sp_err_set(err, SP_E_DATA, 0, "%d fields, "
			    "bodyfile v3 has 11", 10 - i);
		f[i] = p;
		p[-1] = '\0';
		p--;
	}
	if (strchr(f[1], '/') == NULL && parse_u64(f[1], &v) == 0)
		return sp_err_set(err, SP_E_DATA, 0, "bodyfile v2 lines are "
		    "not supported; convert with TSK 3 or later");
	if (sscanf(f[0], "%llu-%llu-%llu%c", &a, &t, &id, &tail) == 3 &&
	    t <= UINT32_MAX && id <= 0xffff) {
		e->inode = a;
		e->attr_type = (uint32_t)t;
		e->attr_id = (uint16_t)id;
		e->flags |= SP_ENTRY_ATTR;
	} else if (parse_u64(f[0], &v) == 0)
		e->inode = v;
	else
		return sp_err_set(err, SP_E_DATA, 0, "bad inode '%s'", f[0]);
	if (parse_mode(f[1], e) != 0)
		return sp_err_set(err, SP_E_DATA, 0, "bad mode '%s'", f[1]);
	if (parse_u64(f[2], &v) != 0 || v > UINT32_MAX)
		return sp_err_set(err, SP_E_DATA, 0, "bad uid '%s'", f[2]);
	e->uid = (uint32_t)v;
	if (parse_u64(f[3], &v) != 0 || v > UINT32_MAX)
		return sp_err_set(err, SP_E_DATA, 0, "bad gid '%s'", f[3]);
	e->gid = (uint32_t)v;
	if (parse_u64(f[4], &e->size) != 0)
		return sp_err_set(err, SP_E_DATA, 0, "bad size '%s'", f[4]);
	if (parse_time(f[5], &e->atime) || parse_time(f[6], &e->mtime) ||
	    parse_time(f[7], &e->ctime) || parse_time(f[8], &e->crtime))
		return sp_err_set(err, SP_E_DATA, 0, "bad time");
	/* TSK writes "----------|0|0|0" only for a name without metadata */
	if (e->meta_type == '-' && e->mode == 0 && e->uid == 0 &&
	    e->gid == 0 && e->size == 0)
		e->flags |= SP_ENTRY_NO_META;
	/* the name's suffixes, in the reverse of the order fls writes them */
	if (strip_suffix(name, " (deleted-realloc)"))
		e->flags |= SP_ENTRY_DELETED | SP_ENTRY_REALLOC;
	else if (strip_suffix(name, " (deleted)"))
		e->flags |= SP_ENTRY_DELETED;
	if (e->meta_type == 'l' && (arrow = strstr(name, " -> ")) != NULL) {
		*arrow = '\0';
		e->link = arrow + 4;
	}
	if (strip_suffix(name, " ($FILE_NAME)"))
		e->flags |= SP_ENTRY_FILE_NAME;
	if (name[0] == '\0')
		return sp_err_set(err, SP_E_DATA, 0, "empty name");
	e->path = name;
	p = strrchr(name, '/');
	e->name = p && p[1] ? p + 1 : name;
	return SP_OK;
}
