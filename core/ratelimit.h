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

/*
 * A byte budget (token bucket): @rate bytes a second, at most @burst saved
 * up. A VM's console output goes through one, so a VM printing without end
 * gets its share of the UART and no more. The caller locks.
 */
struct bytelimit {
	bool started;
	uint64_t last;  /* counter ticks when the bucket was last filled */
	int64_t tokens; /* bytes that may go out now; below 0: owed */
};

/*
 * May @n more bytes go out at counter time @now (@freq ticks a second)? If
 * so they are taken from the bucket. With @freq 0 (no counter) everything may.
 */
bool bytelimit_take(struct bytelimit *bl, uint64_t now, uint64_t freq, uint32_t rate,
                    uint32_t burst, uint32_t n);
/*
 * Take @n bytes that go out anyway (the rest of a line already begun): the
 * bucket may go into debt (down to -@burst), paid back before more goes out.
 */
void bytelimit_charge(struct bytelimit *bl, uint32_t n, uint32_t burst);

#endif
