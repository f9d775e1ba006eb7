/*
 * The virtual counter as a clock for timeouts and delays. CNTVCT_EL0 is what
 * CNTV_CVAL_EL0 compares against, so deadlines and timer values agree.
 */
#ifndef GUEST_TIMER_H
#define GUEST_TIMER_H

#include <stdint.h>
#include "sysreg.h"

static inline uint64_t timer_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

/* The isb keeps the read from being done early, ahead of the code before it. */
static inline uint64_t timer_now(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

static inline uint64_t timer_ms_to_ticks(unsigned int ms)
{
	return timer_freq() * ms / 1000;
}

/* Busy-wait (interrupts, if unmasked, are still taken meanwhile). */
static inline void timer_delay_ms(unsigned int ms)
{
	uint64_t end = timer_now() + timer_ms_to_ticks(ms);

	while (timer_now() < end)
		;
}

#endif
