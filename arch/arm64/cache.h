/* Data cache maintenance by address range, to the point of coherency. */
#ifndef ARCH_ARM64_CACHE_H
#define ARCH_ARM64_CACHE_H

#include "core/compiler.h"

void dcache_clean_range(const void *start, size_t size);
void dcache_inval_range(const void *start, size_t size);
void dcache_clean_inval_range(const void *start, size_t size);
void icache_inval_all(void);

#endif
