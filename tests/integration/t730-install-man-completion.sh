#!/usr/bin/env bash
# Install, man pages and shell completion (issue "The command line as people expect it"):
# - `cmake --install BUILD --prefix P` puts the binary, one man page per command and the bash and
#   zsh completions under P, and the installed binary runs;
# - every man page renders (mandoc -T lint -W error, man -l without warnings), `man palscope-why`
#   finds and renders the installed page, and each page names every long option its command's
#   --help names (so a new option without documentation fails here);
# - the installed bash completion, sourced in bash, completes commands, subcommands, options,
#   --output values, --period from the database's runs and file names; the zsh completion loads
#   in zsh's completion system.
. "$(dirname "$0")/lib.sh"
build=$(dirname "$PALSCOPE")
prefix=$T/inst
cmake --install "$build" --prefix "$prefix" >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; fail "cmake --install"; }
bin=$prefix/bin/palscope
[ -x "$bin" ] || fail "no $bin"
"$bin" --version | grep -q '^palscope ' || fail "installed palscope --version"
[ -f "$prefix/share/bash-completion/completions/palscope" ] || fail "bash completion not installed"
[ -f "$prefix/share/zsh/site-functions/_palscope" ] || fail "zsh completion not installed"
ok "installed: binary, completions"

# Every command of `palscope help` has its page; every page renders cleanly.
man1=$prefix/share/man/man1
[ -f "$man1/palscope.1" ] || fail "no palscope(1)"
cmds=$("$bin" help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | grep -vx -e help -e version)
[ -n "$cmds" ] || fail "no commands in palscope help"
for c in $cmds; do
	page=$man1/palscope-$c.1
	[ -f "$page" ] || fail "command '$c' has no man page: add man/palscope-$c.1.scd"
	grep -q "palscope-$c" "$man1/palscope.1" || fail "palscope(1) does not name palscope-$c(1)"
	for opt in $("$bin" help "$c" 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		grep -qF -- "$opt" <(sed 's/\\-/-/g; s/\\f[BIR]//g' "$page") ||
			fail "palscope $c --help names $opt but man/palscope-$c.1.scd does not"
	done
done
for page in "$man1"/*.1; do
	mandoc -T lint -W error "$page" >"$T/lint" 2>&1 || { cat "$T/lint" >&2; fail "mandoc lint $(basename "$page")"; }
	MANWIDTH=80 man -l "$page" >"$T/page.txt" 2>"$T/man.err" || fail "man -l $(basename "$page")"
	[ ! -s "$T/man.err" ] || { cat "$T/man.err" >&2; fail "man -l warns on $(basename "$page")"; }
	grep -q '^NAME' "$T/page.txt" || fail "$(basename "$page") has no NAME section"
done
MANPATH=$prefix/share/man MANWIDTH=80 man palscope-why >"$T/why.txt" 2>&1 || fail "man palscope-why"
grep -q 'palscope-why - explain' "$T/why.txt" || fail "man palscope-why did not render the page"
grep -q -- '--period' "$T/why.txt" || fail "man palscope-why lacks --period"
ok "man pages: $(ls "$man1" | wc -l) pages render, every --help option documented"

# bash completion: source the installed file and call its function as bash would.
db=$T/c.db
rm -f "$db"
start_server "$FAKE/scenarios/demo.json"
set -a; . "$FAKE/scenarios/demo-secrets.env"; set +a
"$bin" collect -q --db "$db" --accounts "$FAKE/scenarios/demo-accounts.csv" --partner-id 1234567 \
	--period 2026-10 --arm-url "$URL" --login-url "$URL" || [ $? -eq 1 ]
touch "$T/accounts-one.csv" "$T/accounts-two.csv"
complete_bash() { # complete_bash WORD... : the completions of the last word, sorted, one line
	PATH="$prefix/bin:$PATH" bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_palscope
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ \
		"$prefix/share/bash-completion/completions/palscope" palscope "$@"
}
expect() { # expect "got" "want" what
	[ "$1" = "$2" ] || fail "completion of $3: got '$1', want '$2'"
}
expect "$(complete_bash re)" "reconcile report " "'palscope re'"
expect "$(complete_bash report '')" "customers html subscriptions summary trend " "'palscope report '"
expect "$(complete_bash link ap)" "apply " "'palscope link ap'"
expect "$(complete_bash db r)" "runs " "'palscope db r'"
expect "$(complete_bash why x --per)" "--period " "'palscope why x --per'"
expect "$(complete_bash -q report summary --db "$db" --period '')" "2026-10 " "--period from the database's runs"
expect "$(complete_bash collect --accounts "$T/accounts-")" "$T/accounts-one.csv $T/accounts-two.csv " "--accounts file names"
expect "$(complete_bash report customers --cloud u)" "usgov " "--cloud values"
got=$(complete_bash collect --)
for o in --accounts --partner-id --db --period --concurrency; do
	case " $got " in *" $o "*) ;; *) fail "collect -- does not offer $o (got $got)";; esac
done
if "$bin" help report | grep -q -- '--output'; then
	expect "$(complete_bash report customers --output '')" "csv json table tsv " "--output values"
fi
ok "bash completion: commands, subcommands, options, periods, files"

# zsh: the function loads through compinit from the installed site-functions directory and
# completes 'palscope rep' to 'report' in an interactive zsh driven through zsh/zpty.
ZDOTDIR=$T PATH="$prefix/bin:$PATH" zsh -f -c '
	zmodload zsh/zpty || exit 3
	zpty z zsh -f -i
	zpty -w z "PS1=\"> \"; fpath=($1 \$fpath); autoload -U compinit; compinit -u -d $2/zcompdump; unsetopt beep"
	zpty -w -n z "palscope rep	"
	zpty -w z "  #END"
	out=
	for i in {1..50}; do
		zpty -r -t z chunk 2>/dev/null && out+=$chunk
		[[ $out == *"#END"* ]] && break
		sleep 0.1
	done
	zpty -d z
	print -r -- "$out" > $2/zsh.out
	[[ $out == *"palscope report"* ]]' _ "$prefix/share/zsh/site-functions" "$T" ||
	{ cat -v "$T/zsh.out" >&2; fail "zsh completion of 'palscope rep'"; }
ok "zsh completion: 'palscope rep<TAB>' -> 'palscope report'"
