# SPDX-License-Identifier: Apache-2.0
# Compare spoor-rca --json (slurped: an array of incidents) with an
# expected-tree file written by hand (--argjson want).  Each node gets a
# key made from its fields alone (never from spoor's labels):
#   endpoint ADDR[:PORT]   request METHOD PATH-WITHOUT-QUERY   file PATH
#   process PID BASENAME(exe)   session TYPE USER[ ADDR]   cron PATH
#   unit NAME (without .service)
# Prints one line per failed expectation; nothing when all hold.

def base: if . == null then "-" else (split("/") | last) end;
def key:
  if .kind == "endpoint" then
    "endpoint \(.address)" + (if .port == null then "" else ":\(.port)" end)
  elif .kind == "request" then
    "request \(.method) \((.path // "") | split("?")[0])"
  elif .kind == "file" then "file \(.path)"
  elif .kind == "process" then
    "process \(.pid // "-") \((.exe // .command // "-") | base)"
  elif .kind == "session" then
    "session \(.type) \(.user // "-")" + (if .address then " \(.address)" else "" end)
  elif .kind == "cron" then "cron \(.path)"
  elif .kind == "unit" then "unit \(.name | sub("\\.service$"; ""))"
  else "\(.kind) ?" end;

# every (key, ancestor keys) pair of every incident
. as $incs
| [ .[] | . as $inc
  | ($inc.nodes | map({ (.id): . }) | add) as $byid
  | $inc.nodes[]
  | . as $n
  | { key: ($n | key),
      ancestors: [ $n | recurse(if .parent then $byid[.parent] else empty end)
                   | key ][1:] } ] as $have
| ($have | map(.key)) as $keys
| [ .[] | .summary ] as $sums
| (
    ( $want.nodes[] | . as $w
      | if ([ $have[] | select(.key == $w.key) ] | length) == 0 then
          "missing node: \($w.key)"
        elif $w.under == null then empty
        elif ([ $have[] | select(.key == $w.key)
                | select(.ancestors | index($w.under)) ] | length) == 0 then
          "node \($w.key) is not under \($w.under)"
        else empty end ),
    ( ($want.absent // [])[] | . as $a
      | if ($keys | index($a)) then "present but must be absent: \($a)"
        else empty end ),
    ( ($want.summary // {}) | to_entries[] | . as $e
      | ($e.key | split(".")) as $path
      | if ($path[1] | endswith("_contains")) then
          ($path[1] | sub("_contains$"; "")) as $f
          | if ([ $sums[] | .[$path[0]][$f] // "" | tostring
                  | contains($e.value) ] | any) then empty
            else "summary \($path[0]).\($f) does not contain \($e.value)" end
        elif ($e.value | type) == "array" then
          if ([ $sums[] | (.[$path[0]][$path[1]] // []) as $got
                | ($e.value - $got | length) == 0 ] | any) then empty
          else "summary \($e.key) lacks some of \($e.value)" end
        else
          if ([ $sums[] | .[$path[0]][$path[1]] == $e.value ] | any) then empty
          else "summary \($e.key) is not \($e.value)" end
        end ),
    ( ($want.missing_contains // [])[] | . as $m
      | if ([ $incs[] | .missing[] | contains($m) ] | any) then empty
        else "no missing source mentions \($m)" end )
  )
