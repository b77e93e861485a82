/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Containers in evidence (see include/spoor/container.h): the parsers of
 * Docker's config.v2.json and hostconfig.json and of Podman's
 * containers.json, and the discovery that reads them, with the layer
 * chains, through the evidence layer.  Everything read is untrusted: ids
 * that become path names must be plain names, chains are bounded and
 * checked for loops, files are read up to a bound.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor/container.h"
#include "spoor/json.h"
#include "spoor/log.h"
#include "spoor/strbuf.h"
#include "evidence/evidence-internal.h"
#include "evidence/bolt.h"
#include "evidence/podman-sql.h"
#include "base/util.h"

#define CONFIG_MAX	(16u << 20)

/* ---- JSON helpers ---- */

struct find {
	const char *key;
	struct sp_json_val v;
	int found;
};

static int
find_cb(const char *key, size_t klen, const struct sp_json_val *v, void *arg)
{
	struct find *f = arg;

	if (strlen(f->key) == klen && memcmp(f->key, key, klen) == 0) {
		f->v = *v;
		f->found = 1;
		return 1;
	}
	return 0;
}

/* The member key of the object obj (NULL: the whole text) into *out. */
static int
member(const struct sp_json_val *obj, const char *key, struct sp_json_val *out)
{
	struct find f = { key, { 0 }, 0 };

	if (obj == NULL || obj->type != SP_JSON_OBJECT)
		return -1;
	if (sp_json_members(obj->p, obj->len, find_cb, &f) != 0 || !f.found)
		return -1;
	*out = f.v;
	return 0;
}

/* obj.key as a new string, or NULL. */
static char *
mstr(const struct sp_json_val *obj, const char *key)
{
	struct sp_json_val v;

	if (member(obj, key, &v) != 0 || v.type != SP_JSON_STRING)
		return NULL;
	return sp_json_string(&v);
}

static int
mbool(const struct sp_json_val *obj, const char *key)
{
	struct sp_json_val v;

	return member(obj, key, &v) == 0 && v.type == SP_JSON_TRUE;
}

static int64_t
mint(const struct sp_json_val *obj, const char *key, int64_t dflt)
{
	struct sp_json_val v;
	int64_t n;

	if (member(obj, key, &v) != 0 || sp_json_integer(&v, &n) != 0)
		return dflt;
	return n;
}

/* A time in RFC 3339; Go's zero time (year 1) is no time. */
static sp_time_ns
mtime(const struct sp_json_val *obj, const char *key)
{
	char *s = mstr(obj, key);
	sp_time_ns t = SP_TIME_NONE;

	if (s != NULL && strncmp(s, "0001-", 5) != 0 &&
	    sp_time_parse_iso(s, &t) != SP_OK)
		t = SP_TIME_NONE;
	free(s);
	return t;
}

static int
join_cb(const struct sp_json_val *e, void *arg)
{
	struct sp_strbuf *sb = arg;
	char *s = sp_json_string(e);

	if (s != NULL) {
		if ((sb)->len > 0)
			sp_strbuf_add(sb, " ");
		sp_strbuf_add(sb, s);
		free(s);
	}
	return 0;
}

/* Append the strings of the array (or the string) v to sb. */
static void
join(struct sp_strbuf *sb, const struct sp_json_val *v)
{
	char *s;

	if (v->type == SP_JSON_ARRAY)
		(void)sp_json_elements(v, join_cb, sb);
	else if (v->type == SP_JSON_STRING && (s = sp_json_string(v)) != NULL) {
		if ((sb)->len > 0)
			sp_strbuf_add(sb, " ");
		sp_strbuf_add(sb, s);
		free(s);
	}
}

static char *
strbuf_take(struct sp_strbuf *sb)
{
	char *s = (sb)->len > 0 ? strdup(sp_strbuf_str(sb)) : NULL;

	sp_strbuf_release(sb);
	return s;
}

/* ---- Docker ---- */

struct mounts_ctx {
	struct sp_container *c;
};

static int
mount_cb(const char *key, size_t klen, const struct sp_json_val *v, void *arg)
{
	struct sp_container *c = arg;
	struct sp_container_mount *m;

	(void)key;
	(void)klen;
	if (v->type != SP_JSON_OBJECT || c->nmounts >= 4096)
		return 0;
	if (sp_array_grow_count((void **)&c->mounts, c->nmounts,
	    sizeof(*c->mounts)) != SP_OK)
		return 1;
	m = &c->mounts[c->nmounts++];
	memset(m, 0, sizeof(*m));
	m->source = mstr(v, "Source");
	m->destination = mstr(v, "Destination");
	m->type = mstr(v, "Type");
	m->rw = mbool(v, "RW");
	return 0;
}

static int
net_cb(const char *key, size_t klen, const struct sp_json_val *v, void *arg)
{
	struct sp_container *c = arg;
	struct sp_container_network *n;

	if (v->type != SP_JSON_OBJECT || c->nnetworks >= 4096)
		return 0;
	if (sp_array_grow_count((void **)&c->networks, c->nnetworks,
	    sizeof(*c->networks)) != SP_OK)
		return 1;
	n = &c->networks[c->nnetworks++];
	memset(n, 0, sizeof(*n));
	n->name = strndup(key, klen);
	n->ip = mstr(v, "IPAddress");
	n->mac = mstr(v, "MacAddress");
	n->gateway = mstr(v, "Gateway");
	return 0;
}

static void
blank(struct sp_container *c)
{
	c->created = c->started = c->finished = SP_TIME_NONE;
	c->pid = c->exit_code = -1;
}

int
sp_container_parse_docker(const char *config, size_t len,
    const char *hostconfig, size_t hlen, struct sp_container *c)
{
	struct sp_json_val top = { SP_JSON_OBJECT, config, len }, v, cfg, st;
	struct sp_json_val net, nets, host = { SP_JSON_OBJECT, hostconfig,
	    hlen };
	struct sp_strbuf sb = SP_STRBUF_INIT;
	char *name;

	blank(c);
	c->engine = "docker";
	if (config == NULL || sp_json_members(config, len, find_cb,
	    &(struct find){ "", { 0 }, 0 }) != 0)
		return SP_E_DATA;
	if ((c->id = mstr(&top, "ID")) == NULL)
		return SP_E_DATA;
	if ((name = mstr(&top, "Name")) != NULL) {
		c->name = strdup(name[0] == '/' ? name + 1 : name);
		free(name);
	}
	c->image_id = mstr(&top, "Image");
	c->created = mtime(&top, "Created");
	c->log_path = mstr(&top, "LogPath");
	if (member(&top, "Config", &cfg) == 0) {
		c->image = mstr(&cfg, "Image");
		c->hostname = mstr(&cfg, "Hostname");
	}
	if ((name = mstr(&top, "Path")) != NULL) {
		sp_strbuf_add(&sb, name);
		free(name);
	}
	if (member(&top, "Args", &v) == 0)
		join(&sb, &v);
	c->command = strbuf_take(&sb);
	if (member(&top, "State", &st) == 0) {
		c->started = mtime(&st, "StartedAt");
		c->finished = mtime(&st, "FinishedAt");
		c->pid = mint(&st, "Pid", -1);
		c->exit_code = mint(&st, "ExitCode", -1);
		if (mbool(&st, "Running"))
			c->state = strdup(mbool(&st, "Paused") ? "paused" :
			    "running");
		else if (mbool(&st, "Dead"))
			c->state = strdup("dead");
		else
			c->state = strdup(c->started != SP_TIME_NONE ?
			    "exited" : "created");
	}
	if (member(&top, "MountPoints", &v) == 0 && v.type == SP_JSON_OBJECT)
		(void)sp_json_members(v.p, v.len, mount_cb, c);
	if (member(&top, "NetworkSettings", &net) == 0 &&
	    member(&net, "Networks", &nets) == 0 &&
	    nets.type == SP_JSON_OBJECT)
		(void)sp_json_members(nets.p, nets.len, net_cb, c);
	/* hostconfig.json: binds not in MountPoints (older engines) */
	if (hostconfig != NULL && c->nmounts == 0 &&
	    member(&host, "Binds", &v) == 0 && v.type == SP_JSON_ARRAY) {
		struct sp_strbuf b = SP_STRBUF_INIT;
		join(&b, &v);
		if (b.len > 0 && sp_array_grow_count(
		    (void **)&c->mounts, 0, sizeof(*c->mounts)) == SP_OK) {
			memset(c->mounts, 0, sizeof(*c->mounts));
			c->mounts[0].source = strdup(sp_strbuf_str(&b));
			c->mounts[0].type = strdup("bind");
			c->nmounts = 1;
		}
		sp_strbuf_release(&b);
	}
	if (c->state == NULL)
		c->state = strdup("unknown");
	return SP_OK;
}

/*
 * Give a parsed container to fn and release what it still holds: 1 (and
 * *stop set) when fn asks to stop, else 0.
 */
static int
hand_over(struct sp_container *c, int (*fn)(struct sp_container *c,
    void *arg), void *arg, int *stop)
{
	int rc = fn(c, arg);

	sp_container_release(c);
	if (rc != 0) {
		*stop = 1;
		return 1;
	}
	return 0;
}

/* ---- Podman ---- */

struct podman_ctx {
	int (*fn)(struct sp_container *c, void *arg);
	void *arg;
	int stop;
};

static int
first_cb(const struct sp_json_val *e, void *arg)
{
	char **out = arg;

	*out = sp_json_string(e);
	return 1;
}

static int
podman_cb(const struct sp_json_val *e, void *arg)
{
	struct podman_ctx *p = arg;
	struct sp_container c;
	struct sp_json_val v;
	char *meta;

	if (e->type != SP_JSON_OBJECT)
		return 0;
	memset(&c, 0, sizeof(c));
	blank(&c);
	c.engine = "podman";
	if ((c.id = mstr(e, "id")) == NULL)
		return 0;
	if (member(e, "names", &v) == 0 && v.type == SP_JSON_ARRAY)
		(void)sp_json_elements(&v, first_cb, &c.name);
	c.image_id = mstr(e, "image");
	/* the rw layer's id, until discovery makes it a directory */
	c.upper = mstr(e, "layer");
	c.created = mtime(e, "created");
	if ((meta = mstr(e, "metadata")) != NULL) {
		struct sp_json_val m = { SP_JSON_OBJECT, meta, strlen(meta) };
		c.image = mstr(&m, "image-name");
		if (c.name == NULL)
			c.name = mstr(&m, "name");
		free(meta);
	}
	c.state = strdup("unknown");
	return hand_over(&c, p->fn, p->arg, &p->stop);
}

static int
array_of(const char *text, size_t len, struct sp_json_val *arr)
{
	size_t i = 0;

	while (i < len && (text[i] == ' ' || text[i] == '\n' ||
	    text[i] == '\t' || text[i] == '\r'))
		i++;
	if (i >= len || text[i] != '[')
		return -1;
	arr->type = SP_JSON_ARRAY;
	arr->p = text + i;
	arr->len = len - i;
	while (arr->len > 0 && (arr->p[arr->len - 1] == ' ' ||
	    arr->p[arr->len - 1] == '\n' || arr->p[arr->len - 1] == '\t' ||
	    arr->p[arr->len - 1] == '\r'))
		arr->len--;
	return arr->len >= 2 && arr->p[arr->len - 1] == ']' ? 0 : -1;
}

int
sp_container_parse_podman(const char *text, size_t len,
    int (*fn)(struct sp_container *c, void *arg), void *arg)
{
	struct podman_ctx p = { fn, arg, 0 };
	struct sp_json_val arr;

	if (text == NULL || array_of(text, len, &arr) != 0)
		return SP_E_DATA;
	if (sp_json_elements(&arr, podman_cb, &p) != 0)
		return SP_E_DATA;
	return SP_OK;
}

void
sp_container_release(struct sp_container *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->id); free(c->name); free(c->image); free(c->image_id);
	free(c->command); free(c->state); free(c->hostname); free(c->ns);
	for (i = 0; i < c->nmounts; i++) {
		free(c->mounts[i].source);
		free(c->mounts[i].destination);
		free(c->mounts[i].type);
	}
	free(c->mounts);
	for (i = 0; i < c->nnetworks; i++) {
		free(c->networks[i].name);
		free(c->networks[i].ip);
		free(c->networks[i].mac);
		free(c->networks[i].gateway);
	}
	free(c->networks);
	free(c->storage);
	free(c->upper);
	for (i = 0; i < c->nlayers; i++)
		free(c->layers[i]);
	free(c->log_path);
	free(c->problem);
	memset(c, 0, sizeof(*c));
}

void
sp_container_list_free(struct sp_container *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sp_container_release(&list[i]);
	free(list);
}

/* ---- reading the storage through the evidence ---- */

struct slurp {
	char *p;
	size_t len, cap, max;
};

static int
slurp_cb(const void *buf, size_t len, void *arg)
{
	struct slurp *s = arg;
	char *n;

	if (s->len + len + 1 > s->max)
		return SP_E_DATA;
	if (s->len + len + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + len + 1)
			cap *= 2;
		if ((n = realloc(s->p, cap)) == NULL)
			return SP_E_NOMEM;
		s->p = n;
		s->cap = cap;
	}
	memcpy(s->p + s->len, buf, len);
	s->len += len;
	s->p[s->len] = '\0';
	return SP_CB_CONTINUE;
}

/* The file path of fs, whole (at most max bytes), NUL-terminated. */
static int
slurp_max(struct sp_evidence *ev, unsigned fs, const char *path, size_t max,
    char **out, size_t *len, struct sp_err *err)
{
	struct slurp s = { NULL, 0, 0, max };
	int rc;

	rc = sp_evidence_read_file(ev, fs, path, slurp_cb, &s, err);
	if (rc != SP_OK) {
		free(s.p);
		return rc;
	}
	if (s.p == NULL && (s.p = calloc(1, 1)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "'%s'", path);
	*out = s.p;
	*len = s.len;
	return SP_OK;
}

/* The file path of fs, whole (at most CONFIG_MAX), NUL-terminated. */
static int
slurp(struct sp_evidence *ev, unsigned fs, const char *path, char **out,
    size_t *len, struct sp_err *err)
{
	return slurp_max(ev, fs, path, CONFIG_MAX, out, len, err);
}

/* A small file's first line, trimmed (mount-id, cache-id, parent). */
static char *
read_word(struct sp_evidence *ev, unsigned fs, const char *path)
{
	char *s = NULL;
	size_t n;

	if (slurp(ev, fs, path, &s, &n, NULL) != SP_OK)
		return NULL;
	s[strcspn(s, "\r\n")] = '\0';
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		s[--n] = '\0';
	if (s[0] == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* An id from the storage that becomes one name of a path: no '/', no "..". */
static int
plain_name(const char *s)
{
	const char *p;

	if (s == NULL || s[0] == '\0' || s[0] == '.' || strlen(s) > 255)
		return 0;
	for (p = s; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x21 ||
		    (unsigned char)*p > 0x7e)
			return 0;
	return 1;
}

struct names {
	char **v;
	size_t n;
	int dirs_only;
};

static int
names_cb(const struct sp_entry *e, void *arg)
{
	struct names *ns = arg;

	if (ns->dirs_only && e->meta_type != SP_TYPE_DIR)
		return SP_CB_CONTINUE;
	if (ns->n >= 65536)
		return SP_CB_STOP;
	if (sp_array_grow_count((void **)&ns->v, ns->n, sizeof(*ns->v)) !=
	    SP_OK || (ns->v[ns->n] = strdup(e->name)) == NULL)
		return SP_E_NOMEM;
	ns->n++;
	return SP_CB_CONTINUE;
}

static void
names_free(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

/* Whether dir is a directory of fs (its walk starts). */
static int
is_dir(struct sp_evidence *ev, unsigned fs, const char *dir)
{
	struct names ns = { NULL, 0, 0 };
	int rc = sp_evidence_walk(ev, fs, dir, SP_WALK_ALLOCATED, names_cb,
	    &ns, NULL);
	int single = ns.n == 1 && strrchr(dir, '/') != NULL &&
	    strcmp(ns.v[0], strrchr(dir, '/') + 1) == 0;

	/* a walk of a file lists just it: check it is no directory */
	if (rc == SP_OK && single) {
		struct names d = { NULL, 0, 1 };
		char parent[4096];
		snprintf(parent, sizeof(parent), "%.*s",
		    (int)(strrchr(dir, '/') - dir), dir);
		(void)sp_evidence_walk(ev, fs, parent[0] ? parent : "/",
		    SP_WALK_ALLOCATED, names_cb, &d, NULL);
		single = 1;
		for (size_t i = 0; i < d.n; i++)
			if (strcmp(d.v[i], ns.v[0]) == 0)
				single = 0;
		names_free(&d);
	}
	names_free(&ns);
	return rc == SP_OK && !single;
}

static char *
pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *
pathf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static void
set_problem(struct sp_container *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
set_problem(struct sp_container *c, const char *fmt, ...)
{
	va_list ap;

	if (c->problem != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&c->problem, fmt, ap) < 0)
		c->problem = NULL;
	va_end(ap);
}

static int
add_layer(struct sp_container *c, char *dir)
{
	size_t i;

	if (dir == NULL)
		return -1;
	for (i = 0; i < c->nlayers; i++)
		if (strcmp(c->layers[i], dir) == 0) {
			set_problem(c, "layer chain loops at '%s'", dir);
			free(dir);
			return -1;
		}
	if (c->nlayers >= SP_CONTAINER_LAYERS_MAX) {
		set_problem(c, "more than %d layers", SP_CONTAINER_LAYERS_MAX);
		free(dir);
		return -1;
	}
	c->layers[c->nlayers++] = dir;
	return 0;
}

/* Check every layer directory is there. */
static void
check_layers(struct sp_evidence *ev, struct sp_container *c)
{
	size_t i;

	if (c->upper != NULL && !is_dir(ev, c->fs, c->upper))
		set_problem(c, "layer directory '%s' missing", c->upper);
	for (i = 0; i < c->nlayers; i++)
		if (!is_dir(ev, c->fs, c->layers[i]))
			set_problem(c, "layer directory '%s' missing",
			    c->layers[i]);
}

/* ---- containerd: the bbolt metadata ---- */

#define CONTAINERD_DB_MAX	(256u << 20)

static int args_cb(const char *key, size_t klen, const struct sp_json_val *v,
    void *arg);

/*
 * Go's time.MarshalBinary, as containerd stores its times: version 1 or 2,
 * seconds since 1 January of year 1 (big-endian), nanoseconds, the zone's
 * offset (and, in version 2, its seconds).  Go's zero time is no time.
 */
static sp_time_ns
go_time(const unsigned char *v, size_t len)
{
	uint64_t u = 0;
	uint32_t ns = 0;
	int64_t sec;
	size_t i;

	if (v == NULL || (len != 15 && len != 16) || (v[0] != 1 && v[0] != 2))
		return SP_TIME_NONE;
	for (i = 1; i < 9; i++)
		u = u << 8 | v[i];
	for (i = 9; i < 13; i++)
		ns = ns << 8 | v[i];
	sec = (int64_t)u;
	if (ns >= 1000000000u || sec <= 0)
		return SP_TIME_NONE;
	sec -= 62135596800;	/* year 1 to 1970 */
	if (sec > INT64_MAX / 1000000000 - 1 || sec < INT64_MIN / 1000000000 + 1)
		return SP_TIME_NONE;
	return sec * 1000000000 + (int64_t)ns;
}

static int
uvarint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (*p < end && shift < 64) {
		unsigned char b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

/*
 * The value of a protobuf google.protobuf.Any (field 2, bytes): the OCI
 * runtime spec as JSON, in containerd's "spec".
 */
static int
any_value(const unsigned char *p, size_t n, const unsigned char **v,
    size_t *vlen)
{
	const unsigned char *end = p + n;
	uint64_t tag, len;

	while (p < end) {
		if (uvarint(&p, end, &tag) != 0)
			return -1;
		if ((tag & 7) == 0) {
			if (uvarint(&p, end, &len) != 0)
				return -1;
			continue;
		}
		if ((tag & 7) != 2 || uvarint(&p, end, &len) != 0 ||
		    len > (uint64_t)(end - p))
			return -1;
		if (tag >> 3 == 2) {
			*v = p;
			*vlen = (size_t)len;
			return 0;
		}
		p += len;
	}
	return -1;
}

static char *
bolt_str(const struct sp_bolt *db, const struct sp_bolt_bucket *b,
    const char *key)
{
	const unsigned char *v;
	size_t n;
	int bucket;

	if (sp_bolt_get(db, b, key, &v, &n, &bucket) != 0 || bucket || n == 0)
		return NULL;
	return strndup((const char *)v, n);
}

static sp_time_ns
bolt_time(const struct sp_bolt *db, const struct sp_bolt_bucket *b,
    const char *key)
{
	const unsigned char *v;
	size_t n;
	int bucket;

	if (sp_bolt_get(db, b, key, &v, &n, &bucket) != 0 || bucket)
		return SP_TIME_NONE;
	return go_time(v, n);
}

static int
opt_cb(const struct sp_json_val *e, void *arg)
{
	int *flags = arg;
	char *s = sp_json_string(e);

	if (s != NULL) {
		if (strcmp(s, "bind") == 0 || strcmp(s, "rbind") == 0)
			*flags |= 1;
		else if (strcmp(s, "ro") == 0)
			*flags |= 2;
		free(s);
	}
	return 0;
}

/* The OCI spec's bind mounts: what of the host the container sees. */
static int
spec_mount_cb(const struct sp_json_val *e, void *arg)
{
	struct sp_container *c = arg;
	struct sp_container_mount *m;
	struct sp_json_val v;
	char *type;
	int flags = 0;

	if (e->type != SP_JSON_OBJECT || c->nmounts >= 4096)
		return 0;
	type = mstr(e, "type");
	if (member(e, "options", &v) == 0 && v.type == SP_JSON_ARRAY)
		(void)sp_json_elements(&v, opt_cb, &flags);
	if (!(flags & 1) && (type == NULL || strcmp(type, "bind") != 0)) {
		free(type);
		return 0;
	}
	if (sp_array_grow_count((void **)&c->mounts, c->nmounts,
	    sizeof(*c->mounts)) != SP_OK) {
		free(type);
		return 1;
	}
	m = &c->mounts[c->nmounts++];
	memset(m, 0, sizeof(*m));
	m->source = mstr(e, "source");
	m->destination = mstr(e, "destination");
	m->type = type ? type : strdup("bind");
	m->rw = !(flags & 2);
	return 0;
}

/* The command, host name and bind mounts of an OCI runtime spec. */
static void
oci_spec(struct sp_container *c, const char *json, size_t len)
{
	struct sp_json_val top = { SP_JSON_OBJECT, json, len }, proc, v;

	if (sp_json_members(json, len, args_cb, NULL) != 0)
		return;
	if (c->command == NULL && member(&top, "process", &proc) == 0 &&
	    member(&proc, "args", &v) == 0) {
		struct sp_strbuf sb = SP_STRBUF_INIT;
		join(&sb, &v);
		c->command = strbuf_take(&sb);
	}
	if (c->hostname == NULL)
		c->hostname = mstr(&top, "hostname");
	if (c->nmounts == 0 && member(&top, "mounts", &v) == 0 &&
	    v.type == SP_JSON_ARRAY)
		(void)sp_json_elements(&v, spec_mount_cb, c);
}

struct ctd {
	const struct sp_bolt *meta, *snap;
	struct sp_bolt_bucket ns;	/* v1/<namespace> */
	const char *root;
	char *nsname;
	int (*fn)(struct sp_container *c, void *arg);
	void *arg;
	int stop, bad;
};

/*
 * The overlayfs snapshot chain of key: the snapshotter's own metadata
 * names each snapshot's directory by a number and its parent by key.
 */
static void
ctd_layers(struct ctd *x, struct sp_container *c, const char *snapshotter,
    const char *key)
{
	struct sp_bolt_bucket b, snaps, s, root;
	char *backend = NULL, *next;
	size_t depth = 0;

	if (snapshotter == NULL || key == NULL) {
		set_problem(c, "no snapshot");
		return;
	}
	if (strcmp(snapshotter, "overlayfs") != 0) {
		set_problem(c, "snapshotter '%s': its layers are not read",
		    snapshotter);
		return;
	}
	if (sp_bolt_sub(x->meta, &x->ns, "snapshots", &b) == 0 &&
	    sp_bolt_sub(x->meta, &b, snapshotter, &b) == 0 &&
	    sp_bolt_sub(x->meta, &b, key, &b) == 0)
		backend = bolt_str(x->meta, &b, "name");
	if (backend == NULL) {
		set_problem(c, "snapshot '%s' not in the metadata", key);
		return;
	}
	if (x->snap == NULL) {
		set_problem(c, "no overlayfs snapshotter metadata");
		free(backend);
		return;
	}
	sp_bolt_root(x->snap, &root);
	if (sp_bolt_sub(x->snap, &root, "v1", &b) != 0 ||
	    sp_bolt_sub(x->snap, &b, "snapshots", &snaps) != 0) {
		set_problem(c, "overlayfs snapshotter metadata has no snapshots");
		free(backend);
		return;
	}
	while (backend != NULL) {
		const unsigned char *v, *p;
		size_t n;
		uint64_t id;
		int bucket;
		char *dir;

		if (sp_bolt_sub(x->snap, &snaps, backend, &s) != 0 ||
		    sp_bolt_get(x->snap, &s, "id", &v, &n, &bucket) != 0 ||
		    bucket || (p = v, uvarint(&p, v + n, &id) != 0)) {
			set_problem(c, "snapshot '%s' not in the snapshotter's "
			    "metadata", backend);
			break;
		}
		dir = pathf("%s/io.containerd.snapshotter.v1.overlayfs/"
		    "snapshots/%llu/fs", x->root, (unsigned long long)id);
		if (depth++ == 0) {
			c->upper = dir;
			if (dir == NULL)
				break;
		} else if (add_layer(c, dir) != 0)
			break;
		next = bolt_str(x->snap, &s, "parent");
		free(backend);
		backend = next;
	}
	free(backend);
}

static int
ctd_container(const unsigned char *k, size_t klen, const unsigned char *v,
    size_t vlen, int bucket, void *arg)
{
	struct ctd *x = arg;
	struct sp_bolt_bucket b, sub;
	struct sp_container c;
	const unsigned char *spec, *json;
	size_t slen, jlen;
	char *snapshotter, *key;
	int isb;

	if (!bucket || sp_bolt_bucket_of(v, vlen, &b) != 0)
		return 0;
	memset(&c, 0, sizeof(c));
	blank(&c);
	c.engine = "containerd";
	if ((c.id = strndup((const char *)k, klen)) == NULL)
		return 1;
	c.ns = strdup(x->nsname);
	c.image = bolt_str(x->meta, &b, "image");
	c.created = bolt_time(x->meta, &b, "createdat");
	c.state = strdup("unknown");
	if (sp_bolt_sub(x->meta, &b, "labels", &sub) == 0) {
		c.name = bolt_str(x->meta, &sub, "nerdctl/name");
		if (c.name == NULL)
			c.name = bolt_str(x->meta, &sub,
			    "io.kubernetes.container.name");
	}
	if (sp_bolt_get(x->meta, &b, "spec", &spec, &slen, &isb) == 0 &&
	    !isb && any_value(spec, slen, &json, &jlen) == 0)
		oci_spec(&c, (const char *)json, jlen);
	if (c.image != NULL && sp_bolt_sub(x->meta, &x->ns, "images",
	    &sub) == 0 && sp_bolt_sub(x->meta, &sub, c.image, &sub) == 0 &&
	    sp_bolt_sub(x->meta, &sub, "target", &sub) == 0)
		c.image_id = bolt_str(x->meta, &sub, "digest");
	snapshotter = bolt_str(x->meta, &b, "snapshotter");
	key = bolt_str(x->meta, &b, "snapshotKey");
	ctd_layers(x, &c, snapshotter, key);
	free(snapshotter);
	free(key);
	return hand_over(&c, x->fn, x->arg, &x->stop);
}

static int
ctd_namespace(const unsigned char *k, size_t klen, const unsigned char *v,
    size_t vlen, int bucket, void *arg)
{
	struct ctd *x = arg;
	struct sp_bolt_bucket containers;
	int rc;

	if (!bucket || sp_bolt_bucket_of(v, vlen, &x->ns) != 0)
		return 0;
	rc = sp_bolt_sub(x->meta, &x->ns, "containers", &containers);
	if (rc < 0)
		x->bad = 1;
	if (rc != 0)
		return 0;
	if ((x->nsname = strndup((const char *)k, klen)) == NULL)
		return 1;
	if (sp_bolt_each(x->meta, &containers, ctd_container, x) < 0)
		x->bad = 1;
	free(x->nsname);
	x->nsname = NULL;
	return x->stop;
}

int
sp_container_parse_containerd(const void *meta, size_t mlen,
    const void *snap, size_t slen, const char *root,
    int (*fn)(struct sp_container *c, void *arg), void *arg)
{
	struct sp_bolt mdb, sdb;
	struct sp_bolt_bucket top, v1;
	struct ctd x;

	memset(&x, 0, sizeof(x));
	if (meta == NULL || sp_bolt_open(&mdb, meta, mlen) != 0)
		return SP_E_DATA;
	x.meta = &mdb;
	if (snap != NULL && sp_bolt_open(&sdb, snap, slen) == 0)
		x.snap = &sdb;
	x.root = root;
	x.fn = fn;
	x.arg = arg;
	sp_bolt_root(&mdb, &top);
	switch (sp_bolt_sub(&mdb, &top, "v1", &v1)) {
	case 0:
		break;
	case 1:
		return SP_OK;	/* a new store: no namespace yet */
	default:
		return SP_E_DATA;
	}
	if (sp_bolt_each(&mdb, &v1, ctd_namespace, &x) < 0 || x.bad)
		return SP_E_DATA;
	return SP_OK;
}

/* ---- Podman: the state libpod keeps in bolt_state.db ---- */

/* libpod's ContainerStatus, by number, as podman inspect names them */
static const char *const podman_states[] = {
	"unknown", "created", "created", "running", "stopped", "paused",
	"exited", "removing", "stopping"
};

/* libpod's ContainerState JSON of c */
static void
podman_state_json(struct sp_container *c, const char *v, size_t vlen)
{
	struct sp_json_val st = { SP_JSON_OBJECT, v, vlen };
	int64_t s, pid;

	if (sp_json_members(v, vlen, args_cb, NULL) != 0)
		return;
	s = mint(&st, "state", -1);
	pid = mint(&st, "pid", 0);
	if (s >= 0 && s < (int64_t)(sizeof(podman_states) /
	    sizeof(podman_states[0]))) {
		free(c->state);
		c->state = strdup(podman_states[s]);
	}
	if (pid > 0)
		c->pid = pid;
	c->started = mtime(&st, "startedTime");
	c->finished = mtime(&st, "finishedTime");
	if (c->finished != SP_TIME_NONE || mbool(&st, "exited"))
		c->exit_code = mint(&st, "exitCode", -1);
}

/* libpod's ContainerConfig JSON of c: its OCI spec, name, creation */
static void
podman_config_json(struct sp_container *c, const char *v, size_t vlen)
{
	struct sp_json_val cfg = { SP_JSON_OBJECT, v, vlen }, spec;

	if (sp_json_members(v, vlen, args_cb, NULL) != 0)
		return;
	if (member(&cfg, "spec", &spec) == 0 && spec.type == SP_JSON_OBJECT)
		oci_spec(c, spec.p, spec.len);
	if (c->name == NULL)
		c->name = mstr(&cfg, "name");
	/* libpod's creation, which podman inspect gives */
	if (mtime(&cfg, "createdTime") != SP_TIME_NONE)
		c->created = mtime(&cfg, "createdTime");
}

int
sp_container_podman_state(struct sp_container *c, const void *buf,
    size_t len)
{
	struct sp_bolt db;
	struct sp_bolt_bucket b;
	const unsigned char *v;
	size_t vlen;
	int isb, rc;

	if (c->id == NULL || sp_bolt_open(&db, buf, len) != 0)
		return SP_E_DATA;
	sp_bolt_root(&db, &b);
	rc = sp_bolt_sub(&db, &b, "ctr", &b);
	if (rc == 0)
		rc = sp_bolt_sub(&db, &b, c->id, &b);
	if (rc != 0)
		return rc < 0 ? SP_E_DATA : SP_E_NOTFOUND;
	if (sp_bolt_get(&db, &b, "state", &v, &vlen, &isb) == 0 && !isb)
		podman_state_json(c, (const char *)v, vlen);
	if (sp_bolt_get(&db, &b, "config", &v, &vlen, &isb) == 0 && !isb)
		podman_config_json(c, (const char *)v, vlen);
	return SP_OK;
}

static void podman_sql_state(struct sp_container *c, struct sp_podman_sql *db);

int
sp_container_podman_sql_state(struct sp_container *c, void *buf, size_t len)
{
	struct sp_podman_sql *db;

	if (c->id == NULL || sp_podman_sql_open(&db, buf, len) != 0)
		return SP_E_DATA;
	podman_sql_state(c, db);
	sp_podman_sql_close(db);
	return SP_OK;
}

/* The same from Podman's SQLite state (db.sql). */
static void
podman_sql_state(struct sp_container *c, struct sp_podman_sql *db)
{
	char *json;
	size_t len;

	if (sp_podman_sql_json(db, 1, c->id, &json, &len) == 0) {
		podman_state_json(c, json, len);
		free(json);
	}
	if (sp_podman_sql_json(db, 0, c->id, &json, &len) == 0) {
		podman_config_json(c, json, len);
		free(json);
	}
}

static void
docker_layers(struct sp_evidence *ev, const char *root, struct sp_container *c)
{
	char *p, *mount, *init, *chain, *cache;

	p = pathf("%s/image/overlay2/layerdb/mounts/%s/mount-id", root, c->id);
	mount = p ? read_word(ev, c->fs, p) : NULL;
	free(p);
	if (!plain_name(mount)) {
		set_problem(c, "no rw layer (layerdb/mounts/%s/mount-id)",
		    c->id);
		free(mount);
		return;
	}
	c->upper = pathf("%s/overlay2/%s/diff", root, mount);
	free(mount);
	p = pathf("%s/image/overlay2/layerdb/mounts/%s/init-id", root, c->id);
	init = p ? read_word(ev, c->fs, p) : NULL;
	free(p);
	if (plain_name(init))
		add_layer(c, pathf("%s/overlay2/%s/diff", root, init));
	free(init);
	p = pathf("%s/image/overlay2/layerdb/mounts/%s/parent", root, c->id);
	chain = p ? read_word(ev, c->fs, p) : NULL;
	free(p);
	while (chain != NULL) {
		const char *hex = strncmp(chain, "sha256:", 7) == 0 ?
		    chain + 7 : chain;
		char *next;
		if (!plain_name(hex)) {
			set_problem(c, "bad layer chain id");
			break;
		}
		p = pathf("%s/image/overlay2/layerdb/sha256/%s/cache-id", root,
		    hex);
		cache = p ? read_word(ev, c->fs, p) : NULL;
		free(p);
		if (!plain_name(cache)) {
			set_problem(c, "layer %s: no cache-id", hex);
			free(cache);
			break;
		}
		if (add_layer(c, pathf("%s/overlay2/%s/diff", root, cache))
		    != 0) {
			free(cache);
			break;
		}
		free(cache);
		p = pathf("%s/image/overlay2/layerdb/sha256/%s/parent", root,
		    hex);
		next = p ? read_word(ev, c->fs, p) : NULL;
		free(p);
		free(chain);
		chain = next;
	}
	free(chain);
	check_layers(ev, c);
}

struct found {
	struct sp_container *v;
	size_t n;
	struct sp_evidence *ev;
	unsigned fs;
	const char *root;
	char *layers_json;
	size_t layers_len;
	char *images_json;
	size_t images_len;
	char *podman_db;	/* libpod/bolt_state.db, or NULL */
	size_t podman_db_len;
	char *podman_sql_buf;	/* db.sql, read when there is no bolt */
	struct sp_podman_sql *podman_sql;
};

static int
keep(struct found *f, struct sp_container *c)
{
	if (sp_array_grow_count((void **)&f->v, f->n, sizeof(*f->v)) !=
	    SP_OK) {
		sp_container_release(c);
		return -1;
	}
	f->v[f->n++] = *c;
	return 0;
}

static void
docker_find(struct found *f)
{
	struct names ns = { NULL, 0, 1 };
	char *dir = pathf("%s/containers", f->root), *p, *cfg, *host;
	size_t i, clen, hlen;
	struct sp_container c;
	struct sp_err err;

	if (dir == NULL)
		return;
	(void)sp_evidence_walk(f->ev, f->fs, dir, SP_WALK_ALLOCATED, names_cb,
	    &ns, NULL);
	for (i = 0; i < ns.n; i++) {
		if (!plain_name(ns.v[i]))
			continue;
		cfg = host = NULL;
		p = pathf("%s/%s/config.v2.json", dir, ns.v[i]);
		if (p == NULL || slurp(f->ev, f->fs, p, &cfg, &clen, &err) !=
		    SP_OK) {
			free(p);
			continue;
		}
		{
			char *hp = pathf("%s/%s/hostconfig.json", dir,
			    ns.v[i]);
			if (hp == NULL || slurp(f->ev, f->fs, hp, &host, &hlen,
			    NULL) != SP_OK)
				host = NULL;
			free(hp);
		}
		memset(&c, 0, sizeof(c));
		if (sp_container_parse_docker(cfg, clen, host, host ? hlen : 0,
		    &c) != SP_OK || !plain_name(c.id)) {
			sp_run_problem(sp_evidence_run(f->ev), p ? p : dir,
			    SP_E_DATA, "not a container configuration "
			    "(config.v2.json is no JSON object with an ID)");
			sp_log(SP_LOG_WARN, "'%s': not a container "
			    "configuration, skipped", p ? p : dir);
			sp_evidence_add_problem(f->ev);
			sp_container_release(&c);
		} else {
			c.fs = f->fs;
			c.storage = strdup(f->root);
			free(c.log_path);
			c.log_path = pathf("%s/%s/%s-json.log", dir, ns.v[i],
			    c.id);
			docker_layers(f->ev, f->root, &c);
			keep(f, &c);
		}
		free(p);
		free(cfg);
		free(host);
	}
	names_free(&ns);
	free(dir);
}

/* ---- Podman: layers.json and images.json ---- */

struct lfind {
	const char *id, *idkey;
	struct sp_json_val found;
	int ok;
};

static int
lfind_cb(const struct sp_json_val *e, void *arg)
{
	struct lfind *l = arg;
	char *id = mstr(e, l->idkey);
	int hit = id != NULL && strcmp(id, l->id) == 0;

	free(id);
	if (hit) {
		l->found = *e;
		l->ok = 1;
		return 1;
	}
	return 0;
}

static int
lookup(const char *text, size_t len, const char *id, struct sp_json_val *out)
{
	struct lfind l = { id, "id", { 0 }, 0 };
	struct sp_json_val arr;

	if (text == NULL || array_of(text, len, &arr) != 0)
		return -1;
	(void)sp_json_elements(&arr, lfind_cb, &l);
	if (!l.ok)
		return -1;
	*out = l.found;
	return 0;
}

static int
args_cb(const char *key, size_t klen, const struct sp_json_val *v, void *arg)
{
	(void)key;
	(void)klen;
	(void)v;
	(void)arg;
	return 0;
}

static int
podman_one(struct sp_container *c, void *arg)
{
	struct found *f = arg;
	struct sp_json_val layer, img, v, proc;
	struct sp_container k = *c;
	char *id, *p, *cfg;
	size_t len;

	memset(c, 0, sizeof(*c));	/* k owns it all now */
	k.fs = f->fs;
	k.storage = strdup(f->root);
	id = k.upper;
	k.upper = NULL;
	if (!plain_name(k.id)) {
		free(id);
		sp_container_release(&k);
		return 0;
	}
	if (plain_name(id)) {
		k.upper = pathf("%s/overlay/%s/diff", f->root, id);
		if (lookup(f->layers_json, f->layers_len, id, &layer) == 0) {
			char *parent = mstr(&layer, "parent");
			while (parent != NULL && plain_name(parent)) {
				char *next = NULL;
				if (add_layer(&k, pathf("%s/overlay/%s/diff",
				    f->root, parent)) != 0)
					break;
				if (lookup(f->layers_json, f->layers_len,
				    parent, &layer) == 0)
					next = mstr(&layer, "parent");
				free(parent);
				parent = next;
			}
			free(parent);
		}
	} else
		set_problem(&k, "no rw layer");
	free(id);
	if (k.image == NULL && k.image_id != NULL &&
	    lookup(f->images_json, f->images_len, k.image_id, &img) == 0 &&
	    member(&img, "names", &v) == 0 && v.type == SP_JSON_ARRAY)
		(void)sp_json_elements(&v, first_cb, &k.image);
	/* the command: the OCI runtime spec's process.args */
	p = pathf("%s/overlay-containers/%s/userdata/config.json", f->root,
	    k.id);
	if (p != NULL && slurp(f->ev, f->fs, p, &cfg, &len, NULL) == SP_OK) {
		struct sp_json_val top = { SP_JSON_OBJECT, cfg, len };
		if (sp_json_members(cfg, len, args_cb, NULL) == 0 &&
		    member(&top, "process", &proc) == 0 &&
		    member(&proc, "args", &v) == 0) {
			struct sp_strbuf sb = SP_STRBUF_INIT;
			join(&sb, &v);
			k.command = strbuf_take(&sb);
		}
		if (k.hostname == NULL && sp_json_members(cfg, len, args_cb,
		    NULL) == 0)
			k.hostname = mstr(&top, "hostname");
		free(cfg);
	}
	free(p);
	/* the state, times and mounts libpod keeps */
	if (f->podman_db != NULL)
		(void)sp_container_podman_state(&k, f->podman_db,
		    f->podman_db_len);
	else if (f->podman_sql != NULL)
		podman_sql_state(&k, f->podman_sql);
	check_layers(f->ev, &k);
	keep(f, &k);
	return 0;
}

/* A problem of the run with the storage file path, said on stderr too. */
static void
storage_problem(struct found *f, const char *path, int code, const char *what)
{
	sp_run_problem(sp_evidence_run(f->ev), path, code, "%s", what);
	sp_log(SP_LOG_WARN, "'%s': %s", path, what);
	sp_evidence_add_problem(f->ev);
}

/*
 * A database of the storage that is there but could not be read whole
 * (too large, unreadable): a problem, never silence.  rc is slurp's.
 */
static void
db_unread(struct found *f, const char *path, int rc, const struct sp_err *err)
{
	const char *why;

	/* absent is no problem: most hosts run no such engine */
	if (rc == SP_OK || rc == SP_E_NOTFOUND || err->sys_errno == ENOENT ||
	    err->sys_errno == ENOTDIR)
		return;
	why = rc == SP_E_DATA ? "larger than spoor reads (256 MiB): its "
	    "containers or states are missing" : err->msg[0] != '\0' ?
	    err->msg : "unreadable";
	storage_problem(f, path, rc, why);
}

static void
podman_sql_free(struct found *f)
{
	sp_podman_sql_close(f->podman_sql);
	f->podman_sql = NULL;
	free(f->podman_sql_buf);
	f->podman_sql_buf = NULL;
}

/*
 * Podman 4.8 and later keep libpod's state in SQLite (db.sql) instead:
 * read from a copy, without its write-ahead log, which is said when it
 * holds anything.
 */
static void
podman_sql_load(struct found *f)
{
	char *p = pathf("%s/db.sql", f->root), *wal;
	size_t len, wlen;
	struct sp_err err = { 0, 0, "" };

	int rc = p == NULL ? SP_E_NOMEM : slurp_max(f->ev, f->fs, p,
	    CONTAINERD_DB_MAX, &f->podman_sql_buf, &len, &err);

	if (rc != SP_OK) {
		if (p != NULL)
			db_unread(f, p, rc, &err);
		f->podman_sql_buf = NULL;
		free(p);
		return;
	}
	if (sp_podman_sql_open(&f->podman_sql, f->podman_sql_buf, len) != 0) {
		storage_problem(f, p, SP_E_DATA, "libpod state unreadable (no "
		    "SQLite database with libpod's tables): container states "
		    "unknown");
		podman_sql_free(f);
	} else if ((wal = pathf("%s/db.sql-wal", f->root)) != NULL) {
		char *w = NULL;
		if (slurp_max(f->ev, f->fs, wal, CONTAINERD_DB_MAX, &w, &wlen,
		    NULL) == SP_OK && wlen > 0) {
			storage_problem(f, wal, SP_E_DATA, "write-ahead log "
			    "not read: the latest container states may be "
			    "missing");
		}
		free(w);
		free(wal);
	}
	free(p);
}

static void
podman_find(struct found *f)
{
	char *p, *text = NULL;
	size_t len;

	p = pathf("%s/overlay-containers/containers.json", f->root);
	if (p == NULL || slurp(f->ev, f->fs, p, &text, &len, NULL) != SP_OK) {
		free(p);
		return;
	}
	free(f->layers_json);
	free(f->images_json);
	f->layers_json = f->images_json = NULL;
	{
		char *lp = pathf("%s/overlay-layers/layers.json", f->root);
		char *ip = pathf("%s/overlay-images/images.json", f->root);
		if (lp == NULL || slurp(f->ev, f->fs, lp, &f->layers_json,
		    &f->layers_len, NULL) != SP_OK)
			f->layers_json = NULL;
		if (ip == NULL || slurp(f->ev, f->fs, ip, &f->images_json,
		    &f->images_len, NULL) != SP_OK)
			f->images_json = NULL;
		free(lp);
		free(ip);
	}
	free(f->podman_db);
	f->podman_db = NULL;
	{
		char *sp = pathf("%s/libpod/bolt_state.db", f->root);
		struct sp_bolt db;
		struct sp_err err = { 0, 0, "" };
		int rc = sp == NULL ? SP_E_NOMEM : slurp_max(f->ev, f->fs,
		    sp, CONTAINERD_DB_MAX, &f->podman_db, &f->podman_db_len,
		    &err);
		if (rc != SP_OK) {
			if (sp != NULL)
				db_unread(f, sp, rc, &err);
			f->podman_db = NULL;
		} else if (sp_bolt_open(&db, f->podman_db,
		    f->podman_db_len) != 0) {
			storage_problem(f, sp, SP_E_DATA, "libpod state "
			    "unreadable (no bbolt file, or a damaged one): "
			    "container states unknown");
			free(f->podman_db);
			f->podman_db = NULL;
		}
		free(sp);
	}
	podman_sql_free(f);
	if (f->podman_db == NULL)
		podman_sql_load(f);
	if (sp_container_parse_podman(text, len, podman_one, f) != SP_OK) {
		sp_run_problem(sp_evidence_run(f->ev), p, SP_E_DATA,
		    "not a JSON array of containers");
		sp_log(SP_LOG_WARN, "'%s': not a JSON array of containers", p);
		sp_evidence_add_problem(f->ev);
	}
	free(text);
	free(p);
}

static int
containerd_one(struct sp_container *c, void *arg)
{
	struct found *f = arg;
	struct sp_container k = *c;

	memset(c, 0, sizeof(*c));	/* k owns it all now */
	k.fs = f->fs;
	k.storage = strdup(f->root);
	check_layers(f->ev, &k);
	keep(f, &k);
	return 0;
}

static void
containerd_find(struct found *f)
{
	char *mp, *sp, *meta = NULL, *snap = NULL;
	size_t mlen = 0, slen = 0;
	struct sp_err err = { 0, 0, "" };
	int rc = SP_OK;

	mp = pathf("%s/io.containerd.metadata.v1.bolt/meta.db", f->root);
	sp = pathf("%s/io.containerd.snapshotter.v1.overlayfs/metadata.db",
	    f->root);
	if (mp == NULL || sp == NULL || (rc = slurp_max(f->ev, f->fs, mp,
	    CONTAINERD_DB_MAX, &meta, &mlen, &err)) != SP_OK) {
		if (mp != NULL && sp != NULL)
			db_unread(f, mp, rc, &err);
		free(mp);
		free(sp);
		return;
	}
	if ((rc = slurp_max(f->ev, f->fs, sp, CONTAINERD_DB_MAX, &snap,
	    &slen, &err)) != SP_OK) {
		db_unread(f, sp, rc, &err);
		snap = NULL;
	}
	if (sp_container_parse_containerd(meta, mlen, snap, slen, f->root,
	    containerd_one, f) != SP_OK) {
		storage_problem(f, mp, SP_E_DATA, "containerd metadata "
		    "unreadable (no bbolt file, or a damaged one): its "
		    "containers may be missing");
	}
	free(meta);
	free(snap);
	free(mp);
	free(sp);
}

static const char *const docker_roots[] = { "/var/lib/docker", NULL };
static const char *const containerd_roots[] = {
	"/var/lib/containerd", NULL
};
static const char *const podman_roots[] = {
	"/var/lib/containers/storage", NULL
};

int
sp_container_list(struct sp_evidence *ev, struct sp_container **list,
    size_t *n, struct sp_err *err)
{
	struct found f;
	const char *const *r;
	size_t i, nfs = sp_evidence_fs_count(ev);

	memset(&f, 0, sizeof(f));
	f.ev = ev;
	for (i = 0; i < nfs; i++) {
		f.fs = (unsigned)i;
		for (r = docker_roots; *r != NULL; r++) {
			f.root = *r;
			docker_find(&f);
		}
		for (r = podman_roots; *r != NULL; r++) {
			f.root = *r;
			podman_find(&f);
		}
		for (r = containerd_roots; *r != NULL; r++) {
			f.root = *r;
			containerd_find(&f);
		}
	}
	free(f.layers_json);
	free(f.images_json);
	free(f.podman_db);
	podman_sql_free(&f);
	(void)err;
	*list = f.v;
	*n = f.n;
	return SP_OK;
}

int
sp_container_select(const struct sp_container *list, size_t n,
    const char *sel, size_t *index, struct sp_err *err)
{
	struct sp_strbuf sb = SP_STRBUF_INIT;
	size_t i, hits = 0, len = strlen(sel);
	int rc;

	for (i = 0; i < n; i++)
		if (strcmp(list[i].id, sel) == 0 || (list[i].name != NULL &&
		    strcmp(list[i].name, sel) == 0)) {
			*index = i;
			return SP_OK;
		}
	for (i = 0; i < n; i++)
		if (len > 0 && strncmp(list[i].id, sel, len) == 0) {
			if (hits++ > 0)
				sp_strbuf_add(&sb, ", ");
			sp_strbuf_addf(&sb, "%.12s", list[i].id);
			*index = i;
		}
	if (hits == 1) {
		sp_strbuf_release(&sb);
		return SP_OK;
	}
	if (hits == 0)
		rc = sp_err_set(err, SP_E_NOTFOUND, 0, "no container '%s' (%zu "
		    "found)", sel, n);
	else
		rc = sp_err_set(err, SP_E_USAGE, 0, "container '%s' is "
		    "ambiguous: %zu match (%s)", sel, hits, sp_strbuf_str(&sb));
	sp_strbuf_release(&sb);
	return rc;
}
