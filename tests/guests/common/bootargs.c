/* The guests' parameters, from /chosen/bootargs: "key=value" words. */
#include <stdbool.h>
#include "bootargs.h"
#include "fdt_prop.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\0';
}

/* The value of "@key=" in @args (len bytes), as a string, or NULL. */
static const char *bootarg_in(const char *args, unsigned int len, const char *key)
{
	for (unsigned int i = 0; i < len; i++) {
		unsigned int k = 0;

		if (i && args[i - 1] != ' ')
			continue;
		while (key[k] && i + k < len && args[i + k] == key[k])
			k++;
		if (!key[k] && i + k < len && args[i + k] == '=')
			return args + i + k + 1;
	}
	return 0;
}

const char *bootarg(unsigned long dtb, const char *key)
{
	unsigned int len = 0;
	const char *args = fdt_path_prop(dtb, "/chosen", "bootargs", &len);

	return args ? bootarg_in(args, len, key) : 0;
}

bool parse_number(const char *s, unsigned long *out)
{
	unsigned long v = 0, base = 10;

	if (!s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (is_space(*s))
		return false; /* no digits: "", "0x" */
	for (; !is_space(*s); s++) {
		unsigned long d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned long)(*s - '0');
		else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (unsigned long)((*s | 0x20) - 'a' + 10);
		else
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}
