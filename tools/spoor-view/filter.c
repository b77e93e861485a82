/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-view: the filter of the timeline, owned by the view and lent to
 * the read cursor as a struct sp_query_filter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

void
vfilter_init(struct vfilter *f)
{
	memset(f, 0, sizeof(*f));
	sp_query_filter_init(&f->q);
}

static void
kinds_release(struct vfilter *f)
{
	while (f->nkinds > 0)
		free(f->kinds[--f->nkinds]);
}

void
vfilter_release(struct vfilter *f)
{
	kinds_release(f);
	free(f->host);
	free(f->user);
	free(f->match);
	free(f->tag);
	free(f->search);
	free(f->search_fts);
	vfilter_init(f);
}

/* Point the query filter at the strings f owns. */
void
vfilter_sync(struct vfilter *f)
{
	f->q.artifacts = (const char *const *)f->kinds;
	f->q.nartifacts = f->nkinds;
	f->q.host = f->host;
	f->q.user = f->user;
	f->q.match = f->match;
	f->q.tag = f->tag;
}

static int
dup_into(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	return (*dst = strdup(src)) == NULL ? -1 : 0;
}

int
vfilter_copy(struct vfilter *dst, const struct vfilter *src)
{
	size_t i;

	vfilter_init(dst);
	dst->q = src->q;
	for (i = 0; i < src->nkinds; i++) {
		if ((dst->kinds[i] = strdup(src->kinds[i])) == NULL)
			goto fail;
		dst->nkinds++;
	}
	if (dup_into(&dst->host, src->host) || dup_into(&dst->user, src->user) ||
	    dup_into(&dst->match, src->match) || dup_into(&dst->tag, src->tag) ||
	    dup_into(&dst->search, src->search) ||
	    dup_into(&dst->search_fts, src->search_fts))
		goto fail;
	vfilter_sync(dst);
	return 0;
fail:
	vfilter_release(dst);
	return -1;
}

/* "syslog,auth": the artifact kinds to keep; "" keeps every kind. */
int
vfilter_set_kinds(struct vfilter *f, const char *list)
{
	const char *p = list, *e;
	char *k;

	kinds_release(f);
	while (*p != '\0') {
		while (*p == ',' || *p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != ',' && *e != ' '; e++)
			;
		if (f->nkinds == VIEW_MAX_KINDS)
			return -1;
		if ((k = strndup(p, (size_t)(e - p))) == NULL)
			return -1;
		f->kinds[f->nkinds++] = k;
		p = e;
	}
	vfilter_sync(f);
	return 0;
}

/* Take over a saved filter (its strings are copied). */
int
vfilter_from_query(struct vfilter *f, const struct sp_query_filter *q)
{
	struct vfilter n;
	size_t i;

	vfilter_init(&n);
	n.q = *q;
	n.q.bare = 0;
	for (i = 0; i < q->nartifacts && i < VIEW_MAX_KINDS; i++) {
		if ((n.kinds[i] = strdup(q->artifacts[i])) == NULL)
			goto fail;
		n.nkinds++;
	}
	if (dup_into(&n.host, q->host) || dup_into(&n.user, q->user) ||
	    dup_into(&n.match, q->match) || dup_into(&n.tag, q->tag))
		goto fail;
	/* the search of / is the view's own, not the filter's */
	n.search = f->search;
	n.search_fts = f->search_fts;
	f->search = f->search_fts = NULL;
	vfilter_release(f);
	*f = n;
	vfilter_sync(f);
	return 0;
fail:
	vfilter_release(&n);
	return -1;
}

/*
 * The words the analyst typed as an FTS5 query: each word a quoted
 * string (quotes doubled), all of them required, the last one a prefix.
 */
char *
view_fts_query(const char *words)
{
	size_t n = strlen(words), o = 0;
	char *q = malloc(n * 2 + 16);
	const char *p = words;
	int any = 0;

	if (q == NULL)
		return NULL;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		if (any)
			q[o++] = ' ';
		q[o++] = '"';
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			if (*p == '"')
				q[o++] = '"';
			q[o++] = *p++;
		}
		q[o++] = '"';
		any = 1;
	}
	q[o] = '\0';
	if (!any) {
		free(q);
		return NULL;
	}
	return q;
}

static void
add(char *buf, size_t size, size_t *o, const char *fmt, const char *a,
    long long n)
{
	int k;

	if (*o >= size)
		return;
	k = a != NULL ? snprintf(buf + *o, size - *o, fmt, a) :
	    snprintf(buf + *o, size - *o, fmt, n);
	if (k > 0)
		*o += (size_t)k;
	if (*o >= size)
		*o = size - 1;
}

/* The fraction digits that write t back exactly: none, or all nine. */
static int
frac_digits(sp_time_ns t)
{
	int digits = 0;

	if (sp_time_nsec(t) != 0)
		digits = 9;
	return digits;
}

/* A line that says what the filter keeps ("every event" when nothing). */
void
vfilter_describe(const struct vfilter *f, char *buf, size_t size)
{
	char t[SP_TIME_ISO_MAX];
	size_t o = 0, i;

	buf[0] = '\0';
	for (i = 0; i < f->nkinds; i++)
		add(buf, size, &o, i ? ",%s" : "artifact=%s", f->kinds[i], 0);
	if (f->nkinds)
		add(buf, size, &o, "%s", " ", 0);
	if (f->q.from != SP_TIME_NONE)
		add(buf, size, &o, "from=%s ", sp_time_format_iso(f->q.from,
		    frac_digits(f->q.from), t, sizeof(t)), 0);
	if (f->q.to != SP_TIME_NONE)
		add(buf, size, &o, "to=%s ", sp_time_format_iso(f->q.to,
		    frac_digits(f->q.to), t, sizeof(t)), 0);
	if (f->host)
		add(buf, size, &o, "host=%s ", f->host, 0);
	if (f->user)
		add(buf, size, &o, "user=%s ", f->user, 0);
	if (f->q.pid != SP_QUERY_NULL)
		add(buf, size, &o, "pid=%lld ", NULL, f->q.pid);
	if (f->q.session != SP_QUERY_NULL)
		add(buf, size, &o, "session=%lld ", NULL, f->q.session);
	if (f->q.detections_only)
		add(buf, size, &o, "%s", "detections ", 0);
	if (f->q.tagged_only)
		add(buf, size, &o, "%s", "tagged ", 0);
	if (f->tag)
		add(buf, size, &o, "tag=%s ", f->tag, 0);
	if (f->match)
		add(buf, size, &o, "match=%s ", f->match, 0);
	if (o == 0)
		add(buf, size, &o, "%s", "every event ", 0);
	if (f->search)
		add(buf, size, &o, "| search: %s", f->search, 0);
	while (o > 0 && buf[o - 1] == ' ')
		buf[--o] = '\0';
}
