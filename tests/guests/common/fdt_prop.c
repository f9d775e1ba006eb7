/*
 * One property of the node at a path (fdt_prop.h): a walk of the structure
 * block, with property names from the strings block. Enough for a guest to
 * read /chosen/bootargs, /memory's reg or a shared region's doorbell.
 */
#include <stdint.h>
#include "fdt.h"
#include "fdt_prop.h"

static unsigned int cstr_len(const char *s)
{
	unsigned int n = 0;

	while (s[n])
		n++;
	return n;
}

static int cstr_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Component @n (0: the first after the root) of @path: is it @name, whole? */
static int path_component_is(const char *path, unsigned int n, const char *name)
{
	const char *p = path;

	for (unsigned int i = 0; i <= n; i++) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		if (i == n)
			break;
		while (*p && *p != '/')
			p++;
	}
	while (*p && *p != '/' && *p == *name) {
		p++;
		name++;
	}
	/* As Linux reads paths: "memory" also names "memory@40000000". */
	return (!*p || *p == '/') && (!*name || (*name == '@' && p[-1] != '@'));
}

static unsigned int path_components(const char *path)
{
	unsigned int n = 0;

	for (const char *p = path; *p; p++)
		if (*p != '/' && (p == path || p[-1] == '/'))
			n++;
	return n;
}

const void *fdt_path_prop(unsigned long dtb, const char *path, const char *prop, unsigned int *len)
{
	const uint8_t *fdt = (const uint8_t *)dtb;
	const uint8_t *p, *end;
	const char *strings;
	unsigned int depth = 0, matched = 0, want = path_components(path);

	if (fdt_be32(fdt) != FDT_MAGIC)
		return 0;
	p = fdt + fdt_be32(fdt + 8);
	end = p + fdt_be32(fdt + 36);
	strings = (const char *)fdt + fdt_be32(fdt + 12);
	while (p + 4 <= end) {
		uint32_t token = fdt_be32(p);

		p += 4;
		switch (token) {
		case FDT_BEGIN_NODE: {
			const char *name = (const char *)p;

			depth++;
			/* depth 1 is the root; the node at depth d is component d - 2. */
			if (depth >= 2 && matched == depth - 2 && matched < want &&
			    path_component_is(path, depth - 2, name))
				matched = depth - 1;
			p += (cstr_len(name) + 4) & ~3u;
			break;
		}
		case FDT_END_NODE:
			if (depth >= 2 && matched == depth - 1)
				matched = depth - 2;
			depth--;
			break;
		case FDT_PROP: {
			uint32_t plen = fdt_be32(p);

			if (matched == want && depth == want + 1 &&
			    cstr_eq(strings + fdt_be32(p + 4), prop)) {
				*len = plen;
				return p + 8;
			}
			p += 8 + ((plen + 3) & ~3u);
			break;
		}
		case FDT_NOP:
			break;
		default:
			return 0;
		}
	}
	return 0;
}
