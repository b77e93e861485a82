/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The versions of spoor and of every library it links, for --version and
 * the run record.
 */
#ifndef SPOOR_VERSIONS_H
#define SPOOR_VERSIONS_H

/*
 * Versions of spoor and every linked library, as one JSON object text
 * ({"spoor":"…","libtsk":"…",…}); static storage.
 */
const char *sp_versions_json(void);
/* Human-readable lines of the same versions; static storage. */
const char *sp_versions_text(void);

#endif
