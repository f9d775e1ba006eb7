/*
 * A bump allocator over a pool in BSS. Nothing the hypervisor allocates is
 * ever freed (VMs live as long as the machine), so this is all it needs.
 */
#include "core/lib.h"
#include "core/mm.h"
#include "core/spinlock.h"

extern char _start_image[], _end[];

static uint8_t pool[HYP_POOL_SIZE] __aligned(4096);
static size_t pool_used;
static spinlock_t pool_lock = SPINLOCK_INIT;

void *hyp_alloc(size_t size, size_t align)
{
	size_t offset;

	spin_lock(&pool_lock);
	/* Align the address, not the offset: the pool itself is only page aligned. */
	offset = ALIGN_UP((uintptr_t)pool + pool_used, align) - (uintptr_t)pool;
	if (offset + size > sizeof(pool) || offset + size < offset) {
		spin_unlock(&pool_lock);
		panic("out of hypervisor memory: %zu bytes wanted, %zu of %zu used", size,
		      pool_used, sizeof(pool));
	}
	pool_used = offset + size;
	spin_unlock(&pool_lock);
	/* The pool is BSS and handed out once: it is still zero. */
	return pool + offset;
}

size_t hyp_pool_used(void)
{
	return READ_ONCE(pool_used);
}

void *page_alloc_zeroed(void)
{
	return hyp_alloc(4096, 4096);
}

uint64_t hyp_image_start(void)
{
	return (uint64_t)_start_image;
}

uint64_t hyp_image_end(void)
{
	return (uint64_t)_end;
}
