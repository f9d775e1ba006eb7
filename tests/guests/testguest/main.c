/*
 * Test guest: checks what the hypervisor promises a guest (entry state, the
 * DTB, PSCI over HVC and SMC, unknown SMCCC calls, data aborts for unmapped
 * IPAs, the virtual GICv3 and its interrupts, the virtual timer, CPU_ON of
 * the other vCPUs, a fault loop that is answered, a vCPU whose exception
 * handler faults being stopped and started again) and prints one
 * "TG: PASS <name>" or "TG: FAIL <name>: ..." line per check, then a
 * "TG: DONE" summary, then powers off through PSCI.
 *
 * Only vCPU 0 prints: the secondaries report through shared memory, so the
 * console lines never interleave.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "exception.h"
#include "fdt.h"
#include "fdt_cpus.h"
#include "gicv2.h"
#include "gicv3.h"
#include "printf.h"
#include "smccc.h"
#include "sysreg.h"
#include "testguest.h"
#include "timer.h"
#include "uart.h"

/* Unassigned function IDs: a call must fail with -1, not raise an exception. */
#define UNKNOWN_HVC_FID 0x4b000000UL /* the one kvm-unit-tests uses */
#define UNKNOWN_SMC_FID 0x8600ff00UL /* standard hypervisor service range */

#ifndef ABORT_ADDR
#define ABORT_ADDR 0x0a000000UL /* nothing is mapped here for the guest */
#endif

/* A check that needs @n vCPUs: true if this VM has them, else a SKIP line. */
static bool have_vcpus(const char *name, unsigned int n);

/* The vCPUs this guest runs on (with 1, the checks that start vCPU 1 are skipped). */
#define MIN_VCPUS 1
#define MAX_VCPUS 16                   /* secondary stacks in common/start.S */
#define VMPIDR(n) (0x80000000UL | (n)) /* MPIDR_EL1 of vCPU n: bit 31 RES1, Aff0 = n */

/* Priorities (lower is more urgent) of the interrupts not in the overflow test. */
#define SGI_SELF_INTID    5
#define SGI_SELF_PRIORITY 0xa0

#define SECONDARY_MAGIC    0x5ec0da21UL
#define SECONDARY_CONTEXT1 0xc0de0001UL /* CPU_ON contexts, one per start */
#define SECONDARY_CONTEXT2 0xc0de0002UL
#define SECONDARY_CONTEXT3 0xc0de0003UL
#define SECONDARY_DIRTY    0xc0de0d17UL /* leave FP/SVE/PAuth state behind, then CPU_OFF */
#define SECONDARY_INSPECT  0xc0de1a5fUL /* report what the CPU holds at entry */
#define SECONDARY_CHECKS   0xc0de0c4eUL /* run the per-vCPU checks, then CPU_OFF */
#define CHECKS_TIMEOUT_MS  10000
#ifndef BAD_ENTRY_IPA
#define BAD_ENTRY_IPA 0x1000UL /* below guest RAM (flash on QEMU virt) */
#endif
/* Guest RAM at IPA 0 (the Raspberry Pi 4): VBAR_EL1 = 0 is RAM, not a hole. */
#ifndef RAM_AT_ZERO
#define RAM_AT_ZERO 0
#endif

static unsigned int passed, failed, skipped;

/* How many vCPUs the hypervisor gave this guest: its DT's CPU nodes. */
unsigned int nr_vcpus = MIN_VCPUS;

/* Every exception taken, expected or not: SMCCC calls must not add to it. */
static volatile unsigned long exception_count;

/* Set around the one load that is meant to abort; the handler clears it. */
static volatile bool expect_abort;

static volatile struct {
	bool taken;
	unsigned long esr, far, elr;
} abort_rec;

volatile struct irq_log irqs;

/*
 * What a secondary vCPU reports (it must not print). magic is written last,
 * so once it reads SECONDARY_MAGIC the other fields are valid. With the MMU
 * and caches off all of this is Device memory, seen at once by every vCPU;
 * the dsbs only order the stores.
 */
static volatile struct {
	unsigned long magic;
	unsigned long mpidr;
	unsigned long context; /* x0 at entry: CPU_ON's context argument */
	bool off_returned;     /* CPU_OFF came back, with off_ret */
	long off_ret;
	bool faulted; /* took an unexpected exception */
	unsigned long fault_vector, fault_esr, fault_elr;
} secondary;

/* What vCPU 1 found in its CPU at entry (SECONDARY_INSPECT): all must be zero. */
#define SVE_MAX_VL 256
static volatile struct {
	bool inspected;
	unsigned long d0, d31, fpcr, fpsr, apiakey_lo, apgakey_hi;
	unsigned long vl;               /* SVE vector length in bytes, 0 without SVE */
	unsigned long z0_nonzero_bytes; /* of Z0's VL bytes */
	unsigned long p0_nonzero_bytes; /* of P0's VL/8 bytes */
} leftovers;
static uint8_t sve_buf[SVE_MAX_VL] __attribute__((aligned(16)));

extern char secondary_entry[]; /* start.S */
extern char dead_handler_entry[];
void __attribute__((noreturn)) secondary_main(unsigned long context);

/*
 * A check's line names the vCPU it ran on, but for vCPU 0's: "TG: PASS vcpu2
 * vtimer". A secondary prints only while vCPU 0 waits for it, so lines never
 * interleave.
 */
static void check_line(const char *verdict, const char *name)
{
	unsigned int cpu = tg_cpu();

	if (cpu)
		gprintf("TG: %s vcpu%u %s", verdict, cpu, name);
	else
		gprintf("TG: %s %s", verdict, name);
}

void pass(const char *name)
{
	check_line("PASS", name);
	gprintf("\n");
	passed++;
}

void pass_detail(const char *name, const char *fmt, ...)
{
	va_list ap;

	check_line("PASS", name);
	gprintf(" (");
	va_start(ap, fmt);
	gvprintf(fmt, ap);
	va_end(ap);
	gprintf(")\n");
	passed++;
}

void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	check_line("FAIL", name);
	gprintf(": ");
	va_start(ap, fmt);
	gvprintf(fmt, ap);
	va_end(ap);
	gprintf("\n");
	failed++;
}

/* A check this VM cannot run (too few vCPUs): said, and counted apart. */
void skip(const char *name, const char *why)
{
	check_line("SKIP", name);
	gprintf(": %s\n", why);
	skipped++;
}

/* PSCI SYSTEM_OFF over HVC ends the run; it must not return. */
static void __attribute__((noreturn)) power_off(void)
{
	struct smccc_res res;

	uart_flush();
	res = smccc_hvc(PSCI_0_2_FN_SYSTEM_OFF, 0, 0, 0);
	gprintf("TG: FAIL system-off returned 0x%lx\n", res.a0);
	for (;;)
		wfi();
}

/* Called by gicv3_handle_irqs() for each interrupt, before its EOI. */
static void irq_record(unsigned int intid)
{
	if (!timer_irq_stop(intid))
		pmu_irq_stop(intid);
	if (irqs.count < IRQ_LOG_MAX)
		irqs.intid[irqs.count] = (uint16_t)intid;
	irqs.count++;
}

/* Called by gicv3_handle_fiqs() for each Group 0 interrupt, before its EOI. */
static void fiq_record(unsigned int intid)
{
	if (irqs.fiqs < IRQ_LOG_MAX)
		irqs.fiq_intid[irqs.fiqs] = (uint16_t)intid;
	irqs.fiqs++;
}

/* A secondary vCPU must not print: leave the details for vCPU 0 and park. */
static void __attribute__((noreturn))
secondary_fault(unsigned long vector, unsigned long esr, unsigned long elr)
{
	secondary.fault_vector = vector;
	secondary.fault_esr = esr;
	secondary.fault_elr = elr;
	dsb(sy);
	secondary.faulted = true;
	dsb(sy);
	for (;;)
		wfi();
}

void guest_exception(struct exc_frame *frame, unsigned long vector)
{
	static volatile unsigned int fatal_depth;
	unsigned long esr = read_sysreg(esr_el1);
	unsigned long far = read_sysreg(far_el1);

	exception_count++;

	if (vector == VEC_CUR_SPX_SYNC && entry_capture(frame))
		return;
	if (vector == VEC_CUR_SPX_IRQ) {
		tg_gic_handle_irqs(irq_record);
		return;
	}
	if (vector == VEC_CUR_SPX_FIQ && tg_gic_is_v3()) {
		gicv3_handle_fiqs(fiq_record);
		return;
	}

	if (mpidr_aff0(read_sysreg(mpidr_el1)) != 0)
		secondary_fault(vector, esr, frame->elr);

	if (vector == VEC_CUR_SPX_SYNC && expect_abort) {
		expect_abort = false;
		abort_rec.esr = esr;
		abort_rec.far = far;
		abort_rec.elr = frame->elr;
		abort_rec.taken = true;
		frame->elr += 4; /* step over the faulting load */
		return;
	}

	/*
	 * Nested faults: if printing faults, still try to power off; if the
	 * power-off call faults too, stop here rather than recurse until the
	 * stack runs into the image.
	 */
	switch (fatal_depth++) {
	case 0:
		gprintf("TG: FAIL unexpected-exception: vector %lu ESR=0x%lx ELR=0x%lx FAR=0x%lx\n",
		        vector, esr, frame->elr, far);
		power_off();
	case 1:
		power_off();
	default:
		for (;;)
			wfi();
	}
}

static void test_el1(void)
{
	unsigned long el = current_el();

	if (el == 1)
		pass("el1");
	else
		fail("el1", "CurrentEL=0x%lx (EL%lu)", read_sysreg(CurrentEL), el);
}

static void test_dtb(unsigned long dtb)
{
	uint32_t magic, size;
	unsigned int n;

	if (!dtb || (dtb & 7)) {
		fail("dtb", "x0=0x%lx is not a valid DTB pointer", dtb);
		return;
	}
	/* FDT header fields are big-endian u32s: magic, then totalsize. */
	magic = __builtin_bswap32(*(volatile uint32_t *)dtb);
	size = __builtin_bswap32(*(volatile uint32_t *)(dtb + 4));
	if (magic != FDT_MAGIC) {
		fail("dtb", "x0=0x%lx magic=0x%x, expected 0x%x", dtb, magic, FDT_MAGIC);
		return;
	}
	n = fdt_count_cpus(dtb);
	if (n < MIN_VCPUS || n > MAX_VCPUS) {
		fail("dtb", "it describes %u CPUs; this guest runs on %u to %u", n, MIN_VCPUS,
		     MAX_VCPUS);
		return;
	}
	nr_vcpus = n;
	gprintf("TG: PASS dtb (0x%x bytes at 0x%lx, %u CPUs)\n", size, dtb, n);
	passed++;
}

static void test_psci_version(const char *name, smccc_fn call)
{
	struct smccc_res res = call(PSCI_0_2_FN_PSCI_VERSION, 0, 0, 0);

	if (res.a0 == 0x10001)
		pass(name);
	else
		fail(name, "PSCI_VERSION returned 0x%lx, expected 0x10001 (PSCI 1.1)", res.a0);
}

static void test_unknown(const char *name, smccc_fn call, unsigned long fid)
{
	unsigned long before = exception_count;
	struct smccc_res res = call(fid, 0, 0, 0);
	unsigned long taken = exception_count - before;

	if (res.a0 == SMCCC_RET_NOT_SUPPORTED && !taken)
		pass(name);
	else
		fail(name, "fid 0x%lx returned 0x%lx, expected 0x%lx; %lu exception(s) taken", fid,
		     res.a0, SMCCC_RET_NOT_SUPPORTED, taken);
}

/*
 * The hypervisor's STATS call (core/hypsvc.h) prints this VM's statistics on
 * the hypervisor's console if its definition allows it (hyp,stats), and is
 * NOT_SUPPORTED otherwise: the boot test knows which, and reads the detail.
 */
#define HYPSVC_STATS 0x86000002UL

static void test_hypsvc_stats(void)
{
	struct smccc_res res = smccc_hvc(HYPSVC_STATS, 0, 0, 0);

	if (res.a0 == 0)
		pass_detail("hypsvc-stats", "printed by the hypervisor");
	else if (res.a0 == SMCCC_RET_NOT_SUPPORTED)
		pass_detail("hypsvc-stats", "not allowed: -1");
	else
		fail("hypsvc-stats", "returned 0x%lx, expected 0 or -1", res.a0);
}

/*
 * A 32-bit load from @addr that may abort: the handler records the abort in
 * abort_rec and steps over the load, leaving the result 0xdeadbeef.
 * *load_pc (if not NULL) gets the address of the load, to compare with ELR.
 */
static __attribute__((noinline)) uint32_t probe_read32(unsigned long addr, unsigned long *load_pc)
{
	uint32_t val = 0xdeadbeef;
	unsigned long pc;

	abort_rec.taken = false;
	expect_abort = true;
	__asm__ volatile("1:	ldr	%w0, [%2]\n"
	                 "	adr	%1, 1b\n"
	                 : "+r"(val), "=r"(pc)
	                 : "r"(addr)
	                 : "memory");
	expect_abort = false;
	if (load_pc)
		*load_pc = pc;
	return val;
}

bool tg_probe_aborts(unsigned long addr, unsigned long *far)
{
	probe_read32(addr, NULL);
	*far = abort_rec.far;
	return abort_rec.taken;
}

/*
 * A load from an IPA with nothing behind it must come back to us as a
 * synchronous external abort on our own SP_ELx vector, with FAR = the IPA.
 */
static void test_data_abort(void)
{
	const unsigned long addr = ABORT_ADDR;
	unsigned long load_pc, ec, dfsc;
	uint32_t val = probe_read32(addr, &load_pc);

	if (!abort_rec.taken) {
		fail("data-abort", "no exception from load at 0x%lx, read 0x%x", addr, val);
		return;
	}
	ec = (abort_rec.esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
	dfsc = abort_rec.esr & ESR_DFSC_MASK;
	if (ec != ESR_EC_DABT_CUR || dfsc != ESR_DFSC_EXT_ABORT || abort_rec.far != addr ||
	    abort_rec.elr != load_pc)
		fail("data-abort",
		     "ESR=0x%lx (EC 0x%lx DFSC 0x%lx) FAR=0x%lx ELR=0x%lx, expected EC 0x%x DFSC "
		     "0x%x FAR=0x%lx ELR=0x%lx",
		     abort_rec.esr, ec, dfsc, abort_rec.far, abort_rec.elr, ESR_EC_DABT_CUR,
		     ESR_DFSC_EXT_ABORT, addr, load_pc);
	else
		pass("data-abort");
}

/* --- The virtual GICv3 --- */

static void test_gicd_id(void)
{
	uint32_t pidr2 = gic_read32(GICD_BASE + GICD_PIDR2);
	uint32_t typer = gic_read32(GICD_BASE + GICD_TYPER);
	unsigned int nr_irqs = 32 * (GICD_TYPER_ITLINES(typer) + 1);
	uint32_t iidr = probe_read32(GICD_BASE + GICD_IIDR, NULL);

	if (GIC_PIDR2_ARCHREV(pidr2) != 3)
		fail("gicd-id", "GICD_PIDR2=0x%x: ArchRev %u, expected 3", pidr2,
		     GIC_PIDR2_ARCHREV(pidr2));
	else if (nr_irqs < 64)
		fail("gicd-id", "GICD_TYPER=0x%x: %u interrupts, expected >= 64", typer, nr_irqs);
	else if (typer & GICD_TYPER_ESPI)
		fail("gicd-id", "GICD_TYPER=0x%x: ESPI set, but no extended SPI range is there",
		     typer);
	else if (GICD_TYPER_CPUNUMBER(typer) != (nr_vcpus < 8 ? nr_vcpus : 8) - 1)
		fail("gicd-id", "GICD_TYPER=0x%x: CPUNumber %u with %u vCPUs, expected %u", typer,
		     GICD_TYPER_CPUNUMBER(typer), nr_vcpus, (nr_vcpus < 8 ? nr_vcpus : 8) - 1);
	else if (abort_rec.taken)
		fail("gicd-id", "reading GICD_IIDR aborted: ESR=0x%lx", abort_rec.esr);
	else {
		gprintf("TG: PASS gicd-id (IIDR 0x%x, %u interrupts)\n", iidr, nr_irqs);
		passed++;
	}
}

/* Each vCPU's redistributor names its vCPU, and only the last frame says it is the last. */
static void test_gicr_typer(void)
{
	for (unsigned int n = 0; n < nr_vcpus; n++) {
		uint64_t typer = gic_read64(gicr_rd_base(n) + GICR_TYPER);
		bool last = typer & GICR_TYPER_LAST;

		if (GICR_TYPER_AFFINITY(typer) != n || last != (n == nr_vcpus - 1)) {
			fail("gicr-typer",
			     "frame %u: GICR_TYPER=0x%lx (Affinity 0x%lx, Last %d), expected "
			     "Affinity 0x%x, Last %d",
			     n, typer, GICR_TYPER_AFFINITY(typer), last, n, n == nr_vcpus - 1);
			return;
		}
	}
	pass("gicr-typer");
}

/*
 * Set up the GIC for vCPU 0 for the interrupt checks that follow. Not a
 * check of its own: it only reports if a step does not take effect. IRQs
 * stay masked, as at entry, except while a check waits for interrupts.
 */
static void gic_setup(void)
{
	if (!tg_gic_is_v3()) {
		gicv2_enable();
		return;
	}
	if (!gicv3_enable_sre()) {
		fail("gic-init", "ICC_SRE_EL1.SRE stays 0 (ICC_SRE_EL1=0x%lx)",
		     read_sysreg(icc_sre_el1));
		return;
	}
	gicv3_dist_enable();
	if (!gicv3_redist_wake(0, TIMEOUT_MS)) {
		fail("gic-init", "GICR_WAKER=0x%x: ChildrenAsleep still set after %u ms",
		     gic_read32(gicr_rd_base(0) + GICR_WAKER), TIMEOUT_MS);
		return;
	}
	gicv3_private_group1(0);
	gicv3_cpu_if_enable();
}

void irq_log_reset(void)
{
	irqs.count = 0;
	irqs.timer_at = 0;
	irqs.fiqs = 0;
}

/* "a b c" from a list of INTIDs, for failure messages; "..." if @more were left out. */
static const char *intids_str(char *buf, size_t size, const volatile uint16_t *ids, unsigned int n,
                              bool more)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n && pos + 8 < size; i++) {
		char digits[6];
		unsigned int v = ids[i], nd = 0;

		if (i)
			buf[pos++] = ' ';
		do
			digits[nd++] = (char)('0' + v % 10);
		while ((v /= 10) && nd < sizeof(digits));
		while (nd)
			buf[pos++] = digits[--nd];
		buf[pos] = '\0';
	}
	if (more && pos + 5 < size) {
		buf[pos++] = ' ';
		buf[pos++] = '.';
		buf[pos++] = '.';
		buf[pos++] = '.';
		buf[pos] = '\0';
	}
	return n ? buf : "none";
}

const char *irq_log_str(char *buf, size_t size)
{
	unsigned int n = irqs.count < IRQ_LOG_MAX ? irqs.count : IRQ_LOG_MAX;

	return intids_str(buf, size, irqs.intid, n, n < irqs.count);
}

/* A busy wait: with WFI a lost interrupt could leave nothing to end the wait. */
void irq_wait(unsigned int n, unsigned int timeout_ms)
{
	uint64_t deadline = timer_now() + timer_ms_to_ticks(timeout_ms);

	local_irq_enable();
	isb(); /* take what is pending now */
	while (irqs.count < n && timer_now() < deadline)
		;
	timer_delay_ms(IRQ_SETTLE_MS);
	local_irq_disable();
}

/* An SGI sent to ourselves while masked arrives once we unmask, exactly once. */
static void test_sgi_self(void)
{
	char buf[64];

	irq_log_reset();
	tg_gic_set_priority(SGI_SELF_INTID, SGI_SELF_PRIORITY);
	tg_gic_enable(SGI_SELF_INTID);
	tg_gic_sgi_self(SGI_SELF_INTID);
	irq_wait(1, IRQ_TIMEOUT_MS);

	if (irqs.count == 1 && irqs.intid[0] == SGI_SELF_INTID)
		pass("sgi-self");
	else
		fail("sgi-self", "handled %u interrupt(s): %s; expected INTID %u once", irqs.count,
		     irq_log_str(buf, sizeof(buf)), SGI_SELF_INTID);
}

/*
 * More pending interrupts than the hardware has list registers (QEMU: 4):
 * the hypervisor holds the rest back and must refill the list registers as
 * the guest completes interrupts, always with the most urgent ones, so the
 * guest sees all of them, each once, in priority order. The priorities are
 * 0x80 - 0x10 * k for a permutation k of 0-7 that is neither INTID order nor
 * its reverse, so neither a FIFO nor a LIFO nor an INTID sort passes.
 */
#define OVERFLOW_FIRST_SGI 1
#define OVERFLOW_NR_SGIS   8
static const uint8_t overflow_priority[OVERFLOW_NR_SGIS] = {
    0x50, 0x10, 0x70, 0x30, 0x80, 0x20, 0x60, 0x40, /* SGIs 1-8 */
};

static void test_sgi_overflow_priority(void)
{
	unsigned int seen[OVERFLOW_NR_SGIS] = {0};
	uint16_t expected[OVERFLOW_NR_SGIS];
	char buf[64], expected_buf[64];
	const char *why = NULL;

	irq_log_reset();
	for (unsigned int i = 0; i < OVERFLOW_NR_SGIS; i++) {
		tg_gic_set_priority(OVERFLOW_FIRST_SGI + i, overflow_priority[i]);
		tg_gic_enable(OVERFLOW_FIRST_SGI + i);
	}
	for (unsigned int i = 0; i < OVERFLOW_NR_SGIS; i++)
		tg_gic_sgi_self(OVERFLOW_FIRST_SGI + i);
	irq_wait(OVERFLOW_NR_SGIS, IRQ_TIMEOUT_MS);

	if (irqs.count != OVERFLOW_NR_SGIS)
		why = "wrong number of interrupts";
	for (unsigned int i = 0; !why && i < irqs.count; i++) {
		unsigned int k = irqs.intid[i] - OVERFLOW_FIRST_SGI;

		if (irqs.intid[i] < OVERFLOW_FIRST_SGI || k >= OVERFLOW_NR_SGIS || seen[k]++)
			why = "an unexpected or repeated INTID";
		else if (i && overflow_priority[k] <=
		                  overflow_priority[irqs.intid[i - 1] - OVERFLOW_FIRST_SGI])
			why = "not in priority order";
	}
	if (!why) {
		pass("sgi-overflow-priority");
		return;
	}
	/* The expected order: the SGIs sorted by priority (all distinct). */
	for (unsigned int i = 0; i < OVERFLOW_NR_SGIS; i++) {
		unsigned int rank = 0;

		for (unsigned int j = 0; j < OVERFLOW_NR_SGIS; j++)
			rank += overflow_priority[j] < overflow_priority[i];
		expected[rank] = (uint16_t)(OVERFLOW_FIRST_SGI + i);
	}
	fail("sgi-overflow-priority", "%s: handled %u interrupt(s) in the order %s; expected %s",
	     why, irqs.count, irq_log_str(buf, sizeof(buf)),
	     intids_str(expected_buf, sizeof(expected_buf), expected, OVERFLOW_NR_SGIS, false));
}

/* --- What the guest is told about its CPU (ID registers) --- */

#define ID_FIELD(reg, shift) (((reg) >> (shift)) & 0xfUL)

static bool cpu_has_sve(void)
{
	return ID_FIELD(read_sysreg(s3_0_c0_c4_0), 32) != 0;
}

static bool cpu_has_pauth(void)
{
	unsigned long isar1 = read_sysreg(s3_0_c0_c6_1), isar2 = read_sysreg(s3_0_c0_c6_2);

	return ID_FIELD(isar1, 4) || ID_FIELD(isar1, 8) || ID_FIELD(isar1, 24) ||
	       ID_FIELD(isar1, 28) || ID_FIELD(isar2, 8) || ID_FIELD(isar2, 12);
}

/* FP/SIMD, and SVE where the CPU has it, not trapped at EL1/EL0 (CPACR_EL1.FPEN, ZEN). */
static void fp_enable(void)
{
	write_sysreg(cpacr_el1, (3UL << 20) | (cpu_has_sve() ? 3UL << 16 : 0));
	isb();
}

/*
 * Runs @insn (one instruction, as .inst) expecting an undefined-instruction
 * exception; returns its ESR, or ~0 if none was taken.
 */
#define EXPECT_UNDEF(insn)                                       \
	({                                                       \
		abort_rec.taken = false;                         \
		expect_abort = true;                             \
		__asm__ volatile(".inst " #insn : : : "memory"); \
		expect_abort = false;                            \
		abort_rec.taken ? abort_rec.esr : ~0UL;          \
	})

/*
 * The hypervisor's view of the CPU: EL2 is not the guest's, EL1 is AArch64
 * only, the GIC field matches the distributor (v3: system registers); SME, AMU, SPE, TRBE, FGT
 * and VHE read as absent, the reserved ID encodings as zero; SME
 * instructions are undefined; RAS, if shown, has no error records.
 */
/*
 * ID_AA64PFR0_EL1.GIC tells the truth: 1 (system registers) with a GICv3
 * distributor (GICD_PIDR2.ArchRev 3), 0 with a GICv2 one (ArchRev 2).
 */
static bool gic_field_matches_distributor(unsigned long pfr0)
{
	if (ID_FIELD(pfr0, 24) == 1)
		return GIC_PIDR2_ARCHREV(gic_read32(GICD_BASE + GICD_PIDR2)) == 3;
	return ID_FIELD(pfr0, 24) == 0 &&
	       GIC_PIDR2_ARCHREV(gic_read32(GICD_BASE + GICD_PIDR2_V2)) == 2;
}

static void test_id_registers(void)
{
	unsigned long pfr0 = read_sysreg(s3_0_c0_c4_0), pfr1 = read_sysreg(s3_0_c0_c4_1);
	unsigned long dfr0 = read_sysreg(s3_0_c0_c5_0), mmfr0 = read_sysreg(s3_0_c0_c7_0);
	unsigned long mmfr1 = read_sysreg(s3_0_c0_c7_1);
	unsigned long smfr0 = read_sysreg(s3_0_c0_c4_5), reserved = read_sysreg(s3_0_c0_c4_3);
	unsigned long esr;

	if (ID_FIELD(pfr0, 8) || ID_FIELD(pfr0, 4) != 1 || !gic_field_matches_distributor(pfr0) ||
	    ID_FIELD(pfr0, 44) || ID_FIELD(pfr1, 24) || smfr0 || reserved || ID_FIELD(dfr0, 32) ||
	    ID_FIELD(dfr0, 44) || ID_FIELD(mmfr0, 56) || ID_FIELD(mmfr1, 8)) {
		fail("id-registers",
		     "PFR0=0x%lx PFR1=0x%lx DFR0=0x%lx MMFR0=0x%lx MMFR1=0x%lx SMFR0=0x%lx "
		     "ID(4,3)=0x%lx",
		     pfr0, pfr1, dfr0, mmfr0, mmfr1, smfr0, reserved);
		return;
	}
	/*
	 * SMSTART with CPACR_EL1.SMEN set, so that EL1 itself does not trap it:
	 * undefined (EC 0), as the CPU was said to have no SME. (With SMEN
	 * clear, an SME CPU traps it to EL1 as EC 0x1D: the guest's own doing.)
	 */
	write_sysreg(cpacr_el1, read_sysreg(cpacr_el1) | (3UL << 24));
	isb();
	esr = EXPECT_UNDEF(0xd503477f);
	write_sysreg(cpacr_el1, read_sysreg(cpacr_el1) & ~(3UL << 24));
	isb();
	if (esr == ~0UL || (esr >> ESR_EC_SHIFT) != 0) {
		fail("id-registers", "SMSTART did not raise an undefined instruction (ESR 0x%lx)",
		     esr);
		return;
	}
	if (ID_FIELD(pfr0, 28) && read_sysreg(s3_0_c5_c3_0) != 0) {
		fail("id-registers", "RAS shown, but ERRIDR_EL1 = 0x%lx",
		     read_sysreg(s3_0_c5_c3_0));
		return;
	}
	gprintf("TG: PASS id-registers (PFR0=0x%lx PFR1=0x%lx ISAR1=0x%lx MMFR0=0x%lx, SVE %s, "
	        "PAuth %s)\n",
	        pfr0, pfr1, read_sysreg(s3_0_c0_c6_1), mmfr0, cpu_has_sve() ? "yes" : "no",
	        cpu_has_pauth() ? "yes" : "no");
	passed++;
}

/* SVE where shown: RDVL works and gives a multiple of 16 bytes; where not, it is undefined. */
static void test_sve(void)
{
	unsigned long vl = 0, esr;

	fp_enable();
	if (!cpu_has_sve()) {
		esr = EXPECT_UNDEF(0x04bf5020); /* rdvl x0, #1 */
		if (esr == ~0UL)
			fail("sve", "no SVE shown, but RDVL ran");
		else
			pass("sve");
		return;
	}
	__asm__ volatile(".arch armv8.2-a+sve\n\trdvl %0, #1" : "=r"(vl));
	if (vl < 16 || vl > SVE_MAX_VL || vl % 16)
		fail("sve", "RDVL says %lu bytes", vl);
	else {
		gprintf("TG: PASS sve (VL %lu bytes)\n", vl);
		passed++;
	}
}

/* vCPU 1, first life: put values in every kind of register the next life must not see. */
/* Set by a secondary once its per-vCPU checks are done (SECONDARY_CHECKS). */
static volatile bool checks_done;

/* Wait for *@flag, or @timeout_ms: whether it came. */
static bool wait_flag(volatile bool *flag, unsigned int timeout_ms)
{
	uint64_t deadline = timer_now() + timer_ms_to_ticks(timeout_ms);

	while (!*flag) {
		if (timer_now() >= deadline)
			return false;
	}
	return true;
}

/* On a secondary: its CPU interface, then the checks about its own CPU. */
static void secondary_checks(void)
{
	if (!tg_gic_cpu_setup())
		fail("gic-init", "the GIC CPU interface or redistributor does not come up");
	else
		test_timers();
	test_exception_entry();
	test_pmu_el2();
	test_pmu_irq();
	dsb(sy);
	checks_done = true;
	dsb(sy);
}

static void secondary_dirty_cpu(void)
{
	unsigned long pattern = 0x5a5a5a5a5a5a5a5aUL;

	fp_enable();
	__asm__ volatile(".arch armv8.2-a+fp\n\tfmov d0, %0\n\tfmov d31, %0\n\t"
	                 "msr fpcr, %1\n\tmsr fpsr, %2"
	                 :
	                 : "r"(pattern), "r"(1UL << 25), "r"(1UL << 27)
	                 : "memory");
	if (cpu_has_sve())
		__asm__ volatile(".arch armv8.2-a+sve\n\tdup z0.b, #0x5a\n\tptrue p0.b"
		                 :
		                 :
		                 : "memory");
	if (cpu_has_pauth()) {
		write_sysreg(s3_0_c2_c1_0, pattern); /* APIAKeyLo_EL1 */
		write_sysreg(s3_0_c2_c3_1, pattern); /* APGAKeyHi_EL1 */
	}
}

static unsigned long nonzero_bytes(const volatile uint8_t *p, unsigned long n)
{
	unsigned long count = 0;

	for (unsigned long i = 0; i < n; i++)
		count += p[i] != 0;
	return count;
}

/* vCPU 1, next life: what its CPU holds at entry. */
static void secondary_inspect_cpu(void)
{
	unsigned long d0, d31, fpcr, fpsr;

	fp_enable();
	__asm__ volatile(".arch armv8.2-a+fp\n\tfmov %0, d0\n\tfmov %1, d31\n\t"
	                 "mrs %2, fpcr\n\tmrs %3, fpsr"
	                 : "=r"(d0), "=r"(d31), "=r"(fpcr), "=r"(fpsr));
	leftovers.d0 = d0;
	leftovers.d31 = d31;
	leftovers.fpcr = fpcr;
	leftovers.fpsr = fpsr;
	if (cpu_has_sve()) {
		unsigned long vl;

		__asm__ volatile(".arch armv8.2-a+sve\n\trdvl %0, #1\n\tstr z0, [%1]"
		                 : "=&r"(vl)
		                 : "r"(sve_buf)
		                 : "memory");
		leftovers.vl = vl;
		leftovers.z0_nonzero_bytes = nonzero_bytes(sve_buf, vl);
		__asm__ volatile(".arch armv8.2-a+sve\n\tstr p0, [%0]" : : "r"(sve_buf) : "memory");
		leftovers.p0_nonzero_bytes = nonzero_bytes(sve_buf, vl / 8);
	}
	if (cpu_has_pauth()) {
		leftovers.apiakey_lo = read_sysreg(s3_0_c2_c1_0);
		leftovers.apgakey_hi = read_sysreg(s3_0_c2_c3_1);
	}
	dsb(sy);
	leftovers.inspected = true;
	dsb(sy);
}

/* --- PSCI CPU_ON of the other vCPUs --- */

/* Runs on a secondary vCPU, from start.S, with its own stack. Must not print. */
void secondary_main(unsigned long context)
{
	struct smccc_res res;

	/* psci_conf.c's own contexts: it does its part and turns the vCPU off there. */
	psci_conf_secondary(context);
	if (context == SECONDARY_CHECKS)
		secondary_checks();
	else if (context == SECONDARY_DIRTY)
		secondary_dirty_cpu();
	else if (context == SECONDARY_INSPECT)
		secondary_inspect_cpu();
	secondary.mpidr = read_sysreg(mpidr_el1);
	secondary.context = context;
	dsb(sy);
	secondary.magic = SECONDARY_MAGIC;
	dsb(sy);

	res = smccc_hvc(PSCI_0_2_FN_CPU_OFF, 0, 0, 0);
	secondary.off_ret = (long)res.a0;
	dsb(sy);
	secondary.off_returned = true;
	dsb(sy);
	for (;;)
		wfi();
}

static long psci_cpu_on(unsigned long mpidr, unsigned long entry, unsigned long context)
{
	return (long)smccc_hvc(PSCI_0_2_FN64_CPU_ON, mpidr, entry, context).a0;
}

/* Poll AFFINITY_INFO(@mpidr, level 0) until it says OFF or @timeout_ms; the last answer. */
static long wait_cpu_off(unsigned long mpidr, unsigned int timeout_ms)
{
	uint64_t deadline = timer_now() + timer_ms_to_ticks(timeout_ms);
	long state;

	do
		state = (long)smccc_hvc(PSCI_0_2_FN64_AFFINITY_INFO, mpidr, 0, 0).a0;
	while (state != PSCI_AFFINITY_OFF && timer_now() < deadline);
	return state;
}

/*
 * The checks that are about a vCPU's own CPU (its timers, its exception
 * entry, its PMU), run again on every other vCPU, one at a time: vCPU 0 starts
 * it and waits, without printing, until it has finished and turned itself off.
 */
static void test_checks_on_every_vcpu(void)
{
	for (unsigned int n = 1; n < nr_vcpus; n++) {
		long ret;

		checks_done = false;
		dsb(sy);
		ret = psci_cpu_on(n, (unsigned long)secondary_entry, SECONDARY_CHECKS);
		if (ret != PSCI_RET_SUCCESS) {
			fail("every-vcpu", "CPU_ON(vCPU %u) returned %ld", n, ret);
			return;
		}
		if (!wait_flag(&checks_done, CHECKS_TIMEOUT_MS) ||
		    wait_cpu_off(n, TIMEOUT_MS) != PSCI_AFFINITY_OFF) {
			fail("every-vcpu",
			     "vCPU %u did not finish its checks and turn off within "
			     "%u ms",
			     n, CHECKS_TIMEOUT_MS);
			return;
		}
	}
	pass("every-vcpu");
}

static void secondary_reset_report(void)
{
	secondary.magic = 0;
	secondary.mpidr = 0;
	secondary.context = 0;
	secondary.off_returned = false;
	secondary.faulted = false;
	dsb(sy);
}

/* Start vCPU 1 with @context and wait for its report; false (and a FAIL) if it goes wrong. */
static bool start_vcpu1(const char *name, unsigned long context)
{
	uint64_t deadline;
	long ret;

	secondary_reset_report();
	ret = psci_cpu_on(1, (unsigned long)secondary_entry, context);
	if (ret != PSCI_RET_SUCCESS) {
		fail(name, "CPU_ON(1, 0x%lx) returned %ld, expected 0",
		     (unsigned long)secondary_entry, ret);
		return false;
	}
	deadline = timer_now() + timer_ms_to_ticks(TIMEOUT_MS);
	while (secondary.magic != SECONDARY_MAGIC && !secondary.faulted && timer_now() < deadline)
		;
	if (secondary.faulted) {
		fail(name, "vCPU 1 took an exception: vector %lu ESR=0x%lx ELR=0x%lx",
		     secondary.fault_vector, secondary.fault_esr, secondary.fault_elr);
		return false;
	}
	if (secondary.magic != SECONDARY_MAGIC) {
		fail(name, "vCPU 1 did not report within %u ms", TIMEOUT_MS);
		return false;
	}
	if (secondary.mpidr != VMPIDR(1) || secondary.context != context) {
		fail(name, "vCPU 1 reported MPIDR 0x%lx, context 0x%lx; expected 0x%lx, 0x%lx",
		     secondary.mpidr, secondary.context, VMPIDR(1), context);
		return false;
	}
	return true;
}

/* Wait for vCPU 1 to have turned itself off; false (and a FAIL) if it does not. */
static bool vcpu1_turned_off(const char *name)
{
	long state = wait_cpu_off(1, TIMEOUT_MS);

	if (state == PSCI_AFFINITY_OFF)
		return true;
	if (secondary.off_returned)
		fail(name, "vCPU 1's CPU_OFF returned %ld", secondary.off_ret);
	else
		fail(name, "AFFINITY_INFO(1, 0) still %ld after %u ms, expected %d (OFF)", state,
		     TIMEOUT_MS, PSCI_AFFINITY_OFF);
	return false;
}

static void test_cpu_on_secondary(void)
{
	if (start_vcpu1("cpu-on-secondary", SECONDARY_CONTEXT1))
		pass("cpu-on-secondary");
}

/* A vCPU that turned itself off can be turned on again (and turns off again). */
static void test_cpu_on_again(void)
{
	if (vcpu1_turned_off("cpu-on-again") && start_vcpu1("cpu-on-again", SECONDARY_CONTEXT2) &&
	    vcpu1_turned_off("cpu-on-again"))
		pass("cpu-on-again");
}

/*
 * A vCPU started by CPU_ON gets a clean CPU: vCPU 1 fills FP/SIMD, SVE and
 * pointer-authentication registers and turns itself off; started again (on
 * the same physical CPU, vCPUs are pinned) it must find them all zero.
 */
static void test_cpu_on_clean_state(void)
{
	const char *name = "cpu-on-clean-state";

	if (!start_vcpu1(name, SECONDARY_DIRTY) || !vcpu1_turned_off(name) ||
	    !start_vcpu1(name, SECONDARY_INSPECT) || !vcpu1_turned_off(name))
		return;
	if (!leftovers.inspected)
		fail(name, "vCPU 1 did not inspect its CPU");
	else if (leftovers.d0 || leftovers.d31 || leftovers.fpcr || leftovers.fpsr ||
	         leftovers.z0_nonzero_bytes || leftovers.p0_nonzero_bytes || leftovers.apiakey_lo ||
	         leftovers.apgakey_hi)
		fail(name,
		     "left over: d0=0x%lx d31=0x%lx FPCR=0x%lx FPSR=0x%lx, %lu of Z0's and %lu "
		     "of P0's bytes, APIAKeyLo=0x%lx APGAKeyHi=0x%lx",
		     leftovers.d0, leftovers.d31, leftovers.fpcr, leftovers.fpsr,
		     leftovers.z0_nonzero_bytes, leftovers.p0_nonzero_bytes, leftovers.apiakey_lo,
		     leftovers.apgakey_hi);
	else {
		gprintf("TG: PASS %s (FP/SIMD%s%s)\n", name, leftovers.vl ? ", SVE" : "",
		        cpu_has_pauth() ? ", PAuth keys" : "");
		passed++;
	}
}

static void check_cpu_on_error(const char *name, unsigned long mpidr, unsigned long entry,
                               long expected)
{
	long ret = psci_cpu_on(mpidr, entry, 0);

	if (ret == expected)
		pass(name);
	else
		fail(name, "CPU_ON(0x%lx, 0x%lx) returned %ld, expected %ld", mpidr, entry, ret,
		     expected);
}

/* --- Faults in a loop --- */

/*
 * A test loop touching a hole from one PC, its handler answering each time:
 * every load must come back as an abort, and the hypervisor must not take
 * the loop for a vCPU that cannot make progress (it names the fault once and
 * counts the rest; the boot test checks the console). The loop's load is one
 * instruction; one more load from another PC afterwards makes the hypervisor
 * tell the count.
 */
#define FAULT_LOOP_READS 50
#define FAULT_LOOP_ADDR  (ABORT_ADDR + 0x40) /* an IPA of its own, for its own console line */

/*
 * The loop's one load, in a function of its own (noinline): one PC however the
 * compiler shapes the loop (it once peeled the first iteration), and not the
 * PC of probe_read32(), whose faults the earlier checks made.
 */
static __attribute__((noinline)) uint32_t fault_loop_load(unsigned long *load_pc)
{
	uint32_t val = 0xdeadbeef;

	abort_rec.taken = false;
	expect_abort = true;
	__asm__ volatile("1:	ldr	%w0, [%2]\n"
	                 "	adr	%1, 1b\n"
	                 : "+r"(val), "=r"(*load_pc)
	                 : "r"(FAULT_LOOP_ADDR)
	                 : "memory");
	expect_abort = false;
	return val;
}

static void test_fault_loop(void)
{
	unsigned long first_pc = 0;
	unsigned int answered = 0;

	for (unsigned int i = 0; i < FAULT_LOOP_READS; i++) {
		unsigned long pc;
		uint32_t val = fault_loop_load(&pc);

		if (!i)
			first_pc = pc;
		if (pc != first_pc) {
			fail("fault-loop", "the load moved from pc 0x%lx to 0x%lx (loop unrolled?)",
			     first_pc, pc);
			return;
		}
		if (abort_rec.taken && abort_rec.elr == pc && abort_rec.far == FAULT_LOOP_ADDR &&
		    val == 0xdeadbeef)
			answered++;
	}
	/* One more load, from another PC than the loop's: the hypervisor tells the count. */
	abort_rec.taken = false;
	expect_abort = true;
	__asm__ volatile("ldr	wzr, [%0]" : : "r"(FAULT_LOOP_ADDR) : "memory");
	expect_abort = false;
	if (answered != FAULT_LOOP_READS || !abort_rec.taken) {
		fail("fault-loop",
		     "%u of %u loads at pc 0x%lx came back as aborts; the load after "
		     "%s",
		     answered, FAULT_LOOP_READS, first_pc, abort_rec.taken ? "did too" : "did not");
		return;
	}
	gprintf("TG: PASS fault-loop (%u aborts at pc 0x%lx)\n", answered, first_pc);
	passed++;
}

/*
 * CPU_ON entry of a vCPU whose exception handler is not there: VBAR_EL1 = 0,
 * where this guest has nothing, then a load from the hole at x0 (the CPU_ON
 * context). The abort sends it to 0x200, whose fetch aborts and sends it to
 * 0x200 again: it can never make progress, and the hypervisor must stop it.
 */
__asm__(".pushsection .text.dead_handler_entry, \"ax\"\n"
        ".globl dead_handler_entry\n"
        ".balign 4\n"
        "dead_handler_entry:\n"
        "	msr	vbar_el1, xzr\n"
        "	isb\n"
        "	ldr	w1, [x0]\n"
        "1:	wfi\n" /* never reached */
        "	b	1b\n"
        ".popsection\n");

/* The hypervisor turns such a vCPU off: AFFINITY_INFO must come to say OFF. */
static bool test_dead_handler_stopped(void)
{
	long ret = psci_cpu_on(1, (unsigned long)dead_handler_entry, ABORT_ADDR);
	long state;

	if (ret != PSCI_RET_SUCCESS) {
		fail("dead-handler-stopped", "CPU_ON(1, 0x%lx) returned %ld, expected 0",
		     (unsigned long)dead_handler_entry, ret);
		return false;
	}
	state = wait_cpu_off(1, TIMEOUT_MS);
	if (state != PSCI_AFFINITY_OFF) {
		fail("dead-handler-stopped",
		     "AFFINITY_INFO(1, 0) still %ld after %u ms, expected %d (OFF): the vCPU whose "
		     "handler faults was not stopped",
		     state, TIMEOUT_MS, PSCI_AFFINITY_OFF);
		return false;
	}
	pass("dead-handler-stopped");
	return true;
}

/* The stopped vCPU starts again, fresh, at a normal entry (and turns itself off). */
static bool have_vcpus(const char *name, unsigned int n)
{
	if (nr_vcpus >= n)
		return true;
	skip(name, n == 2 ? "it starts vCPU 1: 2 vCPUs" : "it needs more vCPUs than this VM has");
	return false;
}

static void test_cpu_on_after_stop(void)
{
	if (start_vcpu1("cpu-on-after-stop", SECONDARY_CONTEXT3) &&
	    vcpu1_turned_off("cpu-on-after-stop"))
		pass("cpu-on-after-stop");
}

void __attribute__((noreturn)) guest_main(unsigned long dtb);

void __attribute__((noreturn)) guest_main(unsigned long dtb)
{
	gprintf("TG: test guest started at EL%lu\n", current_el());
	if (tg_reset_probe(dtb))
		power_off();
	tg_idle(dtb);
	if (tg_flood_ms(dtb)) {
		/* A VM flooding its console (the boot tests' rate-limit check), nothing else. */
		tg_flood(tg_flood_ms(dtb));
		power_off();
	}

	test_el1();
	test_dtb(dtb);
	tg_pmu_find(dtb);
	test_psci_version("hvc-psci-version", smccc_hvc);
	test_psci_version("smc-psci-version", smccc_smc);
	test_unknown("hvc-unknown", smccc_hvc, UNKNOWN_HVC_FID);
	test_unknown("smc-unknown", smccc_smc, UNKNOWN_SMC_FID);
	test_hypsvc_stats();
	test_data_abort();
	test_id_registers();
	test_sve();

	if (tg_gic_detect()) {
		test_gicd_id();
		test_gicr_typer();
		test_gicr_waker_reset();
	}
	gic_setup();
	test_sgi_self();
	test_sgi_overflow_priority();
	if (tg_gic_is_v3()) {
		test_gicv3_groups();
	} else {
		if (have_vcpus("gicv2-sgi-sources", 2))
			test_gicv2_sgi_sources();
		test_gicv2_sgi_pend_bits();
		test_gicv2_no_target();
	}
	test_timers();
	test_exception_entry();
	test_pmu_el2();
	test_pmu_irq();
	test_cpu_suspend_power_state();
	test_mmio_big_endian();
	if (have_vcpus("every-vcpu", 2))
		test_checks_on_every_vcpu();

	if (have_vcpus("cpu-on-secondary", 2)) {
		test_cpu_on_secondary();
		test_cpu_on_again();
		test_cpu_on_clean_state();
	}
	/* vCPU 1 is off again, so only the arguments decide these. */
	check_cpu_on_error("cpu-on-bad-mpidr", nr_vcpus, (unsigned long)secondary_entry,
	                   PSCI_RET_INVALID_PARAMETERS);
	if (have_vcpus("cpu-on-bad-entry", 2))
		check_cpu_on_error("cpu-on-bad-entry", 1, BAD_ENTRY_IPA, PSCI_RET_INVALID_ADDRESS);
	check_cpu_on_error("cpu-on-already-on", 0, (unsigned long)secondary_entry,
	                   PSCI_RET_ALREADY_ON);

	/* PSCI and SMCCC as their specifications describe them (psci_conf.c). */
	test_psci_features();
	if (have_vcpus("psci-return-codes", 2))
		test_psci_return_codes();
	test_smccc_version_and_features();
	if (have_vcpus("affinity-info-transitions", 2))
		test_affinity_info_transitions();
	test_cpu_on_race();

	test_fault_loop();
	if (RAM_AT_ZERO)
		skip("dead-handler-stopped", "IPA 0 is RAM here: VBAR_EL1 = 0 is no hole");
	else if (have_vcpus("dead-handler-stopped", 2) && test_dead_handler_stopped())
		test_cpu_on_after_stop();
	test_isolation(dtb);
	test_shm_ping_pong(dtb);
	test_doorbell_ping_pong(dtb);

	if (skipped)
		gprintf("TG: DONE %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	else
		gprintf("TG: DONE %u passed, %u failed\n", passed, failed);
	power_off();
}
