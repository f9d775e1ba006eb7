/*
 * The hypervisor's copy and fill (core/lib.c): every length around the
 * eight-word loop, from aligned and unaligned starts, touches exactly the
 * bytes asked for, and memmove copies overlapping ranges either way. The
 * file is built here under other names, beside the host's C library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define memcpy            hyp_memcpy
#define memmove           hyp_memmove
#define memset            hyp_memset
#define memcmp            hyp_memcmp
#define memchr            hyp_memchr
#define strlen            hyp_strlen
#define strnlen           hyp_strnlen
#define strcmp            hyp_strcmp
#define strncmp           hyp_strncmp
#define strchr            hyp_strchr
#define strrchr           hyp_strrchr
#define strtoul           hyp_strtoul
#define __stack_chk_guard hyp_stack_chk_guard
#define __stack_chk_fail  hyp_stack_chk_fail
#include "core/lib.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp

void panic(const char *fmt, ...)
{
	(void)fmt;
	fail_msg("panic");
	abort();
}

#define BUF    304
#define POISON 0xa5

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

/* Lengths 0-200 (the 64-byte loop, the word loop, the bytes) at each alignment pair. */
static void test_memcpy_copies_exactly_the_bytes_asked(void **state)
{
	static uint64_t src_words[BUF / 8], dst_words[BUF / 8];
	uint8_t *src = (uint8_t *)src_words, *dst = (uint8_t *)dst_words;

	(void)state;
	for (size_t i = 0; i < BUF; i++)
		src[i] = pattern(i);
	for (size_t so = 0; so < 16; so += 3) {
		for (size_t dof = 0; dof < 16; dof += 5) {
			for (size_t n = 0; n <= 200; n++) {
				memset(dst, POISON, BUF);
				assert_ptr_equal(hyp_memcpy(dst + dof, src + so, n), dst + dof);
				for (size_t i = 0; i < BUF; i++) {
					uint8_t want = i >= dof && i < dof + n
					                   ? pattern(i - dof + so)
					                   : POISON;

					if (dst[i] != want)
						fail_msg("src+%zu dst+%zu n %zu: byte %zu is %#x, "
						         "not %#x",
						         so, dof, n, i, dst[i], want);
				}
			}
		}
	}
}

static void test_memset_fills_exactly_the_bytes_asked(void **state)
{
	static uint64_t words[BUF / 8];
	uint8_t *buf = (uint8_t *)words;

	(void)state;
	for (size_t off = 0; off < 16; off++) {
		for (size_t n = 0; n <= 200; n++) {
			memset(buf, POISON, BUF);
			assert_ptr_equal(hyp_memset(buf + off, 0x100 + 0x3c, n), buf + off);
			for (size_t i = 0; i < BUF; i++) {
				uint8_t want = i >= off && i < off + n ? 0x3c : POISON;

				if (buf[i] != want)
					fail_msg("+%zu n %zu: byte %zu is %#x", off, n, i, buf[i]);
			}
		}
	}
}

static void test_memmove_overlapping_either_way(void **state)
{
	static uint64_t words[BUF / 8];
	uint8_t *buf = (uint8_t *)words, want[BUF];

	(void)state;
	for (size_t from = 0; from < 80; from += 7) {
		for (size_t to = 0; to < 80; to += 9) {
			for (size_t i = 0; i < BUF; i++)
				buf[i] = want[i] = pattern(i);
			memmove(want + to, want + from, 150);
			hyp_memmove(buf + to, buf + from, 150);
			assert_memory_equal(buf, want, BUF);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memcpy_copies_exactly_the_bytes_asked),
	    cmocka_unit_test(test_memset_fills_exactly_the_bytes_asked),
	    cmocka_unit_test(test_memmove_overlapping_either_way),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
