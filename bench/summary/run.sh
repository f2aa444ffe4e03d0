#!/usr/bin/env bash
# Run-end summary build benchmark (issue 15): the time palscope takes to build one run's
# summaries and status snapshots (db/summary.c: sql/scripts/summary_build.sql, then
# snapshot_build.sql as of the run), what a collect or import does when its run ends.
# The database is COPIED first (the source is never written: others may read it), made ready
# once (migrations, views, summaries: not timed), then REPEAT times (default 3) the run's
# summaries are forgotten (DELETE FROM run_summary) and `palscope rules` opens the copy for
# writing, which builds them again; wall, user and sys CPU and peak RSS (GNU time) are printed
# per repeat with the load average, then the median wall. The copy is deleted at the end.
# Usage: bash bench/summary/run.sh [build/palscope] [db]   (default db: bench/report/bench.db,
#        built by bench/report/run.sh; the 10,000-tenant report database)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
palscope=${1:-$root/build/palscope}
src=${2:-$root/bench/report/bench.db}
[ -s "$src" ] || { echo "no database $src (bash bench/report/run.sh builds one)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/palscope-summary-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
db=$work/bench.db
(umask 077 && cp "$src" "$db")
"$palscope" rules --db "$db" >/dev/null      # migrate, views, summaries: not timed
echo "database: $src ($(du -h "$src" | cut -f1)), runs: $(sqlite3 "$db" 'SELECT count(*) FROM run')," \
	"subscriptions: $(sqlite3 "$db" 'SELECT count(*) FROM subscription')," \
	"role assignments: $(sqlite3 "$db" 'SELECT count(*) FROM role_assignment')," \
	"cost rows: $(sqlite3 "$db" 'SELECT count(*) FROM cost_daily')"
echo "machine: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-6s %8s %8s %8s %8s   %s\n' repeat wall_s user_s sys_s rss_MB "load before"
walls=()
for ((i = 1; i <= ${REPEAT:-3}; i++)); do
	sqlite3 "$db" "DELETE FROM run_summary"
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	t=$(/usr/bin/time -f '%e %U %S %M' "$palscope" rules --db "$db" 2>&1 >/dev/null | tail -1)
	read -r wall user sys rss <<<"$t"
	[ "$(sqlite3 "$db" 'SELECT count(*) FROM run_summary')" -eq "$(sqlite3 "$db" 'SELECT count(*) FROM run')" ] ||
		{ echo "the summaries were not built" >&2; exit 1; }
	printf '%-6s %8s %8s %8s %8.1f   %s\n' "$i" "$wall" "$user" "$sys" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$load"
	walls+=("$wall")
done
echo "median wall: $(printf '%s\n' "${walls[@]}" | sort -n | awk '{ v[NR] = $0 } END { print v[int((NR + 1) / 2)] }') s" \
	"(target <= 5 s; user+sys is the figure to compare on a shared machine)"
