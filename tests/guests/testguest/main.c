/*
 * Test guest: checks what the hypervisor promises a guest (entry state, the
 * DTB, PSCI over HVC and SMC, unknown SMCCC calls, data aborts for unmapped
 * IPAs) and prints one "TG: PASS <name>" or "TG: FAIL <name>: ..." line per
 * check, then a "TG: DONE" summary, then powers off through PSCI.
 */
#include <stdbool.h>
#include <stdint.h>
#include "exception.h"
#include "printf.h"
#include "smccc.h"
#include "sysreg.h"
#include "uart.h"

#define FDT_MAGIC 0xd00dfeedU

/* Unassigned function IDs: a call must fail with -1, not raise an exception. */
#define UNKNOWN_HVC_FID 0x4b000000UL /* the one kvm-unit-tests uses */
#define UNKNOWN_SMC_FID 0x8600ff00UL /* standard hypervisor service range */

#ifndef ABORT_ADDR
#define ABORT_ADDR 0x0a000000UL /* nothing is mapped here for the guest */
#endif

static unsigned int passed, failed;

/* Every exception taken, expected or not: SMCCC calls must not add to it. */
static volatile unsigned long exception_count;

/* Set around the one load that is meant to abort; the handler clears it. */
static volatile bool expect_abort;

static volatile struct {
	bool taken;
	unsigned long esr, far, elr;
} abort_rec;

static void pass(const char *name)
{
	gprintf("TG: PASS %s\n", name);
	passed++;
}

static void __attribute__((format(printf, 2, 3))) fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	gprintf("TG: FAIL %s: ", name);
	va_start(ap, fmt);
	gvprintf(fmt, ap);
	va_end(ap);
	gprintf("\n");
	failed++;
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

void guest_exception(struct exc_frame *frame, unsigned long vector)
{
	static volatile unsigned int fatal_depth;
	unsigned long esr = read_sysreg(esr_el1);
	unsigned long far = read_sysreg(far_el1);

	exception_count++;

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
	gprintf("TG: PASS dtb (0x%x bytes at 0x%lx)\n", size, dtb);
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
 * A load from an IPA with nothing behind it must come back to us as a
 * synchronous external abort on our own SP_ELx vector, with FAR = the IPA.
 */
static void test_data_abort(void)
{
	const unsigned long addr = ABORT_ADDR;
	unsigned long load_pc, ec, dfsc;
	uint32_t val = 0xdeadbeef;

	abort_rec.taken = false;
	expect_abort = true;
	/* adr gives the address of the load, to compare with ELR. */
	__asm__ volatile("1:	ldr	%w0, [%2]\n"
	                 "	adr	%1, 1b\n"
	                 : "+r"(val), "=r"(load_pc)
	                 : "r"(addr)
	                 : "memory");
	expect_abort = false;

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

void __attribute__((noreturn)) guest_main(unsigned long dtb);

void __attribute__((noreturn)) guest_main(unsigned long dtb)
{
	gprintf("TG: test guest started at EL%lu\n", current_el());

	test_el1();
	test_dtb(dtb);
	test_psci_version("hvc-psci-version", smccc_hvc);
	test_psci_version("smc-psci-version", smccc_smc);
	test_unknown("hvc-unknown", smccc_hvc, UNKNOWN_HVC_FID);
	test_unknown("smc-unknown", smccc_smc, UNKNOWN_SMC_FID);
	test_data_abort();

	gprintf("TG: DONE %u passed, %u failed\n", passed, failed);
	power_off();
}
