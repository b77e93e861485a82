/* SPDX-License-Identifier: Apache-2.0 */
/*
 * systemd journal files, read with libsystemd: one "entry" event per
 * journal entry, at its __REALTIME_TIMESTAMP, with the host, pid,
 * executable and MESSAGE, and the unit, command, identifier, priority,
 * uid, boot and sequence number as typed fields.
 *
 * libsystemd reads journals by mmap(2) of a regular file, so the stream
 * is used through its descriptor when it has one, and copied to a
 * temporary file otherwise (a pipe, a gzip stream, memory).  A journal cut
 * short (a partial copy, a carved file) is refused whole by libsystemd
 * because its header claims more bytes than the file holds; such a file
 * is copied and padded with a hole up to the claimed size, so the entries
 * before the cut are read and the ones past it end as a problem.  The
 * evidence itself is never written: only the private copy is padded.
 */
#include <sys/stat.h>

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "artifact/parsers.h"

#define JOURNAL_SIGNATURE	"LPKSHHRH"
#define JOURNAL_HEADER_MIN	208	/* header_size of the oldest format */
#define JOURNAL_PAD_MAX		(UINT64_C(16) << 30)	/* sparse, never written */
/*
 * At most this much missing is padded for libsystemd: journald grows a
 * file 8 MiB at a time and caps it at 128 MiB by default, so a cut real
 * journal lacks less; a header that claims gigabytes past a few kilobytes
 * made libsystemd walk the hole for tens of seconds and gigabytes of page
 * cache.
 */
#define JOURNAL_PAD_LIMIT	(UINT64_C(256) << 20)
#define MESSAGE_MAX		(64 * 1024)	/* bytes of MESSAGE kept */
#define FIELD_MAX		4096	/* bytes of any other field kept */

/* U+FFFD, which stands for a NUL byte of a MESSAGE. */
static const char replacement[] = "\xef\xbf\xbd";

/*
 * The entry being read: its journal, and the first field libsystemd could
 * not read (corrupt, compressed past reason, out of memory), with the
 * error, so that the entry kept without it is said to be partial.
 */
struct jread {
	sd_journal *j;
	const char *bad_field;
	int bad_errno;
};

/*
 * The value of field in the current entry, or NULL (and *len 0) when the
 * entry has none or it cannot be read.  Borrowed from libsystemd until the
 * next call.
 */
static const char *
field_value(struct jread *jr, const char *field, size_t *len)
{
	const void *data;
	size_t n, k = strlen(field);
	int r;

	*len = 0;
	if ((r = sd_journal_get_data(jr->j, field, &data, &n)) < 0) {
		if (r != -ENOENT && jr->bad_field == NULL) {
			jr->bad_field = field;
			jr->bad_errno = -r;
		}
		return NULL;
	}
	if (n <= k || memcmp(data, field, k) != 0 ||
	    ((const char *)data)[k] != '=')
		return NULL;
	*len = n - k - 1;
	return (const char *)data + k + 1;
}

/*
 * A NUL-terminated copy of field, cut at FIELD_MAX or its first NUL; NULL
 * when that leaves nothing (an empty value says no more than none).
 */
static char *
field_dup(struct jread *jr, const char *field)
{
	const char *v;
	size_t n;

	if ((v = field_value(jr, field, &n)) == NULL)
		return NULL;
	if (n > FIELD_MAX)
		n = FIELD_MAX;
	if (strnlen(v, n) == 0)
		return NULL;
	return strndup(v, n);
}

/* field as a decimal number in [0, max], or -1. */
static int64_t
field_int(struct jread *jr, const char *field, int64_t max)
{
	const char *v;
	int64_t x = 0;
	size_t n, i;

	/* 18 digits cannot overflow */
	if ((v = field_value(jr, field, &n)) == NULL || n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x <= max ? x : -1;
}

/*
 * The entry's sequence number, or -1.  libsystemd 252 has no
 * sd_journal_get_seqnum (it came in 254): the cursor holds it, in hex,
 * as "i=".
 */
static int64_t
entry_seqnum(sd_journal *j)
{
	char *cursor = NULL, *p, *end;
	unsigned long long v;
	int64_t seqnum = -1;

	if (sd_journal_get_cursor(j, &cursor) < 0)
		return -1;
	for (p = cursor; p != NULL; p = strchr(p, ';') ? strchr(p, ';') + 1 :
	    NULL)
		if (strncmp(p, "i=", 2) == 0) {
			errno = 0;
			v = strtoull(p + 2, &end, 16);
			if (errno == 0 && end != p + 2 &&
			    (*end == ';' || *end == '\0') && v <= INT64_MAX)
				seqnum = (int64_t)v;
			break;
		}
	free(cursor);
	return seqnum;
}

/*
 * MESSAGE as text: at most MESSAGE_MAX bytes, NUL bytes shown as U+FFFD
 * (the bytes are otherwise kept; invalid UTF-8 is the writers' concern).
 * *buf grows as needed; returns "" when the entry has no MESSAGE, NULL when
 * out of memory.
 */
static const char *
message_text(struct jread *jr, char **buf, size_t *cap)
{
	const char *v;
	size_t n, i, o, need;
	char *p;

	if ((v = field_value(jr, "MESSAGE", &n)) == NULL)
		return "";
	if (n > MESSAGE_MAX)
		n = MESSAGE_MAX;
	need = n * (sizeof(replacement) - 1) + 1;
	if (need > *cap) {
		if ((p = realloc(*buf, need)) == NULL)
			return NULL;
		*buf = p;
		*cap = need;
	}
	for (i = o = 0; i < n; i++) {
		if (v[i] == '\0') {
			memcpy(*buf + o, replacement, sizeof(replacement) - 1);
			o += sizeof(replacement) - 1;
		} else
			(*buf)[o++] = v[i];
	}
	(*buf)[o] = '\0';
	return *buf;
}

/* Copy the rest of in to the temporary file out. */
static int
copy_stream(FILE *in, FILE *out, struct sp_err *err)
{
	char buf[65536];
	size_t n;

	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			return sp_err_set(err, SP_E_IO, errno, "temporary file");
	if (ferror(in))
		return sp_err_set(err, SP_E_IO, errno, "read");
	if (fflush(out) != 0)
		return sp_err_set(err, SP_E_IO, errno, "temporary file");
	return SP_OK;
}

/* Copy the regular file fd, from its start, to the temporary file out. */
static int
copy_fd(int fd, FILE *out, struct sp_err *err)
{
	char buf[65536];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			return sp_err_set(err, SP_E_IO, errno, "temporary file");
		off += n;
	}
	if (n < 0)
		return sp_err_set(err, SP_E_IO, errno, "read");
	if (fflush(out) != 0)
		return sp_err_set(err, SP_E_IO, errno, "temporary file");
	return SP_OK;
}

/*
 * The size the header of the journal in fd claims (header and arena), or
 * 0 when it is no journal header or the claim is absurd; and the number
 * of entries it counts.
 */
static uint64_t
claimed_size(int fd, uint64_t *n_entries)
{
	unsigned char h[JOURNAL_HEADER_MIN];
	uint64_t hsize, arena;

	*n_entries = 0;
	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h, JOURNAL_SIGNATURE, 8) != 0)
		return 0;
	memcpy(&hsize, h + 88, 8);
	memcpy(&arena, h + 96, 8);
	memcpy(n_entries, h + 152, 8);
	hsize = le64toh(hsize);
	arena = le64toh(arena);
	*n_entries = le64toh(*n_entries);
	if (hsize < JOURNAL_HEADER_MIN || hsize > JOURNAL_PAD_MAX ||
	    arena > JOURNAL_PAD_MAX - hsize)
		return 0;
	return hsize + arena;
}

static int
emit_entry(struct sp_artifact_ctx *ctx, sd_journal *j, uint64_t nth,
    struct sp_extra *x, char **msgbuf, size_t *msgcap, struct sp_err *err)
{
	struct sp_event e;
	sd_id128_t boot_id;
	uint64_t usec;
	char *host = NULL, *exe = NULL, *unit = NULL, *comm = NULL;
	char *about = NULL, *ident = NULL, *boot = NULL;
	char tty[64], cwd[1024];
	int64_t v, seqnum;
	struct jread jr = { j, NULL, 0 };
	int r, rc = SP_OK;

	if ((r = sd_journal_get_realtime_usec(j, &usec)) < 0) {
		sp_artifact_problem(ctx, 0, "entry %" PRIu64 ": no time: %s",
		    nth, strerror(-r));
		return SP_OK;
	}
	if (usec > (uint64_t)(INT64_MAX / 1000)) {
		sp_artifact_problem(ctx, 0, "entry %" PRIu64 ": time %" PRIu64
		    " us out of range", nth, usec);
		return SP_OK;
	}
	sp_event_init(&e);
	e.time = (sp_time_ns)usec * 1000;
	e.time_desc = "entry";
	e.artifact = "journal";
	e.host = host = field_dup(&jr, "_HOSTNAME");
	e.pid = field_int(&jr, "_PID", INT32_MAX);
	e.exe = exe = field_dup(&jr, "_EXE");
	if ((e.message = message_text(&jr, msgbuf, msgcap)) == NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, ENOMEM, "journal MESSAGE");
		goto done;
	}
	unit = field_dup(&jr, "_SYSTEMD_UNIT");
	about = field_dup(&jr, "UNIT");
	comm = field_dup(&jr, "_COMM");
	ident = field_dup(&jr, "SYSLOG_IDENTIFIER");
	if ((boot = field_dup(&jr, "_BOOT_ID")) == NULL &&
	    sd_journal_get_monotonic_usec(j, NULL, &boot_id) >= 0 &&
	    (boot = malloc(SD_ID128_STRING_MAX)) != NULL)
		sd_id128_to_string(boot_id, boot);

	e.boot_id = boot;
	/* 4294967295 is the kernel's "unset" */
	e.session = field_int(&jr, "_AUDIT_SESSION", UINT32_MAX - 1);
	e.auid = field_int(&jr, "_AUDIT_LOGINUID", UINT32_MAX - 1);
	/* no trusted field names the tty: sudo and others say it */
	sp_message_tty_cwd(e.message, tty, sizeof(tty), cwd, sizeof(cwd));
	e.tty = tty[0] != '\0' ? tty : NULL;
	e.cwd = cwd[0] != '\0' ? cwd : NULL;

	sp_extra_begin(x);
	sp_extra_str(x, "unit", unit);
	sp_extra_str(x, "about_unit", about);
	sp_extra_str(x, "comm", comm);
	sp_extra_str(x, "syslog_identifier", ident);
	if ((v = field_int(&jr, "PRIORITY", 7)) >= 0)
		sp_extra_int(x, "priority", v);
	if ((v = field_int(&jr, "_UID", UINT32_MAX)) >= 0)
		sp_extra_int(x, "uid", v);
	sp_extra_str(x, "boot_id", boot);
	if ((seqnum = entry_seqnum(j)) >= 0)
		sp_extra_int(x, "seqnum", seqnum);
	e.extra = sp_extra_text(x);
	rc = sp_artifact_emit(ctx, &e);
	if (rc == SP_OK && jr.bad_field != NULL)
		sp_artifact_problem(ctx, 0, "entry %" PRIu64 ": field %s "
		    "cannot be read: %s; the entry is kept without it", nth,
		    jr.bad_field, strerror(jr.bad_errno));
done:
	free(boot);
	free(ident);
	free(comm);
	free(about);
	free(unit);
	free(exe);
	free(host);
	return rc;
}

/*
 * Every entry of the journal file fd, in the file's order; counted is the
 * number of entries its header counts, or 0 when that is not to be
 * checked.
 */
static int
read_entries(struct sp_artifact_ctx *ctx, int fd, uint64_t counted,
    struct sp_err *err)
{
	struct sp_extra x;
	sd_journal *j = NULL;
	char *msgbuf = NULL;
	size_t msgcap = 0;
	uint64_t nth = 0;
	int r, rc = SP_OK;

	if ((r = sd_journal_open_files_fd(&j, &fd, 1, 0)) < 0) {
		sp_artifact_problem(ctx, 0, "not a readable journal: %s",
		    strerror(-r));
		return SP_OK;
	}
	memset(&x, 0, sizeof(x));
	/* compressed fields are inflated no further than what is kept */
	sd_journal_set_data_threshold(j, sizeof("MESSAGE=") + MESSAGE_MAX);
	if ((r = sd_journal_seek_head(j)) < 0) {
		sp_artifact_problem(ctx, 0, "cannot seek to the first entry: "
		    "%s", strerror(-r));
		goto done;
	}
	while ((r = sd_journal_next(j)) > 0) {
		nth++;
		if ((rc = emit_entry(ctx, j, nth, &x, &msgbuf, &msgcap,
		    err)) != SP_OK)
			goto done;
	}
	/* libsystemd cannot step past a corrupt entry: what was read stays */
	if (r < 0)
		sp_artifact_problem(ctx, 0, "after entry %" PRIu64 ": %s; "
		    "the rest of the journal is lost", nth, strerror(-r));
	/* it skips a corrupt entry object silently: count them */
	else if (nth < counted)
		sp_artifact_problem(ctx, 0, "%" PRIu64 " of the %" PRIu64
		    " entries the header counts could not be read",
		    counted - nth, counted);
done:
	sp_extra_release(&x);
	free(msgbuf);
	sd_journal_close(j);
	return rc;
}

/*
 * A temporary file with a name: libsystemd refuses a file without links
 * (EIDRM), such as tmpfile(3) makes.  Its name is left in path (size
 * bytes) for the caller to unlink, even when the stream cannot be made.
 */
static int
named_temp(char *path, size_t size, FILE **f, struct sp_err *err)
{
	const char *dir;
	int fd;

	*f = NULL;
	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	if ((size_t)snprintf(path, size, "%s/spoor-journal-XXXXXX", dir) >=
	    size) {
		path[0] = '\0';
		return sp_err_set(err, SP_E_OS, ENAMETOOLONG,
		    "temporary file");
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0) {
		sp_err_set(err, SP_E_OS, errno, "temporary file '%s'", path);
		path[0] = '\0';
		return SP_E_OS;
	}
	if ((*f = fdopen(fd, "w+")) == NULL) {
		close(fd);
		return sp_err_set(err, SP_E_OS, errno, "temporary file '%s'",
		    path);
	}
	return SP_OK;
}

int
sp_parse_journal(struct sp_artifact_ctx *ctx, FILE *in, struct sp_err *err)
{
	char path[4096] = "";
	struct stat st;
	FILE *tmp = NULL;
	uint64_t want, counted;
	int fd, rc;

	/*
	 * A linked regular file is read in place; anything else (a pipe, a
	 * gzip stream, memory, a temporary file without a name) is copied.
	 */
	fd = fileno(in);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_nlink == 0) {
		if ((rc = named_temp(path, sizeof(path), &tmp, err)) !=
		    SP_OK)
			goto done;
		if (fd >= 0 && S_ISREG(st.st_mode))
			rc = copy_fd(fd, tmp, err);
		else
			rc = copy_stream(in, tmp, err);
		if (rc != SP_OK)
			goto done;
		fd = fileno(tmp);
		if (fstat(fd, &st) != 0) {
			rc = sp_err_set(err, SP_E_IO, errno, "temporary file");
			goto done;
		}
	}
	want = claimed_size(fd, &counted);
	if (want > (uint64_t)st.st_size &&
	    want - (uint64_t)st.st_size > JOURNAL_PAD_LIMIT) {
		sp_artifact_problem(ctx, 0, "journal truncated: %lld of %"
		    PRIu64 " bytes, more than %" PRIu64 " MiB missing: a "
		    "damaged or hostile header; not read", (long long)
		    st.st_size, want, JOURNAL_PAD_LIMIT >> 20);
		rc = SP_OK;
		goto done;
	}
	if (want > (uint64_t)st.st_size) {
		sp_artifact_problem(ctx, 0, "journal truncated: %lld of %"
		    PRIu64 " bytes; entries past the cut are lost",
		    (long long)st.st_size, want);
		if (tmp == NULL) {
			if ((rc = named_temp(path, sizeof(path), &tmp,
			    err)) != SP_OK)
				goto done;
			if ((rc = copy_fd(fd, tmp, err)) != SP_OK)
				goto done;
			fd = fileno(tmp);
		}
		counted = 0;	/* the entries past the cut are known lost */
		/* a hole: no byte is written, and none read from evidence */
		if (ftruncate(fd, (off_t)want) != 0) {
			rc = sp_err_set(err, SP_E_IO, errno, "temporary file");
			goto done;
		}
	}
	rc = read_entries(ctx, fd, counted, err);
done:
	if (tmp != NULL)
		fclose(tmp);
	if (path[0] != '\0')
		unlink(path);
	return rc;
}
