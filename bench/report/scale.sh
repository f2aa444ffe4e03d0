#!/usr/bin/env bash
# Report scaling (issue 15): the report bench data of bench/report/gen.sql at several sizes
# (subscriptions S, S/5 tenants, 10 role assignments and about 100 daily cost rows a
# subscription), and for each: database size, the run-end summary build, `report customers`,
# `report subscriptions`, `why <tenant id>` and `why <name matching one customer>`, each with
# wall time, CPU (user + sys) and peak RSS from GNU time (bench/report/measure.py; median of
# REPEAT runs by wall time). It prints figures; it is not a pass/fail test.
# Usage: bash bench/report/scale.sh [build/palscope] [S...]     (default S: 1000 10000)
#   DB50K=FILE also measures an existing full-size bench database (50,000 subscriptions, built by
#   bench/report/run.sh) on a copy's summaries: FILE itself is only read (its summaries are
#   rebuilt in a copy, COPY_DIR, default the work directory).
# The databases of the generated sizes go to a mktemp directory that is removed at the end
# (KEEP=1 keeps it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
palscope=${1:-$root/build/palscope}
[ $# -gt 0 ] && shift
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
repeat=${REPEAT:-3}
measure=$here/measure.py
work=$(mktemp -d "${TMPDIR:-/tmp}/palscope-bench-scale.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }'; }

# fig LINE: "wall s, cpu s, rss MB" of a measure.py line (wall rss rc user sys)
fig() { echo "$1" | awk '{ printf "%s s / %.2f s / %s MB", $1, $4 + $5, $2 }'; }
# best CMD...: the median (by wall) of REPEAT measure.py runs, output to $work/out
best() {
	local r=() i
	for ((i = 0; i < repeat; i++)); do r+=("$(python3 "$measure" "$work/out" "$@")"); done
	printf '%s\n' "${r[@]}" | median
}

# gen S: gen.sql for S subscriptions (S/5 tenants; the failed tenants' slots go to the first 90 %)
gen() {
	local s=$1 t=$(($1 / 5)) k=$(($1 / 5 * 9 / 10))
	sed -e "s/t < 10000)/t < $t)/" -e "s/s < 50000)/s < $s)/" -e "s/% 9000 + 1/% $k + 1/g" \
		"$here/gen.sql"
}

echo "palscope: $palscope"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "each figure: wall / CPU (user+sys) / peak RSS; reports median of $repeat by wall"
row() { # S DB SUMMARY-LINE
	local s=$1 db=$2 sum=$3 tenant sub name c u wi wn
	tenant=$(sqlite3 "$db" "SELECT tenant_id FROM identity WHERE status = 'ok' ORDER BY identity_id LIMIT 1 OFFSET 6")
	name=$(sqlite3 "$db" "SELECT display_name FROM tenant WHERE tenant_id = '$tenant'")
	c=$(best "$palscope" report customers --db "$db")
	u=$(best "$palscope" report subscriptions --db "$db")
	wi=$(best "$palscope" why "$tenant" --db "$db" --period 2026-10)
	wn=$(best "$palscope" why "$name" --db "$db" --period 2026-10)
	printf '| %s | %s | %s MB | %s | %s | %s | %s | %s |\n' "$s" "$(sqlite3 "$db" 'SELECT count(*) FROM identity')" \
		"$(($(stat -c %s "$db") / 1000000))" "$(fig "$sum")" "$(fig "$c")" "$(fig "$u")" "$(fig "$wi")" "$(fig "$wn")"
	echo "   (load $(cut -d' ' -f1-3 /proc/loadavg) after this row)" >&2
}
echo "| subscriptions | tenants | database | summary build | report customers | report subscriptions | why <tenant id> | why <name> |"
echo "|---|---|---|---|---|---|---|---|"
for s in "${sizes[@]}"; do
	db=$work/bench-$s.db
	(umask 077 && : >"$db")
	"$palscope" report summary --db "$db" >/dev/null 2>&1 || true # create and migrate
	gen "$s" | sqlite3 "$db" >/dev/null
	sum=$(python3 "$measure" /dev/null "$palscope" report summary --db "$db")
	row "$s" "$db" "$sum"
done
if [ -n "${DB50K:-}" ]; then
	db=${COPY_DIR:-$work}/bench-50000-copy.db
	(umask 077 && cp "$DB50K" "$db")
	"$palscope" report summary --db "$db" >/dev/null # views up to date
	sqlite3 "$db" "DELETE FROM run_summary" # the summaries are built again, as at a run's end
	sum=$(python3 "$measure" /dev/null "$palscope" report summary --db "$db")
	row 50000 "$db" "$sum"
	rm -f "$db" "$db-wal" "$db-shm"
fi
