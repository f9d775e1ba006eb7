/*
 * ESR_EL2 decoding (arch/arm64/esr.c) on syndromes built bit by bit, most of
 * them the values a QEMU guest actually produces, each with its fields
 * spelled out next to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "arch/arm64/esr.h"

/* Build an ESR from its exception class and ISS, with IL set (32-bit instruction). */
#define ESR(ec, iss) (((uint64_t)(ec) << ESR_EC_SHIFT) | ESR_IL | (uint64_t)(iss))

/* Data abort ISS fields */
#define DABT_ISV     BIT(24)
#define DABT_SAS(n)  ((uint64_t)(n) << 22)
#define DABT_SSE     BIT(21)
#define DABT_SRT(n)  ((uint64_t)(n) << 16)
#define DABT_SF      BIT(15)
#define DABT_CM      BIT(8)
#define DABT_S1PTW   BIT(7)
#define DABT_WNR     BIT(6)
#define DABT_DFSC(n) ((uint64_t)(n))

/* MSR/MRS ISS fields */
#define SYS_ISS(op0, op1, crn, crm, op2, rt, read)                                     \
	(((uint64_t)(op0) << 20) | ((uint64_t)(op2) << 17) | ((uint64_t)(op1) << 14) | \
	 ((uint64_t)(crn) << 10) | ((uint64_t)(rt) << 5) | ((uint64_t)(crm) << 1) |    \
	 (uint64_t)(read))

#define CHECK_DESCRIBE(esr, expect)                \
	do {                                       \
		char b[128];                       \
		memset(b, 'X', sizeof(b));         \
		esr_describe((esr), b, sizeof(b)); \
		assert_string_equal(b, expect);    \
	} while (0)

/* ------------------------------------------------------------------------ */
/* Field extraction                                                         */
/* ------------------------------------------------------------------------ */

static void test_ec_iss_extraction(void **state)
{
	(void)state;
	/*
	 * 0x93810006: a guest `ldr w1, [x0]` at EL1 faulting in stage 2.
	 *   [31:26] EC   = 0b100100 (0x24, data abort from a lower EL)
	 *   [25]    IL   = 1 (32-bit instruction)
	 *   [24]    ISV  = 1
	 *   [23:22] SAS  = 0b10 (word)
	 *   [20:16] SRT  = 1 (w1)
	 *   [5:0]   DFSC = 0b000110 (translation fault, level 2)
	 */
	assert_int_equal(ESR(EC_DABT_LOW, DABT_ISV | DABT_SAS(2) | DABT_SRT(1) | DABT_DFSC(6)),
	                 0x93810006);
	assert_int_equal(esr_ec(0x93810006), EC_DABT_LOW);
	assert_int_equal(esr_iss(0x93810006), 0x1810006);

	/* HVC #0 from AArch64: EC 0x16, IL, ISS 0. */
	assert_int_equal(esr_ec(0x5a000000), EC_HVC64);
	assert_int_equal(esr_iss(0x5a000000), 0);

	/* IL is not part of the ISS, and neither are the EC bits. */
	assert_int_equal(esr_iss(ESR_IL), 0);
	assert_int_equal(esr_iss(0xffffffff), 0x1ffffff);
	assert_int_equal(esr_ec(0xffffffff), 0x3f);
	assert_int_equal(esr_ec(ESR_ISS_MASK | ESR_IL), 0);

	/* ESR_EL2[63:32] (RES0, or ISS2 on newer cores) does not leak into either. */
	assert_int_equal(esr_ec(0xffffffff00000000UL | 0x93810006), EC_DABT_LOW);
	assert_int_equal(esr_iss(0xffffffff00000000UL | 0x93810006), 0x1810006);
	assert_int_equal(esr_ec(0x1f00000000UL), 0);
	assert_int_equal(esr_iss(0x1f00000000UL), 0);
}

/* ------------------------------------------------------------------------ */
/* Names                                                                    */
/* ------------------------------------------------------------------------ */

static void test_ec_names(void **state)
{
	(void)state;
	assert_string_equal(esr_ec_name(EC_HVC64), "HVC64");
	assert_string_equal(esr_ec_name(0x16), "HVC64");
	assert_string_equal(esr_ec_name(0x17), "SMC64");
	assert_string_equal(esr_ec_name(0x24), "data abort (lower EL)");
	assert_string_equal(esr_ec_name(0x25), "data abort (EL2)");
	assert_string_equal(esr_ec_name(0x20), "instruction abort (lower EL)");
	assert_string_equal(esr_ec_name(0x2f), "SError");
	assert_string_equal(esr_ec_name(0x18), "MSR/MRS/system instruction");
	assert_string_equal(esr_ec_name(0x01), "WFI/WFE");
	assert_string_equal(esr_ec_name(0x00), "unknown reason");
	assert_string_equal(esr_ec_name(0x3c), "BRK");
	assert_string_equal(esr_ec_name(0x19), "SVE access");
	assert_string_equal(esr_ec_name(0x1c), "pointer authentication failure");
	assert_string_equal(esr_ec_name(0x1d), "SME access");

	/* Unallocated classes */
	assert_string_equal(esr_ec_name(0x3f), "reserved");
	assert_string_equal(esr_ec_name(0x02), "reserved");
	assert_string_equal(esr_ec_name(0x10), "reserved");
	assert_string_equal(esr_ec_name(0x23), "reserved");
	assert_string_equal(esr_ec_name(0x3d), "reserved");

	/* Out of the 6-bit range: no out-of-bounds read. */
	assert_string_equal(esr_ec_name(0x40), "reserved");
	assert_string_equal(esr_ec_name(~0u), "reserved");

	/* Every class has some name. */
	for (unsigned int ec = 0; ec < 64; ec++) {
		const char *n = esr_ec_name(ec);

		assert_non_null(n);
		assert_true(strlen(n) > 0);
	}
}

static void test_fsc_names(void **state)
{
	(void)state;
	/* esr_fsc_name() may return a static buffer: compare each result at once. */
	assert_string_equal(esr_fsc_name(0x00), "address size fault, level 0");
	assert_string_equal(esr_fsc_name(0x03), "address size fault, level 3");
	assert_string_equal(esr_fsc_name(0x04), "translation fault, level 0");
	assert_string_equal(esr_fsc_name(0x05), "translation fault, level 1");
	assert_string_equal(esr_fsc_name(0x06), "translation fault, level 2");
	assert_string_equal(esr_fsc_name(0x07), "translation fault, level 3");
	assert_string_equal(esr_fsc_name(0x09), "access flag fault, level 1");
	assert_string_equal(esr_fsc_name(0x0b), "access flag fault, level 3");
	assert_string_equal(esr_fsc_name(0x0d), "permission fault, level 1");
	assert_string_equal(esr_fsc_name(0x0f), "permission fault, level 3");
	assert_string_equal(esr_fsc_name(FSC_SEA), "synchronous external abort");
	assert_string_equal(esr_fsc_name(0x10), "synchronous external abort");
	assert_string_equal(esr_fsc_name(0x11), "synchronous tag check fault");
	assert_string_equal(esr_fsc_name(0x15), "external abort on table walk");
	assert_string_equal(esr_fsc_name(0x18), "parity/ECC error");
	assert_string_equal(esr_fsc_name(0x21), "alignment fault");
	assert_string_equal(esr_fsc_name(0x30), "TLB conflict abort");
	assert_string_equal(esr_fsc_name(0x31), "unsupported atomic update");

	/* Unallocated codes */
	assert_string_equal(esr_fsc_name(0x12), "reserved fault status");
	assert_string_equal(esr_fsc_name(0x20), "reserved fault status");
	assert_string_equal(esr_fsc_name(0x3f), "reserved fault status");
	assert_string_equal(esr_fsc_name(0x40), "reserved fault status");
	assert_string_equal(esr_fsc_name(~0u), "reserved fault status");
}

/* ------------------------------------------------------------------------ */
/* Data abort syndrome                                                      */
/* ------------------------------------------------------------------------ */

static void test_dabt_real_ldr_w1(void **state)
{
	struct esr_dabt d = esr_decode_dabt(0x93810006); /* see test_ec_iss_extraction */

	(void)state;
	assert_true(d.isv);
	assert_int_equal(d.size, 4);
	assert_false(d.sign_extend);
	assert_int_equal(d.reg, 1);
	assert_false(d.sixty_four);
	assert_false(d.write);
	assert_false(d.s1ptw);
	assert_false(d.cache_maint);
	assert_int_equal(d.fsc, 0x06);
}

static void test_dabt_real_str_x2(void **state)
{
	/*
	 * 0x93c28046: `str x2, [x0]` from EL1, stage-2 translation fault level 2.
	 *   EC 0x24, IL, ISV, SAS = 0b11 (doubleword), SRT = 2, SF = 1 (bit 15),
	 *   WnR = 1 (bit 6), DFSC = 0x06.
	 */
	uint64_t esr = 0x93c28046;
	struct esr_dabt d = esr_decode_dabt(esr);

	(void)state;
	assert_int_equal(esr, ESR(EC_DABT_LOW, DABT_ISV | DABT_SAS(3) | DABT_SRT(2) | DABT_SF |
	                                           DABT_WNR | DABT_DFSC(6)));
	assert_true(d.isv);
	assert_int_equal(d.size, 8);
	assert_int_equal(d.reg, 2);
	assert_true(d.sixty_four);
	assert_true(d.write);
	assert_false(d.sign_extend);
	assert_false(d.s1ptw);
	assert_false(d.cache_maint);
	assert_int_equal(d.fsc, 0x06);
}

static void test_dabt_access_sizes(void **state)
{
	static const unsigned int sizes[] = {1, 2, 4, 8};

	(void)state;
	for (unsigned int sas = 0; sas < 4; sas++) {
		struct esr_dabt d = esr_decode_dabt(ESR(EC_DABT_LOW, DABT_ISV | DABT_SAS(sas) | 7));

		assert_true(d.isv);
		assert_int_equal(d.size, sizes[sas]);
		/* SAS does not bleed into the neighbouring fields. */
		assert_false(d.sign_extend);
		assert_int_equal(d.reg, 0);
		assert_int_equal(d.fsc, 7);
	}
}

static void test_dabt_each_field_alone(void **state)
{
	struct esr_dabt d;

	(void)state;
	/* SSE: `ldrsb x5, [x0]` -> SAS 0, SSE, SRT 5, SF */
	d = esr_decode_dabt(ESR(EC_DABT_LOW, DABT_ISV | DABT_SSE | DABT_SRT(5) | DABT_SF | 6));
	assert_true(d.sign_extend);
	assert_int_equal(d.size, 1);
	assert_int_equal(d.reg, 5);
	assert_true(d.sixty_four);
	assert_false(d.write);

	/* SRT covers 0..31; 31 is xzr/wzr */
	for (unsigned int r = 0; r < 32; r++) {
		d = esr_decode_dabt(ESR(EC_DABT_LOW, DABT_ISV | DABT_SRT(r)));
		assert_int_equal(d.reg, r);
		assert_false(d.sixty_four);
		assert_false(d.sign_extend);
		assert_int_equal(d.fsc, 0);
	}

	d = esr_decode_dabt(ESR(EC_DABT_LOW, DABT_ISV | DABT_SF));
	assert_true(d.sixty_four);
	assert_int_equal(d.reg, 0);
	assert_false(d.write);

	d = esr_decode_dabt(ESR(EC_DABT_LOW, DABT_WNR));
	assert_true(d.write);
	assert_false(d.s1ptw);
	assert_false(d.cache_maint);
	assert_int_equal(d.fsc, 0);

	d = esr_decode_dabt(ESR(EC_DABT_LOW, DABT_S1PTW | 0x07));
	assert_true(d.s1ptw);
	assert_false(d.write);
	assert_false(d.cache_maint);
	assert_int_equal(d.fsc, 0x07);

	d = esr_decode_dabt(ESR(EC_DABT_LOW, DABT_CM | DABT_WNR | 0x05));
	assert_true(d.cache_maint);
	assert_true(d.write);
	assert_false(d.s1ptw);
	assert_int_equal(d.fsc, 0x05);

	/* DFSC is the full 6 bits */
	d = esr_decode_dabt(ESR(EC_DABT_LOW, 0x3f));
	assert_int_equal(d.fsc, 0x3f);
	assert_false(d.write);
	d = esr_decode_dabt(ESR(EC_DABT_LOW, 0x21));
	assert_int_equal(d.fsc, 0x21);

	/* Everything set at once */
	d = esr_decode_dabt(ESR(EC_DABT_LOW, DABT_ISV | DABT_SAS(1) | DABT_SSE | DABT_SRT(31) |
	                                         DABT_SF | DABT_CM | DABT_S1PTW | DABT_WNR | 0x3f));
	assert_true(d.isv);
	assert_int_equal(d.size, 2);
	assert_true(d.sign_extend);
	assert_int_equal(d.reg, 31);
	assert_true(d.sixty_four);
	assert_true(d.cache_maint);
	assert_true(d.s1ptw);
	assert_true(d.write);
	assert_int_equal(d.fsc, 0x3f);
}

static void test_dabt_no_isv(void **state)
{
	/* 0x92000047: `stp x1, x2, [x0]` to MMIO: EC 0x24, IL, ISV = 0, WnR, DFSC 0x07. */
	struct esr_dabt d = esr_decode_dabt(0x92000047);

	(void)state;
	assert_false(d.isv);
	assert_true(d.write);
	assert_false(d.s1ptw);
	assert_int_equal(d.fsc, 0x07);

	d = esr_decode_dabt(0x92000006);
	assert_false(d.isv);
	assert_false(d.write);
	assert_int_equal(d.fsc, 0x06);
}

/* ------------------------------------------------------------------------ */
/* esr_describe                                                             */
/* ------------------------------------------------------------------------ */

static void test_describe_dabt(void **state)
{
	(void)state;
	CHECK_DESCRIBE(0x93810006, "translation fault, level 2, read of 4 bytes via x1");
	CHECK_DESCRIBE(0x93c28046, "translation fault, level 2, write of 8 bytes via x2");
	/* `ldrsh x3, [x0]`: SAS 1, SSE, SRT 3, SF */
	CHECK_DESCRIBE(
	    ESR(EC_DABT_LOW, DABT_ISV | DABT_SAS(1) | DABT_SSE | DABT_SRT(3) | DABT_SF | 0x07),
	    "translation fault, level 3, read of 2 bytes via x3, sign-extended");
	/* `strb wzr, [x0]` */
	CHECK_DESCRIBE(ESR(EC_DABT_LOW, DABT_ISV | DABT_SAS(0) | DABT_SRT(31) | DABT_WNR | 0x0f),
	               "permission fault, level 3, write of 1 bytes via x31");
	/* Stage-2 fault on the guest's own stage-1 table walk, reported with ISV */
	CHECK_DESCRIBE(ESR(EC_DABT_LOW, DABT_ISV | DABT_SAS(3) | DABT_S1PTW | 0x05),
	               "translation fault, level 1, read of 8 bytes via x0, on stage-1 walk");

	/* Without instruction syndrome */
	CHECK_DESCRIBE(0x92000047, "translation fault, level 3, write, no instruction syndrome");
	CHECK_DESCRIBE(0x92000006, "translation fault, level 2, read, no instruction syndrome");
	CHECK_DESCRIBE(
	    ESR(EC_DABT_LOW, DABT_S1PTW | 0x06),
	    "translation fault, level 2, read, no instruction syndrome, on stage-1 walk");

	/* From EL2 itself (EC 0x25), e.g. an alignment fault and an external abort */
	CHECK_DESCRIBE(ESR(EC_DABT_CUR, 0x21), "alignment fault, read, no instruction syndrome");
	CHECK_DESCRIBE(ESR(EC_DABT_CUR, DABT_WNR | FSC_SEA),
	               "synchronous external abort, write, no instruction syndrome");
}

static void test_describe_iabt(void **state)
{
	(void)state;
	/* 0x82000006: instruction fetch from an unmapped IPA, level 2 */
	CHECK_DESCRIBE(0x82000006, "translation fault, level 2");
	CHECK_DESCRIBE(ESR(EC_IABT_LOW, BIT(7) | 0x07),
	               "translation fault, level 3, on stage-1 walk");
	CHECK_DESCRIBE(ESR(EC_IABT_CUR, 0x0f), "permission fault, level 3");
}

static void test_describe_immediates(void **state)
{
	(void)state;
	/* HVC #0 (PSCI): EC 0x16, IL, imm16 = 0 */
	CHECK_DESCRIBE(0x5a000000, "immediate #0x0");
	/* HVC #0x1234 */
	CHECK_DESCRIBE(0x5a001234, "immediate #0x1234");
	CHECK_DESCRIBE(ESR(EC_HVC64, 0xffff), "immediate #0xffff");
	/* Only imm16 counts, not ISS[24:16] */
	CHECK_DESCRIBE(ESR(EC_HVC64, 0x1ff0042), "immediate #0x42");
	/* SMC #0: 0x5e000000; SVC #1; BRK #0x3e8 (0x3e8 is what __builtin_trap emits) */
	CHECK_DESCRIBE(0x5e000000, "immediate #0x0");
	CHECK_DESCRIBE(ESR(EC_SVC64, 1), "immediate #0x1");
	CHECK_DESCRIBE(0xf20003e8, "immediate #0x3e8");
}

static void test_describe_sysreg(void **state)
{
	uint64_t esr;

	(void)state;
	/*
	 * `msr icc_sgi1r_el1, x1`: op0 3, op1 0, CRn 12, CRm 11, op2 5, Rt 1, write.
	 *   op0 [21:20] = 3  -> 0x300000
	 *   op2 [19:17] = 5  -> 0x0a0000
	 *   op1 [16:14] = 0
	 *   CRn [13:10] = 12 -> 0x003000
	 *   Rt  [9:5]   = 1  -> 0x000020
	 *   CRm [4:1]   = 11 -> 0x000016
	 *   dir [0]     = 0 (write)
	 * ISS 0x3a3036, with EC 0x18 and IL: 0x623a3036.
	 */
	esr = ESR(EC_SYS64, SYS_ISS(3, 0, 12, 11, 5, 1, 0));
	assert_int_equal(esr, 0x623a3036);
	CHECK_DESCRIBE(esr, "MSR op0=3 op1=0 CRn=12 CRm=11 op2=5 x1");

	/* `mrs x0, id_aa64mmfr0_el1`: op0 3, op1 0, CRn 0, CRm 7, op2 0, read -> 0x6230000f */
	esr = ESR(EC_SYS64, SYS_ISS(3, 0, 0, 7, 0, 0, 1));
	assert_int_equal(esr, 0x6230000f);
	CHECK_DESCRIBE(esr, "MRS op0=3 op1=0 CRn=0 CRm=7 op2=0 x0");

	/* `mrs x30, cntp_ctl_el0`: op0 3, op1 3, CRn 14, CRm 2, op2 1 -> 0x6232fbc5 */
	esr = ESR(EC_SYS64, SYS_ISS(3, 3, 14, 2, 1, 30, 1));
	assert_int_equal(esr, 0x6232fbc5);
	CHECK_DESCRIBE(esr, "MRS op0=3 op1=3 CRn=14 CRm=2 op2=1 x30");

	/* Every field at its maximum, to catch overlapping masks: `msr s3_7_c15_c15_7, xzr` */
	CHECK_DESCRIBE(ESR(EC_SYS64, SYS_ISS(3, 7, 15, 15, 7, 31, 0)),
	               "MSR op0=3 op1=7 CRn=15 CRm=15 op2=7 x31");
	/* op0 2 (debug registers): `mrs x2, mdscr_el1` = op0 2, op1 0, CRn 0, CRm 2, op2 2 */
	CHECK_DESCRIBE(ESR(EC_SYS64, SYS_ISS(2, 0, 0, 2, 2, 2, 1)),
	               "MRS op0=2 op1=0 CRn=0 CRm=2 op2=2 x2");
}

#define CHECK_SYSREG(s, e_op0, e_op1, e_crn, e_crm, e_op2, e_rt, e_read) \
	do {                                                             \
		assert_int_equal((s).op0, e_op0);                        \
		assert_int_equal((s).op1, e_op1);                        \
		assert_int_equal((s).crn, e_crn);                        \
		assert_int_equal((s).crm, e_crm);                        \
		assert_int_equal((s).op2, e_op2);                        \
		assert_int_equal((s).rt, e_rt);                          \
		assert_int_equal((s).read, e_read);                      \
	} while (0)

static void test_insn_len(void **state)
{
	(void)state;
	assert_int_equal(esr_insn_len(ESR(EC_DABT_LOW, 0)), 4);
	/* IL clear: a 16-bit T32 instruction (AArch32 EL0). */
	assert_int_equal(esr_insn_len(((uint64_t)EC_DABT_LOW << ESR_EC_SHIFT) | BIT(24)), 2);
}

static void test_decode_sysreg(void **state)
{
	(void)state;
	/* The real syndromes worked out above. */
	CHECK_SYSREG(esr_decode_sysreg(0x623a3036), 3, 0, 12, 11, 5, 1, false);
	CHECK_SYSREG(esr_decode_sysreg(0x6230000f), 3, 0, 0, 7, 0, 0, true);
	CHECK_SYSREG(esr_decode_sysreg(0x6232fbc5), 3, 3, 14, 2, 1, 30, true);
	/* Each field at its maximum alone: no field leaks into another. */
	CHECK_SYSREG(esr_decode_sysreg(ESR(EC_SYS64, SYS_ISS(3, 0, 0, 0, 0, 0, 0))), 3, 0, 0, 0, 0,
	             0, false);
	CHECK_SYSREG(esr_decode_sysreg(ESR(EC_SYS64, SYS_ISS(0, 7, 0, 0, 0, 0, 0))), 0, 7, 0, 0, 0,
	             0, false);
	CHECK_SYSREG(esr_decode_sysreg(ESR(EC_SYS64, SYS_ISS(0, 0, 15, 0, 0, 0, 0))), 0, 0, 15, 0,
	             0, 0, false);
	CHECK_SYSREG(esr_decode_sysreg(ESR(EC_SYS64, SYS_ISS(0, 0, 0, 15, 0, 0, 0))), 0, 0, 0, 15,
	             0, 0, false);
	CHECK_SYSREG(esr_decode_sysreg(ESR(EC_SYS64, SYS_ISS(0, 0, 0, 0, 7, 0, 0))), 0, 0, 0, 0, 7,
	             0, false);
	CHECK_SYSREG(esr_decode_sysreg(ESR(EC_SYS64, SYS_ISS(0, 0, 0, 0, 0, 31, 0))), 0, 0, 0, 0, 0,
	             31, false);
	CHECK_SYSREG(esr_decode_sysreg(ESR(EC_SYS64, SYS_ISS(0, 0, 0, 0, 0, 0, 1))), 0, 0, 0, 0, 0,
	             0, true);
}

static void test_describe_wfx(void **state)
{
	(void)state;
	/*
	 * From AArch64, CV (bit 24) = 1 and COND [23:20] = 0b1110, as QEMU reports:
	 * WFI = 0x07e00000, WFE = 0x07e00001 (TI, bit 0).
	 */
	CHECK_DESCRIBE(0x07e00000, "WFI");
	CHECK_DESCRIBE(0x07e00001, "WFE");
	CHECK_DESCRIBE(ESR(EC_WFX, 0), "WFI");
	CHECK_DESCRIBE(ESR(EC_WFX, 1), "WFE");
}

static void test_describe_other(void **state)
{
	(void)state;
	/* Classes without a specific decoder print the raw ISS. */
	CHECK_DESCRIBE(0xbe000000, "ISS 0x0000000");         /* SError, no syndrome */
	CHECK_DESCRIBE(0xbe000011, "ISS 0x0000011");         /* SError, implementation defined */
	CHECK_DESCRIBE(ESR(EC_UNKNOWN, 0), "ISS 0x0000000"); /* undefined instruction */
	CHECK_DESCRIBE(ESR(0x3f, 0x1ffffff), "ISS 0x1ffffff");
}

static void test_describe_truncates(void **state)
{
	char b[12];

	(void)state;
	memset(b, 'X', sizeof(b));
	esr_describe(0x93810006, b, sizeof(b));
	assert_string_equal(b, "translation");

	memset(b, 'X', sizeof(b));
	esr_describe(0x93810006, b, 1);
	assert_int_equal(b[0], '\0');
	assert_int_equal(b[1], 'X');

	/* size 0 writes nothing */
	memset(b, 'X', sizeof(b));
	esr_describe(0x93810006, b, 0);
	assert_int_equal(b[0], 'X');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ec_iss_extraction),
	    cmocka_unit_test(test_ec_names),
	    cmocka_unit_test(test_fsc_names),
	    cmocka_unit_test(test_dabt_real_ldr_w1),
	    cmocka_unit_test(test_dabt_real_str_x2),
	    cmocka_unit_test(test_dabt_access_sizes),
	    cmocka_unit_test(test_dabt_each_field_alone),
	    cmocka_unit_test(test_dabt_no_isv),
	    cmocka_unit_test(test_describe_dabt),
	    cmocka_unit_test(test_describe_iabt),
	    cmocka_unit_test(test_describe_immediates),
	    cmocka_unit_test(test_describe_sysreg),
	    cmocka_unit_test(test_insn_len),
	    cmocka_unit_test(test_decode_sysreg),
	    cmocka_unit_test(test_describe_wfx),
	    cmocka_unit_test(test_describe_other),
	    cmocka_unit_test(test_describe_truncates),
	};
	return cmocka_run_group_tests_name("esr", tests, NULL, NULL);
}
