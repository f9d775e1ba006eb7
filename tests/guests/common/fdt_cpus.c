/*
 * How many CPUs a flattened device tree describes: the nodes named "cpu@..."
 * right under /cpus. A walk of the structure block alone (no strings, no
 * properties read), enough for a guest to learn how many vCPUs it was given.
 */
#include <stdint.h>
#include "fdt.h"
#include "fdt_cpus.h"

static int name_is(const char *name, const char *want, unsigned int len)
{
	for (unsigned int i = 0; i < len; i++) {
		if (name[i] != want[i])
			return 0;
	}
	return 1;
}

static unsigned int cstr_len(const char *s)
{
	unsigned int n = 0;

	while (s[n])
		n++;
	return n;
}

unsigned int fdt_count_cpus(unsigned long dtb)
{
	const uint8_t *fdt = (const uint8_t *)dtb;
	const uint8_t *p, *end;
	unsigned int depth = 0, cpus_depth = 0, count = 0;

	if (fdt_be32(fdt) != FDT_MAGIC)
		return 0;
	p = fdt + fdt_be32(fdt + 8);  /* off_dt_struct */
	end = p + fdt_be32(fdt + 36); /* size_dt_struct */
	while (p + 4 <= end) {
		uint32_t token = fdt_be32(p);

		p += 4;
		switch (token) {
		case FDT_BEGIN_NODE: {
			const char *name = (const char *)p;
			unsigned int len = cstr_len(name);

			depth++;
			if (depth == 2 && len == 4 && name_is(name, "cpus", 4))
				cpus_depth = depth;
			else if (cpus_depth && depth == cpus_depth + 1 && len >= 4 &&
			         name_is(name, "cpu@", 4))
				count++;
			p += (len + 4) & ~3u; /* the name, its NUL, padded to 4 bytes */
			break;
		}
		case FDT_END_NODE:
			if (depth == cpus_depth)
				cpus_depth = 0;
			depth--;
			break;
		case FDT_PROP:
			p += 8 + ((fdt_be32(p) + 3) & ~3u); /* len, nameoff, then the value */
			break;
		case FDT_NOP:
			break;
		default: /* FDT_END or garbage */
			return count;
		}
	}
	return count;
}
