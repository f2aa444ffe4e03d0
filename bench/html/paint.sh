#!/usr/bin/env bash
# HTML report in a browser: writes `palscope report html` of a large database (default the
# report bench's, bench/report/bench.db: 10,000 customers, 50,000 subscriptions; build it with
# bench/report/run.sh) and opens it REPEAT times (default 3) in headless chromium
# (tests/browser/cdp.py): first paint, first contentful paint, DOMContentLoaded, load (target:
# first paint <= 2 s), the file's size (target <= 15 MB) and the generation's wall time and peak
# RSS next to `report customers` of the same database.
# Usage: bash bench/html/paint.sh [build/palscope] [DB] [REPORT.html]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
palscope=${1:-$root/build/palscope}
db=${2:-$root/bench/report/bench.db}
out=${3:-${TMPDIR:-/tmp}/palscope-bench-report.html}
[ -s "$db" ] || { echo "paint.sh: no database $db (bash bench/report/run.sh builds it)" >&2; exit 1; }
"$palscope" report summary --db "$db" >/dev/null      # migrate/summaries if needed, warm the cache
measure=$root/bench/report/measure.py                 # prints "wall_s peak_rss_MB"
g=$(python3 "$measure" "$out" "$palscope" report html --db "$db")
c=$(python3 "$measure" /dev/null "$palscope" report customers --db "$db")
printf '%-18s %8s %8s\n' generation wall_s rss_MB
printf '%-18s %8s %8s\n' "report html" "${g%% *}" "$(echo "$g" | cut -d' ' -f2)"
printf '%-18s %8s %8s\n' "report customers" "${c%% *}" "$(echo "$c" | cut -d' ' -f2)"
awk -v g="${g%% *}" -v c="${c%% *}" 'BEGIN { printf "ratio html/customers: %.2f (target <= 1.2)\n", g / c }'
size=$(stat -c %s "$out")
awk -v s="$size" 'BEGIN { printf "file size: %.1f MB (target <= 15 MB): %s\n", s / 1e6, s <= 15e6 ? "met" : "NOT met" }'
python3 "$here/paint.py" "$out" "${REPEAT:-3}"
python3 "$here/paint.py" "$out" "${REPEAT:-3}" --no-js   # the same without the page script
