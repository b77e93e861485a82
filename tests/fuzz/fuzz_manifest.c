/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the reader of a collection's manifest
 * (lib/artifact/collection.c, sp_collection_open and sp_collection_verify):
 * the input is written as manifest.jsonl of a collection directory that
 * holds a few items and traps (a symbolic link out of it, one to a
 * directory, a FIFO, a directory), which is then opened and verified.
 * What is checked, besides crashes and leaks:
 *  - an open fails only as SP_E_FORMAT (not a collection) or SP_E_NOMEM;
 *  - the collection's identity is the input's own SHA-256 and size, as
 *    sha256sum reads the file;
 *  - every item's path is relative and has no empty, "." or ".."
 *    component, its sha256 is 64 lower-case hex digits or none, its size
 *    -1 or more, and sp_collection_find finds it by that path;
 *  - host and boot id hold no control character;
 *  - verifying fails only on memory, and no more items than there are.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "spoor/artifact.h"
#include "spoor/err.h"
#include "spoor/run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the items verifying reads at most: an input of many is a slow one */
#define VERIFY_ITEMS 256

static char dir[4096], manifest[4200];

static void
put(const char *rel, const char *text)
{
	char p[4200];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	if ((f = fopen(p, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0)
		abort();
}

static void
at(const char *rel, char *p, size_t n)
{
	snprintf(p, n, "%s/%s", dir, rel);
}

static void
cleanup(void)
{
	static const char *const files[] = { "manifest.jsonl",
	    "volatile/processes.jsonl", "volatile/empty.jsonl",
	    "files/etc/hostname", "link", "dirlink", "fifo" };
	static const char *const dirs[] = { "files/etc", "files", "volatile" };
	char p[4200];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		at(files[i], p, sizeof(p));
		(void)unlink(p);
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		at(dirs[i], p, sizeof(p));
		(void)rmdir(p);
	}
	(void)rmdir(dir);
}

/*
 * The collection around the manifest, made once: two items whose bytes
 * the dictionary's sizes and SHA-256s match, an empty one, and what a
 * hostile manifest may name instead of an item.
 */
static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char p[4200], q[4200];

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/spoor-fuzz-manifest.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(manifest, sizeof(manifest), "%s/manifest.jsonl", dir);
	at("volatile", p, sizeof(p));
	if (mkdir(p, 0700) != 0)
		abort();
	at("files", p, sizeof(p));
	if (mkdir(p, 0700) != 0)
		abort();
	at("files/etc", p, sizeof(p));
	if (mkdir(p, 0700) != 0)
		abort();
	put("volatile/processes.jsonl", "{}\n");
	put("volatile/empty.jsonl", "");
	put("files/etc/hostname", "web01\n");
	at("link", p, sizeof(p));
	if (symlink("/etc/passwd", p) != 0)
		abort();
	at("dirlink", p, sizeof(p));
	at("files", q, sizeof(q));
	if (symlink(q, p) != 0)
		abort();
	at("fifo", p, sizeof(p));
	if (mkfifo(p, 0600) != 0)
		abort();
	atexit(cleanup);
}

static void
write_manifest(const uint8_t *data, size_t size)
{
	size_t off = 0;
	ssize_t n;
	int fd;

	fd = open(manifest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	while (off < size) {
		n = write(fd, data + off, size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	if (close(fd) != 0)
		abort();
}

/* relative, and no component empty, "." or ".." */
static int
inside(const char *p)
{
	const char *s = p, *e;

	if (*p == '\0' || *p == '/')
		return 0;
	for (;;) {
		for (e = s; *e != '\0' && *e != '/'; e++)
			;
		if (e == s || (e - s == 1 && s[0] == '.') ||
		    (e - s == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		if (*e == '\0')
			return 1;
		s = e + 1;
	}
}

static int
hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

static int
plain(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	struct sp_collection *c = NULL;
	const struct sp_collection_item *it, *f;
	struct sp_run *run = NULL;
	struct sp_err err;
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	char *argv[] = { "fuzz_manifest", NULL };
	size_t i, n, bad;

	if (dir[0] == '\0')
		setup();
	write_manifest(data, size);
	sp_err_init(&err);
	if (sp_run_new(&run, "fuzz_manifest", 1, argv, &err) != SP_OK)
		abort();
	if (sp_collection_open(&c, dir, run, &err) != SP_OK) {
		if (err.code != SP_E_FORMAT && err.code != SP_E_NOMEM)
			abort();
		goto done;
	}
	SHA256(data, size, md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * i] = '\0';
	if (strcmp(sp_collection_manifest_sha256(c), hex) != 0 ||
	    sp_collection_manifest_size(c) != size)
		abort();
	if (!plain(sp_collection_host(c)) || !plain(sp_collection_boot_id(c)))
		abort();
	n = sp_collection_item_count(c);
	for (i = 0; i < n; i++) {
		if ((it = sp_collection_item(c, i)) == NULL)
			abort();
		if (it->path == NULL || !inside(it->path) || it->type == NULL ||
		    (it->sha256 != NULL && !hex64(it->sha256)) ||
		    it->size < -1)
			abort();
		if ((f = sp_collection_find(c, it->path)) == NULL ||
		    strcmp(f->path, it->path) != 0)
			abort();
	}
	if (sp_collection_item(c, n) != NULL)
		abort();
	if (n <= VERIFY_ITEMS) {
		bad = n + 1;
		sp_err_init(&err);
		if (sp_collection_verify(c, run, NULL, &bad, &err) != SP_OK &&
		    err.code != SP_E_NOMEM)
			abort();
		if (bad > n)
			abort();
	}
done:
	sp_collection_close(c);
	for (i = 0; i < sp_run_problem_count(run); i++)
		if (sp_run_problem_text(run, i) == NULL)
			break;
	sp_run_free(run);
	return 0;
}
