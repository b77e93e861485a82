/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor rules: reverse shell one-liners left in scripts, histories, crontabs,
 * and small compiled programs that do the same.
 */

rule revshell_bash_dev_tcp
{
    meta:
        description = "Interactive shell redirected to /dev/tcp (bash -i >& /dev/tcp/HOST/PORT 0>&1)"
        severity = "critical"
        attack = "T1059.004"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $a = /\b(ba|z|k)?sh[ \t]+-i[ \t]*[0-9]?>&?[ \t]*\/dev\/(tcp|udp)\/[^\/ \t\r\n]{1,255}\/[0-9]{1,5}/ ascii
        $b = /exec[ \t]+[0-9]{1,3}<>\/dev\/(tcp|udp)\/[^\/ \t\r\n]{1,255}\/[0-9]{1,5}/ ascii
    condition:
        filesize < 1MB and any of them
}

rule revshell_netcat_exec
{
    meta:
        description = "Netcat reverse shell: nc -e /bin/sh, or a mkfifo loop through sh -i and nc"
        severity = "critical"
        attack = "T1059.004"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $e = /\b(nc|ncat|netcat)(\.traditional)?[ \t][^\n|;&]{0,80}-(e|c)[ \t]*\/bin\/(ba|da|z)?sh\b/ ascii
        $fifo = /mkfifo[ \t]+[^ \t\r\n;]{1,100}[ \t]*;[^\n]{0,100}\/bin\/(ba|da)?sh[ \t]+-i[^\n]{0,100}\|[ \t]*(nc|ncat|netcat)[ \t]/ ascii
    condition:
        filesize < 1MB and uint32(0) != 0x464c457f and any of them
}

rule revshell_python_socket
{
    meta:
        description = "Python reverse shell: socket connect, os.dup2 of the descriptors, then a shell"
        severity = "critical"
        attack = "T1059.006"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $sock = "socket.socket(" ascii
        $conn = /\.connect\(\([ \t]*["'][^"']{1,255}["'][ \t]*,[ \t]*[0-9]{1,5}[ \t]*\)\)/ ascii
        $dup = /os\.dup2\([^,]{1,40}\.fileno\(\)[ \t]*,[ \t]*[012]\)/ ascii
        $sh1 = /(subprocess\.call|subprocess\.Popen|os\.system|pty\.spawn|os\.exec[lv]p?e?)\([ \t]*\[?[ \t]*["']\/bin\/(ba|da|z)?sh/ ascii
    condition:
        filesize < 256KB and $sock and $conn and #dup >= 2 and $sh1
}

rule revshell_perl_socket
{
    meta:
        description = "Perl reverse shell: Socket connect, STDIN/STDOUT reopened on the socket, exec of a shell"
        severity = "critical"
        attack = "T1059.006"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $use = "use Socket" ascii
        $conn = /connect\([ \t]*[A-Z$][A-Za-z_]{0,20}[ \t]*,[ \t]*sockaddr_in\(/ ascii
        $open = /open\([ \t]*STD(IN|OUT|ERR)[ \t]*,[ \t]*["']>&/ ascii
        $exec = /exec\([ \t]*["']\/bin\/(ba|da|z)?sh/ ascii
    condition:
        filesize < 256KB and $use and $conn and #open >= 2 and $exec
}

rule revshell_elf_connect_dup2_shell
{
    meta:
        description = "Small ELF program importing socket, connect, dup2 and an exec call, with a shell path and an interactive flag or a hard-coded address (compiled reverse shell)"
        severity = "critical"
        attack = "T1059.004"
        author = "spoor"
        date = "2026-11-25"
    strings:
        // imported names as the dynamic string table holds them
        $socket = "\x00socket\x00" ascii
        $connect = "\x00connect\x00" ascii
        $dup = /\x00dup[23]\x00/ ascii
        $exec = /\x00(execve|execl|execlp|execv|execvp|execvpe|system|popen|posix_spawnp?)\x00/ ascii
        $inet = /\x00inet_(addr|aton|pton)\x00/ ascii
        // the shell and its arguments as strings of their own
        $sh = /\x00\/(usr\/)?bin\/(ba|da|z|k)?sh\x00/ ascii
        $shi = /\x00(\/(usr\/)?bin\/)?(ba|da|z|k)?sh[ \t]+-i\x00/ ascii
        $i = "\x00-i\x00" ascii
    condition:
        // git and systemd's shared library import all of these and carry
        // "-i", but they are megabytes; a compiled reverse shell is a few
        // kilobytes (statically linked ones have no import names at all)
        uint32(0) == 0x464c457f and filesize < 1MB and
        $socket and $connect and $dup and $exec and ($sh or $shi) and
        ($shi or $i or ($inet and filesize < 64KB))
}
