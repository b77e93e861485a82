/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Persistence entries and process names as findings (see
 * include/spoor/timeline.h and spoor-heuristics(7), "PERSISTENCE AND
 * PROCESS NAMES"): once a source is loaded, its typed persistence and
 * audit events are read back through the query cursor and judged.
 *
 * A cron line, a systemd unit or a timer (through the unit it starts)
 * whose program lives in a temporary or hidden directory, or is a file no
 * package of the source's dpkg database lists, is a detection in
 * namespace "persistence" on that program's path.  An audit record of a
 * process named like a kernel thread ("kworker/0:1", "[kswapd0]") that
 * has an executable is one in namespace "process" on its pid: a kernel
 * thread has no executable, so the kernel never writes one for it.
 *
 * The program of a command line is found the way a shell would run it, as
 * far as can be told without running anything: each command of a list or
 * pipeline, past variable assignments, shell keywords and a few wrappers
 * (env, exec, nohup, setsid, nice, ionice, timeout, command, sudo); the
 * string of "sh -c" is read as a command line of its own; an interpreter
 * (a shell, python, perl, ruby, php, node) counts with the script it
 * runs.  Only absolute paths are judged: a bare name runs what PATH finds,
 * and a word with $, ~ or a glob is not known before it runs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "spoor/artifact.h"
#include "spoor/evidence.h"
#include "spoor/json.h"
#include "spoor/query.h"
#include "spoor/severity.h"
#include "spoor/store.h"
#include "spoor/strbuf.h"
#include "spoor/timeline.h"
#include "timeline/cmdline.h"

/* Bounds on what is kept of one source. */
#define MAX_ENTRIES	100000
#define MAX_PROCS	100000
#define MAX_CMDS	16	/* programs judged in one command line */
#define MAX_DEPTH	16	/* sh -c inside sh -c ... */
#define WORD_MAX	4096
#define LINE_MAX_DPKG	8192
#define PIECE_MAX	96	/* bytes of evidence in a reason */

/* ---- escaping for reasons ---- */

/*
 * s as printable ASCII into out (size bytes): a backslash doubled, any
 * other byte outside ' '..'~' as \xNN, cut at PIECE_MAX bytes of s.
 */
static const char *
esc(const char *s, char *out, size_t size)
{
	size_t i, o = 0;

	if (s == NULL)
		s = "";
	for (i = 0; s[i] != '\0' && o + 8 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i == PIECE_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (c >= ' ' && c <= '~')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

#define ESC_MAX	(PIECE_MAX * 4 + 8)

/* ---- paths ---- */

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

/* p with "//", "/./" and "/x/../" taken out, as a new string. */
static char *
normalize(const char *p)
{
	char *out = malloc(strlen(p) + 2), *o;
	const char *s = p, *e;
	size_t n;

	if (out == NULL)
		return NULL;
	o = out;
	while (*s != '\0') {
		while (*s == '/')
			s++;
		if (*s == '\0')
			break;
		e = strchr(s, '/');
		n = e != NULL ? (size_t)(e - s) : strlen(s);
		if (n == 1 && s[0] == '.') {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > out && *--o != '/')
				;
		} else {
			*o++ = '/';
			memcpy(o, s, n);
			o += n;
		}
		s += n;
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	return out;
}

static int
under(const char *p, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(p, dir, n) == 0 && (p[n] == '/' || p[n] == '\0');
}

static const char *
temp_dir(const char *p)
{
	static const char *const dirs[] = { "/tmp", "/var/tmp", "/dev/shm",
	    "/run/shm", NULL };
	size_t i;

	for (i = 0; dirs[i] != NULL; i++)
		if (under(p, dirs[i]))
			return dirs[i];
	return NULL;
}

/* The first component of p that starts with '.', into out. */
static int
hidden_part(const char *p, char *out, size_t size)
{
	const char *s = p;

	while ((s = strchr(s, '/')) != NULL) {
		s++;
		if (*s == '.') {
			snprintf(out, size, "%.*s", (int)strcspn(s, "/"), s);
			return 1;
		}
	}
	return 0;
}

static int
in_home(const char *p)
{
	return under(p, "/root") || (under(p, "/home") && p[5] == '/');
}

/* Locally installed software: /usr/local and /opt. */
static int
local_tree(const char *p)
{
	return under(p, "/usr/local") || under(p, "/opt");
}

/* ---- what a command line runs ---- */

struct words {
	char *v[64];
	size_t n;
};

struct progs {
	char *v[MAX_CMDS];
	size_t n;
};

static void
words_free(struct words *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i]);
	w->n = 0;
}

static void
progs_add(struct progs *p, const char *path)
{
	size_t i;
	char *n;

	if (p->n >= MAX_CMDS || path[0] != '/' ||
	    strpbrk(path, "$`*?[~") != NULL)
		return;
	if ((n = normalize(path)) == NULL)
		return;
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i], n) == 0) {
			free(n);
			return;
		}
	p->v[p->n++] = n;
}

static int
is_assignment(const char *w)
{
	size_t i;

	if (!((w[0] >= 'A' && w[0] <= 'Z') || (w[0] >= 'a' && w[0] <= 'z') ||
	    w[0] == '_'))
		return 0;
	for (i = 1; w[i] != '\0' && w[i] != '='; i++)
		if (!((w[i] >= 'A' && w[i] <= 'Z') || (w[i] >= 'a' &&
		    w[i] <= 'z') || (w[i] >= '0' && w[i] <= '9') ||
		    w[i] == '_'))
			return 0;
	return w[i] == '=';
}

static int
in_list(const char *w, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(w, list[i]) == 0)
			return 1;
	return 0;
}

/* name, or name followed by a version ("python3.11", "php8.2"). */
static int
versioned(const char *w, const char *name)
{
	size_t n = strlen(name);

	return strncmp(w, name, n) == 0 &&
	    strspn(w + n, "0123456789.") == strlen(w + n);
}

static int
is_shell(const char *b)
{
	static const char *const shells[] = { "sh", "bash", "dash", "zsh",
	    "ksh", "mksh", "ash", NULL };

	return in_list(b, shells);
}

static int
is_interpreter(const char *b)
{
	return versioned(b, "python") || versioned(b, "perl") ||
	    versioned(b, "ruby") || versioned(b, "php") ||
	    versioned(b, "node") || strcmp(b, "nodejs") == 0;
}

static void run_line(const char *cmd, int depth, struct progs *out);

/* The programs of one simple command's words. */
static void
simple_command(struct words *w, int depth, struct progs *out)
{
	static const char *const keywords[] = { "if", "then", "else", "elif",
	    "fi", "do", "done", "while", "until", "!", "{", "}", "time",
	    NULL };
	static const char *const wrappers[] = { "env", "exec", "nohup",
	    "setsid", "nice", "ionice", "timeout", "command", "sudo", NULL };
	size_t i = 0, j;
	const char *b;

	for (;;) {
		while (i < w->n && (is_assignment(w->v[i]) ||
		    in_list(w->v[i], keywords)))
			i++;
		if (i >= w->n)
			return;
		b = base_name(w->v[i]);
		if (!in_list(b, wrappers))
			break;
		progs_add(out, w->v[i]);
		i++;
		/* the wrapper's options; those that take a value */
		while (i < w->n && w->v[i][0] == '-') {
			const char *o = w->v[i++];
			if (strcmp(o, "--") == 0)
				break;
			if (((strcmp(b, "nice") == 0 || strcmp(b, "ionice") ==
			    0) && (strcmp(o, "-n") == 0 || strcmp(o, "-c") ==
			    0)) || (strcmp(b, "env") == 0 && (strcmp(o, "-u") ==
			    0 || strcmp(o, "-C") == 0)) || (strcmp(b, "sudo") ==
			    0 && (strcmp(o, "-u") == 0 || strcmp(o, "-g") ==
			    0)) || (strcmp(b, "timeout") == 0 && (strcmp(o,
			    "-s") == 0 || strcmp(o, "-k") == 0)))
				i++;
		}
		if (strcmp(b, "timeout") == 0 && i < w->n)
			i++;	/* the duration */
	}
	b = base_name(w->v[i]);
	progs_add(out, w->v[i]);
	if (!is_shell(b) && !is_interpreter(b))
		return;
	/* sh -c STRING; an interpreter's script, not its inline code */
	for (j = i + 1; j < w->n && w->v[j][0] == '-'; j++) {
		const char *o = w->v[j];
		if (strcmp(o, "--") == 0) {
			j++;
			break;
		}
		if (is_shell(b) && o[1] != '-' && strchr(o + 1, 'c') != NULL) {
			if (j + 1 < w->n && depth < MAX_DEPTH)
				run_line(w->v[j + 1], depth + 1, out);
			return;
		}
		if (!is_shell(b) && (strcmp(o, "-c") == 0 ||
		    strcmp(o, "-e") == 0 || strcmp(o, "-E") == 0 ||
		    strcmp(o, "-m") == 0 || strcmp(o, "-r") == 0))
			return;		/* inline code or a module */
		if (strcmp(o, "-o") == 0 || strcmp(o, "-O") == 0 ||
		    strcmp(o, "-W") == 0 || strcmp(o, "-X") == 0 ||
		    strcmp(o, "-I") == 0)
			j++;		/* an option's value */
	}
	if (j < w->n)
		progs_add(out, w->v[j]);
}

/*
 * Split cmd into simple commands and words as a shell would (quotes,
 * backslashes, ; & | && || newlines and parentheses between commands,
 * redirections and their targets dropped) and add each one's programs.
 */
static void
run_line(const char *cmd, int depth, struct progs *out)
{
	struct words w = { { NULL }, 0 };
	char word[WORD_MAX];
	size_t n = 0;
	const char *s = cmd;
	int have = 0, redirect = 0;

	for (;;) {
		char c = *s;
		int end_word = c == '\0' || c == ' ' || c == '\t' ||
		    strchr(";&|\n()<>`", c) != NULL;

		if (!end_word) {
			if (c == '\'') {
				const char *e = strchr(s + 1, '\'');
				size_t k = e ? (size_t)(e - s - 1) : strlen(s + 1);
				if (n + k < sizeof(word)) {
					memcpy(word + n, s + 1, k);
					n += k;
				}
				s += k + 1 + (e != NULL);
				have = 1;
				continue;
			}
			if (c == '"') {
				s++;
				while (*s != '\0' && *s != '"') {
					if (*s == '\\' && s[1] != '\0' &&
					    strchr("\"\\$`", s[1]) != NULL)
						s++;
					if (n + 1 < sizeof(word))
						word[n++] = *s;
					s++;
				}
				if (*s == '"')
					s++;
				have = 1;
				continue;
			}
			if (c == '\\' && s[1] != '\0')
				c = *++s;
			if (n + 1 < sizeof(word))
				word[n++] = c;
			s++;
			have = 1;
			continue;
		}
		/* the end of a word */
		if (have) {
			word[n] = '\0';
			if ((c == '<' || c == '>') &&
			    strspn(word, "0123456789") == n) {
				/* "2>": the word was the descriptor */
			} else if (redirect) {
				redirect = 0;	/* the redirection's target */
			} else if (w.n < sizeof(w.v) / sizeof(w.v[0]) &&
			    (w.v[w.n] = strdup(word)) != NULL)
				w.n++;
		}
		n = 0;
		have = 0;
		if (c == '<' || c == '>') {
			while (*s == '<' || *s == '>' || *s == '&' || *s == '|')
				s++;
			/* >&2 names a descriptor, not a file */
			if (strspn(s, "0123456789-") > 0 &&
			    (s[-1] == '&'))
				s += strspn(s, "0123456789-");
			else
				redirect = 1;
			continue;
		}
		if (c == '\0' || strchr(";&|\n()`", c) != NULL) {
			simple_command(&w, depth, out);
			words_free(&w);
			redirect = 0;
			if (c == '\0')
				break;
		}
		s++;
	}
	words_free(&w);
}

/* ---- the entries ---- */

enum entry_kind { E_CRON, E_UNIT, E_TIMER };

struct entry {
	enum entry_kind kind;
	char *origin;		/* the crontab or unit file */
	char *unit;		/* the unit's name */
	char *activates;	/* a timer's unit */
	char *user;
	char *schedule;
	char *commands;		/* a cron command, or the unit's lines,
				 * "Key=value" separated by '\n' */
	int64_t line;
	sp_time_ns time;
	struct progs progs;
};

struct proc {
	sp_time_ns time;
	int64_t pid, ppid, line;
	char *exe, *name, *origin, *user;
	const char *field;	/* comm, argv[0] or proctitle */
};

/* What dpkg lists: the paths asked about, each with its package. */
struct owned {
	char *path;
	char *package;		/* NULL: no package lists it */
};

struct pc {
	struct sp_store *store;
	struct sp_run *run;
	struct sp_evidence *ev;
	int64_t source_id;
	struct sp_err *err;
	uint64_t found;
	struct entry *e;
	size_t ne;
	struct proc *p;
	size_t np;
	struct owned *own;	/* sorted by path */
	size_t nown;
	int dpkg;		/* the source has a dpkg database */
	int truncated;
};

struct xf {
	char kind[24];
	char *unit, *exec_start, *command, *schedule, *activates, *comm;
	char *argv0, *proctitle;
	struct sp_strbuf more;
	int nmore;
};

static int
on_more(const struct sp_json_val *v, void *arg)
{
	struct xf *x = arg;
	char *s = sp_json_string(v);

	if (s != NULL) {
		if (x->nmore++ > 0)
			sp_strbuf_addn(&x->more, "\n", 1);
		sp_strbuf_add(&x->more, s);
		free(s);
	}
	return 0;
}

static int
on_argv(const struct sp_json_val *v, void *arg)
{
	struct xf *x = arg;

	x->argv0 = sp_json_string(v);
	return 1;	/* only argv[0] */
}

static int
on_member(const char *k, size_t kl, const struct sp_json_val *v, void *arg)
{
	struct xf *x = arg;
	char **slot = NULL;

	if (kl == 4 && memcmp(k, "kind", 4) == 0) {
		char *s = sp_json_string(v);
		snprintf(x->kind, sizeof(x->kind), "%s", s != NULL ? s : "");
		free(s);
		return 0;
	}
	if (kl == 9 && memcmp(k, "exec_more", 9) == 0) {
		(void)sp_json_elements(v, on_more, x);
		return 0;
	}
	if (kl == 4 && memcmp(k, "argv", 4) == 0) {
		if (x->argv0 == NULL)
			(void)sp_json_elements(v, on_argv, x);
		return 0;
	}
	if (kl == 4 && memcmp(k, "unit", 4) == 0)
		slot = &x->unit;
	else if (kl == 10 && memcmp(k, "exec_start", 10) == 0)
		slot = &x->exec_start;
	else if (kl == 7 && memcmp(k, "command", 7) == 0)
		slot = &x->command;
	else if (kl == 8 && memcmp(k, "schedule", 8) == 0)
		slot = &x->schedule;
	else if (kl == 9 && memcmp(k, "activates", 9) == 0)
		slot = &x->activates;
	else if (kl == 4 && memcmp(k, "comm", 4) == 0)
		slot = &x->comm;
	else if (kl == 9 && memcmp(k, "proctitle", 9) == 0)
		slot = &x->proctitle;
	if (slot != NULL && *slot == NULL)
		*slot = sp_json_string(v);
	return 0;
}

static void
xf_release(struct xf *x)
{
	free(x->unit);
	free(x->exec_start);
	free(x->command);
	free(x->schedule);
	free(x->activates);
	free(x->comm);
	free(x->argv0);
	free(x->proctitle);
	sp_strbuf_release(&x->more);
}

static void
read_extra(const char *extra, struct xf *x)
{
	memset(x, 0, sizeof(*x));
	sp_strbuf_init(&x->more);
	if (extra != NULL)
		(void)sp_json_members(extra, strlen(extra), on_member, x);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* A unit's command line past systemd's prefixes ("-", "@", "+", ...). */
static const char *
unit_command(const char *v)
{
	while (*v != '\0' && strchr("-@:+!|", *v) != NULL)
		v++;
	return v;
}

/* A cron command up to its first unescaped '%' (the rest is stdin). */
static char *
cron_command(const char *cmd)
{
	char *c = strdup(cmd), *s;

	if (c == NULL)
		return NULL;
	for (s = c; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '%') {
			*s = '\0';
			break;
		}
	}
	return c;
}

static void
entry_progs(struct entry *en)
{
	char *copy, *line, *save = NULL, *eq, *c;

	if (en->commands == NULL)
		return;
	if (en->kind == E_CRON) {
		if ((c = cron_command(en->commands)) != NULL)
			run_line(c, 0, &en->progs);
		free(c);
		return;
	}
	if ((copy = strdup(en->commands)) == NULL)
		return;
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		run_line(unit_command(eq != NULL ? eq + 1 : line), 0,
		    &en->progs);
	}
	free(copy);
}

size_t
sp_cmdline_programs(const char *text, enum sp_cmdline_kind kind, char **v,
    size_t max)
{
	struct entry en;
	size_t i, n = 0;

	memset(&en, 0, sizeof(en));
	en.kind = kind == SP_CMDLINE_CRON ? E_CRON : E_UNIT;
	if (kind == SP_CMDLINE_SHELL)
		run_line(text, 0, &en.progs);
	else {
		en.commands = (char *)text;
		entry_progs(&en);
	}
	for (i = 0; i < en.progs.n; i++)
		if (n < max)
			v[n++] = en.progs.v[i];
		else
			free(en.progs.v[i]);
	return n;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void
on_persistence(struct pc *c, const struct sp_event_row *ev)
{
	struct entry *en;
	struct xf x;
	struct sp_strbuf cmds;

	read_extra(ev->extra, &x);
	if (strcmp(x.kind, "cron") != 0 && strcmp(x.kind, "systemd") != 0)
		goto out;
	if (c->ne >= MAX_ENTRIES) {
		c->truncated = 1;
		goto out;
	}
	if (sp_array_grow_count((void **)&c->e, c->ne, sizeof(*c->e)) != 0)
		goto out;
	en = &c->e[c->ne];
	memset(en, 0, sizeof(*en));
	sp_strbuf_init(&cmds);
	if (strcmp(x.kind, "cron") == 0) {
		en->kind = E_CRON;
		if (x.command != NULL)
			sp_strbuf_add(&cmds, x.command);
	} else {
		en->kind = x.unit != NULL && (ends_with(x.unit, ".timer") ||
		    ends_with(x.unit, ".path")) ? E_TIMER : E_UNIT;
		if (x.exec_start != NULL) {
			sp_strbuf_add(&cmds, "ExecStart=");
			sp_strbuf_add(&cmds, x.exec_start);
		}
		if (x.nmore > 0) {
			if (cmds.len > 0)
				sp_strbuf_addn(&cmds, "\n", 1);
			sp_strbuf_add(&cmds, sp_strbuf_str(&x.more));
		}
	}
	en->origin = dup_or_null(ev->origin != NULL ? ev->origin : ev->path);
	en->unit = dup_or_null(x.unit);
	en->activates = dup_or_null(x.activates);
	en->user = dup_or_null(ev->user);
	en->schedule = dup_or_null(x.schedule);
	en->commands = cmds.len > 0 && !cmds.oom ? strdup(cmds.buf) : NULL;
	en->line = ev->origin_line;
	en->time = ev->time_ns;
	sp_strbuf_release(&cmds);
	if (en->origin == NULL) {
		free(en->unit);
		free(en->activates);
		free(en->user);
		free(en->schedule);
		free(en->commands);
		goto out;
	}
	entry_progs(en);
	c->ne++;
out:
	xf_release(&x);
}

/* ---- kernel thread names ---- */

/*
 * Whether name (a comm, argv[0] or its base name) is shaped like a kernel
 * thread's: in brackets as ps(1) shows them, or a name the kernel gives
 * its threads.  Names a userspace program also goes by ("watchdog",
 * "md") are taken only in their kernel shape ("watchdog/0", "watchdogd").
 */
static int
kthread_name(const char *name)
{
	static const char *const prefixes[] = {
		"kworker/", "ksoftirqd/", "migration/", "watchdog/", "cpuhp/",
		"jbd2/", "irq/", "idle_inject/", "xfsaild/", "scsi_eh_",
		"scsi_tmf_", "rcu_", "kswapd", "kcompactd", "card0-crtc",
		"kthrotld", "ext4-rsv-conver", NULL
	};
	static const char *const names[] = {
		"kthreadd", "khugepaged", "kblockd", "kdevtmpfs", "kauditd",
		"oom_reaper", "writeback", "kintegrityd", "ksmd", "khungtaskd",
		"netns", "kstrp", "ipv6_addrconf", "watchdogd",
		"ecryptfs-kthread", "mm_percpu_wq", "inet_frag_wq",
		"blkcg_punt_bio", "tpm_dev_wq", "ata_sff", "edac-poller",
		"devfreq_wq", "kworker", "ksoftirqd", "kswapd", NULL
	};
	size_t i, n = strlen(name), k;

	if (n >= 3 && name[0] == '[' && name[n - 1] == ']')
		return 1;
	for (i = 0; prefixes[i] != NULL; i++) {
		k = strlen(prefixes[i]);
		if (n > k && strncmp(name, prefixes[i], k) == 0)
			return 1;
	}
	return in_list(name, names);
}

static void
on_audit(struct pc *c, const struct sp_event_row *ev)
{
	struct xf x;
	struct proc *p;
	const char *name = NULL, *field = NULL;
	char first[256];
	size_t i;

	if (ev->exe == NULL || ev->exe[0] != '/' || ev->pid == SP_QUERY_NULL ||
	    ev->pid <= 0)
		return;		/* a kernel thread has no executable */
	for (i = 0; i < c->np; i++)
		if (c->p[i].pid == ev->pid && strcmp(c->p[i].exe, ev->exe) == 0)
			return;
	read_extra(ev->extra, &x);
	if (x.comm != NULL && kthread_name(x.comm)) {
		name = x.comm;
		field = "comm";
	} else if (x.argv0 != NULL && (kthread_name(x.argv0) ||
	    kthread_name(base_name(x.argv0)))) {
		name = x.argv0;
		field = "argv[0]";
	} else if (x.proctitle != NULL) {
		snprintf(first, sizeof(first), "%.*s",
		    (int)strcspn(x.proctitle, " "), x.proctitle);
		if (kthread_name(first) || kthread_name(base_name(first))) {
			name = first;
			field = "proctitle";
		}
	}
	if (name == NULL)
		goto out;
	if (c->np >= MAX_PROCS) {
		c->truncated = 1;
		goto out;
	}
	if (sp_array_grow_count((void **)&c->p, c->np, sizeof(*c->p)) != 0)
		goto out;
	p = &c->p[c->np];
	memset(p, 0, sizeof(*p));
	p->time = ev->time_ns;
	p->pid = ev->pid;
	p->ppid = ev->ppid;
	p->line = ev->origin_line;
	p->exe = strdup(ev->exe);
	p->name = strdup(name);
	p->field = field;
	p->origin = dup_or_null(ev->origin);
	p->user = dup_or_null(ev->user);
	if (p->exe == NULL || p->name == NULL) {
		free(p->exe);
		free(p->name);
		free(p->origin);
		free(p->user);
		goto out;
	}
	c->np++;
out:
	xf_release(&x);
}

static int
read_events(struct pc *c, struct sp_case *cs)
{
	static const char *const kinds[] = { "persistence", "audit" };
	struct sp_query_filter f;
	struct sp_query *q = NULL;
	const struct sp_event_row *ev;
	int has, rc;

	sp_query_filter_init(&f);
	f.source_id = c->source_id;
	f.artifacts = kinds;
	f.nartifacts = 2;
	f.bare = 1;
	if ((rc = sp_query_open_events(&q, cs, &f, NULL, c->err)) != SP_OK)
		return rc;
	while ((rc = sp_query_next(q, &has, c->err)) == SP_OK && has) {
		ev = sp_query_event(q);
		if (ev->artifact == NULL)
			continue;
		if (strcmp(ev->artifact, "persistence") == 0)
			on_persistence(c, ev);
		else if (strcmp(ev->artifact, "audit") == 0)
			on_audit(c, ev);
	}
	sp_query_close(q);
	return rc;
}

/* ---- what dpkg lists ---- */

static int
cmp_owned(const void *a, const void *b)
{
	return strcmp(((const struct owned *)a)->path,
	    ((const struct owned *)b)->path);
}

static void
ask(struct pc *c, const char *path)
{
	if (path == NULL || path[0] != '/' ||
	    sp_array_grow_count((void **)&c->own, c->nown, sizeof(*c->own)) != 0)
		return;
	if ((c->own[c->nown].path = strdup(path)) == NULL)
		return;
	c->own[c->nown++].package = NULL;
}

/*
 * The other name of path on a merged-/usr system: /bin/x for /usr/bin/x
 * and back (dpkg lists the name the package shipped).
 */
static int
usr_alias(const char *path, char *out, size_t size)
{
	static const char *const dirs[] = { "/bin/", "/sbin/", "/lib/",
	    "/lib32/", "/lib64/", "/libx32/", NULL };
	size_t i;

	for (i = 0; dirs[i] != NULL; i++) {
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0) {
			snprintf(out, size, "/usr%s", path);
			return 1;
		}
		if (strncmp(path, "/usr", 4) == 0 &&
		    strncmp(path + 4, dirs[i], strlen(dirs[i])) == 0) {
			snprintf(out, size, "%s", path + 4);
			return 1;
		}
	}
	return 0;
}

static void
collect_paths(struct pc *c)
{
	char alias[WORD_MAX + 8];
	size_t i, j, k;

	for (i = 0; i < c->ne; i++) {
		ask(c, c->e[i].origin);
		for (j = 0; j < c->e[i].progs.n; j++) {
			ask(c, c->e[i].progs.v[j]);
			if (usr_alias(c->e[i].progs.v[j], alias, sizeof(alias)))
				ask(c, alias);
		}
	}
	if (c->nown == 0)
		return;
	qsort(c->own, c->nown, sizeof(*c->own), cmp_owned);
	for (i = 1, k = 1; i < c->nown; i++) {
		if (strcmp(c->own[i].path, c->own[k - 1].path) == 0) {
			free(c->own[i].path);
			continue;
		}
		c->own[k++] = c->own[i];
	}
	c->nown = k;
}

static struct owned *
find_owned(const struct pc *c, const char *path)
{
	struct owned key;

	if (c->nown == 0)
		return NULL;
	key.path = (char *)path;
	return bsearch(&key, c->own, c->nown, sizeof(*c->own), cmp_owned);
}

/* The package that lists path (or its merged-/usr name), or NULL. */
static const char *
package_of(const struct pc *c, const char *path)
{
	char alias[WORD_MAX + 8];
	const struct owned *o = find_owned(c, path);

	if (o != NULL && o->package != NULL)
		return o->package;
	if (usr_alias(path, alias, sizeof(alias)) &&
	    (o = find_owned(c, alias)) != NULL)
		return o->package;
	return NULL;
}

enum dpkg_kind { D_LIST, D_MD5SUMS, D_CONFFILES, D_ALTERNATIVE };

/* One dpkg file being read: lines across the chunks of the read. */
struct dpkg_read {
	struct pc *c;
	enum dpkg_kind kind;
	char package[256];
	char line[LINE_MAX_DPKG];
	size_t n;
	int64_t lineno;
	int toolong, blank_seen;
};

static void
dpkg_line(struct dpkg_read *r, char *s)
{
	struct owned *o;
	char *p = s;

	r->lineno++;
	if (r->kind == D_MD5SUMS) {
		/* "MD5  path" with the path relative to / */
		p += strspn(p, "0123456789abcdefABCDEF");
		p += strspn(p, " \t*");
		if (p == s || *p == '\0')
			return;
		if (*p != '/')
			p--, *p = '/';
	} else if (r->kind == D_CONFFILES) {
		p = strrchr(s, ' ') != NULL && s[0] != '/' ?
		    strchr(s, '/') : s;
		if (p == NULL)
			return;
		p[strcspn(p, " \t")] = '\0';
	} else if (r->kind == D_ALTERNATIVE) {
		/* mode, the link, then name and link pairs up to a blank */
		if (*s == '\0')
			r->blank_seen = 1;
		if (r->blank_seen || r->lineno == 1 || (r->lineno > 2 &&
		    r->lineno % 2 == 1))
			return;
	}
	if (*p != '/')
		return;
	if ((o = find_owned(r->c, p)) != NULL && o->package == NULL)
		o->package = strdup(r->package);
}

static int
on_dpkg_data(const void *buf, size_t len, void *arg)
{
	struct dpkg_read *r = arg;
	const char *b = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (b[i] == '\n') {
			if (!r->toolong) {
				r->line[r->n] = '\0';
				if (r->n > 0 && r->line[r->n - 1] == '\r')
					r->line[r->n - 1] = '\0';
				dpkg_line(r, r->line);
			} else
				r->lineno++;
			r->n = 0;
			r->toolong = 0;
		} else if (r->n + 1 < sizeof(r->line))
			r->line[r->n++] = b[i];
		else
			r->toolong = 1;
	}
	return SP_CB_CONTINUE;
}

struct dpkg_file {
	char *path;
	char package[256];
	enum dpkg_kind kind;
};

struct dpkg_list {
	struct dpkg_file *f;
	size_t n;
	int nomem;
};

static int
collect_dpkg(const struct sp_entry *e, void *arg)
{
	struct dpkg_list *l = arg;
	const char *b = base_name(e->path);
	const char *dot = strrchr(b, '.');
	enum dpkg_kind kind;

	if (e->meta_type != SP_TYPE_REG || (e->flags & SP_ENTRY_DELETED))
		return SP_CB_CONTINUE;
	if (strstr(e->path, "/dpkg/alternatives/") != NULL)
		kind = D_ALTERNATIVE;
	else if (dot != NULL && strcmp(dot, ".list") == 0)
		kind = D_LIST;
	else if (dot != NULL && strcmp(dot, ".md5sums") == 0)
		kind = D_MD5SUMS;
	else if (dot != NULL && strcmp(dot, ".conffiles") == 0)
		kind = D_CONFFILES;
	else
		return SP_CB_CONTINUE;
	if (sp_array_grow_count((void **)&l->f, l->n, sizeof(*l->f)) != 0 ||
	    (l->f[l->n].path = strdup(e->path)) == NULL) {
		l->nomem = 1;
		return SP_CB_STOP;
	}
	l->f[l->n].kind = kind;
	if (kind == D_ALTERNATIVE)
		snprintf(l->f[l->n].package, sizeof(l->f[0].package),
		    "alternative %s", b);
	else
		snprintf(l->f[l->n].package, sizeof(l->f[0].package), "%.*s",
		    (int)(dot - b), b);
	l->n++;
	return SP_CB_CONTINUE;
}

/* Mark the asked paths that a package of the source's dpkg lists. */
static int
read_dpkg(struct pc *c)
{
	static const char *const dirs[] = { "/var/lib/dpkg/info",
	    "/var/lib/dpkg/alternatives" };
	struct dpkg_list l;
	struct dpkg_read *r = NULL;
	struct sp_err e;
	size_t fs, d, i;
	int rc = SP_OK, lists = 0;

	if (c->ev == NULL || c->nown == 0)
		return SP_OK;
	if ((r = malloc(sizeof(*r))) == NULL)
		return sp_err_set(c->err, SP_E_NOMEM, 0, "persistence check");
	for (fs = 0; fs < sp_evidence_fs_count(c->ev) && rc == SP_OK; fs++) {
		for (d = 0; d < 2 && rc == SP_OK; d++) {
			memset(&l, 0, sizeof(l));
			sp_err_init(&e);
			rc = sp_evidence_walk(c->ev, (unsigned)fs, dirs[d],
			    SP_WALK_ALLOCATED, collect_dpkg, &l, &e);
			if (rc == SP_E_INTERRUPTED) {
				if (c->err != NULL)
					*c->err = e;
			} else
				rc = l.nomem ? sp_err_set(c->err, SP_E_NOMEM, 0,
				    "persistence check") : SP_OK;
			for (i = 0; i < l.n && rc == SP_OK; i++) {
				memset(r, 0, sizeof(*r));
				r->c = c;
				r->kind = l.f[i].kind;
				snprintf(r->package, sizeof(r->package), "%s",
				    l.f[i].package);
				sp_err_init(&e);
				rc = sp_evidence_read_file(c->ev, (unsigned)fs,
				    l.f[i].path, on_dpkg_data, r, &e);
				if (rc == SP_OK && r->n > 0 && !r->toolong) {
					r->line[r->n] = '\0';
					dpkg_line(r, r->line);
				}
				if (rc == SP_OK && (r->kind == D_LIST ||
				    r->kind == D_MD5SUMS))
					lists++;
				if (rc == SP_E_INTERRUPTED) {
					if (c->err != NULL)
						*c->err = e;
				} else if (rc != SP_OK) {
					sp_run_problem(c->run, l.f[i].path, rc,
					    "%s", e.msg);
					rc = SP_OK;
				}
			}
			for (i = 0; i < l.n; i++)
				free(l.f[i].path);
			free(l.f);
		}
	}
	free(r);
	c->dpkg = lists > 0;
	return rc;
}

/* ---- the file a detection is about ---- */

struct find_name {
	const char *name;
	uint64_t inode;
	int found;
};

static int
on_dir_entry(const struct sp_entry *e, void *arg)
{
	struct find_name *f = arg;

	if ((e->flags & SP_ENTRY_DELETED) ||
	    strcmp(base_name(e->path), f->name) != 0)
		return SP_CB_CONTINUE;
	f->inode = e->inode;
	f->found = 1;
	return SP_CB_STOP;
}

/* The files row of path in the source, by a look at its directory. */
static int
locate(struct pc *c, const char *path, int *fs_index, uint64_t *inode,
    int64_t *file_id)
{
	struct find_name f;
	struct sp_err e;
	char *dir;
	size_t fs;
	int rc = 0;

	*fs_index = -1;
	*inode = 0;
	*file_id = 0;
	if (c->ev == NULL || (dir = strdup(path)) == NULL)
		return 0;
	*strrchr(dir, '/') = '\0';
	for (fs = 0; fs < sp_evidence_fs_count(c->ev) && !rc; fs++) {
		memset(&f, 0, sizeof(f));
		f.name = base_name(path);
		sp_err_init(&e);
		if (sp_evidence_walk(c->ev, (unsigned)fs, dir[0] ? dir : "/",
		    SP_WALK_ALLOCATED, on_dir_entry, &f, &e) != SP_OK ||
		    !f.found)
			continue;
		*fs_index = (int)fs;
		*inode = f.inode;
		sp_err_init(&e);
		(void)sp_store_file_find(c->store, c->source_id, (int)fs,
		    f.inode, path, file_id, &e);
		rc = 1;
	}
	free(dir);
	return rc;
}

/* ---- findings ---- */

struct finding {
	const char *ns, *name, *kind;	/* kind: file or process */
	enum sp_severity sev;
	sp_time_ns time;
	const char *path;
	int64_t pid;
	const char *exe, *pname, *field;
	const char *entry_kind, *entry_path, *entry_unit, *program;
	int64_t entry_line;
	const char *package;
	const char *reason;
	const char *technique;	/* ATT&CK */
};

static int
report(struct pc *c, const struct finding *fd)
{
	struct sp_detection_record d;
	struct sp_json wr;
	char *details = NULL, *msg = NULL;
	size_t dlen = 0;
	int64_t file_id = 0;
	uint64_t inode = 0;
	int fs_index = -1, present = 0;
	FILE *mf;
	int rc;

	if (strcmp(fd->kind, "file") == 0)
		present = locate(c, fd->path, &fs_index, &inode, &file_id);
	if ((mf = open_memstream(&details, &dlen)) == NULL)
		return sp_err_set(c->err, SP_E_NOMEM, 0, "persistence check");
	sp_json_init(&wr, mf);
	sp_json_object_begin(&wr);
	sp_json_kv_int(&wr, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(&wr, "type", "heuristic");
	sp_json_kv_str(&wr, "namespace", fd->ns);
	sp_json_kv_str(&wr, "name", fd->name);
	sp_json_kv_str(&wr, "severity", sp_severity_name(fd->sev));
	sp_json_kv_int(&wr, "score", sp_severity_score(fd->sev));
	sp_json_kv_str(&wr, "technique", fd->technique);
	sp_json_kv_str(&wr, "reason", fd->reason);
	sp_json_key(&wr, "target");
	sp_json_object_begin(&wr);
	sp_json_kv_str(&wr, "kind", fd->kind);
	if (fd->pid >= 0) {
		sp_json_kv_int(&wr, "pid", fd->pid);
		sp_json_kv_str(&wr, "exe", fd->exe);
		sp_json_kv_str(&wr, "name", fd->pname);
		sp_json_kv_str(&wr, "field", fd->field);
	}
	sp_json_kv_str(&wr, "path", fd->path);
	if (fs_index >= 0) {
		sp_json_kv_int(&wr, "fs", fs_index);
		sp_json_kv_uint(&wr, "inode", inode);
	}
	sp_json_object_end(&wr);
	if (fd->entry_path != NULL) {
		sp_json_key(&wr, "entry");
		sp_json_object_begin(&wr);
		sp_json_kv_str(&wr, "kind", fd->entry_kind);
		sp_json_kv_str(&wr, "path", fd->entry_path);
		if (fd->entry_line > 0)
			sp_json_kv_int(&wr, "line", fd->entry_line);
		if (fd->entry_unit != NULL)
			sp_json_kv_str(&wr, "unit", fd->entry_unit);
		sp_json_kv_str(&wr, "program", fd->program);
		if (fd->package != NULL)
			sp_json_kv_str(&wr, "package", fd->package);
		if (c->ev != NULL)
			sp_json_kv_bool(&wr, "present", present);
		sp_json_object_end(&wr);
	}
	sp_json_object_end(&wr);
	if (fclose(mf) != 0 || details == NULL) {
		free(details);
		return sp_err_set(c->err, SP_E_NOMEM, 0, "persistence check");
	}
	if (asprintf(&msg, "heuristic %s:%s (%s, score %d) in %s: %s", fd->ns,
	    fd->name, sp_severity_name(fd->sev), sp_severity_score(fd->sev),
	    fd->path, fd->reason) < 0)
		msg = NULL;
	memset(&d, 0, sizeof(d));
	d.source_id = c->source_id;
	d.file_id = file_id;
	d.time = fd->time;
	d.type = "heuristic";
	d.ns = fd->ns;
	d.name = fd->name;
	d.severity = sp_severity_name(fd->sev);
	d.score = sp_severity_score(fd->sev);
	d.target_kind = fd->kind;
	d.path = fd->path;
	d.fs_index = fs_index;
	d.inode = inode;
	d.pid = fd->pid;
	d.exe = fd->exe;
	d.reason = fd->reason;
	d.details = details;
	d.message = msg != NULL ? msg : fd->reason;
	d.origin = fd->entry_path != NULL ? fd->entry_path : fd->path;
	rc = sp_store_detection_add(c->store, &d, c->err);
	free(details);
	free(msg);
	if (rc == SP_OK)
		c->found++;
	return rc;
}

static const char *
entry_word(const struct entry *en)
{
	return en->kind == E_CRON ? "cron" : en->kind == E_TIMER ? "timer" :
	    "systemd";
}

/* The service a timer or path unit starts, among the source's units. */
static const struct entry *
started_unit(const struct pc *c, const struct entry *t)
{
	char want[512];
	const char *dot;
	size_t i;

	if (t->activates != NULL)
		snprintf(want, sizeof(want), "%s", t->activates);
	else {
		dot = strrchr(t->unit, '.');
		snprintf(want, sizeof(want), "%.*s.service",
		    (int)(dot - t->unit), t->unit);
	}
	for (i = 0; i < c->ne; i++)
		if (c->e[i].kind == E_UNIT && c->e[i].unit != NULL &&
		    strcmp(c->e[i].unit, want) == 0)
			return &c->e[i];
	return NULL;
}

/* Judge program prog of entry en (via, for a timer, its unit). */
static int
judge(struct pc *c, const struct entry *en, const struct entry *via,
    const char *prog)
{
	char reason[1024], e1[ESC_MAX], e2[ESC_MAX], e3[ESC_MAX];
	char hidden[256], where[ESC_MAX * 2 + 64];
	const char *tmp = temp_dir(prog), *pkg = NULL;
	int is_hidden = hidden_part(prog, hidden, sizeof(hidden));
	int unowned = 0;
	struct finding fd;
	struct sp_strbuf why;
	int rc;

	/*
	 * No package lists it: only with a dpkg database, and not for an
	 * entry a package installed (its helpers may be made at install)
	 */
	if (c->dpkg) {
		pkg = package_of(c, prog);
		unowned = pkg == NULL && package_of(c, en->origin) == NULL &&
		    (via == NULL || package_of(c, via->origin) == NULL);
	}
	if (tmp == NULL && !is_hidden && !unowned)
		return SP_OK;
	memset(&fd, 0, sizeof(fd));
	fd.ns = "persistence";
	fd.kind = "file";
	fd.pid = -1;
	fd.time = en->time;
	fd.path = prog;
	fd.program = prog;
	fd.entry_kind = entry_word(en);
	fd.entry_path = en->origin;
	fd.entry_line = en->kind == E_CRON ? en->line : 0;
	fd.entry_unit = en->unit;
	fd.technique = en->kind == E_CRON ? "T1053.003" : en->kind == E_TIMER ?
	    "T1053.006" : "T1543.002";
	if (tmp != NULL) {
		fd.name = "command_in_temp_dir";
		fd.sev = SP_SEV_HIGH;
	} else if (is_hidden) {
		fd.name = "command_in_hidden_dir";
		fd.sev = in_home(prog) ? SP_SEV_MEDIUM : SP_SEV_HIGH;
	} else {
		fd.name = "unpackaged_command";
		fd.sev = local_tree(prog) || in_home(prog) ? SP_SEV_LOW :
		    SP_SEV_MEDIUM;
	}
	if (en->kind == E_CRON)
		snprintf(where, sizeof(where), "the cron entry at %s line %"
		    PRId64 "%s%s%s", esc(en->origin, e1, sizeof(e1)), en->line,
		    en->schedule ? " (" : "", en->schedule ? esc(en->schedule,
		    e3, sizeof(e3)) : "", en->schedule ? ")" : "");
	else if (en->kind == E_TIMER)
		snprintf(where, sizeof(where), "the %s %s, through %s,",
		    ends_with(en->unit, ".path") ? "path unit" : "timer",
		    esc(en->origin, e1, sizeof(e1)), esc(via->origin, e2,
		    sizeof(e2)));
	else
		snprintf(where, sizeof(where), "the systemd unit %s",
		    esc(en->origin, e1, sizeof(e1)));
	sp_strbuf_init(&why);
	if (tmp != NULL)
		sp_strbuf_addf(&why, "it lives in %s, a world-writable "
		    "temporary directory", tmp);
	if (is_hidden)
		sp_strbuf_addf(&why, "%sit is under the hidden name %s",
		    why.len ? "; " : "", esc(hidden, e3, sizeof(e3)));
	if (unowned)
		sp_strbuf_addf(&why, "%sno package of the dpkg database lists "
		    "it%s", why.len ? "; " : "", local_tree(prog) ?
		    " (locally installed software lives here too)" :
		    in_home(prog) ? " (a user's own programs live here too)" :
		    "");
	snprintf(reason, sizeof(reason), "%s runs %s: %s", where,
	    esc(prog, e2, sizeof(e2)), why.oom ? "" : sp_strbuf_str(&why));
	sp_strbuf_release(&why);
	fd.reason = reason;
	fd.package = pkg;
	rc = report(c, &fd);
	return rc;
}

static int
judge_entries(struct pc *c)
{
	const struct entry *en, *via, *src;
	size_t i, j;
	int rc = SP_OK;

	for (i = 0; i < c->ne && rc == SP_OK; i++) {
		en = &c->e[i];
		via = NULL;
		src = en;
		if (en->kind == E_TIMER) {
			if (en->unit == NULL || (via = started_unit(c, en)) ==
			    NULL)
				continue;
			src = via;
		}
		for (j = 0; j < src->progs.n && rc == SP_OK; j++)
			rc = judge(c, en, via, src->progs.v[j]);
	}
	return rc;
}

static int
judge_procs(struct pc *c)
{
	char reason[1024], e1[ESC_MAX], e2[ESC_MAX], hidden[256];
	struct finding fd;
	const char *tmp;
	size_t i;
	int rc = SP_OK;

	for (i = 0; i < c->np && rc == SP_OK; i++) {
		const struct proc *p = &c->p[i];
		tmp = temp_dir(p->exe);
		snprintf(reason, sizeof(reason), "process %" PRId64 " is named "
		    "%s (%s) like a kernel thread, but runs the executable "
		    "%s%s%s: kernel threads have none", p->pid,
		    esc(p->name, e1, sizeof(e1)), p->field,
		    esc(p->exe, e2, sizeof(e2)), tmp != NULL ? ", in " :
		    hidden_part(p->exe, hidden, sizeof(hidden)) ? ", under a "
		    "hidden directory" : "", tmp != NULL ? tmp : "");
		memset(&fd, 0, sizeof(fd));
		fd.ns = "process";
		fd.name = "kernel_thread_mimic";
		fd.kind = "process";
		fd.sev = SP_SEV_HIGH;
		fd.time = p->time;
		fd.path = p->exe;
		fd.pid = p->pid;
		fd.exe = p->exe;
		fd.pname = p->name;
		fd.field = p->field;
		fd.entry_kind = "audit";
		fd.entry_path = p->origin;
		fd.entry_line = p->line;
		fd.program = p->exe;
		fd.reason = reason;
		fd.technique = "T1036.004";
		rc = report(c, &fd);
	}
	return rc;
}

static void
pc_release(struct pc *c)
{
	size_t i, j;

	for (i = 0; i < c->ne; i++) {
		free(c->e[i].origin);
		free(c->e[i].unit);
		free(c->e[i].activates);
		free(c->e[i].user);
		free(c->e[i].schedule);
		free(c->e[i].commands);
		for (j = 0; j < c->e[i].progs.n; j++)
			free(c->e[i].progs.v[j]);
	}
	free(c->e);
	for (i = 0; i < c->np; i++) {
		free(c->p[i].exe);
		free(c->p[i].name);
		free(c->p[i].origin);
		free(c->p[i].user);
	}
	free(c->p);
	for (i = 0; i < c->nown; i++) {
		free(c->own[i].path);
		free(c->own[i].package);
	}
	free(c->own);
}

int
sp_persistence_check_run(struct sp_store *store, struct sp_run *run,
    struct sp_evidence *ev, int64_t source_id, uint64_t *found,
    struct sp_err *err)
{
	struct sp_case *cs = sp_run_case(run);
	struct pc c;
	int rc;

	if (found != NULL)
		*found = 0;
	if (cs == NULL)
		return SP_OK;
	memset(&c, 0, sizeof(c));
	c.store = store;
	c.run = run;
	c.ev = ev;
	c.source_id = source_id;
	c.err = err;
	/* read everything first: findings add events to what is read */
	if ((rc = read_events(&c, cs)) != SP_OK)
		goto out;
	if (c.truncated)
		sp_run_problem(run, "persistence check", SP_E_DATA, "more than "
		    "%d entries or processes; the checks read the first only",
		    MAX_ENTRIES);
	collect_paths(&c);
	if ((rc = read_dpkg(&c)) != SP_OK)
		goto out;
	if ((rc = judge_entries(&c)) == SP_OK)
		rc = judge_procs(&c);
out:
	if (found != NULL)
		*found = c.found;
	pc_release(&c);
	return rc;
}
