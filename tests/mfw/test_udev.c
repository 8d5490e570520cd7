// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding a USB module's tty again from its identity
 * ("VID:PID:SERIAL@DEVPATH:IFNUM"): only a USB device's own subtree is
 * ever searched, so an identity that names anything else is refused, not
 * crawled.
 */
#include <errno.h>
#include <string.h>

#include "udev.h"
#include "tap.h"

static int find(const char *ident)
{
	char node[256] = "unchanged";
	int ret = mfw_tty_by_identity(ident, node, sizeof(node));

	/* A failed search leaves the caller's buffer alone. */
	if (ret && strcmp(node, "unchanged"))
		return 1;
	return ret;
}

int main(void)
{
	char longer[5000];
	int ret;

	check(find("") == -EINVAL, "an empty identity is refused");
	check(find("ttyUSB2") == -EINVAL, "a name without an interface number is refused");
	check(find("2ecc:3012:-@devices/platform:00") == -EINVAL, "a relative path is refused");
	/* The place alone, as an older mfw's journal keeps it. */
	ret = find("/devices/platform/mfw-no-such-hcd.0/usb9/9-1:00");
	check(ret == -ENOENT, "an older journal's identity is still looked for (%d)", ret);
	ret = find("/class:00");
	check(ret == -EINVAL, "an older identity is refused outside USB devices (%d)", ret);
	check(find("2ecc:3012:-@") == -EINVAL, "an identity without a place is refused");
	/* These exist on every Linux system and are not USB devices. */
	ret = find("2ecc:3012:-@/class:00");
	check(ret == -EINVAL, "/sys/class is not searched (%d)", ret);
	ret = find("2ecc:3012:-@/kernel:00");
	check(ret == -EINVAL, "/sys/kernel is not searched (%d)", ret);
	ret = find("2ecc:3012:-@/devices/virtual/tty/tty:00");
	check(ret == -EINVAL, "a tty device is not a USB device (%d)", ret);
	ret = find("2ecc:3012:-@/devices/../../etc:00");
	check(ret == -EINVAL || ret == -ENOENT, "a path leaving /sys finds nothing (%d)", ret);
	ret = find("2ecc:3012:MFWSIM0001@/devices/platform/mfw-no-such-hcd.0/usb9/9-1:00");
	check(ret == -ENOENT, "an unplugged USB device is not there now (%d)", ret);
	memset(longer, 'a', sizeof(longer) - 4);
	memcpy(longer, "2ecc:3012:-@/", 13);
	memcpy(longer + sizeof(longer) - 4, ":00", 4);
	check(find(longer) == -EINVAL, "an identity longer than a path is refused");

	/* The same module on another USB path. */
	check(mfw_ident_same_module("2ecc:3012:MFWSIM0001@/devices/pci0000:00/usb1/1-1:02",
				    "2ecc:3012:MFWSIM0001@/devices/pci0000:00/usb3/3-2:02"),
	      "same IDs, serial and interface on another bus and port: the same module");
	check(!mfw_ident_same_module("2ecc:3012:MFWSIM0001@/devices/usb1/1-1:02",
				     "2ecc:3012:MFWSIM0002@/devices/usb1/1-1:02"),
	      "another serial number: another module");
	check(!mfw_ident_same_module("2ecc:3012:MFWSIM0001@/devices/usb1/1-1:02",
				     "2ecc:30ff:MFWSIM0001@/devices/usb1/1-1:02"),
	      "another product ID: not the module's AT port");
	check(!mfw_ident_same_module("2ecc:3012:MFWSIM0001@/devices/usb1/1-1:02",
				     "2ecc:3012:MFWSIM0001@/devices/usb1/1-1:03"),
	      "another interface: not the AT port");
	check(!mfw_ident_same_module("2ecc:3012:-@/devices/usb1/1-1:02",
				     "2ecc:3012:-@/devices/usb2/2-1:02"),
	      "no serial number: two modules of one model would look alike");
	check(!mfw_ident_same_module("2ecc:3012:@/devices/usb1/1-1:02",
				     "2ecc:3012:@/devices/usb2/2-1:02"),
	      "an empty serial number: the same");
	check(!mfw_ident_same_module("/devices/usb1/1-1:02", "/devices/usb1/1-1:02"),
	      "an older journal's identity (no IDs): never matched this way");
	return tap_done();
}
