/*
 * ESR_EL2 decoding: the exception class and the fields of the ISS that the
 * trap handlers and the panic report use. Pure functions, unit-tested on the
 * host.
 */
#ifndef ARCH_ARM64_ESR_H
#define ARCH_ARM64_ESR_H

#include "core/compiler.h"

#define ESR_EC_SHIFT 26
#define ESR_IL       BIT(25)
#define ESR_ISS_MASK GENMASK(24, 0)

enum esr_ec {
	EC_UNKNOWN = 0x00,
	EC_WFX = 0x01,
	EC_CP15_32 = 0x03,
	EC_CP15_64 = 0x04,
	EC_CP14_MR = 0x05,
	EC_CP14_LS = 0x06,
	EC_FP_ASIMD = 0x07,
	EC_CP10_ID = 0x08,
	EC_PAC = 0x09,
	EC_CP14_64 = 0x0c,
	EC_BTI = 0x0d,
	EC_ILLEGAL = 0x0e,
	EC_SVC32 = 0x11,
	EC_HVC32 = 0x12,
	EC_SMC32 = 0x13,
	EC_SVC64 = 0x15,
	EC_HVC64 = 0x16,
	EC_SMC64 = 0x17,
	EC_SYS64 = 0x18,
	EC_SVE = 0x19,
	EC_FPAC = 0x1c,
	EC_SME = 0x1d,
	EC_IMP_DEF = 0x1f,
	EC_IABT_LOW = 0x20,
	EC_IABT_CUR = 0x21,
	EC_PC_ALIGN = 0x22,
	EC_DABT_LOW = 0x24,
	EC_DABT_CUR = 0x25,
	EC_SP_ALIGN = 0x26,
	EC_FP_EXC32 = 0x28,
	EC_FP_EXC64 = 0x2c,
	EC_SERROR = 0x2f,
	EC_BREAKPT_LOW = 0x30,
	EC_BREAKPT_CUR = 0x31,
	EC_SOFTSTP_LOW = 0x32,
	EC_SOFTSTP_CUR = 0x33,
	EC_WATCHPT_LOW = 0x34,
	EC_WATCHPT_CUR = 0x35,
	EC_BKPT32 = 0x38,
	EC_BRK64 = 0x3c,
};

static inline unsigned int esr_ec(uint64_t esr)
{
	return (unsigned int)((esr >> ESR_EC_SHIFT) & 0x3f);
}

static inline uint32_t esr_iss(uint64_t esr)
{
	return (uint32_t)(esr & ESR_ISS_MASK);
}

/*
 * Length of the trapped instruction: 4 bytes, or 2 for a 16-bit T32
 * instruction (IL clear), which only a guest's AArch32 EL0 can run.
 */
static inline unsigned int esr_insn_len(uint64_t esr)
{
	return (esr & ESR_IL) ? 4 : 2;
}

/* A data abort's syndrome, as the MMIO emulation needs it. */
struct esr_dabt {
	bool isv;          /* the fields below are valid */
	unsigned int size; /* access size in bytes (1, 2, 4, 8) */
	bool sign_extend;  /* SSE */
	unsigned int reg;  /* SRT: transfer register, 31 = xzr */
	bool sixty_four;   /* SF: the register is 64-bit wide */
	bool write;        /* WnR */
	bool s1ptw;        /* fault on a stage-1 table walk */
	bool cache_maint;  /* CM: cache maintenance / address translation */
	unsigned int fsc;  /* DFSC: fault status code */
};

/* Inline: it is on the path of every emulated MMIO access. */
static inline struct esr_dabt esr_decode_dabt(uint64_t esr)
{
	uint32_t iss = esr_iss(esr);
	struct esr_dabt d = {
	    .isv = iss & BIT(24),
	    .size = 1u << ((iss >> 22) & 3),
	    .sign_extend = iss & BIT(21),
	    .reg = (iss >> 16) & 0x1f,
	    .sixty_four = iss & BIT(15),
	    .cache_maint = iss & BIT(8),
	    .s1ptw = iss & BIT(7),
	    .write = iss & BIT(6),
	    .fsc = iss & 0x3f,
	};
	return d;
}

/* A trapped MSR/MRS (EC 0x18): which register, which general register, which way. */
struct esr_sysreg {
	unsigned int op0, op1, crn, crm, op2;
	unsigned int rt; /* 31 = xzr */
	bool read;       /* MRS */
};

struct esr_sysreg esr_decode_sysreg(uint64_t esr);

/* The architectural name of an exception class ("HVC64", "data abort (lower EL)", ...). */
const char *esr_ec_name(unsigned int ec);

/* The name of a data/instruction abort fault status code ("translation fault, level 2", ...). */
const char *esr_fsc_name(unsigned int fsc);

/* One line describing the ISS of @esr for a panic report, written into @buf. */
void esr_describe(uint64_t esr, char *buf, size_t size);

/* Fault status codes used when building syndromes. */
#define FSC_SEA 0x10 /* synchronous external abort, not on a table walk */

#endif
