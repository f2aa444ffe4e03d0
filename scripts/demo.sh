#!/usr/bin/env bash
# The demo: build palscope, start the bundled fake Azure endpoint on
# 127.0.0.1 with the demo partner (tests/fake_azure/scenarios/demo.json),
# collect every demo identity into a SQLite file and write the reports.
# Nothing but 127.0.0.1 is contacted; the demo secrets are fake strings.
# Usage: bash scripts/demo.sh [OUTDIR]   (default: demo-out/)
# PALSCOPE_BIN=/usr/bin/palscope bash scripts/demo.sh runs an installed palscope instead of
# building one (CI does so with the .deb).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-demo-out}
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ -n "${PALSCOPE_BIN:-}" ]; then
	palscope=$PALSCOPE_BIN
else
	bash scripts/deps.sh
	if [ ! -x build/palscope ]; then
		cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	fi
	cmake --build build -j"$(nproc)" >/dev/null
	palscope=$root/build/palscope
fi
fake=$root/tests/fake_azure

rm -f "$out/palscope.db" "$out/palscope.db-wal" "$out/palscope.db-shm"
: >"$out/server.out"
python3 "$fake/server.py" --scenario "$fake/scenarios/demo.json" >>"$out/server.out" 2>"$out/server.err" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
port=
for _ in $(seq 1 300); do
	port=$(awk '/^PORT/ {print $2; exit}' "$out/server.out")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { cat "$out/server.err" >&2; exit 1; }
url=http://127.0.0.1:$port

set -a; . "$fake/scenarios/demo-secrets.env"; set +a
export PALSCOPE_DB=$out/palscope.db
echo "== palscope collect (fake Azure at $url)"
# One demo identity has a wrong secret on purpose, so collect exits 1.
"$palscope" collect --accounts "$fake/scenarios/demo-accounts.csv" --partner-id 1234567 \
	--period 2026-10 --arm-url "$url" --login-url "$url" || [ $? -eq 1 ]

echo "== palscope report customers -> $out/customers.csv"
"$palscope" report customers --out "$out/customers.csv"
"$palscope" report subscriptions --out "$out/subscriptions.csv"
echo "== palscope report summary"
"$palscope" report summary
echo "== palscope why \"Contoso\""
"$palscope" why "Contoso"
echo
echo "Database: $out/palscope.db   Reports: $out/customers.csv $out/subscriptions.csv"
echo "Try: sqlite3 $out/palscope.db 'select * from run'"
