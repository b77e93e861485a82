/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the evidence layer: the input is an image (raw, or
 * E01 when it carries the EVF signature).  It is opened, every file system
 * is walked recursively with deleted entries, each entry is written in all
 * three record formats, and the content of the first regular files is read.
 * Error returns are expected; crashes, sanitizer reports and leaks are not.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spoor/case.h"
#include "spoor/err.h"
#include "spoor/evidence.h"
#include "spoor/json.h"
#include "spoor/output.h"

#define READ_FILES 8			/* files whose content is read */
#define READ_CAP (1u << 20)		/* bytes read from each of them */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct walk_state {
	struct sp_evidence *ev;
	FILE *null;
	struct sp_json json;
	struct sp_file_ref inodes[READ_FILES];
	size_t ninodes;
};

static char image_path[4096];
static FILE *devnull;

/*
 * The image lives in one file reused across runs.  The ".E01" suffix lets
 * libewf's segment globbing accept it when the input is an E01; a raw image
 * is recognised by content, not by name.
 */
static void
setup(void)
{
	const char *dir = getenv("TMPDIR");

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	snprintf(image_path, sizeof(image_path),
	    "%s/spoor-fuzz-evidence.%ld.E01", dir, (long)getpid());
	if ((devnull = fopen("/dev/null", "w")) == NULL)
		abort();
}

static int
write_image(const uint8_t *data, size_t size)
{
	int fd;
	size_t off = 0;
	ssize_t n;

	fd = open(image_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (off < size) {
		n = write(fd, data + off, size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	close(fd);
	return 0;
}

static int
on_entry(const struct sp_entry *e, void *arg)
{
	struct walk_state *s = arg;

	sp_bodyfile_write(s->null, e, NULL, 0);
	sp_bodyfile_write(s->null, e, "d41d8cd98f00b204e9800998ecf8427e",
	    SP_BODYFILE_NS);
	sp_fls_write(s->null, e);
	sp_entry_json_write(&s->json, e, NULL);
	if (s->ninodes < READ_FILES && e->meta_type == SP_TYPE_REG &&
	    !(e->flags & (SP_ENTRY_NO_META | SP_ENTRY_FILE_NAME)))
		sp_entry_file_ref(s->ev, e, &s->inodes[s->ninodes++]);
	return 0;
}

static int
on_data(const void *buf, size_t len, void *arg)
{
	size_t *total = arg;
	volatile unsigned char sink;

	/* touch the first and last byte so ASan sees the buffer is valid */
	if (len > 0) {
		sink = ((const unsigned char *)buf)[0];
		sink = ((const unsigned char *)buf)[len - 1];
		(void)sink;
	}
	*total += len;
	return *total >= READ_CAP;	/* a fuzzed size can be huge: stop */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_evidence *ev = NULL;
	struct sp_run *run = NULL;
	struct walk_state s;
	struct sp_err err;
	char *argv[] = { "fuzz_evidence", NULL };
	size_t i, j, total;

	if (devnull == NULL)
		setup();
	if (write_image(data, size) != 0)
		abort();	/* the harness, not the library, failed */
	sp_err_init(&err);
	if (sp_run_new(&run, "fuzz_evidence", 1, argv, &err) != SP_OK)
		abort();
	if (sp_evidence_open(&ev, image_path, run, &err) != SP_OK)
		goto done;
	/* the accessors the tools print */
	(void)sp_evidence_vs_type(ev);
	for (i = 0; i < sp_evidence_volume_count(ev); i++)
		fprintf(devnull, "%s %s\n", sp_evidence_volume(ev, i)->slot,
		    sp_evidence_volume(ev, i)->description);
	if (sp_evidence_ewf_info(ev) != NULL)
		fprintf(devnull, "%s\n", sp_evidence_ewf_info(ev)->format ?
		    sp_evidence_ewf_info(ev)->format : "");
	for (i = 0; i < sp_evidence_fs_count(ev); i++) {
		const struct sp_fs_info *fi = sp_evidence_fs(ev, i);

		fprintf(devnull, "%s %s %s\n", fi->type ? fi->type : "",
		    fi->label, fi->id);
		memset(&s, 0, sizeof(s));
		s.ev = ev;
		s.null = devnull;
		sp_json_init(&s.json, devnull);
		sp_err_init(&err);
		(void)sp_evidence_walk(ev, (unsigned)i, NULL,
		    SP_WALK_RECURSE | SP_WALK_ALL, on_entry, &s, &err);
		for (j = 0; j < s.ninodes; j++) {
			total = 0;
			sp_err_init(&err);
			(void)sp_evidence_read_ref(ev, &s.inodes[j], on_data,
			    &total, &err);
		}
	}
	fflush(devnull);
done:
	sp_evidence_close(ev);
	for (i = 0; i < sp_run_problem_count(run); i++)
		if (sp_run_problem_text(run, i) == NULL)
			break;
	sp_run_free(run);
	return 0;
}
