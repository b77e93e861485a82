/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Containers found inside evidence, agentless: Docker's overlay2 storage
 * (/var/lib/docker), Podman's (/var/lib/containers/storage) and
 * containerd's overlayfs snapshots (/var/lib/containerd), read
 * through the evidence layer from their configuration files, never from
 * the running host.  A container's merged file system is itself evidence:
 * "EVIDENCE@container=ID" (see sp_evidence_open).
 */
#ifndef SPOOR_CONTAINER_H
#define SPOOR_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "time.h"
#include "evidence.h"

/* Lower layers a container may have (overlayfs allows 500; Docker 128). */
#define SP_CONTAINER_LAYERS_MAX 128

struct sp_container_mount {
	char *source, *destination, *type;
	int rw;
};

struct sp_container_network {
	char *name, *ip, *mac, *gateway;
};

/*
 * One container.  Every string is owned by the container (NULL when the
 * configuration does not say); times are SP_TIME_NONE when unknown.
 */
struct sp_container {
	const char *engine;	/* "docker", "podman", "containerd" (static) */
	char *id, *name;	/* name without Docker's leading '/' */
	char *ns;		/* containerd's namespace, else NULL */
	char *image, *image_id;
	char *command;		/* entrypoint and arguments, space-joined */
	sp_time_ns created, started, finished;
	char *state;		/* "running", "exited", "created", "unknown" */
	int64_t pid, exit_code;	/* -1 when unknown */
	struct sp_container_mount *mounts;
	size_t nmounts;
	struct sp_container_network *networks;
	size_t nnetworks;
	char *hostname;
	/* the storage: file system fs of the evidence, paths from its root */
	unsigned fs;
	char *storage;		/* "/var/lib/docker", ... */
	char *upper;		/* the rw layer's directory (diff/) */
	char *layers[SP_CONTAINER_LAYERS_MAX];	/* lower dirs, top first */
	size_t nlayers;
	char *log_path;		/* Docker json-file log, or NULL */
	char *problem;		/* why the layers are incomplete, or NULL */
};

/*
 * Find the containers of every file system of ev: *list (n of them) is
 * owned by the caller (sp_container_list_free).  Unreadable or malformed
 * configurations are problems of ev's run and are skipped.  SP_OK with
 * *n 0 when there is no container storage.
 */
int sp_container_list(struct sp_evidence *ev, struct sp_container **list,
    size_t *n, struct sp_err *err);
void sp_container_list_free(struct sp_container *list, size_t n);

/*
 * Which of list[0..n) sel names: a full id, a unique prefix of ids, or a
 * name.  SP_OK with *index, SP_E_NOTFOUND when none (66), SP_E_USAGE
 * when several (64), with the candidates in err.
 */
int sp_container_select(const struct sp_container *list, size_t n,
    const char *sel, size_t *index, struct sp_err *err);

/*
 * Parsers of the configurations (untrusted; fuzzed by
 * tests/fuzz/fuzz_container.c).  Docker: config.v2.json and, optionally,
 * hostconfig.json (NULL) into c, which must be zeroed first; SP_E_DATA
 * when config is not a JSON object or has no ID.  Podman: the array of
 * overlay-containers/containers.json, one fn call per container (c owned
 * by the parser during the call; fn returns 0 to go on).
 */
int sp_container_parse_docker(const char *config, size_t len,
    const char *hostconfig, size_t hlen, struct sp_container *c);
int sp_container_parse_podman(const char *text, size_t len,
    int (*fn)(struct sp_container *c, void *arg), void *arg);
/*
 * containerd: its metadata (io.containerd.metadata.v1.bolt/meta.db) and
 * its overlayfs snapshotter's (snap, NULL when absent), both bbolt files,
 * under root ("/var/lib/containerd"); one fn call per container of every
 * namespace, its layer directories under root.  SP_E_DATA when meta is
 * no bbolt file or its tree is damaged (the containers read before the
 * damage were given to fn).
 */
int sp_container_parse_containerd(const void *meta, size_t mlen,
    const void *snap, size_t slen, const char *root,
    int (*fn)(struct sp_container *c, void *arg), void *arg);
/*
 * Podman: what libpod keeps of c (found by c->id) in its bolt_state.db
 * (db, len bytes): the state as podman inspect names it, pid, creation,
 * start and end times, exit code, and the bind mounts of its OCI spec
 * when c has none.  SP_OK; SP_E_NOTFOUND when db does not hold c; SP_E_DATA when db
 * is no bbolt file or is damaged.
 */
int sp_container_podman_state(struct sp_container *c, const void *db,
    size_t len);
/*
 * The same from Podman's SQLite state (storage/db.sql, Podman 4.8 and
 * later), db a copy of the file (its header may be changed): SP_OK (c
 * unchanged when db does not hold it), SP_E_DATA when db is no SQLite
 * database with libpod's tables.
 */
int sp_container_podman_sql_state(struct sp_container *c, void *db,
    size_t len);
/* Release what c holds (c itself is the caller's). */
void sp_container_release(struct sp_container *c);

/*
 * Whether path names a container's view ("EVIDENCE@container=ID", no
 * file of that name being there): sp_evidence_open opens it.
 */
int sp_container_view_path(const char *path);

/* The container ev shows ("EVIDENCE@container=ID"), or NULL; owned by ev. */
const struct sp_container *sp_evidence_container(const struct sp_evidence *ev);

/* One change of a container's rw layer, as `docker diff` lists them. */
struct sp_drift {
	char change;		/* 'A' added, 'C' changed, 'D' deleted */
	const char *path;	/* as the container sees it */
	const struct sp_entry *entry;	/* the upper layer's entry; NULL for D */
	int executable;		/* a new or changed executable: ELF, "#!"
				   or an x bit on a regular file */
};

/*
 * The changes of the container ev shows (evidence opened as
 * "EVIDENCE@container=ID"), depth first in name order; fn returns
 * SP_CB_CONTINUE, SP_CB_STOP or an SP_E_* code (enum sp_cb).  SP_E_USAGE
 * when ev is no container.
 */
int sp_container_drift(struct sp_evidence *ev,
    int (*fn)(const struct sp_drift *d, void *arg), void *arg,
    struct sp_err *err);

#endif
