# bash completion for palscope                                   -*- shell-script -*-
# Installed to share/bash-completion/completions/palscope. Commands, subcommands and
# options are read from palscope's own help (`palscope help [COMMAND]`), so this file
# never goes out of date; --period values come from the database's runs.

# The words "  name   description" of a help text: commands, subcommands, reports.
_palscope_words() {
	"$1" help ${2:+"$2"} 2>/dev/null | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'
}

# The long options a command's help names.
_palscope_options() {
	"$1" help "$2" 2>/dev/null | grep -oE -- '--[a-z][a-z-]*' | sort -u
	printf '%s\n' --help --verbose --quiet
}

# The periods (YYYY-MM) of the runs in the database the command line names.
_palscope_periods() {
	local bin=$1 db=$2
	"$bin" db runs ${db:+--db "$db"} 2>/dev/null | tr ',\t' '  ' | tr -s ' ' '\n' |
		grep -E '^[0-9]{4}-(0[1-9]|1[0-2])$' | sort -u
}

_palscope() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local bin=${COMP_WORDS[0]} cmd= db= i w
	command -v "$bin" >/dev/null 2>&1 || bin=palscope
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--db) db=${COMP_WORDS[i+1]} ;;
		-*) ;;
		*) [ -z "$cmd" ] && [ "${COMP_WORDS[i-1]}" != --db ] && cmd=$w ;;
		esac
	done
	COMPREPLY=()
	case $prev in
	--db|--accounts|--out|--partner-center|--only-missing-from|--ca-bundle|--tenants)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--output|-o)
		COMPREPLY=($(compgen -W 'table csv json tsv' -- "$cur"))
		return ;;
	--period|--from|--to|--since|--before)
		COMPREPLY=($(compgen -W "$(_palscope_periods "$bin" "$db")" -- "$cur"))
		return ;;
	--cloud)
		COMPREPLY=($(compgen -W 'public china usgov' -- "$cur"))
		return ;;
	esac
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W '--help --version --verbose --quiet' -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_palscope_words "$bin")" -- "$cur"))
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_palscope_options "$bin" "$cmd")" -- "$cur"))
		return
	fi
	case $cmd in
	help)
		COMPREPLY=($(compgen -W "$(_palscope_words "$bin")" -- "$cur")) ;;
	import|merge)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	*)
		# the subcommand (report customers, link apply, db runs), when not given yet
		local sub= j
		for ((j = 1; j < COMP_CWORD; j++)); do
			[ "${COMP_WORDS[j]}" = "$cmd" ] || continue
			w=${COMP_WORDS[j+1]}
			[ $((j + 1)) -lt $COMP_CWORD ] && [[ $w != -* ]] && sub=$w
			break
		done
		[ -z "$sub" ] && COMPREPLY=($(compgen -W "$(_palscope_words "$bin" "$cmd")" -- "$cur")) ;;
	esac
}
complete -F _palscope palscope
