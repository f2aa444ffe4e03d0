#!/usr/bin/env bash
# HTML report benchmark (issue 13): `palscope report html` on the report bench database (10,000
# tenants, 50,000 subscriptions: /work/lead-bench.db, or bench/report's bench.db) next to
# `palscope report customers` on the same file. Prints the page's size (target <= 15 MB) and
# the generation time against report customers (target <= 1.2 x), wall and CPU (user + sys),
# medians of REPEAT runs (default 3) taken alternately. The database is copied first (COPY=0
# uses it in place): report html only creates TEMP tables, but a database from another build is
# migrated and its summaries rebuilt on the first open for writing.
# Usage: bash bench/html/run.sh [build/palscope] [bench.db]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
palscope=${1:-$root/build/palscope}
src=${2:-/work/lead-bench.db}
[ -s "$src" ] || src=$root/bench/report/bench.db
[ -s "$src" ] || { echo "no bench database: run bench/report/run.sh first, or name one" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/palscope-bench-html.XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ "${COPY:-1}" = 1 ]; then
	(umask 077 && cp "$src" "$work/bench.db")
	db=$work/bench.db
else
	db=$src
fi
# one open for writing first (migrations and summaries if the file needs them), caches warm
"$palscope" report summary --db "$db" >/dev/null 2>&1
repeat=${REPEAT:-3}
# one run: "wall cpu rss_MB"
run() {
	local out=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" "$palscope" "$@" --db "$db" --out "$out" 2>/dev/null
	awk '{ printf "%.2f %.2f %.1f\n", $1, $2 + $3, $4 / 1024 }' "$work/time"
}
median() { sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }
hw=() hc=() cw=() cc=()
for ((i = 0; i < repeat; i++)); do
	read -r w c r < <(run "$work/report.html" report html)
	hw+=("$w") hc+=("$c") hr=$r
	read -r w c r < <(run "$work/customers.csv" report customers)
	cw+=("$w") cc+=("$c") cr=$r
done
size=$(stat -c %s "$work/report.html")
customers=$(grep -c '<tr class="customer"' "$work/report.html")
m() { printf '%s\n' "$@" | median; }
printf 'page: %d bytes = %.1f MB (target <= 15 MB), %d customer rows\n' "$size" \
	"$(echo "$size / 1000000" | bc -l)" "$customers"
printf '%-18s %8s %8s %8s   %s\n' command wall_s cpu_s rss_MB "all runs (wall)"
printf '%-18s %8s %8s %8s   %s\n' "report html" "$(m "${hw[@]}")" "$(m "${hc[@]}")" "$hr" "${hw[*]}"
printf '%-18s %8s %8s %8s   %s\n' "report customers" "$(m "${cw[@]}")" "$(m "${cc[@]}")" "$cr" "${cw[*]}"
printf 'ratio html / customers: wall %.2f, cpu %.2f (target <= 1.2)\n' \
	"$(echo "$(m "${hw[@]}") / $(m "${cw[@]}")" | bc -l)" "$(echo "$(m "${hc[@]}") / $(m "${cc[@]}")" | bc -l)"
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
