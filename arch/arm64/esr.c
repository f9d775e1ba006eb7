/* ESR_EL2 decoding (see esr.h). No system register access: host-testable. */
#include "arch/arm64/esr.h"
#include "core/printf.h"

static const char *const ec_names[64] = {
    [EC_UNKNOWN] = "unknown reason",
    [EC_WFX] = "WFI/WFE",
    [EC_CP15_32] = "AArch32 MCR/MRC (cp15)",
    [EC_CP15_64] = "AArch32 MCRR/MRRC (cp15)",
    [EC_CP14_MR] = "AArch32 MCR/MRC (cp14)",
    [EC_CP14_LS] = "AArch32 LDC/STC (cp14)",
    [EC_FP_ASIMD] = "FP/SIMD access",
    [EC_CP10_ID] = "AArch32 VMRS (cp10)",
    [EC_PAC] = "pointer authentication",
    [EC_CP14_64] = "AArch32 MRRC (cp14)",
    [EC_BTI] = "branch target",
    [EC_ILLEGAL] = "illegal execution state",
    [EC_SVC32] = "SVC32",
    [EC_HVC32] = "HVC32",
    [EC_SMC32] = "SMC32",
    [EC_SVC64] = "SVC64",
    [EC_HVC64] = "HVC64",
    [EC_SMC64] = "SMC64",
    [EC_SYS64] = "MSR/MRS/system instruction",
    [EC_SVE] = "SVE access",
    [EC_FPAC] = "pointer authentication failure",
    [EC_SME] = "SME access",
    [EC_IMP_DEF] = "implementation defined",
    [EC_IABT_LOW] = "instruction abort (lower EL)",
    [EC_IABT_CUR] = "instruction abort (EL2)",
    [EC_PC_ALIGN] = "PC alignment fault",
    [EC_DABT_LOW] = "data abort (lower EL)",
    [EC_DABT_CUR] = "data abort (EL2)",
    [EC_SP_ALIGN] = "SP alignment fault",
    [EC_FP_EXC32] = "AArch32 FP exception",
    [EC_FP_EXC64] = "FP exception",
    [EC_SERROR] = "SError",
    [EC_BREAKPT_LOW] = "breakpoint (lower EL)",
    [EC_BREAKPT_CUR] = "breakpoint (EL2)",
    [EC_SOFTSTP_LOW] = "software step (lower EL)",
    [EC_SOFTSTP_CUR] = "software step (EL2)",
    [EC_WATCHPT_LOW] = "watchpoint (lower EL)",
    [EC_WATCHPT_CUR] = "watchpoint (EL2)",
    [EC_BKPT32] = "AArch32 BKPT",
    [EC_BRK64] = "BRK",
};

const char *esr_ec_name(unsigned int ec)
{
	if (ec < ARRAY_SIZE(ec_names) && ec_names[ec])
		return ec_names[ec];
	return "reserved";
}

const char *esr_fsc_name(unsigned int fsc)
{
	static const char *const level_kinds[] = {
	    "address size fault",
	    "translation fault",
	    "access flag fault",
	    "permission fault",
	};
	static const char *const levels[] = {
	    "level 0",
	    "level 1",
	    "level 2",
	    "level 3",
	};
	static char buf[48]; /* only used on report paths, never concurrently with itself */

	if (fsc < 0x10) {
		snprintk(buf, sizeof(buf), "%s, %s", level_kinds[fsc >> 2], levels[fsc & 3]);
		return buf;
	}
	switch (fsc) {
	case 0x10:
		return "synchronous external abort";
	case 0x11:
		return "synchronous tag check fault";
	case 0x14:
	case 0x15:
	case 0x16:
	case 0x17:
		return "external abort on table walk";
	case 0x18:
		return "parity/ECC error";
	case 0x21:
		return "alignment fault";
	case 0x30:
		return "TLB conflict abort";
	case 0x31:
		return "unsupported atomic update";
	default:
		return "reserved fault status";
	}
}

/* ISS layout of EC 0x18: Op0 21:20, Op2 19:17, Op1 16:14, CRn 13:10, Rt 9:5, CRm 4:1, Direction 0.
 */
struct esr_sysreg esr_decode_sysreg(uint64_t esr)
{
	uint32_t iss = esr_iss(esr);
	struct esr_sysreg s = {
	    .op0 = (iss >> 20) & 3,
	    .op2 = (iss >> 17) & 7,
	    .op1 = (iss >> 14) & 7,
	    .crn = (iss >> 10) & 0xf,
	    .rt = (iss >> 5) & 0x1f,
	    .crm = (iss >> 1) & 0xf,
	    .read = iss & 1,
	};
	return s;
}

void esr_describe(uint64_t esr, char *buf, size_t size)
{
	unsigned int ec = esr_ec(esr);
	uint32_t iss = esr_iss(esr);

	switch (ec) {
	case EC_DABT_LOW:
	case EC_DABT_CUR: {
		struct esr_dabt d = esr_decode_dabt(esr);

		if (d.isv)
			snprintk(buf, size, "%s, %s of %u bytes via x%u%s%s", esr_fsc_name(d.fsc),
			         d.write ? "write" : "read", d.size, d.reg,
			         d.sign_extend ? ", sign-extended" : "",
			         d.s1ptw ? ", on stage-1 walk" : "");
		else
			snprintk(buf, size, "%s, %s, no instruction syndrome%s",
			         esr_fsc_name(d.fsc), d.write ? "write" : "read",
			         d.s1ptw ? ", on stage-1 walk" : "");
		break;
	}
	case EC_IABT_LOW:
	case EC_IABT_CUR:
		snprintk(buf, size, "%s%s", esr_fsc_name(iss & 0x3f),
		         (iss & BIT(7)) ? ", on stage-1 walk" : "");
		break;
	case EC_HVC64:
	case EC_SMC64:
	case EC_HVC32:
	case EC_SMC32:
	case EC_SVC64:
	case EC_BRK64:
		snprintk(buf, size, "immediate #0x%x", iss & 0xffff);
		break;
	case EC_SYS64:
		snprintk(buf, size, "%s op0=%u op1=%u CRn=%u CRm=%u op2=%u x%u",
		         (iss & 1) ? "MRS" : "MSR", (iss >> 20) & 3, (iss >> 14) & 7,
		         (iss >> 10) & 0xf, (iss >> 1) & 0xf, (iss >> 17) & 7, (iss >> 5) & 0x1f);
		break;
	case EC_WFX:
		snprintk(buf, size, "%s", (iss & 1) ? "WFE" : "WFI");
		break;
	default:
		snprintk(buf, size, "ISS 0x%07x", iss);
		break;
	}
}
