#!/usr/bin/env bash
# Command-line conventions: global -q/-v anywhere on the line, --version (version, git
# describe, the libraries linked), `help COMMAND` and `COMMAND --help` the same text, "did you
# mean" for misspelt commands and options, every usage error one line, and the options shared
# by several commands (one table, cli/opt.c) explained and checked the same way in each.
. "$(dirname "$0")/lib.sh"
F=$SRCDIR/tests/fixtures/import
TEN=11111111-1111-4111-8111-111111111111
DB=$T/p.db

run() { # run ARGS...: status in $RC, stdout in $T/out, stderr in $T/err
	set +e
	"$PALSCOPE" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	no_sanitizer_report "$T/err"
}
# usage_err WHAT REGEX ARGS...: exit 2 and exactly one stderr line matching REGEX
usage_err() {
	local what=$1 re=$2; shift 2
	run "$@"
	expect_eq "$what: exit" 2 "$RC"
	expect_eq "$what: stderr lines" 1 "$(wc -l <"$T/err")"
	grep -Eq -- "^palscope: error: $re" "$T/err" || { cat "$T/err"; fail "$what: message"; }
}

run import --db "$DB" --tenant $TEN --partner-id 1234567 --include-groups "$F/link.json" \
	"$F/account-list.json" "$F/account-subscription-list.json" "$F/ra-s1.json" "$F/ra-s2.json" \
	"$F/ra-s3.json" "$F/role-definitions.json" "$F/cost-ea.csv"
expect_eq "import" 0 "$RC"

# 1. --version: palscope's version and commit, and each library's version as linked.
run --version
expect_eq "--version: exit" 0 "$RC"
grep -Eq '^palscope [0-9]+\.[0-9]+\.[0-9]+ \(.+\)$' "$T/out" || { cat "$T/out"; fail "--version: first line"; }
sqlite_v=$("$PYTHON" -c 'import sqlite3; print(sqlite3.sqlite_version)')
grep -qx "sqlite $sqlite_v" "$T/out" || { cat "$T/out"; fail "--version: sqlite $sqlite_v"; }
curl_v=$(curl --version 2>/dev/null | awk 'NR == 1 {print $2}')
[ -z "$curl_v" ] || grep -qx "libcurl $curl_v" "$T/out" || { cat "$T/out"; fail "--version: libcurl $curl_v"; }
grep -Eq '^cjson [0-9]+\.[0-9]+\.[0-9]+$' "$T/out" || fail "--version: cjson"
grep -Eq '^libcsv [0-9]+\.[0-9]+\.[0-9]+$' "$T/out" || fail "--version: libcsv"
if git -C "$SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
	short=$(git -C "$SRCDIR" rev-parse --short=7 HEAD)
	head -1 "$T/out" | grep -q "$short" || { head -1 "$T/out"; fail "--version: not the commit $short"; }
fi
"$PALSCOPE" version >"$T/v2"
cmp -s "$T/out" "$T/v2" || fail "'palscope version' differs from --version"
ok "--version: $(head -1 "$T/out"), sqlite, libcurl, cjson, libcsv"

# 2. help COMMAND is COMMAND --help, for every command of the overview.
cmds=$("$PALSCOPE" help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | grep -vx -e help -e version)
[ "$(echo "$cmds" | wc -w)" -ge 9 ] || fail "commands in 'palscope help': $cmds"
for c in $cmds; do
	"$PALSCOPE" help "$c" >"$T/h1" || fail "help $c"
	"$PALSCOPE" "$c" --help >"$T/h2" || fail "$c --help"
	"$PALSCOPE" "$c" -h >"$T/h3" || fail "$c -h"
	cmp -s "$T/h1" "$T/h2" || { diff "$T/h1" "$T/h2" | head; fail "help $c differs from $c --help"; }
	cmp -s "$T/h1" "$T/h3" || fail "help $c differs from $c -h"
	grep -q "^usage: palscope $c" "$T/h1" || fail "help $c: no usage line"
done
ok "help COMMAND = COMMAND --help = COMMAND -h for: $(echo $cmds)"

# 3. Shared options: the same help line in every command that takes them.
# --period has three meanings (a reported month; collect: the month to read; import: the
# month of the files), each declared once; the others one.
for spec in --db:1 --period:3 --out:1 --cloud:1 --arm-url:1 --login-url:1 --ca-bundle:1 \
	--timeout:1 --accounts:1 --concurrency:1; do
	opt=${spec%:*} want=${spec#*:}
	got=$(for c in $cmds; do "$PALSCOPE" help "$c" | grep -E "^  (-., )?$opt " || true; done | sort -u | wc -l)
	expect_eq "$opt: different help lines" "$want" "$got"
done
"$PALSCOPE" help collect | grep -q '^  --db FILE          database (default \$PALSCOPE_DB, else palscope.db)$' ||
	fail "collect --db help line"
"$PALSCOPE" help why | grep -q '^  --db FILE          database (default \$PALSCOPE_DB, else palscope.db)$' ||
	fail "why --db help line"
ok "shared options explained once"

# 4. Global options anywhere on the line (a database others can read gives a warning to hide).
chmod 644 "$DB"
run report summary --db "$DB" -q
expect_eq "report summary -q: exit" 0 "$RC"
expect_eq "report summary -q: stderr" "" "$(cat "$T/err")"
grep -q '"status"' "$T/out" || fail "report summary -q: no report"
run report summary --db "$DB"
grep -q "warning: database '$DB' can be read" "$T/err" || { cat "$T/err"; fail "report summary without -q: no warning"; }
run -q report summary --db "$DB"
expect_eq "-q before the command: stderr" "" "$(cat "$T/err")"
run report customers --db "$DB" --out "$T/c.csv" -v
expect_eq "report -v: exit" 0 "$RC"
grep -q "^palscope: wrote .* rows to '$T/c.csv'" "$T/err" || { cat "$T/err"; fail "report -v: no info line"; }
run report customers --db "$DB" --out "$T/c.csv" --verbose
grep -q "^palscope: wrote" "$T/err" || fail "report --verbose: no info line"
run report customers --db "$DB" --out "$T/c.csv"
! grep -q "^palscope: wrote" "$T/err" || fail "report without -v: info line"
run db runs -q --db "$DB"
expect_eq "db runs -q: exit" 0 "$RC"
expect_eq "db runs -q: stderr" "" "$(cat "$T/err")"
chmod 600 "$DB"
ok "-q and -v/--verbose anywhere on the line"

# 5. "did you mean" for commands and options; one error line, exit 2.
usage_err "misspelt command" "unknown command 'reprot'; did you mean 'report'\?" reprot customers
usage_err "misspelt command (colect)" "unknown command 'colect'; did you mean 'collect'\?" colect
usage_err "unknown command" "unknown command 'frobnicate' \(see 'palscope help'\)$" frobnicate
usage_err "misspelt option" "unknown option '--perod'; did you mean '--period'\?" report customers --db "$DB" --perod 2026-10
usage_err "misspelt option (collect)" "unknown option '--acounts'; did you mean '--accounts'\?" collect --acounts x.csv --partner-id 1
usage_err "misspelt option (link)" "unknown option '--partner-di'; did you mean '--partner-id'\?" link plan --partner-di 1
usage_err "misspelt global option" "unknown option '--verbos'; did you mean" --verbos report
usage_err "option of another command" "unknown option '--accounts'" report customers --accounts a.csv
usage_err "missing value" "option '--db' needs a value" report customers --db
usage_err "bad shared value (report)" "--period '2026-13' is not a month \(YYYY-MM\)" report customers --period 2026-13
usage_err "bad shared value (why)" "--period '2026-13' is not a month \(YYYY-MM\)" why x --period 2026-13
usage_err "bad shared value (import)" "--partner-id 'abc' is not a numeric partner ID" import --tenant $TEN --partner-id abc x.json
usage_err "bad number" "--timeout '0' must be 1 to 3600 seconds" login --timeout 0
usage_err "bad GUID" "--tenant 'nope' is not a GUID" link history --tenant nope
usage_err "link partner id twice" "--partner-id is given twice" link plan --partner-id 1 --partner-id 2
grep -q "(see 'palscope help link')$" "$T/err" || fail "usage error does not point at the command's help"
ok "did you mean, one error line"

# 6. Every option the old parsers took still works (a sample across commands).
run report subscriptions --db "$DB" --period 2026-10 --out "$T/s.csv" --excel
expect_eq "report --out FILE --excel" 0 "$RC"
head -c 3 "$T/s.csv" | od -An -tx1 | grep -q "ef bb bf" || fail "--excel: no BOM"
run db prune --db "$DB" --keep-periods 5
expect_eq "db prune --keep-periods" 0 "$RC"
usage_err "db prune --keep-periods 0" "--keep-periods '0' must be 1 to 100000 periods" db prune --db "$DB" --keep-periods 0
ok "options as before"
