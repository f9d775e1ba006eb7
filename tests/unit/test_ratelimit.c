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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_burst_then_counted_then_told),
	    cmocka_unit_test(test_flood_prints_at_most_burst_per_window),
	    cmocka_unit_test(test_counter_going_back_opens_a_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
