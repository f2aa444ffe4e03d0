#!/usr/bin/env bash
# Run one libFuzzer target for a fixed time on a copy of its seed corpus.
#   fuzz/run.sh FUZZER SECONDS SEED_DIR
# A crash, leak or sanitizer report fails the run; the input is copied to
# tests/fixtures/import/crashers/ (replayed by tests/unit/test_import.c).
# Without arguments: build-fuzz/ with every fuzzer for 60 s each.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
crashers=$here/../tests/fixtures/import/crashers
if [ $# -eq 0 ]; then
	b=${BUILD:-$here/../build-fuzz}
	for n in csv json; do "$0" "$b/fuzz/fuzz_import_$n" "${SECONDS_EACH:-60}" "$here/corpus/$n"; done
	exit 0
fi
fuzzer=$1 secs=$2 seeds=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/palscope-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/art"
cp "$seeds"/* "$work/corpus/" 2>/dev/null || true
cp "$crashers"/* "$work/corpus/" 2>/dev/null || true
set +e
"$fuzzer" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
	-artifact_prefix="$work/art/" -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1
rc=$?
set -e
tail -n 15 "$work/log"
if [ $rc -ne 0 ] || [ -n "$(ls -A "$work/art")" ]; then
	for f in "$work/art"/*; do
		[ -e "$f" ] || continue
		cp "$f" "$crashers/$(basename "$fuzzer")-$(basename "$f")"
		echo "kept $(basename "$f") in $crashers" >&2
	done
	exit 1
fi
