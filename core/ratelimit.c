/* Rate limiting (ratelimit.h). No system register access: host-testable. */
#include "core/ratelimit.h"

bool bytelimit_take(struct bytelimit *bl, uint64_t now, uint64_t freq, uint32_t rate,
                    uint32_t burst, uint32_t n)
{
	if (!freq || !rate)
		return true;
	if (!bl->started || now < bl->last || now - bl->last >= 64 * freq) {
		/* First use, a counter gone back, or a long quiet: a full bucket. */
		bl->started = true;
		bl->tokens = burst;
		bl->last = now;
	} else {
		uint64_t earned = (now - bl->last) * rate / freq;

		/* The clock moves on by the whole bytes earned only, so no fraction is lost. */
		bl->last += earned * freq / rate;
		bl->tokens += (int64_t)earned;
		if (bl->tokens >= (int64_t)burst) {
			bl->tokens = burst;
			bl->last = now;
		}
	}
	if (bl->tokens < (int64_t)n)
		return false;
	bl->tokens -= n;
	return true;
}

void bytelimit_charge(struct bytelimit *bl, uint32_t n, uint32_t burst)
{
	bl->tokens = MAX(bl->tokens - (int64_t)n, -(int64_t)burst);
}

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
