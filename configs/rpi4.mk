# Raspberry Pi 4, and QEMU's raspi4b model of it (QEMU >= 9; 4 CPUs, 2 GiB).
# The firmware (or QEMU -kernel) loads an arm64 Image at RAM + 2 MiB.
HYP_LINK_ADDR := 0x200000
QEMU          := qemu-system-aarch64
RPI4_DTB      := build/rpi4/bcm2711-rpi-4-b.dtb
# -no-reboot: the watchdog reset that ends a poweroff without PSCI ends QEMU too.
QEMU_ARGS     := -M raspi4b -nographic -no-reboot -dtb $(RPI4_DTB)

# Debian's DTB as the GPU firmware would hand it over (scripts/rpi4-dtb.sh).
$(RPI4_DTB): build/guest/bcm2711-rpi-4-b.dtb scripts/rpi4-dtb.sh
	$(Q)bash scripts/rpi4-dtb.sh $< $@

# TF-A as EL3 on QEMU (REFERENCE §3): Debian's rpi4 bl31.bin with the stub fields
# the GPU firmware would fill in (DTB at 0x8000000, kernel at 0x200000).
RPI4_BL31 := build/rpi4/bl31.bin
$(RPI4_BL31): scripts/rpi4-tfa.py
	$(Q)bash scripts/deps.sh >/dev/null
	$(Q)$(PYTHON) scripts/rpi4-tfa.py $$(find build/deps/root -path '*rpi4/bl31.bin') $@ \
		0x8000000 0x200000

all: $(RPI4_DTB) $(RPI4_BL31)
