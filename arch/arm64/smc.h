/*
 * smc_call(): an SMCCC 1.1 call to EL3. Arguments in x0-x7, results in x0-x3;
 * SMCCC 1.1 lets the callee change x4-x17, so they are declared clobbered.
 */
#ifndef ARCH_ARM64_SMC_H
#define ARCH_ARM64_SMC_H

#include "core/smccc.h"

static inline void smc_call(struct smccc_regs *r)
{
	register uint64_t x0 __asm__("x0") = r->a[0];
	register uint64_t x1 __asm__("x1") = r->a[1];
	register uint64_t x2 __asm__("x2") = r->a[2];
	register uint64_t x3 __asm__("x3") = r->a[3];
	register uint64_t x4 __asm__("x4") = r->a[4];
	register uint64_t x5 __asm__("x5") = r->a[5];
	register uint64_t x6 __asm__("x6") = r->a[6];
	register uint64_t x7 __asm__("x7") = r->a[7];

	__asm__ volatile(
	    "smc #0"
	    : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6), "+r"(x7)
	    :
	    : "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	r->a[0] = x0;
	r->a[1] = x1;
	r->a[2] = x2;
	r->a[3] = x3;
}

/* A call with up to three arguments, returning x0. */
static inline uint64_t smc_call3(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct smccc_regs r = {.a = {fid, a1, a2, a3}};

	smc_call(&r);
	return r.a[0];
}

#endif
