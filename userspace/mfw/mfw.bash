# SPDX-License-Identifier: GPL-2.0-only
# bash completion for mfw(8).
#
# The commands and their options are read from mfw's own --help, so this
# file knows only which arguments are files, directories or ttys.

# The long options of command $2 (none: the global ones) of program $1.
_mfw_options()
{
	"$1" ${2:+"$2"} --help 2>/dev/null |
		sed -n 's/^  \(-[A-Za-z], \|    \)\(--[a-z][a-z-]*\).*/\2/p'
}

# The options of command $2 (none: the global ones) of program $1 that
# take an argument, short and long forms.
_mfw_arg_options()
{
	"$1" ${2:+"$2"} --help 2>/dev/null |
		sed -n -e 's/^  -\([A-Za-z]\), --\([a-z][a-z-]*\) [A-Z].*/-\1 --\2/p' \
			-e 's/^      --\([a-z][a-z-]*\) [A-Z].*/--\1/p' |
		tr '\n' ' '
}

# The [module NAME] sections of the configuration in use.
_mfw_modules()
{
	sed -n 's/^[[:space:]]*\[module[[:space:]]\{1,\}\([A-Za-z0-9_-]\{1,\}\)[[:space:]]*\].*/\1/p' \
		"${MFW_CONFIG:-/etc/mfw/mfw.conf}" 2>/dev/null
}

# The commands of program $1.
_mfw_commands()
{
	"$1" --help 2>/dev/null |
		sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'
}

# COMPREPLY from the words $1 matching the current word.
_mfw_words()
{
	local IFS=$' \t\n'

	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur")
}

# File names (with -d: directories) matching the current word.
_mfw_files()
{
	local IFS=$'\n'

	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen "${1:--f}" -- "$cur")
}

# Serial ports: the usual tty devices, or any path once one is begun.
_mfw_ttys()
{
	local IFS=$'\n'

	if [[ -z $cur ]]; then
		mapfile -t COMPREPLY < <(compgen -G '/dev/tty[A-Z]*')
		[[ ${#COMPREPLY[@]} -gt 0 ]] && return
	fi
	_mfw_files
}

# The words up to the cursor into words[] and cword, with "--opt=value"
# whole again (bash splits it at "=", which is in COMP_WORDBREAKS).
_mfw_join_words()
{
	local i w joining=0

	words=()
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == "=" && ${#words[@]} -gt 0 && ${words[-1]} == --* ]]; then
			words[-1]+="="
			joining=1
		elif ((joining)); then
			words[-1]+=$w
			joining=0
		else
			words+=("$w")
		fi
	done
	cword=$((${#words[@]} - 1))
}

_mfw()
{
	local cur prev prog=${COMP_WORDS[0]} cmd= verb= args=0 i w takes cword
	local -a words

	COMPREPLY=()
	_mfw_join_words
	cur=${words[cword]}
	prev=${words[cword - 1]}
	# "--opt=value": complete the value as the option's argument.
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	fi
	# The command is the first word that is neither a global option nor
	# the argument of one; for manifest, the verb comes next.
	takes=" $(_mfw_arg_options "$prog") "
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if [[ $w == --*=* ]]; then
			continue
		elif [[ $takes == *" $w "* ]]; then
			((i++))
		elif [[ $w != -* && -z $cmd ]]; then
			cmd=$w
			takes=" $(_mfw_arg_options "$prog" "$cmd") "
		elif [[ $w != -* ]]; then
			[[ $cmd == manifest && -z $verb ]] && verb=$w
			((args++))
		fi
	done

	# The argument of an option.
	case $prev in
	-c | --config | -o | --output | -i | --image | -m | --manifest | \
	-k | --key | -P | --pubkey)
		_mfw_files
		return
		;;
	--sysfs-root | --state-dir)
		_mfw_files -d
		return
		;;
	--module)
		_mfw_words "$(_mfw_modules)"
		return
		;;
	-p | --port)
		_mfw_ttys
		return
		;;
	-s | --speed)
		_mfw_words "9600 19200 38400 57600 115200 230400 460800 921600"
		return
		;;
	esac
	[[ $takes == *" $prev "* ]] && return

	if [[ $cur == -* ]]; then
		_mfw_words "$(_mfw_options "$prog" "$cmd")"
		return
	fi
	if [[ -z $cmd ]]; then
		_mfw_words "$(_mfw_commands "$prog")"
		return
	fi
	case $cmd in
	attach)
		((args == 0)) && _mfw_ttys
		;;
	power)
		((args == 0)) && _mfw_words "on off reset status"
		;;
	upgrade)
		((args == 0)) && _mfw_files
		;;
	manifest)
		if [[ -z $verb ]]; then
			_mfw_words "create sign verify"
		elif ((args == 1)); then
			_mfw_files
		fi
		;;
	help)
		((args == 0)) && _mfw_words "$(_mfw_commands "$prog")"
		;;
	esac
}

complete -F _mfw mfw
