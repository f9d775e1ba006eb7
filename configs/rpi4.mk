# Raspberry Pi 4, and QEMU's raspi4b model of it (QEMU >= 9; 4 CPUs, 2 GiB).
# The firmware (or QEMU -kernel) loads an arm64 Image at RAM + 2 MiB.
HYP_LINK_ADDR := 0x200000
# VMS=2 here is two VMs in the DT (scripts/rpi4-vms2.sh), run by hyp-none.bin.
DT_VMS := 2
# Bare-metal guests linked for this platform's guest RAM (IPA 0): adversary-rpi4.bin.
PLATFORM_GUEST_SUFFIX := -rpi4
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

# ---------------------------------------------------------------------------
# The SD card for a real Raspberry Pi 4: make sdcard PLATFORM=rpi4
# ---------------------------------------------------------------------------
# build/rpi4/sdcard.img: config.txt, Debian's TF-A bl31.bin and rpi_arm64
# u-boot.bin, boot.scr (scripts/boot.cmd.in for mmc 0:1), hyp.bin (hyp-none.bin),
# Image, initrd.gz and bcm2711-rpi-4-b.dtb (scripts/mksdcard.sh). The GPU
# firmware (start4.elf, fixup4.dat) is not in Debian: see README.md.
SDCARD      := $(BUILD)/sdcard.img
RPI4_UBOOT  := $(DEPS_ROOT)/usr/lib/u-boot/rpi_arm64/u-boot.bin
RPI4_TFA    := $(DEPS_ROOT)/usr/lib/arm-trusted-firmware/rpi4/bl31.bin
# Where boot.scr puts the guest (its defaults for guest_addr_r, initrd_addr_r),
# around U-Boot rpi_arm64's layout: TF-A below 0x80000; hyp.bin loaded at
# kernel_addr_r 0x80000 and moved by booti to 0x200000, up to its image_size;
# boot.scr at scriptaddr 0x2400000; the DT copy at fdt_addr_r 0x2600000 (64 KiB
# of room added); U-Boot itself near the top of the first GiB. The Image
# (34 MB) gets 48 MiB, the initrd the 32 MiB below 0x8000000 (where QEMU's
# raspi4b puts its DTB in tests/boot/test_sdcard.py).
GUEST_ADDR  := 0x03000000
INITRD_ADDR := 0x06000000

# make run PLATFORM=rpi4 BOOT=uboot: the card on QEMU's raspi4b, with QEMU in
# the GPU firmware's place (it loads u-boot.bin and the card's DTB, prepared by
# scripts/rpi4-dtb.sh; no TF-A). snapshot=on keeps the card image as built.
# U-Boot reads the card slowly on QEMU: about a minute and a half to Linux.
BOOT ?= kernel
SDCARD_DTB := $(BUILD)/sdcard-firmware.dtb
ifeq ($(BOOT),uboot)
QEMU_ARGS := -M raspi4b -nographic -no-reboot -dtb $(SDCARD_DTB)
RUN_ARGS  := -kernel $(RPI4_UBOOT) -drive if=sd,file=$(SDCARD),format=raw,snapshot=on
run debug: deps $(SDCARD) $(SDCARD_DTB)
else ifeq ($(BOOT)$(filter-out 1,$(VMS)),kernel2)
# make run PLATFORM=rpi4 VMS=2: Linux on 3 CPUs and the test guest on 1, as
# Xen's dom0less "xen,domain" nodes in the board's DT (scripts/rpi4-vms2.sh),
# run by hyp-none.bin; QEMU's escape key is Ctrl-T, so Ctrl-A reaches it.
RPI4_VMS2_DTB  := $(BUILD)/vms2.dtb
RPI4_VMS2_IMGS := build/guest/Image build/guest/initrd.gz $(GUESTS)/testguest-rpi4.bin
QEMU_ARGS := -M raspi4b -nographic -no-reboot -echr 0x14 -dtb $(RPI4_VMS2_DTB)
RUN_ARGS  := -kernel $(BUILD)/hyp.bin $(shell bash scripts/rpi4-vms2.sh -loaders $(RPI4_VMS2_IMGS))
run debug: deps $(RPI4_VMS2_DTB)
else ifeq ($(BOOT),kernel)
RUN_ARGS  := -kernel $(BUILD)/hyp.bin
else
$(error BOOT=$(BOOT): use BOOT=kernel (QEMU -kernel, the default) or BOOT=uboot)
endif

# The two VMs' DT (make run PLATFORM=rpi4 VMS=2; tests/boot/test_rpi4.py).
$(BUILD)/vms2.dtb: $(RPI4_DTB) scripts/rpi4-vms2.sh build/guest/Image build/guest/initrd.gz \
		   $(GUESTS)/testguest-rpi4.bin
	$(Q)bash scripts/rpi4-vms2.sh $(RPI4_DTB) $@ build/guest/Image build/guest/initrd.gz \
		$(GUESTS)/testguest-rpi4.bin
all: $(BUILD)/vms2.dtb

.PHONY: sdcard
sdcard: $(SDCARD)

$(BUILD)/boot.cmd: scripts/boot.cmd.in configs/$(PLATFORM).mk
	@mkdir -p $(dir $@)
	$(Q)sed -e 's/@DEVTYPE@/mmc/g; s/@DEVNUM@/0/g; s/@BOOTPART@/1/g; s/@VMS@/1/g' \
		-e 's/@GUEST_ADDR@/$(GUEST_ADDR)/g; s/@INITRD_ADDR@/$(INITRD_ADDR)/g' $< >$@.tmp
	$(Q)mv $@.tmp $@

$(BUILD)/boot.scr: $(BUILD)/boot.cmd
	@echo "  MKIMAGE $@"
	$(Q)mkimage -A arm64 -T script -C none -n "hypervisor boot" -d $< $@ >/dev/null

$(RPI4_UBOOT) $(RPI4_TFA) build/guest/bcm2711-rpi-4-b.dtb:
	$(Q)bash scripts/deps.sh

$(SDCARD): scripts/mksdcard.sh scripts/mkbootdisk.sh $(BUILD)/boot.scr $(BUILD)/hyp-none.bin \
	   build/guest/Image build/guest/initrd.gz build/guest/bcm2711-rpi-4-b.dtb \
	   $(RPI4_UBOOT) $(RPI4_TFA)
	$(Q)IMAGE=build/guest/Image INITRD=build/guest/initrd.gz \
		DTB=build/guest/bcm2711-rpi-4-b.dtb BL31=$(RPI4_TFA) UBOOT=$(RPI4_UBOOT) \
		bash scripts/mksdcard.sh $@ $(BUILD)/hyp-none.bin $(BUILD)/boot.scr

$(SDCARD_DTB): $(SDCARD) scripts/rpi4-dtb.sh
	$(Q)MTOOLS_SKIP_CHECK=1 mcopy -n -o -i $(SDCARD)@@1M ::bcm2711-rpi-4-b.dtb $@.card
	$(Q)bash scripts/rpi4-dtb.sh $@.card $@
	$(Q)rm -f $@.card
