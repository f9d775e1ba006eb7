/*
 * Trap dispatch: one switch on the exception class, each case a small named
 * handler. Handlers touch the guest's registers only through the frame.
 */
#include "arch/arm64/cpu_state.h"
#include "arch/arm64/endian.h"
#include "arch/arm64/esr.h"
#include "arch/arm64/pmu.h"
#include "arch/arm64/sysregs.h"
#include "arch/arm64/traps.h"
#include "core/irq.h"
#include "core/percpu.h"
#include "core/printf.h"
#include "core/smccc.h"
#include "core/vm.h"
#include "vcpu/vcpu.h"
#include "vgic/vgic_v3.h"

static struct vcpu *current_vcpu(void)
{
	return this_cpu()->vcpu;
}

/* Names of the invalid vectors, in entry.S's BAD_* order. */
static const char *const bad_vector_names[] = {
    "hyp_sync_sp0",   "hyp_irq_sp0",   "hyp_fiq_sp0",   "hyp_error_sp0",
    "hyp_fiq",        "hyp_error",     "guest_fiq",     "guest_error",
    "guest_sync_a32", "guest_irq_a32", "guest_fiq_a32", "guest_error_a32",
};

/* x0-x29, three a line. */
static void show_gprs(const struct cpu_user_regs *regs)
{
	for (unsigned int i = 0; i < 30; i += 3)
		printk("  x%-2u %016lx  x%-2u %016lx  x%-2u %016lx\n", i, regs->x[i], i + 1,
		       regs->x[i + 1], i + 2, regs->x[i + 2]);
}

static void show_pc_cpsr(const struct cpu_user_regs *regs)
{
	printk("  pc  %016lx  cpsr %08lx (EL%u%s)\n", regs->pc, regs->cpsr, psr_el(regs->cpsr),
	       (regs->cpsr & 1) ? "h" : "t");
}

void show_registers(const struct cpu_user_regs *regs)
{
	char iss[120];
	unsigned int ec = esr_ec(regs->esr);

	show_gprs(regs);
	printk("  x30 %016lx  sp  %016lx\n", regs->x[30], regs->sp);
	show_pc_cpsr(regs);
	esr_describe(regs->esr, iss, sizeof(iss));
	printk("  ESR_EL2 %08lx: EC 0x%02x %s; %s\n", regs->esr, ec, esr_ec_name(ec), iss);
	printk("  FAR_EL2 %016lx  HPFAR_EL2 %016lx\n", READ_SYSREG(far_el2),
	       READ_SYSREG(hpfar_el2));
}

void show_guest_registers(const struct cpu_user_regs *regs)
{
	show_gprs(regs);
	printk("  x30 %016lx  sp_el0 %016lx  sp_el1 %016lx\n", regs->x[30], READ_SYSREG(sp_el0),
	       READ_SYSREG(sp_el1));
	show_pc_cpsr(regs);
	printk("  ELR_EL1 %016lx  SPSR_EL1 %08lx  ESR_EL1 %08lx  FAR_EL1 %016lx\n",
	       READ_SYSREG(elr_el1), READ_SYSREG(spsr_el1), READ_SYSREG(esr_el1),
	       READ_SYSREG(far_el1));
	printk("  SCTLR_EL1 %016lx  TCR_EL1 %016lx  VBAR_EL1 %016lx\n", READ_SYSREG(sctlr_el1),
	       READ_SYSREG(tcr_el1), READ_SYSREG(vbar_el1));
	printk("  TTBR0_EL1 %016lx  TTBR1_EL1 %016lx\n", READ_SYSREG(ttbr0_el1),
	       READ_SYSREG(ttbr1_el1));
}

void do_bad_vector(struct cpu_user_regs *regs, unsigned int vector)
{
	const char *name = vector < ARRAY_SIZE(bad_vector_names) ? bad_vector_names[vector] : "?";

	panic_regs(regs, "exception through the invalid vector %s", name);
}

void do_trap_hyp_sync(struct cpu_user_regs *regs)
{
	panic_regs(regs, "synchronous exception in the hypervisor: %s",
	           esr_ec_name(esr_ec(regs->esr)));
}

/* HVC and SMC share one handler: the SMC Calling Convention decides what a call means. */
/*
 * The SMCCC registers are the frame's x0-x7, seen through struct smccc_regs
 * rather than copied in and out: handlers write results to a[0..3] only, as
 * SMCCC 1.1 allows, and the guest's x4-x7 are preserved.
 */
_Static_assert(offsetof(struct cpu_user_regs, x) == 0 &&
                   sizeof(struct smccc_regs) == SMCCC_NR_ARGS * sizeof(uint64_t),
               "struct smccc_regs must overlay x0-x7 of the frame");

static void do_trap_hvc_smc(struct cpu_user_regs *regs, enum smccc_conduit conduit)
{
	struct smccc_regs *r = (struct smccc_regs *)regs->x;

	/* A trapped SMC returns to the SMC itself; an HVC returns after it. */
	if (conduit == SMCCC_CONDUIT_SMC)
		regs->pc += 4;
	if (esr_iss(regs->esr) & 0xffff)
		r->a[0] = SMCCC_RET_NOT_SUPPORTED; /* SMCCC calls use immediate #0 */
	else
		smccc_handle_call(current_vcpu(), conduit, r);
}

static uint64_t guest_reg_read(const struct cpu_user_regs *regs, unsigned int reg)
{
	return reg == 31 ? 0 : regs->x[reg]; /* register 31 is xzr here */
}

static void guest_reg_write(struct cpu_user_regs *regs, unsigned int reg, uint64_t v)
{
	if (reg != 31)
		regs->x[reg] = v;
}

static uint64_t mmio_extend(uint64_t v, const struct esr_dabt *d)
{
	unsigned int bits = d->size * 8;

	if (d->sign_extend && bits < 64 && (v & (1UL << (bits - 1))))
		v |= ~0UL << bits;
	if (!d->sixty_four)
		v &= 0xffffffffUL;
	return v;
}

/*
 * A stage-2 data abort: an access to emulated MMIO, or to an IPA with nothing
 * behind it. The latter becomes a synchronous external abort in the guest, as
 * a bus error would on real hardware, and the hypervisor carries on.
 */
/*
 * A data abort the hypervisor does not emulate: an injected external abort,
 * named on the console unless the same fault keeps coming (vcpu_fault.c).
 * Out of line: the MMIO path stays short.
 */
static __noinline void do_trap_dabt_fault(struct cpu_user_regs *regs, enum vcpu_fault_kind kind,
                                          uint64_t ipa, bool write)
{
	struct vcpu *v = current_vcpu();
	uint64_t far = READ_SYSREG(far_el2);
	struct vcpu_fault f = {.kind = kind, .pc = regs->pc, .addr = ipa};

	if (vcpu_fault_check(v, &f)) {
		if (kind == VCPU_FAULT_MMIO_NO_ISV)
			vm_log(v->vm,
			       "hyp: %s vcpu%u: MMIO %s at IPA 0x%lx without instruction syndrome "
			       "(pc 0x%lx): injecting an abort\n",
			       v->vm->name, v->id, write ? "write" : "read", ipa, regs->pc);
		else
			vm_log(v->vm,
			       "hyp: %s vcpu%u: %s at IPA 0x%lx (pc 0x%lx) hits nothing: injecting "
			       "an external abort\n",
			       v->vm->name, v->id, write ? "write" : "read", ipa, regs->pc);
	}
	inject_data_abort(regs, far);
	vcpu_fault_injected(&v->fault, regs->pc);
}

static __noinline void do_trap_stage2_data_abort(struct cpu_user_regs *regs)
{
	struct vcpu *v = current_vcpu();
	struct esr_dabt d = esr_decode_dabt(regs->esr);
	uint64_t ipa = hpfar_to_ipa(READ_SYSREG(hpfar_el2), READ_SYSREG(far_el2));
	const struct mmio_region *r = vm_find_mmio(v->vm, ipa);
	struct mmio_access acc;
	bool big_endian;

	if (!r) {
		do_trap_dabt_fault(regs, VCPU_FAULT_DATA_ABORT, ipa, d.write);
		return;
	}
	if (!d.isv) {
		do_trap_dabt_fault(regs, VCPU_FAULT_MMIO_NO_ISV, ipa, d.write);
		return;
	}
	/* Field by field: an initializer would also clear the padding, a byte at a time. */
	acc.ipa = ipa;
	acc.size = d.size;
	acc.write = d.write;
	acc.data = 0;
	big_endian = guest_data_big_endian(regs->cpsr, READ_SYSREG(sctlr_el1));
	if (d.write) {
		acc.data = guest_reg_read(regs, d.reg);
		if (big_endian)
			acc.data = bswap_size(acc.data, d.size);
	}
	if (!vm_emulate_mmio(v, r, &acc)) {
		do_trap_dabt_fault(regs, VCPU_FAULT_DATA_ABORT, ipa, d.write);
		return;
	}
	if (!d.write)
		guest_reg_write(
		    regs, d.reg,
		    mmio_extend(big_endian ? bswap_size(acc.data, d.size) : acc.data, &d));
	regs->pc += esr_insn_len(regs->esr); /* 2 for a 16-bit T32 load/store */
}

static __noinline void do_trap_stage2_insn_abort(struct cpu_user_regs *regs)
{
	struct vcpu *v = current_vcpu();
	uint64_t far = READ_SYSREG(far_el2);
	uint64_t ipa = hpfar_to_ipa(READ_SYSREG(hpfar_el2), far);
	struct vcpu_fault f = {.kind = VCPU_FAULT_INSN_ABORT, .pc = regs->pc, .addr = ipa};

	if (vcpu_fault_check(v, &f))
		vm_log(v->vm,
		       "hyp: %s vcpu%u: instruction fetch from IPA 0x%lx outside its memory: "
		       "injecting an external abort\n",
		       v->vm->name, v->id, ipa);
	inject_insn_abort(regs, far);
	vcpu_fault_injected(&v->fault, regs->pc);
}

static void do_trap_unhandled(struct cpu_user_regs *regs);

/* The GICv3 SGI generation registers: op0 3, op1 0, CRn 12, CRm 11, op2 5-7. */
static bool sysreg_is_sgi(const struct esr_sysreg *s)
{
	return s->op0 == 3 && s->op1 == 0 && s->crn == 12 && s->crm == 11 && s->op2 >= 5;
}

/* The ID registers HCR_EL2.TID3 traps: op0 3, op1 0, CRn 0, CRm 1-7. */
static bool sysreg_is_id(const struct esr_sysreg *s)
{
	return s->op0 == 3 && s->op1 == 0 && s->crn == 0 && s->crm >= 1 && s->crm <= 7;
}

/* The RAS error record registers HCR_EL2.TERR traps: ERRIDR, ERRSELR, ERX* (CRn 5, CRm 3-5). */
static bool sysreg_is_ras_record(const struct esr_sysreg *s)
{
	return s->op0 == 3 && s->op1 == 0 && s->crn == 5 && s->crm >= 3 && s->crm <= 5;
}

/* A trapped PMU access (pmu.h): done for the guest, or an UNDEF where the architecture says so. */
static bool do_trap_pmu(struct vcpu *v, struct cpu_user_regs *regs, const struct esr_sysreg *s)
{
	uint64_t val = guest_reg_read(regs, s->rt);

	if (!pmu_access(s, &val, v->features.pmu_ver))
		return false;
	if (s->read)
		guest_reg_write(regs, s->rt, val);
	return true;
}

/*
 * System register traps: SGI generation (ICC_SGI0R/SGI1R/ASGI1R_EL1, GICv3), the ID
 * registers (the guest reads the sanitized view of cpufeature.h), the RAS
 * error records (there are none: ERRIDR_EL1 reads 0, so all read as zero and
 * writes are ignored) and, on older PMUs, the PMU (pmu.h). Anything else is
 * an undefined instruction.
 */
static bool do_trap_sysreg_access(struct vcpu *v, struct cpu_user_regs *regs,
                                  const struct esr_sysreg *s)
{
	/* ICC_SGI1R_EL1 (op2 5), ICC_ASGI1R_EL1 (6), ICC_SGI0R_EL1 (7): write-only. */
	if (sysreg_is_sgi(s) && !s->read && v->vm->vgic.version == 3) {
		vgic_v3_sgi(v, guest_reg_read(regs, s->rt), s->op2 == 5);
		return true;
	}
	if (sysreg_is_id(s) && s->read) {
		uint64_t hw = cpu_read_idreg(s->crm, s->op2);

		guest_reg_write(regs, s->rt,
		                cpufeature_guest_idreg(s->crm, s->op2, hw, &v->features));
		return true;
	}
	if (sysreg_is_ras_record(s) && v->features.ras) {
		if (s->read)
			guest_reg_write(regs, s->rt, 0);
		return true;
	}
	if (v->features.pmu && pmu_is_sysreg(s))
		return do_trap_pmu(v, regs, s);
	return false;
}

static __noinline void do_trap_sysreg(struct cpu_user_regs *regs)
{
	struct esr_sysreg s = esr_decode_sysreg(regs->esr);

	if (do_trap_sysreg_access(current_vcpu(), regs, &s))
		regs->pc += 4;
	else
		do_trap_unhandled(regs);
}

static __noinline void do_trap_unhandled(struct cpu_user_regs *regs)
{
	struct vcpu *v = current_vcpu();
	char iss[120];
	unsigned int ec = esr_ec(regs->esr);
	struct vcpu_fault f = {.kind = VCPU_FAULT_UNHANDLED, .pc = regs->pc, .addr = regs->esr};

	if (vcpu_fault_check(v, &f)) {
		esr_describe(regs->esr, iss, sizeof(iss));
		vm_log(v->vm,
		       "hyp: %s vcpu%u: unhandled trap EC 0x%02x (%s; %s) at pc 0x%lx: injecting "
		       "an undefined instruction\n",
		       v->vm->name, v->id, ec, esr_ec_name(ec), iss, regs->pc);
	}
	inject_undef(regs);
	vcpu_fault_injected(&v->fault, regs->pc);
}

void do_trap_guest_sync(struct cpu_user_regs *regs)
{
	switch (esr_ec(regs->esr)) {
	case EC_HVC64:
		do_trap_hvc_smc(regs, SMCCC_CONDUIT_HVC);
		break;
	case EC_SMC64:
		do_trap_hvc_smc(regs, SMCCC_CONDUIT_SMC);
		break;
	case EC_DABT_LOW:
		do_trap_stage2_data_abort(regs);
		break;
	case EC_IABT_LOW:
		do_trap_stage2_insn_abort(regs);
		break;
	case EC_SYS64:
		do_trap_sysreg(regs);
		break;
	default:
		do_trap_unhandled(regs);
		break;
	}
}

/*
 * A physical SError taken from a guest (HCR_EL2.AMO): an asynchronous external
 * abort of something the guest did, e.g. an access to a device it was given
 * that the device refused. It is the guest's, not the machine's: the guest
 * gets it as a virtual SError (HCR_EL2.VSE, taken when it unmasks PSTATE.A),
 * as KVM and Xen hand them on, and the hypervisor carries on.
 */
void do_trap_guest_serror(struct cpu_user_regs *regs)
{
	struct vcpu *v = current_vcpu();

	vm_log(v->vm,
	       "hyp: %s vcpu%u: SError (ESR 0x%lx) at pc 0x%lx: injecting a virtual SError\n",
	       v->vm->name, v->id, regs->esr, regs->pc);
	WRITE_SYSREG(READ_SYSREG(hcr_el2) | HCR_VSE, hcr_el2);
	isb();
}

void do_trap_irq(struct cpu_user_regs *regs)
{
	(void)regs;
	irq_handle();
}

void do_trap_guest_irq(struct cpu_user_regs *regs)
{
	(void)regs;
	irq_handle();
}

/*
 * A counted exit begins (hyp_traps_vector_counting): stamp it, and count it
 * by kind, a trap by its exception class, an SMCCC call by its owner and an
 * MMIO access by its region. Counted on the vCPU's own CPU: plain increments.
 */
void vcpu_stats_exit_enter(struct cpu_user_regs *regs, unsigned int kind)
{
	struct vcpu *v = current_vcpu();
	struct vcpu_stats *s = &v->stats;
	unsigned int ec;

	regs->entered_at = READ_SYSREG(cntpct_el0);
	if (kind != VCPU_EXIT_SYNC) {
		if (kind == VCPU_EXIT_IRQ)
			s->irq_exits++;
		else
			s->serror_exits++;
		return; /* the frame's ESR is an older exit's */
	}
	ec = esr_ec(regs->esr);
	s->sync_exits[ec]++;
	if ((ec == EC_HVC64 || ec == EC_SMC64) && !(esr_iss(regs->esr) & 0xffff)) {
		uint32_t fid = (uint32_t)regs->x[0];

		if (fid & SMCCC_FAST_CALL)
			s->fast_calls[SMCCC_OWNER(fid)]++;
		else
			s->yielding_calls++;
	} else if (ec == EC_DABT_LOW) {
		vm_count_mmio(v->vm, hpfar_to_ipa(READ_SYSREG(hpfar_el2), READ_SYSREG(far_el2)));
	}
}

/* A counted exit ends: its time, from the stamp to here, is the vCPU's. */
void vcpu_stats_exit_leave(struct cpu_user_regs *regs)
{
	current_vcpu()->stats.hyp_ticks += READ_SYSREG(cntpct_el0) - regs->entered_at;
}

void traps_count_guest_exits(bool on)
{
	extern char hyp_traps_vector[], hyp_traps_vector_counting[];

	WRITE_SYSREG((uint64_t)(on ? hyp_traps_vector_counting : hyp_traps_vector), vbar_el2);
	isb();
}

/* The one place pending work is finished before a guest runs again. */
void leave_hypervisor_to_guest(struct cpu_user_regs *regs)
{
	struct vcpu *v = current_vcpu();

	(void)regs;
	vcpu_check_stop(v); /* its VM is stopping: this vCPU does not go back */
	vgic_sync_before_entry(v);
}
