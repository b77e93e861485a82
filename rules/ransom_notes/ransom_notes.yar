/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor rules: ransom notes left by Linux/ESXi ransomware.
 */

rule ransom_note_payment
{
    meta:
        description = "Ransom note: encryption/ransom phrases plus a Bitcoin or Monero address or a Tor .onion contact"
        severity = "critical"
        attack = "T1486"
        author = "spoor"
        date = "2026-11-25"
    strings:
        $p1 = "files have been encrypted" ascii wide nocase
        $p2 = "files are encrypted" ascii wide nocase
        $p3 = "to decrypt your files" ascii wide nocase
        $p4 = "decryption key" ascii wide nocase
        $p5 = "decryption tool" ascii wide nocase
        $p6 = "do not try to decrypt" ascii wide nocase
        $p7 = "do not rename" ascii wide nocase
        $p8 = "your data will be published" ascii wide nocase
        $p9 = "tor browser" ascii wide nocase
        $p10 = "recover your files" ascii wide nocase
        $btc = /(bitcoin|btc|wallet|address)[^\n]{0,40}[^A-Za-z0-9](bc1q[a-z0-9]{38,58}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})([^A-Za-z0-9]|$)/ ascii nocase
        $xmr = /(monero|xmr|wallet|address)[^\n]{0,40}[^A-Za-z0-9][48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}([^A-Za-z0-9]|$)/ ascii nocase
        $onion = /[a-z2-7]{56}\.onion/ ascii nocase
    condition:
        filesize < 128KB and uint32(0) != 0x464c457f and 2 of ($p*) and
        ($btc or $xmr or $onion)
}
