/*
 * Rate limits for what a guest can make the hypervisor print.
 *
 * Every console line a guest can cause (a fault, an unhandled access, a
 * refused power request...) goes through vm_log(), which lets a VM print at
 * most RATELIMIT_BURST such lines per second of counter time. Lines past the
 * burst are counted, not printed, and the count is told in one line before
 * the next line that is printed, so a guest cannot flood the console (nor
 * slow every other VM down on the console lock) however hard it tries.
 */
#ifndef CORE_RATELIMIT_H
#define CORE_RATELIMIT_H

#include "core/compiler.h"
#include "core/spinlock.h"

#define RATELIMIT_BURST 32 /* lines per window */

struct ratelimit {
	spinlock_t lock;
	bool started;             /* window_start is valid */
	uint64_t window_start;    /* counter ticks */
	unsigned int printed;     /* lines printed in this window */
	unsigned long suppressed; /* lines dropped since the last count was told */
};

/*
 * May one more line be printed at counter time @now, with windows of @window
 * ticks and @burst lines each? If so and lines were dropped before, *@told
 * gets their number (to be told first) and the count starts again; else
 * *@told is 0.
 */
bool ratelimit_take(struct ratelimit *rl, uint64_t now, uint64_t window, unsigned int burst,
                    unsigned long *told);

#endif
