#!/usr/bin/env bash
# palscope rules and rules set on collected runs: every reason code printed with what decides it,
# its sources and confidence; the switches with their values; a switch change recorded and seen
# by the very next report (summaries rebuilt); usage errors that change nothing. Marketplace: the
# demo's Marketplace delegation (registration definition with a plan, the shape of Microsoft's
# GetRegistrationAssignment.json example) given a permanent authorization for the linked
# managing-tenant SP. Sovereign cloud: a collect with --cloud usgov against the fake records the
# cloud in the run. Reports read back with Python's csv.
. "$(dirname "$0")/lib.sh"
demo_env
# The demo scenario, with the partner SP named permanently in Trey Research's Marketplace offer.
"$PYTHON" - "$FAKE/scenarios/demo.json" "$T/mp.json" <<'PY'
import json, sys
sc = json.load(open(sys.argv[1], encoding="utf-8"))
lh = [e for e in sc["lighthouse"] if e.get("plan")]
assert len(lh) == 1, "one Marketplace delegation in the demo"
e = lh[0]
e["authorizations"].append(dict(e["eligibleAuthorizations"][0]))
del e["authorizations"][-1]["justInTimeAccessPolicy"]
json.dump(sc, open(sys.argv[2], "w", encoding="utf-8"))
PY
start_server "$T/mp.json"
DB=$T/demo.db
collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10
expect_eq "collect exit status (one identity fails)" 1 "$RC"

# row SUBSCRIPTION_NAME FILE: "status|reason_code|reasons" of that subscription in a report
row() {
	"$PYTHON" - "$1" "$2" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8"), strict=True))
hit = [r for r in rows if r["subscription_name"] == sys.argv[1]]
assert len(hit) == 1, (sys.argv[1], len(hit))
print("%s|%s|%s" % (hit[0]["status"], hit[0]["reason_code"], hit[0]["reasons"]))
PY
}
subs() { "$PALSCOPE" report subscriptions --db "$DB" --out "$T/s.csv" || fail "report"; }

# palscope rules: every code of reason_code, each with its three lines, and the switches.
"$PALSCOPE" rules --db "$DB" >"$T/rules.out" 2>"$T/rules.err" || { cat "$T/rules.err"; fail "rules"; }
no_sanitizer_report "$T/rules.err"
codes=$(q "$DB" "select code from reason_code order by ord")
[ "$(echo "$codes" | wc -l)" -ge 19 ] || fail "reason_code has $(echo "$codes" | wc -l) codes"
for c in $codes; do
	grep -Eq "^ *[0-9]+ $c  (blocking|warning)" "$T/rules.out" || fail "rules lacks code $c"
done
"$PYTHON" - "$T/rules.out" <<'PY' || fail "rules: a code without decided by / sources / confidence"
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"^ *\d+ (\w+)  .*\n   decided by: (.+)\n   sources: +(.+)\n   confidence: (.+)$", text, re.M)
assert len(blocks) >= 19, len(blocks)
for code, dec, src, conf in blocks:
    assert dec.strip() and src.strip(), code
    assert conf in ("official", "Microsoft staff", "inference"), (code, conf)
PY
for s in "ea = pal (the default; alternatives pal|dpor; never changed)" \
	 "read_only_roles = not_eligible (the default; alternatives not_eligible|count" \
	 "custom_roles = write_actions (the default; alternatives write_actions|count|not_eligible" \
	 "marketplace_lighthouse = warning (the default; alternatives warning|blocking" \
	 "sovereign_cloud = blocking (the default; alternatives blocking|ignore"; do
	grep -qF "$s" "$T/rules.out" || fail "rules lacks [$s]"
done
grep -Eq "^ *[0-9]+ MARKETPLACE_OFFER  warning  \(policy: marketplace_lighthouse\)" "$T/rules.out" ||
	fail "MARKETPLACE_OFFER is a warning by default"
grep -q "^Changes:" "$T/rules.out" && fail "no change yet"
ok "palscope rules: every code with its sources and confidence, the switches at their defaults"

# ea: the EA subscription is attributed with the warning; dpor makes it MISSING, at once.
subs
expect_eq "ea=pal" "ATTRIBUTED||EA_SUBSCRIPTION" "$(row "Litware Enterprise" "$T/s.csv")"
"$PALSCOPE" rules set ea dpor --db "$DB" >"$T/set.out" || fail "rules set ea dpor"
grep -q "^ea: pal -> dpor" "$T/set.out" || fail "set output: $(cat "$T/set.out")"
subs
expect_eq "ea=dpor" "MISSING|EA_DPOR_EXPECTED|EA_DPOR_EXPECTED" "$(row "Litware Enterprise" "$T/s.csv")"
expect_eq "change recorded" "ea|pal|dpor|1" \
	"$(q "$DB" "select key, old_value, new_value, changed_at glob '20[0-9][0-9]-*T*Z' from policy_change")"
"$PALSCOPE" rules set ea dpor --db "$DB" | grep -q "already dpor" || fail "same value again"
expect_eq "no second record" 1 "$(q "$DB" "select count(*) from policy_change")"
"$PALSCOPE" rules --db "$DB" >"$T/rules2.out"
grep -q "^ea = dpor (not the default; alternatives pal|dpor; changed 20" "$T/rules2.out" || fail "ea shown"
grep -Eq "^   20[0-9-]+T[0-9:]+Z  ea: pal -> dpor$" "$T/rules2.out" || fail "change listed"
ok "ea: pal attributes EA with EA_SUBSCRIPTION, dpor makes it EA_DPOR_EXPECTED in the next report"

# reconcile suggests the switch the download contradicts (both ways).
pc() { printf 'MPN ID,CustomerTenantId,CustomerName,SubscriptionGuid,PartnerAttributionType,Month,ACR (USD)\n1234567,a0000008-0000-4000-8000-000000000000,"Litware, Inc.",%s,PAL,2026-10,100.00\n' "$1" >"$T/pc.csv"; }
rec() { "$PALSCOPE" reconcile --db "$DB" --partner-center "$T/pc.csv" --period 2026-10 --out "$T/rec.csv" 2>"$T/rec.err" || { cat "$T/rec.err"; fail "reconcile"; }; no_sanitizer_report "$T/rec.err"; }
EA=50800001-0000-4000-8000-000000000000 OPS=50800003-0000-4000-8000-000000000000
pc $EA; rec
expect_eq "suggestion ea=dpor" 'palscope: suggestion: 1 EA subscription that palscope (ea=dpor) predicts MISSING is PAL-attributed in your download: set `palscope rules set ea pal`' "$(grep suggestion "$T/rec.err")"
"$PALSCOPE" rules set ea pal --db "$DB" >/dev/null
rec
grep -q suggestion "$T/rec.err" && fail "ea=pal with the EA subscription attributed in the download: $(cat "$T/rec.err")"
pc $OPS; rec
expect_eq "suggestion ea=pal" 'palscope: suggestion: 1 EA subscription that palscope (ea=pal) predicts ATTRIBUTED is not PAL-attributed in your download, and none of its EA subscriptions is: if Partner Center credits them through DPOR, set `palscope rules set ea dpor`' "$(grep suggestion "$T/rec.err")"
"$PALSCOPE" rules set ea dpor --db "$DB" >/dev/null
pc 50200001-0000-4000-8000-000000000000; rec
expect_eq "suggestion read_only_roles" 'palscope: suggestion: 1 subscription whose linked identities hold only roles not eligible for partner earned credit that palscope (read_only_roles=not_eligible) predicts MISSING is PAL-attributed in your download: set `palscope rules set read_only_roles count`' "$(grep suggestion "$T/rec.err")"
ok "reconcile suggests ea=pal when the download attributes an EA subscription palscope calls MISSING, and ea=dpor the other way"

# read_only_roles: Trey Research's customer-side Reader.
"$PALSCOPE" rules set read_only_roles count --db "$DB" >/dev/null || fail "set read_only_roles"
subs
expect_eq "read_only_roles=count" "ATTRIBUTED||" "$(row "Müller Produktion" "$T/s.csv")"
"$PALSCOPE" rules set read_only_roles not_eligible --db "$DB" >/dev/null
subs
expect_eq "read_only_roles=not_eligible" "MISSING|ROLE_NOT_ELIGIBLE|ROLE_NOT_ELIGIBLE" \
	"$(row "Müller Produktion" "$T/s.csv")"
ok "read_only_roles count / not_eligible"

# marketplace_lighthouse: access only through the Marketplace offer.
expect_eq "marketplace=warning" "ATTRIBUTED||MARKETPLACE_OFFER" "$(row "Trey Research Lab" "$T/s.csv")"
"$PALSCOPE" rules set marketplace_lighthouse blocking --db "$DB" >/dev/null || fail "set marketplace"
subs
expect_eq "marketplace=blocking" "MISSING|MARKETPLACE_OFFER|MARKETPLACE_OFFER" \
	"$(row "Trey Research Lab" "$T/s.csv")"
ok "marketplace_lighthouse warning / blocking on a delegation with a Marketplace plan"

# Usage errors: one line, exit 2, nothing recorded.
n=$(q "$DB" "select count(*) from policy_change")
set +e
"$PALSCOPE" rules set ea maybe --db "$DB" 2>"$T/e1"; r1=$?
"$PALSCOPE" rules set colour red --db "$DB" 2>"$T/e2"; r2=$?
"$PALSCOPE" rules set ea --db "$DB" 2>"$T/e3"; r3=$?
"$PALSCOPE" rules show --db "$DB" 2>"$T/e4"; r4=$?
set -e
expect_eq "exit statuses" "2 2 2 2" "$r1 $r2 $r3 $r4"
expect_eq "bad value" "palscope: error: switch ea has no value 'maybe' (one of pal|dpor) (see 'palscope help rules')" "$(head -1 "$T/e1")"
expect_eq "bad key" "palscope: error: unknown switch 'colour' (one of ea|read_only_roles|custom_roles|marketplace_lighthouse|sovereign_cloud) (see 'palscope help rules')" "$(head -1 "$T/e2")"
grep -q "set needs KEY VALUE" "$T/e3" || fail "missing value: $(cat "$T/e3")"
expect_eq "nothing recorded" "$n" "$(q "$DB" "select count(*) from policy_change")"
ok "usage errors name the allowed values and change nothing"

# sovereign_cloud: a run collected with --cloud usgov records its cloud.
GOV=$T/gov.db
collect --db "$GOV" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 \
	--period 2026-10 --cloud usgov
expect_eq "gov collect exit status" 1 "$RC"
expect_eq "run cloud" "usgov" "$(q "$GOV" "select cloud from run")"
DB=$GOV subs
expect_eq "usgov: blocking" "MISSING|CLOUD_NOT_ELIGIBLE|CLOUD_NOT_ELIGIBLE;EA_SUBSCRIPTION" \
	"$(row "Litware Enterprise" "$T/s.csv")"
grep -q "collected in Azure Government (collect --cloud usgov)" "$T/s.csv" || fail "gov explanation"
"$PALSCOPE" rules set sovereign_cloud ignore --db "$GOV" >/dev/null || fail "set sovereign_cloud"
DB=$GOV subs
expect_eq "usgov: ignore" "ATTRIBUTED||EA_SUBSCRIPTION" "$(row "Litware Enterprise" "$T/s.csv")"
ok "sovereign_cloud: a usgov run is CLOUD_NOT_ELIGIBLE, ignore evaluates it like public"
