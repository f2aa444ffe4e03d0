#!/usr/bin/env bash
# The many-customers why benchmark: builds bench/why/why_all.c against the libraries of a
# build tree (default build/, Release), runs it on a copy of the bench database and prints
# stories, bytes, wall, CPU (user + sys), RSS and the load average; with OUT the stories, one
# compact JSON a line, are kept and their raw-DEFLATE + base64 size is printed as well.
# Usage: bash bench/why/run.sh [build] [bench.db] [period] [OUT]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
b=${1:-$root/build}
src=${2:-/work/bench/bench.db}
period=${3:-2026-10}
out=${4:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/palscope-bench-why.XXXXXX")
trap 'rm -rf "$work"' EXIT
cc -O2 -std=c17 -I"$root" -I"$b/generated" -I"$b" "$root/bench/why/why_all.c" -o "$work/why_all" \
	"$b/reports/libpalscope_reports.a" "$b/db/libpalscope_db.a" "$b/sql/libpalscope_sql.a" \
	"$b/model/libpalscope_model.a" "$b/common/libpalscope_common.a" \
	-lsqlite3 -lcjson -lcsv -lcrypto -lm
(umask 077 && cp "$src" "$work/bench.db")
"$b/palscope" report summary --db "$work/bench.db" >/dev/null 2>&1   # migrate, warm the cache
echo "load before: $(cat /proc/loadavg)"
/usr/bin/time -f "wall %e s, cpu %U + %S s, rss %M KB" "$work/why_all" "$work/bench.db" "$period" $out
echo "load after: $(cat /proc/loadavg)"
if [ -n "$out" ]; then
	python3 -c 'import sys,json,zlib,base64
s=json.dumps([json.loads(l) for l in open(sys.argv[1])],separators=(",",":"),ensure_ascii=False).encode()
z=zlib.compressobj(9,zlib.DEFLATED,-15); d=z.compress(s)+z.flush()
print("stories JSON %d bytes, raw DEFLATE -9 %d, base64 %d" % (len(s), len(d), len(base64.b64encode(d))))' "$out"
fi
