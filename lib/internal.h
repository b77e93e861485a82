/*
 * Declarations shared between library modules; not installed.
 */
#ifndef SPOOR_INTERNAL_H
#define SPOOR_INTERNAL_H

#include <stdint.h>

#include <sqlite3.h>

#include "spoor/case.h"
#include "spoor/evidence.h"

/* The open SQLite handle of a case; owned by c. */
sqlite3 *sp_case_db(struct sp_case *c);

/* Drop (create 0) or create the secondary indexes of files and events. */
int sp_case_timeline_indexes(struct sp_case *c, int create,
    struct sp_err *err);

/* Evidence internals: E01 metadata through libewf (evidence-ewf.c). */
struct sp_ewf_meta;
int sp_ewf_glob(const char *path, char ***names, int *count,
    struct sp_err *err);
void sp_ewf_glob_free(char **names, int count);
int sp_ewf_read_info(char *const *names, int count, struct sp_ewf_info *info,
    char **strings, struct sp_err *err);

/* Directory evidence (evidence-dir.c). */
int sp_dir_walk(const char *root, const char *start, unsigned flags,
    struct sp_run *run, uint64_t *problems, sp_entry_fn *fn, void *arg,
    struct sp_err *err);
int sp_dir_read_file(const char *root, const char *path, sp_data_fn *fn,
    void *arg, struct sp_err *err);

/*
 * OpenSSH public keys (artifact/persistence.c), shared with the
 * authorized-key heuristic (heur.c).
 */
/*
 * Decode n base64 characters at s into out (at least n * 3 / 4 + 3
 * bytes); '=' padding only at the end.  Returns the length, or -1.
 */
long sp_ssh_b64_decode(const char *s, size_t n, unsigned char *out);
/* Whether the n bytes at w name an OpenSSH public key type. */
int sp_ssh_key_type(const char *w, size_t n);
/*
 * Length of the options field at s (up to a blank outside quotes); 0 for
 * unbalanced quotes.
 */
size_t sp_ssh_options_len(const char *s);
/*
 * "SHA256:" and the unpadded base64 of the SHA-256 of blob, into fpr
 * (size bytes, 52 suffice).  Returns 0, or -1 when hashing failed.
 */
int sp_ssh_key_fingerprint(const unsigned char *blob, size_t len, char *fpr,
    size_t size);

/*
 * Make room for need elements of elem bytes in *p (capacity *cap, doubled
 * from 64): SP_OK or SP_E_NOMEM, *p and *cap unchanged on failure.
 */
int sp_array_grow(void **p, size_t *cap, size_t need, size_t elem);

/* The value of a hex digit of either case, or -1. */
static inline int
sp_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Little-endian integers from bytes (LiME, ELF cores). */
static inline uint16_t
sp_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
sp_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
sp_le64(const unsigned char *p)
{
	return (uint64_t)sp_le32(p) | (uint64_t)sp_le32(p + 4) << 32;
}

/* Map an errno to the error code tools report for it. */
int sp_errno_code(int e);

#endif
