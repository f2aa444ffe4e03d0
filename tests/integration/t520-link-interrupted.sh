#!/usr/bin/env bash
# An apply killed half-way (SIGKILL while a create is in flight), then one
# stopped (SIGTERM), then a complete re-run: every link is created exactly once
# (server log and state file), the interrupted changes stay 'pending' in the
# audit log (the change may or may not have happened), and re-runs read the
# link first so they never repeat a change.
. "$(dirname "$0")/lib.sh"
DB=$T/audit.db
STATE=$T/state.json
LOG=$T/requests.jsonl
N=6
# Six tenants, none linked; the create of tenant 3 and of tenant 5 is slow (4 s).
"$PYTHON" - "$T" "$N" <<'PY'
import json, sys
d, n = sys.argv[1], int(sys.argv[2])
sc = {"tenants": [], "principals": [], "links": {}, "subscriptions": [],
      "partner_ids_known": ["1234567"], "faults": []}
acc = ["tenant_id,client_id,secret_env,label"]
for i in range(1, n + 1):
    tid = "d%07d-0000-4000-8000-000000000000" % i
    sc["tenants"].append({"id": tid, "displayName": "T%d" % i, "defaultDomain": "t%d.example" % i})
    sc["principals"].append({"id": "0d%06d-0000-4000-8000-000000000000" % i, "tenantId": tid,
                             "kind": "ServicePrincipal", "clientId": "c%07d-2222-4000-8000-000000000000" % i,
                             "clientSecret": "s%d" % i})
    acc.append("%s,c%07d-2222-4000-8000-000000000000,INT_SECRET_%d,t%d" % (tid, i, i, i))
for i in (3, 5):
    sc["faults"].append({"method": "PUT", "path_regex": "^/providers/Microsoft.ManagementPartner/partners/",
                         "tenant": "d%07d-0000-4000-8000-000000000000" % i, "times": 1,
                         "action": {"delay_ms": 4000}})
json.dump(sc, open(d + "/sc.json", "w"))
open(d + "/accounts.csv", "w").write("\n".join(acc) + "\n")
PY
for i in $(seq 1 $N); do export "INT_SECRET_$i=s$i"; done
start_server "$T/sc.json" --state "$STATE"
oid() { printf '0d%06d-0000-4000-8000-000000000000' "$1"; }
tid() { printf 'd%07d-0000-4000-8000-000000000000' "$1"; }
puts_answered() { grep '"method": "PUT"' "$LOG" | grep "\"oid\": \"$(oid "$1")\"" | grep -c '"status": [0-9]' || true; }
linked_count() { "$PYTHON" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["links"]))' "$STATE"; }

# run_until_pending SIGNAL TENANT: start apply, wait for TENANT's change to be in flight, signal it.
run_until_pending() {
	"$PALSCOPE" link apply --accounts "$T/accounts.csv" --partner-id 1234567 --db "$DB" --concurrency 1 \
		--arm-url "$URL" --login-url "$URL" >"$T/run.out" 2>"$T/run.err" &
	local pid=$! n=0
	for _ in $(seq 1 200); do
		n=$(q "$DB" "select count(*) from link_change where tenant_id = '$(tid "$2")' and outcome = 'pending'" 2>/dev/null || echo 0)
		[ "$n" -ge 1 ] && break
		sleep 0.05
	done
	[ "$n" -ge 1 ] || { kill -KILL "$pid" 2>/dev/null || true; fail "SIG$1: tenant $2's change never started"; }
	kill -s "$1" "$pid"
	set +e; wait "$pid"; RC=$?; set -e
	no_sanitizer_report "$T/run.err"
}
# wait_answered N: the slow create of tenant N has been answered by the server
wait_answered() {
	for _ in $(seq 1 200); do
		[ "$(puts_answered "$1")" -ge 1 ] && return 0
		sleep 0.05
	done
	fail "tenant $1's create never finished on the server"
}

# 1. SIGKILL while tenant 3's create is in flight.
run_until_pending KILL 3
[ "$RC" -ne 0 ] || fail "killed apply exited 0"
expect_eq "killed: tenants 1-2 done" "ok
ok" "$(q "$DB" "select outcome from link_change where tenant_id in ('$(tid 1)', '$(tid 2)') order by change_id")"
expect_eq "killed: tenant 3 pending" "pending" "$(q "$DB" "select outcome from link_change where tenant_id = '$(tid 3)'")"
expect_eq "killed: batch left running" "running|" "$(q "$DB" "select status, coalesce(ended_at, '') from link_batch where batch_id = 1")"
expect_eq "killed: integrity" ok "$(q "$DB" "pragma integrity_check")"
wait_answered 3   # the server still makes the change it was asked for
ok "SIGKILL mid-apply: done changes recorded, the in-flight one pending"

# 2. Re-run, stopped with SIGTERM while tenant 5's create is in flight.
run_until_pending TERM 5
expect_eq "stopped apply exit" 1 "$RC"
grep -q "interrupted" "$T/run.err" || fail "SIGTERM message: $(cat "$T/run.err")"
grep -E '^t5 ' "$T/run.out" | grep -q "interrupted while the change was in flight" || fail "t5 reported pending: $(cat "$T/run.out")"
grep -E '^t3 ' "$T/run.out" | grep -q "nothing .*already linked" || fail "t3 found linked on re-run"
expect_eq "stopped: batch 2 incomplete" incomplete "$(q "$DB" "select status from link_batch where batch_id = 2")"
expect_eq "stopped: batch 2 changes" "$(tid 4)|ok
$(tid 5)|pending" "$(q "$DB" "select tenant_id, outcome from link_change where batch_id = 2 order by change_id")"
wait_answered 5
ok "SIGTERM mid-apply: re-run skipped what was done, recorded what it did"

# 3. A complete re-run: only tenant 6 is left.
set +e
"$PALSCOPE" link apply --accounts "$T/accounts.csv" --partner-id 1234567 --db "$DB" \
	--arm-url "$URL" --login-url "$URL" >"$T/run.out" 2>"$T/run.err"
RC=$?
set -e
no_sanitizer_report "$T/run.err"
expect_eq "final apply exit" 0 "$RC"
grep -q "1 created, 0 updated, 5 unchanged, 0 skipped, 0 failed" "$T/run.out" || fail "final summary: $(tail -3 "$T/run.out")"
expect_eq "batch 3" "complete|1" "$(q "$DB" "select status, changed from link_batch where batch_id = 3")"

# No duplicate changes: one PUT per principal reached the server, and all are linked.
for i in $(seq 1 $N); do
	expect_eq "tenant $i PUTs" 1 "$(grep '"method": "PUT"' "$LOG" | grep -c "\"oid\": \"$(oid "$i")\"")"
done
expect_eq "no 409s" 0 "$(grep -c '"status": 409' "$LOG" || true)"
expect_eq "links in the state file" "$N" "$(linked_count)"
expect_eq "audit: one row per tenant" "$N" "$(q "$DB" "select count(distinct tenant_id) from link_change")"
expect_eq "audit rows" "$N" "$(q "$DB" "select count(*) from link_change")"
expect_eq "pending rows stay pending" "$(tid 3)
$(tid 5)" "$(q "$DB" "select tenant_id from link_change where outcome = 'pending' order by change_id")"
"$PALSCOPE" link history --db "$DB" >"$T/h.out"
expect_eq "history marks interrupted changes" 2 "$(grep -c "interrupted before the answer arrived" "$T/h.out")"
expect_eq "integrity" ok "$(q "$DB" "pragma integrity_check")"
ok "re-runs after interruptions: every link created exactly once"
