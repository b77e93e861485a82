/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory acquisition: the physical RAM of the running Linux host into a
 * LiME file (see include/spoor/acquire.h).
 *
 * The ranges come from the "System RAM" lines of /proc/iomem.  The bytes
 * come from the first usable of /dev/crash (offsets are physical
 * addresses), /proc/kcore (an ELF core: a physical address is found in the
 * PT_LOAD segment whose p_paddr range holds it; when no segment carries a
 * physical address, at the direct map, PAGE_OFFSET + p, by p_vaddr) and
 * /dev/mem (offsets are physical addresses).  Kernel lockdown is read from
 * securityfs first: "integrity" forbids /dev/mem, "confidentiality" every
 * source; a /dev/mem that refuses RAM past the first MiB is STRICT_DEVMEM.
 * Each is reported, never written as a silent partial image.  A page that
 * cannot be read is zero-filled, recorded, and the copy goes on.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acquire/acquire-internal.h"
#include "spoor/case.h"
#include "spoor/evidence.h"
#include "base/util.h"
#include "spoor/memimage.h"
#include "spoor/signal.h"

#define PAGE 4096u
#define COPY_BLOCK (1u << 20)
#define MAX_RANGES 65536
#define MAX_PHDR_BYTES (16u << 20)
#define DEFAULT_DIRECT_MAP UINT64_C(0xffff888000000000)

enum lockdown { LOCKDOWN_NONE, LOCKDOWN_INTEGRITY, LOCKDOWN_CONFIDENTIALITY };
enum mem_kind { KIND_CRASH, KIND_KCORE, KIND_MEM };

static const char *const kind_names[] = { "crash", "kcore", "mem" };

/* ---- /proc/iomem ---- */

static int
cmp_range(const void *a, const void *b)
{
	const struct sp_phys_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int
parse_hex(const char **sp, const char *end, uint64_t *v)
{
	const char *s = *sp;
	int digits = 0, d;

	*v = 0;
	for (; s < end; s++, digits++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (digits >= 16)
			return -1;
		*v = *v << 4 | (uint64_t)d;
	}
	*sp = s;
	return digits > 0 ? 0 : -1;
}

int
sp_iomem_parse(const char *text, size_t len, struct sp_phys_range **out,
    size_t *np, struct sp_err *err)
{
	static const char ram[] = "System RAM";
	const char *p = text, *end = text + len, *eol, *s;
	struct sp_phys_range *r = NULL, *t;
	size_t n = 0, cap = 0, i, j;
	uint64_t a, b;
	int seen = 0;

	*out = NULL;
	*np = 0;
	for (; p < end; p = eol + (eol < end)) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		for (s = p; s < eol && *s == ' '; s++)
			;
		if (parse_hex(&s, eol, &a) != 0 || s >= eol || *s++ != '-' ||
		    parse_hex(&s, eol, &b) != 0)
			continue;
		if ((size_t)(eol - s) != sizeof(ram) - 1 + 3 ||
		    memcmp(s, " : ", 3) != 0 ||
		    memcmp(s + 3, ram, sizeof(ram) - 1) != 0)
			continue;
		seen = 1;
		if (b < a || (a == 0 && b == 0))
			continue;
		if (n == MAX_RANGES) {
			free(r);
			return sp_err_set(err, SP_E_DATA, 0, "more than %d "
			    "System RAM ranges", MAX_RANGES);
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((t = realloc(r, cap * sizeof(*r))) == NULL) {
				free(r);
				return sp_err_set(err, SP_E_NOMEM, 0, "iomem");
			}
			r = t;
		}
		r[n].start = a;
		r[n].end = b;
		n++;
	}
	if (n == 0) {
		free(r);
		if (seen)
			return sp_err_set(err, SP_E_PERM, 0, "the System RAM "
			    "addresses read as 0 (only root may see them)");
		return sp_err_set(err, SP_E_DATA, 0, "no System RAM range");
	}
	qsort(r, n, sizeof(*r), cmp_range);
	for (i = 0, j = 1; j < n; j++) {
		if (r[i].end == UINT64_MAX || r[j].start <= r[i].end + 1) {
			if (r[j].end > r[i].end)
				r[i].end = r[j].end;
		} else
			r[++i] = r[j];
	}
	*out = r;
	*np = i + 1;
	return SP_OK;
}

/* ---- ELF cores ---- */

int
sp_elfcore_parse(const void *buf, size_t len, struct sp_elf_load **out,
    size_t *np, size_t *need, struct sp_err *err)
{
	const unsigned char *b = buf, *ph;
	uint64_t phoff, shoff, table;
	uint32_t phnum;
	uint16_t phentsize;
	struct sp_elf_load *l;
	size_t n = 0, i;

	*out = NULL;
	*np = 0;
	if (need != NULL)
		*need = 64;
	if (len < 64 || memcmp(b, "\177ELF", 4) != 0)
		return sp_err_set(err, SP_E_FORMAT, 0, "not an ELF file");
	if (b[4] != 2 || b[5] != 1)
		return sp_err_set(err, SP_E_FORMAT, 0, "not a 64-bit "
		    "little-endian ELF file");
	if (sp_le16(b + 16) != 4)
		return sp_err_set(err, SP_E_FORMAT, 0, "not an ELF core "
		    "(type %u)", sp_le16(b + 16));
	phoff = sp_le64(b + 32);
	shoff = sp_le64(b + 40);
	phentsize = sp_le16(b + 54);
	phnum = sp_le16(b + 56);
	if (phnum == 0xffff) {
		/* PN_XNUM: the count is in sh_info of section header 0 */
		if (shoff > SIZE_MAX - 64 || shoff + 64 > len) {
			if (need != NULL)
				*need = shoff > SIZE_MAX - 64 ? SIZE_MAX :
				    (size_t)shoff + 64;
			return sp_err_set(err, SP_E_DATA, 0, "section header "
			    "0 at %" PRIu64 " is past the data", shoff);
		}
		phnum = sp_le32(b + shoff + 44);
	}
	if (phnum == 0)
		return sp_err_set(err, SP_E_DATA, 0, "no program headers");
	if (phentsize < 56)
		return sp_err_set(err, SP_E_DATA, 0, "program header size "
		    "%u", phentsize);
	if (phoff > UINT64_MAX - (uint64_t)phnum * phentsize)
		return sp_err_set(err, SP_E_DATA, 0, "program headers out of "
		    "bounds");
	table = phoff + (uint64_t)phnum * phentsize;
	if (table > len) {
		if (need != NULL)
			*need = table > SIZE_MAX ? SIZE_MAX : (size_t)table;
		return sp_err_set(err, SP_E_DATA, 0, "program headers end at "
		    "%" PRIu64 ", past %zu bytes", table, len);
	}
	if ((l = calloc(phnum, sizeof(*l))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "program headers");
	for (i = 0; i < phnum; i++) {
		ph = b + phoff + i * phentsize;
		if (sp_le32(ph) != 1)	/* PT_LOAD */
			continue;
		l[n].offset = sp_le64(ph + 8);
		l[n].vaddr = sp_le64(ph + 16);
		l[n].paddr = sp_le64(ph + 24);
		l[n].filesz = sp_le64(ph + 32);
		l[n].memsz = sp_le64(ph + 40);
		if (l[n].offset > UINT64_MAX - l[n].filesz)
			continue;	/* would wrap: unusable */
		n++;
	}
	*out = l;
	*np = n;
	return SP_OK;
}

static int
valid_paddr(const struct sp_elf_load *l)
{
	return l->paddr != 0 && l->paddr != UINT64_MAX;
}

int
sp_elfcore_map(const struct sp_elf_load *loads, size_t n, uint64_t p,
    uint64_t direct_map, uint64_t *offset, uint64_t *avail)
{
	size_t i;
	uint64_t v;

	for (i = 0; i < n; i++) {
		if (!valid_paddr(&loads[i]) || p < loads[i].paddr ||
		    p - loads[i].paddr >= loads[i].filesz)
			continue;
		*offset = loads[i].offset + (p - loads[i].paddr);
		*avail = loads[i].filesz - (p - loads[i].paddr);
		return 1;
	}
	for (i = 0; i < n; i++)
		if (valid_paddr(&loads[i]))
			return 0;
	/* no physical addresses at all: the direct map */
	if (p > UINT64_MAX - direct_map)
		return 0;
	v = direct_map + p;
	for (i = 0; i < n; i++) {
		if (v < loads[i].vaddr || v - loads[i].vaddr >= loads[i].filesz)
			continue;
		*offset = loads[i].offset + (v - loads[i].vaddr);
		*avail = loads[i].filesz - (v - loads[i].vaddr);
		return 1;
	}
	return 0;
}

/* PAGE_OFFSET as the core shows it (the RAM segments' vaddr - paddr). */
static uint64_t
direct_map_of(const struct sp_elf_load *l, size_t n)
{
	uint64_t best = UINT64_MAX;
	size_t i;

	for (i = 0; i < n; i++)
		if (valid_paddr(&l[i]) && l[i].vaddr >= l[i].paddr &&
		    l[i].vaddr - l[i].paddr < best)
			best = l[i].vaddr - l[i].paddr;
	return best == UINT64_MAX ? DEFAULT_DIRECT_MAP : best;
}

static int
read_core_loads(int fd, const char *path, struct sp_elf_load **loads,
    size_t *n, struct sp_err *err)
{
	unsigned char *buf;
	size_t need = 64, have;
	ssize_t got;
	int rc;

	for (;;) {
		if ((buf = malloc(need)) == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "'%s'", path);
		got = pread(fd, buf, need, 0);
		have = got > 0 ? (size_t)got : 0;
		rc = sp_elfcore_parse(buf, have, loads, n, &need, err);
		free(buf);
		if (rc != SP_E_DATA || need <= have || have < 64)
			break;
		if (need > MAX_PHDR_BYTES) {
			rc = sp_err_set(err, SP_E_DATA, 0, "program headers "
			    "of %zu bytes", need);
			break;
		}
	}
	if (rc != SP_OK)
		sp_err_prefix(err, "'%s'", path);
	return rc;
}

/* ---- sources ---- */

static enum lockdown
lockdown_mode(const char *path, char *word, size_t size)
{
	char buf[256], *a, *b;
	ssize_t n;
	int fd;

	snprintf(word, size, "none");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return LOCKDOWN_NONE;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return LOCKDOWN_NONE;
	buf[n] = '\0';
	if ((a = strchr(buf, '[')) == NULL || (b = strchr(a, ']')) == NULL)
		return LOCKDOWN_NONE;
	*b = '\0';
	snprintf(word, size, "%s", a + 1);
	if (strcmp(a + 1, "integrity") == 0)
		return LOCKDOWN_INTEGRITY;
	if (strcmp(a + 1, "confidentiality") == 0)
		return LOCKDOWN_CONFIDENTIALITY;
	return LOCKDOWN_NONE;
}

struct memsrc {
	int fd;
	enum mem_kind kind;
	const char *path;
	struct sp_elf_load *loads;
	size_t nloads;
	uint64_t direct_map;
};

/* Read len bytes of physical memory at p; the bytes actually read. */
static size_t
mem_read(struct memsrc *m, uint64_t p, unsigned char *buf, size_t len)
{
	uint64_t off, avail;
	ssize_t n;

	if (m->kind == KIND_KCORE) {
		if (!sp_elfcore_map(m->loads, m->nloads, p, m->direct_map,
		    &off, &avail))
			return 0;
		if (avail < len)
			len = (size_t)avail;
	} else
		off = p;
	if (off > INT64_MAX)
		return 0;
	do
		n = pread(m->fd, buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	return n > 0 ? (size_t)n : 0;
}

static enum mem_kind
kind_of(const char *path, int fd)
{
	unsigned char magic[4];

	if (strcmp(path, "/dev/crash") == 0)
		return KIND_CRASH;
	if (strcmp(path, "/proc/kcore") == 0)
		return KIND_KCORE;
	if (fd >= 0 && pread(fd, magic, 4, 0) == 4 &&
	    memcmp(magic, "\177ELF", 4) == 0)
		return KIND_KCORE;
	return KIND_MEM;
}

static int
blocked(enum mem_kind k, enum lockdown l)
{
	return l == LOCKDOWN_CONFIDENTIALITY ||
	    (l == LOCKDOWN_INTEGRITY && k == KIND_MEM);
}

/*
 * Open the first usable source.  Each refusal is kept in why so the error
 * names every source tried and what stopped it.
 */
static int
open_memsrc(const struct sp_acquire_opts *o, const struct sp_phys_range *r,
    size_t nr, struct memsrc *m, struct sp_err *err)
{
	static const char *const defaults[] = { "/dev/crash", "/proc/kcore",
	    "/dev/mem" };
	const char *lpath = o->lockdown, *path;
	char word[64], why[SP_ERR_MSG_MAX] = "", one[512];
	unsigned char probe[16];
	enum lockdown ld;
	size_t i, count = o->source ? 1 : 3, k;
	int code = SP_E_NOINPUT, fd, rc;
	uint64_t p;

	if (lpath == NULL)
		lpath = getenv("SPOOR_LOCKDOWN_FILE");
	if (lpath == NULL || *lpath == '\0')
		lpath = "/sys/kernel/security/lockdown";
	ld = lockdown_mode(lpath, word, sizeof(word));
	for (i = 0; i < count; i++) {
		path = o->source ? o->source : defaults[i];
		fd = open(path, O_RDONLY | O_CLOEXEC);
		m->kind = kind_of(path, fd);
		if (blocked(m->kind, ld)) {
			snprintf(one, sizeof(one), "'%s': kernel lockdown "
			    "(%s) forbids reading it", path, word);
			code = SP_E_LOCKDOWN;
		} else if (fd < 0) {
			snprintf(one, sizeof(one), "'%s': %s", path,
			    strerror(errno));
			if (code != SP_E_LOCKDOWN && errno != ENOENT)
				code = sp_errno_code(errno);
		} else {
			m->fd = fd;
			m->path = path;
			if (m->kind != KIND_KCORE)
				goto probe;
			rc = read_core_loads(fd, path, &m->loads, &m->nloads,
			    err);
			if (rc == SP_OK) {
				m->direct_map = direct_map_of(m->loads,
				    m->nloads);
				return SP_OK;
			}
			snprintf(one, sizeof(one), "%s", err->msg);
			if (code == SP_E_NOINPUT)
				code = rc;
		}
		goto next;
probe:
		/* STRICT_DEVMEM: RAM past the first MiB is refused */
		for (k = 0; k < nr && r[k].end < 0x100000; k++)
			;
		if (k == nr)
			return SP_OK;
		p = r[k].start < 0x100000 ? 0x100000 : r[k].start;
		errno = 0;
		if (pread(fd, probe, sizeof(probe), (off_t)p) ==
		    (ssize_t)sizeof(probe))
			return SP_OK;
		if (errno == EPERM) {
			snprintf(one, sizeof(one), "'%s': the kernel refuses "
			    "RAM past the first MiB (STRICT_DEVMEM)", path);
			if (code != SP_E_LOCKDOWN)
				code = SP_E_PERM;
		} else
			snprintf(one, sizeof(one), "'%s': read at 0x%" PRIx64
			    ": %s", path, p, strerror(errno ? errno : EIO));
next:
		if (fd >= 0)
			close(fd);
		m->fd = -1;
		snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s",
		    why[0] ? "; " : "", one);
	}
	return sp_err_set(err, code, 0, "no physical memory source: %s", why);
}

/* ---- the copy ---- */

static void
lime_header(unsigned char h[32], uint64_t start, uint64_t end)
{
	int i;

	memset(h, 0, 32);
	for (i = 0; i < 4; i++) {
		h[i] = (unsigned char)(SP_LIME_MAGIC >> (8 * i));
		h[4 + i] = (unsigned char)(1u >> (8 * i));
	}
	for (i = 0; i < 8; i++) {
		h[8 + i] = (unsigned char)(start >> (8 * i));
		h[16 + i] = (unsigned char)(end >> (8 * i));
	}
}

static void
add_unreadable(struct sp_acquisition *a, size_t *cap, uint64_t p,
    uint64_t len)
{
	struct sp_byte_range *t;

	if (a->nbad > 0 && a->bad[a->nbad - 1].offset +
	    a->bad[a->nbad - 1].length == p) {
		a->bad[a->nbad - 1].length += len;
		return;
	}
	if (a->nbad == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		if ((t = realloc(a->bad, *cap * sizeof(*t))) == NULL)
			return;
		a->bad = t;
	}
	a->bad[a->nbad].offset = p;
	a->bad[a->nbad].length = len;
	a->nbad++;
}

static int
read_file(const char *path, char **text, size_t *len, struct sp_err *err)
{
	char *buf = NULL, *t;
	size_t cap = 0, n = 0;
	ssize_t got;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
		    path);
	for (;;) {
		if (n == cap) {
			if (cap >= (64u << 20)) {
				close(fd);
				free(buf);
				return sp_err_set(err, SP_E_DATA, 0, "'%s': "
				    "too large", path);
			}
			cap = cap ? cap * 2 : 65536;
			if ((t = realloc(buf, cap)) == NULL) {
				close(fd);
				free(buf);
				return sp_err_set(err, SP_E_NOMEM, 0, "'%s'",
				    path);
			}
			buf = t;
		}
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			close(fd);
			free(buf);
			return sp_err_set(err, SP_E_IO, errno, "'%s'", path);
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	*text = buf;
	*len = n;
	return SP_OK;
}

/* SHA-256 of the file at path into hex ("" on error); buf: COPY_BLOCK. */
static void
hash_file(const char *path, char hex[65], unsigned char *buf)
{
	struct sp_hash *h = NULL;
	ssize_t n;
	int fd;

	hex[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if (sp_hash_new(&h, SP_HASH_SHA256, NULL) == SP_OK) {
		while ((n = read(fd, buf, COPY_BLOCK)) > 0)
			sp_hash_update(h, buf, (size_t)n);
		if (n == 0 && sp_hash_final(h, NULL) == SP_OK)
			snprintf(hex, 65, "%s", sp_hash_hex(h, SP_HASH_SHA256));
	}
	sp_hash_free(h);
	close(fd);
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

int
sp_acquire_memory(struct sp_run *run, const struct sp_acquire_opts *o,
    struct sp_acquisition **acq, struct sp_err *err)
{
	const char *iomem = o->iomem ? o->iomem : "/proc/iomem";
	struct sp_phys_range *r = NULL;
	struct sp_acquisition *a;
	struct memsrc m;
	struct sp_hash *whole = NULL, *part = NULL;
	struct timespec t0, last;
	unsigned char *buf = NULL, hdr[32];
	char *text = NULL;
	size_t nr = 0, len = 0, i, got, badcap = 0;
	uint64_t total = 0, done = 0, p, off = 0;
	int rc, fd = -1, started = 0;
	struct sp_err e2;

	*acq = NULL;
	memset(&m, 0, sizeof(m));
	m.fd = -1;
	if ((a = sp_acquisition_new(SP_ACQUIRE_LIME)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "acquisition");
	a->case_number = sp_acquire_strdup(o->case_number);
	a->evidence_number = sp_acquire_strdup(o->evidence_number);
	a->examiner = sp_acquire_strdup(o->examiner);
	a->description = sp_acquire_strdup(o->description);
	a->notes = sp_acquire_strdup(o->notes);
	if ((rc = read_file(iomem, &text, &len, err)) != SP_OK ||
	    (rc = sp_iomem_parse(text, len, &r, &nr, err)) != SP_OK) {
		sp_err_prefix(err, "memory ranges");
		goto out;
	}
	for (i = 0; i < nr; i++)
		total += r[i].end - r[i].start + 1;
	if ((rc = open_memsrc(o, r, nr, &m, err)) != SP_OK)
		goto out;
	a->source = strdup(m.path);
	a->source_kind = strdup(kind_names[m.kind]);
	a->size = total;
	if ((a->output = strdup(o->output)) == NULL ||
	    sp_acquisition_add_segment(a, o->output) != SP_OK) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "output");
		goto out;
	}
	len = strlen(o->output) + 5;
	if ((a->log_path = malloc(len)) == NULL) {
		rc = sp_err_set(err, SP_E_NOMEM, 0, "output");
		goto out;
	}
	snprintf(a->log_path, len, "%s.log", o->output);
	if ((rc = sp_acquire_check_output(o->output, o->force, err)) != SP_OK ||
	    (rc = sp_acquire_check_output(a->log_path, o->force, err)) !=
	    SP_OK ||
	    (rc = sp_acquire_check_space(o->output, total + 32 * nr, err)) !=
	    SP_OK)
		goto out;
	if ((a->ranges = calloc(nr, sizeof(*a->ranges))) == NULL ||
	    (buf = malloc(COPY_BLOCK)) == NULL ||
	    sp_hash_new(&whole, SP_HASH_SHA256, err) != SP_OK) {
		rc = err->code ? err->code : sp_err_set(err, SP_E_NOMEM, 0,
		    "buffers");
		goto out;
	}
	if ((fd = open(o->output, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) < 0) {
		rc = sp_err_set(err, errno == EEXIST ? SP_E_EXISTS :
		    SP_E_CREATE, errno, "create '%s'", o->output);
		goto out;
	}
	started = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	last = t0;
	for (i = 0; i < nr && rc == SP_OK && !sp_cancel_requested(o->cancel); i++) {
		struct sp_acquired_range *ar = &a->ranges[a->nranges];
		ar->start = r[i].start;
		ar->end = r[i].end;
		ar->offset = off + 32;
		lime_header(hdr, r[i].start, r[i].end);
		if (sp_acq_write_all(fd, hdr, 32) != 0) {
			rc = sp_err_set(err, SP_E_IO, errno, "write '%s'",
			    o->output);
			break;
		}
		a->nranges++;
		sp_hash_update(whole, hdr, 32);
		off += 32;
		if ((rc = sp_hash_new(&part, SP_HASH_SHA256, err)) != SP_OK)
			break;
		for (p = r[i].start; p <= r[i].end; ) {
			size_t want = r[i].end - p + 1 < COPY_BLOCK ?
			    (size_t)(r[i].end - p + 1) : COPY_BLOCK;
			size_t have = 0;
			if (sp_cancel_requested(o->cancel))
				break;
			while (have < want) {
				got = mem_read(&m, p + have, buf + have,
				    want - have);
				if (got > 0) {
					have += got;
					continue;
				}
				/* the rest of this page is unreadable */
				got = PAGE - (size_t)((p + have) % PAGE);
				if (got > want - have)
					got = want - have;
				memset(buf + have, 0, got);
				add_unreadable(a, &badcap, p + have, got);
				ar->unreadable += got;
				have += got;
			}
			if (sp_acq_write_all(fd, buf, have) != 0) {
				rc = sp_err_set(err, SP_E_IO, errno, "write "
				    "'%s'", o->output);
				break;
			}
			sp_hash_update(whole, buf, have);
			sp_hash_update(part, buf, have);
			off += have;
			done += have;
			p += have;
			if (o->progress != NULL &&
			    seconds_since(&last) >= 0.1) {
				clock_gettime(CLOCK_MONOTONIC, &last);
				o->progress(done, total, seconds_since(&t0),
				    o->progress_arg);
			}
			if (p == 0)
				break;	/* wrapped past the top of memory */
		}
		if (rc == SP_OK && p <= r[i].end && p > r[i].start) {
			/* interrupted: the header ends where the data does */
			ar->end = p - 1;
			lime_header(hdr, ar->start, ar->end);
			if (pwrite(fd, hdr, 32, (off_t)(ar->offset - 32)) != 32)
				rc = sp_err_set(err, SP_E_IO, errno, "write "
				    "'%s'", o->output);
		} else if (rc == SP_OK && p == r[i].start) {
			/* interrupted before its first byte: drop it */
			a->nranges--;
			off -= 32;
			if (ftruncate(fd, (off_t)off) != 0)
				rc = sp_err_set(err, SP_E_IO, errno, "truncate"
				    " '%s'", o->output);
		}
		if (sp_hash_final(part, NULL) == SP_OK)
			snprintf(ar->sha256, sizeof(ar->sha256), "%s",
			    sp_hash_hex(part, SP_HASH_SHA256));
		sp_hash_free(part);
		part = NULL;
	}
	if (fsync(fd) != 0 && errno != EINVAL && rc == SP_OK)
		rc = sp_err_set(err, SP_E_IO, errno, "write '%s'", o->output);
	if (close(fd) != 0 && rc == SP_OK)
		rc = sp_err_set(err, SP_E_IO, errno, "close '%s'", o->output);
	fd = -1;
	a->acquired = done;
	a->output_size = off;
	if (o->progress != NULL)
		o->progress(done, total, seconds_since(&t0), o->progress_arg);
	if (rc == SP_OK && done == total) {
		if (sp_hash_final(whole, NULL) == SP_OK)
			snprintf(a->sha256, sizeof(a->sha256), "%s",
			    sp_hash_hex(whole, SP_HASH_SHA256));
	} else if (rc == SP_OK) {
		/* a header was cut short after hashing: hash the file */
		hash_file(o->output, a->sha256, buf);
	}
	for (i = 0; i < a->nbad; i++)
		sp_run_problem(run, m.path, SP_E_IO, "physical 0x%" PRIx64
		    "-0x%" PRIx64 " unreadable, written as zeros",
		    a->bad[i].offset, a->bad[i].offset + a->bad[i].length - 1);
	a->complete = rc == SP_OK && done == total;
	if (rc == SP_OK && !a->complete)
		rc = sp_err_set(err, SP_E_INTERRUPTED, 0, "interrupted after "
		    "%" PRIu64 " of %" PRIu64 " bytes; the image is "
		    "incomplete", done, total);
	a->ended = sp_time_now();
	sp_err_init(&e2);
	if (sp_acquire_record(run, a, &e2) != SP_OK && rc == SP_OK) {
		*err = e2;
		rc = e2.code;
	}
out:
	if (fd >= 0)
		close(fd);
	if (m.fd >= 0)
		close(m.fd);
	free(m.loads);
	sp_hash_free(whole);
	sp_hash_free(part);
	free(buf);
	free(text);
	free(r);
	if (started)
		*acq = a;
	else
		sp_acquisition_free(a);
	return rc;
}
