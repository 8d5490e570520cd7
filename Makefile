# SPDX-License-Identifier: GPL-2.0-only
# mfw - top-level entry point.
#
#   make check     install build dependencies, build everything, run every test
#   make soak      the long stress runs make check keeps short (not a gate)
#   make demo      the automatic upgrade of a simulated module, on a full
#                  Debian guest (systemd, udev, ModemManager), narrated
#   make bench     write paths against the line rate, in a QEMU guest (not a test)
#   make modules   build the kernel module against $(KDIR)
#   make modules_install  install it under /lib/modules (INSTALL_MOD_PATH,
#                  INSTALL_MOD_DIR as for any external module)
#   make userspace build the helper and the simulator with Meson
#   make install   module sources + DKMS, userspace, udev rules, systemd units
#   make uninstall remove all of that again

# KERNEL_SRC: what Yocto's module class and Buildroot's kernel-module
# infrastructure pass; KDIR: what most out-of-tree drivers read.
KERNEL_SRC ?= /lib/modules/$(shell uname -r)/build
KDIR ?= $(KERNEL_SRC)
BUILD ?= build

.PHONY: all modules modules_install userspace deps check soak demo bench clean install uninstall dkms-source

all: modules userspace

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

$(BUILD)/build.ninja:
	meson setup $(BUILD)

userspace: $(BUILD)/build.ninja
	meson compile -C $(BUILD)

deps:
	scripts/install-deps.sh

# tests/run.sh installs the dependencies itself, as the first entry of
# its time table.
check:
	tests/run.sh

soak: deps
	tests/soak.sh

demo: deps
	tests/system/run.sh --demo

bench: deps
	tests/bench/run.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD) build-asan build-clang build-gpiod2 tests/out

# install/uninstall: PREFIX for the userspace, which Meson installs with
# everything else userspace owns (the helper, its generator, man pages, udev
# rules and helpers, systemd units, the default configuration; the
# directories come from udev's and systemd's pkg-config files, or from
# meson.options: udevdir, systemdsystemunitdir, firmware_dir, ...);
# DESTDIR stages everything (packaging) and then skips the steps that act
# on the running system (dkms, udev and systemd reloads).
install uninstall: PREFIX ?= /usr
install uninstall: DESTDIR ?=
install uninstall: INSTALL_BUILD ?= build-install
# meson_options.txt's default state_dir, for a helper that cannot say.
uninstall: MFW_STATE_DIR_DEFAULT := $(shell sed -n "s/.*'state_dir'.*value : '\([^']*\)'.*/\1/p" meson_options.txt)
# --no-rebuild installs a build directory made on another machine (with the
# -dev packages) on one that has only the run-time libraries.
# DKMS_ARCHIVE=/abs/file.tar.gz: a DKMS archive of this version made
# elsewhere ("dkms mktarball" with sources, e.g. by
# tests/system/build-dkms-archive.sh): dkms loads it and installs its module
# for the running kernel without compiling (it compiles only for a kernel
# the archive has no module for); an archive of another version is refused.
# Installing again replaces what DKMS had of this version (for every
# kernel; dkms then installs it for the running one).
install: MESON_INSTALL_FLAGS ?=
install: DKMS_ARCHIVE ?=
install uninstall: MFW_VERSION := $(shell sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" meson.build)
install uninstall: DKMS_SRC = $(DESTDIR)/usr/src/mfw-$(MFW_VERSION)
install uninstall: LIVE = [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]

# The module's sources as DKMS takes them, in $(DESTDIR)/usr/src/mfw-VERSION
# (also what a prebuilt DKMS archive is made from).
dkms-source: DESTDIR ?=
dkms-source: MFW_VERSION := $(shell sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" meson.build)
dkms-source: DKMS_SRC = $(DESTDIR)/usr/src/mfw-$(MFW_VERSION)
dkms-source:
	@test -n "$(MFW_VERSION)" || { echo "dkms-source: no version in meson.build" >&2; exit 1; }
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)/kernel/uapi/linux
	install -m 0644 Kbuild $(DKMS_SRC)/
	echo "$(MFW_VERSION)" >$(DKMS_SRC)/VERSION
	sed 's/@VERSION@/$(MFW_VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf
	install -m 0644 kernel/*.[ch] $(DKMS_SRC)/kernel/
	install -m 0644 kernel/uapi/linux/*.h $(DKMS_SRC)/kernel/uapi/linux/

install:
	@test -n "$(MFW_VERSION)" || { echo "install: no version in meson.build" >&2; exit 1; }
	# kernel module sources, built and installed for every kernel by DKMS
	$(MAKE) --no-print-directory dkms-source DESTDIR=$(DESTDIR)
	# userspace and its man pages
	# (a build directory prepared elsewhere with the same prefix is used
	# as it is: reconfiguring would need the -dev packages here too)
	{ [ -f $(INSTALL_BUILD)/build.ninja ] || \
	  meson setup $(INSTALL_BUILD) --prefix=$(PREFIX) --buildtype=release; } && \
	{ [ "$$(meson introspect --buildoptions $(INSTALL_BUILD) | \
	    python3 -c 'import json, sys; print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')" = "$(PREFIX)" ] || \
	  meson configure $(INSTALL_BUILD) --prefix=$(PREFIX); } && \
	meson install -C $(INSTALL_BUILD) $(MESON_INSTALL_FLAGS) $(if $(DESTDIR),--destdir $(DESTDIR))
	# on the running system only: DKMS, then udev and systemd pick it up
	if $(LIVE); then \
		if command -v dkms >/dev/null; then \
			if dkms status -m mfw -v $(MFW_VERSION) | grep -q .; then \
				dkms remove -m mfw -v $(MFW_VERSION) --all || exit 1; \
			fi; \
			if [ -n "$(DKMS_ARCHIVE)" ]; then \
				v=$$(tar -xzOf "$(DKMS_ARCHIVE)" ./dkms_source_tree/dkms.conf 2>/dev/null | \
					sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p'); \
				if [ "$$v" != "$(MFW_VERSION)" ]; then \
					echo "install: $(DKMS_ARCHIVE) holds mfw '$$v', not $(MFW_VERSION): make the archive from these sources (tests/system/build-dkms-archive.sh)" >&2; \
					exit 1; \
				fi; \
				dkms ldtarball "$(DKMS_ARCHIVE)" || exit 1; \
			else \
				dkms add -m mfw -v $(MFW_VERSION) || exit 1; \
			fi; \
			dkms install -m mfw -v $(MFW_VERSION) || exit 1; \
		else \
			echo "install: dkms not found; build the module with 'make modules'" >&2; \
		fi; \
		udevadm control --reload || true; \
		systemctl daemon-reload && systemctl enable mfw-resume.service || true; \
	fi

uninstall:
	# The state directory is the configuration's (state_dir=), as the
	# installed helper reads it.
	if $(LIVE); then \
		state=$$($(PREFIX)/sbin/mfw status --json 2>/dev/null | \
			sed -n 's/^{"event":"config","file":.*"state_dir":"\([^"]*\)".*/\1/p'); \
		if [ -z "$$state" ]; then \
			state=$(MFW_STATE_DIR_DEFAULT); \
			echo "uninstall: $(PREFIX)/sbin/mfw could not say where its state is; assuming $$state" >&2; \
		fi; \
		for j in "$$state/journal" "$$state"/modules/*/journal; do \
			[ ! -e "$$j" ] || { echo "uninstall: an upgrade is unfinished ($$j): let it finish, or run 'mfw resume', first" >&2; exit 1; }; \
		done; \
		systemctl stop 'mfw-firmware@*.path' 'mfw-autoupgrade@*.service' \
			'mfw-attach@*.service' 2>/dev/null || true; \
		systemctl disable mfw-resume.service || true; \
		modprobe -r mfw 2>/dev/null || true; \
		if command -v dkms >/dev/null && dkms status -m mfw -v $(MFW_VERSION) | grep -q .; then \
			dkms remove -m mfw -v $(MFW_VERSION) --all || exit 1; \
		fi; \
		for d in "$$state"/modules/* "$$state"; do \
			[ -d "$$d" ] || continue; \
			rm -f "$$d"/journal "$$d"/journal.* "$$d"/history \
				"$$d"/history.* "$$d"/transcript "$$d"/transcript.* \
				"$$d"/lock; \
			[ "$$d" = "$$state" ] || rmdir "$$d" 2>/dev/null || true; \
		done; \
		rmdir "$$state"/modules 2>/dev/null || true; \
		rmdir "$$state" 2>/dev/null || \
			[ ! -d "$$state" ] || echo "uninstall: $$state holds files that are not mfw's: left in place"; \
	fi
	rm -rf $(DKMS_SRC)
	# The default configuration, unless it was changed (then it is the
	# board's: kept, as a package manager keeps a changed conffile).
	if cmp -s $(DESTDIR)/etc/mfw/mfw.conf $(DESTDIR)$(PREFIX)/share/mfw/mfw.conf; then \
		rm -f $(DESTDIR)/etc/mfw/mfw.conf; rmdir $(DESTDIR)/etc/mfw 2>/dev/null; \
	elif [ -e $(DESTDIR)/etc/mfw/mfw.conf ]; then \
		echo "uninstall: keeping $(DESTDIR)/etc/mfw/mfw.conf (changed from the default)"; \
	fi
	# What Meson installed: as its install log lists it, or, when the log
	# is gone (the tree was unpacked again), as the build directory says
	# it installs (meson-info/intro-installed.json, destination paths).
	if [ -f $(INSTALL_BUILD)/meson-logs/install-log.txt ]; then \
		ninja -C $(INSTALL_BUILD) uninstall; \
	elif [ -f $(INSTALL_BUILD)/meson-info/intro-installed.json ]; then \
		DESTDIR="$(DESTDIR)" python3 -c 'import json, os, sys; \
			d = os.environ["DESTDIR"]; \
			[os.remove(d + p) for p in json.load(open(sys.argv[1])).values() \
			 if os.path.lexists(d + p)]' $(INSTALL_BUILD)/meson-info/intro-installed.json; \
	else \
		echo "uninstall: $(INSTALL_BUILD) is not a Meson build directory: its files cannot be found" >&2; \
		exit 1; \
	fi
	-rmdir $(DESTDIR)$(PREFIX)/share/mfw $(DESTDIR)$(PREFIX)/lib/mfw 2>/dev/null
	if $(LIVE); then \
		udevadm control --reload || true; systemctl daemon-reload || true; \
	fi
