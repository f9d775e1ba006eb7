/*
 * The hypervisor's memory: everything it owns lies inside its image, from
 * _start_image to _end (text, data, BSS, and the page pool below), so the
 * image_size in the Image header tells any loader exactly what to keep clear,
 * and every other byte of RAM can be given to guests.
 */
#ifndef CORE_MM_H
#define CORE_MM_H

#include "core/compiler.h"

/*
 * What the hypervisor allocates at boot and keeps: the vCPUs (about 5 KiB
 * each, 16 at most), each VM's stage-2 tables and console, and its own EL2
 * tables. The VMs of the tests use 40-50 KiB (the boot line "hyp: memory:"
 * says how much); 1 MiB leaves room for 16 vCPUs and VMs with many GiB of
 * RAM or many devices, and a VM that needs more is refused with a panic that
 * names the sizes.
 */
#define HYP_POOL_SIZE MiB(1)

/* A zeroed 4 KiB page from the pool; panics when the pool is exhausted. */
void *page_alloc_zeroed(void);
/* @size bytes, aligned to @align (a power of two), zeroed; panics when exhausted. */
void *hyp_alloc(size_t size, size_t align);

/* Bytes of the pool handed out so far, and its size. */
size_t hyp_pool_used(void);

/* The physical range the hypervisor occupies. */
uint64_t hyp_image_start(void);
uint64_t hyp_image_end(void);

#endif
