/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Linux audit log (auditd's raw and ENRICHED formats).  Records are
 * assembled into events by (node, time, serial) the way libauparse does:
 * records of several events may interleave, an event ends with its EOE or
 * PROCTITLE record, with a record type that always stands alone, when it
 * is more than two seconds older than the record just read, or at the end
 * of the log.  Each event becomes one typed event: exec, connect, open,
 * write, unlink, rename, login, session_open, user_change ... or entry.
 *
 * Values that auditd hex-encodes (exe, comm, name, cwd, EXECVE arguments,
 * proctitle, ...) are decoded when they stand bare; quoted means literal.
 * In the ENRICHED format the part after a 0x1d byte holds resolved names
 * (UID="www-data"); only those are used from it, the raw numbers are kept.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/evidence.h"
#include "spoor/strbuf.h"
#include "base/util.h"
#include "artifact/parsers.h"

#define LINE_MAX_BYTES	(64 * 1024)	/* kernel records are < 9 KB */
#define OPEN_MAX	1024		/* events being assembled */
#define OPEN_BYTES_MAX	(64 * 1024 * 1024)
#define EVENT_RECS_MAX	2048
#define EVENT_BYTES_MAX	(4 * 1024 * 1024)
#define ARGS_MAX	8192
#define EOE_TIMEOUT	2		/* seconds, as libauparse */
#define MSG_ARGV_MAX	240		/* bytes of argv in a message */
#define INTERP_SEP	0x1d
#define SP_EINPROGRESS	115		/* Linux's errno on every architecture */

/* Record types that matter here (linux/audit.h, libaudit.h). */
enum {
	T_USER = 1005, T_LOGIN = 1006,
	T_USER_AUTH = 1100, T_USER_ACCT = 1101, T_USER_MGMT = 1102,
	T_USER_START = 1105, T_USER_END = 1106, T_USER_CHAUTHTOK = 1108,
	T_USER_LOGIN = 1112, T_USER_LOGOUT = 1113, T_ADD_USER = 1114,
	T_DEL_USER = 1115, T_ADD_GROUP = 1116, T_DEL_GROUP = 1117,
	T_CHGRP_ID = 1119, T_USER_CMD = 1123, T_CHUSER_ID = 1125,
	T_SYSTEM_BOOT = 1127, T_SYSTEM_SHUTDOWN = 1128, T_GRP_MGMT = 1132,
	T_GRP_CHAUTHTOK = 1133, T_ACCT_LOCK = 1135, T_ACCT_UNLOCK = 1136,
	T_FIRST_EVENT = 1300, T_SYSCALL = 1300, T_PATH = 1302,
	T_SOCKADDR = 1306, T_CWD = 1307, T_EXECVE = 1309, T_EOE = 1320,
	T_SECCOMP = 1326, T_PROCTITLE = 1327, T_USER_AVC = 1107, T_AVC = 1400,
	T_MAC_UNLBL_ALLOW = 1406, T_MAC_CALIPSO_DEL = 1419,
	T_FIRST_ANOM = 1700, T_KERNEL = 2000
};

static const struct rtype {
	const char *name;
	int type;
} rtypes[] = {
	{ "USER", 1005 }, { "LOGIN", 1006 },
	{ "USER_AUTH", 1100 }, { "USER_ACCT", 1101 }, { "USER_MGMT", 1102 },
	{ "CRED_ACQ", 1103 }, { "CRED_DISP", 1104 }, { "USER_START", 1105 },
	{ "USER_END", 1106 }, { "USER_AVC", 1107 },
	{ "USER_CHAUTHTOK", 1108 }, { "USER_ERR", 1109 },
	{ "CRED_REFR", 1110 }, { "USYS_CONFIG", 1111 },
	{ "USER_LOGIN", 1112 }, { "USER_LOGOUT", 1113 },
	{ "ADD_USER", 1114 }, { "DEL_USER", 1115 }, { "ADD_GROUP", 1116 },
	{ "DEL_GROUP", 1117 }, { "DAC_CHECK", 1118 }, { "CHGRP_ID", 1119 },
	{ "TEST", 1120 }, { "TRUSTED_APP", 1121 },
	{ "USER_SELINUX_ERR", 1122 }, { "USER_CMD", 1123 },
	{ "USER_TTY", 1124 }, { "CHUSER_ID", 1125 }, { "GRP_AUTH", 1126 },
	{ "SYSTEM_BOOT", 1127 }, { "SYSTEM_SHUTDOWN", 1128 },
	{ "SYSTEM_RUNLEVEL", 1129 }, { "SERVICE_START", 1130 },
	{ "SERVICE_STOP", 1131 }, { "GRP_MGMT", 1132 },
	{ "GRP_CHAUTHTOK", 1133 }, { "MAC_CHECK", 1134 },
	{ "ACCT_LOCK", 1135 }, { "ACCT_UNLOCK", 1136 },
	{ "USER_DEVICE", 1137 }, { "SOFTWARE_UPDATE", 1138 },
	{ "DAEMON_START", 1200 }, { "DAEMON_END", 1201 },
	{ "DAEMON_ABORT", 1202 }, { "DAEMON_CONFIG", 1203 },
	{ "DAEMON_RECONFIG", 1204 }, { "DAEMON_ROTATE", 1205 },
	{ "DAEMON_RESUME", 1206 }, { "DAEMON_ACCEPT", 1207 },
	{ "DAEMON_CLOSE", 1208 }, { "DAEMON_ERR", 1209 },
	{ "SYSCALL", 1300 }, { "FS_WATCH", 1301 }, { "PATH", 1302 },
	{ "IPC", 1303 }, { "SOCKETCALL", 1304 }, { "CONFIG_CHANGE", 1305 },
	{ "SOCKADDR", 1306 }, { "CWD", 1307 }, { "EXECVE", 1309 },
	{ "IPC_SET_PERM", 1311 }, { "MQ_OPEN", 1312 },
	{ "MQ_SENDRECV", 1313 }, { "MQ_NOTIFY", 1314 },
	{ "MQ_GETSETATTR", 1315 }, { "KERNEL_OTHER", 1316 },
	{ "FD_PAIR", 1317 }, { "OBJ_PID", 1318 }, { "TTY", 1319 },
	{ "EOE", 1320 }, { "BPRM_FCAPS", 1321 }, { "CAPSET", 1322 },
	{ "MMAP", 1323 }, { "NETFILTER_PKT", 1324 },
	{ "NETFILTER_CFG", 1325 }, { "SECCOMP", 1326 },
	{ "PROCTITLE", 1327 }, { "FEATURE_CHANGE", 1328 },
	{ "REPLACE", 1329 }, { "KERN_MODULE", 1330 }, { "FANOTIFY", 1331 },
	{ "TIME_INJOFFSET", 1332 }, { "TIME_ADJNTPVAL", 1333 },
	{ "BPF", 1334 }, { "EVENT_LISTENER", 1335 }, { "URINGOP", 1336 },
	{ "OPENAT2", 1337 }, { "DM_CTRL", 1338 }, { "DM_EVENT", 1339 },
	{ "AVC", 1400 }, { "SELINUX_ERR", 1401 }, { "AVC_PATH", 1402 },
	{ "MAC_POLICY_LOAD", 1403 }, { "MAC_STATUS", 1404 },
	{ "MAC_CONFIG_CHANGE", 1405 }, { "MAC_UNLBL_ALLOW", 1406 },
	{ "MAC_CIPSOV4_ADD", 1407 }, { "MAC_CIPSOV4_DEL", 1408 },
	{ "MAC_MAP_ADD", 1409 }, { "MAC_MAP_DEL", 1410 },
	{ "MAC_IPSEC_EVENT", 1415 }, { "MAC_UNLBL_STCADD", 1416 },
	{ "MAC_UNLBL_STCDEL", 1417 }, { "MAC_CALIPSO_ADD", 1418 },
	{ "MAC_CALIPSO_DEL", 1419 },
	{ "ANOM_PROMISCUOUS", 1700 }, { "ANOM_ABEND", 1701 },
	{ "ANOM_LINK", 1702 }, { "ANOM_CREAT", 1703 },
	{ "INTEGRITY_DATA", 1800 }, { "INTEGRITY_METADATA", 1801 },
	{ "INTEGRITY_STATUS", 1802 }, { "INTEGRITY_HASH", 1803 },
	{ "INTEGRITY_PCR", 1804 }, { "INTEGRITY_RULE", 1805 },
	{ "KERNEL", 2000 },
	{ "ANOM_LOGIN_FAILURES", 2100 }, { "ANOM_LOGIN_TIME", 2101 },
	{ "ANOM_LOGIN_SESSIONS", 2102 }, { "ANOM_LOGIN_ACCT", 2103 },
	{ "ANOM_LOGIN_LOCATION", 2104 }, { "ANOM_MAX_DAC", 2105 },
	{ "ANOM_MAX_MAC", 2106 }, { "ANOM_AMTU_FAIL", 2107 },
	{ "ANOM_RBAC_FAIL", 2108 }, { "ANOM_RBAC_INTEGRITY_FAIL", 2109 },
	{ "ANOM_CRYPTO_FAIL", 2110 }, { "ANOM_ACCESS_FS", 2111 },
	{ "ANOM_EXEC", 2112 }, { "ANOM_MK_EXEC", 2113 },
	{ "ANOM_ADD_ACCT", 2114 }, { "ANOM_DEL_ACCT", 2115 },
	{ "ANOM_MOD_ACCT", 2116 }, { "ANOM_ROOT_TRANS", 2117 },
	{ "ANOM_LOGIN_SERVICE", 2118 }, { "ANOM_LOGIN_ROOT", 2119 },
	{ "ANOM_ORIGIN_FAILURES", 2120 }, { "ANOM_SESSION", 2121 },
	{ "USER_ROLE_CHANGE", 2300 }, { "ROLE_ASSIGN", 2301 },
	{ "ROLE_REMOVE", 2302 }, { "LABEL_OVERRIDE", 2303 },
	{ "LABEL_LEVEL_CHANGE", 2304 }, { "USER_LABELED_EXPORT", 2305 },
	{ "USER_UNLABELED_EXPORT", 2306 }, { "DEV_ALLOC", 2307 },
	{ "DEV_DEALLOC", 2308 }, { "FS_RELABEL", 2309 },
	{ "USER_MAC_POLICY_LOAD", 2310 }, { "ROLE_MODIFY", 2311 },
	{ "USER_MAC_CONFIG_CHANGE", 2312 }, { "USER_MAC_STATUS", 2313 },
	{ "CRYPTO_TEST_USER", 2400 }, { "CRYPTO_PARAM_CHANGE_USER", 2401 },
	{ "CRYPTO_LOGIN", 2402 }, { "CRYPTO_LOGOUT", 2403 },
	{ "CRYPTO_KEY_USER", 2404 }, { "CRYPTO_FAILURE_USER", 2405 },
	{ "CRYPTO_REPLAY_USER", 2406 }, { "CRYPTO_SESSION", 2407 },
	{ "CRYPTO_IKE_SA", 2408 }, { "CRYPTO_IPSEC_SA", 2409 },
	{ "VIRT_CONTROL", 2500 }, { "VIRT_RESOURCE", 2501 },
	{ "VIRT_MACHINE_ID", 2502 }, { "VIRT_INTEGRITY_CHECK", 2503 },
	{ "VIRT_CREATE", 2504 }, { "VIRT_DESTROY", 2505 },
	{ "VIRT_MIGRATE_IN", 2506 }, { "VIRT_MIGRATE_OUT", 2507 },
};

/* One record: its line, with offsets of its parts. */
struct rec {
	char *text;		/* the line, NUL-terminated */
	size_t len;
	size_t tname, tnlen;	/* the type's name */
	size_t body, body_end;	/* the fields; body_end at 0x1d or len */
	int type;		/* number, 0 when unknown */
	int64_t line;
};

struct aevent {
	char *node;
	int64_t sec;
	int32_t nsec;
	uint64_t serial;
	struct rec *recs;
	size_t nrecs, cap;
	size_t bytes;
	int over;		/* records were dropped */
	char boot[SP_BOOT_ID_MAX];	/* "" when unknown */
};

struct parser {
	struct sp_artifact_ctx *ctx;
	struct sp_err *err;
	struct aevent *open[OPEN_MAX];
	size_t nopen;
	size_t open_bytes;
	struct sp_extra x;
	struct sp_boots boots;	/* by node */
};

/* ---- fields ---- */

enum { V_BARE, V_DQ, V_SQ, V_BRACE };

struct field {
	const char *key;
	size_t klen;
	const char *val;
	size_t vlen;
	int kind;
};

/*
 * The next key=value of [*pp, end), skipping words without '=' ("avc:",
 * "denied", "{ read }").  Returns 0 at the end.
 */
static int
next_field(const char **pp, const char *end, struct field *f)
{
	const char *p = *pp, *s, *q;
	char close;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end) {
			*pp = p;
			return 0;
		}
		s = p;
		while (p < end && *p != '=' && *p != ' ' && *p != '\t')
			p++;
		if (p >= end || *p != '=') {
			continue;	/* a word, not a field */
		}
		f->key = s;
		f->klen = (size_t)(p - s);
		while (f->klen > 0 && *f->key == '(') {
			f->key++;
			f->klen--;
		}
		p++;
		close = 0;
		if (p < end && *p == '"') {
			f->kind = V_DQ;
			close = '"';
		} else if (p < end && *p == '\'') {
			f->kind = V_SQ;
			close = '\'';
		} else if (p < end && *p == '{') {
			f->kind = V_BRACE;
			close = '}';
		} else
			f->kind = V_BARE;
		if (close != 0) {
			p++;
			q = memchr(p, close, (size_t)(end - p));
			if (q == NULL)
				q = end;
			f->val = p;
			f->vlen = (size_t)(q - p);
			p = q < end ? q + 1 : end;
		} else {
			s = p;
			while (p < end && *p != ' ' && *p != '\t')
				p++;
			f->val = s;
			f->vlen = (size_t)(p - s);
			/* "(hostname=?, ... res=success)" in old PAM records */
			if (f->vlen > 0 && *s != '(' && s[f->vlen - 1] == ')')
				f->vlen--;
			if (f->vlen > 0 && s[f->vlen - 1] == ',')
				f->vlen--;
		}
		*pp = p;
		return 1;
	}
}

static int
key_is(const struct field *f, const char *key)
{
	size_t n = strlen(key);

	return f->klen == n && memcmp(f->key, key, n) == 0;
}

/*
 * Find key in r's fields, then inside its msg='...' part.  With interp,
 * look in the ENRICHED part instead.
 */
static int
rec_find(const struct rec *r, const char *key, int interp, struct field *out)
{
	const char *p, *end, *mp = NULL, *mend = NULL;
	struct field f;

	if (r == NULL)
		return 0;
	if (interp) {
		if (r->body_end >= r->len)
			return 0;
		p = r->text + r->body_end + 1;
		end = r->text + r->len;
	} else {
		p = r->text + r->body;
		end = r->text + r->body_end;
	}
	while (next_field(&p, end, &f)) {
		if (key_is(&f, key)) {
			*out = f;
			return 1;
		}
		if (!interp && f.kind == V_SQ && key_is(&f, "msg") &&
		    mp == NULL) {
			mp = f.val;
			mend = f.val + f.vlen;
		}
	}
	if (mp == NULL)
		return 0;
	while (next_field(&mp, mend, &f))
		if (key_is(&f, key)) {
			*out = f;
			return 1;
		}
	return 0;
}

static int
is_hex(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || n % 2 != 0)
		return 0;
	for (i = 0; i < n; i++)
		if (sp_hexval((unsigned char)s[i]) < 0)
			return 0;
	return 1;
}

static void
hex_decode(struct sp_strbuf *b, const char *s, size_t n)
{
	char c;
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		c = (char)(sp_hexval((unsigned char)s[i]) << 4 |
		    sp_hexval((unsigned char)s[i + 1]));
		sp_strbuf_addn(b, &c, 1);
	}
}

/* Append f's value to b: hex-decoded when it stands bare and is hex. */
static void
value_decode(struct sp_strbuf *b, const struct field *f, int hexable)
{
	if (f->kind == V_BARE && hexable && is_hex(f->val, f->vlen))
		hex_decode(b, f->val, f->vlen);
	else
		sp_strbuf_addn(b, f->val, f->vlen);
}

/*
 * Field key of r as text into b (reset first); 1 when found and not a
 * placeholder such as "(null)" or "?".
 */
static int
rec_str(const struct rec *r, const char *key, int hexable, int interp,
    struct sp_strbuf *b)
{
	struct field f;

	sp_strbuf_reset(b);
	if (!rec_find(r, key, interp, &f))
		return 0;
	if (f.kind == V_BARE && ((f.vlen == 6 && memcmp(f.val, "(null)", 6)
	    == 0) || (f.vlen == 6 && memcmp(f.val, "(none)", 6) == 0) ||
	    (f.vlen == 1 && f.val[0] == '?')))
		return 0;
	value_decode(b, &f, hexable);
	return !b->oom;
}

/* Field key of r as a decimal or (base 16) hex integer. */
static int
rec_num(const struct rec *r, const char *key, int base, int64_t *v)
{
	struct field f;
	char tmp[32];
	char *e;
	long long n;
	unsigned long long u;

	if (!rec_find(r, key, 0, &f) || f.vlen == 0 || f.vlen >= sizeof(tmp))
		return 0;
	memcpy(tmp, f.val, f.vlen);
	tmp[f.vlen] = '\0';
	if (base == 16) {
		u = strtoull(tmp, &e, 16);
		if (*e != '\0' || tmp[0] == '-')
			return 0;
		*v = (int64_t)u;
		return 1;
	}
	n = strtoll(tmp, &e, 10);
	if (*e != '\0')
		return 0;
	*v = n;
	return 1;
}

/* ---- record lines ---- */

static int
type_number(const char *name, size_t n)
{
	size_t i;
	long v;

	if (n > 9 && memcmp(name, "UNKNOWN[", 8) == 0 && name[n - 1] == ']') {
		v = 0;
		for (i = 8; i < n - 1; i++) {
			if (name[i] < '0' || name[i] > '9' || v > 100000)
				return 0;
			v = v * 10 + (name[i] - '0');
		}
		return (int)v;
	}
	for (i = 0; i < sizeof(rtypes) / sizeof(rtypes[0]); i++)
		if (strlen(rtypes[i].name) == n &&
		    memcmp(rtypes[i].name, name, n) == 0)
			return rtypes[i].type;
	return 0;
}

/* Whether a record of type t ends its event (libauparse). */
static int
ends_event(int t)
{
	return t == T_EOE || t == T_PROCTITLE ||
	    (t > T_LOGIN && t < T_FIRST_EVENT) || t == T_USER ||
	    t == T_KERNEL || t >= T_FIRST_ANOM ||
	    (t >= T_MAC_UNLBL_ALLOW && t <= T_MAC_CALIPSO_DEL);
}

/* Parse digits [p, end) into *v; at most maxd digits. */
static const char *
digits(const char *p, const char *end, int maxd, uint64_t *v, int *nd)
{
	*v = 0;
	*nd = 0;
	while (p < end && *p >= '0' && *p <= '9') {
		if (*nd >= maxd)
			return NULL;
		*v = *v * 10 + (uint64_t)(*p - '0');
		(*nd)++;
		p++;
	}
	return p;
}

/* Whether [s, s+n) is valid UTF-8. */
static int
valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	uint32_t cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			need = 1;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			need = 2;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			need = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (i + need >= n)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/*
 * Split one line into r (which takes a copy) and its event key.  Returns
 * NULL on success or a reason for the problem.
 */
static const char *
parse_line(const char *line, size_t len, int64_t lineno, struct rec *r,
    char **node, int64_t *sec, int32_t *nsec, uint64_t *serial)
{
	const char *p = line, *end = line + len, *s;
	uint64_t v;
	int nd, i;

	*node = NULL;
	if (memchr(line, '\0', len) != NULL)
		return "NUL byte in record";
	if (!valid_utf8((const unsigned char *)line, len))
		return "invalid UTF-8 in record";
	if (len >= 5 && memcmp(p, "node=", 5) == 0) {
		s = p + 5;
		while (p < end && *p != ' ')
			p++;
		if ((*node = strndup(s, (size_t)(p - s))) == NULL)
			return "out of memory";
		while (p < end && *p == ' ')
			p++;
	}
	if (end - p < 5 || memcmp(p, "type=", 5) != 0)
		goto bad_type;
	p += 5;
	s = p;
	while (p < end && *p != ' ')
		p++;
	if (p == s)
		goto bad_type;
	r->tname = (size_t)(s - line);
	r->tnlen = (size_t)(p - s);
	r->type = type_number(s, r->tnlen);
	while (p < end && *p == ' ')
		p++;
	if (end - p < 10 || memcmp(p, "msg=audit(", 10) != 0)
		goto bad_time;
	p += 10;
	if ((p = digits(p, end, 12, &v, &nd)) == NULL || nd == 0)
		goto bad_time;
	*sec = (int64_t)v;
	if (p >= end || *p != '.')
		goto bad_time;
	p++;
	if ((p = digits(p, end, 9, &v, &nd)) == NULL || nd == 0)
		goto bad_time;
	for (i = nd; i < 9; i++)
		v *= 10;
	*nsec = (int32_t)v;
	if (p >= end || *p != ':')
		goto bad_time;
	p++;
	if ((p = digits(p, end, 19, &v, &nd)) == NULL || nd == 0)
		goto bad_time;
	*serial = v;
	if (p >= end || *p != ')')
		goto bad_time;
	p++;
	if (p < end && *p == ':')
		p++;
	if ((r->text = malloc(len + 1)) == NULL) {
		free(*node);
		*node = NULL;
		return "out of memory";
	}
	memcpy(r->text, line, len);
	r->text[len] = '\0';
	r->len = len;
	r->body = (size_t)(p - line);
	s = memchr(p, INTERP_SEP, (size_t)(end - p));
	r->body_end = s != NULL ? (size_t)(s - line) : len;
	r->line = lineno;
	return NULL;
bad_type:
	free(*node);
	*node = NULL;
	return "no record type";
bad_time:
	free(*node);
	*node = NULL;
	return "no audit(time:serial) stamp";
}

/* ---- events ---- */

static void
event_free(struct aevent *ev)
{
	size_t i;

	if (ev == NULL)
		return;
	for (i = 0; i < ev->nrecs; i++)
		free(ev->recs[i].text);
	free(ev->recs);
	free(ev->node);
	free(ev);
}

static const struct rec *
first_of(const struct aevent *ev, int type)
{
	size_t i;

	for (i = 0; i < ev->nrecs; i++)
		if (ev->recs[i].type == type)
			return &ev->recs[i];
	return NULL;
}

static int
name_in(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return 1;
	return 0;
}

/* Control characters out of a message. */
static void
tame(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* The argv of an event, from its EXECVE records, else PROCTITLE. */
struct arg {
	int64_t i, j;		/* argument, chunk (-1: whole) */
	const struct rec *r;
	struct field f;
};

static int
arg_cmp(const void *a, const void *b)
{
	const struct arg *x = a, *y = b;

	if (x->i != y->i)
		return x->i < y->i ? -1 : 1;
	if (x->j != y->j)
		return x->j < y->j ? -1 : 1;
	return 0;
}

/* Parse "aN" or "aN[M]"; returns 1 and sets *i, *j (-1 for none). */
static int
arg_key(const struct field *f, int64_t *i, int64_t *j)
{
	const char *p = f->key, *end = f->key + f->klen;
	uint64_t v;
	int nd;

	if (p >= end || *p != 'a')
		return 0;
	if ((p = digits(p + 1, end, 9, &v, &nd)) == NULL || nd == 0)
		return 0;
	*i = (int64_t)v;
	*j = -1;
	if (p == end)
		return 1;
	if (*p != '[')
		return 0;
	if ((p = digits(p + 1, end, 9, &v, &nd)) == NULL || nd == 0 ||
	    p + 1 != end || *p != ']')
		return 0;
	*j = (int64_t)v;
	return 1;
}

struct argv {
	char **v;
	size_t n;
};

static void
argv_free(struct argv *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

static int
argv_push(struct argv *a, const char *s, size_t n)
{
	char **nv;

	if (a->n >= ARGS_MAX)
		return 0;
	if ((nv = realloc(a->v, (a->n + 1) * sizeof(*nv))) == NULL)
		return -1;
	a->v = nv;
	if ((a->v[a->n] = strndup(s, n)) == NULL)
		return -1;
	a->n++;
	return 0;
}

static int
event_argv(const struct aevent *ev, struct argv *out)
{
	struct arg *args = NULL, *na;
	size_t nargs = 0, cap = 0, k, i;
	const char *p, *end;
	struct field f;
	struct sp_strbuf b = { 0 };
	int64_t ai, aj, argc = -1, next;
	int rc = 0;

	for (k = 0; k < ev->nrecs; k++) {
		const struct rec *r = &ev->recs[k];

		if (r->type != T_EXECVE)
			continue;
		p = r->text + r->body;
		end = r->text + r->body_end;
		while (next_field(&p, end, &f)) {
			if (key_is(&f, "argc") && argc < 0) {
				int64_t v;
				if (rec_num(r, "argc", 10, &v) && v >= 0)
					argc = v;
				continue;
			}
			if (!arg_key(&f, &ai, &aj) || ai >= ARGS_MAX)
				continue;
			if (nargs == cap) {
				cap = cap ? cap * 2 : 64;
				if ((na = realloc(args, cap * sizeof(*na))) ==
				    NULL) {
					rc = -1;
					goto out;
				}
				args = na;
			}
			args[nargs].i = ai;
			args[nargs].j = aj;
			args[nargs].r = r;
			args[nargs].f = f;
			nargs++;
		}
	}
	if (nargs > 0) {
		qsort(args, nargs, sizeof(*args), arg_cmp);
		next = 0;
		for (k = 0; k < nargs; ) {
			ai = args[k].i;
			/* arguments the kernel left out stay empty */
			while (next < ai && out->n < ARGS_MAX) {
				if (argv_push(out, "", 0) < 0) {
					rc = -1;
					goto out;
				}
				next++;
			}
			sp_strbuf_reset(&b);
			for (i = k; i < nargs && args[i].i == ai; i++)
				if (args[i].j >= 0 || i == k)
					value_decode(&b, &args[i].f, 1);
			if (b.oom || argv_push(out, sp_strbuf_str(&b), b.len) < 0) {
				rc = -1;
				goto out;
			}
			next = ai + 1;
			k = i;
		}
		(void)argc;
		goto out;
	}
	/* no EXECVE: the proctitle, NUL-separated */
	if (rec_str(first_of(ev, T_PROCTITLE), "proctitle", 1, 0, &b)) {
		const char *s = b.buf, *e = b.buf + b.len, *z;

		while (s < e) {
			z = memchr(s, '\0', (size_t)(e - s));
			if (z == NULL)
				z = e;
			if (argv_push(out, s, (size_t)(z - s)) < 0) {
				rc = -1;
				goto out;
			}
			s = z + 1;
		}
	}
out:
	free(args);
	sp_strbuf_release(&b);
	return rc;
}

/* The socket address of a SOCKADDR record. */
struct sockaddr_text {
	char family[16];
	char address[128];
	int64_t port;		/* -1: none */
	int have_address;
};

static void
decode_saddr(const struct rec *r, struct sockaddr_text *sa)
{
	unsigned char buf[256];
	struct field f;
	size_t n, i;
	unsigned fam;
	char tmp[INET6_ADDRSTRLEN];

	memset(sa, 0, sizeof(*sa));
	sa->port = -1;
	if (!rec_find(r, "saddr", 0, &f) || !is_hex(f.val, f.vlen))
		return;
	n = f.vlen / 2;
	if (n > sizeof(buf))
		n = sizeof(buf);
	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)(sp_hexval((unsigned char)f.val[2 * i])
		    << 4 | sp_hexval((unsigned char)f.val[2 * i + 1]));
	if (n < 2)
		return;
	fam = buf[0] | (unsigned)buf[1] << 8;
	switch (fam) {
	case 2:
		snprintf(sa->family, sizeof(sa->family), "ipv4");
		if (n >= 8) {
			sa->port = buf[2] << 8 | buf[3];
			if (inet_ntop(AF_INET, buf + 4, tmp, sizeof(tmp))) {
				snprintf(sa->address, sizeof(sa->address),
				    "%s", tmp);
				sa->have_address = 1;
			}
		}
		break;
	case 10:
		snprintf(sa->family, sizeof(sa->family), "ipv6");
		if (n >= 4)
			sa->port = buf[2] << 8 | buf[3];
		if (n >= 24 && inet_ntop(AF_INET6, buf + 8, tmp, sizeof(tmp))) {
			snprintf(sa->address, sizeof(sa->address), "%s", tmp);
			sa->have_address = 1;
		}
		break;
	case 1:
		snprintf(sa->family, sizeof(sa->family), "unix");
		if (n > 2) {
			/* abstract names start with a NUL, shown as '@' */
			size_t s = 2, k = 0;

			if (buf[2] == '\0') {
				sa->address[k++] = '@';
				s = 3;
			}
			for (i = s; i < n && buf[i] != '\0' &&
			    k + 1 < sizeof(sa->address); i++)
				sa->address[k++] = (char)buf[i];
			sa->address[k] = '\0';
			sa->have_address = k > 0;
		}
		break;
	case 16:
		snprintf(sa->family, sizeof(sa->family), "netlink");
		break;
	default:
		snprintf(sa->family, sizeof(sa->family), "%u", fam);
		break;
	}
}

/* The name of PATH record r made absolute with cwd. */
static void
path_of(const struct rec *r, const char *cwd, struct sp_strbuf *out)
{
	struct sp_strbuf name = { 0 };
	const char *n;

	sp_strbuf_reset(out);
	if (!rec_str(r, "name", 1, 0, &name)) {
		sp_strbuf_release(&name);
		return;
	}
	n = sp_strbuf_str(&name);
	if (n[0] != '/' && cwd != NULL && cwd[0] != '\0') {
		while (n[0] == '.' && n[1] == '/')
			n += 2;
		sp_strbuf_add(out, cwd);
		if (out->len > 0 && out->buf[out->len - 1] != '/')
			sp_strbuf_addn(out, "/", 1);
	}
	sp_strbuf_add(out, n);
	sp_strbuf_release(&name);
}

static int
nametype_is(const struct rec *r, const char *type)
{
	struct sp_strbuf b = { 0 };
	int rc;

	rc = rec_str(r, "nametype", 0, 0, &b) && strcmp(sp_strbuf_str(&b), type) == 0;
	sp_strbuf_release(&b);
	return rc;
}

/*
 * The PATH record an event is about: the last one of nametype want (NULL:
 * the last that is not a PARENT, else the last).
 */
static const struct rec *
pick_path(const struct aevent *ev, const char *want)
{
	const struct rec *r, *any = NULL, *notparent = NULL, *match = NULL;
	size_t i;

	for (i = 0; i < ev->nrecs; i++) {
		r = &ev->recs[i];
		if (r->type != T_PATH)
			continue;
		any = r;
		if (!nametype_is(r, "PARENT"))
			notparent = r;
		if (want != NULL && nametype_is(r, want))
			match = r;
	}
	if (match != NULL)
		return match;
	return notparent != NULL ? notparent : any;
}

/* Add field key of r, a number, to the extra as as. */
static void
extra_num_as(struct sp_extra *x, const struct rec *r, const char *key,
    const char *as)
{
	int64_t v;

	if (rec_num(r, key, 10, &v))
		sp_extra_int(x, as, v);
}

static void
extra_num(struct sp_extra *x, const struct rec *r, const char *key)
{
	extra_num_as(x, r, key, key);
}

static void
extra_str(struct sp_extra *x, const struct rec *r, const char *key,
    const char *as, int hexable)
{
	struct sp_strbuf b = { 0 };

	if (rec_str(r, key, hexable, 0, &b))
		sp_extra_strn(x, as, b.buf, b.len);
	sp_strbuf_release(&b);
}

/*
 * The name of the uid in field key of r into out: the ENRICHED field
 * iname (the host's own resolution when it wrote the record), else the
 * source's /etc/passwd.  Returns 1 when one of them names it.
 */
static int
name_of(const struct rec *r, const char *key, const char *iname,
    const struct sp_users *users, struct sp_strbuf *out)
{
	const char *n;
	int64_t v;

	if (rec_str(r, iname, 0, 1, out) && out->len > 0 &&
	    strcmp(sp_strbuf_str(out), "unset") != 0 &&
	    strncmp(sp_strbuf_str(out), "unknown(", 8) != 0)
		return 1;
	sp_strbuf_reset(out);
	if (rec_num(r, key, 10, &v) && v >= 0 && v < UINT32_MAX &&
	    (n = sp_users_name(users, v)) != NULL) {
		sp_strbuf_add(out, n);
		return !out->oom;
	}
	return 0;
}

/* The user of r: the name of its uid (name_of), else the uid itself. */
static void
user_of(const struct rec *r, const char *key, const char *iname,
    const struct sp_users *users, struct sp_strbuf *out)
{
	if (name_of(r, key, iname, users, out))
		return;
	rec_str(r, key, 0, 0, out);
}

/* The names of r's uid and auid, as uid_name and auid_name. */
static void
extra_names(struct sp_extra *x, const struct rec *r,
    const struct sp_users *users)
{
	struct sp_strbuf b = { 0 };

	if (name_of(r, "uid", "UID", users, &b))
		sp_extra_strn(x, "uid_name", b.buf, b.len);
	sp_strbuf_reset(&b);
	if (name_of(r, "auid", "AUID", users, &b))
		sp_extra_strn(x, "auid_name", b.buf, b.len);
	sp_strbuf_release(&b);
}

static const char *const open_calls[] = { "open", "openat", "openat2",
	"creat", NULL };
static const char *const unlink_calls[] = { "unlink", "unlinkat", "rmdir",
	NULL };
static const char *const rename_calls[] = { "rename", "renameat",
	"renameat2", NULL };
static const char *const create_calls[] = { "mkdir", "mkdirat", "link",
	"linkat", "symlink", "symlinkat", "mknod", "mknodat", "truncate", NULL };
static const char *const user_change_types[] = { "ADD_USER", "DEL_USER",
	"ADD_GROUP", "DEL_GROUP", "USER_MGMT", "GRP_MGMT", "USER_CHAUTHTOK",
	"GRP_CHAUTHTOK", "CHUSER_ID", "CHGRP_ID", "ACCT_LOCK", "ACCT_UNLOCK",
	NULL };

/* What event_classify makes of an assembled event. */
struct audit_view {
	const struct rec *sc;		/* the SYSCALL record, or NULL */
	const struct rec *first;	/* the record that names the event */
	const struct rec *login;	/* a LOGIN naming a generic event */
	struct sp_strbuf user, exe, cwd, comm, path, path2;
	struct sp_strbuf tmp;		/* the syscall's name */
	struct sp_strbuf tname;		/* the type's name */
	struct argv argv;
	struct sockaddr_text sa;
	const char *desc;
	const struct sp_users *users;	/* the source's, or NULL */
	int64_t nr, uid, pid, ppid;
	int is_exec, success_no;
	int in_progress;	/* a non-blocking connect: EINPROGRESS */
};

static void
view_release(struct audit_view *av)
{
	argv_free(&av->argv);
	sp_strbuf_release(&av->user);
	sp_strbuf_release(&av->exe);
	sp_strbuf_release(&av->cwd);
	sp_strbuf_release(&av->comm);
	sp_strbuf_release(&av->path);
	sp_strbuf_release(&av->path2);
	sp_strbuf_release(&av->tmp);
	sp_strbuf_release(&av->tname);
}

/*
 * What the event is: its kind (exec, connect, open, login ...), who, which
 * program and which paths.  Returns 0 or SP_E_NOMEM.
 */
static int
event_classify(const struct aevent *ev, struct audit_view *av)
{
	const struct rec *pr, *pr2;
	const char *sname = NULL;
	int64_t v, flags;
	uint32_t arch = 0;
	size_t i;

	av->desc = "entry";
	av->nr = av->uid = av->pid = av->ppid = -1;
	av->sc = first_of(ev, T_SYSCALL);
	av->first = &ev->recs[0];
	/* the record that names the event: not an EOE or a PROCTITLE */
	for (i = 0; i < ev->nrecs; i++)
		if (ev->recs[i].type != T_EOE &&
		    ev->recs[i].type != T_PROCTITLE) {
			av->first = &ev->recs[i];
			break;
		}
	if (av->sc != NULL)
		av->first = av->sc;
	sp_strbuf_addn(&av->tname, av->first->text + av->first->tname, av->first->tnlen);
	rec_str(first_of(ev, T_CWD), "cwd", 1, 0, &av->cwd);
	memset(&av->sa, 0, sizeof(av->sa));
	av->sa.port = -1;
	if ((pr = first_of(ev, T_SOCKADDR)) != NULL)
		decode_saddr(pr, &av->sa);

	if (av->sc != NULL) {
		if (rec_num(av->sc, "arch", 16, &v))
			arch = (uint32_t)v;
		/* the ENRICHED name, else the table's */
		if (rec_num(av->sc, "syscall", 10, &av->nr) &&
		    !(rec_str(av->sc, "SYSCALL", 0, 1, &av->tmp) && av->tmp.len > 0 &&
		    strspn(sp_strbuf_str(&av->tmp), "abcdefghijklmnopqrstuvwxyz"
		    "0123456789_") == av->tmp.len)) {
			sp_strbuf_reset(&av->tmp);
			if ((sname = sp_syscall_name(arch, av->nr)) != NULL)
				sp_strbuf_add(&av->tmp, sname);
		}
		sname = sp_strbuf_str(&av->tmp);
		if (strcmp(sname, "socketcall") == 0 &&
		    rec_num(av->sc, "a0", 16, &v) && v == 3)
			sname = "connect";
		user_of(av->sc, "uid", "UID", av->users, &av->user);
		if (rec_num(av->sc, "uid", 10, &v))
			av->uid = v;
		rec_str(av->sc, "exe", 1, 0, &av->exe);
		rec_str(av->sc, "comm", 1, 0, &av->comm);
		if (rec_num(av->sc, "pid", 10, &v))
			av->pid = v;
		if (rec_num(av->sc, "ppid", 10, &v))
			av->ppid = v;
		if (rec_str(av->sc, "success", 0, 0, &av->path2) &&
		    strcmp(sp_strbuf_str(&av->path2), "no") == 0)
			av->success_no = 1;
		sp_strbuf_reset(&av->path2);
		/*
		 * connect() on a non-blocking socket returns EINPROGRESS
		 * while the connection is made: the audit record says
		 * success=no, but nothing has failed yet
		 */
		if (av->success_no && strcmp(sname, "connect") == 0 &&
		    rec_num(av->sc, "exit", 10, &v) && v == -SP_EINPROGRESS)
			av->in_progress = 1;

		if (strcmp(sname, "execve") == 0 ||
		    strcmp(sname, "execveat") == 0 ||
		    first_of(ev, T_EXECVE) != NULL) {
			av->desc = "exec";
			av->is_exec = 1;
		} else if (strcmp(sname, "connect") == 0)
			av->desc = "connect";
		else if (name_in(sname, open_calls) &&
		    (pr = pick_path(ev, NULL)) != NULL) {
			av->desc = "open";
			flags = -1;
			if (strcmp(sname, "creat") == 0)
				av->desc = "write";
			else if (strcmp(sname, "open") == 0)
				rec_num(av->sc, "a1", 16, &flags);
			else if (strcmp(sname, "openat") == 0)
				rec_num(av->sc, "a2", 16, &flags);
			/* O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND */
			if (flags >= 0 && (flags & 0x643) != 0)
				av->desc = "write";
			if (flags < 0 && nametype_is(pr, "CREATE"))
				av->desc = "write";
			path_of(pr, av->cwd.buf, &av->path);
		} else if (name_in(sname, unlink_calls) &&
		    (pr = pick_path(ev, "DELETE")) != NULL) {
			av->desc = "unlink";
			path_of(pr, av->cwd.buf, &av->path);
		} else if (name_in(sname, rename_calls) &&
		    (pr = pick_path(ev, "CREATE")) != NULL) {
			av->desc = "rename";
			path_of(pr, av->cwd.buf, &av->path);
			if ((pr2 = pick_path(ev, "DELETE")) != NULL &&
			    nametype_is(pr2, "DELETE"))
				path_of(pr2, av->cwd.buf, &av->path2);
		} else if (name_in(sname, create_calls) &&
		    (pr = pick_path(ev, "CREATE")) != NULL) {
			av->desc = "write";
			path_of(pr, av->cwd.buf, &av->path);
		} else if ((pr = pick_path(ev, NULL)) != NULL)
			path_of(pr, av->cwd.buf, &av->path);
	} else {
		const char *t = sp_strbuf_str(&av->tname);
		struct sp_strbuf res = { 0 };
		int failed;

		failed = rec_str(av->first, "res", 0, 0, &res) &&
		    (strcmp(sp_strbuf_str(&res), "failed") == 0 ||
		    strcmp(sp_strbuf_str(&res), "0") == 0);
		sp_strbuf_release(&res);
		if (first_of(ev, T_EXECVE) != NULL) {
			/* an EXECVE whose SYSCALL record is lost */
			av->desc = "exec";
			av->is_exec = 1;
		} else if (strcmp(t, "USER_LOGIN") == 0)
			av->desc = failed ? "login_failed" : "login";
		else if (strcmp(t, "USER_AUTH") == 0 && failed)
			av->desc = "login_failed";
		else if (strcmp(t, "USER_LOGOUT") == 0)
			av->desc = "logout";
		else if (strcmp(t, "USER_START") == 0)
			av->desc = "session_open";
		else if (strcmp(t, "USER_END") == 0)
			av->desc = "session_close";
		else if (name_in(t, user_change_types))
			av->desc = "user_change";
		else if (strcmp(t, "SYSTEM_BOOT") == 0)
			av->desc = "boot";
		else if (strcmp(t, "SYSTEM_SHUTDOWN") == 0)
			av->desc = "shutdown";
		else if (strcmp(t, "USER_CMD") == 0)
			av->desc = "command";
		/* the account: acct=, else the id= the ENRICHED part names */
		if (!rec_str(av->first, "acct", 1, 0, &av->user) &&
		    !rec_str(av->first, "ID", 0, 1, &av->user) &&
		    !rec_str(av->first, "id", 0, 0, &av->user))
			user_of(av->first, "uid", "UID", av->users,
			    &av->user);
		if (rec_num(av->first, "uid", 10, &v))
			av->uid = v;
		rec_str(av->first, "exe", 1, 0, &av->exe);
		rec_str(av->first, "comm", 1, 0, &av->comm);
		if (rec_num(av->first, "pid", 10, &v))
			av->pid = v;
		if (strcmp(av->desc, "command") == 0 && av->exe.len >= 5 &&
		    strcmp(av->exe.buf + av->exe.len - 5, "/sudo") == 0)
			av->desc = "sudo";
	}
	if (event_argv(ev, &av->argv) < 0)
		return SP_E_NOMEM;
	/* a LOGIN record (auid set) names a syscall event left generic */
	if ((pr = first_of(ev, T_LOGIN)) != NULL && strcmp(av->desc, "entry") == 0) {
		sp_strbuf_reset(&av->tname);
		sp_strbuf_add(&av->tname, "LOGIN");
		av->login = pr;
	}
	return 0;
}

/* "SECCOMP CALL by COMM (ACTION)": what a seccomp filter stopped. */
static void
seccomp_message(const struct audit_view *av, struct sp_strbuf *msg)
{
	const char *name = NULL;
	int64_t arch, nr, code;

	sp_strbuf_add(msg, "SECCOMP ");
	if (rec_num(av->first, "syscall", 10, &nr)) {
		if (rec_num(av->first, "arch", 16, &arch))
			name = sp_syscall_name((uint32_t)arch, nr);
		if (name != NULL)
			sp_strbuf_add(msg, name);
		else
			sp_strbuf_addf(msg, "syscall %lld", (long long)nr);
	} else
		sp_strbuf_add(msg, "?");
	sp_strbuf_add(msg, " by ");
	sp_strbuf_add(msg, av->comm.len ? av->comm.buf : av->exe.len ?
	    av->exe.buf : "?");
	if (rec_num(av->first, "code", 16, &code))
		sp_strbuf_addf(msg, " (code 0x%llx)",
		    (unsigned long long)(uint64_t)code);
}

/* "AVC denied { read } for COMM on NAME (CLASS)". */
static void
avc_message(const struct audit_view *av, struct sp_strbuf *msg)
{
	const char *p = av->first->text + av->first->body;
	const char *end = av->first->text + av->first->body_end, *q, *e;
	struct sp_strbuf f = { 0 };
	int space;

	sp_strbuf_add(msg, sp_strbuf_str(&av->tname));
	if ((q = memmem(p, (size_t)(end - p), "avc:", 4)) != NULL) {
		for (q += 4; q < end && *q == ' '; q++)
			;
		/* "denied  { read write }", up to " for ", spaces folded */
		if ((e = memmem(q, (size_t)(end - q), " for ", 5)) == NULL)
			e = q;
		for (space = 1; q < e; q++) {
			if (*q == ' ') {
				space = 1;
				continue;
			}
			if (space)
				sp_strbuf_addn(msg, " ", 1);
			space = 0;
			sp_strbuf_addn(msg, q, 1);
		}
	}
	if (rec_str(av->first, "comm", 1, 0, &f)) {
		sp_strbuf_add(msg, " for ");
		sp_strbuf_addn(msg, f.buf, f.len);
	}
	if (rec_str(av->first, "path", 1, 0, &f) ||
	    rec_str(av->first, "name", 1, 0, &f)) {
		sp_strbuf_add(msg, " on ");
		sp_strbuf_addn(msg, f.buf, f.len);
	}
	if (rec_str(av->first, "tclass", 0, 0, &f)) {
		sp_strbuf_add(msg, " (");
		sp_strbuf_addn(msg, f.buf, f.len);
		sp_strbuf_add(msg, ")");
	}
	sp_strbuf_release(&f);
}

/* The human summary of the event into msg; returns 0 or SP_E_NOMEM. */
static int
event_message(const struct audit_view *av, struct sp_strbuf *msg)
{
	int64_t v;
	size_t i;

	sp_strbuf_add(msg, av->desc);
	sp_strbuf_add(msg, ": ");
	if (av->is_exec) {
		size_t start = msg->len;

		for (i = 0; i < av->argv.n && msg->len - start < MSG_ARGV_MAX; i++) {
			if (i > 0)
				sp_strbuf_addn(msg, " ", 1);
			sp_strbuf_add(msg, av->argv.v[i]);
		}
		if (msg->len - start > MSG_ARGV_MAX) {
			msg->len = start + MSG_ARGV_MAX;
			msg->buf[msg->len] = '\0';
			sp_strbuf_add(msg, "...");
		} else if (i < av->argv.n)
			sp_strbuf_add(msg, " ...");
		if (av->argv.n == 0)
			sp_strbuf_add(msg, av->exe.len ? av->exe.buf : "?");
	} else if (strcmp(av->desc, "connect") == 0) {
		sp_strbuf_add(msg, av->comm.len ? av->comm.buf : av->exe.len ? av->exe.buf : "?");
		if (av->sa.have_address) {
			sp_strbuf_add(msg, " to ");
			sp_strbuf_add(msg, av->sa.address);
			if (av->sa.port >= 0)
				sp_strbuf_addf(msg, " port %lld", (long long)av->sa.port);
		}
	} else if (av->sc != NULL && av->path.len > 0) {
		sp_strbuf_add(msg, av->path.buf);
		if (av->path2.len > 0) {
			sp_strbuf_add(msg, " from ");
			sp_strbuf_add(msg, av->path2.buf);
		}
		sp_strbuf_add(msg, " by ");
		sp_strbuf_add(msg, av->comm.len ? av->comm.buf : av->exe.len ? av->exe.buf : "?");
		if (strcmp(av->desc, "entry") == 0 && av->tmp.len > 0) {
			sp_strbuf_add(msg, " (");
			sp_strbuf_add(msg, av->tmp.buf);
			sp_strbuf_add(msg, ")");
		}
	} else if (av->sc != NULL) {
		sp_strbuf_add(msg, sp_strbuf_str(&av->tname));
		if (av->tmp.len > 0) {
			sp_strbuf_add(msg, " ");
			sp_strbuf_add(msg, av->tmp.buf);
		}
		sp_strbuf_add(msg, " by ");
		sp_strbuf_add(msg, av->comm.len ? av->comm.buf : av->exe.len ? av->exe.buf : "?");
	} else if (av->first->type == T_SECCOMP) {
		seccomp_message(av, msg);
	} else if (av->first->type == T_AVC ||
	    av->first->type == T_USER_AVC) {
		avc_message(av, msg);
	} else {
		struct sp_strbuf f = { 0 };

		sp_strbuf_add(msg, sp_strbuf_str(&av->tname));
		if (av->user.len > 0) {
			sp_strbuf_add(msg, " ");
			sp_strbuf_add(msg, av->user.buf);
		}
		if (rec_str(av->first, "addr", 0, 0, &f)) {
			sp_strbuf_add(msg, " from ");
			sp_strbuf_add(msg, f.buf);
		}
		if (rec_str(av->first, "terminal", 0, 0, &f)) {
			sp_strbuf_add(msg, " on ");
			sp_strbuf_add(msg, f.buf);
		}
		if (rec_str(av->first, "cmd", 1, 0, &f)) {
			sp_strbuf_add(msg, " ran ");
			sp_strbuf_addn(msg, f.buf, f.len > MSG_ARGV_MAX ? MSG_ARGV_MAX :
			    f.len);
		}
		if (av->exe.len > 0) {
			sp_strbuf_add(msg, " via ");
			sp_strbuf_add(msg, av->exe.buf);
		}
		if (rec_str(av->first, "res", 0, 0, &f)) {
			sp_strbuf_add(msg, " (");
			sp_strbuf_add(msg, f.buf);
			sp_strbuf_add(msg, ")");
		}
		if (strcmp(av->desc, "entry") == 0 && av->exe.len == 0 &&
		    av->first->body < av->first->body_end) {
			size_t n = av->first->body_end - av->first->body;
			const char *b = av->first->text + av->first->body;

			while (n > 0 && *b == ' ') {
				b++;
				n--;
			}
			sp_strbuf_add(msg, " ");
			sp_strbuf_addn(msg, b, n > 160 ? 160 : n);
			if (n > 160)
				sp_strbuf_add(msg, "...");
		}
		sp_strbuf_release(&f);
	}
	if (av->pid >= 0 || av->uid >= 0) {
		sp_strbuf_add(msg, " (");
		if (av->pid >= 0)
			sp_strbuf_addf(msg, "pid %lld", (long long)av->pid);
		if (av->ppid >= 0)
			sp_strbuf_addf(msg, ", ppid %lld", (long long)av->ppid);
		if (av->uid >= 0)
			sp_strbuf_addf(msg, "%suid %lld", av->pid >= 0 ? ", " : "",
			    (long long)av->uid);
		sp_strbuf_add(msg, ")");
	}
	if (av->in_progress)
		sp_strbuf_add(msg, " in progress (EINPROGRESS)");
	else if (av->success_no) {
		if (rec_num(av->sc, "exit", 10, &v))
			sp_strbuf_addf(msg, " failed, exit %lld", (long long)v);
		else
			sp_strbuf_add(msg, " failed");
	}
	return msg->oom || av->user.oom || av->exe.oom || av->path.oom ||
	    av->cwd.oom ? SP_E_NOMEM : 0;
}

/* The name of an audit arch= value, or NULL. */
static const char *
arch_name(uint32_t arch)
{
	switch (arch) {
	case SP_AUDIT_ARCH_X86_64:
		return "x86_64";
	case SP_AUDIT_ARCH_I386:
		return "i386";
	case SP_AUDIT_ARCH_AARCH64:
		return "aarch64";
	case 0x40000028u:
		return "arm";
	case 0x80000016u:
		return "s390x";
	case 0xc0000015u:
		return "ppc64le";
	case 0x80000015u:
		return "ppc64";
	case 0xc00000f3u:
		return "riscv64";
	default:
		return NULL;
	}
}

/*
 * A SECCOMP record (a filter's verdict on a system call): the call by
 * number and name, the architecture, the signal and the filter's action.
 */
static void
seccomp_fields(struct sp_extra *x, const struct aevent *ev,
    const struct audit_view *av)
{
	static const struct {
		uint32_t code;
		const char *action;
	} actions[] = {
		{ 0x80000000u, "kill_process" }, { 0x00000000u, "kill_thread" },
		{ 0x00030000u, "trap" }, { 0x00050000u, "errno" },
		{ 0x7fc00000u, "user_notif" }, { 0x7ff00000u, "trace" },
		{ 0x7ffc0000u, "log" }, { 0x7fff0000u, "allow" },
	};
	const struct rec *r = first_of(ev, T_SECCOMP);
	const char *name;
	int64_t arch = -1, nr, code;
	size_t i;

	if (r == NULL)
		return;
	if (rec_num(r, "arch", 16, &arch)) {
		if ((name = arch_name((uint32_t)arch)) != NULL)
			sp_extra_str(x, "arch", name);
		else
			extra_str(x, r, "arch", "arch", 0);
	}
	if (av->sc == NULL && rec_num(r, "syscall", 10, &nr)) {
		sp_extra_int(x, "syscall", nr);
		if ((name = sp_syscall_name((uint32_t)arch, nr)) != NULL)
			sp_extra_str(x, "syscall_name", name);
	}
	extra_num(x, r, "sig");
	extra_num(x, r, "compat");
	extra_str(x, r, "ip", "ip", 0);
	extra_str(x, r, "code", "code", 0);
	if (rec_num(r, "code", 16, &code))
		for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
			if (((uint32_t)code & 0xffff0000u) == actions[i].code) {
				sp_extra_str(x, "action", actions[i].action);
				break;
			}
	if (av->sc == NULL)
		extra_str(x, r, "comm", "comm", 1);
}

/*
 * An SELinux AVC record (kernel or user space): the decision, the
 * permissions, the subject and target contexts, the class and the
 * object (name, path, device, inode).
 */
static void
avc_fields(struct sp_extra *x, const struct aevent *ev,
    const struct audit_view *av)
{
	const struct rec *r = first_of(ev, T_AVC);
	const char *p, *end, *q;
	size_t n;

	if (r == NULL && (r = first_of(ev, T_USER_AVC)) == NULL)
		return;
	p = r->text + r->body;
	end = r->text + r->body_end;
	if ((q = memmem(p, (size_t)(end - p), "avc:", 4)) != NULL) {
		for (q += 4; q < end && *q == ' '; q++)
			;
		for (n = 0; q + n < end && q[n] != ' ' && q[n] != '\''; n++)
			;
		if (n > 0 && n < 16)
			sp_extra_strn(x, "avc", q, n);
		q += n;
		while (q < end && *q == ' ')
			q++;
		if (q < end && *q == '{' && (p = memchr(q, '}',
		    (size_t)(end - q))) != NULL) {
			sp_extra_array_begin(x, "permissions");
			for (q++; q < p; q += n) {
				while (q < p && *q == ' ')
					q++;
				for (n = 0; q + n < p && q[n] != ' '; n++)
					;
				if (n > 0) {
					struct sp_strbuf b = { 0 };

					sp_strbuf_addn(&b, q, n);
					if (!b.oom)
						sp_extra_array_str(x, b.buf);
					sp_strbuf_release(&b);
				}
			}
			sp_extra_array_end(x);
		}
	}
	extra_str(x, r, "scontext", "scontext", 0);
	extra_str(x, r, "tcontext", "tcontext", 0);
	extra_str(x, r, "tclass", "tclass", 0);
	extra_num(x, r, "permissive");
	extra_str(x, r, "capability", "capability", 0);
	extra_str(x, r, "name", "name", 1);
	if (av->path.len == 0)
		extra_str(x, r, "path", "path", 1);
	extra_str(x, r, "dev", "dev", 0);
	extra_num(x, r, "ino");
	if (av->sc == NULL)
		extra_str(x, r, "comm", "comm", 1);
}

/* The typed fields of the event into x. */
static void
event_fields(struct sp_extra *x, const struct aevent *ev,
    const struct audit_view *av)
{
	struct sp_strbuf tmp2 = { 0 };
	size_t i;

	sp_extra_begin(x);
	sp_extra_str(x, "type", sp_strbuf_str(&av->tname));
	sp_extra_int(x, "serial", ev->serial > INT64_MAX ? INT64_MAX :
	    (int64_t)ev->serial);
	if (ev->node != NULL)
		sp_extra_str(x, "node", ev->node);
	if (av->sc != NULL) {
		if (av->nr >= 0)
			sp_extra_int(x, "syscall", av->nr);
		if (av->tmp.len > 0)
			sp_extra_str(x, "syscall_name", av->tmp.buf);
		extra_str(x, av->sc, "success", "success", 0);
		extra_num(x, av->sc, "exit");
		if (av->in_progress && x->open)
			sp_json_kv_bool(&x->w, "in_progress", 1);
		extra_num(x, av->sc, "uid");
		extra_num(x, av->sc, "auid");
		extra_names(x, av->sc, av->users);
		extra_num(x, av->sc, "ses");
		extra_num(x, av->sc, "euid");
		extra_num(x, av->sc, "gid");
		extra_str(x, av->sc, "comm", "comm", 1);
		extra_str(x, av->sc, "tty", "tty", 0);
		extra_str(x, av->sc, "key", "key", 1);
		if (av->login != NULL) {
			extra_num_as(x, av->login, "old-auid", "old_auid");
			extra_num_as(x, av->login, "auid", "new_auid");
			extra_num_as(x, av->login, "ses", "new_ses");
		}
	} else {
		extra_num(x, av->first, "uid");
		extra_num(x, av->first, "auid");
		extra_names(x, av->first, av->users);
		extra_num(x, av->first, "ses");
		extra_num_as(x, av->first, "old-auid", "old_auid");
		extra_str(x, av->first, "op", "op", 0);
		extra_str(x, av->first, "acct", "acct", 1);
		extra_str(x, av->first, "id", "id", 0);
		extra_str(x, av->first, "hostname", "hostname", 0);
		extra_str(x, av->first, "addr", "addr", 0);
		extra_str(x, av->first, "terminal", "terminal", 0);
		extra_str(x, av->first, "res", "res", 0);
		extra_str(x, av->first, "cmd", "cmd", 1);
		extra_str(x, av->first, "data", "data", 1);
		if (av->cwd.len == 0)
			extra_str(x, av->first, "cwd", "cwd", 1);
	}
	if (av->cwd.len > 0)
		sp_extra_strn(x, "cwd", av->cwd.buf, av->cwd.len);
	seccomp_fields(x, ev, av);
	avc_fields(x, ev, av);
	if (av->is_exec) {
		sp_extra_array_begin(x, "argv");
		for (i = 0; i < av->argv.n; i++)
			sp_extra_array_str(x, av->argv.v[i]);
		sp_extra_array_end(x);
	} else if (av->argv.n > 0) {
		/* the command line of the process behind the event */
		sp_strbuf_reset(&tmp2);
		for (i = 0; i < av->argv.n; i++) {
			if (i > 0)
				sp_strbuf_addn(&tmp2, " ", 1);
			sp_strbuf_add(&tmp2, av->argv.v[i]);
		}
		if (!tmp2.oom)
			sp_extra_strn(x, "proctitle", tmp2.buf, tmp2.len);
	}
	if (av->path2.len > 0)
		sp_extra_str(x, "old_path", av->path2.buf);
	if (av->sa.family[0] != '\0') {
		sp_extra_str(x, "family", av->sa.family);
		if (av->sa.have_address)
			sp_extra_str(x, "address", av->sa.address);
		if (av->sa.port >= 0)
			sp_extra_int(x, "port", av->sa.port);
	}
	sp_extra_int(x, "records", (int64_t)ev->nrecs);
	if (ev->over)
		sp_extra_int(x, "truncated", 1);
	sp_strbuf_release(&tmp2);
}

/*
 * The number of the last field key of r: a LOGIN record of old kernels
 * says "old auid=4294967295 new auid=0", of new ones "old-auid=... auid=0",
 * and the last is the value the process has from then on.
 */
static int
rec_last_num(const struct rec *r, const char *key, int64_t *v)
{
	const char *p = r->text + r->body, *end = r->text + r->body_end;
	struct field f;
	char tmp[24], *e;
	int found = 0;

	while (next_field(&p, end, &f)) {
		if (!key_is(&f, key) || f.vlen == 0 || f.vlen >= sizeof(tmp))
			continue;
		memcpy(tmp, f.val, f.vlen);
		tmp[f.vlen] = '\0';
		*v = strtoll(tmp, &e, 10);
		found = *e == '\0';
	}
	return found;
}

/*
 * The process identity the event's records tell: ses=, auid= and tty=
 * of the SYSCALL or user record (4294967295 and "(none)" meaning unset),
 * else the terminal= of a user-space record when it names a device, and
 * the CWD record's cwd.  tty and cwd point into av or the records.
 */
static void
event_identity(const struct audit_view *av, struct sp_strbuf *tty,
    struct sp_event *e)
{
	const struct rec *r = av->sc != NULL ? av->sc : av->first;
	const char *t;
	int64_t v;

	if (rec_last_num(r, "ses", &v) && v >= 0 && v < UINT32_MAX)
		e->session = v;
	if (rec_last_num(r, "auid", &v) && v >= 0 && v < UINT32_MAX)
		e->auid = v;
	if (rec_str(r, "tty", 0, 0, tty) && tty->len > 0 &&
	    strcmp(sp_strbuf_str(tty), "(none)") != 0)
		e->tty = sp_strbuf_str(tty);
	else {
		sp_strbuf_reset(tty);
		if (rec_str(r, "terminal", 0, 0, tty)) {
			t = sp_strbuf_str(tty);
			if (strncmp(t, "/dev/", 5) == 0)
				t += 5;
			if (strncmp(t, "tty", 3) == 0 ||
			    strncmp(t, "pts/", 4) == 0 ||
			    strncmp(t, "console", 7) == 0)
				e->tty = t;
		}
	}
	e->cwd = av->cwd.len > 0 ? av->cwd.buf : NULL;
}

/* Turn one assembled event into a typed event and emit it. */
static int
event_emit(struct parser *ps, struct aevent *ev)
{
	struct audit_view av;
	struct sp_event e;
	struct sp_strbuf msg = { 0 }, tty = { 0 };
	int rc;

	if (ev->nrecs == 0)
		return 0;
	memset(&av, 0, sizeof(av));
	av.users = ps->ctx->users;
	sp_event_init(&e);
	e.time = sp_time_from_parts(ev->sec, ev->nsec);
	e.artifact = "audit";
	e.host = ev->node;
	e.line = ev->recs[0].line;
	e.boot_id = ev->boot[0] != '\0' ? ev->boot : NULL;
	if ((rc = event_classify(ev, &av)) != 0 ||
	    (rc = event_message(&av, &msg)) != 0)
		goto out;
	e.time_desc = av.desc;
	e.user = av.user.len > 0 ? av.user.buf : NULL;
	e.exe = av.exe.len > 0 ? av.exe.buf : NULL;
	e.path = av.path.len > 0 ? av.path.buf : NULL;
	e.pid = av.pid;
	e.ppid = av.ppid;
	event_identity(&av, &tty, &e);
	tame(msg.buf);
	e.message = msg.buf;
	event_fields(&ps->x, ev, &av);
	e.extra = sp_extra_text(&ps->x);
	rc = sp_artifact_emit(ps->ctx, &e);
out:
	view_release(&av);
	sp_strbuf_release(&msg);
	sp_strbuf_release(&tty);
	return rc;
}

/* Emit and drop the open event at index i. */
static int
finish(struct parser *ps, size_t i)
{
	struct aevent *ev = ps->open[i];
	int rc;

	memmove(&ps->open[i], &ps->open[i + 1],
	    (ps->nopen - i - 1) * sizeof(ps->open[0]));
	ps->nopen--;
	ps->open_bytes -= ev->bytes;
	rc = event_emit(ps, ev);
	event_free(ev);
	return rc;
}

static int
same_key(const struct aevent *ev, const char *node, int64_t sec,
    int32_t nsec, uint64_t serial)
{
	if (ev->sec != sec || ev->nsec != nsec || ev->serial != serial)
		return 0;
	if (ev->node == NULL || node == NULL)
		return ev->node == node;
	return strcmp(ev->node, node) == 0;
}

#define T_DAEMON_START	1200
#define IS_DAEMON(t)	((t) >= 1200 && (t) < 1300)

/*
 * Follow the boots of node.  The kernel numbers its records from boot
 * on, so a serial lower than the last is a new boot; auditd's own
 * records (DAEMON_*) carry its numbering, not the kernel's.  A
 * DAEMON_START announces a boot that the next serial restart confirms
 * (a restart of auditd alone restarts no serial); at the start of a log
 * nothing is known before it, and it is taken for the boot.
 */
static void
follow_boot(struct parser *ps, const struct rec *r, const char *node,
    sp_time_ns t, uint64_t serial)
{
	struct sp_boot *b = sp_boots_at(&ps->boots, node);

	if (r->type == T_DAEMON_START) {
		if (!b->have_serial && sp_boot_id(b) == NULL)
			sp_boot_begin(b, t);
		else {
			b->pending = 1;
			b->pending_time = t;
		}
		return;
	}
	if (IS_DAEMON(r->type))
		return;
	if (b->have_serial && serial < b->serial)
		sp_boot_begin(b, b->pending ? b->pending_time : t);
	b->pending = 0;
	b->serial = serial;
	b->have_serial = 1;
}

/* Add record r (taken over) to its event, then end what is complete. */
static int
add_record(struct parser *ps, struct rec *r, char *node, int64_t sec,
    int32_t nsec, uint64_t serial)
{
	struct aevent *ev = NULL;
	struct rec *nr;
	const char *boot;
	size_t i;
	int rc;

	follow_boot(ps, r, node, sp_time_from_parts(sec, nsec), serial);
	boot = sp_boot_id(sp_boots_at(&ps->boots, node));
	for (i = ps->nopen; i > 0; i--)
		if (same_key(ps->open[i - 1], node, sec, nsec, serial)) {
			ev = ps->open[i - 1];
			break;
		}
	if (ev == NULL) {
		if (r->type == T_EOE) {
			/* the EOE of an event already ended */
			free(r->text);
			free(node);
			return 0;
		}
		while (ps->nopen >= OPEN_MAX ||
		    (ps->nopen > 0 && ps->open_bytes + r->len > OPEN_BYTES_MAX))
			if ((rc = finish(ps, 0)) != 0) {
				free(r->text);
				free(node);
				return rc;
			}
		if ((ev = calloc(1, sizeof(*ev))) == NULL) {
			free(r->text);
			free(node);
			return sp_err_set(ps->err, SP_E_NOMEM, 0, "audit event");
		}
		ev->node = node;
		ev->sec = sec;
		ev->nsec = nsec;
		ev->serial = serial;
		if (boot != NULL)
			snprintf(ev->boot, sizeof(ev->boot), "%s", boot);
		ps->open[ps->nopen++] = ev;
	} else
		free(node);
	if (ev->nrecs >= EVENT_RECS_MAX || ev->bytes + r->len > EVENT_BYTES_MAX) {
		sp_artifact_problem(ps->ctx, r->line, "audit event %llu has "
		    "too many records: record skipped",
		    (unsigned long long)serial);
		ev->over = 1;
		free(r->text);
	} else {
		if (ev->nrecs == ev->cap) {
			size_t ncap = ev->cap ? ev->cap * 2 : 8;

			if ((nr = realloc(ev->recs, ncap * sizeof(*nr))) ==
			    NULL) {
				free(r->text);
				return sp_err_set(ps->err, SP_E_NOMEM, 0,
				    "audit record");
			}
			ev->recs = nr;
			ev->cap = ncap;
		}
		ev->recs[ev->nrecs++] = *r;
		ev->bytes += r->len;
		ps->open_bytes += r->len;
	}
	/* bound the memory of what is open: the oldest events go first */
	while (ps->nopen > 0 && ps->open_bytes > OPEN_BYTES_MAX)
		if ((rc = finish(ps, 0)) != 0)
			return rc;
	/* end events whose last record closes them or that are too old */
	for (i = 0; i < ps->nopen; ) {
		struct aevent *o = ps->open[i];

		if ((o->nrecs > 0 && ends_event(o->recs[o->nrecs - 1].type)) ||
		    (o->sec <= INT64_MAX - EOE_TIMEOUT &&
		    o->sec + EOE_TIMEOUT < sec)) {
			if ((rc = finish(ps, i)) != 0)
				return rc;
		} else
			i++;
	}
	return 0;
}

struct audit_lines {
	struct parser *ps;
	int64_t sec;
	int32_t nsec;
	uint64_t serial;
};

/* One line of the log: a record into its event. */
static int
audit_line(struct sp_artifact_ctx *ctx, struct sp_line *l, void *arg)
{
	struct audit_lines *al = arg;
	struct rec r;
	const char *why;
	char *node;

	if (l->too_long) {
		sp_artifact_problem(ctx, l->number, "line longer than %d "
		    "bytes", LINE_MAX_BYTES);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	why = parse_line(l->p, l->len, l->number, &r, &node, &al->sec,
	    &al->nsec, &al->serial);
	if (why != NULL) {
		if (strcmp(why, "out of memory") == 0)
			return sp_err_set(al->ps->err, SP_E_NOMEM, 0, "audit");
		sp_artifact_problem(ctx, l->number, "%s", why);
		return 0;
	}
	return add_record(al->ps, &r, node, al->sec, al->nsec, al->serial);
}

int
sp_parse_audit(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	struct parser ps;
	struct audit_lines al;
	int rc;

	memset(&ps, 0, sizeof(ps));
	memset(&al, 0, sizeof(al));
	ps.ctx = ctx;
	ps.err = err;
	al.ps = &ps;
	rc = sp_artifact_lines(ctx, in, LINE_MAX_BYTES,
	    SP_LINES_SKIP_EMPTY | SP_LINES_KEEP_BAD, audit_line, &al, err);
	while (rc == SP_OK && ps.nopen > 0)
		rc = finish(&ps, 0);
	while (ps.nopen > 0) {
		ps.nopen--;
		event_free(ps.open[ps.nopen]);
	}
	sp_extra_release(&ps.x);
	return rc;
}
