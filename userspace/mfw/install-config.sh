#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Meson install script: put the default configuration in place as
# $DESTDIR/etc/mfw/mfw.conf unless a configuration is already there (a
# board's own is never overwritten; the default stays readable in
# <datadir>/mfw/mfw.conf).
# Usage: install-config.sh DEFAULT_FILE SYSCONFDIR
set -eu
src=$1
dir=${DESTDIR:-}$2/mfw
if [ -e "$dir/mfw.conf" ]; then
	echo "mfw: keeping $dir/mfw.conf (the default is in $src's installed copy)"
	exit 0
fi
install -d -m 0755 "$dir"
install -m 0644 "$src" "$dir/mfw.conf"
echo "mfw: installed the default configuration in $dir/mfw.conf"
