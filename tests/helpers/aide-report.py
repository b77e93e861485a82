#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# AIDE's plain report (aide --check) as "status path classes" lines in
# spoor-baseline's change classes, paths relative to ROOT: the oracle of
# tests/9100-baseline.bats.  Usage: aide-report.py ROOT < report
import re
import sys

root = sys.argv[1].rstrip("/")
names = {
    "Size": "size", "Perm": "permissions", "Uid": "owner", "Gid": "owner",
    "Mtime": "times", "Ctime": "times", "SHA256": "content",
    "Lname": "link", "XAttrs": "xattrs", "Caps": "xattrs",
    "File type": "type", "Ftype": "type",
}
out = {}
section = None
current = None
for line in sys.stdin:
    line = line.rstrip("\n")
    if line.startswith("Added entries:"):
        section = "added"
    elif line.startswith("Removed entries:"):
        section = "removed"
    elif line.startswith("Changed entries:"):
        section = "changed-list"
    elif line.startswith("Detailed information about changes:"):
        section = "detail"
    elif line.startswith("The attributes of the"):
        section = None
    m = re.match(r"^\S[+]+: (/.*)$", line) if section == "added" else \
        re.match(r"^\S[-]+: (/.*)$", line) if section == "removed" else None
    if m:
        out[(section, m.group(1))] = set()
        continue
    if section == "detail":
        m = re.match(r"^(File|Directory|Link|FIFO|Socket|Block device|"
                     r"Character device|Entry): (/.*)$", line)
        if m:
            current = ("changed", m.group(2))
            out.setdefault(current, set())
            continue
        m = re.match(r"^ (\S[^:]*?)\s*: ", line)
        if m and current is not None:
            name = m.group(1).strip()
            out[current].add(names.get(name, "?" + name))
for (status, path), classes in sorted(out.items()):
    if path == root:
        continue
    rel = path[len(root):] if path.startswith(root + "/") else path
    print(status, rel, ",".join(sorted(classes)))
