# SPDX-License-Identifier: Apache-2.0
# Print "/path md5" for each regular file that a fiwalk DFXML file hashes.
/<fileobject/ { f = ""; m = ""; t = "" }
/<filename>/ { s = $0; sub(/.*<filename>/, "", s); sub(/<\/filename>.*/, "", s); f = s }
/<name_type>/ { s = $0; sub(/.*<name_type>/, "", s); sub(/<\/name_type>.*/, "", s); t = s }
/hashdigest type=.md5.>/ { s = $0; sub(/.*md5.>/, "", s); sub(/<.*/, "", s); m = s }
/<\/fileobject>/ { if (m != "" && t == "r") print "/" f " " m }
