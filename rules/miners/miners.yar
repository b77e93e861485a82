/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor rules: cryptocurrency miners (XMRig and its configuration).
 */

rule miner_xmrig_elf
{
    meta:
        description = "XMRig Monero miner ELF binary (banner, user agent, command line and config keys)"
        severity = "high"
        attack = "T1496"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $ua = /XMRig\/[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2} \(/ ascii
        $usage = "Usage: xmrig [OPTIONS]" ascii
        $site = "xmrig.com" ascii
        $k1 = "donate-level" ascii
        $k2 = "cpu-max-threads-hint" ascii
        $k3 = "randomx" ascii
        $k4 = "stratum+tcp://" ascii
        $k5 = "stratum+ssl://" ascii
        $k6 = "donate-over-proxy" ascii
        $k7 = "huge-pages-jit" ascii
    condition:
        uint32(0) == 0x464c457f and filesize < 30MB and
        2 of ($ua, $usage, $site) and 3 of ($k*)
}

rule miner_xmrig_memory
{
    meta:
        description = "XMRig strings in a non-ELF image (memory dump, core file, LiME capture): user agent, stratum pool and config keys"
        severity = "high"
        attack = "T1496"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $ua = /XMRig\/[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}/ ascii
        $pool = /stratum\+(tcp|ssl|tls):\/\/[a-zA-Z0-9.-]{3,100}:[0-9]{2,5}/ ascii
        $k1 = "donate-level" ascii
        $k2 = "cpu-max-threads-hint" ascii
        $k3 = "max-threads-hint" ascii
        $k4 = "randomx" ascii nocase
        $k5 = "donate-over-proxy" ascii
    condition:
        uint32(0) != 0x464c457f and $ua and $pool and 2 of ($k*)
}

rule miner_xmrig_config
{
    meta:
        description = "XMRig-style JSON configuration: pools with a url and a Monero wallet as user"
        severity = "high"
        attack = "T1496"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $pools = /"pools"[ \t\r\n]*:[ \t\r\n]*\[/ ascii
        $url = /"url"[ \t]*:[ \t]*"[^"\n]{3,200}:[0-9]{2,5}"/ ascii
        $wallet = /"user"[ \t]*:[ \t]*"[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/ ascii
    condition:
        filesize < 512KB and uint32(0) != 0x464c457f and $pools and $url and $wallet
}

rule miner_stratum_commandline
{
    meta:
        description = "Miner started from a script or command line with -o/--url stratum+tcp/ssl pool and a user"
        severity = "high"
        attack = "T1496"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $url = /(-o|--url)[ =]["']?stratum\+(tcp|ssl|tls):\/\/[^ \t\r\n"']{3,200}/ ascii
        $user = /[ \t](-u|--user)[ =]["']?[^ \t\r\n"']{8,}/ ascii
    condition:
        filesize < 1MB and uint32(0) != 0x464c457f and $url and $user
}
