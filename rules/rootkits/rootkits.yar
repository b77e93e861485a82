/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor rules: LD_PRELOAD userland rootkits.
 */

rule rootkit_ld_preload_hider
{
    meta:
        description = "Small shared object hooking readdir/readdir64 (and fopen) for dlsym(RTLD_NEXT), with file, port or process hiding strings (LD_PRELOAD rootkit)"
        severity = "critical"
        attack = "T1574.006"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $dlsym = "dlsym" ascii
        $h1 = "/etc/ld.so.preload" ascii
        $h2 = "/proc/net/tcp" ascii
        $h3 = "/proc/self/fd" ascii
        $h4 = "/proc/%s/cmdline" ascii
        $h5 = "/proc/%d/cmdline" ascii
        $h6 = /(HIDE|hide|hidden)_?(file|proc|port|pid|prefix|me|ME)/ ascii
        $h7 = /MAGIC_(PREFIX|STRING|GID)/ ascii
        $h8 = /\/proc\/(%s|%d)\/(stat|status|exe|comm)\x00/ ascii
        // symbol names as the dynamic string table holds them
        $s1 = "\x00readdir\x00" ascii
        $s2 = "\x00readdir64\x00" ascii
        $s3 = "\x00fopen\x00" ascii
    condition:
        // ELF shared object (e_type ET_DYN); no elf module, which costs
        // every file scanned the building of its objects
        uint32(0) == 0x464c457f and uint16(16) == 3 and filesize < 2MB and
        $dlsym and (
            (2 of ($h*) and all of ($s*)) or
            // a process hider hooking only readdir and readdir64: a name
            // that a library merely imports is in its dynamic string
            // table once; one it defines is there and in the name passed
            // to dlsym(RTLD_NEXT, ...) (or in the symbol table)
            (#s1 >= 2 and #s2 >= 2 and 1 of ($h*) and filesize < 512KB)
        )
}

rule rootkit_ld_so_preload_writer
{
    meta:
        description = "Script that writes a library path into /etc/ld.so.preload"
        severity = "critical"
        attack = "T1574.006"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $echo = /(echo|printf)[ \t][^\n]{1,200}\.so[^\n]{0,40}>>?[ \t]*\/etc\/ld\.so\.preload/ ascii
        $tee = /\|[ \t]*(sudo[ \t]+)?tee([ \t]+-a)?[ \t]+\/etc\/ld\.so\.preload/ ascii
        $cp = /\b(cp|mv|install)[ \t]+[^\n;|&]{1,200}[ \t]\/etc\/ld\.so\.preload\b/ ascii
        $py = /open\([ \t]*["']\/etc\/ld\.so\.preload["'][ \t]*,[ \t]*["'][aw]/ ascii
    condition:
        filesize < 1MB and uint32(0) != 0x464c457f and any of them
}
