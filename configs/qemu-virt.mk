# QEMU virt with virtualization=on: the CPUs enter hyp.bin at EL2.
HYP_LINK_ADDR := 0x40200000
QEMU          := qemu-system-aarch64
# CPU: any QEMU -cpu model (README "CPUs"), e.g. make run CPU=cortex-a76.
# MTE=on gives the machine tag memory (with CPU=max).
CPU           ?= cortex-a57
MTE           ?= off
# CPUS, MEM: the machine QEMU makes (the default VM takes all of it). Checked
# here, so that a machine the hypervisor cannot take is make's error, not
# QEMU's or a panic: 1-16 CPUs (NR_CPUS) with GICv3, 1-8 with GICv2 (its
# interrupt targets are an 8-bit CPU mask), and at least 128 MiB (the
# hypervisor image, with Debian's kernel linked in, and the guest's RAM to boot it).
CPUS          ?= 4
MEM           ?= 1G
CPUS_MAX      := $(if $(filter 2,$(GIC)),8,16)
ifeq ($(filter $(CPUS),$(shell seq 1 $(CPUS_MAX))),)
$(error CPUS=$(CPUS): QEMU virt with GICv$(GIC) can run this hypervisor with 1 to $(CPUS_MAX) CPUs)
endif
MEM_MIB := $(shell echo '$(MEM)' | sed -n 's/^\([0-9][0-9]*\)M$$/\1/p; s/^\([0-9][0-9]*\)G$$/\1*1024/p')
ifeq ($(MEM_MIB),)
$(error MEM=$(MEM): give the RAM as <n>M or <n>G, e.g. 512M or 2G)
endif
ifeq ($(shell [ $$(( $(MEM_MIB) )) -ge 128 ] && echo ok),)
$(error MEM=$(MEM): QEMU virt needs at least 128M of RAM for the hypervisor and its guest)
endif
QEMU_ARGS     := -M virt,virtualization=on,gic-version=$(GIC),mte=$(MTE) -cpu $(CPU) -smp $(CPUS) -m $(MEM) \
		 -nographic -net none
# Several VMs share the console and Ctrl-A three times moves its input on; QEMU's
# own escape key (Ctrl-A by default) becomes Ctrl-T, so Ctrl-A reaches the hypervisor.
ifneq ($(filter-out 1,$(VMS)),)
QEMU_ARGS += -echr 0x14
endif

# ---------------------------------------------------------------------------
# Booting through U-Boot: make run BOOT=uboot
# ---------------------------------------------------------------------------
# QEMU runs Debian's U-Boot (u-boot-qemu) as its firmware; U-Boot's distro boot
# finds boot.scr on a virtio disk. The script (scripts/boot.cmd.in) loads
# hyp-none.bin (as hyp.bin), the guest Image and initrd.gz, adds the last two to
# QEMU's DTB as /chosen boot modules and starts the hypervisor with booti.
# The top Makefile runs $(QEMU) $(QEMU_ARGS) $(RUN_ARGS).
BOOT        ?= kernel
UBOOT_QEMU  := /usr/lib/u-boot/qemu_arm64/u-boot.bin
# With VMS=2 the disk's boot.scr defines two VMs (hyp_vms=2: xen,domain nodes).
# (The top Makefile sets VMS's default and VMS_SUFFIX after this file.)
BOOTDISK    := $(BUILD)/bootdisk$(if $(filter-out 1,$(VMS)),-vms$(VMS)).img
# Where boot.scr puts the guest (its defaults for guest_addr_r, initrd_addr_r).
# U-Boot's own layout: QEMU's DTB at fdt_addr 0x40000000 (edited in place),
# boot.scr at scriptaddr 0x40200000, hyp.bin at kernel_addr_r 0x40400000 up to
# its image_size (0x658000 now: the first 64 MiB are left to it), U-Boot itself
# at the top of RAM. The Image (34 MB) gets 64 MiB, the initrd what follows;
# the guest's 512 MiB come from the RAM above both.
GUEST_ADDR  := 0x48000000
INITRD_ADDR := 0x4c000000

ifeq ($(BOOT),uboot)
RUN_ARGS := -bios $(UBOOT_QEMU) \
	    -drive if=none,file=$(BOOTDISK),format=raw,id=hd0 -device virtio-blk-device,drive=hd0
run debug: deps $(BOOTDISK)
else ifeq ($(BOOT),kernel)
RUN_ARGS := -kernel $(BUILD)/hyp.bin
else
$(error BOOT=$(BOOT): use BOOT=kernel (QEMU -kernel, the default) or BOOT=uboot)
endif

# tests/boot/test_uboot.py boots both disks.
test-boot: $(BUILD)/bootdisk.img $(BUILD)/bootdisk-vms2.img

# $(call bootdisk_rules,SUFFIX,VMS): boot$(SUFFIX).cmd/.scr and bootdisk$(SUFFIX).img.
define bootdisk_rules
$(BUILD)/boot$(1).cmd: scripts/boot.cmd.in configs/$(PLATFORM).mk
	@mkdir -p $$(dir $$@)
	$$(Q)sed -e 's/@DEVTYPE@/virtio/g; s/@DEVNUM@/0/g; s/@BOOTPART@/1/g; s/@VMS@/$(2)/g' \
		-e 's/@GUEST_ADDR@/$(GUEST_ADDR)/g; s/@INITRD_ADDR@/$(INITRD_ADDR)/g' $$< >$$@.tmp
	$$(Q)mv $$@.tmp $$@

$(BUILD)/boot$(1).scr: $(BUILD)/boot$(1).cmd
	@echo "  MKIMAGE $$@"
	$$(Q)mkimage -A arm64 -T script -C none -n "hypervisor boot" -d $$< $$@ >/dev/null

$(BUILD)/bootdisk$(1).img: scripts/mkbootdisk.sh $(BUILD)/boot$(1).scr $(BUILD)/hyp-none.bin \
	     build/guest/Image build/guest/initrd.gz
	$$(Q)bash scripts/mkbootdisk.sh $$@ virtio $(BUILD)/boot$(1).scr:boot.scr \
		$(BUILD)/hyp-none.bin:hyp.bin build/guest/Image:Image build/guest/initrd.gz:initrd.gz
endef
$(eval $(call bootdisk_rules,,1))
$(eval $(call bootdisk_rules,-vms2,2))
