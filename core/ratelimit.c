/* Rate limiting (ratelimit.h). No system register access: host-testable. */
#include "core/ratelimit.h"

bool ratelimit_take(struct ratelimit *rl, uint64_t now, uint64_t window, unsigned int burst,
                    unsigned long *told)
{
	bool ok;

	*told = 0;
	spin_lock(&rl->lock);
	/* A new window: also when the counter went backwards (a reset CNTVOFF is not ours). */
	if (!rl->started || now - rl->window_start >= window || now < rl->window_start) {
		rl->started = true;
		rl->window_start = now;
		rl->printed = 0;
	}
	ok = rl->printed < burst;
	if (ok) {
		rl->printed++;
		*told = rl->suppressed;
		rl->suppressed = 0;
	} else {
		rl->suppressed++;
	}
	spin_unlock(&rl->lock);
	return ok;
}
