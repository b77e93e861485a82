/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor rules: wiping login records, authentication logs and shell
 * history to hide an intrusion.
 */

rule log_wiper_login_records
{
    meta:
        description = "Script or history emptying, shredding or deleting login records and authentication logs (wtmp, btmp, lastlog, utmp, auth.log, secure)"
        severity = "high"
        attack = "T1070.002"
        author = "spoor"
        date = "2026-11-25"
    strings:
        // > FILE, : > FILE, cat /dev/null > FILE, echo -n > FILE, cp /dev/null FILE
        $trunc = /(^|[\n;&|({][ \t]*|[ \t])(:|true|cat[ \t]+\/dev\/null|echo[ \t]+-n|echo[ \t]+["']{2}|printf[ \t]+["']{2})?[ \t]*>[ \t]*(\/var)?\/(log|run)\/(wtmp|btmp|lastlog|utmp|faillog|auth\.log|secure|messages)(\.[0-9])?\b/ ascii
        $cpnull = /\bcp[ \t]+(-f[ \t]+)?\/dev\/null[ \t]+(\/var)?\/(log|run)\/(wtmp|btmp|lastlog|utmp|faillog|auth\.log|secure)\b/ ascii
        $tool = /\b(truncate[ \t]+(-s[ \t]*0|--size[ =]0)|shred|wipe|rm[ \t]+-[a-zA-Z]{0,4}f[a-zA-Z]{0,4}|rm)[ \t]+([^\n;|&]{0,120}[ \t])?(\/var)?\/(log|run)\/(wtmp|btmp|lastlog|utmp|faillog|auth\.log|secure)\b/ ascii
        $ddnull = /\bdd[ \t]+if=\/dev\/(zero|null|urandom)[ \t]+of=(\/var)?\/(log|run)\/(wtmp|btmp|lastlog|utmp|faillog|auth\.log|secure)\b/ ascii
        $sed = /\bsed[ \t]+-i[^\n;|&]{1,200}[ \t]\/var\/log\/(auth\.log|secure|syslog|messages)\b/ ascii
    condition:
        filesize < 1MB and uint32(0) != 0x464c457f and any of them
}

rule log_wiper_web_logs
{
    meta:
        description = "Script or history shredding, emptying or editing the web server's access or error logs (apache2, nginx, httpd), which record a web intrusion"
        severity = "high"
        attack = "T1070.002"
        author = "spoor"
        date = "2026-11-25"
    strings:
        // not a plain rm: deleting a rotated log is housekeeping, and a
        // deleted log is seen in the file system
        $shred = /\b(shred|wipe|truncate[ \t]+(-s[ \t]*0|--size[ =]0))([ \t]+-[a-zA-Z-]{1,12})*[ \t]+([^\n;|&]{0,120}[ \t])?\/var\/log\/(apache2?|nginx|httpd|lighttpd)\/[^ \t\n;|&*?]{0,60}(access|error)[^ \t\n;|&*?]{0,30}/ ascii
        $trunc = /(:|true|cat[ \t]+\/dev\/null|echo[ \t]+-n)[ \t]*>[ \t]*\/var\/log\/(apache2?|nginx|httpd|lighttpd)\/[^ \t\n;|&]{0,60}(access|error)/ ascii
        $sed = /\bsed[ \t]+-i[^\n;|&]{1,200}[ \t]\/var\/log\/(apache2?|nginx|httpd|lighttpd)\/[^ \t\n;|&]{0,60}(access|error)/ ascii
    condition:
        filesize < 1MB and uint32(0) != 0x464c457f and any of them
}

rule log_wiper_shell_history
{
    meta:
        description = "Script or history turning off or wiping shell history (unset HISTFILE, HISTFILE=/dev/null, history -c, .bash_history linked to /dev/null or removed)"
        severity = "medium"
        attack = "T1070.003"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $unset = /(^|[\n;&|][ \t]*|[ \t])unset[ \t]+(-v[ \t]+)?HISTFILE\b/ ascii
        $null = /\bHISTFILE=["']?\/dev\/null\b/ ascii
        $size0 = /\b(export[ \t]+)?HIST(FILE)?SIZE=["']?0["']?([ \t]*[;\n&]|$)/ ascii
        $clear = /(^|[\n;&|][ \t]*)history[ \t]+-c\b/ ascii
        $off = /(^|[\n;&|][ \t]*)set[ \t]+\+o[ \t]+history\b/ ascii
        $link = /\bln[ \t]+-[a-z]{0,3}s[a-z]{0,3}[ \t]+\/dev\/null[ \t]+[^\n;|&]{0,80}\.(bash|zsh|sh|ash|mysql|psql|python)_?history\b/ ascii
        $rm = /\b(rm[ \t]+-[a-zA-Z]{0,4}f[a-zA-Z]{0,4}|rm|shred([ \t]+-[a-zA-Z]{1,6})*)[ \t]+[^\n;|&]{0,80}\.(bash|zsh|sh|ash)_history\b/ ascii
    condition:
        filesize < 1MB and uint32(0) != 0x464c457f and any of them
}

rule log_wiper_utmp_editor
{
    meta:
        description = "Small ELF program that opens wtmp, utmp and lastlog itself and rewrites records (seek and write) without the libc utmp functions (login record wiper)"
        severity = "critical"
        attack = "T1070.002"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $wtmp = /\x00\/var\/log\/wtmp\x00/ ascii
        $utmp = /\x00(\/var)?\/run\/utmp\x00/ ascii
        $lastlog = /\x00\/var\/log\/lastlog\x00/ ascii
        $btmp = /\x00\/var\/log\/btmp\x00/ ascii
        $seek = /\x00(lseek|lseek64|fseek|fseeko|fseeko64|pwrite|pwrite64)\x00/ ascii
        $write = /\x00(write|fwrite|pwrite|pwrite64|ftruncate|ftruncate64)\x00/ ascii
        // how programs that keep the records update them
        $libc = /\x00(pututline|pututxline|updwtmp|updwtmpx|logwtmp|login|logout|setutent|setutxent|getutent|getutxent|utmpname|utmpxname)\x00/ ascii
    condition:
        uint32(0) == 0x464c457f and filesize < 1MB and
        $wtmp and ($utmp or $btmp) and $lastlog and $seek and $write and not $libc
}
