/*
 * The hypervisor's memory: everything it owns lies inside its image, from
 * _start_image to _end (text, data, BSS, and the page pool below), so the
 * image_size in the Image header tells any loader exactly what to keep clear,
 * and every other byte of RAM can be given to guests.
 */
#ifndef CORE_MM_H
#define CORE_MM_H

#include "core/compiler.h"

#define HYP_POOL_SIZE MiB(4)

/* A zeroed 4 KiB page from the pool; panics when the pool is exhausted. */
void *page_alloc_zeroed(void);
/* @size bytes, aligned to @align (a power of two), zeroed; panics when exhausted. */
void *hyp_alloc(size_t size, size_t align);

/* The physical range the hypervisor occupies. */
uint64_t hyp_image_start(void);
uint64_t hyp_image_end(void);

#endif
