/*
 * The hypervisor's allocator (core/mm.c): every block is aligned as asked by
 * its address, not by its offset in the pool (stage-2 roots of concatenated
 * tables need 8-64 KiB alignment), blocks never overlap, and running out is a
 * panic rather than a wrong pointer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include "core/lib.h"
#include "core/mm.h"

/* The linker script's symbols, for hyp_image_start/end. */
char _start_image[1], _end[1];

static jmp_buf panic_jb;

void panic(const char *fmt, ...)
{
	(void)fmt;
	longjmp(panic_jb, 1);
}

static void test_alignment_is_by_address(void **state)
{
	static const size_t aligns[] = {8, 64, 4096, 8192, 32768, 65536, 8, 16384};
	uintptr_t prev_end = 0;

	(void)state;
	for (unsigned int i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		size_t size = aligns[i] < 4096 ? 24 : aligns[i];
		uint8_t *p = hyp_alloc(size, aligns[i]);

		assert_int_equal((uintptr_t)p % aligns[i], 0);
		assert_true((uintptr_t)p >= prev_end); /* no overlap with the previous block */
		for (size_t b = 0; b < size; b++)
			assert_int_equal(p[b], 0);
		memset(p, 0xa5, size);
		prev_end = (uintptr_t)p + size;
	}
	assert_int_equal((uintptr_t)page_alloc_zeroed() % 4096, 0);
}

static void test_exhaustion_panics(void **state)
{
	(void)state;
	if (setjmp(panic_jb) == 0) {
		hyp_alloc(HYP_POOL_SIZE, 4096);
		fail_msg("a block larger than what is left was handed out");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alignment_is_by_address),
	    cmocka_unit_test(test_exhaustion_panics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
