/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor rules: persistence through cron and systemd.
 */

rule persistence_cron_tmp_exec
{
    meta:
        description = "Cron entry (@reboot or a schedule) running a program from /tmp, /var/tmp or /dev/shm"
        severity = "high"
        attack = "T1053.003"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $at = /(^|\n)[ \t]*@(reboot|hourly|daily|weekly|monthly|yearly|annually|midnight)[ \t]+([a-z_][a-z0-9_-]{0,31}[ \t]+)?(\(?cd[ \t]+[^\n;]{1,80}[;&]+[ \t]*)?(nohup[ \t]+|sh[ \t]+|bash[ \t]+)?\/(tmp|var\/tmp|dev\/shm)\/[^ \t\r\n]{1,200}/ ascii
        $sched = /(^|\n)[ \t]*([0-9*][0-9*\/,-]{0,20}[ \t]+){5}([a-z_][a-z0-9_-]{0,31}[ \t]+)?(nohup[ \t]+|sh[ \t]+|bash[ \t]+)?\/(tmp|var\/tmp|dev\/shm)\/[^ \t\r\n]{1,200}/ ascii
    condition:
        filesize < 64KB and uint32(0) != 0x464c457f and any of them
}

rule persistence_cron_download_pipe_shell
{
    meta:
        description = "Cron entry downloading with curl/wget and piping the result into a shell"
        severity = "high"
        attack = "T1053.003"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $at = /(^|\n)[ \t]*@(reboot|hourly|daily|weekly|monthly|yearly|annually|midnight)[ \t]+[^\n]{0,80}\b(curl|wget)[ \t][^\n|]{1,250}\|[ \t]*(sudo[ \t]+)?(\/usr)?(\/bin\/)?(ba|da)?sh\b/ ascii
        $sched = /(^|\n)[ \t]*([0-9*][0-9*\/,-]{0,20}[ \t]+){5}[^\n]{0,80}\b(curl|wget)[ \t][^\n|]{1,250}\|[ \t]*(sudo[ \t]+)?(\/usr)?(\/bin\/)?(ba|da)?sh\b/ ascii
    condition:
        filesize < 64KB and uint32(0) != 0x464c457f and any of them
}

rule persistence_systemd_tmp_exec
{
    meta:
        description = "systemd unit whose ExecStart runs a program from /tmp, /var/tmp or /dev/shm"
        severity = "high"
        attack = "T1543.002"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $svc = "[Service]" ascii
        $exec = /(^|\n)[ \t]*ExecStart(Pre|Post)?[ \t]*=[ \t]*[-@+!:]{0,3}((\/usr)?\/bin\/(ba|da)?sh[ \t]+(-c[ \t]+)?["']?)?\/(tmp|var\/tmp|dev\/shm)\/[^ \t\r\n]{1,200}/ ascii
    condition:
        filesize < 64KB and uint32(0) != 0x464c457f and $svc and $exec
}
