/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the modules of lib/rca/ share: a string map, the reading of an
 * event's typed fields, and the names of the programs whose role the
 * graph needs to know (package managers, web servers, privilege
 * changers, shells).
 */
#ifndef SPOOR_RCA_INTERNAL_H
#define SPOOR_RCA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "spoor/json.h"

/* ---- an open-addressing map from byte strings to int64 ---- */
struct rmap_slot {
	char *key;
	size_t klen;
	uint64_t hash;
	int64_t val;
};
struct rmap {
	struct rmap_slot *slots;
	size_t cap, n;
};

/* *val for key, or return 0 when absent. */
int rmap_get(const struct rmap *m, const char *key, size_t klen,
    int64_t *val);
/* Set key to val (key copied); -1 when out of memory. */
int rmap_put(struct rmap *m, const char *key, size_t klen, int64_t val);
/*
 * The map's own copy of key, added when absent: one copy of a string
 * that many share, valid until rmap_free; NULL when out of memory.
 */
const char *rmap_intern(struct rmap *m, const char *key, size_t klen);
void rmap_free(struct rmap *m);

/* A new string made like printf's, or NULL when out of memory. */
char *rca_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

/* ---- roles of programs, by the base name of their executable ---- */
const char *rca_base(const char *path);
int rca_is_package_manager(const char *exe);
int rca_is_web_server(const char *exe);
int rca_is_priv_changer(const char *exe);
int rca_is_shell(const char *exe);
/* A path a busy system writes all the time (logs, caches, spools). */
int rca_is_noise_path(const char *path);
/* Whether a request path names a script or carries a query. */
int rca_is_script_request(const char *path);

/* ---- one typed field of an event's extra JSON ---- */
struct rca_fields {
	char *argv;		/* the JSON array text, copied */
	int64_t uid, euid, by_uid, exit, port, source_port, status, new_ses;
	int success;		/* 1 yes, 0 no, -1 not said */
	char *syscall, *old_path, *address, *addr, *hostname, *acct,
	    *terminal, *cmd, *method, *source_ip, *fingerprint, *client,
	    *req_path, *user_agent, *kind, *command, *line, *unit,
	    *exec_start, *library, *target_user, *type, *time_source,
	    *comm, *cwd, *tty, *program, *service, *key_type, *schedule,
	    *user;
	/* where the strings above are decoded: the caller's buffer */
	char *arena;
	size_t cap, used;
};
/*
 * Read the fields of extra into f, decoding strings into the arena
 * (*arena, *cap: grown as needed, owned by the caller, freed with free;
 * reused from one event to the next, so nothing else is allocated).
 * Strings are valid until the next call.
 */
void rca_fields_read(struct rca_fields *f, const char *extra, char **arena,
    size_t *cap);

#endif
