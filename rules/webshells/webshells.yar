/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor rules: web shells (PHP and JSP) dropped on Linux web servers.
 */

rule webshell_php_eval_decoded_request
{
    meta:
        description = "PHP eval/assert of base64_decode/gzinflate/str_rot13 applied to a request parameter"
        severity = "critical"
        attack = "T1505.003"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $php = "<?" ascii
        $eval = /(eval|assert)[ \t]*\([ \t]*@?[ \t]*(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev)[ \t]*\([^;]{0,120}\$_(GET|POST|REQUEST|COOKIE)\b/ nocase
    condition:
        filesize < 1MB and $php and $eval
}

rule webshell_php_preg_replace_eval
{
    meta:
        description = "PHP preg_replace with the /e modifier evaluating request data"
        severity = "critical"
        attack = "T1505.003"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $php = "<?" ascii
        $pre = /preg_replace[ \t]*\([ \t]*["']\/[^"'\n]{0,200}\/[imsxuU]*e[imsxuU]*["'][ \t]*,[^;]{0,160}\$_(GET|POST|REQUEST|COOKIE)\b/
    condition:
        filesize < 1MB and $php and $pre
}

rule webshell_php_exec_request
{
    meta:
        description = "PHP system/passthru/shell_exec/exec/popen run directly on a request parameter"
        severity = "critical"
        attack = "T1505.003"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $php = "<?" ascii
        $exec = /\b(system|passthru|shell_exec|exec|popen|proc_open|pcntl_exec)[ \t]*\([ \t]*@?[ \t]*\$_(GET|POST|REQUEST|COOKIE)[ \t]*\[/ nocase
    condition:
        filesize < 1MB and $php and $exec
}

rule webshell_jsp_runtime_exec
{
    meta:
        description = "JSP page running Runtime.getRuntime().exec() on request.getParameter()"
        severity = "critical"
        attack = "T1505.003"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $jsp1 = "<%" ascii
        $jsp2 = "<jsp:" ascii
        $direct = /Runtime\.getRuntime\(\)\.exec\([^;]{0,80}request\.getParameter\(/
        $via_var = /request\.getParameter\([^;]{1,40}\)[ \t]*;[^;]{0,200}Runtime\.getRuntime\(\)\.exec\([ \t]*[A-Za-z_][A-Za-z0-9_]{0,30}[ \t]*\)/
    condition:
        filesize < 512KB and ($jsp1 or $jsp2) and ($direct or $via_var)
}
