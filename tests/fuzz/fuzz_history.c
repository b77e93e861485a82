/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the shell history parsers: the input is read as
 * bash and as zsh history, with and without a modification time for the
 * file.  Every event must pass the shared event checks (fuzz_event.h)
 * with a message that is valid UTF-8, have a line and the user of the
 * path, and carry extra that starts with the command.
 */
#define FUZZ_NAME "fuzz_history"
#include "fuzz_event.h"

#define MTIME	INT64_C(1700000000000000000)

static void
history_event(const struct sp_event *e)
{
	if (e->line <= 0)
		fuzz_fail(e, "no line");
	if (e->user == NULL || strcmp(e->user, "fuzz") != 0)
		fuzz_fail(e, "user is not the path's");
	if (e->extra == NULL || strncmp(e->extra, "{\"command\":", 11) != 0)
		fuzz_fail(e, "extra is no JSON object with the command: %s",
		    e->extra ? e->extra : "(null)");
}

static const struct fuzz_rules rules = {
	FUZZ_UTF8, history_event, SP_OK, SP_OK
};
static const struct fuzz_file files[] = {
	{ sp_parse_bash_history, "/home/fuzz/.bash_history", MTIME },
	{ sp_parse_zsh_history, "/home/fuzz/.zsh_history", MTIME },
	{ sp_parse_bash_history, "/home/fuzz/.bash_history", SP_TIME_NONE },
	{ sp_parse_zsh_history, "/home/fuzz/.zsh_history", SP_TIME_NONE },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 0)
		fuzz_parse_all(&rules, files, FUZZ_COUNT(files), data, size);
	return 0;
}
