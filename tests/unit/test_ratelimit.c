/*
 * The rate limit on what guests can make the hypervisor print
 * (core/ratelimit.c): a burst per window, the rest counted and the count
 * handed back with the next line that may be printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "core/ratelimit.h"

#define WINDOW 1000
#define BURST  4

static void test_burst_then_counted_then_told(void **state)
{
	struct ratelimit rl = {0};
	unsigned long told;

	(void)state;
	for (unsigned int i = 0; i < BURST; i++) {
		assert_true(ratelimit_take(&rl, 100 + i, WINDOW, BURST, &told));
		assert_int_equal(told, 0);
	}
	/* Past the burst in the same window: dropped and counted. */
	for (unsigned int i = 0; i < 10; i++) {
		assert_false(ratelimit_take(&rl, 200 + i, WINDOW, BURST, &told));
		assert_int_equal(told, 0);
	}
	/* The next window: the first line carries the count of the 10 dropped. */
	assert_true(ratelimit_take(&rl, 100 + WINDOW, WINDOW, BURST, &told));
	assert_int_equal(told, 10);
	assert_true(ratelimit_take(&rl, 101 + WINDOW, WINDOW, BURST, &told));
	assert_int_equal(told, 0);
}

static void test_flood_prints_at_most_burst_per_window(void **state)
{
	struct ratelimit rl = {0};
	unsigned long told, printed = 0, dropped = 0, reported = 0;

	(void)state;
	/* A million lines over 100 windows. */
	for (unsigned long i = 0; i < 1000000; i++) {
		if (ratelimit_take(&rl, i / 10000 * WINDOW + i % 10000 / 20, WINDOW, BURST, &told))
			printed++;
		else
			dropped++;
		reported += told;
	}
	assert_int_equal(printed, 100 * BURST);
	/* Every dropped line is accounted for, except those of the last window. */
	assert_int_equal(reported + rl.suppressed, dropped);
}

static void test_counter_going_back_opens_a_window(void **state)
{
	struct ratelimit rl = {0};
	unsigned long told;

	(void)state;
	for (unsigned int i = 0; i < BURST; i++)
		assert_true(ratelimit_take(&rl, 5000, WINDOW, BURST, &told));
	assert_false(ratelimit_take(&rl, 5001, WINDOW, BURST, &told));
	/* Never stuck closed: an earlier time than the window's start starts a new one. */
	assert_true(ratelimit_take(&rl, 10, WINDOW, BURST, &told));
	assert_int_equal(told, 1);
}

#define B_FREQ  62500000ULL /* QEMU virt's counter */
#define B_RATE  8192
#define B_BURST 32768

static void test_bytes_burst_then_rate(void **state)
{
	struct bytelimit bl = {0};
	uint64_t now = 1000, sent = 0;

	(void)state;
	/* A full bucket first: the whole burst, then nothing more at once. */
	assert_true(bytelimit_take(&bl, now, B_FREQ, B_RATE, B_BURST, B_BURST));
	assert_false(bytelimit_take(&bl, now, B_FREQ, B_RATE, B_BURST, 1));
	/* A flood of 80-byte lines, one every 10 us for 10 s, gets B_RATE a second. */
	for (unsigned int i = 0; i < 1000000; i++) {
		now += B_FREQ / 100000;
		if (bytelimit_take(&bl, now, B_FREQ, B_RATE, B_BURST, 80))
			sent += 80;
	}
	assert_true(sent <= 10 * B_RATE && sent >= 10 * B_RATE - 160);
}

static void test_bytes_refill_is_capped_and_charge_empties(void **state)
{
	struct bytelimit bl = {0};

	(void)state;
	assert_true(bytelimit_take(&bl, 0, B_FREQ, B_RATE, B_BURST, B_BURST));
	/* Half a second earns half the rate. */
	assert_true(bytelimit_take(&bl, B_FREQ / 2, B_FREQ, B_RATE, B_BURST, B_RATE / 2));
	assert_false(bytelimit_take(&bl, B_FREQ / 2, B_FREQ, B_RATE, B_BURST, 1));
	/* Ten quiet seconds fill the bucket to the burst, not beyond. */
	assert_true(
	    bytelimit_take(&bl, B_FREQ / 2 + 10 * B_FREQ, B_FREQ, B_RATE, B_BURST, B_BURST));
	assert_false(bytelimit_take(&bl, B_FREQ / 2 + 10 * B_FREQ, B_FREQ, B_RATE, B_BURST, 1));
	/* Bytes that go out anyway are owed (down to -burst) and paid back first. */
	assert_true(bytelimit_take(&bl, 20 * B_FREQ, B_FREQ, B_RATE, B_BURST, 100));
	bytelimit_charge(&bl, 1 << 20, B_BURST);
	assert_int_equal(bl.tokens, -B_BURST);
	assert_false(bytelimit_take(&bl, 20 * B_FREQ + 3 * B_FREQ, B_FREQ, B_RATE, B_BURST, 1));
	assert_true(bytelimit_take(&bl, 20 * B_FREQ + 5 * B_FREQ, B_FREQ, B_RATE, B_BURST, B_RATE));
	/* Without a counter (CNTFRQ 0) nothing is limited. */
	assert_true(bytelimit_take(&bl, 0, 0, B_RATE, B_BURST, 1 << 30));
}

/* The console's way: one byte to begin a line, the rest charged as it goes out. */
static void test_bytes_charged_lines_keep_the_rate(void **state)
{
	struct bytelimit bl = {0};
	uint64_t now = 0, sent = 0;

	(void)state;
	for (unsigned int line = 0; line < 20000; line++) {
		now += B_FREQ / 10000; /* 89-byte lines, 10000 a second */
		if (bytelimit_take(&bl, now, B_FREQ, B_RATE, B_BURST, 1)) {
			bytelimit_charge(&bl, 88, B_BURST);
			sent += 89;
		}
	}
	assert_true(sent <= B_BURST + 2 * B_RATE + 89);
	assert_true(sent >= B_BURST + 2 * B_RATE - 2 * 89);
}

static void test_bytes_counter_going_back_refills(void **state)
{
	struct bytelimit bl = {0};

	(void)state;
	assert_true(bytelimit_take(&bl, 5 * B_FREQ, B_FREQ, B_RATE, B_BURST, B_BURST));
	assert_true(bytelimit_take(&bl, B_FREQ, B_FREQ, B_RATE, B_BURST, B_BURST));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_burst_then_counted_then_told),
	    cmocka_unit_test(test_flood_prints_at_most_burst_per_window),
	    cmocka_unit_test(test_counter_going_back_opens_a_window),
	    cmocka_unit_test(test_bytes_burst_then_rate),
	    cmocka_unit_test(test_bytes_refill_is_capped_and_charge_empties),
	    cmocka_unit_test(test_bytes_counter_going_back_refills),
	    cmocka_unit_test(test_bytes_charged_lines_keep_the_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
