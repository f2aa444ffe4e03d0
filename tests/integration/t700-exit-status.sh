#!/usr/bin/env bash
# Exit statuses from the one map in cli/main.c: database and I/O failures (corrupt, not a
# database, locked by another sqlite3, read-only, full) exit 3 with one error line naming the
# file (and its directory for read-only and full), unreadable user input exits 2, a database
# file with a mode looser than 0600 is warned about, and an --out that is a device is written,
# never replaced. As root the read-only and full file systems are real tmpfs mounts; otherwise
# a chmod 555 directory and /dev/full stand in for them.
. "$(dirname "$0")/lib.sh"
F=$SRCDIR/tests/fixtures/import
TEN=11111111-1111-4111-8111-111111111111
DB=$T/p.db
MOUNTS=()
unmount_all() {
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
	MOUNTS=()
	cleanup
}
trap unmount_all EXIT

run() { # run ARGS...: status in $RC, stderr in $T/err
	set +e
	"$PALSCOPE" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	no_sanitizer_report "$T/err"
}
imp() { # imp DB FILES...
	local db=$1; shift
	run import --db "$db" --tenant $TEN --partner-id 1234567 --include-groups "$@"
}
ALL=("$F/link.json" "$F/account-list.json" "$F/account-subscription-list.json" "$F/ra-s1.json"
	"$F/ra-s2.json" "$F/ra-s3.json" "$F/role-definitions.json" "$F/cost-ea.csv")
# expect_fail WHAT STATUS REGEX: the status, one error line (import's notes on the files may
# come before it), matching REGEX
expect_fail() {
	expect_eq "$1: exit status" "$2" "$RC"
	expect_eq "$1: error lines" 1 "$(grep -Ec "error|see 'palscope" "$T/err")"
	grep -Eq -- "^palscope: error: $3" "$T/err" || { cat "$T/err"; fail "$1: message"; }
	ok "$1: exit $2, $(grep error "$T/err")"
}
imp "$DB" "${ALL[@]}"
[ "$RC" = 0 ] || { cat "$T/err"; fail "import"; }
expect_eq "new database mode" "600" "$(stat -c %a "$DB")"

# 1. Corrupt database, and a file that is not a database at all.
cp "$DB" "$T/corrupt.db"
"$PYTHON" - "$T/corrupt.db" <<'PY'
import sys
# Overwrite pages 2.. (the schema's tables and indexes) with garbage; page 1's header stays.
with open(sys.argv[1], "r+b") as f:
    f.seek(4096)
    f.write(bytes((i * 37 + 11) % 256 for i in range(4096 * 8)))
PY
run report customers --db "$T/corrupt.db"
expect_fail "corrupt database" 3 "database '$T/corrupt.db'.*(malformed|not a database).*damaged"
head -c 3000 /dev/urandom >"$T/junk.db"; chmod 600 "$T/junk.db"
run report subscriptions --db "$T/junk.db"
expect_fail "not a database" 3 "database '$T/junk.db'.*(file is not a database|malformed).*damaged"
echo "hello" >"$T/text.db"; chmod 600 "$T/text.db"
run db runs --db "$T/text.db"
expect_eq "text file as --db (db runs): exit" 3 "$RC"

# 2. Locked: another sqlite3 holds a write lock for longer than palscope's 5 s busy timeout.
cp "$DB" "$T/locked.db"
before=$(sqlite3 "$T/locked.db" .dump | md5sum)
mkfifo "$T/lock.fifo"
sqlite3 "$T/locked.db" <"$T/lock.fifo" >/dev/null &
LOCKER=$!
exec 3>"$T/lock.fifo"
echo "BEGIN IMMEDIATE; UPDATE run SET status = status;" >&3
sleep 1
t0=$(date +%s)
run db prune --keep-periods 1 --db "$T/locked.db"
expect_fail "locked database (db prune)" 3 "database '$T/locked.db'.*locked.*another process holds a lock"
t1=$(date +%s)
[ $((t1 - t0)) -ge 4 ] || fail "locked database: gave up after $((t1 - t0)) s, before the busy timeout"
imp "$T/locked.db" "${ALL[@]}"
expect_eq "locked database (import): exit" 3 "$RC"
grep -q "locked" "$T/err" || { cat "$T/err"; fail "import into a locked database: message"; }
exec 3>&- # sqlite3 reads EOF, rolls back and exits
wait "$LOCKER" || true
expect_eq "locked database unchanged" "$before" "$(sqlite3 "$T/locked.db" .dump | md5sum)"
ok "locked database: waited, exit 3, unchanged"

# 3. Read-only: the database's directory, and a report into a read-only directory.
RO=$T/ro
mkdir -p "$RO"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=4m tmpfs "$RO" 2>/dev/null; then
	MOUNTS+=("$RO")
	cp -p "$DB" "$RO/p.db"
	mount -o remount,ro "$RO"
	ro_kind="read-only tmpfs"
else
	cp -p "$DB" "$RO/p.db"
	chmod 555 "$RO"
	ro_kind="chmod 555 directory"
fi
imp "$RO/p.db" "${ALL[@]}"
expect_fail "import into a database in a $ro_kind" 3 "database '$RO/p.db': .*directory '$RO' of '$RO/p.db' cannot be written: (Read-only file system|Permission denied); nothing was imported"
run import --db "$RO/new.db" --tenant $TEN --partner-id 1234567 "${ALL[@]}"
expect_fail "new database in a $ro_kind" 3 "cannot create database '$RO/new.db'.*(Read-only file system|Permission denied)"
run report customers --db "$DB" --out "$RO/customers.csv"
expect_fail "report into a $ro_kind" 3 "cannot create '$RO/customers.csv' \(directory '$RO'\): (Read-only file system|Permission denied)"

# 4. Full: a report and a database write on a full file system.
if [ "$(id -u)" = 0 ] && mkdir -p "$T/full" && mount -t tmpfs -o size=1m tmpfs "$T/full" 2>/dev/null; then
	MOUNTS+=("$T/full")
	cp -p "$DB" "$T/full/p.db"
	dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null || true
	run report customers --db "$DB" --out "$T/full/customers.csv"
	expect_fail "report on a full file system" 3 "cannot (write|create) '$T/full/customers.csv' \(directory '$T/full'\): No space left on device"
	[ ! -e "$T/full/customers.csv" ] && [ ! -e "$T/full/customers.csv.tmp" ] || fail "full: a partial report was left"
	imp "$T/full/p.db" "${ALL[@]}" "$F/cost-mca.csv" "$F/cost-old.csv"
	expect_eq "import into a database on a full file system: exit" 3 "$RC"
	grep -Eq "^palscope: error: .*'$T/full/p.db'.*(no space left on device|No space left on device).*directory '$T/full'" "$T/err" ||
		{ cat "$T/err"; fail "full database: message"; }
	rm -f "$T/full/filler"
	expect_eq "full database: integrity" ok "$(q "$T/full/p.db" "pragma integrity_check")"
	expect_eq "full database: still one run" 1 "$(q "$T/full/p.db" "select count(*) from run")"
	ok "import into a database on a full tmpfs: exit 3, nothing stored"
fi
# Not a regular file: written in place, never replaced by the renamed temporary file (a
# symbolic link stays a link, a FIFO stays a FIFO, /dev/full stays a device).
: >"$T/target.csv"
ln -s "$T/target.csv" "$T/link.csv"
run report customers --db "$DB" --out "$T/link.csv"
expect_eq "report to a symbolic link: exit" 0 "$RC"
[ -L "$T/link.csv" ] || fail "report to a symbolic link replaced the link"
grep -q '^"tenant_id",' "$T/target.csv" || fail "report to a symbolic link: target has no CSV"
mkfifo "$T/pipe"
cat "$T/pipe" >"$T/from-pipe.csv" &
READER=$!
run report customers --db "$DB" --out "$T/pipe"
wait "$READER"
expect_eq "report to a FIFO: exit" 0 "$RC"
[ -p "$T/pipe" ] || fail "report to a FIFO replaced it"
cmp -s "$T/target.csv" "$T/from-pipe.csv" || fail "report to a FIFO: not the same CSV"
run report customers --db "$DB" --out /dev/full
expect_fail "report to /dev/full" 3 "cannot write '/dev/full' \(directory '/dev'\): No space left on device"
[ -c /dev/full ] || fail "/dev/full is no longer a character device"
set +e
"$PALSCOPE" db runs --db "$DB" >/dev/full 2>"$T/err"
RC=$?
set -e
expect_fail "db runs to a full stdout" 3 "cannot write to standard output: No space left on device"

# 5. Unreadable user input: exit 2.
imp "$T/new2.db" "$T/nope.json"
expect_fail "import of a missing file" 2 "cannot open '$T/nope.json': No such file or directory; nothing was imported"
[ ! -e "$T/new2.db" ] || fail "import of a missing file created the database"
run reconcile --db "$DB" --partner-center "$T/nope.csv"
expect_fail "reconcile of a missing file" 2 "cannot open '$T/nope.csv'"
for cmd in "report customers" "why Contoso" "db version" "db runs" "reconcile --partner-center $F/partner-center.csv"; do
	run $cmd --db "$T/missing.db"
	expect_fail "$cmd on a missing database" 2 "database '$T/missing.db' does not exist"
	[ ! -e "$T/missing.db" ] || fail "$cmd created the missing database"
done

# 6. A database others can read is warned about (and still used); 0600 is not.
chmod 644 "$DB"
run report summary --db "$DB"
expect_eq "mode 0644: exit" 0 "$RC"
grep -q "^palscope: warning: database '$DB' can be read or written by others (mode 0644).*chmod 600 '$DB'" "$T/err" ||
	{ cat "$T/err"; fail "mode 0644: no warning"; }
chmod 600 "$DB"
run report summary --db "$DB"
expect_eq "mode 0600: exit" 0 "$RC"
! grep -q "can be read or written by others" "$T/err" || fail "mode 0600: warned"
ok "a database readable by others is warned about"
