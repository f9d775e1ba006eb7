/*
 * Helpers the device-tree unit tests share (test_dt.c, test_dt_guest.c,
 * test_modules.c): loading the checked-in DTBs, editable copies, setting and
 * checking properties, and parsing with the project's own dt_parse_host().
 * Tests run with cwd tests/unit (make test-unit).
 */
#ifndef TESTS_UNIT_DT_TEST_HELPERS_H
#define TESTS_UNIT_DT_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include "core/dt.h"

/* A whole DTB file in a malloc'd buffer, or NULL (with a message) if it is not one. */
static inline void *read_dtb(const char *path)
{
	FILE *f = fopen(path, "rb");
	long size;
	void *buf;

	if (!f) {
		print_error("cannot open %s (run `make deps` for the Pi DTB)\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc(size);
	if (buf && fread(buf, 1, size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf && (fdt_check_header(buf) != 0 || fdt_totalsize(buf) != (uint32_t)size)) {
		print_error("%s is not a whole DTB\n", path);
		free(buf);
		buf = NULL;
	}
	return buf;
}

/* An editable copy of @src with @room bytes to grow into, kept in *@slot (freed by the test). */
static inline void *dt_test_copy(void **slot, const void *src, int room)
{
	int size = fdt_totalsize(src) + room;

	assert_null(*slot);
	*slot = malloc(size);
	assert_non_null(*slot);
	assert_int_equal(fdt_open_into(src, *slot, size), 0);
	return *slot;
}

static inline int node_at(const void *fdt, const char *path)
{
	int node = fdt_path_offset(fdt, path);

	if (node < 0)
		fail_msg("no node %s: %s", path, fdt_strerror(node));
	return node;
}

static inline void set_cells_n(void *fdt, const char *path, const char *prop, const uint32_t *cells,
                               int n)
{
	fdt32_t be[32];
	int i;

	assert_true(n <= 32);
	for (i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	assert_int_equal(fdt_setprop(fdt, node_at(fdt, path), prop, be, n * sizeof(fdt32_t)), 0);
}

/* set_cells(fdt, path, prop, cell...): set @prop of the node at @path to those cells. */
#define set_cells(fdt, path, prop, ...)                               \
	set_cells_n(fdt, path, prop, (const uint32_t[]){__VA_ARGS__}, \
	            (int)(sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t)))

static inline void set_string(void *fdt, const char *path, const char *prop, const char *value)
{
	assert_int_equal(fdt_setprop_string(fdt, node_at(fdt, path), prop, value), 0);
}

static inline void del_prop(void *fdt, const char *path, const char *prop)
{
	assert_int_equal(fdt_delprop(fdt, node_at(fdt, path), prop), 0);
}

static inline void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static inline void assert_region(const struct dt_region *r, uint64_t base, uint64_t size)
{
	assert_int_equal(r->base, base);
	assert_int_equal(r->size, size);
}

/* dt_parse_host() of @fdt succeeds, filling every field afresh, with no error text. */
static inline void parse_ok(const void *fdt, struct dt_host *host)
{
	struct dt_error err;

	memset(host, 0xa5, sizeof(*host));
	if (dt_parse_host(fdt, host, &err) != 0)
		fail_msg("dt_parse_host failed: %s", err.msg);
	assert_string_equal(err.msg, "");
}

#endif
