/* SPDX-License-Identifier: Apache-2.0 */
/*
 * YARA rules for the scanner: sources compiled once into one YR_RULES
 * (every file its own namespace), or rules compiled by yarac.  The
 * external variables public rule packs expect (filename, filepath,
 * extension, filetype, owner) are defined empty at compile time and set
 * per target by the scanner.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yara.h>

#include "spoor/case.h"
#include "spoor/evidence.h"
#include "base/util.h"
#include "scan/scan-internal.h"
#include "spoor/hash.h"
#include "spoor/scan.h"

#ifndef SPOOR_RULESDIR
#define SPOOR_RULESDIR "/usr/local/share/spoor/rules"
#endif

const char *const sp_scan_externals[SP_SCAN_NEXTERNALS] = {
	"filename", "filepath", "extension", "filetype", "owner"
};

struct rule_file {
	char *path;
	uint64_t size;
	char sha256[SP_HASH_HEX_MAX];
};

struct sp_rules {
	YR_COMPILER *compiler;
	YR_RULES *rules;
	int initialized;
	struct rule_file *files;
	size_t nfiles, capfiles;
	size_t nrules, warnings;
	int errors;
	char first_error[SP_ERR_MSG_MAX];
};

static void
compiler_callback(int level, const char *file, int line,
    const YR_RULE *rule, const char *message, void *arg)
{
	struct sp_rules *r = arg;

	(void)rule;
	if (level == YARA_ERROR_LEVEL_WARNING) {
		r->warnings++;
		return;
	}
	if (r->errors++ == 0)
		snprintf(r->first_error, sizeof(r->first_error), "%s:%d: %s",
		    file ? file : "(rules)", line, message);
}

int
sp_rules_new(struct sp_rules **rp, struct sp_err *err)
{
	struct sp_rules *r;
	size_t i;

	*rp = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "rules");
	if (yr_initialize() != ERROR_SUCCESS) {
		free(r);
		return sp_err_set(err, SP_E_INTERNAL, 0, "libyara: initialise");
	}
	r->initialized = 1;
	if (yr_compiler_create(&r->compiler) != ERROR_SUCCESS) {
		sp_rules_free(r);
		return sp_err_set(err, SP_E_NOMEM, 0, "libyara: compiler");
	}
	yr_compiler_set_callback(r->compiler, compiler_callback, r);
	for (i = 0; i < SP_SCAN_NEXTERNALS; i++)
		if (yr_compiler_define_string_variable(r->compiler,
		    sp_scan_externals[i], "") != ERROR_SUCCESS) {
			sp_rules_free(r);
			return sp_err_set(err, SP_E_NOMEM, 0, "libyara: "
			    "external variable");
		}
	*rp = r;
	return SP_OK;
}

void
sp_rules_free(struct sp_rules *r)
{
	size_t i;

	if (r == NULL)
		return;
	/* rules from yr_compiler_get_rules are the caller's to destroy */
	if (r->rules != NULL)
		yr_rules_destroy(r->rules);
	if (r->compiler != NULL)
		yr_compiler_destroy(r->compiler);
	for (i = 0; i < r->nfiles; i++)
		free(r->files[i].path);
	free(r->files);
	if (r->initialized)
		yr_finalize();
	free(r);
}

static int
remember_file(struct sp_rules *r, const char *path, struct sp_err *err)
{
	struct rule_file *f;
	struct sp_hash *h;
	unsigned char buf[65536];
	FILE *fp;
	size_t n;
	int rc;

	if (r->nfiles == r->capfiles) {
		size_t cap = r->capfiles ? r->capfiles * 2 : 16;
		if ((f = realloc(r->files, cap * sizeof(*f))) == NULL)
			return sp_err_set(err, SP_E_NOMEM, 0, "rules");
		r->files = f;
		r->capfiles = cap;
	}
	f = &r->files[r->nfiles];
	memset(f, 0, sizeof(*f));
	if ((f->path = strdup(path)) == NULL)
		return sp_err_set(err, SP_E_NOMEM, 0, "rules");
	if ((fp = fopen(path, "rb")) == NULL) {
		free(f->path);
		return sp_err_set(err, sp_errno_code(errno), errno, "\'%s\'",
		    path);
	}
	if ((rc = sp_hash_new(&h, SP_HASH_SHA256, err)) != SP_OK) {
		fclose(fp);
		free(f->path);
		return rc;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		sp_hash_update(h, buf, n);
		f->size += n;
	}
	fclose(fp);
	if ((rc = sp_hash_final(h, err)) == SP_OK)
		snprintf(f->sha256, sizeof(f->sha256), "%s",
		    sp_hash_hex(h, SP_HASH_SHA256));
	sp_hash_free(h);
	if (rc != SP_OK) {
		free(f->path);
		return rc;
	}
	r->nfiles++;
	return SP_OK;
}

static int
add_file(struct sp_rules *r, const char *path, const char *ns,
    struct sp_err *err)
{
	FILE *fp;
	int rc, n;

	if (r->compiler == NULL)
		return sp_err_set(err, SP_E_USAGE, 0, "rule sources cannot be "
		    "mixed with compiled rules");
	if ((rc = remember_file(r, path, err)) != SP_OK)
		return rc;
	if ((fp = fopen(path, "r")) == NULL)
		return sp_err_set(err, sp_errno_code(errno), errno, "\'%s\'",
		    path);
	n = yr_compiler_add_file(r->compiler, fp, ns, path);
	fclose(fp);
	if (n > 0 || r->errors > 0)
		return sp_err_set(err, SP_E_DATA, 0, "%s", r->first_error);
	return SP_OK;
}

static int
has_rule_suffix(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && strcmp(name + n - 4, ".yar") == 0) ||
	    (n > 5 && strcmp(name + n - 5, ".yara") == 0);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every rule file under dir (rel is its path below the top), sorted. */
static int
add_dir(struct sp_rules *r, const char *dir, const char *rel, int depth,
    struct sp_err *err)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char **names = NULL, **tmp, path[PATH_MAX], sub[PATH_MAX];
	size_t n = 0, cap = 0, i;
	int rc = SP_OK;

	if (depth > 32)
		return sp_err_set(err, SP_E_USAGE, 0, "'%s': rule directories "
		    "nested too deep", dir);
	if ((d = opendir(dir)) == NULL)
		return sp_err_set(err, sp_errno_code(errno), errno, "\'%s\'",
		    dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((tmp = realloc(names, cap * sizeof(*names))) ==
			    NULL) {
				rc = sp_err_set(err, SP_E_NOMEM, 0, "rules");
				goto out;
			}
			names = tmp;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rc = sp_err_set(err, SP_E_NOMEM, 0, "rules");
			goto out;
		}
		n++;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n && rc == SP_OK; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "",
		    names[i]);
		if (stat(path, &st) != 0)
			continue;	/* a dangling link */
		if (S_ISDIR(st.st_mode))
			rc = add_dir(r, path, sub, depth + 1, err);
		else if (S_ISREG(st.st_mode) && has_rule_suffix(names[i]) &&
		    !(depth == 0 && strcmp(names[i], "index.yar") == 0))
			rc = add_file(r, path, sub, err);
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

int
sp_rules_add_path(struct sp_rules *r, const char *path, struct sp_err *err)
{
	struct stat st;
	const char *base;

	if (stat(path, &st) != 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "\'%s\'",
		    path);
	if (S_ISDIR(st.st_mode)) {
		size_t before = r->nfiles;
		int rc = add_dir(r, path, "", 0, err);
		if (rc == SP_OK && r->nfiles == before)
			return sp_err_set(err, SP_E_NOINPUT, 0, "'%s': no .yar "
			    "or .yara file", path);
		return rc;
	}
	base = strrchr(path, '/');
	return add_file(r, path, base ? base + 1 : path, err);
}

int
sp_rules_load_compiled(struct sp_rules *r, const char *path,
    struct sp_err *err)
{
	int rc, yrc;

	if (r->rules != NULL || r->nfiles > 0)
		return sp_err_set(err, SP_E_USAGE, 0, "compiled rules cannot "
		    "be mixed with other rules");
	if ((rc = remember_file(r, path, err)) != SP_OK)
		return rc;
	yrc = yr_rules_load(path, &r->rules);
	if (yrc != ERROR_SUCCESS) {
		r->rules = NULL;
		return sp_err_set(err, yrc == ERROR_COULD_NOT_OPEN_FILE ?
		    SP_E_NOINPUT : SP_E_FORMAT, 0, "'%s': not rules compiled "
		    "by this YARA version (libyara error %d)", path, yrc);
	}
	yr_compiler_destroy(r->compiler);
	r->compiler = NULL;
	return SP_OK;
}

int
sp_rules_finish(struct sp_rules *r, struct sp_err *err)
{
	YR_RULE *rule;

	if (r->rules == NULL) {
		if (r->nfiles == 0)
			return sp_err_set(err, SP_E_USAGE, 0, "no rules");
		if (yr_compiler_get_rules(r->compiler, &r->rules) !=
		    ERROR_SUCCESS)
			return sp_err_set(err, SP_E_DATA, 0, "%s",
			    r->errors ? r->first_error : "cannot compile rules");
	}
	r->nrules = 0;
	yr_rules_foreach(r->rules, rule)
		r->nrules++;
	return SP_OK;
}

YR_RULES *
sp_rules_yara(const struct sp_rules *r)
{
	return r->rules;
}

size_t
sp_rules_count(const struct sp_rules *r)
{
	return r->nrules;
}

size_t
sp_rules_file_count(const struct sp_rules *r)
{
	return r->nfiles;
}

const char *
sp_rules_file(const struct sp_rules *r, size_t i, uint64_t *size,
    const char **sha256)
{
	if (i >= r->nfiles)
		return NULL;
	if (size != NULL)
		*size = r->files[i].size;
	if (sha256 != NULL)
		*sha256 = r->files[i].sha256;
	return r->files[i].path;
}

size_t
sp_rules_warning_count(const struct sp_rules *r)
{
	return r->warnings;
}

const char *
sp_rules_default_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX], *slash;
	const char *env;
	struct stat st;
	ssize_t n;

	if ((env = getenv("SPOOR_RULES")) != NULL && *env != '\0')
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';	/* .../bin */
			snprintf(path, sizeof(path), "%s/../share/spoor/rules",
			    exe);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				return path;
			/* the build tree: BUILD/bin/../../rules */
			snprintf(path, sizeof(path), "%s/../../rules", exe);
			if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
				return path;
		}
	}
	return SPOOR_RULESDIR;
}
