# Build, run and test the hypervisor.
#
#   make                  build build/$(PLATFORM)/hyp.bin (and hyp.elf)
#   make run              set up, then boot the hypervisor and its guest in QEMU
#   make test             set up, then run the unit tests and the boot tests
#   make debug            QEMU stopped at the first instruction, waiting for gdb
#
# PLATFORM=qemu-virt (default) | rpi4     GIC=3 (default) | 2 (QEMU virt only)

PLATFORM      ?= qemu-virt
GIC           ?= 3
CROSS_COMPILE ?= aarch64-linux-gnu-
V             ?= 0

ifeq ($(V),0)
Q := @
endif

CC      := $(CROSS_COMPILE)gcc
LD      := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy
SIZE    := $(CROSS_COMPILE)size
HOSTCC  ?= gcc
PYTHON  := /usr/bin/python3

BUILD     := build/$(PLATFORM)
DEPS_ROOT := build/deps/root
LIBFDT    := $(DEPS_ROOT)/usr/lib/aarch64-linux-gnu/libfdt.a
LIBFDT_INC:= $(DEPS_ROOT)/usr/include
GUESTS    := build/guests

.DEFAULT_GOAL := all
include configs/$(PLATFORM).mk

# ---------------------------------------------------------------------------
# The hypervisor
# ---------------------------------------------------------------------------
# -fpie: the image runs wherever the loader put it (QEMU -kernel, U-Boot booti);
#        boot/head.S applies its own relocations before any C runs.
# -mstrict-align: C runs briefly with the MMU off, where memory is Device.
CFLAGS := -std=c11 -ffreestanding -nostdlib -mgeneral-regs-only -Wall -Wextra -Werror \
	  -O2 -g -fpie -fno-plt -mstrict-align -fno-stack-protector -fno-common \
	  -fno-omit-frame-pointer -mno-outline-atomics -I. -I$(BUILD)/include -Icore/fdt-env -isystem $(LIBFDT_INC) \
	  -include core/visibility.h -include configs/$(PLATFORM).h -MMD -MP
ASFLAGS := $(CFLAGS) -D__ASSEMBLY__ -DHYP_LINK_ADDR=$(HYP_LINK_ADDR)
LDFLAGS := --defsym=HYP_LINK_ADDR=$(HYP_LINK_ADDR) -pie --no-dynamic-linker -z text -z norelro -z noexecstack --no-warn-rwx-segments \
	   -nostdlib --gc-sections -T boot/hyp.lds

HYP_SRCS := $(wildcard boot/*.S boot/*.c arch/arm64/*.S arch/arm64/*.c core/*.c \
		       vcpu/*.c vgic/*.c drivers/*.c)
HYP_SRCS := $(filter-out arch/arm64/asm-offsets.c,$(HYP_SRCS))
HYP_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(HYP_SRCS)))

# The compiled-in VMs (README "Many VMs"): VMS=1 (default) is
# configs/$(PLATFORM)-vms.c, VMS=N is configs/$(PLATFORM)-vmsN.c, and its
# images are hyp-<guest>-vmsN.bin. VMs defined by the DT (xen,domain) need none.
VMS        ?= 1
VMS_SUFFIX := $(if $(filter 1,$(VMS)),,-vms$(VMS))
VMS_CONFIGS := $(wildcard configs/$(PLATFORM)-vms*.c)
VMS_OBJS   := $(patsubst %,$(BUILD)/%.o,$(basename $(VMS_CONFIGS)))
ASM_OFFSETS := $(BUILD)/include/asm-offsets.h

# Guests that can be linked into the image (configs/guest-images.S):
#   linux      Debian's kernel and the busybox initramfs (build/guest/)
#   testguest  the bare-metal test guest (tests/guests/testguest)
#   bench      the bare-metal benchmark guest (tests/guests/bench)
#   none       nothing: the boot loader passes the guest as /chosen modules
#              (Xen's multiboot binding; U-Boot scripts, the SD card)
# hyp.bin holds $(GUEST); hyp-<guest>.bin exist for each guest built.
GUEST ?= linux
GUEST_KERNEL_linux     := build/guest/Image
GUEST_INITRD_linux     := build/guest/initrd.gz
GUEST_KERNEL_testguest := $(GUESTS)/testguest.bin
GUEST_INITRD_testguest := build/empty
GUEST_KERNEL_bench     := $(GUESTS)/bench.bin
GUEST_INITRD_bench     := build/empty
# Position-dependent bare-metal guests are linked per platform where its guest RAM differs.
GUEST_KERNEL_adversary := $(GUESTS)/adversary$(PLATFORM_GUEST_SUFFIX).bin
GUEST_INITRD_adversary := build/empty
GUEST_KERNEL_none      := build/empty
GUEST_INITRD_none      := build/empty

.PHONY: all deps run check-guest test test-unit test-boot test-matrix debug clean format check-format size bench bench-trace
all: $(BUILD)/hyp.bin

# hyp.bin is the image of this GUEST and VMS: checked on every make (FORCE), so
# switching either switches it, even to an image built earlier. A VMS=N that
# the platform lists in DT_VMS (the Raspberry Pi 4's two VMs) has its VMs in
# the DT as "xen,domain" nodes (configs/<platform>.mk): hyp.bin is hyp-none.bin.
HYP_IMAGE := hyp-$(if $(filter $(VMS),$(DT_VMS)),none,$(GUEST)$(VMS_SUFFIX))
$(BUILD)/hyp.bin: $(BUILD)/$(HYP_IMAGE).bin FORCE
	$(Q)if ! cmp -s $< $@; then \
		cp $< $@ && cp $(BUILD)/$(HYP_IMAGE).elf $(BUILD)/hyp.elf && \
		echo "  BIN     $@ ($$(stat -c %s $@) bytes, $(HYP_IMAGE))"; \
	fi

.PHONY: FORCE
FORCE:

# Keep the per-guest ELFs (gdb needs them) and guest objects between runs.
.SECONDARY:

$(BUILD)/hyp-%.bin: $(BUILD)/hyp-%.elf
	$(Q)$(OBJCOPY) -O binary $< $@

$(BUILD)/hyp-%.elf: $(HYP_OBJS) $(BUILD)/configs/guest-%.o $(BUILD)/configs/$(PLATFORM)-vms.o \
		   $(LIBFDT) boot/hyp.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -o $@ $(HYP_OBJS) $(BUILD)/configs/$(PLATFORM)-vms.o \
		$(BUILD)/configs/guest-$*.o $(LIBFDT)
	$(Q)$(PYTHON) scripts/check-relocs.py $(CROSS_COMPILE)readelf $@

# The same with configs/$(PLATFORM)-vms2.c (make's shortest stem picks this rule).
$(BUILD)/hyp-%-vms2.elf: $(HYP_OBJS) $(BUILD)/configs/guest-%.o \
			 $(BUILD)/configs/$(PLATFORM)-vms2.o $(LIBFDT) boot/hyp.lds
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -o $@ $(HYP_OBJS) $(BUILD)/configs/$(PLATFORM)-vms2.o \
		$(BUILD)/configs/guest-$*.o $(LIBFDT)
	$(Q)$(PYTHON) scripts/check-relocs.py $(CROSS_COMPILE)readelf $@

.SECONDEXPANSION:
$(BUILD)/configs/guest-%.o: configs/guest-images.S $$(GUEST_KERNEL_$$*) $$(GUEST_INITRD_$$*)
	@mkdir -p $(dir $@)
	@echo "  AS      $@ ($(GUEST_KERNEL_$*))"
	$(Q)$(CC) $(ASFLAGS) -DGUEST_KERNEL='"$(abspath $(GUEST_KERNEL_$*))"' \
		-DGUEST_INITRD='"$(abspath $(GUEST_INITRD_$*))"' -c -o $@ $<

build/empty:
	@mkdir -p build && touch $@

build/guest/Image build/guest/initrd.gz:
	$(Q)bash scripts/deps.sh

$(BUILD)/%.o: %.c $(ASM_OFFSETS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.S $(ASM_OFFSETS)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(ASFLAGS) -c -o $@ $<

# The assembly uses offsets generated from struct cpu_user_regs itself, so the
# two cannot disagree (Xen and Linux do the same).
$(ASM_OFFSETS): arch/arm64/asm-offsets.c arch/arm64/regs.h
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -S -o $@.s $<
	$(Q)(echo "/* Generated from arch/arm64/asm-offsets.c: do not edit. */"; \
	     echo "#ifndef ASM_OFFSETS_H"; echo "#define ASM_OFFSETS_H"; \
	     sed -n 's/.*@@\([A-Za-z0-9_]*\) #\?\(-\?[0-9][0-9]*\).*/#define \1 \2/p' $@.s; \
	     echo "#endif") > $@.tmp
	$(Q)mv $@.tmp $@

$(LIBFDT):
	$(Q)bash scripts/deps.sh

size: $(BUILD)/hyp.elf
	$(Q)$(SIZE) $<

-include $(HYP_OBJS:.o=.d) $(VMS_OBJS:.o=.d)
$(HYP_OBJS) $(VMS_OBJS) $(ASM_OFFSETS): Makefile configs/$(PLATFORM).mk

# ---------------------------------------------------------------------------
# Test guests (bare metal, built with the same toolchain)
# ---------------------------------------------------------------------------
include tests/guests/guests.mk

# ---------------------------------------------------------------------------
# Set-up, run, debug
# ---------------------------------------------------------------------------
deps:
	$(Q)bash scripts/deps.sh

# How QEMU gets the hypervisor: -kernel by default; the platform's BOOT=uboot
# sets RUN_ARGS to a boot loader and a disk instead (configs/<platform>.mk).
RUN_ARGS ?= -kernel $(BUILD)/hyp.bin

# make run KERNEL=path/Image [INITRD=path] [BOOTARGS="..."]: a kernel of the
# user's, handed to hyp-none.bin as a boot module by scripts/guest-check (no
# rebuild for a new kernel); make check-guest checks its PSCI bring-up.
GUEST_CHECK_ARGS = --platform $(PLATFORM) $(if $(CPUS),--cpus $(CPUS)) $(if $(MEM),--mem $(MEM)) \
	$(if $(filter qemu-virt,$(PLATFORM)),--gic $(GIC)) $(if $(CPU),--cpu $(CPU)) \
	$(if $(KERNEL),--kernel '$(KERNEL)') $(if $(INITRD),--initrd '$(INITRD)') \
	$(if $(BOOTARGS),--bootargs '$(BOOTARGS)') $(if $(JUNIT),--junit '$(JUNIT)') \
	$(if $(JSON),--json '$(JSON)')

run: deps
ifneq ($(KERNEL),)
	$(Q)$(MAKE) --no-print-directory $(BUILD)/hyp-none.bin
	$(Q)scripts/guest-check --run $(GUEST_CHECK_ARGS)
else
	$(Q)$(MAKE) --no-print-directory all
	$(QEMU) $(QEMU_ARGS) $(RUN_ARGS)
endif

# make check-guest KERNEL=path/Image [JUNIT=report.xml] [JSON=report.json]
# make check-guest CONFORMANCE=1: the bare-metal PSCI/SMCCC guest, no kernel.
check-guest: deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/hyp-none.bin $(BUILD)/hyp-testguest.bin
	$(Q)scripts/guest-check $(GUEST_CHECK_ARGS) $(if $(CONFORMANCE),--conformance)

debug: deps
	$(Q)$(MAKE) --no-print-directory all
	@echo "QEMU is stopped at its first instruction, waiting for gdb on localhost:1234."
	@echo "Attach from another terminal with:"
	@echo "  gdb-multiarch $(BUILD)/hyp.elf -ex 'target remote localhost:1234'"
	$(QEMU) $(QEMU_ARGS) $(RUN_ARGS) -S -gdb tcp::1234

# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------
include tests/unit/unit.mk
include tests/fuzz/fuzz.mk

test: deps
	$(Q)$(MAKE) --no-print-directory test-unit
	$(Q)$(MAKE) --no-print-directory fuzz-replay
	$(Q)$(MAKE) --no-print-directory test-boot

test-boot: all $(BUILD)/hyp-testguest.bin $(BUILD)/hyp-none.bin $(BUILD)/hyp-bench.bin $(BUILD)/hyp-adversary.bin \
	   $(BUILD)/hyp-testguest-vms2.bin $(BUILD)/hyp-linux-vms2.bin
	$(Q)$(MAKE) --no-print-directory PLATFORM=rpi4 all sdcard build/rpi4/hyp-adversary.bin
	$(Q)$(PYTHON) -m pytest -v tests/boot

# Linux on every QEMU CPU model and both GICs (tests/boot/test_cpus.py);
# test-boot runs only its short default set.
test-matrix: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/hyp-linux.bin
	$(Q)HYP_CPU_MATRIX=1 $(PYTHON) -m pytest -v -rP tests/boot/test_cpus.py

# The adversary guest (tests/guests/adversary) on QEMU virt GICv3, a long run:
# ADV_OPS operations from seed ADV_SEED (its "ADV: replay with" line), then ops/s.
ADV_SEED ?= 0x5eed0fadc0ffee01
ADV_OPS  ?= 1000000
.PHONY: adversary
adversary: deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/hyp-none.bin $(GUESTS)/adversary.bin
	$(Q)$(PYTHON) tests/guests/adversary/run.py --seed $(ADV_SEED) --ops $(ADV_OPS) --gic $(GIC) \
		--cpu $(CPU)

# Costs of the trap paths and of booting Linux, hypervisor vs native (tests/bench/).
bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BUILD)/hyp-bench.bin $(BUILD)/hyp-none.bin \
		$(GUESTS)/testguest.bin $(GUESTS)/adversary.bin
	$(Q)$(PYTHON) tests/bench/bench.py

# Where the instructions of one exit of each kind go, by function and phase
# (entry, dispatch, vGIC sync, exit): gdb single-steps hyp-bench.bin under QEMU.
bench-trace: deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/hyp-bench.bin
	$(Q)$(PYTHON) tests/bench/trace_exit.py

# ---------------------------------------------------------------------------
format:
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	$(Q)clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build/qemu-virt build/rpi4 build/unit build/guests
