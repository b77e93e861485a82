/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor rules: SSH backdoors (planted keys, trojaned sshd).
 */

rule ssh_authorized_keys_append
{
    meta:
        description = "Script appending a hard-coded public key to an authorized_keys file"
        severity = "high"
        attack = "T1098.004"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $append = /(echo|printf)[ \t]+(-[en]+[ \t]+)?["']?(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp[0-9]{3}|sk-ssh-ed25519@openssh\.com)[ \t]+AAAA[A-Za-z0-9+\/=]{40,}[^\n]{0,200}>>[ \t]*[^\n;|&]{0,80}authorized_keys2?/ ascii
    condition:
        filesize < 1MB and uint32(0) != 0x464c457f and $append
}

rule ssh_sshd_backdoor
{
    meta:
        description = "Trojaned OpenSSH sshd: OpenSSH strings plus credential logging or a master password"
        severity = "critical"
        attack = "T1556.004"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $o1 = "OpenSSH_" ascii
        $o2 = "sshd_config" ascii
        $o3 = "PermitRootLogin" ascii
        $o4 = "userauth_passwd" ascii
        $b1 = /(user|login)[ :=]+%s[ ,\t]+(pass|password|pw)[ :=]+%s/ ascii nocase
        $b2 = /\/(tmp|var\/tmp|dev\/shm|usr\/include|usr\/share\/locale)\/\.[a-z0-9_.-]{1,30}(log|pass|pw|ssh)[a-z0-9_.-]{0,10}\x00/ ascii
        $b3 = "backdoor_pass" ascii nocase
        $b4 = "MAGIC_PASS" ascii
        $b5 = "+-[ User ]-+" ascii
    condition:
        uint32(0) == 0x464c457f and filesize < 8MB and 3 of ($o*) and 1 of ($b*)
}
