#!/usr/bin/env bash
# A collect that is killed (SIGKILL) or stopped (SIGTERM) mid-run leaves every
# earlier run intact, is read as incomplete, and the database stays sound.
. "$(dirname "$0")/lib.sh"
demo_env
DB=$T/k.db
start_server "$FAKE/scenarios/demo.json"
collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 --period 2026-10
expect_eq "first run" 1 "$RC"
before=$(q "$DB" "select count(*) from subscription where run_id = 1; select count(*) from cost_daily where run_id = 1; select count(*) from role_assignment where run_id = 1")
stop_server

# A slow server so the next run is surely in flight when it is killed.
start_server "$FAKE/scenarios/demo.json" --latency-ms 150
runs=1
for sig in KILL TERM; do
	runs=$((runs + 1))
	"$PALSCOPE" collect --db "$DB" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 \
		--period 2026-10 --arm-url "$URL" --login-url "$URL" --concurrency 2 >"$T/c.out" 2>"$T/c.err" &
	pid=$!
	# Wait until this run has stored data of its own (so it is surely mid-run).
	for _ in $(seq 1 300); do
		n=$(q "$DB" "select count(*) from subscription where run_id = $runs" 2>/dev/null || echo 0)
		[ "$n" -ge 1 ] && break
		sleep 0.1
	done
	[ "$n" -ge 1 ] || fail "SIG$sig: the run stored nothing in 30 s"
	kill -s "$sig" "$pid"
	set +e; wait "$pid"; rc=$?; set -e
	no_sanitizer_report "$T/c.err"
	[ "$rc" -ne 0 ] || fail "SIG$sig: collect exited 0"
	expect_eq "integrity after SIG$sig" ok "$(q "$DB" "pragma integrity_check")"
	expect_eq "run 1 intact after SIG$sig" "$before" \
		"$(q "$DB" "select count(*) from subscription where run_id = 1; select count(*) from cost_daily where run_id = 1; select count(*) from role_assignment where run_id = 1")"
	expect_eq "run 1 status after SIG$sig" partial "$(q "$DB" "select status from run where run_id = 1")"
	last=$(q "$DB" "select max(run_id) from run")
	if [ "$sig" = KILL ]; then
		# No chance to clean up: the run stays 'running' with no end time (read as incomplete).
		expect_eq "killed run" "running|" "$(q "$DB" "select status, coalesce(ended_at, '') from run where run_id = $last")"
	else
		expect_eq "stopped run" incomplete "$(q "$DB" "select status from run where run_id = $last")"
		grep -q "marked incomplete" "$T/c.err" || fail "SIGTERM message"
	fi
	ok "SIG$sig mid-run: earlier run intact, this run incomplete"
done
expect_eq "foreign keys" "" "$(q "$DB" "pragma foreign_key_check")"
