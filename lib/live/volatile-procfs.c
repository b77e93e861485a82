/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounded reads of /proc and /sys files and the parsers of their text
 * and of the kernel's netlink answer about neighbours (see
 * volatile-procfs.h), shared by the readers of the host's volatile
 * state.  The text is hostile: a comm may hold spaces, parentheses and
 * newlines, a path any byte, a line any length; nothing here trusts a
 * field count or a length it did not check, and a line that does not
 * parse is skipped by the caller.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spoor/collect.h"
#include "volatile-procfs.h"

#define LINK_MAX_BYTES 65536

/* ---- reading ---- */

int
sp_vol_read(int dirfd, const char *path, size_t max, char **out, size_t *lenp,
    int *truncated)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *nb;
	ssize_t n;
	int fd, e;

	*out = NULL;
	*lenp = 0;
	if (truncated != NULL)
		*truncated = 0;
	if ((fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) < 0)
		return errno;
	for (;;) {
		if (cap - len < 4097) {
			cap = cap == 0 ? 8192 : cap * 2;
			if (cap > max + 1)
				cap = max + 1;
			if (cap - len < 2) {
				/* the cap is reached: is there more? */
				char c;

				if (truncated != NULL && read(fd, &c, 1) > 0)
					*truncated = 1;
				break;
			}
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				close(fd);
				return ENOMEM;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			free(buf);
			close(fd);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf == NULL && (buf = malloc(1)) == NULL)
		return ENOMEM;
	buf[len] = '\0';
	*out = buf;
	*lenp = len;
	return 0;
}

int
sp_vol_readlink(int dirfd, const char *path, char **out)
{
	size_t cap = 256;
	char *buf = NULL, *nb;
	ssize_t n;

	*out = NULL;
	for (;;) {
		if ((nb = realloc(buf, cap)) == NULL) {
			free(buf);
			return ENOMEM;
		}
		buf = nb;
		if ((n = readlinkat(dirfd, path, buf, cap)) < 0) {
			int e = errno;

			free(buf);
			return e;
		}
		if ((size_t)n < cap || cap >= LINK_MAX_BYTES)
			break;
		cap *= 2;
	}
	if ((size_t)n >= cap)
		n = (ssize_t)cap - 1;
	buf[n] = '\0';
	*out = buf;
	return 0;
}

int
sp_vol_read_line(int dirfd, const char *path, char **out)
{
	size_t len;
	int e;

	if ((e = sp_vol_read(dirfd, path, 65536, out, &len, NULL)) != 0)
		return e;
	(*out)[strcspn(*out, "\n")] = '\0';
	len = strlen(*out);
	while (len > 0 && ((*out)[len - 1] == ' ' || (*out)[len - 1] == '\t'))
		(*out)[--len] = '\0';
	return 0;
}

#define LINES_WINDOW 65536

int
sp_vol_lines_open(struct sp_vol_lines *r, int dirfd, const char *path)
{
	memset(r, 0, sizeof(*r));
	if ((r->fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) < 0)
		return errno;
	if ((r->buf = malloc(LINES_WINDOW)) == NULL) {
		close(r->fd);
		r->fd = -1;
		return ENOMEM;
	}
	return 0;
}

int
sp_vol_lines_next(struct sp_vol_lines *r, struct sp_vol_span *l)
{
	char *nl;
	ssize_t n;
	int skipping = 0;

	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl != NULL) {
			l->p = r->buf + r->start;
			l->len = (size_t)(nl - l->p);
			r->start = (size_t)(nl - r->buf) + 1;
			if (skipping) {
				skipping = 0;
				continue;
			}
			return 1;
		}
		if (r->eof) {
			if (r->start == r->end || skipping)
				return 0;
			l->p = r->buf + r->start;
			l->len = r->end - r->start;
			r->start = r->end;
			return 1;
		}
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		if (r->end == LINES_WINDOW) {
			/* a line longer than the window: drop it */
			r->start = r->end = 0;
			if (!skipping)
				r->skipped++;
			skipping = 1;
		}
		n = read(r->fd, r->buf + r->end, LINES_WINDOW - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r->eof = 1;
		else
			r->end += (size_t)n;
	}
}

void
sp_vol_lines_close(struct sp_vol_lines *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->buf);
	r->buf = NULL;
}

int64_t
sp_vol_boot_ns(int proc_fd)
{
	struct sp_vol_lines r;
	struct sp_vol_span l, f;
	const char *q;
	int64_t v = 0;

	if (sp_vol_lines_open(&r, proc_fd, "stat") != 0)
		return 0;
	while (sp_vol_lines_next(&r, &l)) {
		if (l.len <= 6 || memcmp(l.p, "btime ", 6) != 0)
			continue;
		q = l.p + 6;
		if (!sp_vol_field(&q, l.p + l.len, &f) || sp_vol_i64(f, &v) != 0 ||
		    v <= 0 || v >= INT64_MAX / 1000000000)
			v = 0;
		break;
	}
	sp_vol_lines_close(&r);
	return v * 1000000000;
}

int
sp_vol_next_line(const char **pp, const char *end, struct sp_vol_span *l)
{
	const char *p = *pp, *nl;

	if (p >= end)
		return 0;
	nl = memchr(p, '\n', (size_t)(end - p));
	l->p = p;
	l->len = (size_t)((nl != NULL ? nl : end) - p);
	*pp = nl != NULL ? nl + 1 : end;
	return 1;
}

int
sp_vol_field(const char **pp, const char *end, struct sp_vol_span *f)
{
	const char *p = *pp;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end) {
		*pp = p;
		return 0;
	}
	f->p = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	f->len = (size_t)(p - f->p);
	*pp = p;
	return 1;
}

int
sp_vol_u64(struct sp_vol_span s, int base, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;
	int d;

	if (s.len == 0 || s.len > 40)
		return -1;
	for (i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		x = x * (uint64_t)base + (uint64_t)d;
	}
	*v = x;
	return 0;
}

int
sp_vol_i64(struct sp_vol_span s, int64_t *v)
{
	uint64_t u;
	int neg = 0;

	if (s.len > 0 && s.p[0] == '-') {
		neg = 1;
		s.p++;
		s.len--;
	}
	if (sp_vol_u64(s, 10, &u) != 0 || u > (uint64_t)INT64_MAX)
		return -1;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return 0;
}

int
sp_vol_is_pid(const char *s, pid_t *pid)
{
	uint64_t v;
	struct sp_vol_span sp = { s, strlen(s) };

	if (sp.len == 0 || s[0] == '0' || sp_vol_u64(sp, 10, &v) != 0 ||
	    v > INT_MAX)
		return 0;
	*pid = (pid_t)v;
	return 1;
}

int
sp_vol_item_open(struct sp_vol_item *it)
{
	memset(it, 0, sizeof(*it));
	if ((it->f = open_memstream(&it->buf, &it->len)) == NULL)
		return -1;
	sp_json_init(&it->w, it->f);
	return 0;
}

int
sp_vol_item_close(struct sp_vol_item *it)
{
	int bad;

	if (it->f == NULL)
		return -1;
	bad = ferror(it->f);
	if (fclose(it->f) != 0)
		bad = 1;
	it->f = NULL;
	return bad ? -1 : 0;
}

/* ---- /proc/PID/stat and status ---- */

int
sp_vol_parse_stat(const char *text, size_t len, struct sp_vol_stat *st)
{
	const char *end = text + len, *open, *close, *p;
	struct sp_vol_span f, pidf;
	uint64_t u;
	int64_t v;
	int i;

	memset(st, 0, sizeof(*st));
	st->threads = -1;
	open = memchr(text, '(', len);
	if (open == NULL)
		return -1;
	/* the last ')': a comm may hold ") R 1 (" itself */
	for (close = end; close > open && close[-1] != ')'; close--)
		;
	if (close == open)
		return -1;
	close--;
	p = text;
	if (!sp_vol_field(&p, open, &pidf) || sp_vol_i64(pidf, &st->pid) != 0)
		return -1;
	st->comm.p = open + 1;
	st->comm.len = (size_t)(close - open - 1);
	p = close + 1;
	for (i = 0; i < 20 && sp_vol_field(&p, end, &f); i++) {
		if (f.len > 0 && f.p[f.len - 1] == '\n')
			f.len--;
		if (i == 0) {
			if (f.len != 1)
				return -1;
			st->state = f.p[0];
			continue;
		}
		if (i == 6) {
			if (sp_vol_u64(f, 10, &u) != 0)
				return -1;
			st->flags = u;
			continue;
		}
		if (i == 19) {
			if (sp_vol_u64(f, 10, &u) != 0)
				return -1;
			st->starttime = u;
			continue;
		}
		if (i != 1 && i != 2 && i != 3 && i != 4 && i != 17)
			continue;
		if (sp_vol_i64(f, &v) != 0)
			return -1;
		switch (i) {
		case 1: st->ppid = v; break;
		case 2: st->pgrp = v; break;
		case 3: st->session = v; break;
		case 4: st->tty_nr = v; break;
		default: st->threads = v; break;
		}
	}
	return i == 20 ? 0 : -1;
}

static int
span_is(struct sp_vol_span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && memcmp(s.p, lit, n) == 0;
}

static void
status_ids(const char *p, const char *end, int64_t id[4])
{
	struct sp_vol_span f;
	int i;

	for (i = 0; i < 4 && sp_vol_field(&p, end, &f); i++)
		if (sp_vol_i64(f, &id[i]) != 0)
			id[i] = -1;
}

void
sp_vol_parse_status(const char *text, size_t len, struct sp_vol_status *st)
{
	const char *p = text, *end = text + len, *colon, *v;
	struct sp_vol_span l, key, f;
	int i;

	memset(st, 0, sizeof(*st));
	st->tgid = st->ppid = st->threads = -1;
	for (i = 0; i < 4; i++)
		st->uid[i] = st->gid[i] = -1;
	while (sp_vol_next_line(&p, end, &l)) {
		if ((colon = memchr(l.p, ':', l.len)) == NULL)
			continue;
		key.p = l.p;
		key.len = (size_t)(colon - l.p);
		v = colon + 1;
		if (span_is(key, "Name")) {
			while (v < l.p + l.len && (*v == '\t' || *v == ' '))
				v++;
			st->name.p = v;
			st->name.len = (size_t)(l.p + l.len - v);
		} else if (span_is(key, "Uid")) {
			status_ids(v, l.p + l.len, st->uid);
		} else if (span_is(key, "Gid")) {
			status_ids(v, l.p + l.len, st->gid);
		} else if (span_is(key, "Tgid") || span_is(key, "PPid") ||
		    span_is(key, "Threads")) {
			int64_t x;
			const char *q = v;

			if (!sp_vol_field(&q, l.p + l.len, &f) ||
			    sp_vol_i64(f, &x) != 0)
				continue;
			if (key.p[0] == 'T' && key.p[1] == 'g')
				st->tgid = x;
			else if (key.p[0] == 'P')
				st->ppid = x;
			else
				st->threads = x;
		}
	}
}

/* ---- sockets ---- */

/* A 32-bit word as /proc prints it: the host-order value of the bytes. */
static int
hex_word(const char *s, unsigned char out[4])
{
	struct sp_vol_span sp = { s, 8 };
	uint64_t v;
	uint32_t w;

	if (sp_vol_u64(sp, 16, &v) != 0)
		return -1;
	w = (uint32_t)v;
	memcpy(out, &w, 4);
	return 0;
}

/* "HEX:PORT" of an IPv4 (8 hex digits) or IPv6 (32) endpoint. */
static int
endpoint(struct sp_vol_span f, int v6, unsigned char addr[16],
    unsigned *port)
{
	size_t n = v6 ? 32 : 8, i;
	struct sp_vol_span ps;
	uint64_t v;

	if (f.len != n + 5 || f.p[n] != ':')
		return -1;
	memset(addr, 0, 16);
	for (i = 0; i < n / 8; i++)
		if (hex_word(f.p + 8 * i, addr + 4 * i) != 0)
			return -1;
	ps.p = f.p + n + 1;
	ps.len = 4;
	if (sp_vol_u64(ps, 16, &v) != 0)
		return -1;
	*port = (unsigned)v;
	return 0;
}

int
sp_vol_parse_inet(struct sp_vol_span l, int v6, struct sp_vol_inet *s)
{
	const char *p = l.p, *end = l.p + l.len;
	struct sp_vol_span f;
	uint64_t v;
	int i;

	memset(s, 0, sizeof(*s));
	s->v6 = v6;
	for (i = 0; i < 10; i++) {
		if (!sp_vol_field(&p, end, &f))
			return -1;
		switch (i) {
		case 0:
			if (f.len < 2 || f.p[f.len - 1] != ':')
				return -1;
			break;
		case 1:
			if (endpoint(f, v6, s->local, &s->lport) != 0)
				return -1;
			break;
		case 2:
			if (endpoint(f, v6, s->remote, &s->rport) != 0)
				return -1;
			break;
		case 3:
			if (sp_vol_u64(f, 16, &v) != 0 || v > 255)
				return -1;
			s->state = (unsigned)v;
			break;
		case 7:
			if (sp_vol_u64(f, 10, &s->uid) != 0)
				return -1;
			break;
		case 9:
			if (sp_vol_u64(f, 10, &s->inode) != 0)
				return -1;
			break;
		default:
			break;
		}
	}
	return 0;
}

const char *
sp_vol_tcp_state(unsigned st)
{
	static const char *const names[] = {
		"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
		"FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
		"LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE"
	};

	return st < sizeof(names) / sizeof(names[0]) ? names[st] : "UNKNOWN";
}

const char *
sp_vol_udp_state(unsigned st)
{
	/* datagram sockets use TCP_ESTABLISHED and TCP_CLOSE */
	if (st == 1)
		return "ESTABLISHED";
	if (st == 7)
		return "UNCONN";
	return sp_vol_tcp_state(st);
}

static void
json_addr(struct sp_json *w, const char *key, int v6,
    const unsigned char *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(v6 ? AF_INET6 : AF_INET, a, buf, sizeof(buf)) == NULL)
		buf[0] = '\0';
	sp_json_kv_str(w, key, buf);
}

void
sp_vol_json_inet(struct sp_json *w, const char *proto,
    const struct sp_vol_inet *s)
{
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "proto", proto);
	sp_json_kv_str(w, "state", strncmp(proto, "tcp", 3) == 0 ?
	    sp_vol_tcp_state(s->state) : sp_vol_udp_state(s->state));
	json_addr(w, "local_address", s->v6, s->local);
	sp_json_kv_uint(w, "local_port", s->lport);
	json_addr(w, "remote_address", s->v6, s->remote);
	sp_json_kv_uint(w, "remote_port", s->rport);
	sp_json_kv_uint(w, "inode", s->inode);
	sp_json_kv_uint(w, "uid", s->uid);
	sp_json_kv_str(w, "path", NULL);
}

int
sp_vol_parse_unix(struct sp_vol_span l, struct sp_vol_unix *s)
{
	const char *p = l.p, *end = l.p + l.len;
	struct sp_vol_span f;
	uint64_t v;
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 7; i++) {
		if (!sp_vol_field(&p, end, &f))
			return -1;
		if (i == 0) {
			if (f.len < 2 || f.p[f.len - 1] != ':')
				return -1;
			continue;
		}
		if (sp_vol_u64(f, i == 6 ? 10 : 16, &v) != 0)
			return -1;
		switch (i) {
		case 3: s->flags = v; break;
		case 4: s->type = v; break;
		case 5: s->state = v; break;
		case 6: s->inode = v; break;
		default: break;
		}
	}
	/* the path is the rest of the line, spaces and all */
	if (p < end && (*p == ' ' || *p == '\t'))
		p++;
	s->path.p = p;
	s->path.len = (size_t)(end - p);
	return 0;
}

const char *
sp_vol_unix_state(const struct sp_vol_unix *s)
{
	if (s->flags & 0x10000)		/* __SO_ACCEPTCON */
		return "LISTEN";
	switch (s->state) {
	case 1: return "UNCONNECTED";
	case 2: return "CONNECTING";
	case 3: return "CONNECTED";
	case 4: return "DISCONNECTING";
	default: return "UNKNOWN";
	}
}

const char *
sp_vol_unix_type(uint64_t type)
{
	switch (type) {
	case 1: return "stream";
	case 2: return "dgram";
	case 5: return "seqpacket";
	default: return "unknown";
	}
}

void
sp_vol_json_unix(struct sp_json *w, const struct sp_vol_unix *s)
{
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "proto", "unix");
	sp_json_kv_str(w, "state", sp_vol_unix_state(s));
	sp_json_kv_str(w, "type", sp_vol_unix_type(s->type));
	sp_json_kv_str(w, "local_address", NULL);
	sp_json_kv_str(w, "local_port", NULL);
	sp_json_kv_str(w, "remote_address", NULL);
	sp_json_kv_str(w, "remote_port", NULL);
	sp_json_kv_uint(w, "inode", s->inode);
	sp_json_kv_str(w, "uid", NULL);
	sp_json_key(w, "path");
	if (s->path.len > 0)
		sp_json_strn(w, s->path.p, s->path.len);
	else
		sp_json_null(w);
}

/* ---- modules and mounts ---- */

int
sp_vol_parse_module(struct sp_vol_span l, struct sp_vol_module *m)
{
	const char *p = l.p, *end = l.p + l.len;
	struct sp_vol_span f;

	memset(m, 0, sizeof(*m));
	m->refcount = -1;
	if (!sp_vol_field(&p, end, &m->name) || !sp_vol_field(&p, end, &f) ||
	    sp_vol_u64(f, 10, &m->size) != 0 || !sp_vol_field(&p, end, &f))
		return -1;
	if (sp_vol_i64(f, &m->refcount) != 0)
		m->refcount = -1;	/* "-": unloadable */
	if (!sp_vol_field(&p, end, &m->deps) ||
	    !sp_vol_field(&p, end, &m->state))
		return -1;
	if (sp_vol_field(&p, end, &m->address))
		(void)sp_vol_field(&p, end, &m->taint);
	return 0;
}

int
sp_vol_parse_mount(struct sp_vol_span l, struct sp_vol_mount *m)
{
	const char *p = l.p, *end = l.p + l.len;
	struct sp_vol_span f;

	memset(m, 0, sizeof(*m));
	if (!sp_vol_field(&p, end, &f) || sp_vol_i64(f, &m->id) != 0 ||
	    !sp_vol_field(&p, end, &f) || sp_vol_i64(f, &m->parent) != 0 ||
	    !sp_vol_field(&p, end, &m->dev) ||
	    !sp_vol_field(&p, end, &m->root) ||
	    !sp_vol_field(&p, end, &m->target) ||
	    !sp_vol_field(&p, end, &m->options))
		return -1;
	/* optional fields up to the "-" separator */
	for (;;) {
		if (!sp_vol_field(&p, end, &f))
			return -1;
		if (f.len == 1 && f.p[0] == '-')
			break;
	}
	if (!sp_vol_field(&p, end, &m->fstype) ||
	    !sp_vol_field(&p, end, &m->source))
		return -1;
	(void)sp_vol_field(&p, end, &m->super);
	return 0;
}

void
sp_vol_unescape(struct sp_strbuf *sb, struct sp_vol_span s)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		if (s.p[i] == '\\' && s.len - i >= 4 &&
		    s.p[i + 1] >= '0' && s.p[i + 1] <= '3' &&
		    s.p[i + 2] >= '0' && s.p[i + 2] <= '7' &&
		    s.p[i + 3] >= '0' && s.p[i + 3] <= '7') {
			char c = (char)((s.p[i + 1] - '0') << 6 |
			    (s.p[i + 2] - '0') << 3 | (s.p[i + 3] - '0'));

			sp_strbuf_addn(sb, &c, 1);
			i += 3;
			continue;
		}
		sp_strbuf_addn(sb, s.p + i, 1);
	}
}

static void
json_unescaped(struct sp_json *w, const char *key, struct sp_vol_span s)
{
	struct sp_strbuf sb = SP_STRBUF_INIT;

	sp_vol_unescape(&sb, s);
	sp_json_key(w, key);
	sp_json_strn(w, sp_strbuf_str(&sb), sb.len);
	sp_strbuf_release(&sb);
}

void
sp_vol_json_mount(struct sp_json *w, const struct sp_vol_mount *m)
{
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "kind", "mount");
	json_unescaped(w, "source", m->source);
	json_unescaped(w, "target", m->target);
	json_unescaped(w, "fstype", m->fstype);
	sp_json_key(w, "options");
	sp_json_strn(w, m->options.p, m->options.len);
	sp_json_key(w, "super_options");
	sp_json_strn(w, m->super.p, m->super.len);
	json_unescaped(w, "root", m->root);
	sp_json_key(w, "dev");
	sp_json_strn(w, m->dev.p, m->dev.len);
	sp_json_kv_int(w, "mount_id", m->id);
	sp_json_kv_int(w, "parent_id", m->parent);
}

/* ---- routes, neighbours, addresses ---- */

static int
prefix_len(const unsigned char *mask, size_t n)
{
	size_t i;
	int bits = 0, b;

	for (i = 0; i < n; i++)
		for (b = 7; b >= 0; b--)
			if (mask[i] & (1u << b))
				bits++;
	return bits;
}

int
sp_vol_parse_route4(struct sp_vol_span l, struct sp_vol_route4 *r)
{
	const char *p = l.p, *end = l.p + l.len;
	struct sp_vol_span f;
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < 8; i++) {
		if (!sp_vol_field(&p, end, &f))
			return -1;
		switch (i) {
		case 0:
			r->iface = f;
			break;
		case 1: case 2: case 7:
			if (f.len != 8 || hex_word(f.p, i == 1 ? r->dest :
			    i == 2 ? r->gateway : r->mask) != 0)
				return -1;
			break;
		case 3:
			if (sp_vol_u64(f, 16, &r->flags) != 0)
				return -1;
			break;
		case 6:
			if (sp_vol_u64(f, 10, &r->metric) != 0)
				return -1;
			break;
		default:
			break;
		}
	}
	return 0;
}

static void
route_flags(struct sp_json *w, uint64_t flags)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{ 0x1, "UP" }, { 0x2, "GATEWAY" }, { 0x4, "HOST" },
		{ 0x8, "REINSTATE" }, { 0x10, "DYNAMIC" }, { 0x20, "MODIFIED" },
		{ 0x200, "REJECT" }, { 0x40000, "ADDRCONF" },
		{ 0x80000, "DEFAULT" }, { 0x80000000u, "LOCAL" }
	};
	struct sp_strbuf sb = SP_STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			sp_strbuf_addf(&sb, "%s%s", sb.len ? "," : "",
			    names[i].name);
	sp_json_kv_str(w, "flags", sp_strbuf_str(&sb));
	sp_strbuf_release(&sb);
}

void
sp_vol_json_route4(struct sp_json *w, const struct sp_vol_route4 *r)
{
	char a[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN + 8];
	static const unsigned char zero[4];

	inet_ntop(AF_INET, r->dest, a, sizeof(a));
	snprintf(dst, sizeof(dst), "%s/%d", a, prefix_len(r->mask, 4));
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "kind", "route");
	sp_json_kv_str(w, "family", "inet");
	sp_json_kv_str(w, "destination", dst);
	if ((r->flags & 0x2) || memcmp(r->gateway, zero, 4) != 0)
		json_addr(w, "gateway", 0, r->gateway);
	else
		sp_json_kv_str(w, "gateway", NULL);
	sp_json_key(w, "interface");
	sp_json_strn(w, r->iface.p, r->iface.len);
	sp_json_kv_uint(w, "metric", r->metric);
	route_flags(w, r->flags);
}

static int
hex_bytes(struct sp_vol_span f, unsigned char *out, size_t n)
{
	size_t i;
	int hi, lo;

	if (f.len != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		hi = f.p[2 * i] >= '0' && f.p[2 * i] <= '9' ? f.p[2 * i] - '0' :
		    f.p[2 * i] >= 'a' && f.p[2 * i] <= 'f' ?
		    f.p[2 * i] - 'a' + 10 : -1;
		lo = f.p[2 * i + 1] >= '0' && f.p[2 * i + 1] <= '9' ?
		    f.p[2 * i + 1] - '0' : f.p[2 * i + 1] >= 'a' &&
		    f.p[2 * i + 1] <= 'f' ? f.p[2 * i + 1] - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

int
sp_vol_parse_route6(struct sp_vol_span l, struct sp_vol_route6 *r)
{
	const char *p = l.p, *end = l.p + l.len;
	struct sp_vol_span f;
	uint64_t v;
	int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < 10; i++) {
		if (!sp_vol_field(&p, end, &f))
			return -1;
		switch (i) {
		case 0: case 2: case 4:
			if (hex_bytes(f, i == 0 ? r->dest : i == 2 ? r->source :
			    r->gateway, 16) != 0)
				return -1;
			break;
		case 1: case 3:
			if (sp_vol_u64(f, 16, &v) != 0 || v > 128)
				return -1;
			if (i == 1)
				r->dest_len = (unsigned)v;
			else
				r->source_len = (unsigned)v;
			break;
		case 5:
			if (sp_vol_u64(f, 16, &r->metric) != 0)
				return -1;
			break;
		case 8:
			if (sp_vol_u64(f, 16, &r->flags) != 0)
				return -1;
			break;
		case 9:
			r->iface = f;
			break;
		default:
			break;
		}
	}
	return 0;
}

void
sp_vol_json_route6(struct sp_json *w, const struct sp_vol_route6 *r)
{
	char a[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN + 8];
	static const unsigned char zero[16];

	inet_ntop(AF_INET6, r->dest, a, sizeof(a));
	snprintf(dst, sizeof(dst), "%s/%u", a, r->dest_len);
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "kind", "route");
	sp_json_kv_str(w, "family", "inet6");
	sp_json_kv_str(w, "destination", dst);
	if (memcmp(r->gateway, zero, 16) != 0)
		json_addr(w, "gateway", 1, r->gateway);
	else
		sp_json_kv_str(w, "gateway", NULL);
	sp_json_key(w, "interface");
	sp_json_strn(w, r->iface.p, r->iface.len);
	sp_json_kv_uint(w, "metric", r->metric);
	route_flags(w, r->flags);
}

int
sp_vol_parse_arp(struct sp_vol_span l, struct sp_vol_arp *a)
{
	const char *p = l.p, *end = l.p + l.len;
	struct sp_vol_span f, mask;
	unsigned char ip[4];
	char tmp[INET_ADDRSTRLEN];

	memset(a, 0, sizeof(*a));
	if (!sp_vol_field(&p, end, &a->address) ||
	    a->address.len >= sizeof(tmp))
		return -1;
	memcpy(tmp, a->address.p, a->address.len);
	tmp[a->address.len] = '\0';
	if (inet_pton(AF_INET, tmp, ip) != 1)
		return -1;
	if (!sp_vol_field(&p, end, &f) || f.len < 3 || f.p[0] != '0' ||
	    f.p[1] != 'x')
		return -1;
	f.p += 2;
	f.len -= 2;
	if (sp_vol_u64(f, 16, &a->hwtype) != 0)
		return -1;
	if (!sp_vol_field(&p, end, &f) || f.len < 3 || f.p[0] != '0' ||
	    f.p[1] != 'x')
		return -1;
	f.p += 2;
	f.len -= 2;
	if (sp_vol_u64(f, 16, &a->flags) != 0)
		return -1;
	if (!sp_vol_field(&p, end, &a->mac) || !sp_vol_field(&p, end, &mask) ||
	    !sp_vol_field(&p, end, &a->iface))
		return -1;
	return 0;
}

void
sp_vol_json_arp(struct sp_json *w, const struct sp_vol_arp *a)
{
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "kind", "neighbour");
	sp_json_kv_str(w, "family", "inet");
	sp_json_key(w, "address");
	sp_json_strn(w, a->address.p, a->address.len);
	sp_json_key(w, "mac");
	sp_json_strn(w, a->mac.p, a->mac.len);
	sp_json_key(w, "interface");
	sp_json_strn(w, a->iface.p, a->iface.len);
	/* ATF_COM, ATF_PERM */
	sp_json_kv_str(w, "state", (a->flags & 0x4) ? "PERMANENT" :
	    (a->flags & 0x2) ? "REACHABLE" : "INCOMPLETE");
}

int
sp_vol_parse_if_inet6(struct sp_vol_span l, struct sp_vol_inet6_addr *a)
{
	const char *p = l.p, *end = l.p + l.len;
	struct sp_vol_span f;

	memset(a, 0, sizeof(*a));
	if (!sp_vol_field(&p, end, &f) || hex_bytes(f, a->address, 16) != 0 ||
	    !sp_vol_field(&p, end, &f) || sp_vol_u64(f, 16, &a->ifindex) != 0 ||
	    !sp_vol_field(&p, end, &f) || sp_vol_u64(f, 16, &a->prefix) != 0 ||
	    a->prefix > 128 ||
	    !sp_vol_field(&p, end, &f) || sp_vol_u64(f, 16, &a->scope) != 0 ||
	    !sp_vol_field(&p, end, &f) || sp_vol_u64(f, 16, &a->flags) != 0 ||
	    !sp_vol_field(&p, end, &a->iface))
		return -1;
	return 0;
}

void
sp_vol_format_inet6(const struct sp_vol_inet6_addr *a, char *buf,
    size_t size)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, a->address, s, sizeof(s));
	snprintf(buf, size, "%s/%u", s, (unsigned)a->prefix);
}

/* ---- cgroups, cmdline, environ ---- */

/* The longest run of hex digits at least 12 long in s; its length. */
static size_t
hex_id(struct sp_vol_span s, const char **start)
{
	size_t i, run = 0, best = 0;

	for (i = 0; i <= s.len; i++) {
		if (i < s.len && ((s.p[i] >= '0' && s.p[i] <= '9') ||
		    (s.p[i] >= 'a' && s.p[i] <= 'f'))) {
			run++;
			continue;
		}
		if (run >= 12 && run >= best) {
			best = run;
			*start = s.p + i - run;
		}
		run = 0;
	}
	return best;
}

static const char *
span_find(struct sp_vol_span s, const char *lit)
{
	size_t n = strlen(lit), i;

	for (i = 0; n <= s.len && i <= s.len - n; i++)
		if (memcmp(s.p + i, lit, n) == 0)
			return s.p + i;
	return NULL;
}

int
sp_vol_container(struct sp_vol_span cg, struct sp_strbuf *sb)
{
	static const struct { const char *mark, *runtime; } kinds[] = {
		{ "cri-containerd", "containerd" }, { "crio", "crio" },
		{ "libpod", "podman" }, { "podman", "podman" },
		{ "docker", "docker" }, { "containerd", "containerd" },
		{ "kubepods", "kubepods" }
	};
	const char *id = NULL, *lxc;
	struct sp_vol_span last;
	size_t n, i, e;

	/* the container is in the last path component that names one */
	last = cg;
	for (i = cg.len; i > 0; i--)
		if (cg.p[i - 1] == '/') {
			last.p = cg.p + i;
			last.len = cg.len - i;
			break;
		}
	if ((lxc = span_find(cg, "lxc.payload.")) != NULL)
		lxc += 12;
	else if ((lxc = span_find(cg, "/lxc/")) != NULL)
		lxc += 5;
	if (lxc != NULL) {
		for (e = 0; lxc + e < cg.p + cg.len && lxc[e] != '/'; e++)
			;
		if (e > 0) {
			sp_strbuf_add(sb, "lxc:");
			sp_strbuf_addn(sb, lxc, e);
			return 1;
		}
	}
	if ((n = hex_id(last, &id)) < 32 && (n = hex_id(cg, &id)) < 32)
		return 0;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (span_find(cg, kinds[i].mark) != NULL)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return 0;
	sp_strbuf_addf(sb, "%s:", kinds[i].runtime);
	sp_strbuf_addn(sb, id, n);
	return 1;
}

void
sp_vol_json_nul_list(struct sp_json *w, const char *buf, size_t len)
{
	size_t i = 0, n;
	const char *z;

	sp_json_array_begin(w);
	while (i < len) {
		z = memchr(buf + i, '\0', len - i);
		n = z != NULL ? (size_t)(z - (buf + i)) : len - i;
		sp_json_strn(w, buf + i, n);
		i += n + 1;
	}
	sp_json_array_end(w);
}

int
sp_vol_env_get(const char *env, size_t len, const char *name,
    struct sp_vol_span *value)
{
	size_t i = 0, n, k = strlen(name);
	const char *z;

	while (i < len) {
		z = memchr(env + i, '\0', len - i);
		n = z != NULL ? (size_t)(z - (env + i)) : len - i;
		if (n > k && env[i + k] == '=' && memcmp(env + i, name, k) == 0) {
			value->p = env + i + k + 1;
			value->len = n - k - 1;
			return 1;
		}
		i += n + 1;
	}
	return 0;
}

/* ---- sp_collect_procfs_jsonl ---- */

static void
json_stat(struct sp_json *w, const struct sp_vol_stat *st)
{
	char state[2] = { st->state, '\0' };

	sp_json_kv_int(w, "pid", st->pid);
	sp_json_kv_int(w, "ppid", st->ppid);
	sp_json_key(w, "comm");
	sp_json_strn(w, st->comm.p, st->comm.len);
	sp_json_kv_str(w, "state", state);
	sp_json_kv_int(w, "tty_nr", st->tty_nr);
	sp_json_kv_int(w, "session", st->session);
	sp_json_kv_int(w, "pgrp", st->pgrp);
	sp_json_kv_int(w, "threads", st->threads);
	sp_json_kv_uint(w, "starttime", st->starttime);
	sp_json_kv_uint(w, "flags", st->flags);
}

static void
json_status(struct sp_json *w, const struct sp_vol_status *st)
{
	sp_json_key(w, "comm");
	sp_json_strn(w, st->name.p, st->name.len);
	sp_json_kv_int(w, "tgid", st->tgid);
	sp_json_kv_int(w, "ppid", st->ppid);
	sp_json_kv_int(w, "threads", st->threads);
	sp_json_kv_int(w, "uid", st->uid[0]);
	sp_json_kv_int(w, "euid", st->uid[1]);
	sp_json_kv_int(w, "gid", st->gid[0]);
	sp_json_kv_int(w, "egid", st->gid[1]);
}

static void
json_module(struct sp_json *w, const struct sp_vol_module *m)
{
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "kind", "module");
	sp_json_key(w, "name");
	sp_json_strn(w, m->name.p, m->name.len);
	sp_json_kv_uint(w, "size", m->size);
	sp_json_kv_int(w, "refcount", m->refcount);
	sp_json_key(w, "state");
	sp_json_strn(w, m->state.p, m->state.len);
	sp_json_key(w, "taint");
	if (m->taint.len > 0)
		sp_json_strn(w, m->taint.p, m->taint.len);
	else
		sp_json_null(w);
}

/* Each line of text through one parser; records as JSON lines. */
static void
lines_jsonl(const char *kind, const char *text, size_t len,
    struct sp_json *w)
{
	const char *p = text, *end = text + len;
	struct sp_vol_span l;
	union {
		struct sp_vol_inet in;
		struct sp_vol_unix un;
		struct sp_vol_module mod;
		struct sp_vol_mount mnt;
		struct sp_vol_route4 r4;
		struct sp_vol_route6 r6;
		struct sp_vol_arp arp;
		struct sp_vol_inet6_addr a6;
	} u;
	char buf[64];
	struct sp_strbuf sb = SP_STRBUF_INIT;
	int v6 = kind[strlen(kind) - 1] == '6';

	while (sp_vol_next_line(&p, end, &l)) {
		if (strcmp(kind, "tcp") == 0 || strcmp(kind, "tcp6") == 0 ||
		    strcmp(kind, "udp") == 0 || strcmp(kind, "udp6") == 0 ||
		    strcmp(kind, "raw") == 0 || strcmp(kind, "raw6") == 0) {
			if (sp_vol_parse_inet(l, v6, &u.in) != 0)
				continue;
			sp_json_object_begin(w);
			sp_vol_json_inet(w, kind, &u.in);
		} else if (strcmp(kind, "unix") == 0) {
			if (sp_vol_parse_unix(l, &u.un) != 0)
				continue;
			sp_json_object_begin(w);
			sp_vol_json_unix(w, &u.un);
		} else if (strcmp(kind, "modules") == 0) {
			if (sp_vol_parse_module(l, &u.mod) != 0)
				continue;
			sp_json_object_begin(w);
			json_module(w, &u.mod);
		} else if (strcmp(kind, "mountinfo") == 0) {
			if (sp_vol_parse_mount(l, &u.mnt) != 0)
				continue;
			sp_json_object_begin(w);
			sp_vol_json_mount(w, &u.mnt);
		} else if (strcmp(kind, "route") == 0) {
			if (sp_vol_parse_route4(l, &u.r4) != 0)
				continue;
			sp_json_object_begin(w);
			sp_vol_json_route4(w, &u.r4);
		} else if (strcmp(kind, "ipv6_route") == 0) {
			if (sp_vol_parse_route6(l, &u.r6) != 0)
				continue;
			sp_json_object_begin(w);
			sp_vol_json_route6(w, &u.r6);
		} else if (strcmp(kind, "arp") == 0) {
			if (sp_vol_parse_arp(l, &u.arp) != 0)
				continue;
			sp_json_object_begin(w);
			sp_vol_json_arp(w, &u.arp);
		} else if (strcmp(kind, "if_inet6") == 0) {
			if (sp_vol_parse_if_inet6(l, &u.a6) != 0)
				continue;
			sp_vol_format_inet6(&u.a6, buf, sizeof(buf));
			sp_json_object_begin(w);
			sp_json_key(w, "interface");
			sp_json_strn(w, u.a6.iface.p, u.a6.iface.len);
			sp_json_kv_str(w, "address", buf);
			sp_json_kv_uint(w, "ifindex", u.a6.ifindex);
		} else {		/* cgroup */
			sp_strbuf_reset(&sb);
			sp_json_object_begin(w);
			sp_json_key(w, "cgroup");
			sp_json_strn(w, l.p, l.len);
			sp_json_kv_str(w, "container",
			    sp_vol_container(l, &sb) ? sp_strbuf_str(&sb) :
			    NULL);
		}
		sp_json_object_end(w);
		sp_json_line_end(w);
	}
	sp_strbuf_release(&sb);
}

/* ---- the IPv6 neighbours of a netlink answer (netstate.c) ---- */

static const char *
nud_state(unsigned s)
{
	if (s & NUD_PERMANENT) return "PERMANENT";
	if (s & NUD_NOARP) return "NOARP";
	if (s & NUD_REACHABLE) return "REACHABLE";
	if (s & NUD_STALE) return "STALE";
	if (s & NUD_DELAY) return "DELAY";
	if (s & NUD_PROBE) return "PROBE";
	if (s & NUD_FAILED) return "FAILED";
	if (s & NUD_INCOMPLETE) return "INCOMPLETE";
	return "NONE";
}

static void
json_neighbour6(struct sp_json *w, const struct ndmsg *nd, size_t len)
{
	const struct rtattr *rta;
	const unsigned char *dst = NULL, *ll = NULL;
	char a[INET6_ADDRSTRLEN], mac[3 * 32], name[IF_NAMESIZE];
	size_t ll_len = 0, i, j, off, left;

	if (len < NLMSG_ALIGN(sizeof(*nd)))
		return;
	/*
	 * The attributes, each inside what is left.  Not RTA_OK/RTA_NEXT:
	 * with an unsigned length, an attribute whose length is not a
	 * multiple of four at the end of the message steps the length past
	 * zero, and the next "attribute" is read beyond the message.
	 */
	for (off = NLMSG_ALIGN(sizeof(*nd)); len - off >= sizeof(*rta);
	    off += RTA_ALIGN(rta->rta_len)) {
		rta = (const struct rtattr *)(const void *)
		    ((const char *)nd + off);
		left = len - off;
		if (rta->rta_len < sizeof(*rta) || rta->rta_len > left)
			break;
		if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == 16)
			dst = RTA_DATA(rta);
		else if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) > 0) {
			ll = RTA_DATA(rta);
			ll_len = RTA_PAYLOAD(rta);
		}
		if (RTA_ALIGN(rta->rta_len) >= left)
			break;
	}
	if (dst == NULL)
		return;
	inet_ntop(AF_INET6, dst, a, sizeof(a));
	mac[0] = '\0';
	for (i = 0, j = 0; ll != NULL && i < ll_len && i < 31; i++)
		j += (size_t)snprintf(mac + j, sizeof(mac) - j, "%s%02x",
		    i ? ":" : "", ll[i]);
	sp_json_object_begin(w);
	sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(w, "kind", "neighbour");
	sp_json_kv_str(w, "family", "inet6");
	sp_json_kv_str(w, "address", a);
	sp_json_kv_str(w, "mac", ll != NULL ? mac : NULL);
	sp_json_kv_str(w, "interface", if_indextoname((unsigned)nd->ndm_ifindex,
	    name) != NULL ? name : NULL);
	sp_json_kv_str(w, "state", nud_state(nd->ndm_state));
	sp_json_object_end(w);
	sp_json_line_end(w);
}

int
sp_vol_neigh_messages(const void *buf, size_t len, struct sp_json *w)
{
	const struct nlmsghdr *nh;
	size_t off, left;

	/* each message inside what is left (as for the attributes) */
	for (off = 0; len - off >= sizeof(*nh);
	    off += NLMSG_ALIGN(nh->nlmsg_len)) {
		nh = (const struct nlmsghdr *)(const void *)
		    ((const char *)buf + off);
		left = len - off;
		if (nh->nlmsg_len < sizeof(*nh) || nh->nlmsg_len > left)
			break;
		if (nh->nlmsg_type == NLMSG_DONE ||
		    nh->nlmsg_type == NLMSG_ERROR)
			return 1;
		if (nh->nlmsg_type == RTM_NEWNEIGH &&
		    nh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ndmsg)))
			json_neighbour6(w, NLMSG_DATA(nh),
			    nh->nlmsg_len - NLMSG_LENGTH(0));
		if (NLMSG_ALIGN(nh->nlmsg_len) >= left)
			break;
	}
	return 0;
}

int
sp_collect_procfs_jsonl(const char *kind, const char *text, size_t len,
    FILE *out, struct sp_err *err)
{
	static const char *const line_kinds[] = {
		"tcp", "tcp6", "udp", "udp6", "raw", "raw6", "unix", "modules",
		"mountinfo", "route", "ipv6_route", "arp", "if_inet6", "cgroup"
	};
	struct sp_vol_status status;
	struct sp_vol_stat st;
	struct sp_vol_span v;
	struct sp_json w;
	size_t i;

	sp_json_init(&w, out);
	if (strcmp(kind, "stat") == 0) {
		if (sp_vol_parse_stat(text, len, &st) == 0) {
			sp_json_object_begin(&w);
			json_stat(&w, &st);
			sp_json_object_end(&w);
			sp_json_line_end(&w);
		}
		return SP_OK;
	}
	if (strcmp(kind, "status") == 0) {
		sp_vol_parse_status(text, len, &status);
		sp_json_object_begin(&w);
		json_status(&w, &status);
		sp_json_object_end(&w);
		sp_json_line_end(&w);
		return SP_OK;
	}
	if (strcmp(kind, "environ") == 0) {
		sp_json_object_begin(&w);
		sp_json_key(&w, "environ");
		sp_vol_json_nul_list(&w, text, len);
		sp_json_key(&w, "ld_preload");
		if (sp_vol_env_get(text, len, "LD_PRELOAD", &v))
			sp_json_strn(&w, v.p, v.len);
		else
			sp_json_null(&w);
		sp_json_object_end(&w);
		sp_json_line_end(&w);
		return SP_OK;
	}
	if (strcmp(kind, "neighbours") == 0) {
		/* netlink messages are read in place: an aligned copy */
		void *copy = malloc(len > 0 ? len : 1);

		if (copy == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "neighbours");
		if (len > 0)
			memcpy(copy, text, len);
		(void)sp_vol_neigh_messages(copy, len, &w);
		free(copy);
		return SP_OK;
	}
	for (i = 0; i < sizeof(line_kinds) / sizeof(line_kinds[0]); i++)
		if (strcmp(kind, line_kinds[i]) == 0) {
			lines_jsonl(kind, text, len, &w);
			return SP_OK;
		}
	return sp_err_set(err, SP_E_USAGE, 0, "unknown kind of /proc file '%s'",
	    kind);
}
