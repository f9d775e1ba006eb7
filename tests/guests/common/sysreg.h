/* System register access and a few barriers for the test guests. */
#ifndef GUEST_SYSREG_H
#define GUEST_SYSREG_H

/* Strict C11 has no 'asm' keyword, hence __asm__ throughout. */
#define read_sysreg(reg)                                         \
	({                                                       \
		unsigned long __val;                             \
		__asm__ volatile("mrs %0, " #reg : "=r"(__val)); \
		__val;                                           \
	})

#define write_sysreg(reg, val) \
	__asm__ volatile("msr " #reg ", %0" : : "r"((unsigned long)(val)) : "memory")

#define isb()    __asm__ volatile("isb" : : : "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")
#define wfi()    __asm__ volatile("wfi" : : : "memory")

/* PSTATE.I: IRQs (virtual ones, for a guest) masked or not. */
#define local_irq_disable() __asm__ volatile("msr daifset, #2" : : : "memory")
#define local_irq_enable()  __asm__ volatile("msr daifclr, #2" : : : "memory")

static inline unsigned long current_el(void)
{
	return (read_sysreg(CurrentEL) >> 2) & 3;
}

/* Affinity level 0 of an MPIDR: the CPU number within its cluster. */
static inline unsigned int mpidr_aff0(unsigned long mpidr)
{
	return mpidr & 0xff;
}

#endif
