/*
 * Cache maintenance. Needed wherever another observer reads memory without
 * the caches: a CPU coming up with its MMU off, a guest starting with its MMU
 * off, the boot CPU's own tables written before its MMU was on.
 */
#include "arch/arm64/cache.h"
#include "arch/arm64/sysregs.h"

static size_t dcache_line_size(void)
{
	return 4u << ((READ_SYSREG(ctr_el0) >> 16) & 0xf); /* CTR_EL0.DminLine, in words */
}

#define DCACHE_OP(op, addr) __asm__ volatile("dc " #op ", %0" : : "r"(addr) : "memory")

/*
 * Four lines a loop: a guest's kernel is tens of MiB to clean, and a loop of
 * one line spends three of its four instructions on itself.
 */
#define DCACHE_OP_RANGE(name, op)                                 \
	void name(const void *start, size_t size)                 \
	{                                                         \
		size_t line = dcache_line_size();                 \
		uintptr_t p = ALIGN_DOWN((uintptr_t)start, line); \
		uintptr_t end = (uintptr_t)start + size;          \
                                                                  \
		for (; p + 4 * line <= end; p += 4 * line) {      \
			DCACHE_OP(op, p);                         \
			DCACHE_OP(op, p + line);                  \
			DCACHE_OP(op, p + 2 * line);              \
			DCACHE_OP(op, p + 3 * line);              \
		}                                                 \
		for (; p < end; p += line)                        \
			DCACHE_OP(op, p);                         \
		dsb(sy);                                          \
	}

DCACHE_OP_RANGE(dcache_clean_range, cvac)
DCACHE_OP_RANGE(dcache_inval_range, ivac)
DCACHE_OP_RANGE(dcache_clean_inval_range, civac)

void icache_inval_all(void)
{
	__asm__ volatile("ic iallu" : : : "memory");
	dsb(nsh);
	isb();
}
