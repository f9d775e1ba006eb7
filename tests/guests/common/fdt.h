/* The flattened device tree's structure block, as the bare-metal guests walk it. */
#ifndef GUEST_FDT_H
#define GUEST_FDT_H

#include <stdint.h>

#define FDT_MAGIC      0xd00dfeedU
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

/* A big-endian u32 a byte at a time: with the MMU off a DTB is Device memory. */
static inline uint32_t fdt_be32(const void *p)
{
	const volatile uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

#endif
