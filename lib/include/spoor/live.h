/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The running Linux host, read through /proc and the kernel's memory
 * devices: its processes (enumeration, /proc/PID/maps, /proc/PID/mem, the
 * executable and command line) and its physical memory (the System RAM
 * ranges of /proc/iomem, kernel lockdown, /dev/crash, /proc/kcore and
 * /dev/mem).  The scanner reads processes, memory acquisition reads
 * physical memory, and a live collector reads both through these
 * functions.  Nothing here writes to the host.
 */
#ifndef SPOOR_LIVE_H
#define SPOOR_LIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* ---- processes ---- */

struct sp_live_procs;

/*
 * Start listing the processes of /proc.  *p is owned by the caller until
 * sp_live_procs_close.  Fails with the errno's code when /proc cannot be
 * read.
 */
int sp_live_procs_open(struct sp_live_procs **p, struct sp_err *err);
/* The next process id, never the calling process; 0 at the end. */
pid_t sp_live_procs_next(struct sp_live_procs *p);
/* Accepts NULL. */
void sp_live_procs_close(struct sp_live_procs *p);

/* One mapping of /proc/PID/maps. */
struct sp_live_region {
	uint64_t start, end;	/* end exclusive */
	uint64_t offset;	/* in the mapped file */
	char perms[8];		/* "r-xp" */
	char path[4096];	/* file, "[heap]", "" when anonymous */
};

struct sp_live_maps;

/*
 * Open the memory map of process pid.  *m is owned by the caller until
 * sp_live_maps_close.  SP_E_NOINPUT when there is no such process, the
 * errno's code when the map cannot be read (message "process PID: ...").
 */
int sp_live_maps_open(struct sp_live_maps **m, pid_t pid,
    struct sp_err *err);
/* Fill *r with the next mapping (malformed lines skipped): 1, or 0 at end. */
int sp_live_maps_next(struct sp_live_maps *m, struct sp_live_region *r);
/* Accepts NULL. */
void sp_live_maps_close(struct sp_live_maps *m);

/*
 * Whether reading r is useless or unsafe: not readable, [vvar] and
 * [vsyscall], or a mapping of a character or block device (reads can hang
 * or change the device's state; /dev/shm is memory).
 */
int sp_live_region_skip(const struct sp_live_region *r);

struct sp_live_procmem;

/*
 * Open the memory of process pid (/proc/PID/mem) for reading.  *m is owned
 * by the caller until sp_live_procmem_close.  SP_E_NOINPUT when there is no
 * such process, the errno's code otherwise ("process PID: ...").
 */
int sp_live_procmem_open(struct sp_live_procmem **m, pid_t pid,
    struct sp_err *err);
/*
 * Read len bytes at virtual address addr into buf.  A page that cannot be
 * read is zero-filled and counted; the read never fails.
 */
void sp_live_procmem_read(struct sp_live_procmem *m, uint64_t addr,
    unsigned char *buf, size_t len);
/* The pages zero-filled so far. */
uint64_t sp_live_procmem_unreadable(const struct sp_live_procmem *m);
/* Accepts NULL. */
void sp_live_procmem_close(struct sp_live_procmem *m);

/* The executable of pid (/proc/PID/exe) into buf; "" when unknown. */
void sp_live_process_exe(pid_t pid, char *buf, size_t size);
/*
 * The command line of pid into buf, arguments separated by spaces and
 * trailing blanks removed, cut at size - 1 bytes; "" when unreadable.
 */
void sp_live_process_cmdline(pid_t pid, char *buf, size_t size);

/* ---- physical memory ---- */

/* A range of physical memory, end inclusive. */
struct sp_phys_range {
	uint64_t start, end;
};

/*
 * The "System RAM" ranges of /proc/iomem text (len bytes at text),
 * sorted and merged, into *ranges (owned by the caller, free(3)).
 * Malformed lines are skipped.  SP_E_PERM when every address reads as 0
 * (the kernel hides them from unprivileged readers); SP_E_DATA when there
 * is no System RAM line.
 */
int sp_live_iomem_parse(const char *text, size_t len,
    struct sp_phys_range **ranges, size_t *n, struct sp_err *err);
/*
 * Read the file at path (NULL: /proc/iomem; at most 64 MiB) and parse it
 * with sp_live_iomem_parse; *ranges is owned by the caller, free(3).
 */
int sp_live_iomem_read(const char *path, struct sp_phys_range **ranges,
    size_t *n, struct sp_err *err);

/* One PT_LOAD segment of an ELF core (/proc/kcore or a crash dump). */
struct sp_elf_load {
	uint64_t offset;	/* file offset */
	uint64_t vaddr, paddr;
	uint64_t filesz, memsz;
};

/*
 * The PT_LOAD segments of the ELF64 little-endian core whose first len
 * bytes (header and program headers) are at buf, into *loads (owned by the
 * caller, free(3)).  SP_E_FORMAT when buf is not an ELF64 LE core,
 * SP_E_DATA when its program header table is out of bounds; *need, when
 * not NULL, receives the number of bytes the header says the table needs.
 */
int sp_live_elfcore_parse(const void *buf, size_t len,
    struct sp_elf_load **loads, size_t *n, size_t *need, struct sp_err *err);

/*
 * The file offset holding physical address p in the core, and in *avail
 * how many bytes from there are in the file; 0 when no segment holds it.
 * Segments whose p_paddr covers p are used; when no segment carries a
 * physical address (p_paddr 0 or ~0 everywhere), p is looked up at
 * direct_map + p by virtual address.
 */
int sp_live_elfcore_map(const struct sp_elf_load *loads, size_t n,
    uint64_t p, uint64_t direct_map, uint64_t *offset, uint64_t *avail);

struct sp_live_physmem;

/*
 * Open a source of the host's physical memory: source, or else the first
 * usable of /dev/crash, /proc/kcore and /dev/mem.  The kernel lockdown
 * mode is read from the file lockdown (NULL: securityfs): "integrity"
 * forbids /dev/mem, "confidentiality" every source (SP_E_LOCKDOWN).
 * /dev/mem is probed past the first MiB of the ranges r (nr of them) for
 * STRICT_DEVMEM (SP_E_PERM).  The error names every source tried and what
 * stopped it.  *m is owned by the caller until sp_live_physmem_close.
 */
int sp_live_physmem_open(struct sp_live_physmem **m, const char *source,
    const char *lockdown, const struct sp_phys_range *r, size_t nr,
    struct sp_err *err);
/* Read up to len bytes at physical address p; the bytes read (0: none). */
size_t sp_live_physmem_read(struct sp_live_physmem *m, uint64_t p,
    unsigned char *buf, size_t len);
/* The path of the source; owned by m. */
const char *sp_live_physmem_path(const struct sp_live_physmem *m);
/* Its kind: "crash", "kcore" or "mem"; a static string. */
const char *sp_live_physmem_kind(const struct sp_live_physmem *m);
/* Accepts NULL. */
void sp_live_physmem_close(struct sp_live_physmem *m);

#endif
