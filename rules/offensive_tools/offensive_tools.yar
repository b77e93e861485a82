/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor rules: offensive tooling dropped on compromised Linux hosts.
 */

rule tool_linpeas
{
    meta:
        description = "linPEAS privilege-escalation enumeration script (PEASS-ng)"
        severity = "high"
        attack = "T1082"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $a1 = "PEASS-ng" ascii
        $a2 = "linpeas" ascii nocase
        $a3 = "carlospolop" ascii
        $a4 = "peass{" ascii nocase
        $a5 = "LinPEAS" ascii
    condition:
        filesize < 20MB and 3 of them
}

rule tool_pspy
{
    meta:
        description = "pspy process snooper (Go ELF)"
        severity = "high"
        attack = "T1057"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $a1 = "github.com/DominicBreuker/pspy" ascii
        $a2 = "pspy - version" ascii
        $a3 = "Draining file system events due to startup" ascii
        $a4 = "pspy/internal/" ascii
    condition:
        uint32(0) == 0x464c457f and filesize < 30MB and 2 of them
}

rule tool_chisel
{
    meta:
        description = "chisel TCP/UDP tunnel over HTTP (Go ELF)"
        severity = "high"
        attack = "T1572"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $a1 = "github.com/jpillora/chisel" ascii
        $a2 = "chisel-v3" ascii
        $a3 = "CHISEL_KEY" ascii
        $a4 = "Usage: chisel [command] [--help]" ascii
    condition:
        uint32(0) == 0x464c457f and filesize < 40MB and 2 of them
}

rule tool_mimipenguin
{
    meta:
        description = "mimipenguin cleartext credential dumper (script)"
        severity = "critical"
        attack = "T1003.007"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $name = "mimipenguin" ascii nocase
        $t1 = "gnome-keyring-daemon" ascii
        $t2 = "lightdm" ascii
        $t3 = "vsftpd" ascii
        $t4 = "/proc/%s/mem" ascii
        $t5 = /\/proc\/["'$]?[{(]?[a-z_]{0,10}[})]?\/maps/ ascii
        $t6 = "/etc/shadow" ascii
    condition:
        filesize < 1MB and $name and 3 of ($t*)
}

rule tool_lazagne
{
    meta:
        description = "LaZagne credential recovery tool"
        severity = "critical"
        attack = "T1555"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $a1 = "LaZagne" ascii
        $a2 = "lazagne.config" ascii
        $a3 = "lazagne.softwares" ascii
        $a4 = "AlessandroZ" ascii
        $a5 = "laZagne.py" ascii
    condition:
        filesize < 50MB and 3 of them
}

rule tool_sliver_implant
{
    meta:
        description = "Sliver C2 implant (Go ELF)"
        severity = "critical"
        attack = "T1071.001"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $a1 = "github.com/bishopfox/sliver" ascii
        $a2 = "sliverpb" ascii
        $a3 = "commonpb" ascii
        $a4 = "sliver/implant" ascii
    condition:
        uint32(0) == 0x464c457f and filesize < 50MB and 3 of them
}

rule tool_meterpreter_mettle
{
    meta:
        description = "Metasploit Linux meterpreter (mettle) ELF payload"
        severity = "critical"
        attack = "T1059.004"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $m1 = "mettle" ascii
        $c1 = "core_channel_open" ascii
        $c2 = "stdapi_sys_process_execute" ascii
        $c3 = "stdapi_fs_ls" ascii
        $c4 = "core_machine_id" ascii
        $c5 = "stdapi_net_config_get_interfaces" ascii
    condition:
        uint32(0) == 0x464c457f and filesize < 10MB and $m1 and 3 of ($c*)
}

rule tool_msf_elf_stager
{
    meta:
        description = "Tiny ELF (msfvenom elf format) holding a Linux reverse_tcp stager"
        severity = "critical"
        attack = "T1059.004"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $x64_mmap = { 6a 09 58 99 b6 10 48 89 d6 4d 31 c9 6a 22 41 5a b2 07 0f 05 }
        $x64_sock = { 6a 29 58 99 6a 02 5f 6a 01 5e 0f 05 }
        $x86_sock = { 31 db f7 e3 53 43 53 6a 02 b0 66 89 e1 cd 80 }
    condition:
        uint32(0) == 0x464c457f and filesize < 4KB and any of them
}
