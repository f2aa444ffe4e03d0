#!/usr/bin/env bash
# Import benchmark (issue 4, Performance): a generated 1,000,000-row EA cost export with 60
# columns, imported by palscope and, in the same run, loaded by `sqlite3 .import` into a plain
# table. Prints rows/s, the ratio of the times and peak RSS. Targets: palscope <= 2 x the
# sqlite3 time, peak RSS <= 64 MB.
#   bench/import/run.sh [BUILD_DIR] [ROWS]     (default build-import, 1000000)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build-import}
rows=${2:-1000000}
palscope=$build/palscope
[ -x "$palscope" ] || { echo "no $palscope: build first" >&2; exit 2; }
w=$(mktemp -d "${TMPDIR:-/tmp}/palscope-bench-import.XXXXXX")
trap 'rm -rf "$w"' EXIT
python3 "$here/gen_ea.py" "$w/ea.csv" "$rows"
size=$(stat -c %s "$w/ea.csv")
cat "$w/ea.csv" >/dev/null # warm the page cache for both
read -r p_wall p_rss p_cpu < <(python3 "$here/measure.py" "$palscope" -q import --db "$w/p.db" \
	--tenant 11111111-1111-4111-8111-111111111111 --partner-id 1234567 "$w/ea.csv")
read -r s_wall s_rss s_cpu < <(python3 "$here/measure.py" sqlite3 "$w/s.db" \
	".import --csv $w/ea.csv plain")
stored=$(sqlite3 "$w/p.db" "select count(*) || ' daily rows, ' || printf('%.2f', sum(cost)) from cost_daily")
loaded=$(sqlite3 "$w/s.db" "select count(*) from plain")
awk -v rows="$rows" -v size="$size" -v pw="$p_wall" -v pr="$p_rss" -v pc="$p_cpu" \
    -v sw="$s_wall" -v sr="$s_rss" -v sc="$s_cpu" -v stored="$stored" -v loaded="$loaded" 'BEGIN {
	printf "input: %d rows x 60 columns, %.0f MB\n", rows, size / 1048576
	printf "%-18s %9s %12s %9s %12s\n", "", "wall s", "rows/s", "cpu s", "peak RSS MB"
	printf "%-18s %9.2f %12.0f %9.2f %12.1f   (%s)\n", "palscope import", pw, rows / pw, pc, pr / 1024, stored
	printf "%-18s %9.2f %12.0f %9.2f %12.1f   (%d rows)\n", "sqlite3 .import", sw, loaded / sw, sc, sr / 1024, loaded
	printf "ratio palscope/sqlite3: %.2f (target <= 2.00); palscope peak RSS %.1f MB (target <= 64)\n", pw / sw, pr / 1024
}'
