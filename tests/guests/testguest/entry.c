/*
 * PSTATE on exception entry (Arm ARM, AArch64.TakeException), checked by
 * vCPU 0 against the CPU itself: each case sets SCTLR_EL1 and PSTATE, then
 * takes one exception the CPU raises on its own (UDF, taken straight to EL1)
 * and one the hypervisor injects (a load from an IPA with nothing behind it:
 * a synchronous external abort). At the handler's first instruction both
 * must show the PSTATE the architecture gives, field by field: PAN (set
 * unless SCTLR_EL1.SPAN), UAO (cleared), DIT (kept), SSBS (from
 * SCTLR_EL1.DSSBS), TCO (set), DAIF (all masked), EL1h; and both must have
 * saved the same SPSR_EL1 (NZCV aside). Fields the CPU does not have (as
 * its ID registers tell the guest) are left out.
 */
#include "exception.h"
#include "sysreg.h"
#include "testguest.h"

#ifndef ABORT_ADDR
#define ABORT_ADDR 0x0a000000UL
#endif
#define ENTRY_ABORT_ADDR (ABORT_ADDR + 0x80) /* its own IPA, for its own console line */

#define PSR_PAN     (1UL << 22)
#define PSR_UAO     (1UL << 23)
#define PSR_DIT     (1UL << 24)
#define PSR_TCO     (1UL << 25)
#define PSR_SSBS    (1UL << 12)
#define PSR_DAIF    (0xfUL << 6)
#define PSR_NZCV    (0xfUL << 28)
#define SCTLR_SPAN  (1UL << 23)
#define SCTLR_DSSBS (1UL << 44)

/* PSTATE fields by their MRS/MSR encodings (the assembler needs no extension for these). */
#define read_pan()  read_sysreg(s3_0_c4_c2_3)
#define read_uao()  read_sysreg(s3_0_c4_c2_4)
#define read_dit()  read_sysreg(s3_3_c4_c2_5)
#define read_ssbs() read_sysreg(s3_3_c4_c2_6)
#define read_tco()  read_sysreg(s3_3_c4_c2_7)

#define FIELD(reg, shift) (((reg) >> (shift)) & 0xfUL)

/* What this CPU has, as its (sanitized) ID registers say. */
static struct {
	bool pan, uao, dit, ssbs, tco;
} has;

/* What the handler saw at its first instruction. */
struct entry_record {
	bool taken;
	unsigned long daif, pan, uao, dit, ssbs, tco, el, spsel, spsr;
};

static volatile bool capture_armed;
static volatile struct entry_record capture;

/*
 * Called first thing by guest_exception(): records PSTATE as the exception
 * left it and steps over the faulting instruction. Nothing before it writes
 * PSTATE (the vector only saves registers).
 */
bool entry_capture(struct exc_frame *frame)
{
	if (!capture_armed)
		return false;
	capture.daif = read_sysreg(daif);
	capture.pan = has.pan ? read_pan() : 0;
	capture.uao = has.uao ? read_uao() : 0;
	capture.dit = has.dit ? read_dit() : 0;
	capture.ssbs = has.ssbs ? read_ssbs() : 0;
	capture.tco = has.tco ? read_tco() : 0;
	capture.el = read_sysreg(CurrentEL);
	capture.spsel = read_sysreg(spsel);
	capture.spsr = frame->spsr;
	capture.taken = true;
	capture_armed = false;
	frame->elr += 4;
	return true;
}

/* The PSTATE a case starts from. */
struct entry_case {
	const char *name;
	unsigned long sctlr_set, sctlr_clear; /* SPAN, DSSBS */
	unsigned long pstate;                 /* PAN, UAO, DIT, SSBS, TCO before */
};

static void pstate_write(unsigned long p)
{
	if (has.pan)
		write_sysreg(s3_0_c4_c2_3, p & PSR_PAN);
	if (has.uao)
		write_sysreg(s3_0_c4_c2_4, p & PSR_UAO);
	if (has.dit)
		write_sysreg(s3_3_c4_c2_5, p & PSR_DIT);
	if (has.ssbs)
		write_sysreg(s3_3_c4_c2_6, p & PSR_SSBS);
	if (has.tco)
		write_sysreg(s3_3_c4_c2_7, p & PSR_TCO);
	isb();
}

/* SCTLR_EL1 for case @c: SPAN and DSSBS only where they exist (else RES1 and RES0). */
static unsigned long entry_sctlr(const struct entry_case *c, unsigned long sctlr)
{
	unsigned long mask = (has.pan ? SCTLR_SPAN : 0) | (has.ssbs ? SCTLR_DSSBS : 0);

	return (sctlr | (c->sctlr_set & mask)) & ~(c->sctlr_clear & mask);
}

/* Take one exception from the state of @c: the CPU's own (UDF) or the hypervisor's. */
static void entry_take(const struct entry_case *c, bool injected, struct entry_record *out)
{
	unsigned long sctlr = read_sysreg(sctlr_el1);

	capture.taken = false;
	write_sysreg(sctlr_el1, entry_sctlr(c, sctlr));
	isb();
	capture_armed = true;
	pstate_write(c->pstate);
	if (injected)
		__asm__ volatile("ldr wzr, [%0]" : : "r"(ENTRY_ABORT_ADDR) : "memory");
	else
		__asm__ volatile("udf #0" : : : "memory");
	pstate_write(0);
	capture_armed = false;
	write_sysreg(sctlr_el1, sctlr);
	isb();
	/* Field by field: a struct copy from volatile would call memcpy(), which we lack. */
	out->taken = capture.taken;
	out->daif = capture.daif;
	out->pan = capture.pan;
	out->uao = capture.uao;
	out->dit = capture.dit;
	out->ssbs = capture.ssbs;
	out->tco = capture.tco;
	out->el = capture.el;
	out->spsel = capture.spsel;
	out->spsr = capture.spsr;
}

/* The PSTATE fields the architecture gives the handler for case @c. */
static void entry_expect(const struct entry_case *c, struct entry_record *e)
{
	unsigned long sctlr = entry_sctlr(c, read_sysreg(sctlr_el1));

	*e = (struct entry_record){
	    .taken = true,
	    .daif = PSR_DAIF,
	    .pan = has.pan && (!(sctlr & SCTLR_SPAN) || (c->pstate & PSR_PAN)) ? PSR_PAN : 0,
	    .uao = 0,
	    .dit = has.dit ? c->pstate & PSR_DIT : 0,
	    .ssbs = has.ssbs && (sctlr & SCTLR_DSSBS) ? PSR_SSBS : 0,
	    .tco = has.tco ? PSR_TCO : 0,
	    .el = 1 << 2,
	    .spsel = 1,
	};
}

static const char *entry_diff(const struct entry_record *a, const struct entry_record *b)
{
	if (a->taken != b->taken)
		return "no exception";
	if (a->daif != b->daif)
		return "DAIF";
	if (a->pan != b->pan)
		return "PAN";
	if (a->uao != b->uao)
		return "UAO";
	if (a->dit != b->dit)
		return "DIT";
	if (a->ssbs != b->ssbs)
		return "SSBS";
	if (a->tco != b->tco)
		return "TCO";
	if (a->el != b->el || a->spsel != b->spsel)
		return "EL/SPSel";
	return NULL;
}

static const struct entry_case entry_cases[] = {
    {"SPAN=0, PAN=0", 0, SCTLR_SPAN, 0},
    {"SPAN=1, PAN=0", SCTLR_SPAN, 0, 0},
    {"SPAN=1, PAN=1", SCTLR_SPAN, 0, PSR_PAN},
    {"UAO=1, DIT=1", 0, SCTLR_SPAN, PSR_UAO | PSR_DIT},
    {"DSSBS=1, SSBS=0", SCTLR_DSSBS, SCTLR_SPAN, 0},
    {"DSSBS=0, SSBS=1, TCO=0", 0, SCTLR_DSSBS | SCTLR_SPAN, PSR_SSBS},
};

/*
 * QEMU's own exception entry clears DIT, where the Arm ARM keeps it (as KVM
 * and this hypervisor do): the CPU is the reference except there.
 */
static bool cpu_clears_dit;

static bool entry_check_case(const struct entry_case *c)
{
	struct entry_record cpu, hyp, want;
	const char *why;

	entry_expect(c, &want);
	entry_take(c, false, &cpu);
	entry_take(c, true, &hyp);
	if ((why = entry_diff(&hyp, &want))) {
		fail("exception-entry",
		     "%s: the injected abort entered with %s differing from the Arm ARM: "
		     "PAN/UAO/DIT/SSBS/TCO 0x%lx/0x%lx/0x%lx/0x%lx/0x%lx, DAIF 0x%lx; the CPU's "
		     "own UDF: 0x%lx/0x%lx/0x%lx/0x%lx/0x%lx, DAIF 0x%lx",
		     c->name, why, hyp.pan, hyp.uao, hyp.dit, hyp.ssbs, hyp.tco, hyp.daif, cpu.pan,
		     cpu.uao, cpu.dit, cpu.ssbs, cpu.tco, cpu.daif);
		return false;
	}
	if (cpu.taken && cpu.dit != want.dit) {
		cpu_clears_dit = true;
		cpu.dit = want.dit;
	}
	if ((why = entry_diff(&cpu, &want))) {
		fail("exception-entry",
		     "%s: the CPU's own UDF entered with %s differing from the "
		     "Arm ARM as this check reads it",
		     c->name, why);
		return false;
	}
	if ((cpu.spsr & ~PSR_NZCV) != (hyp.spsr & ~PSR_NZCV)) {
		fail("exception-entry",
		     "%s: SPSR_EL1 0x%lx after the injected abort, 0x%lx after "
		     "the CPU's UDF",
		     c->name, hyp.spsr, cpu.spsr);
		return false;
	}
	return true;
}

void test_exception_entry(void)
{
	unsigned long mmfr1 = read_sysreg(s3_0_c0_c7_1), mmfr2 = read_sysreg(s3_0_c0_c7_2);
	unsigned long pfr0 = read_sysreg(s3_0_c0_c4_0), pfr1 = read_sysreg(s3_0_c0_c4_1);

	has.pan = FIELD(mmfr1, 20) != 0;
	has.uao = FIELD(mmfr2, 4) != 0;
	has.dit = FIELD(pfr0, 48) != 0;
	has.ssbs = FIELD(pfr1, 4) >= 2; /* MRS/MSR SSBS: FEAT_SSBS2 */
	has.tco = FIELD(pfr1, 8) != 0;
	for (unsigned int i = 0; i < sizeof(entry_cases) / sizeof(entry_cases[0]); i++) {
		if (!entry_check_case(&entry_cases[i]))
			return;
	}
	pass_detail("exception-entry",
	            "%u cases, the CPU's UDF and an injected abort; PAN %s, "
	            "UAO %s, DIT %s, SSBS %s, TCO %s%s",
	            (unsigned int)(sizeof(entry_cases) / sizeof(entry_cases[0])),
	            has.pan ? "yes" : "no", has.uao ? "yes" : "no", has.dit ? "yes" : "no",
	            has.ssbs ? "yes" : "no", has.tco ? "yes" : "no",
	            cpu_clears_dit ? "; the CPU's own entry clears DIT, the Arm ARM keeps it" : "");
}
