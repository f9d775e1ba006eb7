/*
 * A test-and-test-and-set lock: whichever CPU is running when the lock comes
 * free takes it. A ticket lock would be fair, but it hands the lock to one
 * particular waiter; where the "physical" CPUs are threads of a host that
 * time-slices them (QEMU's TCG with more CPUs than the host has cores, as on
 * CI), that waiter may not run for a whole host time slice while every other
 * CPU spins, and each hand-over queues behind the last. Measured on QEMU virt,
 * GICv2, 4 CPUs over 2 host cores: Linux reached /init after 50 s of its own
 * time instead of 2.7 s once the vGIC's lock was taken once more per timer
 * interrupt. Critical sections here are short and CPUs few, so no CPU waits
 * long in practice on real hardware either.
 */
#ifndef CORE_SPINLOCK_H
#define CORE_SPINLOCK_H

#include "core/compiler.h"

typedef struct {
	uint32_t held;
} spinlock_t;

#define SPINLOCK_INIT \
	{             \
		0     \
	}

static inline void spin_lock(spinlock_t *l)
{
	for (;;) {
		uint32_t expected = 0;

		if (__atomic_compare_exchange_n(&l->held, &expected, 1, false, __ATOMIC_ACQUIRE,
		                                __ATOMIC_RELAXED))
			return;
		while (__atomic_load_n(&l->held, __ATOMIC_RELAXED)) /* spin on a read */
			__asm__ volatile("yield");
	}
}

/* For invariant checks (unit tests, fuzzers): is it held now? */
static inline bool spin_is_locked(spinlock_t *l)
{
	return __atomic_load_n(&l->held, __ATOMIC_ACQUIRE) != 0;
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

#endif
