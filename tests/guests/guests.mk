# Bare-metal AArch64 test guests, booted by the hypervisor at EL1.
# Included by the top Makefile, which provides CC, OBJCOPY, Q and GUESTS.
#
#   make build/guests/testguest.bin build/guests/bench.bin
#
# Each guest is a directory tests/guests/NAME/ with its sources (*.S, *.c) and
# a guest.lds; it is linked with the shared code in tests/guests/common/.
# Adding a guest is one more $(eval $(call guest_rules,NAME)) line.

CROSS_COMPILE ?= aarch64-linux-gnu-
GUEST_LD      := $(CROSS_COMPILE)ld
GUEST_SRC     := tests/guests

# Position-dependent (linked where they run), MMU off so strictly aligned,
# general registers only so no FP/SIMD state to enable.
# -fno-tree-loop-distribute-patterns: don't turn loops into memset()/memcpy()
# calls, there is no libc.
GUEST_CFLAGS := -std=c11 -ffreestanding -nostdlib -mgeneral-regs-only -Wall -Wextra -Werror \
		-O2 -g -mstrict-align -fno-pie -fno-stack-protector -fno-common \
		-fno-tree-loop-distribute-patterns -ffunction-sections -fdata-sections \
		-I$(GUEST_SRC)/common -MMD -MP
GUEST_ASFLAGS := $(GUEST_CFLAGS) -D__ASSEMBLY__
GUEST_LDFLAGS := -nostdlib -static --gc-sections -z noexecstack --no-warn-rwx-segments

GUEST_COMMON_SRCS := $(wildcard $(GUEST_SRC)/common/*.S $(GUEST_SRC)/common/*.c)

# tests/guests/X.c -> build/guests/X.o
guest_objs = $(patsubst $(GUEST_SRC)/%,$(GUESTS)/%.o,$(basename $(1)))

# $(call guest_rules,NAME): build/guests/NAME.elf and build/guests/NAME.bin
define guest_rules
$(1)_GUEST_SRCS := $$(wildcard $(GUEST_SRC)/$(1)/*.S $(GUEST_SRC)/$(1)/*.c) $(GUEST_COMMON_SRCS)
$(1)_GUEST_OBJS := $$(call guest_objs,$$($(1)_GUEST_SRCS))

$(GUESTS)/$(1).elf: $$($(1)_GUEST_OBJS) $(GUEST_SRC)/$(1)/guest.lds
	@echo "  LD      $$@"
	$$(Q)$$(GUEST_LD) $$(GUEST_LDFLAGS) -T $(GUEST_SRC)/$(1)/guest.lds -o $$@ $$($(1)_GUEST_OBJS)

$(GUESTS)/$(1).bin: $(GUESTS)/$(1).elf
	$$(Q)$$(OBJCOPY) -O binary $$< $$@
	@echo "  BIN     $$@ ($$$$(stat -c %s $$@) bytes)"

-include $$($(1)_GUEST_OBJS:.o=.d)
endef

$(GUESTS)/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c -o $@ $<

$(GUESTS)/%.o: $(GUEST_SRC)/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(GUEST_ASFLAGS) -c -o $@ $<

$(eval $(call guest_rules,testguest))
$(eval $(call guest_rules,bench))
$(eval $(call guest_rules,adversary))

# The adversary again, linked for the Raspberry Pi 4, whose guest RAM starts at
# IPA 0 (configs/rpi4-vms.c): the same objects at 0x200000.
$(GUESTS)/adversary-rpi4.elf: $(adversary_GUEST_OBJS) $(GUEST_SRC)/adversary/guest.lds
	@echo "  LD      $@"
	$(Q)$(GUEST_LD) $(GUEST_LDFLAGS) --defsym=GUEST_BASE=0x200000 \
		-T $(GUEST_SRC)/adversary/guest.lds -o $@ $(adversary_GUEST_OBJS)

$(GUESTS)/adversary-rpi4.bin: $(GUESTS)/adversary-rpi4.elf
	$(Q)$(OBJCOPY) -O binary $< $@

# The test guest for the Raspberry Pi 4 (make run PLATFORM=rpi4 VMS=2): compiled
# again with the board's addresses (the GIC-400, the PL011, holes above RAM for
# the abort checks, guest RAM at IPA 0) into build/guests/rpi4/, linked at 0x200000.
TESTGUEST_RPI4_DEFS := -DGICD_BASE=0xff841000UL -DGICC_BASE=0xff842000UL \
	-DUART_BASE=0xfe201000UL -DABORT_ADDR=0xf0000000UL -DBAD_ENTRY_IPA=0xf1000000UL \
	-DRAM_AT_ZERO=1
testguest_rpi4_OBJS := $(patsubst $(GUESTS)/%,$(GUESTS)/rpi4/%,$(testguest_GUEST_OBJS))

$(GUESTS)/rpi4/%.o: $(GUEST_SRC)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (rpi4)"
	$(Q)$(CC) $(GUEST_CFLAGS) $(TESTGUEST_RPI4_DEFS) -c -o $@ $<

$(GUESTS)/rpi4/%.o: $(GUEST_SRC)/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< (rpi4)"
	$(Q)$(CC) $(GUEST_ASFLAGS) $(TESTGUEST_RPI4_DEFS) -c -o $@ $<

$(GUESTS)/testguest-rpi4.elf: $(testguest_rpi4_OBJS) $(GUEST_SRC)/testguest/guest.lds
	@echo "  LD      $@"
	$(Q)$(GUEST_LD) $(GUEST_LDFLAGS) --defsym=GUEST_BASE=0x200000 \
		-T $(GUEST_SRC)/testguest/guest.lds -o $@ $(testguest_rpi4_OBJS)

$(GUESTS)/testguest-rpi4.bin: $(GUESTS)/testguest-rpi4.elf
	$(Q)$(OBJCOPY) -O binary $< $@

-include $(testguest_rpi4_OBJS:.o=.d)

.PHONY: guests
guests: $(GUESTS)/testguest.bin $(GUESTS)/bench.bin
