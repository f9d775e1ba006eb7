/* printk's formatter, exercised through snprintk on the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "core/printf.h"

#define CHECK_FMT(expect, ...)                               \
	do {                                                 \
		char b[128];                                 \
		int n = snprintk(b, sizeof(b), __VA_ARGS__); \
		assert_string_equal(b, expect);              \
		assert_int_equal(n, strlen(expect));         \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	CHECK_FMT("42 -7 0", "%d %d %u", 42, -7, 0u);
	CHECK_FMT("-9223372036854775808", "%ld", (long)(-9223372036854775807L - 1));
	CHECK_FMT("18446744073709551615", "%lu", ~0UL);
	CHECK_FMT("ff FF 0xff", "%x %X %#x", 255u, 255u, 255u);
	CHECK_FMT("ffffffff80000000", "%lx", 0xffffffff80000000UL);
}

static void test_width_and_padding(void **state)
{
	(void)state;
	CHECK_FMT("[   42]", "[%5d]", 42);
	CHECK_FMT("[42   ]", "[%-5d]", 42);
	CHECK_FMT("[00042]", "[%05d]", 42);
	CHECK_FMT("[-0042]", "[%05d]", -42);
	CHECK_FMT("[0000000040200000]", "[%016lx]", 0x40200000UL);
	CHECK_FMT("[  ab]", "[%4s]", "ab");
	CHECK_FMT("[ab  ]", "[%-4s]", "ab");
}

static void test_strings_chars_pointers(void **state)
{
	(void)state;
	const char *volatile null_str = NULL;
	CHECK_FMT("x=(null)", "x=%s", null_str);
	CHECK_FMT("a-b", "%c-%c", 'a', 'b');
	CHECK_FMT("0x1000", "%p", (void *)0x1000);
	CHECK_FMT("100%", "100%%");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
	CHECK_FMT("%q", "%q");
#pragma GCC diagnostic pop
}

static void test_truncation(void **state)
{
	char b[6];
	int n;

	(void)state;
	n = snprintk(b, sizeof(b), "hello world");
	assert_string_equal(b, "hello");
	assert_int_equal(n, 11); /* like snprintf: the length it wanted */
	n = snprintk(b, 0, "abc");
	assert_int_equal(n, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_integers),
	    cmocka_unit_test(test_width_and_padding),
	    cmocka_unit_test(test_strings_chars_pointers),
	    cmocka_unit_test(test_truncation),
	};
	return cmocka_run_group_tests_name("printf", tests, NULL, NULL);
}
