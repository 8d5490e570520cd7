# mfw - top-level entry point.
#
#   make check     install build dependencies, build everything, run every test
#   make demo      the module in a QEMU guest, attached to the simulated modem
#   make modules   build the kernel module against $(KDIR)
#   make userspace build the helper and the simulator with Meson

KDIR ?= /lib/modules/$(shell uname -r)/build
BUILD ?= build

.PHONY: all modules userspace deps check demo clean

all: modules userspace

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

$(BUILD)/build.ninja:
	meson setup $(BUILD)

userspace: $(BUILD)/build.ninja
	meson compile -C $(BUILD)

deps:
	scripts/install-deps.sh

check: deps
	tests/run.sh

demo: deps
	tests/vm/demo.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD) build-asan tests/out
