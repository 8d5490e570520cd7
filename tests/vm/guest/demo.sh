#!/bin/sh
# The demo, as it runs inside the rig's guest: a simulated ML307R-DC plugs
# in over USB, mfw's line discipline is attached to its AT port, and an
# ordinary AT client talks to the module through it while the driver sees
# every line the module sends.
set -u
# The modem's tty becomes our controlling terminal; its unplug must not
# end the demo.
trap '' HUP
say() { printf '\n### %s\n' "$*"; }
fail() { echo "demo: $*" >&2; exit 1; }

say "A simulated ML307R-DC plugs in over USB (dummy_hcd, configfs ACM gadget)"
tty=$(mfw-gadget create) || fail "gadget did not enumerate"
dev=$(readlink -f /sys/class/tty/${tty#/dev/}/device/..)
echo "USB $(cat $dev/idVendor):$(cat $dev/idProduct) \"$(cat $dev/manufacturer) $(cat $dev/product)\" -> $tty"

say "mfw's line discipline goes on the AT port (ldattach holds the port)"
ld=$(cat /sys/module/mfw/parameters/ldisc)
ldattach -d -s 115200 "$ld" "$tty" &
hold=$!
sleep 1
grep -w mfw /proc/tty/ldiscs

say "The module boots (mfw-modemsim serves the gadget side, /dev/ttyGS0)"
mfw-modemsim --tty /dev/ttyGS0 --gadget "$(mfw-gadget dir)" \
	--udc "$(mfw-gadget udc)" --boot-ms 500 --transcript /tmp/modem.log \
	2>/tmp/modemsim.err &
sim=$!
i=0
until grep -q 'mfw-modemsim: ready' /tmp/modemsim.err 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "simulator did not start: $(cat /tmp/modemsim.err)"
	sleep 0.1
done

exec 3<>"$tty"
# Send one command, print what comes back up to its final result.
at() {
	printf '> %s\n' "$1"
	printf '%s\r' "$1" >&3
	while IFS= read -r -t 5 line <&3; do
		line=$(printf '%s' "$line" | tr -d '\r')
		[ -n "$line" ] || continue
		printf '< %s\n' "$line"
		case $line in
		OK | ERROR | "+CME ERROR"*) return 0 ;;
		esac
	done
	echo "  (no final result within 5 s)"
}
while IFS= read -r -t 5 line <&3; do
	line=$(printf '%s' "$line" | tr -d '\r')
	[ -n "$line" ] && printf '< %s\n' "$line"
	[ "$line" = "+MATREADY" ] && break
done

say "An AT client talks to the module through the discipline"
at "ATE0"
at "ATI"
at "AT+CGMR"
at "AT+MFWCFG=\"timeout\""
at "AT+MFWDLOAD?"
at "AT+MFWCHECK=2"

say "What the driver made of it (/sys/class/mfw)"
for d in /sys/class/mfw/mfw*; do
	echo "$d:"
	for a in tty model family firmware state last_urc \
		statistics/rx_lines statistics/urcs \
		statistics/user_commands statistics/driver_commands; do
		printf '  %-28s %s\n' "$a" "$(cat $d/$a)"
	done
done

say "Unplug: the port and /dev/mfw0 go away with the module"
exec 3>&-
mfw-gadget unplug
sleep 1
ls /dev/mfw* 2>/dev/null || echo "no /dev/mfw* left"
kill $sim $hold 2>/dev/null
wait $sim $hold 2>/dev/null
dmesg | grep -E 'mfw[0-9]+: (attached|detached)' | sed 's/^\[[^]]*\] //'
mfw-gadget destroy
echo
echo "demo finished"
