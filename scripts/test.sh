#!/usr/bin/env bash
# Build palscope and run every test (unit and integration) with ctest.
# Usage: bash scripts/test.sh [--sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
build=build
args=(-DCMAKE_BUILD_TYPE=Release)
if [ "${1:-}" = "--sanitize" ]; then
	build=build-asan
	args=(-DCMAKE_BUILD_TYPE=Debug -DENABLE_SANITIZERS=ON)
	export ASAN_OPTIONS=detect_leaks=1:exitcode=86 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86
fi
# CI must run the browser tests: a missing chromium is then a configure error, not a skip.
if [ -n "${CI:-}" ] || [ -n "${PALSCOPE_REQUIRE_BROWSER:-}" ]; then
	args+=(-DPALSCOPE_REQUIRE_BROWSER=ON)
fi
cmake -S . -B "$build" "${args[@]}" -DCMAKE_COMPILE_WARNING_AS_ERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)" -LE fuzz
