/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor: the front command.  "spoor VERB ARGS" runs spoor-VERB from the
 * directory of this program (or $SPOOR_EXEC_PATH, then $PATH), the way git
 * runs its commands.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spoor/err.h"
#include "spoor/versions.h"

static const struct {
	const char *verb, *summary;
} verbs[] = {
	{ "info", "describe evidence: format, volumes, file systems" },
	{ "ls", "list file system entries like fls, or as a bodyfile" },
	{ "cat", "write a file's content from evidence to stdout" },
	{ "timeline", "add evidence or bodyfiles to a case's timeline" },
	{ "export", "write a case's timeline: bodyfile, mactime, JSONL" },
	{ "scan", "scan evidence with YARA, hash sets and heuristics" },
	{ "hashset", "import NSRL and hash lists, look hashes up" },
	{ "baseline", "record a system, its drift, unvouched executables" },
	{ "acquire", "image a disk or physical memory, hashed as read" },
	{ "rca", "explain detections: root-cause trees, who/what/how" },
	{ "view", "review a case in a terminal: timeline, trees, tags" },
	{ "collect", "triage a live host: volatile state, memory, files" },
};

static const char usage_text[] = "usage: spoor [-hV] verb [args ...]\n";

static void
help(void)
{
	size_t i;

	printf("%s\nspoor is a forensic and incident-response toolkit.\n"
	    "Each verb runs the command spoor-VERB.\n\nverbs:\n", usage_text);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		printf("  %-10s %s\n", verbs[i].verb, verbs[i].summary);
	printf("\noptions:\n  -h, --help     show this help\n"
	    "  -V, --version  show versions\n");
	printf("\nSee spoor(7) for conventions and exit statuses, and "
	    "spoor-VERB(1) for each\ncommand.\n");
}

static int
valid_verb(const char *v)
{
	return v[0] != '\0' && v[0] != '-' &&
	    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(v);
}

int
main(int argc, char *argv[])
{
	char self[PATH_MAX], prog[PATH_MAX + 64], *slash;
	const char *dir;
	ssize_t n;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return SP_EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		help();
		return SP_EXIT_OK;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("spoor\n%s", sp_versions_text());
		return SP_EXIT_OK;
	}
	if (!valid_verb(argv[1])) {
		fprintf(stderr, "spoor: '%s' is not a verb\n%s", argv[1],
		    usage_text);
		return SP_EXIT_USAGE;
	}
	dir = getenv("SPOOR_EXEC_PATH");
	if (dir == NULL) {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n > 0) {
			self[n] = '\0';
			if ((slash = strrchr(self, '/')) != NULL) {
				*slash = '\0';
				dir = self;
			}
		}
	}
	if (dir != NULL) {
		snprintf(prog, sizeof(prog), "%s/spoor-%s", dir, argv[1]);
		if (access(prog, X_OK) == 0) {
			argv[1] = prog;
			execv(prog, argv + 1);
			fprintf(stderr, "spoor: cannot run '%s': %s\n", prog,
			    strerror(errno));
			return SP_EXIT_OF(SP_E_OS);
		}
	}
	snprintf(prog, sizeof(prog), "spoor-%s", argv[1]);
	argv[1] = prog;
	execvp(prog, argv + 1);
	if (errno == ENOENT) {
		fprintf(stderr, "spoor: '%s' is not a spoor verb; see "
		    "'spoor --help'\n", prog + 6);
		return SP_EXIT_USAGE;
	}
	fprintf(stderr, "spoor: cannot run '%s': %s\n", prog, strerror(errno));
	return SP_EXIT_OF(SP_E_OS);
}
