/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Versions of spoor and of every library it links, for --version and for
 * the runs table.
 */
#include <stdio.h>

#include <curses.h>
#include <libewf.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <tsk/libtsk.h>
#include <yara.h>

#include "spoor/versions.h"

#ifndef SPOOR_VERSION
#define SPOOR_VERSION "0.0.0"
#endif

#define STR2(x) #x
#define STR(x) STR2(x)
#define YARA_VERSION_STR STR(YR_MAJOR_VERSION) "." STR(YR_MINOR_VERSION) \
	"." STR(YR_MICRO_VERSION)

#ifdef SPOOR_STATIC
/*
 * The static build of the live collector links neither libtsk, libewf,
 * libyara nor ncurses: it reads the running host, not evidence.
 */
const char *
sp_versions_json(void)
{
	static char buf[512];

	if (buf[0] == '\0')
		snprintf(buf, sizeof(buf), "{\"spoor\":\"%s\",\"static\":true,"
		    "\"sqlite\":\"%s\",\"openssl\":\"%s\"}", SPOOR_VERSION,
		    sqlite3_libversion(), OpenSSL_version(OPENSSL_VERSION));
	return buf;
}

const char *
sp_versions_text(void)
{
	static char buf[512];

	if (buf[0] == '\0')
		snprintf(buf, sizeof(buf), "spoor %s (static)\nsqlite %s\n%s\n",
		    SPOOR_VERSION, sqlite3_libversion(),
		    OpenSSL_version(OPENSSL_VERSION));
	return buf;
}
#else
const char *
sp_versions_json(void)
{
	static char buf[512];

	if (buf[0] == '\0')
		snprintf(buf, sizeof(buf), "{\"spoor\":\"%s\",\"libtsk\":\"%s\","
		    "\"libewf\":\"%s\",\"libyara\":\"%s\",\"sqlite\":\"%s\","
		    "\"ncurses\":\"%s\",\"openssl\":\"%s\"}", SPOOR_VERSION,
		    tsk_version_get_str(), libewf_get_version(),
		    YARA_VERSION_STR, sqlite3_libversion(), curses_version(),
		    OpenSSL_version(OPENSSL_VERSION));
	return buf;
}

const char *
sp_versions_text(void)
{
	static char buf[512];

	if (buf[0] == '\0')
		snprintf(buf, sizeof(buf), "spoor %s\nlibtsk %s\nlibewf %s\n"
		    "libyara %s\nsqlite %s\n%s\n%s\n", SPOOR_VERSION,
		    tsk_version_get_str(), libewf_get_version(),
		    YARA_VERSION_STR, sqlite3_libversion(), curses_version(),
		    OpenSSL_version(OPENSSL_VERSION));
	return buf;
}
#endif
