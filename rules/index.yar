/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor's YARA rule set: every family.  Scan with
 *   yara -r rules/index.yar PATH
 */

include "webshells/webshells.yar"
include "miners/miners.yar"
include "reverse_shells/reverse_shells.yar"
include "rootkits/rootkits.yar"
include "ssh_backdoors/ssh_backdoors.yar"
include "persistence/persistence.yar"
include "ransom_notes/ransom_notes.yar"
include "offensive_tools/offensive_tools.yar"
include "exfiltration/exfiltration.yar"
include "log_wipers/log_wipers.yar"
