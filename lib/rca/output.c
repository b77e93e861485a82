/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What an analysis says: the labels of its nodes, the who / what / when /
 * where / how summary of each incident, and the tree written as text
 * (UTF-8 box drawing or ASCII), JSON and Graphviz, or stored in the case.
 * Every string from the evidence is escaped for its format.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/graph.h"
#include "spoor/output.h"
#include "spoor/query.h"
#include "spoor/rca.h"
#include "spoor/strbuf.h"
#include "rca/rca-internal.h"
#include "rca/rca-tree.h"

#define NONE SP_GRAPH_NONE

/* ---- argv ---- */

struct words {
	struct sp_strbuf *sb;
	int n;
};

static int
word(const struct sp_json_val *v, void *arg)
{
	struct words *w = arg;
	char *s = sp_json_string(v);

	if (s == NULL)
		return 0;
	if (w->n++ > 0)
		sp_strbuf_add(w->sb, " ");
	sp_strbuf_add(w->sb, s);
	free(s);
	return w->sb->len > 160;
}

/* The command line of a process as text into sb. */
static void
cmdline(struct sp_strbuf *sb, const struct gnode *g)
{
	struct words w = { sb, 0 };
	struct sp_json_val v;

	if (g->argv != NULL) {
		v.type = SP_JSON_ARRAY;
		v.p = g->argv;
		v.len = strlen(g->argv);
		(void)sp_json_elements(&v, word, &w);
	}
	if (w.n == 0 && g->comm != NULL)
		sp_strbuf_add(sb, g->comm);
	else if (w.n == 0 && g->exe != NULL)
		sp_strbuf_add(sb, rca_base(g->exe));
	else if (w.n == 0)
		sp_strbuf_add(sb, "?");
	if (sb->len > 160) {
		sb->len = 157;
		sb->buf[sb->len] = '\0';
		sp_strbuf_add(sb, "...");
	}
}

static char *
label_of(const struct tnode *n)
{
	const struct gnode *g = &n->g;
	struct sp_strbuf sb;

	sp_strbuf_init(&sb);
	if (g->kind == SP_GNODE_PROCESS) {
		cmdline(&sb, g);
		sp_strbuf_add(&sb, " (");
		if (g->pid != NONE)
			sp_strbuf_addf(&sb, "pid %" PRId64, g->pid);
		else
			sp_strbuf_add(&sb, "no pid");
		if (g->user != NULL)
			sp_strbuf_addf(&sb, ", %s", g->user);
		else if (g->uid != NONE)
			sp_strbuf_addf(&sb, ", uid %" PRId64, g->uid);
		if (g->inferred && g->pid != NONE && g->argv == NULL &&
		    g->comm == NULL)
			sp_strbuf_add(&sb, ", no exec record");
		sp_strbuf_add(&sb, ")");
	} else if (g->kind == SP_GNODE_SESSION) {
		if (strcmp(g->type, "sudo") == 0 || strcmp(g->type, "su") ==
		    0) {
			sp_strbuf_addf(&sb, "%s: %s -> %s", g->type,
			    g->method ? g->method : "?",
			    g->user ? g->user : "?");
			if (g->name != NULL)
				sp_strbuf_addf(&sb, ": %s", g->name);
		} else {
			sp_strbuf_addf(&sb, "%s login of %s", g->type,
			    g->user ? g->user : "?");
			if (g->address != NULL)
				sp_strbuf_addf(&sb, " from %s", g->address);
			if (g->port != NONE)
				sp_strbuf_addf(&sb, " port %" PRId64, g->port);
			if (g->method != NULL)
				sp_strbuf_addf(&sb, " (%s)", g->method);
			if (g->tty != NULL)
				sp_strbuf_addf(&sb, " on %s", g->tty);
		}
	} else if (strcmp(g->type, "endpoint") == 0) {
		const char *fl;
		sp_strbuf_add(&sb, g->address ? g->address : "?");
		if (g->port != NONE)
			sp_strbuf_addf(&sb, ":%" PRId64, g->port);
		if (g->detail != NULL && (fl = strstr(g->detail,
		    "\"failed_logins\":")) != NULL)
			sp_strbuf_addf(&sb, " (%lld failed logins)",
			    strtoll(fl + 16, NULL, 10));
	} else if (strcmp(g->type, "request") == 0) {
		sp_strbuf_addf(&sb, "%s %s from %s", g->method ? g->method :
		    "?", g->path ? g->path : "?", g->address ? g->address :
		    "?");
		if (sb.len > 200) {
			sb.len = 197;
			sb.buf[sb.len] = '\0';
			sp_strbuf_add(&sb, "...");
		}
	} else if (strcmp(g->type, "cron") == 0) {
		sp_strbuf_addf(&sb, "cron entry in %s: %s", g->path ? g->path :
		    "?", g->name ? g->name : "?");
	} else if (strcmp(g->type, "unit") == 0) {
		sp_strbuf_addf(&sb, "unit %s (%s)", g->name ? g->name : "?",
		    g->path ? g->path : "?");
	} else {
		sp_strbuf_add(&sb, g->path ? g->path : "?");
		if (n->deleted)
			sp_strbuf_add(&sb, " [deleted]");
	}
	return sp_strbuf_detach(&sb, NULL);
}

/* ---- the summary ---- */

static void
add_unique(char ***v, size_t *n, const char *s)
{
	size_t i;
	char **nv;

	if (s == NULL || *s == '\0')
		return;
	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return;
	if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL)
		return;
	*v = nv;
	if ((nv[*n] = strdup(s)) != NULL)
		(*n)++;
}

static void
add_index(int **v, size_t *n, int i)
{
	int *nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (nv == NULL)
		return;
	*v = nv;
	nv[(*n)++] = i;
}

static int
is_file(const struct tnode *n)
{
	return n->g.kind == SP_GNODE_OBJECT && strcmp(n->g.type, "file") == 0;
}

/* The user a node acts as. */
static const char *
user_of(const struct tnode *n)
{
	if (n->g.kind == SP_GNODE_PROCESS)
		return n->g.user;
	if (n->g.kind == SP_GNODE_SESSION)
		return n->g.user;
	return NULL;
}

/* A label short enough for a sentence. */
static char *
short_label(const struct tnode *n)
{
	const struct gnode *g = &n->g;
	struct sp_strbuf sb;
	char rp[256];

	sp_strbuf_init(&sb);
	if (g->kind == SP_GNODE_PROCESS) {
		if (g->exe != NULL)
			sp_strbuf_add(&sb, rca_base(g->exe));
		else
			cmdline(&sb, g);
		if (g->pid != NONE)
			sp_strbuf_addf(&sb, " (pid %" PRId64 ")", g->pid);
	} else if (g->kind == SP_GNODE_SESSION) {
		sp_strbuf_addf(&sb, "%s %s of %s", g->type, strcmp(g->type,
		    "sudo") == 0 || strcmp(g->type, "su") == 0 ? "to" :
		    "login", g->user ? g->user : "?");
		if (g->address != NULL)
			sp_strbuf_addf(&sb, " from %s", g->address);
	} else if (strcmp(g->type, "request") == 0) {
		snprintf(rp, sizeof(rp), "%.*s", (int)strcspn(g->path ?
		    g->path : "?", "?"), g->path ? g->path : "?");
		sp_strbuf_addf(&sb, "%s %s", g->method ? g->method : "?", rp);
		if (g->path != NULL && strchr(g->path, '?') != NULL)
			sp_strbuf_add(&sb, "?...");
	} else if (strcmp(g->type, "endpoint") == 0 ||
	    strcmp(g->type, "unit") == 0 || strcmp(g->type, "cron") == 0) {
		char *l = label_of(n);
		sp_strbuf_add(&sb, l);
		free(l);
	} else {
		sp_strbuf_add(&sb, g->path ? g->path : "?");
	}
	return sp_strbuf_detach(&sb, NULL);
}

/* The relation as a verb of a sentence. */
static const char *
verb_of(const char *rel)
{
	static const struct { const char *rel, *verb; } v[] = {
		{ "spawned", "ran" }, { "served", "was handled by" },
		{ "uploaded", "stored" }, { "requested", "sent" },
		{ "logged_in", "logged in as" }, { "changed_user", "became" },
		{ "started_by", "started" }, { "installed", "installed" },
		{ "authorized", "let in" }, { "connected", "connected to" },
		{ "executed", "executed" }, { "renamed", "renamed to" },
		{ "ran", "ran" }, { "enabled", "enabled" },
	};
	size_t i;

	for (i = 0; rel != NULL && i < sizeof(v) / sizeof(v[0]); i++)
		if (strcmp(rel, v[i].rel) == 0)
			return v[i].verb;
	return rel != NULL ? rel : "led to";
}

/* Whether a node's step belongs in the paragraph. */
static int
telling(const struct incident *inc, int i)
{
	const struct tnode *n = &inc->n[i];
	const char *r = n->relation;

	if (n->root || n->parent < 0 || r == NULL)
		return 0;
	if (n->ndet > 0 || n->deleted)
		return 1;
	if (n->g.kind == SP_GNODE_OBJECT && strcmp(n->g.type, "endpoint") ==
	    0)
		return strcmp(r, "connected") == 0 && n->g.port != 53;
	if (strcmp(r, "served") == 0 || strcmp(r, "uploaded") == 0 ||
	    strcmp(r, "installed") == 0 || strcmp(r, "authorized") == 0 ||
	    strcmp(r, "changed_user") == 0 || strcmp(r, "started_by") == 0 ||
	    strcmp(r, "enabled") == 0)
		return 1;
	if (n->g.kind == SP_GNODE_SESSION)
		return 1;
	/* a program run from a file written here */
	if (n->g.kind == SP_GNODE_PROCESS && n->g.exe != NULL) {
		size_t k;
		for (k = 0; k < inc->nn; k++)
			if (inc->n[k].g.kind == SP_GNODE_OBJECT &&
			    inc->n[k].g.path != NULL &&
			    strcmp(inc->n[k].g.path, n->g.exe) == 0)
				return 1;
		return rca_is_priv_changer(n->g.exe);
	}
	return 0;
}

static void
sentence(struct sp_strbuf *sb, int *count, const char *f, ...)
    __attribute__((format(printf, 3, 4)));
static void
sentence(struct sp_strbuf *sb, int *count, const char *f, ...)
{
	va_list ap;
	char *s = NULL;

	if (*count >= 16)
		return;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s == NULL)
		return;
	if (sb->len > 0)
		sp_strbuf_add(sb, " ");
	sp_strbuf_add(sb, s);
	free(s);
	(*count)++;
}

/*
 * How many times the paragraph so far tells step (a whole step: at its
 * start or after a blank, ended by its full stop or by what follows a
 * step: its count or "(inferred)").
 */
static int
times_told(const struct sp_strbuf *sb, const char *step)
{
	const char *p, *e;
	size_t len = strlen(step);
	int n = 0;

	if (sb->buf == NULL || len == 0)
		return 0;
	for (p = sb->buf; (p = strstr(p, step)) != NULL; p++) {
		e = p + len;
		if ((p == sb->buf || p[-1] == ' ') && (*e == '.' ||
		    (strncmp(e, " a ", 3) == 0 && isdigit((unsigned char)e[3])) ||
		    strncmp(e, " (inferred)", 11) == 0))
			n++;
	}
	return n;
}

/* The English ordinal suffix of n (1st, 2nd, 3rd, 4th, 11th, 22nd). */
static const char *
ordinal(int n)
{
	if (n % 100 >= 11 && n % 100 <= 13)
		return "th";
	switch (n % 10) {
	case 1: return "st";
	case 2: return "nd";
	case 3: return "rd";
	default: return "th";
	}
}

void
rca_summarise(struct incident *inc)
{
	struct summary *s = &inc->s;
	struct sp_strbuf how;
	size_t i, k;
	int count = 0, entry = -1;
	const char *last_user = NULL;

	s->first = s->last = SP_TIME_NONE;
	for (i = 0; i < inc->nn; i++)
		inc->n[i].label = label_of(&inc->n[i]);
	/* on a path: a node above a target or a detection */
	for (i = 0; i < inc->nn; i++) {
		int p;
		if (!inc->n[i].target && inc->n[i].ndet == 0)
			continue;
		for (p = (int)i; p >= 0 && !inc->n[p].on_path;
		    p = inc->n[p].parent)
			inc->n[p].on_path = 1;
	}
	for (i = 0; i < inc->nn; i++) {
		struct tnode *n = &inc->n[i];
		const char *u = user_of(n);

		add_unique(&s->hosts, &s->nhosts, n->g.host);
		if (!n->root && n->t != SP_TIME_NONE && n->t != NONE) {
			if (s->first == SP_TIME_NONE || n->t < s->first)
				s->first = n->t;
			if (s->last == SP_TIME_NONE || n->t > s->last)
				s->last = n->t;
		}
		/* who changed user comes before whom he became */
		if (n->g.kind == SP_GNODE_SESSION && n->g.method != NULL &&
		    (strcmp(n->g.type, "sudo") == 0 || strcmp(n->g.type,
		    "su") == 0))
			add_unique(&s->accounts, &s->naccounts, n->g.method);
		if (u != NULL)
			add_unique(&s->accounts, &s->naccounts, u);
		if (n->g.kind == SP_GNODE_OBJECT && strcmp(n->g.type,
		    "endpoint") == 0) {
			int outward = n->relation != NULL &&
			    strcmp(n->relation, "connected") == 0;
			char buf[300];
			if (outward && n->g.port != 53) {
				snprintf(buf, sizeof(buf), "%s:%" PRId64,
				    n->g.address ? n->g.address : "?",
				    n->g.port == NONE ? 0 : n->g.port);
				add_unique(&s->endpoints, &s->nendpoints, buf);
			} else if (!outward) {
				add_unique(&s->addresses, &s->naddresses,
				    n->g.address);
			}
		}
		if (n->g.kind == SP_GNODE_OBJECT && strcmp(n->g.type,
		    "request") == 0)
			add_unique(&s->addresses, &s->naddresses,
			    n->g.address);
		if (n->g.kind == SP_GNODE_SESSION && n->g.address != NULL)
			add_unique(&s->addresses, &s->naddresses,
			    n->g.address);
		for (k = 0; k < n->ndet; k++)
			if (n->det[k].technique != NULL)
				add_unique(&s->techniques, &s->ntechniques,
				    n->det[k].technique);
		if (is_file(n) && (n->ndet > 0 || (n->relation != NULL &&
		    (strcmp(n->relation, "wrote") == 0 ||
		    strcmp(n->relation, "uploaded") == 0 ||
		    strcmp(n->relation, "renamed") == 0))) && !n->deleted)
			add_index(&s->files, &s->nfiles, (int)i);
		if (n->deleted && n->g.path != NULL)
			add_unique(&s->deleted, &s->ndeleted, n->g.path);
		if (n->g.kind == SP_GNODE_PROCESS && (n->ndet > 0 ||
		    (n->relation != NULL && strcmp(n->relation, "executed") ==
		    0 && n->parent >= 0 && is_file(&inc->n[n->parent])) ||
		    (n->parent >= 0 && is_file(&inc->n[n->parent]))))
			add_index(&s->procs, &s->nprocs, (int)i);
		if (n->g.kind == SP_GNODE_OBJECT && (strcmp(n->g.type, "cron") ==
		    0 || strcmp(n->g.type, "unit") == 0))
			add_index(&s->persist, &s->npersist, (int)i);
		else if (is_file(n) && n->g.path != NULL &&
		    (strstr(n->g.path, "authorized_keys") != NULL ||
		    strcmp(n->g.path, "/etc/ld.so.preload") == 0 ||
		    (n->relation != NULL && strcmp(n->relation,
		    "installed") == 0)))
			add_index(&s->persist, &s->npersist, (int)i);
	}
	/* the privilege path: accounts in the order the chain took them */
	for (i = 0; i < inc->nn; i++) {
		const struct tnode *n = &inc->n[i];
		const char *u = user_of(n);
		if (n->g.kind == SP_GNODE_SESSION && n->g.method != NULL &&
		    (strcmp(n->g.type, "sudo") == 0 || strcmp(n->g.type,
		    "su") == 0) && (last_user == NULL || strcmp(last_user,
		    n->g.method) != 0)) {
			add_unique(&s->privilege, &s->nprivilege,
			    n->g.method);
			last_user = n->g.method;
		}
		if (u == NULL || (last_user != NULL && strcmp(u, last_user) ==
		    0))
			continue;
		add_unique(&s->privilege, &s->nprivilege, u);
		last_user = u;
	}
	/* the entry: the root's first child on the way to a detection */
	for (i = 0; i < inc->nn; i++) {
		if (inc->n[i].parent < 0 || !inc->n[inc->n[i].parent].root)
			continue;
		if (!inc->n[i].on_path)
			continue;
		if (entry < 0 || inc->n[i].t < inc->n[entry].t)
			entry = (int)i;
	}
	if (entry >= 0)
		s->entry = strdup(inc->n[entry].label);
	else if (inc->nn > 0)
		s->entry = strdup(inc->n[0].label);

	/* how: the chain in sentences, in time order */
	sp_strbuf_init(&how);
	if (entry >= 0) {
		char *e = short_label(&inc->n[entry]);
		sentence(&how, &count, "Entry: %s.", e);
		free(e);
	}
	{
		int *ord = malloc(inc->nn * sizeof(int) + 1);
		size_t no = 0, a, b2;
		if (ord != NULL) {
			for (i = 0; i < inc->nn; i++)
				if (telling(inc, (int)i) && (int)i != entry)
					ord[no++] = (int)i;
			for (a = 0; a < no; a++)
				for (b2 = a + 1; b2 < no; b2++)
					if (inc->n[ord[b2]].t < inc->n[ord[a]].t) {
						int t = ord[a];
						ord[a] = ord[b2];
						ord[b2] = t;
					}
			for (a = 0; a < no; a++) {
				struct tnode *n = &inc->n[ord[a]];
				char *pl = short_label(&inc->n[n->parent]);
				char *l = short_label(n);
				char *step = NULL;

				char nth[32] = "";
				int told;

				/* the same words for another step: its count */
				if (asprintf(&step, "%s %s %s", pl,
				    verb_of(n->relation), l) < 0)
					step = NULL;
				if (step != NULL && (told = times_told(&how,
				    step)) > 0)
					snprintf(nth, sizeof(nth), " a %d%s time",
					    told + 1, ordinal(told + 1));
				if (step != NULL)
					sentence(&how, &count, "%s%s%s.", step,
					    nth, n->conf < 0.995 ?
					    " (inferred)" : "");
				free(step);
				free(pl);
				free(l);
			}
			free(ord);
		}
	}
	s->how = sp_strbuf_detach(&how, NULL);
}

/* ---- text ---- */

/*
 * Whether the k-th detection of n repeats an earlier one's type and name
 * (two observations of one finding, such as an audit record and a file
 * time): the summary names a finding once.
 */
static int
det_repeats(const struct tnode *n, size_t k)
{
	size_t j;

	for (j = 0; j < k; j++)
		if (strcmp(n->det[j].type ? n->det[j].type : "",
		    n->det[k].type ? n->det[k].type : "") == 0 &&
		    strcmp(n->det[j].name ? n->det[j].name : "",
		    n->det[k].name ? n->det[k].name : "") == 0)
			return 1;
	return 0;
}

static void
time_text(char *buf, size_t cap, sp_time_ns t)
{
	char iso[SP_TIME_ISO_MAX];

	if (t == SP_TIME_NONE) {
		snprintf(buf, cap, "%-19s", "");
		return;
	}
	sp_time_format_iso(t, 0, iso, sizeof(iso));
	snprintf(buf, cap, "%.10s %.8s", iso, iso + 11);
}

static void
list_text(FILE *out, char **v, size_t n, const char *sep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			fputs(sep, out);
		sp_print_safe(out, v[i]);
	}
	if (n == 0)
		fputs("-", out);
}

void
sp_rca_write_text(FILE *out, const struct sp_rca_result *res, size_t idx,
    int ascii)
{
	const struct incident *inc = &res->inc[idx];
	const struct summary *s = &inc->s;
	const char *mid = ascii ? "|-- " : "├── ", *end = ascii ? "`-- " :
	    "└── ", *bar = ascii ? "|   " : "│   ", *sp4 = "    ";
	char tb[64];
	size_t i, k;
	int d;

	fprintf(out, "Incident %zu", idx + 1);
	if (s->nhosts > 0) {
		fputs(" on ", out);
		list_text(out, s->hosts, s->nhosts, ", ");
	}
	fputs("\n\n", out);
	for (i = 0; i < inc->nn; i++) {
		const struct tnode *n = &inc->n[i];
		/* the prefix: for each ancestor level, a bar when that
		 * ancestor has a later sibling */
		int chain[128], depth = 0, p;

		for (p = (int)i; p >= 0 && depth < 128; p = inc->n[p].parent)
			chain[depth++] = p;
		for (d = depth - 1; d >= 1; d--) {
			int me = chain[d - 1], later = 0;
			size_t j;
			for (j = (size_t)me + 1; j < inc->nn; j++)
				if (inc->n[j].parent == inc->n[me].parent) {
					later = 1;
					break;
				}
			if (d == 1)
				fputs(later ? mid : end, out);
			else {
				int anc = chain[d - 1];
				int later2 = 0;
				for (j = (size_t)anc + 1; j < inc->nn; j++)
					if (inc->n[j].parent ==
					    inc->n[anc].parent) {
						later2 = 1;
						break;
					}
				fputs(later2 ? bar : sp4, out);
			}
		}
		time_text(tb, sizeof(tb), n->root ? SP_TIME_NONE : n->t);
		if (!n->root) {
			fputs(tb, out);
			fputc(' ', out);
			sp_print_safe(out, n->relation ? n->relation : "");
			fputc(' ', out);
		} else {
			fputs("root: ", out);
		}
		fprintf(out, "%s ", n->g.kind == SP_GNODE_PROCESS ? "process" :
		    n->g.kind == SP_GNODE_SESSION ? "session" : n->g.type);
		sp_print_safe(out, n->label);
		if (n->conf < 0.995)
			fprintf(out, "  (confidence %.1f)", n->conf);
		for (k = 0; k < n->ndet; k++) {
			fprintf(out, "  [%s ", n->det[k].severity ?
			    n->det[k].severity : "?");
			sp_print_safe(out, n->det[k].type);
			fputc(':', out);
			sp_print_safe(out, n->det[k].name);
			fprintf(out, " #%" PRId64 "]", n->det[k].id);
		}
		fprintf(out, "  {node %" PRId64, n->g.id);
		if (n->g.events != NULL && strcmp(n->g.events, "[]") != 0) {
			fputs(", events ", out);
			sp_print_safe(out, n->g.events);
		}
		fputs("}\n", out);
	}
	fputs("\nSummary\n", out);
	fputs("  who    accounts ", out);
	list_text(out, s->accounts, s->naccounts, ", ");
	fputs("; from ", out);
	list_text(out, s->addresses, s->naddresses, ", ");
	fputs("; privilege ", out);
	list_text(out, s->privilege, s->nprivilege, ascii ? " -> " : " → ");
	fputs("\n  what   ", out);
	for (i = 0; i < s->nfiles; i++) {
		const struct tnode *n = &inc->n[s->files[i]];
		if (i > 0)
			fputs("\n         ", out);
		sp_print_safe(out, n->g.path);
		if (n->g.sha256 != NULL) {
			fputs(" sha256 ", out);
			sp_print_safe(out, n->g.sha256);
		}
		for (k = 0; k < n->ndet; k++) {
			if (det_repeats(n, k))
				continue;
			fputs(k == 0 ? " (" : ", ", out);
			sp_print_safe(out, n->det[k].name);
		}
		if (n->ndet > 0)
			fputc(')', out);
	}
	for (i = 0; i < s->nprocs; i++) {
		fputs("\n         process ", out);
		sp_print_safe(out, inc->n[s->procs[i]].label);
	}
	for (i = 0; i < s->npersist; i++) {
		fputs("\n         persistence ", out);
		sp_print_safe(out, inc->n[s->persist[i]].label);
	}
	for (i = 0; i < s->ndeleted; i++) {
		fputs("\n         deleted ", out);
		sp_print_safe(out, s->deleted[i]);
	}
	{
		char a[SP_TIME_ISO_MAX], b[SP_TIME_ISO_MAX];
		sp_time_format_iso(s->first, 0, a, sizeof(a));
		sp_time_format_iso(s->last, 0, b, sizeof(b));
		fprintf(out, "\n  when   %s to %s\n", a, b);
	}
	fputs("  where  hosts ", out);
	list_text(out, s->hosts, s->nhosts, ", ");
	fputs("; entry ", out);
	sp_print_safe(out, s->entry ? s->entry : "-");
	fputs("; outbound ", out);
	list_text(out, s->endpoints, s->nendpoints, ", ");
	fputs("\n  how    ", out);
	sp_print_safe(out, s->how ? s->how : "");
	if (s->ntechniques > 0) {
		fputs("\n  ATT&CK ", out);
		list_text(out, s->techniques, s->ntechniques, ", ");
	}
	fputc('\n', out);
	if (inc->missing != NULL && strcmp(inc->missing, "[]") != 0) {
		fputs("  missing ", out);
		sp_print_safe(out, inc->missing);
		fputc('\n', out);
	}
}

/* ---- JSON ---- */

static void
kv_i64(struct sp_json *w, const char *k, int64_t v)
{
	if (v == NONE) {
		sp_json_key(w, k);
		sp_json_null(w);
	} else {
		sp_json_kv_int(w, k, v);
	}
}

static void
kv_time(struct sp_json *w, const char *k, sp_time_ns t)
{
	char iso[SP_TIME_ISO_MAX];

	sp_json_key(w, k);
	if (t == SP_TIME_NONE)
		sp_json_null(w);
	else
		sp_json_str(w, sp_time_format_iso(t, 0, iso, sizeof(iso)));
}

static void
str_array(struct sp_json *w, const char *k, char **v, size_t n)
{
	size_t i;

	sp_json_key(w, k);
	sp_json_array_begin(w);
	for (i = 0; i < n; i++)
		sp_json_str(w, v[i]);
	sp_json_array_end(w);
}

/*
 * Arrays stored in the case (event ids, argv) are read back and written
 * element by element through the writer, never copied as they are: a
 * case is evidence too, and its text may have been changed.
 */
static int
put_id(const struct sp_json_val *e, void *arg)
{
	int64_t v;

	if (sp_json_integer(e, &v) == 0)
		sp_json_int(arg, v);
	return 0;
}

static int
put_str(const struct sp_json_val *e, void *arg)
{
	char *s = sp_json_string(e);

	if (s != NULL)
		sp_json_str(arg, s);
	else
		sp_json_null(arg);
	free(s);
	return 0;
}

static void
array_of(struct sp_json *w, const char *json,
    int (*put)(const struct sp_json_val *e, void *arg))
{
	struct sp_json_val v;

	sp_json_array_begin(w);
	if (json != NULL && json[0] == '[') {
		v.type = SP_JSON_ARRAY;
		v.p = json;
		v.len = strlen(json);
		(void)sp_json_elements(&v, put, w);
	}
	sp_json_array_end(w);
}

/* Event ids stored as a JSON array, or [] when absent. */
static void
raw_array(struct sp_json *w, const char *k, const char *json)
{
	sp_json_key(w, k);
	array_of(w, json, put_id);
}

static void
node_json(struct sp_json *w, const struct incident *inc, size_t i)
{
	const struct tnode *n = &inc->n[i];
	const struct gnode *g = &n->g;
	char id[32];
	size_t k;

	sp_json_object_begin(w);
	snprintf(id, sizeof(id), "n%zu", i + 1);
	sp_json_kv_str(w, "id", id);
	sp_json_key(w, "parent");
	if (n->parent >= 0) {
		snprintf(id, sizeof(id), "n%d", n->parent + 1);
		sp_json_str(w, id);
	} else {
		sp_json_null(w);
	}
	sp_json_kv_str(w, "relation", n->relation);
	sp_json_kv_int(w, "node", g->id);
	sp_json_kv_str(w, "kind", g->kind == SP_GNODE_PROCESS ? "process" :
	    g->kind == SP_GNODE_SESSION ? "session" : g->type);
	kv_time(w, "time", n->root ? (g->start == NONE ? SP_TIME_NONE :
	    g->start) : n->t);
	sp_json_kv_str(w, "label", n->label);
	sp_json_key(w, "confidence");
	{
		char c[16];
		snprintf(c, sizeof(c), "%.2f", n->conf);
		sp_json_raw(w, c);
	}
	sp_json_kv_str(w, "reason", n->reason);
	sp_json_kv_bool(w, "root", n->root);
	sp_json_kv_bool(w, "target", n->target);
	raw_array(w, "events", g->events);
	sp_json_key(w, "detections");
	sp_json_array_begin(w);
	for (k = 0; k < n->ndet; k++) {
		sp_json_object_begin(w);
		sp_json_kv_int(w, "id", n->det[k].id);
		sp_json_kv_str(w, "type", n->det[k].type);
		sp_json_kv_str(w, "name", n->det[k].name);
		sp_json_kv_str(w, "severity", n->det[k].severity);
		sp_json_kv_int(w, "score", n->det[k].score);
		sp_json_kv_str(w, "technique", n->det[k].technique);
		sp_json_object_end(w);
	}
	sp_json_array_end(w);
	sp_json_kv_str(w, "host", g->host);
	if (g->kind == SP_GNODE_PROCESS) {
		kv_i64(w, "pid", g->pid);
		kv_i64(w, "ppid", g->ppid);
		sp_json_kv_str(w, "exe", g->exe);
		sp_json_key(w, "argv");
		if (g->argv != NULL && g->argv[0] == '[')
			array_of(w, g->argv, put_str);
		else
			sp_json_null(w);
		sp_json_kv_str(w, "command", g->comm);
		sp_json_kv_str(w, "user", g->user);
		kv_i64(w, "uid", g->uid);
		kv_i64(w, "euid", g->euid);
		kv_i64(w, "auid", g->auid);
		kv_i64(w, "ses", g->ses);
		sp_json_kv_str(w, "tty", g->tty);
		sp_json_kv_str(w, "cwd", g->cwd);
		kv_time(w, "start", g->start == NONE ? SP_TIME_NONE : g->start);
		kv_time(w, "end", g->end == NONE ? SP_TIME_NONE : g->end);
		sp_json_kv_bool(w, "inferred", g->inferred);
	} else if (g->kind == SP_GNODE_SESSION) {
		sp_json_kv_str(w, "type", g->type);
		sp_json_kv_str(w, "user", g->user);
		sp_json_kv_str(w, "by", g->method != NULL &&
		    (strcmp(g->type, "sudo") == 0 || strcmp(g->type, "su") ==
		    0) ? g->method : NULL);
		sp_json_kv_str(w, "address", g->address);
		kv_i64(w, "port", g->port);
		sp_json_kv_str(w, "method", strcmp(g->type, "sudo") == 0 ||
		    strcmp(g->type, "su") == 0 ? NULL : g->method);
		sp_json_kv_str(w, "command", g->name);
		sp_json_kv_str(w, "tty", g->tty);
		kv_i64(w, "ses", g->ses);
		kv_time(w, "start", g->start == NONE ? SP_TIME_NONE : g->start);
		kv_time(w, "end", g->end == NONE ? SP_TIME_NONE : g->end);
	} else if (strcmp(g->type, "endpoint") == 0) {
		const char *fl;
		sp_json_kv_str(w, "address", g->address);
		kv_i64(w, "port", g->port);
		if (g->detail != NULL && (fl = strstr(g->detail,
		    "\"failed_logins\":")) != NULL)
			sp_json_kv_int(w, "failed_logins",
			    strtoll(fl + 16, NULL, 10));
	} else if (strcmp(g->type, "request") == 0) {
		sp_json_kv_str(w, "method", g->method);
		sp_json_kv_str(w, "path", g->path);
		sp_json_kv_str(w, "client", g->address);
		sp_json_kv_str(w, "user_agent", g->name);
	} else if (strcmp(g->type, "cron") == 0) {
		sp_json_kv_str(w, "path", g->path);
		sp_json_kv_str(w, "user", g->user);
		sp_json_kv_str(w, "line", g->name);
		sp_json_kv_str(w, "command", g->detail);
	} else if (strcmp(g->type, "unit") == 0) {
		sp_json_kv_str(w, "name", g->name);
		sp_json_kv_str(w, "path", g->path);
	} else {
		sp_json_kv_str(w, "path", g->path);
		kv_i64(w, "inode", g->inode);
		sp_json_kv_str(w, "sha256", g->sha256);
		sp_json_kv_bool(w, "deleted", n->deleted);
	}
	sp_json_object_end(w);
}

void
sp_rca_write_json(struct sp_json *w, const struct sp_rca_result *res,
    size_t idx)
{
	const struct incident *inc = &res->inc[idx];
	const struct summary *s = &inc->s;
	size_t i, k;
	char id[32];

	sp_json_object_begin(w);
	sp_json_kv_int(w, "incident", (int64_t)idx + 1);
	sp_json_kv_str(w, "host", s->nhosts > 0 ? s->hosts[0] : NULL);
	sp_json_key(w, "missing");
	array_of(w, inc->missing, put_str);
	sp_json_key(w, "detections");
	sp_json_array_begin(w);
	for (i = 0; i < inc->ntargets; i++)
		sp_json_int(w, inc->targets[i]);
	sp_json_array_end(w);
	sp_json_key(w, "summary");
	sp_json_object_begin(w);
	sp_json_key(w, "who");
	sp_json_object_begin(w);
	str_array(w, "accounts", s->accounts, s->naccounts);
	str_array(w, "addresses", s->addresses, s->naddresses);
	str_array(w, "privilege_path", s->privilege, s->nprivilege);
	sp_json_object_end(w);
	sp_json_key(w, "what");
	sp_json_object_begin(w);
	sp_json_key(w, "files");
	sp_json_array_begin(w);
	for (i = 0; i < s->nfiles; i++) {
		const struct tnode *n = &inc->n[s->files[i]];
		sp_json_object_begin(w);
		sp_json_kv_str(w, "path", n->g.path);
		sp_json_kv_str(w, "sha256", n->g.sha256);
		sp_json_key(w, "detections");
		sp_json_array_begin(w);
		for (k = 0; k < n->ndet; k++) {
			char d[512];
			if (det_repeats(n, k))
				continue;
			snprintf(d, sizeof(d), "%s:%s", n->det[k].type,
			    n->det[k].name);
			sp_json_str(w, d);
		}
		sp_json_array_end(w);
		sp_json_object_end(w);
	}
	sp_json_array_end(w);
	sp_json_key(w, "processes");
	sp_json_array_begin(w);
	for (i = 0; i < s->nprocs; i++) {
		const struct tnode *n = &inc->n[s->procs[i]];
		sp_json_object_begin(w);
		kv_i64(w, "pid", n->g.pid);
		sp_json_kv_str(w, "exe", n->g.exe);
		sp_json_key(w, "argv");
		if (n->g.argv != NULL && n->g.argv[0] == '[')
			array_of(w, n->g.argv, put_str);
		else
			sp_json_null(w);
		sp_json_object_end(w);
	}
	sp_json_array_end(w);
	sp_json_key(w, "persistence");
	sp_json_array_begin(w);
	for (i = 0; i < s->npersist; i++) {
		const struct tnode *n = &inc->n[s->persist[i]];
		const char *kind = strcmp(n->g.type, "cron") == 0 ? "cron" :
		    strcmp(n->g.type, "unit") == 0 ? "unit" :
		    n->g.path != NULL && strstr(n->g.path, "authorized_keys") ?
		    "authorized_key" : n->g.path != NULL && strstr(n->g.path,
		    "ld.so.preload") ? "ld_preload" : "file";
		sp_json_object_begin(w);
		sp_json_kv_str(w, "kind", kind);
		sp_json_kv_str(w, "path", n->g.path);
		sp_json_kv_str(w, "detail", n->label);
		sp_json_object_end(w);
	}
	sp_json_array_end(w);
	str_array(w, "deleted", s->deleted, s->ndeleted);
	sp_json_object_end(w);
	sp_json_key(w, "when");
	sp_json_object_begin(w);
	kv_time(w, "first", s->first);
	kv_time(w, "last", s->last);
	sp_json_object_end(w);
	sp_json_key(w, "where");
	sp_json_object_begin(w);
	str_array(w, "hosts", s->hosts, s->nhosts);
	sp_json_kv_str(w, "entry", s->entry);
	str_array(w, "endpoints", s->endpoints, s->nendpoints);
	sp_json_object_end(w);
	sp_json_kv_str(w, "how", s->how);
	str_array(w, "techniques", s->techniques, s->ntechniques);
	sp_json_object_end(w);
	sp_json_key(w, "nodes");
	sp_json_array_begin(w);
	for (i = 0; i < inc->nn; i++)
		node_json(w, inc, i);
	sp_json_array_end(w);
	sp_json_key(w, "edges");
	sp_json_array_begin(w);
	for (i = 0; i < inc->ne; i++) {
		const struct tedge *e = &inc->e[i];
		char c[16];
		sp_json_object_begin(w);
		snprintf(id, sizeof(id), "n%d", e->from + 1);
		sp_json_kv_str(w, "from", id);
		snprintf(id, sizeof(id), "n%d", e->to + 1);
		sp_json_kv_str(w, "to", id);
		sp_json_kv_str(w, "kind", e->kind);
		kv_time(w, "time", e->t == NONE ? SP_TIME_NONE : e->t);
		snprintf(c, sizeof(c), "%.2f", e->conf);
		sp_json_key(w, "confidence");
		sp_json_raw(w, c);
		sp_json_kv_str(w, "reason", e->reason);
		raw_array(w, "events", e->events);
		sp_json_object_end(w);
	}
	sp_json_array_end(w);
	sp_json_object_end(w);
}

/* ---- Graphviz ---- */

static void
dot_str(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', out);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\\\x%02x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

void
sp_rca_write_dot(FILE *out, const struct sp_rca_result *res, size_t idx)
{
	const struct incident *inc = &res->inc[idx];
	size_t i;

	fprintf(out, "digraph incident%zu {\n  rankdir=LR;\n"
	    "  node [fontname=\"monospace\", fontsize=10];\n", idx + 1);
	for (i = 0; i < inc->nn; i++) {
		const struct tnode *n = &inc->n[i];
		const char *shape = n->g.kind == SP_GNODE_PROCESS ? "box" :
		    n->g.kind == SP_GNODE_SESSION ? "house" :
		    strcmp(n->g.type, "file") == 0 ? "note" :
		    strcmp(n->g.type, "endpoint") == 0 ? "diamond" : "ellipse";
		char lab[1024];
		snprintf(lab, sizeof(lab), "%s\n%s",
		    n->g.kind == SP_GNODE_PROCESS ? "process" : n->g.type,
		    n->label ? n->label : "");
		fprintf(out, "  n%zu [shape=%s%s, label=", i + 1, shape,
		    n->ndet > 0 ? ", color=red, penwidth=2" : "");
		dot_str(out, lab);
		fputs("];\n", out);
	}
	for (i = 0; i < inc->ne; i++) {
		const struct tedge *e = &inc->e[i];
		char lab[64];
		int tree = inc->n[e->to].parent == e->from;
		snprintf(lab, sizeof(lab), "%s%s", e->kind ? e->kind : "",
		    e->conf < 0.995 ? " ?" : "");
		fprintf(out, "  n%d -> n%d [label=", e->from + 1, e->to + 1);
		dot_str(out, lab);
		fprintf(out, "%s];\n", tree ? "" : ", style=dashed");
	}
	fputs("}\n", out);
}

/* ---- storing ---- */

static void
summary_fill(struct sp_json *w, const void *arg)
{
	const struct sp_rca_result *res = ((const void *const *)arg)[0];
	size_t idx = *(const size_t *)((const void *const *)arg)[1];
	const struct summary *s = &res->inc[idx].s;

	sp_json_object_begin(w);
	str_array(w, "accounts", s->accounts, s->naccounts);
	str_array(w, "addresses", s->addresses, s->naddresses);
	str_array(w, "privilege_path", s->privilege, s->nprivilege);
	kv_time(w, "first", s->first);
	kv_time(w, "last", s->last);
	str_array(w, "hosts", s->hosts, s->nhosts);
	sp_json_kv_str(w, "entry", s->entry);
	str_array(w, "endpoints", s->endpoints, s->nendpoints);
	str_array(w, "deleted", s->deleted, s->ndeleted);
	sp_json_kv_str(w, "how", s->how);
	str_array(w, "techniques", s->techniques, s->ntechniques);
	sp_json_object_end(w);
}

int
sp_rca_store(struct sp_run *run, const struct sp_rca_result *res,
    struct sp_err *err)
{
	size_t i, k;
	int rc;

	for (i = 0; i < res->ninc; i++) {
		const struct incident *inc = &res->inc[i];
		struct sp_tree_node *tn = calloc(inc->nn + 1, sizeof(*tn));
		const void *arg[2] = { res, &i };
		char *summary;

		if (tn == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "out of memory");
		for (k = 0; k < inc->nn; k++) {
			const struct tnode *n = &inc->n[k];
			tn[k].node = n->g.id;
			tn[k].parent = n->parent;
			tn[k].relation = n->relation;
			tn[k].edge = n->edge;
			tn[k].depth = n->depth;
			tn[k].time_ns = n->t == SP_TIME_NONE ? NONE : n->t;
			tn[k].confidence = n->conf;
			tn[k].label = n->label;
			tn[k].reason = n->reason;
		}
		summary = sp_json_to_string(summary_fill, arg);
		rc = sp_graph_tree_store(run, (int)i + 1, inc->root, summary,
		    inc->missing, tn, inc->nn, NULL, err);
		free(summary);
		free(tn);
		if (rc != SP_OK)
			return rc;
	}
	return SP_OK;
}

/* ---- explain ---- */

struct explain {
	FILE *out;
	struct sp_json *w;
	struct sp_case *c;
	int64_t self;
	const char *dir;
	struct sp_err *err;
};

static int
explain_edge(const struct sp_gedge *e, void *arg)
{
	struct explain *x = arg;
	char iso[SP_TIME_ISO_MAX];
	const char *p;

	sp_time_format_iso(e->time_ns == NONE ? SP_TIME_NONE : e->time_ns, 0,
	    iso, sizeof(iso));
	if (x->w != NULL) {
		sp_json_object_begin(x->w);
		sp_json_kv_str(x->w, "direction", x->dir);
		sp_json_kv_int(x->w, "edge", e->id);
		sp_json_kv_int(x->w, "from", e->src);
		sp_json_kv_int(x->w, "to", e->dst);
		sp_json_kv_str(x->w, "kind", e->kind);
		sp_json_kv_str(x->w, "time", iso);
		{
			char c[16];
			snprintf(c, sizeof(c), "%.2f", e->confidence);
			sp_json_key(x->w, "confidence");
			sp_json_raw(x->w, c);
		}
		sp_json_kv_str(x->w, "reason", e->reason);
		raw_array(x->w, "events", e->events);
		sp_json_object_end(x->w);
		return 0;
	}
	fprintf(x->out, "  %s %-12s %s node %" PRId64 "  confidence %.2f\n",
	    iso, e->kind ? e->kind : "?", strcmp(x->dir, "in") == 0 ?
	    "from" : "to", strcmp(x->dir, "in") == 0 ? e->src : e->dst,
	    e->confidence);
	fputs("      because ", x->out);
	sp_print_safe(x->out, e->reason ? e->reason : "-");
	fputc('\n', x->out);
	/* the events behind it */
	for (p = e->events; p != NULL && *p != '\0'; p++) {
		struct sp_event_record *rec = NULL;
		long long id;
		char *endp;
		if (*p < '0' || *p > '9')
			continue;
		id = strtoll(p, &endp, 10);
		p = endp - 1;
		if (sp_event_record_get(x->c, id, &rec, NULL) != SP_OK)
			continue;
		sp_time_format_iso(rec->event->time_ns, 0, iso, sizeof(iso));
		fprintf(x->out, "      event %lld %s %s/%s ", id, iso,
		    rec->event->artifact, rec->event->time_desc);
		if (rec->event->origin != NULL) {
			sp_print_safe(x->out, rec->event->origin);
			if (rec->event->origin_line != SP_QUERY_NULL)
				fprintf(x->out, ":%" PRId64,
				    rec->event->origin_line);
			fputc(' ', x->out);
		}
		sp_print_safe(x->out, rec->event->message);
		fputc('\n', x->out);
		sp_event_record_free(rec);
	}
	return 0;
}

int
sp_rca_explain(struct sp_case *c, int64_t id, FILE *out, struct sp_json *w,
    struct sp_err *err)
{
	struct sp_graph_reader *r = NULL;
	const struct sp_gnode *g;
	struct explain x = { out, w, c, id, "in", err };
	struct tnode tn;
	char *label;
	int rc;

	if ((rc = sp_graph_reader_open(&r, c, NULL, err)) != SP_OK)
		return rc;
	if ((rc = sp_graph_node(r, id, &g, err)) != SP_OK)
		goto out;
	memset(&tn, 0, sizeof(tn));
	tn.g.kind = g->kind;
	tn.g.type = (char *)g->type;
	tn.g.pid = g->pid;
	tn.g.user = (char *)g->user;
	tn.g.uid = g->uid;
	tn.g.argv = (char *)g->argv;
	tn.g.comm = (char *)g->comm;
	tn.g.exe = (char *)g->exe;
	tn.g.address = (char *)g->address;
	tn.g.port = g->port;
	tn.g.method = (char *)g->method;
	tn.g.path = (char *)g->path;
	tn.g.name = (char *)g->name;
	tn.g.tty = (char *)g->tty;
	tn.g.inferred = g->inferred;
	label = label_of(&tn);
	if (w != NULL) {
		sp_json_object_begin(w);
		sp_json_kv_int(w, "node", id);
		sp_json_kv_str(w, "kind", g->kind == SP_GNODE_PROCESS ?
		    "process" : g->kind == SP_GNODE_SESSION ? "session" :
		    g->type);
		sp_json_kv_str(w, "label", label);
		raw_array(w, "events", g->events);
		sp_json_key(w, "edges");
		sp_json_array_begin(w);
	} else {
		fprintf(out, "node %" PRId64 ": %s ", id, g->kind ==
		    SP_GNODE_PROCESS ? "process" : g->type);
		sp_print_safe(out, label);
		fputs("\n  events ", out);
		sp_print_safe(out, g->events ? g->events : "[]");
		fputs("\ncaused by:\n", out);
	}
	free(label);
	if ((rc = sp_graph_edges(r, id, SP_GRAPH_IN, SP_TIME_NONE,
	    SP_TIME_NONE, explain_edge, &x, err)) != SP_OK)
		goto out;
	if (w == NULL)
		fputs("caused:\n", out);
	x.dir = "out";
	if ((rc = sp_graph_edges(r, id, SP_GRAPH_OUT, SP_TIME_NONE,
	    SP_TIME_NONE, explain_edge, &x, err)) != SP_OK)
		goto out;
	if (w != NULL) {
		sp_json_array_end(w);
		sp_json_object_end(w);
	}
out:
	sp_graph_reader_close(r);
	return rc;
}
