#!/usr/bin/env bash
# palscope reconcile reads one query (sql/reports/reconcile.sql) by subscription or by customer,
# as the download says (temp.reconcile_meta.by_subscription): every cause of both shapes on the
# rule fixture database (tests/fixtures/report/rules.sql: CSP, another partner's link, a failed
# collection, an unknown tenant), CSVs read back with Python's csv module.
. "$(dirname "$0")/lib.sh"
DB=$T/rules.db
# the schema as palscope's migrations make it (as t170 does), then the fixture's runs as data
for m in "$SRCDIR"/sql/migrations/*.sql; do
	sqlite3 "$DB" < "$m"
done
latest=$(ls "$SRCDIR"/sql/migrations/ | sed -n 's/^\([0-9]\{4\}\)_.*/\1/p' | sort | tail -1)
sqlite3 "$DB" "pragma application_id = $((0x50414c53)); pragma user_version = $((10#$latest))"
chmod 600 "$DB"
sqlite3 "$DB" < "$SRCDIR/tests/fixtures/report/rules.sql"
export PALSCOPE_NOW=2027-03-15T00:00:00Z
T1=aaaaaaaa-0000-4000-8000-000000000001 # Contoso: ATTRIBUTED, CSP_2015-05-01 subscriptions
T2=aaaaaaaa-0000-4000-8000-000000000002 # Fabrikam: MISSING LINK_WRONG_PARTNER_ID
T7=aaaaaaaa-0000-4000-8000-000000000007 # Woodgrove: UNKNOWN COLLECTION_FAILED
T10=aaaaaaaa-0000-4000-8000-000000000010 # Lighthouse Customer: ATTRIBUTED
TX=99999999-9999-4999-8999-999999999999 # no identity in it
rec() { # rec OUT args...
	local out=$1; shift
	set +e
	"$PALSCOPE" reconcile --db "$DB" --out "$out" "$@" 2>"$T/rec.err"
	RC=$?
	set -e
	no_sanitizer_report "$T/rec.err"
	[ "$RC" = 0 ] || { cat "$T/rec.err"; fail "reconcile exit $RC"; }
}
# row FILE TENANT [SUBSCRIPTION]: match|status|reason|subscription_id|causes of that row
row() {
	"$PYTHON" - "$@" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8-sig")))
want_sub = sys.argv[3] if len(sys.argv) > 3 else None
hits = [r for r in rows if r["tenant_id"] == sys.argv[2]
        and (want_sub is None or r["subscription_id"] == want_sub)]
if len(hits) != 1:
    sys.exit("%d rows for %s %s" % (len(hits), sys.argv[2], want_sub or ""))
r = hits[0]
print("|".join([r["match"], r["palscope_status"], r["reason_code"], r["subscription_id"],
                r["likely_causes"]]))
PY
}

# By customer: a download without subscription ids.
printf 'CustomerTenantId,CustomerName,PartnerAttributionType,Month,MPN ID,ACR (USD)\n' >"$T/cust.csv"
printf '%s,Fabrikam,PAL,10/1/2026,7654321,441.81\n' $T2 >>"$T/cust.csv"
printf '%s,Woodgrove,PAL,10/1/2026,7654321,20.00\n' $T7 >>"$T/cust.csv"
printf '%s,Lighthouse,PAL,10/1/2026,1234567,10.00\n' $T10 >>"$T/cust.csv"
printf '%s,Unknown,PAL,10/1/2026,1234567,12.00\n' $TX >>"$T/cust.csv"
rec "$T/c.csv" --partner-center "$T/cust.csv" --period 2026-10
F="REPORT_FILTERS: the download holds PAL rows for 2026-10 and partner IDs 1234567, 7654321; check its date range, location and attribution filters"
expect_eq "CSP customer" "PREDICTED_ONLY|ATTRIBUTED|||CSP_PRECEDENCE: CSP_2015-05-01 subscriptions are CSP; if you are the CSP partner, Partner Center shows them as CSP, not PAL; OTHER_LOCATION_ID: the link to 1234567 may be to a location ID this download does not cover; $F" "$(row "$T/c.csv" $T1)"
expect_eq "customer seen, not predicted" "REPORTED_ONLY|MISSING|LINK_WRONG_PARTNER_ID||UNSEEN_IDENTITY: Partner Center attributes it through an identity palscope did not see in tenant $T2 (palscope: MISSING LINK_WRONG_PARTNER_ID)" "$(row "$T/c.csv" $T2)"
expect_eq "customer failed collection" "REPORTED_ONLY|UNKNOWN|COLLECTION_FAILED||UNSEEN_IDENTITY: Partner Center attributes it through an identity palscope did not see in tenant $T7 (palscope: UNKNOWN COLLECTION_FAILED)" "$(row "$T/c.csv" $T7)"
expect_eq "customer both" "BOTH|ATTRIBUTED|||" "$(row "$T/c.csv" $T10)"
expect_eq "unknown customer" "REPORTED_ONLY|NOT_SEEN|||NO_IDENTITY: tenant $TX has no collected or imported identity; collect or import one signed in to it" "$(row "$T/c.csv" $TX)"
n=$("$PYTHON" -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1],encoding="utf-8-sig"))); print(len(r), len({x["tenant_id"] for x in r}), sum(x["subscription_id"] != "" for x in r))' "$T/c.csv")
expect_eq "one row per customer, no subscription ids" "13 13 0" "$n"
ok "by customer: CSP precedence, unseen identity (two statuses), both, no identity"

# By subscription, on the same database: subscriptions Partner Center names that no identity saw.
S1=11111111-0000-4000-8000-00000000aaaa
SX=22222222-0000-4000-8000-00000000bbbb
printf 'CustomerTenantId,CustomerName,SubscriptionGuid,PartnerAttributionType,Month,MPN ID\n' >"$T/sub.csv"
printf '%s,Contoso,%s,PAL,10/1/2026,7654321\n' $T1 $S1 >>"$T/sub.csv"
printf '%s,Unknown,%s,PAL,10/1/2026,1234567\n' $TX $SX >>"$T/sub.csv"
PALSCOPE_NOW=2026-11-03T00:00:00Z rec "$T/s.csv" --partner-center "$T/sub.csv" --period 2026-10
expect_eq "subscription no identity saw" "REPORTED_ONLY|NOT_SEEN||$S1|UNSEEN_IDENTITY: no identity palscope collected in tenant $T1 sees this subscription; Partner Center attributes it through another linked user, service principal or group" "$(row "$T/s.csv" $T1 $S1)"
expect_eq "subscription of an unknown tenant" "REPORTED_ONLY|NOT_SEEN||$SX|NO_IDENTITY: tenant $TX has no collected or imported identity; collect or import one signed in to it" "$(row "$T/s.csv" $TX $SX)"
csp=$("$PYTHON" -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")):
    if r["likely_causes"].startswith("DATA_LATENCY") and "CSP_PRECEDENCE: offer CSP_2015-05-01 is a CSP subscription" in r["likely_causes"] and "Partner Center attributes this customer to partner ID 7654321, not 1234567" in r["likely_causes"]:
        print(r["tenant_id"], r["match"])' "$T/s.csv" | sort -u)
expect_eq "a CSP subscription: latency, CSP, the other partner ID" "$T1 PREDICTED_ONLY" "$csp"
ok "by subscription: unseen subscription, unknown tenant, data latency + CSP offer + other location ID"
