/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the persistence parsers (lib/artifact/persistence.c):
 * the input is parsed as a system and a spool crontab, a systemd unit,
 * /etc/ld.so.preload and authorized_keys.  Every event must pass the
 * shared event checks (fuzz_event.h); each parse ends with SP_OK (or
 * SP_E_NOMEM).
 */
#define FUZZ_NAME "fuzz_persistence"
#include "fuzz_event.h"

#define MTIME	(INT64_C(1773485070) * SP_NS_PER_SEC + 243417795)

static const struct fuzz_file files[] = {
	{ sp_parse_crontab, "/etc/crontab", MTIME },
	{ sp_parse_crontab, "/var/spool/cron/crontabs/www-data", MTIME },
	{ sp_parse_systemd_unit, "/home/alice/.config/systemd/user/x.service",
	    MTIME },
	{ sp_parse_ld_preload, "/etc/ld.so.preload", MTIME },
	{ sp_parse_authorized_keys, "/root/.ssh/authorized_keys", MTIME },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_rules rules = {
		0, NULL, SP_E_NOMEM, SP_OK
	};

	fuzz_parse_all(&rules, files, FUZZ_COUNT(files), data, size);
	return 0;
}
