/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OpenSSH public keys (persistence.c), shared with the authorized-key
 * heuristic of the scanner; not installed.
 */
#ifndef SPOOR_ARTIFACT_SSH_H
#define SPOOR_ARTIFACT_SSH_H

#include <stddef.h>

/*
 * Decode n base64 characters at s into out (at least n * 3 / 4 + 3
 * bytes); '=' padding only at the end.  Returns the length, or -1.
 */
long sp_ssh_b64_decode(const char *s, size_t n, unsigned char *out);
/* Whether the n bytes at w name an OpenSSH public key type. */
int sp_ssh_key_type(const char *w, size_t n);
/*
 * Length of the options field at s (up to a blank outside quotes); 0 for
 * unbalanced quotes.
 */
size_t sp_ssh_options_len(const char *s);
/*
 * "SHA256:" and the unpadded base64 of the SHA-256 of blob, into fpr
 * (size bytes, 52 suffice).  Returns 0, or -1 when hashing failed.
 */
int sp_ssh_key_fingerprint(const unsigned char *blob, size_t len, char *fpr,
    size_t size);

#endif
