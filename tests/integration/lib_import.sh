# Helpers for the import tests t42x (sourced after lib.sh; TEN is the --tenant of imp).
F=$SRCDIR/tests/fixtures/import

# imp_in TENANT DB args...: palscope import --period 2026-10; status in $RC, stderr in $T/imp.err
imp_in() {
	local ten=$1 db=$2; shift 2
	set +e
	"$PALSCOPE" import --db "$db" --tenant "$ten" --partner-id 1234567 --period 2026-10 "$@" \
		>"$T/imp.out" 2>"$T/imp.err"
	RC=$?
	set -e
	no_sanitizer_report "$T/imp.err"
}
imp() { local db=$1; shift; imp_in "$TEN" "$db" "$@"; }

# the database's content (without palscope_meta, which records when it was opened)
dump() { sqlite3 "$1" .dump | grep -v '^INSERT INTO palscope_meta'; }

# refused NAME REGEX args...: importing into $DB exits 2 with an error matching REGEX and leaves
# $DB as dumped in $T/before.sql
refused() {
	local name=$1 re=$2; shift 2
	imp "$DB" "$@"
	expect_eq "$name: exit" 2 "$RC"
	grep -Eq -- "error: .*$re" "$T/imp.err" || { cat "$T/imp.err"; fail "$name: message"; }
	grep -q "nothing was imported" "$T/imp.err" || fail "$name: 'nothing was imported'"
	dump "$DB" >"$T/after.sql"
	cmp -s "$T/before.sql" "$T/after.sql" || { diff "$T/before.sql" "$T/after.sql" | head; fail "$name: database changed"; }
	ok "$name: $(grep error: "$T/imp.err" | head -1 | cut -c1-220)"
}
