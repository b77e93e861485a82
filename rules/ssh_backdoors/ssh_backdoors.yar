/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor rules: SSH and PAM backdoors (planted keys, forced commands,
 * trojaned sshd, PAM modules that log or bypass passwords).
 */

rule ssh_authorized_keys_append
{
    meta:
        description = "Script appending a hard-coded public key to an authorized_keys file (>>, tee -a or a here-document)"
        severity = "high"
        attack = "T1098.004"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $append = /(echo|printf)[ \t]+(-[en]+[ \t]+)?["']?(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp[0-9]{3}|sk-ssh-ed25519@openssh\.com)[ \t]+AAAA[A-Za-z0-9+\/=]{40,}[^\n]{0,200}>>[ \t]*[^\n;|&]{0,80}authorized_keys2?/ ascii
        $tee = /(echo|printf)[ \t]+(-[en]+[ \t]+)?["']?(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp[0-9]{3}|sk-ssh-ed25519@openssh\.com)[ \t]+AAAA[A-Za-z0-9+\/=]{40,}[^\n|]{0,200}\|[ \t]*(sudo[ \t]+)?tee[ \t]+(-a|--append)[ \t]+[^\n;|&]{0,80}authorized_keys2?/ ascii
        $heredoc = /cat[ \t]*>>[ \t]*[^\n;|&<]{0,80}authorized_keys2?[ \t]*<<-?[ \t]*["']?[A-Za-z_]{1,20}["']?[ \t]*\r?\n[ \t]*(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp[0-9]{3}|sk-ssh-ed25519@openssh\.com)[ \t]+AAAA[A-Za-z0-9+\/=]{40,}/ ascii
    condition:
        filesize < 1MB and uint32(0) != 0x464c457f and any of them
}

rule ssh_authorized_keys_forced_command
{
    meta:
        description = "authorized_keys entry whose command= option runs a program from /tmp or /dev/shm, a download, a network tool or an interactive shell before or instead of the login"
        severity = "critical"
        attack = "T1098.004"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $cmd = /(^|\n)[^\n#]{0,200}command="[^"\n]{0,300}(\/tmp\/|\/var\/tmp\/|\/dev\/shm\/|\/dev\/tcp\/|\/dev\/udp\/|\b(curl|wget|nc|ncat|netcat|socat)[ \t]|base64[ \t]+(-d|--decode)|\b(ba|da|z)?sh[ \t]+-i\b)[^"\n]{0,300}"[^\n]{0,300}[ \t,](ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp[0-9]{3}|sk-ssh-ed25519@openssh\.com)[ \t]+AAAA/ ascii
    condition:
        filesize < 1MB and uint32(0) != 0x464c457f and $cmd
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

rule ssh_pam_credential_logger
{
    meta:
        description = "PAM module (pam_sm_authenticate) that takes the password and writes it to a file: a user/password format or a hidden file under /tmp, /dev/shm or /usr/include"
        severity = "critical"
        attack = "T1556.003"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $sm = "\x00pam_sm_authenticate\x00" ascii
        $tok = /\x00pam_get_(authtok|item)\x00/ ascii
        $open = /\x00(fopen|fopen64|open|open64|creat)\x00/ ascii
        $write = /\x00(fprintf|fputs|fwrite|write|dprintf)\x00/ ascii
        $fmt = /(user(name)?|login)[ \t]*[:=][ \t]*%s[ ,;|\t\/-]{0,3}(pass(word)?|pw|pwd)[ \t]*[:=][ \t]*%s/ ascii nocase
        $hidden = /\x00\/(tmp|var\/tmp|dev\/shm|usr\/include|usr\/share\/locale|usr\/lib)\/([A-Za-z0-9_.-]{1,40}\/){0,2}\.[A-Za-z0-9_.-]{1,40}\x00/ ascii
    condition:
        uint32(0) == 0x464c457f and uint16(16) == 3 and filesize < 1MB and
        $sm and $tok and $open and $write and ($fmt or $hidden)
}

rule ssh_pam_master_password
{
    meta:
        description = "Small PAM module (pam_sm_authenticate) that takes the password and only compares it with a string: no crypt, shadow, database or network lookup (hard-coded password)"
        severity = "high"
        attack = "T1556.003"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $sm = "\x00pam_sm_authenticate\x00" ascii
        $tok = "\x00pam_get_authtok\x00" ascii
        $cmp = /\x00(strcmp|strncmp|memcmp|strcasecmp)\x00/ ascii
        // what a module checking a password for real calls
        $v1 = /\x00(crypt|crypt_r|crypt_rn|crypt_ra|xcrypt|xcrypt_r)\x00/ ascii
        $v2 = /\x00(getspnam|getspnam_r|pam_modutil_getspnam|lckpwdf|fgetspent)\x00/ ascii
        $v3 = /\x00(dlopen|socket|connect|popen|execv|execve|fork)\x00/ ascii
        $v4 = /\x00(ldap|krb5|sqlite3|gdbm|dbm|db|sd_bus|curl|EVP|SHA256|PKCS5|argon2)_[A-Za-z0-9_]{1,40}\x00/ ascii
        $v5 = "unix_chkpwd" ascii
    condition:
        uint32(0) == 0x464c457f and uint16(16) == 3 and filesize < 64KB and
        $sm and $tok and $cmp and not any of ($v*)
}

rule ssh_pam_permit_auth
{
    meta:
        description = "PAM configuration where pam_permit.so is sufficient for auth: any password is accepted"
        severity = "critical"
        attack = "T1556.003"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $permit = /(^|\n)[ \t]*-?auth[ \t]+(sufficient|\[[ \t]*success=done[^\]\n]{0,80}\])[ \t]+([^ \t\n]{0,80}\/)?pam_permit\.so/ ascii
    condition:
        filesize < 64KB and uint32(0) != 0x464c457f and $permit
}
