#!/usr/bin/env bash
# palscope link apply under faults: 429 + Retry-After on the read and on the
# change (honoured, per identity), a 409 conflict that is not ours (failed,
# explained), a stale read whose create answers 409 although the link is
# already ours (re-read: done, no second change), a dropped connection on a
# PUT (retried once: one change), and an expired token (refreshed).
. "$(dirname "$0")/lib.sh"
SC="$FAKE/scenarios/link-basic.json"
ACC=$T/accounts.csv
set -a; . "$FAKE/scenarios/link-basic-secrets.env"; set +a
DB=$T/audit.db
STATE=$T/state.json
LOG=$T/requests.jsonl
TA=b0000001-0000-4000-8000-000000000000   # alpha: not linked
TB=b0000002-0000-4000-8000-000000000000   # bravo: linked to 1234567
TF=b0000006-0000-4000-8000-000000000000   # foxtrot: not linked
TC=b0000003-0000-4000-8000-000000000000   # charlie: linked to 7654321
grep -E "^(tenant_id|$TA|$TB|$TF|$TC)," "$FAKE/scenarios/link-basic-accounts.csv" >"$ACC"

# The scenario plus these fault rules (first match wins).
"$PYTHON" - "$SC" "$T/faults.json" <<PY
import json, sys
sc = json.load(open(sys.argv[1]))
P = "^/providers/Microsoft.ManagementPartner/partners"
sc["faults"] = [
    # alpha: throttled once on the read and once on the create.
    {"method": "GET", "path_regex": P + "$", "tenant": "$TA", "times": 1,
     "action": {"status": 429, "headers": {"Retry-After": "1"}}},
    {"method": "PUT", "path_regex": P + "/", "tenant": "$TA", "times": 1,
     "action": {"status": 429, "headers": {"Retry-After": "1"}}},
    # foxtrot: the create meets a link made by someone else in between (409), once.
    {"method": "PUT", "path_regex": P + "/", "tenant": "$TF", "times": 1,
     "action": {"status": 409, "body": {"error": {"code": "Conflict",
                "message": "Partner '7654321' is already linked for tenant '$TF'."}}}},
    # bravo (linked to 1234567): a stale read says "not linked", so palscope sends a
    # create, which really answers 409; the re-read shows the link is already ours.
    {"method": "GET", "path_regex": P + "$", "tenant": "$TB", "times": 1,
     "action": {"status": 404, "body": {"error": {"code": "NotFound", "message": "stale"}}}},
    # charlie: the first PATCH loses its connection; the expired token on the
    # second read makes palscope refresh it.
    {"method": "PATCH", "path_regex": P + "/", "tenant": "$TC", "times": 1, "action": {"drop": True}},
]
json.dump(sc, open(sys.argv[2], "w"))
PY
start_server "$T/faults.json" --state "$STATE"

oid() { printf '0b%06d-0000-4000-8000-000000000000' "$1"; }
linked_to() {
	"$PYTHON" -c 'import json,sys; l=json.load(open(sys.argv[1]))["links"].get(sys.argv[2]); print(l["partnerId"] if l else "")' "$STATE" "$(oid "$1")"
}
count() { grep -E "\"method\": \"$1\"" "$LOG" | grep "\"oid\": \"$(oid "$2")\"" | grep -c "\"status\": ${3:-[0-9]*}" || true; }

set +e
"$PALSCOPE" link apply --accounts "$ACC" --partner-id 1234567 --update --db "$DB" --concurrency 4 \
	--arm-url "$URL" --login-url "$URL" >"$T/out" 2>"$T/err"
RC=$?
set -e
no_sanitizer_report "$T/err"
expect_eq "apply exit (foxtrot conflict)" 1 "$RC"

# alpha: 429 on the read and the write, each retried after Retry-After, then created.
grep -E '^alpha ' "$T/out" | grep -q "create .*done: now linked to 1234567" || fail "alpha: $(cat "$T/out")"
expect_eq "alpha 429s" 2 "$(grep "\"oid\": \"$(oid 1)\"" "$LOG" | grep -c '"status": 429')"
expect_eq "alpha PUT 200 once" 1 "$(count PUT 1 200)"
"$PYTHON" - "$LOG" "$(oid 1)" <<'PY' || fail "alpha: Retry-After not honoured"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if json.loads(l).get("oid") == sys.argv[2]]
for method in ("GET", "PUT"):
    rs = [r for r in recs if r["method"] == method]
    t429 = [r["ts"] for r in rs if r["status"] == 429][0]
    after = [r["ts"] for r in rs if r["status"] != 429 and r["ts"] > t429][0]
    assert after - t429 >= 0.9, (method, after - t429)
PY
expect_eq "alpha linked" 1234567 "$(linked_to 1)"
ok "429 with Retry-After on read and change: honoured, then done"

# foxtrot: 409 on create, the re-read shows it is not linked to us: failed, explained.
grep -E '^foxtrot ' "$T/out" | grep -q "FAILED (HTTP 409.*conflict: the identity is already linked.*it is now not linked" || fail "foxtrot: $(grep foxtrot "$T/out")"
expect_eq "foxtrot audit" "failed|409|Conflict" "$(q "$DB" "select outcome, http_status, error_code from link_change where identity = 'foxtrot'")"
ok "conflict: failed and explained"

# bravo: the create answered 409, but the re-read shows the link is ours: done, once.
grep -E '^bravo ' "$T/out" | grep -q "create .*done: now linked to 1234567.*reading the link again shows the change is already made" || fail "bravo: $(grep bravo "$T/out")"
expect_eq "bravo PUTs" 1 "$(count PUT 2)"
expect_eq "bravo audit" "ok|1234567|409" "$(q "$DB" "select outcome, partner_after, http_status from link_change where identity = 'bravo'")"
expect_eq "bravo still linked" 1234567 "$(linked_to 2)"
ok "stale read + 409: verified by reading again, counted as done"

# charlie: the dropped PATCH is retried; exactly one change was made.
grep -E '^charlie ' "$T/out" | grep -q "update .*done: now linked to 1234567" || fail "charlie: $(grep charlie "$T/out")"
expect_eq "charlie PATCH dropped once" 1 "$(count PATCH 3 null)"
expect_eq "charlie PATCH answered once" 1 "$(count PATCH 3 200)"
expect_eq "charlie linked" 1234567 "$(linked_to 3)"
ok "dropped connection on PATCH: retried, one change"

# Re-run: foxtrot's conflict fault is used up, so it is created now; nobody else changes.
before=$(grep -cE '"method": "(PUT|PATCH|DELETE)"' "$LOG")
set +e
"$PALSCOPE" link apply --accounts "$ACC" --partner-id 1234567 --update --db "$DB" \
	--arm-url "$URL" --login-url "$URL" >"$T/out2" 2>"$T/err2"
RC=$?
set -e
no_sanitizer_report "$T/err2"
expect_eq "re-run exit" 0 "$RC"
expect_eq "re-run changes only foxtrot" $((before + 1)) "$(grep -cE '"method": "(PUT|PATCH|DELETE)"' "$LOG")"
expect_eq "foxtrot linked" 1234567 "$(linked_to 6)"
ok "re-run after faults: only the failed change is made"

# A token that expires mid-run is refreshed (401 ExpiredAuthenticationToken).
stop_server
"$PYTHON" - "$SC" "$T/expire.json" <<PY
import json, sys
sc = json.load(open(sys.argv[1]))
sc["faults"] = [{"method": "GET", "path_regex": "^/providers/Microsoft.ManagementPartner/partners$",
                 "tenant": "$TA", "times": 1, "action": {"expire_token": True}}]
json.dump(sc, open(sys.argv[2], "w"))
PY
: >"$LOG"
rm -f "$T/server.out"   # so start_server waits for the new server's port
start_server "$T/expire.json"
set +e
"$PALSCOPE" link show --accounts "$ACC" --arm-url "$URL" --login-url "$URL" >"$T/out3" 2>"$T/err3"
RC=$?
set -e
expect_eq "show after token expiry" 0 "$RC"
expect_eq "alpha tokens" 2 "$(grep -c "oauth2/v2.0/token\", \"query\": \"\", \"status\": 200, \"tenant\": \"$TA\"" "$LOG")"
ok "expired token refreshed"
