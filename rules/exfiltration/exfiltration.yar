/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor rules: data sent off the host from scripts and shell histories.
 */

rule exfil_db_dump_to_network
{
    meta:
        description = "Database dump (mysqldump, pg_dump, mongodump, sqlite3 .dump) piped to curl, wget, nc, socat or openssl, or redirected to /dev/tcp"
        severity = "high"
        attack = "T1048"
        author = "spoor"
        date = "2026-11-25"
    strings:
        // dump, then any filters (gzip, base64, openssl enc) on the same
        // line, then a pipe into a network client or a /dev/tcp redirect
        $pipe = /\b(mysqldump|mariadb-dump|pg_dump|pg_dumpall|mongodump|sqlite3[ \t][^\n|]{1,120}\.dump)\b[^\n]{0,300}\|[ \t]*(sudo[ \t]+)?(curl|wget|nc|ncat|netcat|nc\.traditional|nc\.openbsd|socat|openssl[ \t]+s_client)\b/ ascii
        $devtcp = /\b(mysqldump|mariadb-dump|pg_dump|pg_dumpall|mongodump|sqlite3[ \t][^\n|]{1,120}\.dump)\b[^\n]{0,300}>[ \t]*\/dev\/(tcp|udp)\/[^\/ \t\r\n]{1,255}\/[0-9]{1,5}/ ascii
    condition:
        filesize < 1MB and uint32(0) != 0x464c457f and any of them
}
