# Host unit tests (cmocka). Each tests/unit/test_NAME.c is linked with the
# project sources listed in NAME_SRCS and run by `make test-unit`.
UNIT_BUILD  := build/unit
UNIT_CFLAGS := -std=c11 -Wall -Wextra -Werror -g -O1 -I. -I$(BUILD)/include -DUNIT_TEST \
	       -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UNIT_LIBS   := -lcmocka -lfdt

# vm_log() with the console stub of each test: with the shim's counter reading 0
# and CNTFRQ 0, every line opens a window of its own, so nothing is limited there.
VM_LOG_SRCS := core/vm_log.c core/ratelimit.c core/printf.c
printf_SRCS := core/printf.c
gic_lr_SRCS := drivers/gic_lr.c
gic_v2_driver_SRCS := drivers/gic_v2.c drivers/gic_lr.c
dt_SRCS     := core/dt.c core/printf.c
dt_guest_SRCS := core/dt_guest.c core/dt.c core/printf.c
modules_SRCS := core/modules.c core/dt.c core/printf.c
esr_SRCS    := arch/arm64/esr.c core/printf.c
regs_SRCS   :=
pagetable_SRCS := arch/arm64/pagetable.c
vcpu_fault_SRCS := vcpu/vcpu_fault.c $(VM_LOG_SRCS)
stage2_SRCS := arch/arm64/stage2.c arch/arm64/pagetable.c
cpufeature_SRCS := arch/arm64/cpufeature.c
pstate_SRCS := arch/arm64/pstate.c
endian_SRCS :=
lib_SRCS    :=
mm_SRCS     := core/mm.c
psci_SRCS   := core/psci.c core/smccc.c core/hypsvc.c vcpu/vcpu.c arch/arm64/cpufeature.c
vgic_SRCS   := vgic/vgic.c vgic/vgic_mmio.c tests/unit/fake_gic.c $(VM_LOG_SRCS)
vgic_v2_SRCS := vgic/vgic_v2.c vgic/vgic.c vgic/vgic_mmio.c tests/unit/fake_gic.c $(VM_LOG_SRCS)
ratelimit_SRCS := core/ratelimit.c
vpl011_SRCS := core/vpl011.c
vm_plan_SRCS := core/vm_plan.c core/printf.c
console_SRCS := core/console.c core/printf.c core/ratelimit.c
dt_domains_SRCS := core/dt_domains.c core/modules.c core/dt.c core/printf.c

# test_lib.c includes core/lib.c itself, under other names (beside the host C library).
$(UNIT_BUILD)/test_lib: core/lib.c

# These sources use AArch64 inline assembly (sysregs, spin_lock's yield): see the header.
$(UNIT_BUILD)/test_psci $(UNIT_BUILD)/test_vgic: UNIT_CFLAGS += -include tests/unit/arm64_asm_shim.h
$(UNIT_BUILD)/test_vgic_v2: UNIT_CFLAGS += -include tests/unit/arm64_asm_shim.h
$(UNIT_BUILD)/test_gic_v2_driver: UNIT_CFLAGS += -include tests/unit/arm64_asm_shim.h
$(UNIT_BUILD)/test_mm: UNIT_CFLAGS += -include tests/unit/arm64_asm_shim.h
$(UNIT_BUILD)/test_vcpu_fault $(UNIT_BUILD)/test_ratelimit: UNIT_CFLAGS += -include tests/unit/arm64_asm_shim.h
$(UNIT_BUILD)/test_console: UNIT_CFLAGS += -include tests/unit/arm64_asm_shim.h \
	-DPLATFORM_EARLY_UART=0x9000000

# Every header of the hypervisor: a test built before one changed is built again.
HYP_HDRS   := $(wildcard arch/arm64/*.h core/*.h drivers/*.h vcpu/*.h vgic/*.h)

UNIT_TESTS := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(addprefix $(UNIT_BUILD)/test_,$(UNIT_TESTS))

.SECONDEXPANSION:
$(UNIT_BUILD)/test_%: tests/unit/test_%.c $$($$*_SRCS) $$(wildcard tests/unit/*.h) $(HYP_HDRS) \
		$(ASM_OFFSETS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $($*_SRCS) $(UNIT_LIBS)

# Run every test binary even if one fails, then report the overall result.
test-unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do \
		echo "== $$t"; (cd tests/unit && ../../$$t) || fail=1; \
	done; exit $$fail
