#!/usr/bin/env bash
# palscope link show/plan/apply/remove/history on the link-basic scenario: every
# branch of the plan (create, nothing, skip without --update, update with it,
# remove, keep another ID, remove without --yes), a foreign principal, an
# unknown partner ID, a sign-in failure, --only-missing-from, and the audit log.
. "$(dirname "$0")/lib.sh"
SC="$FAKE/scenarios/link-basic.json"
ACC="$FAKE/scenarios/link-basic-accounts.csv"
set -a; . "$FAKE/scenarios/link-basic-secrets.env"; set +a
DB=$T/audit.db
STATE=$T/state.json
start_server "$SC" --state "$STATE"
LOG=$T/requests.jsonl

# link SUB [args...]: palscope link against the fake; status in $RC, output in $T/out, $T/err
link() {
	set +e
	"$PALSCOPE" link "$@" --arm-url "$URL" --login-url "$URL" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	no_sanitizer_report "$T/err"
	cat "$T/out" "$T/err" >>"$T/all-output"
}
line() { grep -E "^$1 " "$T/out" || fail "no line for $1 in: $(cat "$T/out")"; }
oid() { printf '0b%06d-0000-4000-8000-000000000000' "$1"; }
# linked_to N: the partner ID in the fake's state for principal N ('' if none)
linked_to() {
	"$PYTHON" -c 'import json,sys; l=json.load(open(sys.argv[1]))["links"].get(sys.argv[2]); print(l["partnerId"] if l else "")' "$STATE" "$(oid "$1")"
}
writes() { grep -cE '"method": "(PUT|PATCH|DELETE)"' "$LOG" || true; }
# writes_for METHOD N: how many METHOD requests principal N sent
writes_for() { grep -E "\"method\": \"$1\"" "$LOG" | grep -c "\"oid\": \"$(oid "$2")\"" || true; }

# --- show -------------------------------------------------------------------------
link show --accounts "$ACC"
expect_eq "show exit (echo cannot sign in)" 1 "$RC"
line alpha | grep -q "not linked" || fail "show alpha"
line bravo | grep -q "1234567 *Active" || fail "show bravo"
line charlie | grep -q "7654321" || fail "show charlie"
line echo | grep -q "could not sign in.*AADSTS7000215" || fail "show echo: sign-in failure explained"
link show --accounts "$ACC" --csv
expect_eq "show --csv exit" 1 "$RC"
expect_eq "show --csv header" "\"identity\",\"tenant_id\",\"client_id\",\"object_id\",\"linked\",\"partner_id\",\"partner_name\",\"state\",\"created_time\",\"updated_time\",\"status\",\"error\"" "$(head -1 "$T/out")"
grep -q '^"golf","b0000007-0000-4000-8000-000000000000",.*,1,"1234568","Fabrikam Cloud Partners Munich","Active"' "$T/out" || fail "show --csv golf: $(cat "$T/out")"
grep -q '^"alpha",.*,0,,,' "$T/out" || fail "show --csv alpha not linked"
grep -q '^"echo",.*"failed","could not sign in' "$T/out" || fail "show --csv echo"
expect_eq "show writes nothing" 0 "$(writes)"
ok "show"

# --- plan changes nothing ----------------------------------------------------------------
link plan --accounts "$ACC" --partner-id 1234567
expect_eq "plan exit" 1 "$RC"
line alpha | grep -q "create .*would create" || fail "plan alpha"
line bravo | grep -q "nothing .*already linked to 1234567" || fail "plan bravo"
line charlie | grep -q "skip .*7654321.*--update" || fail "plan charlie"
line golf | grep -q "skip .*another location" || fail "plan golf"
line foxtrot | grep -q "create" || fail "plan foxtrot"
line echo | grep -q "error .*could not sign in" || fail "plan echo"
grep -q "3 to create, 0 to update, 1 already linked, 2 skipped, 1 failed" "$T/out" || fail "plan summary: $(tail -3 "$T/out")"
link plan --accounts "$ACC" --partner-id 1234567 --update
line charlie | grep -q "update .*7654321: change it to 1234567" || fail "plan --update charlie"
expect_eq "plan writes nothing" 0 "$(writes)"
[ ! -e "$DB" ] || fail "plan created a database"
ok "plan: create, nothing, skip, update; no request changes anything"

# --- apply without --update ------------------------------------------------------------
link apply --accounts "$ACC" --partner-id 1234567 --db "$DB"
expect_eq "apply exit (delta and echo fail)" 1 "$RC"
line alpha | grep -q "create .*done: now linked to 1234567 (HTTP 200, request [0-9a-f-]\{36\})" || fail "apply alpha"
line foxtrot | grep -q "done: now linked to 1234567" || fail "apply foxtrot"
line bravo | grep -q "nothing" || fail "apply bravo"
line charlie | grep -q "skip" || fail "apply charlie"
line delta | grep -q "FAILED (HTTP 400.*foreign principal.*does not have an account in this tenant" || fail "apply delta: $(line delta)"
line echo | grep -q "FAILED: could not sign in" || fail "apply echo"
grep -q "2 created, 0 updated, 1 unchanged, 2 skipped, 2 failed" "$T/out" || fail "apply summary: $(tail -3 "$T/out")"
grep -q "audit: batch 1 in $DB" "$T/out" || fail "apply names the audit batch"
expect_eq "alpha linked" 1234567 "$(linked_to 1)"
expect_eq "foxtrot linked" 1234567 "$(linked_to 6)"
expect_eq "charlie untouched" 7654321 "$(linked_to 3)"
expect_eq "golf untouched" 1234568 "$(linked_to 7)"
expect_eq "delta not linked" "" "$(linked_to 4)"
expect_eq "no PATCH without --update" 0 "$(grep -c '"method": "PATCH"' "$LOG" || true)"
# The audit log: one row per change attempted, with the answer's status and request id.
expect_eq "audit rows" "alpha|create|PUT||1234567|ok|200
delta|create|PUT|||failed|400
foxtrot|create|PUT||1234567|ok|200" \
	"$(q "$DB" "select identity, operation, method, coalesce(partner_before,''), coalesce(partner_after,''), outcome, http_status from link_change order by identity")"
expect_eq "audit tenants and principals" "b0000001-0000-4000-8000-000000000000|$(oid 1)" \
	"$(q "$DB" "select tenant_id, object_id from link_change where identity = 'alpha'")"
for id in alpha foxtrot; do
	rid=$(q "$DB" "select request_id from link_change where identity = '$id'")
	grep -q "request $rid" "$T/out" || fail "$id: request id $rid not in the summary"
done
q "$DB" "select explanation from link_change where identity = 'delta'" | grep -q "foreign principal" || fail "delta explanation stored"
q "$DB" "select error_message from link_change where identity = 'delta'" | grep -q "CSP partner logged in the customer tenant" || fail "delta ARM message stored"
expect_eq "audit times" 0 "$(q "$DB" "select count(*) from link_change where started_at is null or finished_at is null or started_at not like '____-__-__T__:__:__Z'")"
expect_eq "batch" "apply|1234567|0|partial|7|2|2" "$(q "$DB" "select command, partner_id, allow_update, status, identities, changed, failed from link_batch")"
ok "apply: created alpha and foxtrot, skipped charlie and golf, foreign principal and sign-in failures explained"

# --- apply again: idempotent ---------------------------------------------------------------
link apply --accounts "$ACC" --partner-id 1234567 --db "$DB"
line alpha | grep -q "nothing .*already linked" || fail "re-apply alpha"
expect_eq "alpha PUT once" 1 "$(writes_for PUT 1)"
expect_eq "foxtrot PUT once" 1 "$(writes_for PUT 6)"
expect_eq "only delta tried again" 4 "$(writes)"
ok "apply again: no duplicate changes"

# --- apply --update ---------------------------------------------------------------------------
link apply --accounts "$ACC" --partner-id 1234567 --update --db "$DB"
expect_eq "apply --update exit" 1 "$RC"
line charlie | grep -q "update .*done: now linked to 1234567" || fail "apply --update charlie"
line golf | grep -q "update .*done: now linked to 1234567" || fail "apply --update golf"
expect_eq "charlie updated" 1234567 "$(linked_to 3)"
expect_eq "golf updated" 1234567 "$(linked_to 7)"
expect_eq "PATCH for charlie" 1 "$(writes_for PATCH 3)"
expect_eq "audit of the updates" "charlie|update|PATCH|7654321|1234567|ok|200
golf|update|PATCH|1234568|1234567|ok|200" \
	"$(q "$DB" "select identity, operation, method, partner_before, partner_after, outcome, http_status from link_change where batch_id = 3 and outcome = 'ok' order by identity")"
ok "apply --update: charlie and golf updated"

# --- unknown partner ID ---------------------------------------------------------------------------
n_before=$(q "$DB" "select count(*) from link_change")
link apply --accounts "$ACC" --partner-id 9999999 --db "$DB"
expect_eq "unknown ID exit" 1 "$RC"
line alpha | grep -q "skip" || fail "unknown ID: alpha is linked to 1234567, skipped"
line delta | grep -q "FAILED (HTTP 400" || fail "unknown ID: delta"
link apply --accounts "$ACC" --partner-id 9999999 --update --db "$DB"
line alpha | grep -q "FAILED (HTTP 400.*We don't have a record for this partner ID.*global partner ID.*location ID" || fail "unknown ID explained: $(line alpha)"
expect_eq "alpha still 1234567" 1234567 "$(linked_to 1)"
q "$DB" "select error_message from link_change where identity = 'alpha' and outcome = 'failed'" | grep -q "We don't have a record for this partner ID '9999999'" || fail "unknown ID stored"
ok "unknown partner ID: refused and explained"

# --- remove ---------------------------------------------------------------------------------------------
w=$(writes)
link remove --accounts "$ACC" --partner-id 1234567 --db "$DB"
expect_eq "remove without --yes" 2 "$RC"
grep -q "add --yes" "$T/err" || fail "remove without --yes explains"
expect_eq "remove without --yes sends nothing" "$w" "$(writes)"
link remove --accounts "$ACC" --partner-id 7654321 --yes --db "$DB"
expect_eq "remove of another ID exit (echo fails)" 1 "$RC"
line alpha | grep -q "keep .*linked to 1234567, not 7654321: only links to the given ID are removed" || fail "remove other ID alpha: $(line alpha)"
line delta | grep -q "nothing .*not linked: nothing to remove" || fail "remove delta"
expect_eq "remove of another ID sends nothing" "$w" "$(writes)"
link remove --accounts "$ACC" --partner-id 1234567 --yes --db "$DB"
expect_eq "remove exit (echo fails)" 1 "$RC"
for n in 1 2 3 6 7; do
	expect_eq "principal $n unlinked" "" "$(linked_to "$n")"
	expect_eq "principal $n DELETE once" 1 "$(writes_for DELETE "$n")"
done
line bravo | grep -q "remove .*done: link to 1234567 removed (HTTP 200" || fail "remove bravo"
grep -q "5 removed, 1 unchanged, 0 kept (linked to another ID), 1 failed" "$T/out" || fail "remove summary: $(tail -3 "$T/out")"
expect_eq "remove audit" "alpha|remove|DELETE|1234567||ok
bravo|remove|DELETE|1234567||ok
charlie|remove|DELETE|1234567||ok
foxtrot|remove|DELETE|1234567||ok
golf|remove|DELETE|1234567||ok" \
	"$(q "$DB" "select c.identity, operation, method, partner_before, coalesce(partner_after,''), outcome from link_change c join link_batch b using (batch_id) where b.command = 'remove' order by identity")"
link remove --accounts "$ACC" --partner-id 1234567 --yes --db "$DB"
expect_eq "remove twice sends nothing more" 5 "$(grep -c '"method": "DELETE"' "$LOG")"
ok "remove: needs --yes, keeps other IDs, deletes ours once"

# --- --only-missing-from ------------------------------------------------------------------------------------
# alpha: NO_LINK; charlie: LINK_WRONG_PARTNER_ID (customers report, --excel form); bravo: ATTRIBUTED.
printf '\xef\xbb\xbf"tenant_id","customer_name","status","reason_code","subscriptions"\r\n"b0000001-0000-4000-8000-000000000000","Alpha Corp","missing","NO_LINK",1\r\n"b0000003-0000-4000-8000-000000000000","Charlie Corp","missing","LINK_WRONG_PARTNER_ID",1\r\n"b0000002-0000-4000-8000-000000000000","Bravo Corp","attributed","ATTRIBUTED",2\r\n"b0000009-0000-4000-8000-000000000000","Nobody","missing","NO_LINK",1\r\n' >"$T/customers.csv"
link plan --accounts "$ACC" --partner-id 1234567 --only-missing-from "$T/customers.csv"
expect_eq "plan --only-missing-from exit" 0 "$RC"
line alpha | grep -q "create" || fail "only-missing alpha"
line charlie | grep -q "create" || fail "only-missing charlie"
line bravo | grep -q "not-selected" || fail "only-missing bravo"
line echo | grep -q "not-selected" || fail "only-missing echo (not signed in)"
grep -q "no identity of the accounts file signs in to it" "$T/err" || fail "unmatched report tenant warned"
cat >"$T/subs.csv" <<'CSV'
tenant_id,customer_name,subscription_id,subscription_name,offer,state,status,reason_code,reasons,partner_id
b0000006-0000-4000-8000-000000000000,Foxtrot,50000001-0000-4000-8000-000000000000,Main,PAYG,Enabled,missing,NO_LINK,"no link, see ""why""",
b0000007-0000-4000-8000-000000000000,Golf,50000002-0000-4000-8000-000000000000,Main,PAYG,Enabled,attributed,ATTRIBUTED,,1234567
CSV
link apply --accounts "$ACC" --partner-id 1234567 --only-missing-from "$T/subs.csv" --db "$DB"
expect_eq "apply --only-missing-from exit" 0 "$RC"
expect_eq "foxtrot linked again" 1234567 "$(linked_to 6)"
expect_eq "alpha left alone" "" "$(linked_to 1)"
expect_eq "only-missing batch" "$T/subs.csv|1" "$(q "$DB" "select only_missing_from, changed from link_batch order by batch_id desc limit 1")"
printf 'tenant_id,status\nx,y\n' >"$T/bad.csv"
link apply --accounts "$ACC" --partner-id 1234567 --only-missing-from "$T/bad.csv" --db "$DB"
expect_eq "report without reason_code" 2 "$RC"
grep -q "no 'reason_code' column" "$T/err" || fail "bad report explained"
ok "--only-missing-from: report rows NO_LINK / LINK_WRONG_PARTNER_ID only"

# --- history -------------------------------------------------------------------------------------------------
"$PALSCOPE" link history --db "$DB" >"$T/h.out"
total=$(q "$DB" "select count(*) from link_change")
expect_eq "history lines" "$total" "$(grep -cE '^[0-9]+ ' "$T/h.out")"
grep -qE "^[0-9]+ +.* apply +alpha +b0000001-0000-4000-8000-000000000000 create +- -> 1234567 +ok +200 +[0-9a-f-]{36}" "$T/h.out" || fail "history row 1: $(head -3 "$T/h.out")"
grep -q "foreign principal" "$T/h.out" || fail "history explains failures"
"$PALSCOPE" link history --db "$DB" --csv --tenant b0000003-0000-4000-8000-000000000000 >"$T/h.csv"
expect_eq "history --csv header" "\"change_id\",\"batch_id\",\"command\",\"started_at\",\"finished_at\",\"identity\",\"client_id\",\"tenant_id\",\"object_id\",\"operation\",\"method\",\"partner_before\",\"partner_after\",\"outcome\",\"http_status\",\"request_id\",\"error_code\",\"error_message\",\"explanation\"" "$(head -1 "$T/h.csv")"
expect_eq "history --tenant rows" "$(q "$DB" "select count(*) from link_change where tenant_id = 'b0000003-0000-4000-8000-000000000000'")" "$(($(wc -l <"$T/h.csv") - 1))"
"$PALSCOPE" link history --db "$DB" --limit 2 >"$T/h2.out"
expect_eq "history --limit" 2 "$(grep -cE '^[0-9]+ ' "$T/h2.out")"
ok "history"

# --- usage errors -------------------------------------------------------------------------------------------
for args in "plan --accounts $ACC" "apply --accounts $ACC --partner-id 12ab" "show --accounts $ACC --update" \
	"plan --accounts $ACC --partner-id 1234567 --yes" "frobnicate" "apply --accounts $ACC --partner-id 1 --arm-url http://example.com"; do
	set +e; "$PALSCOPE" link $args --login-url "$URL" >/dev/null 2>"$T/u.err"; rc=$?; set -e
	expect_eq "usage: link $args" 2 "$rc"
done
ok "usage errors exit 2"

# --- secrets never in the output or the database ------------------------------------------------------------
for s in link-secret-alpha link-secret-echo-OLD link-secret-delta; do
	! grep -q -- "$s" "$T/all-output" || fail "secret $s in the output"
	! grep -qa -- "$s" "$DB" || fail "secret $s in the database"
done
! grep -qa "eyJ" "$DB" || fail "a token in the database"
! grep -q "eyJ" "$T/all-output" || fail "a token in the output"
expect_eq "integrity" ok "$(q "$DB" "pragma integrity_check")"
ok "no secrets or tokens in output or database"
