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

all: $(RPI4_DTB)
