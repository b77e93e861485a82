/* SPDX-License-Identifier: Apache-2.0 */
/*
 * case-store: drives the tag and note functions of the case's store for
 * the tests, one operation per call, recorded as a run of its own.
 *
 *   case-store CASE tag-add KIND ID TAG [AUTHOR]      prints the tag's id
 *   case-store CASE tag-remove KIND ID TAG
 *   case-store CASE note-add KIND ID TEXT [AUTHOR]    prints the note's id
 *   case-store CASE note-update NOTE TEXT
 *   case-store CASE note-delete NOTE
 *
 * KIND is event, file, detection or node.  Errors go to stderr as
 * "case-store: message" with the error's exit status.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/case.h"
#include "spoor/run.h"
#include "spoor/store.h"

static int
usage(void)
{
	fprintf(stderr, "usage: case-store CASE tag-add|tag-remove|note-add "
	    "KIND ID TEXT [AUTHOR] | note-update NOTE TEXT | "
	    "note-delete NOTE\n");
	return 64;
}

static int
parse_kind(const char *s, enum sp_mark_target *k)
{
	static const char *const names[] = { "event", "file", "detection",
	    "node" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*k = (enum sp_mark_target)i;
			return 0;
		}
	return -1;
}

static int
parse_id(const char *s, int64_t *id)
{
	char *end;

	*id = strtoll(s, &end, 10);
	return *s == '\0' || *end != '\0' ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct sp_case *c = NULL;
	struct sp_run *run = NULL;
	struct sp_err err;
	enum sp_mark_target kind = SP_MARK_EVENT;
	const char *op;
	int64_t id = 0, out = 0;
	int rc, mark;

	if (argc < 4)
		return usage();
	op = argv[2];
	mark = strcmp(op, "tag-add") == 0 || strcmp(op, "tag-remove") == 0 ||
	    strcmp(op, "note-add") == 0;
	if (mark && (argc < 6 || argc > 7 || parse_kind(argv[3], &kind) != 0 ||
	    parse_id(argv[4], &id) != 0))
		return usage();
	if (!mark && (parse_id(argv[3], &id) != 0 ||
	    argc != (strcmp(op, "note-delete") == 0 ? 4 : 5)))
		return usage();
	sp_err_init(&err);
	if ((rc = sp_run_new(&run, "case-store", argc, argv, &err)) != SP_OK ||
	    (rc = sp_case_open(&c, argv[1], SP_CASE_CREATE, &err)) != SP_OK ||
	    (rc = sp_case_run_attach(c, run, &err)) != SP_OK)
		goto out;
	if (strcmp(op, "tag-add") == 0)
		rc = sp_case_tag_add(c, kind, id, argv[5], argc > 6 ? argv[6] :
		    NULL, SP_TIME_NONE, sp_run_id(run), &out, &err);
	else if (strcmp(op, "tag-remove") == 0)
		rc = sp_case_tag_remove(c, kind, id, argv[5], &err);
	else if (strcmp(op, "note-add") == 0)
		rc = sp_case_note_add(c, kind, id, argv[5], argc > 6 ? argv[6] :
		    NULL, SP_TIME_NONE, sp_run_id(run), &out, &err);
	else if (strcmp(op, "note-update") == 0)
		rc = sp_case_note_update(c, id, argv[4], SP_TIME_NONE, &err);
	else if (strcmp(op, "note-delete") == 0)
		rc = sp_case_note_delete(c, id, &err);
	else {
		rc = SP_E_USAGE;
		sp_err_set(&err, rc, 0, "unknown operation '%s'", op);
	}
	if (rc == SP_OK && out != 0)
		printf("%" PRId64 "\n", out);
out:
	if (rc != SP_OK)
		fprintf(stderr, "case-store: %s\n", err.msg);
	if (run != NULL)
		sp_run_end(run, sp_err_exit_status(rc), rc == SP_OK ? "done" :
		    "failed", NULL);
	sp_run_free(run);
	sp_case_close(c);
	return sp_err_exit_status(rc);
}
