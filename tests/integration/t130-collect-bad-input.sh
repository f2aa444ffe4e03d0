#!/usr/bin/env bash
# Bad input: one clear line naming the file and line or the option, exit 2,
# and the database untouched (not even created).
. "$(dirname "$0")/lib.sh"
export GOOD_SECRET=s3cret EMPTY_SECRET=
DB=$T/never.db
URL=http://127.0.0.1:9 # nothing is contacted: input is checked first
T1=11111111-1111-4111-8111-111111111111
C1=22222222-2222-4222-8222-222222222222

check() { # name expected-message-regex file-content... (file written to $T/a.csv)
	local name=$1 re=$2
	printf '%b' "$3" >"$T/a.csv"
	collect --db "$DB" --accounts "$T/a.csv" --partner-id 1234567 --period 2026-10
	expect_eq "$name: exit" 2 "$RC"
	head -1 "$T/collect.err" | grep -Eq -- "$re" || { cat "$T/collect.err"; fail "$name: message"; }
	[ ! -e "$DB" ] || fail "$name: database was created"
	ok "$name: $(head -1 "$T/collect.err")"
}
check "missing column" "a.csv:1: no 'tenant_id' column" "client_id,secret_env\n$C1,GOOD_SECRET\n"
check "malformed GUID" "a.csv:3: column 1 \\('tenant_id'\\): tenant_id 'not-a-guid' is neither a GUID nor a domain name" \
	"tenant_id,client_id,secret_env\n$T1,$C1,GOOD_SECRET\nnot-a-guid,$C1,GOOD_SECRET\n"
check "duplicate identity" "a.csv:3: duplicate identity \(same tenant and client as line 2\)" \
	"tenant_id,client_id,secret_env\n$T1,$C1,GOOD_SECRET\n${T1^^},$C1,GOOD_SECRET\n"
check "empty secret" "a.csv:2: column 3 \\('secret_env'\\): environment variable 'EMPTY_SECRET' \\(secret_env\\) is empty" \
	"tenant_id,client_id,secret_env\n$T1,$C1,EMPTY_SECRET\n"
check "unset secret" "a.csv:2: column 3 \\(.secret_env.\\): environment variable .NOPE_SECRET. \\(secret_env\\) is not set" \
	"tenant_id,client_id,secret_env\n$T1,$C1,NOPE_SECRET\n"
check "missing client" "a.csv:2: missing client_id" "tenant_id,label\n$T1,x\n"
check "empty file" "a.csv: empty file" ""
check "broken quoting" "a.csv:2: column 2: a quoted cell is not closed" "tenant_id,label\n$T1,\"unterminated\n"

# Columns in any order, unknown columns, BOM and CRLF are fine (fails later, at sign-in: exit 1).
printf '\xef\xbb\xbflabel,extra,secret_env,client_id,tenant_id\r\nx,y,GOOD_SECRET,%s,%s\r\n' "$C1" "$T1" >"$T/a.csv"
collect --db "$T/ok.db" --accounts "$T/a.csv" --partner-id 1234567 --period 2026-10 --timeout 2
expect_eq "reordered columns accepted" 1 "$RC"
expect_eq "identity stored" "$T1|$C1|x" "$(q "$T/ok.db" "select tenant_id, client_id, label from identity")"
# Excel quotes every cell after its BOM.
printf '\xef\xbb\xbf"tenant_id","client_id","secret_env","label"\r\n"%s","%s","GOOD_SECRET","a, b"\r\n' "$T1" "$C1" >"$T/a.csv"
collect --db "$T/ok2.db" --accounts "$T/a.csv" --partner-id 1234567 --period 2026-10 --timeout 2
expect_eq "quoted header after BOM accepted" 1 "$RC"
expect_eq "quoted label" "a, b" "$(q "$T/ok2.db" "select label from identity")"
ok "columns by name, BOM, CRLF, quoted cells"

usage() { # name regex args...
	local name=$1 re=$2; shift 2
	set +e; "$PALSCOPE" collect "$@" >"$T/u.out" 2>"$T/u.err"; local rc=$?; set -e
	no_sanitizer_report "$T/u.err"
	expect_eq "$name: exit" 2 "$rc"
	head -1 "$T/u.err" | grep -Eq -- "$re" || { cat "$T/u.err"; fail "$name: message"; }
	[ ! -e "$DB" ] || fail "$name: database was created"
	ok "$name"
}
printf 'tenant_id,client_id,secret_env\n%s,%s,GOOD_SECRET\n' "$T1" "$C1" >"$T/a.csv"
usage "no partner id" "--partner-id is required" --db "$DB" --accounts "$T/a.csv"
usage "bad partner id" "--partner-id 'abc'" --db "$DB" --accounts "$T/a.csv" --partner-id abc
usage "bad period" "--period '2026-13'" --db "$DB" --accounts "$T/a.csv" --partner-id 1 --period 2026-13
usage "remote http refused" "http:// is allowed only for loopback" --db "$DB" --accounts "$T/a.csv" \
	--partner-id 1 --arm-url http://management.example.com
usage "bad cloud" "--cloud 'mars'" --db "$DB" --accounts "$T/a.csv" --partner-id 1 --cloud mars
usage "bad concurrency" "--concurrency '0'" --db "$DB" --accounts "$T/a.csv" --partner-id 1 --concurrency 0
(unset AZURE_TENANT_ID AZURE_CLIENT_ID AZURE_CLIENT_SECRET
 usage "no accounts, no env" "AZURE_TENANT_ID, AZURE_CLIENT_ID" --db "$DB" --partner-id 1)

# A database newer than this binary is refused and left as it was.
cp "$T/ok.db" "$T/newer.db"
sqlite3 "$T/newer.db" "pragma user_version = 999"
sum=$(sha256sum "$T/newer.db")
collect --db "$T/newer.db" --accounts "$T/a.csv" --partner-id 1234567 --period 2026-10
expect_eq "newer db: exit (3: the database cannot be used)" 3 "$RC"
grep -q "newer than this palscope" "$T/collect.err" || fail "newer db message"
expect_eq "newer db unchanged" "$sum" "$(sha256sum "$T/newer.db")"
ok "newer database refused and unchanged"

# help goes to stdout and exits 0
"$PALSCOPE" collect --help | grep -q "usage: palscope collect" || fail "collect --help"
"$PALSCOPE" help collect | grep -q "usage: palscope collect" || fail "help collect"
ok "help"
