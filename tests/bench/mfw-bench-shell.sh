#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The baseline of `make bench`: a plain shell loop writing a package over
# the hex path without mfw.  Sends AT+MFWERASE, then each AT+MFWDLOAD line
# of LINES (as mfw_bench wrote them, no CR) followed by CR on TTY, and
# reads answer lines until OK.  The caller set the tty raw and sent ATE0.
# Usage: mfw-bench-shell.sh TTY LINES
tty=$1 lines=$2
exec 3<>"$tty" || exit 1

# Send $1 + CR; 0 on OK, 1 on an error answer or end of input.
cmd() {
	printf '%s\r' "$1" >&3
	while IFS= read -r ans <&3; do
		case $ans in
		OK*) return 0 ;;
		*ERROR*) echo "# shell loop: '$ans' after ${1%%,\"*}" >&2; return 1 ;;
		esac
	done
	return 1
}

cmd AT+MFWERASE || exit 1
while IFS= read -r l; do
	cmd "$l" || exit 1
done <"$lines"
