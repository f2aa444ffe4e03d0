#!/usr/bin/env bash
# why for a subscription or tenant id that no identity of the period saw: it says so and names what
# could have seen it, the identities that failed to sign in (with the AADSTS error) or saw no
# subscription (NO_RBAC); of the subscription's tenant when some run saw it, else of every tenant;
# exit 1, nothing on stdout. A name that matches nothing keeps the suggestions.
. "$(dirname "$0")/lib.sh"
demo_env
start_server "$FAKE/scenarios/demo.json"
DB=$T/w.db
ACC=$FAKE/scenarios/demo-accounts.csv
TAILSPIN_SUB=50600001-0000-4000-8000-000000000000
FORMULA_SUB=50300001-0000-4000-8000-000000000000
# 2026-09: Tailspin's right secret (the demo's is an old one), so its subscription is seen.
PALSCOPE_DEMO_SECRET_06_1=demo-secret-tailspin collect --db "$DB" --accounts "$ACC" --partner-id 1234567 --period 2026-09
expect_eq "2026-09 collect exit" 0 "$RC"
collect --db "$DB" --accounts "$ACC" --partner-id 1234567 --period 2026-10
expect_eq "2026-10 collect exit (Tailspin fails)" 1 "$RC"
# 2026-08: without Tailspin's line.
grep -v '^a0000006-' "$ACC" >"$T/no-tailspin.csv"
collect --db "$DB" --accounts "$T/no-tailspin.csv" --partner-id 1234567 --period 2026-08
expect_eq "2026-08 collect exit" 0 "$RC"

# why Q PERIOD: status in RC, stderr flattened to one line in ERR
why() {
	set +e
	"$PALSCOPE" why "$1" --db "$DB" --period "$2" >"$T/why.out" 2>"$T/why.err"
	RC=$?
	set -e
	no_sanitizer_report "$T/why.err"
	ERR=$(tr '\n' ' ' <"$T/why.err" | tr -s ' ')
}
has() { case "$ERR" in *"$1"*) ;; *) fail "$2: no '$1' in: $ERR" ;; esac; }
hasnt() { case "$ERR" in *"$1"*) fail "$2: '$1' in: $ERR" ;; esac; }

why "$TAILSPIN_SUB" 2026-10
expect_eq "why unseen exit" 1 "$RC"
[ ! -s "$T/why.out" ] || fail "why printed on stdout: $(cat "$T/why.out")"
has "palscope: no identity saw a subscription or tenant $TAILSPIN_SUB in 2026-10" "Tailspin sub"
has "(2026-09 saw it as subscription 'Tailspin Games' of tenant a0000006-0000-4000-8000-000000000000)" "Tailspin sub"
has "what could have seen it, identities of tenant a0000006-0000-4000-8000-000000000000:" "Tailspin sub"
has "- sign-in as 'Tailspin Toys' to tenant a0000006-0000-4000-8000-000000000000 failed (sign-in failed: HTTP 401 invalid_client: AADSTS7000215: Invalid client secret provided." "Tailspin sub"
hasnt "Formula Foods" "Tailspin sub (another tenant's identity named)"
ok "why <subscription seen in 2026-09> --period 2026-10: the failed sign-in of its tenant, with the error"

for q in "$FORMULA_SUB" b0000001-0000-4000-8000-000000000000; do
	why "$q" 2026-10
	expect_eq "why $q exit" 1 "$RC"
	has "palscope: no identity saw a subscription or tenant $q in 2026-10" "$q"
	has "what could have seen it:" "$q"
	has "- '=Formula Foods AB' signed in to tenant a0000003-0000-4000-8000-000000000000 but sees no subscription (NO_RBAC)" "$q"
	has "- sign-in as 'Tailspin Toys' to tenant a0000006-0000-4000-8000-000000000000 failed" "$q"
	hasnt "saw it as subscription" "$q"
	hasnt "did you mean" "$q"
done
ok "why <id never seen>: every failed sign-in and every identity without subscriptions"

why "$TAILSPIN_SUB" 2026-08
expect_eq "why exit (no identity of the tenant)" 1 "$RC"
has "no identity of tenant a0000006-0000-4000-8000-000000000000 is in the runs of 2026-08" "2026-08"
why b0000001-0000-4000-8000-000000000000 2026-09
has "- '=Formula Foods AB' signed in to tenant a0000003-0000-4000-8000-000000000000 but sees no subscription (NO_RBAC)" "2026-09"
hasnt "Tailspin" "2026-09 (Tailspin signed in)"
ok "why: a tenant with no identity in the period says so; a period without failures names only NO_RBAC"

# What was seen still explains itself; a name keeps the suggestions.
why "$TAILSPIN_SUB" 2026-09
expect_eq "why seen exit" 0 "$RC"
grep -q "Tailspin Games" "$T/why.out" || fail "why of a seen subscription: $(cat "$T/why.out")"
why "Contoso Ltx" 2026-10
expect_eq "why name exit" 1 "$RC"
has "palscope: no customer or subscription matches 'Contoso Ltx' in 2026-10" "name"
has "did you mean" "name"
ok "why of a seen subscription and of an unknown name unchanged"
