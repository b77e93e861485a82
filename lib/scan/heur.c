/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Heuristics for spoor-scan: each detector looks at what the scanner
 * already knows about one file (path, type, mode, times, the first bytes,
 * the entropy, whether a package owns it) and reports a hit with a
 * severity, a Loki/THOR-style score, an ATT&CK technique and a reason
 * that carries the evidence.  Two detectors read the content of the file
 * they are about (/etc/ld.so.preload, authorized_keys).
 *
 * The choices that keep the detectors quiet on a real Debian system (which
 * hidden directories are ordinary, where the package database is trusted,
 * which trees are skipped) are spelled out next to each detector and in
 * spoor-heuristics(7); keep the two in step.
 *
 * Everything here is hostile input: paths and content come from the
 * evidence, so every string that enters a reason is escaped and bounded.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "spoor/err.h"
#include "spoor/heur.h"

#include "spoor/case.h"
#include "spoor/evidence.h"
#include "artifact/ssh.h"

/* Longest piece of evidence text (a name, a library path, a comment). */
#define REASON_FIELD_MAX	96
/* Longest authorized_keys line looked at (OpenSSH reads 8 KiB). */
#define KEY_LINE_MAX		(64 << 10)
/* Tolerance for two times taken at the same moment. */
#define SAME_MOMENT		SP_NS_PER_SEC
/* packed-elf: entropy above this, for an ELF of at least this size. */
#define PACKED_ENTROPY		7.2
#define PACKED_MIN_SIZE		(64 << 10)

enum {
	D_EXEC_IN_TMP,
	D_ELF_IN_WEBROOT,
	D_SCRIPT_IN_UPLOADS,
	D_SETUID_UNPACKAGED,
	D_TIMESTOMP_EXT4,
	D_TIMESTOMP_NTFS,
	D_PACKED_ELF,
	D_KERNEL_THREAD_NAME,
	D_UNPACKAGED_RECENT_ELF,
	D_LD_PRELOAD,
	D_AUTHORIZED_KEY_ADDED,
	D_COPY_OF_DETECTED,
	D_COUNT
};

static const struct sp_heur_detector detectors[D_COUNT] = {
	[D_EXEC_IN_TMP] = { "exec-in-tmp", SP_SEV_HIGH, 70, "T1105",
	    "executable file under /tmp, /var/tmp or /dev/shm, or inside an "
	    "unusual hidden directory" },
	[D_ELF_IN_WEBROOT] = { "elf-in-webroot", SP_SEV_HIGH, 75, "T1105",
	    "ELF executable or library inside a web server's document root" },
	[D_SCRIPT_IN_UPLOADS] = { "script-in-uploads", SP_SEV_HIGH, 80,
	    "T1505.003",
	    "PHP, JSP or ASP script in an upload directory of a web root" },
	[D_SETUID_UNPACKAGED] = { "setuid-unpackaged", SP_SEV_HIGH, 70,
	    "T1548.001",
	    "setuid or setgid executable that no installed package lists" },
	[D_TIMESTOMP_EXT4] = { "timestomp-ext4", SP_SEV_MEDIUM, 60,
	    "T1070.006",
	    "creation time after modification time on a file no package "
	    "lists (ext4, XFS, Btrfs)" },
	[D_TIMESTOMP_NTFS] = { "timestomp-ntfs", SP_SEV_MEDIUM, 65,
	    "T1070.006",
	    "NTFS $STANDARD_INFORMATION creation time earlier than, or "
	    "rounder than, the $FILE_NAME one" },
	[D_PACKED_ELF] = { "packed-elf", SP_SEV_MEDIUM, 50, "T1027.002",
	    "UPX-packed or high-entropy ELF file" },
	[D_KERNEL_THREAD_NAME] = { "kernel-thread-name", SP_SEV_HIGH, 70,
	    "T1036.005",
	    "regular file named like a kernel thread (kswapd0, kworker, ...)" },
	[D_UNPACKAGED_RECENT_ELF] = { "unpackaged-recent-elf", SP_SEV_MEDIUM,
	    60, "T1105",
	    "ELF file that no package lists in /usr/local/bin, /usr/local/sbin, "
	    "/usr/lib, /lib or /opt, born among the file system's newest" },
	[D_LD_PRELOAD] = { "ld-preload", SP_SEV_HIGH, 80, "T1574.006",
	    "/etc/ld.so.preload names libraries to load into every program" },
	[D_AUTHORIZED_KEY_ADDED] = { "authorized-key-added", SP_SEV_HIGH, 70,
	    "T1098.004",
	    "SSH authorized key in a file changed within the scanned time "
	    "window (listed as info without a window)" },
	[D_COPY_OF_DETECTED] = { "copy-of-detected", SP_SEV_HIGH, 70, NULL,
	    "same content (SHA-256) as a file of the same evidence with a "
	    "detection; severity and score are that detection's" },
};

/* ---- reasons ---- */

/* A reason under construction: always NUL-terminated, truncated with "...". */
struct reason {
	char s[SP_HEUR_REASON_MAX];
	size_t n;
	int full;
};

static void
reason_init(struct reason *r)
{
	r->s[0] = '\0';
	r->n = 0;
	r->full = 0;
}

/* Append one character of already-safe text. */
static void
reason_putc(struct reason *r, char c)
{
	if (r->full)
		return;
	if (r->n + 4 >= sizeof(r->s)) {
		memcpy(r->s + r->n, "...", 4);
		r->n += 3;
		r->full = 1;
		return;
	}
	r->s[r->n++] = c;
	r->s[r->n] = '\0';
}

/* Append program text (never evidence) formatted with printf. */
static void
reason_add(struct reason *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
reason_add(struct reason *r, const char *fmt, ...)
{
	char buf[SP_HEUR_REASON_MAX];
	va_list ap;
	const char *p;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (p = buf; *p != '\0'; p++)
		reason_putc(r, *p);
}

/*
 * Append n bytes of evidence: printable ASCII as is, a backslash doubled,
 * anything else as \xHH; at most max bytes of s, then "...".
 */
static void
reason_esc(struct reason *r, const void *s, size_t n, size_t max)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = s;
	size_t i;

	for (i = 0; i < n && i < max; i++) {
		if (p[i] == '\\') {
			reason_putc(r, '\\');
			reason_putc(r, '\\');
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			reason_putc(r, (char)p[i]);
		} else {
			reason_putc(r, '\\');
			reason_putc(r, 'x');
			reason_putc(r, hex[p[i] >> 4]);
			reason_putc(r, hex[p[i] & 15]);
		}
	}
	if (i < n)
		reason_add(r, "...");
}

static void
reason_str(struct reason *r, const char *s)
{
	reason_esc(r, s, strlen(s), REASON_FIELD_MAX);
}

/* Append an ISO-8601 time with frac fraction digits. */
static void
reason_time(struct reason *r, sp_time_ns t, int frac)
{
	char buf[SP_TIME_ISO_MAX];

	sp_time_format_iso(t, frac, buf, sizeof(buf));
	reason_add(r, "%s", buf);
}

/* Report detector d with its table severity and score unless overridden. */
static void
report(int d, enum sp_severity sev, int score, const char *technique,
    const struct reason *r, uint64_t offset, uint64_t length,
    sp_heur_fn *fn, void *arg)
{
	struct sp_heur_hit h;

	h.detector = detectors[d].name;
	h.severity = sev;
	h.score = score;
	h.technique = technique ? technique : detectors[d].technique;
	h.reason = r->s;
	h.offset = offset;
	h.length = length;
	(void)fn(&h, arg);	/* relay_hit keeps what the caller said */
}

/*
 * Between the detectors and the caller's callback: hits go through until
 * the callback says stop or fails, and its first such answer is the
 * result of the check (enum sp_cb).
 */
struct relay {
	sp_heur_fn *fn;
	void *arg;
	int r;
};

static int
relay_hit(const struct sp_heur_hit *h, void *arg)
{
	struct relay *c = arg;

	if (c->r == SP_CB_CONTINUE)
		c->r = c->fn(h, c->arg);
	return c->r;
}

/* ---- paths ---- */

/* Whether path is dir or lies below it (dir without a trailing '/'). */
static int
under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 &&
	    (path[n] == '/' || path[n] == '\0');
}

/* The first of dirs[] (NULL-terminated) that path lies under, or NULL. */
static const char *
under_any(const char *path, const char *const *dirs)
{
	for (; *dirs != NULL; dirs++)
		if (under(path, *dirs))
			return *dirs;
	return NULL;
}

/*
 * Match the leading components of path against pattern, one fnmatch(3)
 * pattern per component ("/var/lib/tomcat*" "/webapps").  Returns the
 * length of the matched prefix of path (ending before a '/' or at the
 * end), or 0.
 */
static size_t
prefix_match(const char *path, const char *pattern)
{
	char pc[256], comp[256];
	const char *p = path, *q = pattern;
	size_t pn, cn;

	while (*q == '/') {
		q++;
		if (*p != '/')
			return 0;
		p++;
		pn = strcspn(q, "/");
		cn = strcspn(p, "/");
		if (pn >= sizeof(pc) || cn >= sizeof(comp) || cn == 0)
			return 0;
		memcpy(pc, q, pn);
		pc[pn] = '\0';
		memcpy(comp, p, cn);
		comp[cn] = '\0';
		if (fnmatch(pc, comp, FNM_PERIOD) != 0)
			return 0;
		q += pn;
		p += cn;
	}
	if (*q != '\0' || (*p != '/' && *p != '\0'))
		return 0;
	return (size_t)(p - path);
}

/* Where web servers serve files from on Debian and in common layouts. */
static const char *const web_roots[] = {
	"/var/www", "/srv/www", "/srv/http", "/srv/htdocs",
	"/usr/share/nginx/html", "/usr/share/nginx/www",
	"/usr/local/apache2/htdocs", "/usr/local/nginx/html",
	"/usr/local/www", "/opt/lampp/htdocs", "/home/*/public_html",
	"/home/*/www", "/var/lib/tomcat*/webapps", "/usr/share/tomcat*/webapps",
	"/opt/tomcat*/webapps", "/var/lib/jetty*/webapps", "/opt/jetty*/webapps",
	NULL
};

/* Length of the web root path lies in (0: none). */
static size_t
web_root(const char *path)
{
	const char *const *w;
	size_t n;

	for (w = web_roots; *w != NULL; w++)
		if ((n = prefix_match(path, *w)) > 0)
			return n;
	return 0;
}

/* Whether the n bytes at s equal word, ignoring ASCII case. */
static int
word_eq(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* Whether one directory component of path[0..len) is in words[]. */
static int
has_dir_component(const char *path, size_t len, const char *const *words)
{
	const char *p = path, *end = path + len;
	const char *const *w;
	size_t n;

	while (p < end) {
		while (p < end && *p == '/')
			p++;
		n = strcspn(p, "/");
		if (p + n > end)
			n = (size_t)(end - p);
		if (p + n < end || (p + n == end && *end == '/'))
			for (w = words; *w != NULL; w++)
				if (word_eq(p, n, *w))
					return 1;
		p += n;
	}
	return 0;
}

/* The temporary directories any user can write to. */
static const char *const tmp_dirs[] = {
	"/tmp", "/var/tmp", "/dev/shm", "/run/shm", NULL
};

/* The system directories dpkg owns (for "package data unknown"). */
static const char *const system_dirs[] = {
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL
};

/* Trees the package database cannot speak for: containers, npm, pip. */
static const char *const foreign_trees[] = {
	"/var/lib/docker", "/var/lib/containers", "/var/lib/lxc",
	"/var/lib/lxd", "/var/lib/machines", "/var/lib/snapd", "/snap", NULL
};

static int
in_foreign_tree(const char *path)
{
	static const char *const words[] = {
		"node_modules", "site-packages", "dist-packages", NULL
	};

	return under_any(path, foreign_trees) != NULL ||
	    has_dir_component(path, strlen(path), words);
}

/*
 * Hidden directories that are ordinary: X11/ICE socket directories in
 * /tmp, version control, and the tool caches and language runtimes that
 * live in home directories.  Anything else hidden that holds an
 * executable is reported.
 */
static const char *const benign_hidden[] = {
	".X11-unix", ".ICE-unix", ".XIM-unix", ".font-unix", ".Test-unix",
	".git", ".svn", ".hg", ".bzr", ".github", ".gitlab",
	".local", ".cache", ".config", ".cargo", ".rustup", ".npm", ".nvm",
	".node-gyp", ".pyenv", ".rbenv", ".gem", ".bundle", ".venv", ".virtualenvs",
	".conda", ".vscode", ".vscode-server", ".cursor-server", ".mozilla",
	".java", ".m2", ".gradle", ".sdkman", ".dotnet", ".deno", ".bun",
	".oh-my-zsh", ".vim", ".emacs.d", ".tmux", ".wine", ".steam",
	".build-id", ".composer", ".yarn", ".pnpm-store", ".terraform",
	".ansible", ".kube", ".docker", ".nix-profile", ".well-known",
	NULL
};

/*
 * The first hidden directory component of path (not the last component,
 * the file itself) that is not in benign_hidden, and its length; NULL
 * when there is none.
 */
static const char *
hidden_dir(const char *path, size_t *len)
{
	const char *p = path;
	const char *const *b;
	size_t n;
	int benign;

	for (;;) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (p[n] == '\0')
			return NULL;
		if (p[0] == '.' && !(n == 1 || (n == 2 && p[1] == '.'))) {
			benign = 0;
			for (b = benign_hidden; *b != NULL; b++)
				if (strlen(*b) == n && strncmp(p, *b, n) == 0)
					benign = 1;
			if (!benign) {
				*len = n;
				return p;
			}
		}
		p += n;
	}
}

/* ---- file facts ---- */

static const char *
file_name(const struct sp_heur_file *f)
{
	const char *s;

	if (f->name != NULL)
		return f->name;
	if (f->path == NULL)
		return "";
	s = strrchr(f->path, '/');
	return s ? s + 1 : f->path;
}

static int
is_elf(const struct sp_heur_file *f)
{
	return f->head != NULL && f->head_len >= 4 &&
	    memcmp(f->head, "\177ELF", 4) == 0;
}

static int
is_shebang(const struct sp_heur_file *f)
{
	return f->head != NULL && f->head_len >= 2 &&
	    memcmp(f->head, "#!", 2) == 0;
}

/*
 * Whether the file system's mode bits mean anything: FAT and NTFS have no
 * execute bits, libtsk makes them up.
 */
static int
has_unix_modes(const struct sp_heur_file *f)
{
	const char *t = f->fs_type;

	if (t == NULL)
		return 1;
	return strcmp(t, "ntfs") != 0 && strncmp(t, "fat", 3) != 0 &&
	    strcmp(t, "exfat") != 0 && strcmp(t, "iso9660") != 0;
}

/* Executable: an x bit where modes are real, or ELF or "#!" content. */
static int
is_executable(const struct sp_heur_file *f)
{
	return (has_unix_modes(f) && (f->mode & 0111) != 0) || is_elf(f) ||
	    is_shebang(f);
}

/* "mode 0755, ELF" for the reason. */
static void
reason_exec(struct reason *r, const struct sp_heur_file *f)
{
	const char *sep = "";

	if (has_unix_modes(f) && (f->mode & 0111) != 0) {
		reason_add(r, "mode %04o", (unsigned)(f->mode & 07777));
		sep = ", ";
	}
	if (is_elf(f))
		reason_add(r, "%sELF", sep);
	else if (is_shebang(f))
		reason_add(r, "%s#! script", sep);
}

static void *
find_bytes(const struct sp_heur_file *f, const char *needle)
{
	if (f->head == NULL || f->head_len == 0)
		return NULL;
	return memmem(f->head, f->head_len, needle, strlen(needle));
}

static int
time_in(sp_time_ns t, sp_time_ns from, sp_time_ns to)
{
	return t != SP_TIME_NONE && (from == SP_TIME_NONE || t >= from) &&
	    (to == SP_TIME_NONE || t <= to);
}

/* ---- detectors on metadata and head ---- */

/*
 * exec-in-tmp: a regular file that is executable (an x bit where the file
 * system has modes, or ELF or "#!" content) under a temporary directory
 * (high, 70; 80 in a hidden directory or with a hidden name), or inside
 * a hidden directory not in benign_hidden anywhere else (medium, 60;
 * files a package lists and container/npm/pip trees are left out there).
 */
static void
exec_in_tmp(const struct sp_heur_file *f, sp_heur_fn *fn, void *arg)
{
	struct reason r;
	const char *tmp, *hid, *name = file_name(f);
	size_t hn = 0;

	if (f->type != 'r' || !is_executable(f))
		return;
	tmp = under_any(f->path, tmp_dirs);
	hid = hidden_dir(f->path, &hn);
	reason_init(&r);
	if (tmp != NULL) {
		reason_add(&r, "executable (");
		reason_exec(&r, f);
		reason_add(&r, ") under %s", tmp);
		if (hid != NULL) {
			reason_add(&r, " in hidden directory '");
			reason_esc(&r, hid, hn, REASON_FIELD_MAX);
			reason_add(&r, "'");
		}
		if (name[0] == '.')
			reason_add(&r, " with a hidden name");
		if (hid != NULL || name[0] == '.')
			report(D_EXEC_IN_TMP, SP_SEV_HIGH, 80, "T1564.001", &r,
			    0, 0, fn, arg);
		else
			report(D_EXEC_IN_TMP, SP_SEV_HIGH, 70, NULL, &r, 0, 0,
			    fn, arg);
		return;
	}
	if (hid == NULL || f->packaged == 1 || in_foreign_tree(f->path))
		return;
	reason_add(&r, "executable (");
	reason_exec(&r, f);
	reason_add(&r, ") in hidden directory '");
	reason_esc(&r, hid, hn, REASON_FIELD_MAX);
	reason_add(&r, "'");
	report(D_EXEC_IN_TMP, SP_SEV_MEDIUM, 60, "T1564.001", &r, 0, 0, fn,
	    arg);
}

/*
 * elf-in-webroot: ELF content in a web root.  Files a package lists are
 * left out; under node_modules, vendor or a Python environment (native
 * modules) the hit is medium, 45.
 */
static void
elf_in_webroot(const struct sp_heur_file *f, sp_heur_fn *fn, void *arg)
{
	static const char *const native[] = {
		"node_modules", "vendor", "venv", ".venv", "site-packages",
		NULL
	};
	struct reason r;
	size_t root;

	if (f->type != 'r' || !is_elf(f) || f->packaged == 1 ||
	    (root = web_root(f->path)) == 0)
		return;
	reason_init(&r);
	reason_add(&r, "ELF file in web root ");
	reason_esc(&r, f->path, root, REASON_FIELD_MAX);
	if (has_dir_component(f->path, strlen(f->path), native)) {
		reason_add(&r, ", in a directory of native modules");
		report(D_ELF_IN_WEBROOT, SP_SEV_MEDIUM, 45, NULL, &r, 0, 0,
		    fn, arg);
		return;
	}
	report(D_ELF_IN_WEBROOT, SP_SEV_HIGH, 75, NULL, &r, 0, 0, fn, arg);
}

/* Server-side script extensions (compared without case). */
static const char *const script_exts[] = {
	"php", "phtml", "pht", "phps", "php3", "php4", "php5", "php6", "php7",
	"php8", "phar", "inc", "jsp", "jspx", "jspf", "asp", "aspx", "ashx",
	"asmx", "cer", "shtml", NULL
};

static int
script_ext(const char *s, size_t n)
{
	const char *const *e;

	for (e = script_exts; *e != NULL; e++)
		if (word_eq(s, n, *e))
			return 1;
	return 0;
}

/*
 * script-in-uploads: in a web root, below a directory named upload,
 * uploads, files, media, images, img, attachments or userfiles, a regular
 * file whose last extension is a script one (high, 80), or whose inner
 * extension is ("x.php.jpg", which Apache's AddHandler runs: high, 75),
 * or whose first bytes hold "<?php" or start with "<%@" or "<%" (high,
 * 80).  WordPress-style "Silence is golden" index.php stubs are left out.
 */
static void
script_in_uploads(const struct sp_heur_file *f, sp_heur_fn *fn, void *arg)
{
	static const char *const upload_dirs[] = {
		"upload", "uploads", "files", "media", "images", "img",
		"attachments", "userfiles", NULL
	};
	const char *name = file_name(f), *dot, *p, *why = NULL;
	struct reason r;
	size_t root, plen, n;
	int score = 80, i;

	if (f->type != 'r' || (root = web_root(f->path)) == 0)
		return;
	plen = strlen(f->path);
	if (plen <= root || !has_dir_component(f->path + root, plen - root,
	    upload_dirs))
		return;
	reason_init(&r);
	dot = strrchr(name, '.');
	if (dot != NULL && dot != name && script_ext(dot + 1, strlen(dot + 1))) {
		why = "name";
		reason_add(&r, "script extension '");
		reason_str(&r, dot);
		reason_add(&r, "'");
	} else if (dot != NULL && dot != name) {
		/* an inner extension: the components between the first and last dot */
		for (p = strchr(name + 1, '.'); p != NULL && p != dot;
		    p = strchr(p + 1, '.')) {
			n = strcspn(p + 1, ".");
			if (script_ext(p + 1, n)) {
				why = "inner";
				score = 75;
				reason_add(&r, "double extension '");
				reason_esc(&r, p, n + 1, REASON_FIELD_MAX);
				reason_add(&r, "' before '");
				reason_str(&r, dot);
				reason_add(&r, "'");
				break;
			}
		}
	}
	if (f->head != NULL && f->head_len > 0) {
		if (strcmp(name, "index.php") == 0 && f->size < 128 &&
		    find_bytes(f, "Silence is golden") != NULL)
			return;
		for (i = 0; i + 5 <= (int)f->head_len && i < 4096; i++)
			if (strncasecmp((const char *)f->head + i, "<?php", 5)
			    == 0)
				break;
		if (i + 5 <= (int)f->head_len && i < 4096) {
			reason_add(&r, "%sPHP code ('<?php' at byte %d)",
			    why ? "; " : "", i);
			why = "content";
			score = 80;
		} else if (f->head_len >= 2 && memcmp(f->head, "<%", 2) == 0) {
			reason_add(&r, "%sJSP/ASP code ('<%%' at byte 0)",
			    why ? "; " : "");
			why = "content";
			score = 80;
		}
	}
	if (why == NULL)
		return;
	reason_add(&r, " in upload directory of web root ");
	reason_esc(&r, f->path, root, REASON_FIELD_MAX);
	report(D_SCRIPT_IN_UPLOADS, SP_SEV_HIGH, score, NULL, &r, 0, 0, fn,
	    arg);
}

/*
 * setuid-unpackaged: a regular file with S_ISUID or S_ISGID and an x bit
 * (without one the bit does nothing on exec).  No package lists it: high,
 * 75 (setuid root), 70 (setuid), medium 60 (setgid only).  No package
 * data: only outside /usr, /bin, /sbin and /lib*, medium 50 (setuid) or
 * low 40 (setgid).  Inside container and snap stores the package database
 * of the host says nothing: low, 30.
 */
static void
setuid_unpackaged(const struct sp_heur_file *f, sp_heur_fn *fn, void *arg)
{
	enum sp_severity sev;
	struct reason r;
	int suid, score;

	if (f->type != 'r' || !has_unix_modes(f) ||
	    (f->mode & (S_ISUID | S_ISGID)) == 0 || (f->mode & 0111) == 0 ||
	    f->packaged == 1)
		return;
	suid = (f->mode & S_ISUID) != 0;
	reason_init(&r);
	reason_add(&r, "%s%s file (mode %04o, owner uid %u gid %u)",
	    suid ? "setuid" : "setgid",
	    suid && (f->mode & S_ISGID) ? "+setgid" : "",
	    (unsigned)(f->mode & 07777), (unsigned)f->uid, (unsigned)f->gid);
	if (under_any(f->path, foreign_trees) != NULL) {
		reason_add(&r, " in a container or snap store");
		sev = SP_SEV_LOW;
		score = 30;
	} else if (f->packaged == 0) {
		reason_add(&r, " that no installed package lists");
		sev = suid ? SP_SEV_HIGH : SP_SEV_MEDIUM;
		score = suid ? (f->uid == 0 ? 75 : 70) : 60;
	} else {
		if (under_any(f->path, system_dirs) != NULL)
			return;
		reason_add(&r, " outside the system directories (no package "
		    "data)");
		sev = suid ? SP_SEV_MEDIUM : SP_SEV_LOW;
		score = suid ? 50 : 40;
	}
	report(D_SETUID_UNPACKAGED, sev, score, NULL, &r, 0, 0, fn, arg);
}

/* The file systems whose creation time no system call sets. */
static int
has_true_crtime(const char *t)
{
	return t == NULL || strncmp(t, "ext", 3) == 0 ||
	    strcmp(t, "xfs") == 0 || strcmp(t, "btrfs") == 0 ||
	    strcmp(t, "f2fs") == 0 || strcmp(t, "dir") == 0;
}

/* npm packs every file with this mtime (1985-10-26T08:15:00Z). */
#define NPM_MTIME	(INT64_C(499162500) * SP_NS_PER_SEC)

/*
 * timestomp-ext4: crtime more than a second after mtime on ext2/3/4, XFS,
 * Btrfs, F2FS or a host directory.  Only creation sets crtime, so a file
 * whose content is older than the inode had its mtime set back: by
 * touch, or by tar, cp -p, rsync -t, unzip, dpkg.  Hence: files a package
 * lists are left out; no package data (packaged -1): only outside /usr,
 * /bin, /sbin, /lib*, /opt, /etc, /boot, /var/lib and /var/cache, low,
 * 40; no package lists it: medium, 60.  Container, snap, npm and pip
 * trees and npm's fixed 1985-10-26 mtime are left out.  So is a file
 * whose ctime is not clearly after its crtime: its times were set as it
 * was created (tar, cp -p, unzip, or an image builder such as mke2fs -d,
 * which leaves ctime at the old mtime); touch -r on an existing file
 * moves ctime to the moment of the change.
 */
static void
timestomp_ext4(const struct sp_heur_file *f, sp_heur_fn *fn, void *arg)
{
	static const char *const install_dirs[] = {
		"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
		"/opt", "/etc", "/boot", "/var/lib", "/var/cache", NULL
	};
	enum sp_severity sev = SP_SEV_MEDIUM;
	struct reason r;
	int score = 60;

	if (f->type != 'r' || !has_true_crtime(f->fs_type) ||
	    f->crtime == SP_TIME_NONE || f->mtime == SP_TIME_NONE ||
	    f->mtime > INT64_MAX - SAME_MOMENT ||
	    f->crtime <= f->mtime + SAME_MOMENT || f->packaged == 1 ||
	    f->mtime == NPM_MTIME || in_foreign_tree(f->path))
		return;
	if (f->ctime != SP_TIME_NONE && f->crtime < INT64_MAX - SAME_MOMENT &&
	    f->ctime <= f->crtime + SAME_MOMENT)
		return;
	if (f->packaged != 0) {
		if (under_any(f->path, install_dirs) != NULL)
			return;
		sev = SP_SEV_LOW;
		score = 40;
	}
	reason_init(&r);
	reason_add(&r, "crtime ");
	reason_time(&r, f->crtime, 0);
	reason_add(&r, " is after mtime ");
	reason_time(&r, f->mtime, 0);
	if (f->ctime != SP_TIME_NONE) {
		reason_add(&r, " (ctime ");
		reason_time(&r, f->ctime, 0);
		reason_add(&r, ")");
	}
	reason_add(&r, f->packaged == 0 ? "; no package lists the file" :
	    "; no package data");
	report(D_TIMESTOMP_EXT4, sev, score, NULL, &r, 0, 0, fn, arg);
}

/*
 * timestomp-ntfs: on NTFS, $SI crtime more than a second before $FN
 * crtime (medium, 65), or $SI crtime with no fraction of a second while
 * $FN crtime has one (medium, 55); both: high, 80.
 */
static void
timestomp_ntfs(const struct sp_heur_file *f, sp_heur_fn *fn, void *arg)
{
	struct reason r;
	int earlier, round;

	if (f->fs_type == NULL || strcmp(f->fs_type, "ntfs") != 0 ||
	    f->crtime == SP_TIME_NONE || f->fn_crtime == SP_TIME_NONE)
		return;
	earlier = f->fn_crtime > INT64_MIN + SAME_MOMENT &&
	    f->crtime < f->fn_crtime - SAME_MOMENT;
	round = sp_time_nsec(f->crtime) == 0 && sp_time_nsec(f->fn_crtime) != 0;
	if (!earlier && !round)
		return;
	reason_init(&r);
	reason_add(&r, "$STANDARD_INFORMATION crtime ");
	reason_time(&r, f->crtime, 7);
	reason_add(&r, earlier ? " is before" : " has no fraction of a second "
	    "unlike");
	reason_add(&r, " $FILE_NAME crtime ");
	reason_time(&r, f->fn_crtime, 7);
	if (earlier && round)
		reason_add(&r, " and has no fraction of a second");
	if (earlier && round)
		report(D_TIMESTOMP_NTFS, SP_SEV_HIGH, 80, NULL, &r, 0, 0, fn,
		    arg);
	else
		report(D_TIMESTOMP_NTFS, SP_SEV_MEDIUM, earlier ? 65 : 55, NULL,
		    &r, 0, 0, fn, arg);
}

/*
 * packed-elf: an ELF whose first bytes hold UPX's "UPX!" marker or its
 * "$Info: This file is packed with the UPX" banner (medium, 50), or an
 * ELF of at least 64 KiB whose entropy exceeds 7.2 bits per byte (medium,
 * 45); both: 60.  Files a package lists are left out.
 */
static void
packed_elf(const struct sp_heur_file *f, sp_heur_fn *fn, void *arg)
{
	const unsigned char *upx;
	struct reason r;
	int dense;

	if (f->type != 'r' || !is_elf(f) || f->packaged == 1)
		return;
	upx = find_bytes(f, "UPX!");
	if (upx == NULL)
		upx = find_bytes(f, "$Info: This file is packed with the UPX");
	dense = f->entropy > PACKED_ENTROPY && f->size >= PACKED_MIN_SIZE;
	if (upx == NULL && !dense)
		return;
	reason_init(&r);
	if (upx != NULL)
		reason_add(&r, "UPX marker at byte %zu",
		    (size_t)(upx - f->head));
	if (dense)
		reason_add(&r, "%sentropy %.2f bits/byte over %llu bytes",
		    upx != NULL ? ", " : "", f->entropy,
		    (unsigned long long)f->size);
	report(D_PACKED_ELF, SP_SEV_MEDIUM, upx && dense ? 60 : upx ? 50 : 45,
	    NULL, &r, 0, 0, fn, arg);
}

/*
 * Kernel thread names: exact, or a prefix followed by anything ("/0:1"
 * cannot be in a file name, "-0", ":1" or "H" can).  Names that are also
 * ordinary programs or files (watchdog, migration*.py) are exact only.
 */
static const char *const kthread_exact[] = {
	"kthreadd", "rcu_sched", "rcu_preempt", "rcu_bh", "rcu_gp",
	"rcu_par_gp", "kdevtmpfs", "khugepaged", "kblockd", "kauditd",
	"khungtaskd", "oom_reaper", "ksmd", "kintegrityd", "kthrotld",
	"kstrp", "writeback", "watchdogd", "migration", "cpuhp", "kswapd",
	NULL
};

static const char *const kthread_prefix[] = {
	"kswapd", "kworker", "ksoftirqd", "kcompactd", "jbd2", "scsi_eh_",
	"scsi_tmf_", NULL
};

/* Whether the n bytes at s are a kernel thread name. */
static int
kthread_name(const char *s, size_t n)
{
	const char *const *k;
	size_t kn, i;

	for (k = kthread_exact; *k != NULL; k++)
		if (strlen(*k) == n && strncmp(s, *k, n) == 0)
			return 1;
	for (k = kthread_prefix; *k != NULL; k++) {
		kn = strlen(*k);
		if (n < kn || strncmp(s, *k, kn) != 0)
			continue;
		/* kswapd, kcompactd, jbd2: the kernel adds digits only */
		if (strcmp(*k, "kswapd") == 0 || strcmp(*k, "kcompactd") == 0) {
			for (i = kn; i < n; i++)
				if (s[i] < '0' || s[i] > '9')
					return 0;
			return n > kn;
		}
		if (strcmp(*k, "jbd2") == 0)
			return n == kn || s[kn] == '/' || s[kn] == '-';
		return 1;
	}
	return 0;
}

/*
 * kernel-thread-name: a regular file named like a kernel thread, with or
 * without the brackets ps shows ("[kworker"... "]"), outside kernel
 * source, module and debug trees.  Files a package lists are left out.
 */
static void
kernel_thread_name(const struct sp_heur_file *f, sp_heur_fn *fn, void *arg)
{
	static const char *const kernel_trees[] = {
		"/usr/src", "/lib/modules", "/usr/lib/modules", "/usr/lib/debug",
		"/usr/share/doc", "/usr/share/man", "/proc", "/sys", NULL
	};
	const char *name = file_name(f);
	struct reason r;
	size_t n = strlen(name);

	if (f->type != 'r' || f->packaged == 1 ||
	    under_any(f->path, kernel_trees) != NULL)
		return;
	if (n >= 2 && name[0] == '[' && name[n - 1] == ']') {
		name++;
		n -= 2;
	} else if (n >= 1 && name[0] == '[') {
		name++;
		n--;
	}
	if (n == 0 || !kthread_name(name, n))
		return;
	reason_init(&r);
	reason_add(&r, "file name '");
	reason_str(&r, file_name(f));
	reason_add(&r, "' is a kernel thread's name");
	if (is_executable(f)) {
		reason_add(&r, "; executable (");
		reason_exec(&r, f);
		reason_add(&r, ")");
	}
	report(D_KERNEL_THREAD_NAME, SP_SEV_HIGH, 70, NULL, &r, 0, 0, fn, arg);
}

/*
 * kernel-thread-name for a running process: its name (comm, or argv[0]
 * without its directory) is a kernel thread's, with or without ps's
 * brackets, while it runs an executable: a kernel thread has none.
 */
int
sp_heur_check_process(const char *comm, const char *argv0, const char *exe,
    sp_heur_fn *fn, void *arg)
{
	const char *names[2], *name, *slash;
	struct relay c = { fn, arg, SP_CB_CONTINUE };
	struct reason r;
	size_t i, n;
	int hit = -1;

	names[0] = comm;
	names[1] = argv0;
	if (exe == NULL || exe[0] == '\0')
		return SP_OK;
	for (i = 0; i < 2 && hit < 0; i++) {
		if ((name = names[i]) == NULL || name[0] == '\0')
			continue;
		if (i == 1 && name[0] != '[' && (slash = strrchr(name, '/')) !=
		    NULL)
			name = slash + 1;
		n = strlen(name);
		if (n >= 2 && name[0] == '[' && name[n - 1] == ']') {
			name++;
			n -= 2;
		}
		if (n > 0 && kthread_name(name, n))
			hit = (int)i;
	}
	if (hit < 0)
		return SP_OK;
	reason_init(&r);
	reason_add(&r, "process named '");
	reason_str(&r, names[hit]);
	reason_add(&r, "' (%s) like a kernel thread runs the executable ",
	    hit == 0 ? "comm" : "argv[0]");
	reason_str(&r, exe);
	reason_add(&r, ": kernel threads have none");
	report(D_KERNEL_THREAD_NAME, SP_SEV_HIGH, 70, NULL, &r, 0, 0,
	    relay_hit, &c);
	return c.r == SP_CB_CONTINUE || c.r == SP_CB_STOP ? SP_OK : c.r;
}

/*
 * unpackaged-recent-elf: an ELF file in a directory where installed
 * programs and libraries live (/usr/local/bin, /usr/local/sbin, /usr/lib,
 * /lib, /opt, and their lib64), that the package data says no package
 * lists, born (crtime, else ctime) among the newest of its file system
 * (sp_heur_file.fs_recent).  Without package data or without enough
 * files to tell what is new, nothing.  Kernel modules and debug symbols
 * (DKMS builds them in place) are left out.
 */
static void
unpackaged_recent_elf(const struct sp_heur_file *f, sp_heur_fn *fn,
    void *arg)
{
	static const char *const installed[] = {
		"/usr/local/bin", "/usr/local/sbin", "/usr/lib", "/usr/lib64",
		"/lib", "/lib64", "/opt", NULL
	};
	static const char *const left_out[] = {
		"/lib/modules", "/usr/lib/modules", "/usr/lib/debug", NULL
	};
	const char *dir;
	struct reason r;
	sp_time_ns born = f->crtime != SP_TIME_NONE ? f->crtime : f->ctime;

	if (f->type != 'r' || !is_elf(f) || f->packaged != 0 ||
	    f->fs_recent == SP_TIME_NONE || born == SP_TIME_NONE ||
	    born < f->fs_recent || (dir = under_any(f->path, installed)) ==
	    NULL || under_any(f->path, left_out) != NULL)
		return;
	reason_init(&r);
	reason_add(&r, "ELF file under %s that no installed package lists, "
	    "born ", dir);
	reason_time(&r, born, 0);
	reason_add(&r, " (%s), among the newest of its file system (from ",
	    f->crtime != SP_TIME_NONE ? "crtime" : "ctime");
	reason_time(&r, f->fs_recent, 0);
	reason_add(&r, ")");
	report(D_UNPACKAGED_RECENT_ELF, SP_SEV_MEDIUM, 60, NULL, &r, 0, 0, fn,
	    arg);
}

/* The metadata/head detectors, in the order of the detector table. */
static void (*const file_checks[])(const struct sp_heur_file *,
    sp_heur_fn *, void *) = {
	exec_in_tmp, elf_in_webroot, script_in_uploads, setuid_unpackaged,
	timestomp_ext4, timestomp_ntfs, packed_elf, kernel_thread_name,
	unpackaged_recent_elf
};

int
sp_heur_check_file(const struct sp_heur_file *f, sp_heur_fn *fn, void *arg)
{
	struct relay c = { fn, arg, SP_CB_CONTINUE };
	size_t i;

	if (f == NULL || f->path == NULL || fn == NULL)
		return SP_OK;
	for (i = 0; i < sizeof(file_checks) / sizeof(file_checks[0]) &&
	    c.r == SP_CB_CONTINUE; i++)
		file_checks[i](f, relay_hit, &c);
	return sp_cb_status(c.r);
}

/* ---- content ---- */

static int
is_ld_preload(const struct sp_heur_file *f)
{
	return strcmp(f->path, "/etc/ld.so.preload") == 0;
}

/* authorized_keys(2) in a .ssh directory, or a file in /etc/ssh/authorized_keys/. */
static int
is_authorized_keys(const struct sp_heur_file *f)
{
	const char *name = file_name(f), *slash;
	size_t plen = strlen(f->path), nlen = strlen(name);

	slash = strrchr(f->path, '/');
	if (slash == NULL)
		return 0;
	if (strcmp(name, "authorized_keys") == 0 ||
	    strcmp(name, "authorized_keys2") == 0) {
		/* the parent component is ".ssh" */
		return plen >= nlen + 6 &&
		    strncmp(f->path + plen - nlen - 6, "/.ssh/", 6) == 0;
	}
	return strncmp(f->path, "/etc/ssh/authorized_keys/", 25) == 0 &&
	    strchr(f->path + 25, '/') == NULL && f->path[25] != '\0';
}

int
sp_heur_wants_content(const struct sp_heur_file *f)
{
	if (f == NULL || f->path == NULL || f->type != 'r')
		return 0;
	return is_ld_preload(f) || is_authorized_keys(f);
}

/*
 * ld-preload: the libraries /etc/ld.so.preload names, parsed as glibc's
 * rtld does: '#' starts a comment up to the end of the line, entries are
 * separated by blanks, newlines and ':'.  (A NUL ends glibc's parse; here
 * it only separates, so nothing after it is hidden.)  One hit when there
 * is at least one entry; offset and length span the entries.
 */
static void
ld_preload(const struct sp_heur_file *f, const unsigned char *p, size_t len,
    sp_heur_fn *fn, void *arg)
{
	struct reason r;
	size_t i = 0, start, first = 0, last = 0, count = 0;

	(void)f;
	reason_init(&r);
	while (i < len) {
		if (p[i] == '#') {
			while (i < len && p[i] != '\n')
				i++;
			continue;
		}
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
		    p[i] == ':' || p[i] == '\r' || p[i] == '\0') {
			i++;
			continue;
		}
		start = i;
		while (i < len && p[i] != ' ' && p[i] != '\t' &&
		    p[i] != '\n' && p[i] != ':' && p[i] != '\0' &&
		    p[i] != '#' && p[i] != '\r')
			i++;
		if (count == 0) {
			first = start;
			reason_add(&r, "preloads ");
		} else {
			reason_add(&r, ", ");
		}
		last = i;
		count++;
		reason_esc(&r, p + start, i - start, REASON_FIELD_MAX);
	}
	if (count == 0)
		return;
	report(D_LD_PRELOAD, SP_SEV_HIGH, 80, NULL, &r, first, last - first,
	    fn, arg);
}

/*
 * One authorized_keys line (NUL-terminated copy in s, at offset off and
 * length n of the file).  Lines that are not keys are skipped: sshd skips
 * them too.
 */
static void
key_line(const struct sp_heur_file *f, char *s, uint64_t off, uint64_t n,
    sp_time_ns from, sp_time_ns to, sp_heur_fn *fn, void *arg)
{
	char *opts = NULL, *type, *blob, *comment, *e;
	char fpr[128];
	unsigned char *raw;
	size_t tn, bn, on = 0;
	long rawlen;
	uint32_t inner;
	struct reason r;
	const char *which = NULL;
	sp_time_ns when = SP_TIME_NONE;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#')
		return;
	tn = strcspn(s, " \t");
	if (!sp_ssh_key_type(s, tn)) {
		if ((on = sp_ssh_options_len(s)) == 0)
			return;
		opts = s;
		s += on;
		while (*s == ' ' || *s == '\t')
			s++;
	}
	type = s;
	tn = strcspn(s, " \t");
	if (!sp_ssh_key_type(type, tn))
		return;
	s += tn;
	while (*s == ' ' || *s == '\t')
		s++;
	blob = s;
	bn = strcspn(s, " \t");
	if (bn == 0)
		return;
	comment = blob + bn;
	while (*comment == ' ' || *comment == '\t')
		comment++;
	e = comment + strlen(comment);
	while (e > comment && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	if ((raw = malloc(bn * 3 / 4 + 3)) == NULL)
		return;
	rawlen = sp_ssh_b64_decode(blob, bn, raw);
	inner = rawlen >= 4 ? (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
	    (uint32_t)raw[2] << 8 | raw[3] : 0;
	if (rawlen < 4 || inner != tn || (size_t)rawlen - 4 < tn ||
	    memcmp(raw + 4, type, tn) != 0 ||
	    sp_ssh_key_fingerprint(raw, (size_t)rawlen, fpr, sizeof(fpr)) != 0) {
		free(raw);
		return;
	}
	free(raw);

	if (from != SP_TIME_NONE || to != SP_TIME_NONE) {
		if (time_in(f->mtime, from, to)) {
			which = "mtime";
			when = f->mtime;
		} else if (time_in(f->ctime, from, to)) {
			which = "ctime";
			when = f->ctime;
		} else {
			return;
		}
	}
	reason_init(&r);
	reason_esc(&r, type, tn, REASON_FIELD_MAX);
	reason_add(&r, " key %s", fpr);
	if (e > comment) {
		reason_add(&r, " comment '");
		reason_esc(&r, comment, (size_t)(e - comment), REASON_FIELD_MAX);
		reason_add(&r, "'");
	}
	if (opts != NULL) {
		reason_add(&r, " options '");
		reason_esc(&r, opts, on, REASON_FIELD_MAX);
		reason_add(&r, "'");
	}
	if (which != NULL) {
		reason_add(&r, "; file %s ", which);
		reason_time(&r, when, 0);
		reason_add(&r, " is in the time window");
		report(D_AUTHORIZED_KEY_ADDED, SP_SEV_HIGH, 70, NULL, &r, off,
		    n, fn, arg);
	} else {
		reason_add(&r, "; present (no time window)");
		report(D_AUTHORIZED_KEY_ADDED, SP_SEV_INFO, 10, NULL, &r, off,
		    n, fn, arg);
	}
}

/*
 * authorized-key-added: every valid key line of an authorized_keys file
 * is one hit, with offset and length of its line.  With a time window,
 * only when the file's mtime or ctime lies in it (high, 70: a key was
 * added or the file rewritten then; which key cannot be told from the
 * file); with an open window, every key at info, 10, as an inventory.
 */
static void
authorized_keys(const struct sp_heur_file *f, const unsigned char *p,
    size_t len, sp_time_ns from, sp_time_ns to, sp_heur_fn *fn, void *arg)
{
	const unsigned char *nl;
	char *line;
	size_t off = 0, n;

	if ((from != SP_TIME_NONE || to != SP_TIME_NONE) &&
	    !time_in(f->mtime, from, to) && !time_in(f->ctime, from, to))
		return;
	if ((line = malloc(KEY_LINE_MAX + 1)) == NULL)
		return;
	while (off < len) {
		nl = memchr(p + off, '\n', len - off);
		n = nl ? (size_t)(nl - (p + off)) : len - off;
		/* a NUL inside a line ends it for the parser: sshd's too */
		if (n <= KEY_LINE_MAX && memchr(p + off, '\0', n) == NULL) {
			memcpy(line, p + off, n);
			line[n] = '\0';
			key_line(f, line, off, n, from, to, fn, arg);
		}
		off += n + 1;
	}
	free(line);
}

int
sp_heur_check_content(const struct sp_heur_file *f, const void *buf,
    size_t len, sp_time_ns from, sp_time_ns to, sp_heur_fn *fn, void *arg)
{
	struct relay c = { fn, arg, SP_CB_CONTINUE };

	if (!sp_heur_wants_content(f) || fn == NULL || (buf == NULL && len > 0))
		return SP_OK;
	if (len > SP_HEUR_CONTENT_MAX)
		len = SP_HEUR_CONTENT_MAX;
	if (is_ld_preload(f))
		ld_preload(f, buf, len, relay_hit, &c);
	else
		authorized_keys(f, buf, len, from, to, relay_hit, &c);
	return sp_cb_status(c.r);
}

/* ---- table, scores ---- */

void
sp_heur_file_init(struct sp_heur_file *f)
{
	memset(f, 0, sizeof(*f));
	f->type = '-';
	f->atime = f->mtime = f->ctime = f->crtime = SP_TIME_NONE;
	f->fn_crtime = f->fn_mtime = SP_TIME_NONE;
	f->fs_recent = SP_TIME_NONE;
	f->entropy = -1;
	f->packaged = -1;
}

double
sp_heur_entropy(const uint64_t hist[256], uint64_t total)
{
	double h = 0, p;
	int i;

	if (total == 0)
		return 0;
	for (i = 0; i < 256; i++) {
		if (hist[i] == 0)
			continue;
		p = (double)hist[i] / (double)total;
		h -= p * log2(p);
	}
	return h < 0 ? 0 : h;
}

size_t
sp_heur_detector_count(void)
{
	return D_COUNT;
}

const struct sp_heur_detector *
sp_heur_detector(size_t i)
{
	return i < D_COUNT ? &detectors[i] : NULL;
}

const struct sp_heur_detector *
sp_heur_detector_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < D_COUNT; i++)
		if (strcmp(detectors[i].name, name) == 0)
			return &detectors[i];
	return NULL;
}

static int
score_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x < y) - (x > y);
}

int
sp_score_combine(const int *scores, size_t n)
{
	int small[64], *s = small;
	double prod = 1, w = 1;
	size_t i;
	long r;

	if (scores == NULL || n == 0)
		return 0;
	if (n > sizeof(small) / sizeof(small[0]) &&
	    (s = malloc(n * sizeof(*s))) == NULL) {
		/* the first 64 of them, unsorted beyond that, still bound it */
		s = small;
		n = sizeof(small) / sizeof(small[0]);
	}
	for (i = 0; i < n; i++)
		s[i] = scores[i] < 0 ? 0 : scores[i] > 100 ? 100 : scores[i];
	qsort(s, n, sizeof(*s), score_desc);
	for (i = 0; i < n && w > 1e-12; i++) {
		prod *= 1 - s[i] / 100.0 * w;
		w /= 2;
	}
	if (s != small)
		free(s);
	r = lround(100 * (1 - prod));
	return r < 0 ? 0 : r > 100 ? 100 : (int)r;
}
