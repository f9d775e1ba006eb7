/*
 * The fault record of vcpu/vcpu_fault.c: which faults are named, how repeats
 * are counted and told, and when a vCPU is stopped. The decision functions
 * run on a bare struct vcpu_fault_state; vcpu_fault_check() runs on a fake
 * VM of 2 vCPUs with printk() captured and vcpu_power_off() returning to the
 * test by longjmp.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/printf.h"
#include "vcpu/vcpu.h"
#include "vcpu/vcpu_fault.h"

#define HOLE_IPA    0x0a000000UL
#define LOOP_PC     0x40201000UL /* the guest's load from the hole */
#define VECTOR      0x40202200UL /* a handler that runs (VBAR_EL1 + 0x200) */
#define DEAD_VECTOR 0x200UL      /* a handler with nothing behind it */

static const struct vcpu_fault hole_read = {VCPU_FAULT_DATA_ABORT, LOOP_PC, HOLE_IPA};
static const struct vcpu_fault dead_fetch = {VCPU_FAULT_INSN_ABORT, DEAD_VECTOR, DEAD_VECTOR};

/* The stubs -------------------------------------------------------------- */

static char console[4096];
static unsigned int console_lines;
static jmp_buf powered_off;
static struct vcpu *power_off_vcpu;

int printk(const char *fmt, ...)
{
	size_t used = strlen(console);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(console + used, sizeof(console) - used, fmt, ap);
	va_end(ap);
	console_lines++;
	return n;
}

void vcpu_power_off(struct vcpu *v)
{
	power_off_vcpu = v;
	v->power = VCPU_OFF;
	longjmp(powered_off, 1);
}

/* Helpers ---------------------------------------------------------------- */

static struct vm vm = {.name = "guest0"};
static struct vcpu vcpu[2];

static int setup(void **state)
{
	(void)state;
	memset(vcpu, 0, sizeof(vcpu));
	for (unsigned int i = 0; i < 2; i++) {
		vcpu[i].id = i;
		vcpu[i].vm = &vm;
		vcpu[i].power = VCPU_ON;
		vm.vcpus[i] = &vcpu[i];
	}
	vm.nr_vcpus = 2;
	console[0] = '\0';
	console_lines = 0;
	power_off_vcpu = NULL;
	return 0;
}

/* The guest takes @f and the hypervisor sends it to @vector. */
static struct vcpu_fault_verdict fault_then_inject(struct vcpu_fault_state *s,
                                                   const struct vcpu_fault *f, uint64_t vector)
{
	struct vcpu_fault_verdict verdict = vcpu_fault_record(s, f);

	vcpu_fault_injected(s, vector);
	return verdict;
}

/* The decisions ------------------------------------------------------------ */

static void test_first_fault_is_named_repeats_are_not(void **state)
{
	struct vcpu_fault_state s = {0};
	struct vcpu_fault_verdict verdict = fault_then_inject(&s, &hole_read, VECTOR);

	(void)state;
	assert_true(verdict.report);
	assert_int_equal(verdict.repeated, 0);
	for (unsigned int i = 0; i < 41; i++) {
		verdict = fault_then_inject(&s, &hole_read, VECTOR);
		assert_false(verdict.report);
		assert_int_equal(verdict.repeated, 0);
		assert_int_equal(verdict.milestone, 0);
		assert_int_equal(verdict.park, 0);
	}
	assert_int_equal(s.repeats, 41);
}

static void test_a_different_fault_tells_the_count_and_starts_again(void **state)
{
	struct vcpu_fault_state s = {0};
	struct vcpu_fault other = hole_read;
	struct vcpu_fault_verdict verdict;

	(void)state;
	for (unsigned int i = 0; i < 42; i++)
		fault_then_inject(&s, &hole_read, VECTOR);
	other.pc += 4;
	verdict = fault_then_inject(&s, &other, VECTOR);
	assert_true(verdict.report);
	assert_int_equal(verdict.repeated, 41);

	/* The first fault again is a new one: named, with nothing to tell for the other. */
	verdict = fault_then_inject(&s, &hole_read, VECTOR);
	assert_true(verdict.report);
	assert_int_equal(verdict.repeated, 0);
	verdict = fault_then_inject(&s, &hole_read, VECTOR);
	assert_false(verdict.report);
	assert_int_equal(s.repeats, 1);
}

/* Same PC and address but another kind (or another address) is another fault. */
static void test_kind_pc_and_address_all_make_the_fault(void **state)
{
	struct vcpu_fault_state s = {0};
	struct vcpu_fault mmio = hole_read, write_elsewhere = hole_read;

	(void)state;
	mmio.kind = VCPU_FAULT_MMIO_NO_ISV;
	write_elsewhere.addr += 8;
	assert_true(fault_then_inject(&s, &hole_read, VECTOR).report);
	assert_true(fault_then_inject(&s, &mmio, VECTOR).report);
	assert_true(fault_then_inject(&s, &write_elsewhere, VECTOR).report);
	assert_false(fault_then_inject(&s, &write_elsewhere, VECTOR).report);
}

static void test_milestones_are_widely_spaced(void **state)
{
	struct vcpu_fault_state s = {0};
	uint64_t told[8];
	unsigned int nr_told = 0;

	(void)state;
	fault_then_inject(&s, &hole_read, VECTOR);
	for (unsigned int i = 0; i < 150000; i++) {
		struct vcpu_fault_verdict verdict = fault_then_inject(&s, &hole_read, VECTOR);

		assert_false(verdict.report);
		assert_int_equal(verdict.park, 0);
		if (verdict.milestone && nr_told < 8)
			told[nr_told++] = verdict.milestone;
	}
	assert_int_equal(nr_told, 3);
	assert_int_equal(told[0], 1000);
	assert_int_equal(told[1], 10000);
	assert_int_equal(told[2], 100000);

	/* A new fault starts the milestones again, and tells the whole count. */
	assert_int_equal(fault_then_inject(&s, &dead_fetch, VECTOR).repeated, 150000);
	for (unsigned int i = 0; i < 999; i++)
		assert_int_equal(fault_then_inject(&s, &dead_fetch, VECTOR).milestone, 0);
	assert_int_equal(fault_then_inject(&s, &dead_fetch, VECTOR).milestone, 1000);
}

/* The guest's handler faults on its first instruction: stopped at the 8th in a row. */
static void test_handler_that_faults_is_parked(void **state)
{
	struct vcpu_fault_state s = {0};
	struct vcpu_fault_verdict verdict;

	(void)state;
	assert_int_equal(fault_then_inject(&s, &hole_read, DEAD_VECTOR).park, 0);
	verdict = fault_then_inject(&s, &dead_fetch, DEAD_VECTOR);
	assert_true(verdict.report); /* the handler's fault is named once */
	assert_int_equal(verdict.park, 0);
	for (unsigned int i = 2; i < VCPU_FAULT_PARK_AFTER; i++) {
		verdict = fault_then_inject(&s, &dead_fetch, DEAD_VECTOR);
		assert_false(verdict.report);
		assert_int_equal(verdict.park, 0);
	}
	verdict = vcpu_fault_record(&s, &dead_fetch);
	assert_int_equal(verdict.park, VCPU_FAULT_PARK_AFTER);
	assert_false(verdict.report);
	/* Its 7 repeats are the faults in a row the stop message counts. */
	assert_int_equal(verdict.repeated, 0);
	/* The record is clean for the next start. */
	assert_false(s.have_last);
	assert_int_equal(s.handler_faults, 0);
}

/* A test loop touching a hole from one PC, its handler running in between: never parked. */
static void test_hole_touched_in_a_loop_is_never_parked(void **state)
{
	struct vcpu_fault_state s = {0};

	(void)state;
	for (unsigned int i = 0; i < 20000; i++) {
		struct vcpu_fault_verdict verdict = fault_then_inject(&s, &hole_read, VECTOR);

		assert_int_equal(verdict.park, 0);
		assert_int_equal(verdict.report, i == 0);
	}
	assert_int_equal(s.handler_faults, 0);
}

/* The handler faults a few times, then runs (the next fault is elsewhere): the run starts over. */
static void test_a_fault_elsewhere_ends_the_run(void **state)
{
	struct vcpu_fault_state s = {0};

	(void)state;
	fault_then_inject(&s, &hole_read, DEAD_VECTOR);
	for (unsigned int i = 1; i < VCPU_FAULT_PARK_AFTER; i++)
		assert_int_equal(fault_then_inject(&s, &dead_fetch, DEAD_VECTOR).park, 0);
	fault_then_inject(&s, &hole_read, DEAD_VECTOR);
	for (unsigned int i = 1; i < VCPU_FAULT_PARK_AFTER; i++)
		assert_int_equal(fault_then_inject(&s, &dead_fetch, DEAD_VECTOR).park, 0);
	assert_int_equal(vcpu_fault_record(&s, &dead_fetch).park, VCPU_FAULT_PARK_AFTER);
}

/* A fault at address 0 of a vCPU never sent anywhere is not its handler faulting. */
static void test_no_injection_no_handler_fault(void **state)
{
	struct vcpu_fault_state s = {0};
	const struct vcpu_fault at_zero = {VCPU_FAULT_INSN_ABORT, 0, 0};

	(void)state;
	for (unsigned int i = 0; i < 2 * VCPU_FAULT_PARK_AFTER; i++)
		assert_int_equal(vcpu_fault_record(&s, &at_zero).park, 0);
}

/* Repeats from before the handler's run of faults are told before it stops. */
static void test_repeats_before_the_run_are_told_at_the_stop(void **state)
{
	struct vcpu_fault_state s = {0};
	const struct vcpu_fault at_vector = {VCPU_FAULT_DATA_ABORT, VECTOR, HOLE_IPA};
	struct vcpu_fault_verdict verdict;

	(void)state;
	/* Reached by a branch 5 times, the handler then runs: not a run. */
	for (unsigned int i = 0; i < 5; i++)
		fault_then_inject(&s, &at_vector, VECTOR + 0x1000);
	for (unsigned int i = 0; i < VCPU_FAULT_PARK_AFTER; i++)
		verdict = fault_then_inject(&s, &at_vector, VECTOR);
	/* The first of those 8 was sent elsewhere: 7 in a row. */
	assert_int_equal(verdict.park, 0);
	assert_int_equal(s.handler_faults, VCPU_FAULT_PARK_AFTER - 1);
	verdict = vcpu_fault_record(&s, &at_vector);
	assert_int_equal(verdict.park, VCPU_FAULT_PARK_AFTER);
	/* The 1st of all 14 was named: 13 repeats, more than the 8 in a row the stop counts. */
	assert_int_equal(verdict.repeated, 13);
}

/* What vcpu_fault_check() prints and does ----------------------------------- */

static void test_check_prints_once_then_the_count(void **state)
{
	struct vcpu_fault other = hole_read;

	(void)state;
	other.pc += 4;
	assert_true(vcpu_fault_check(&vcpu[0], &hole_read));
	vcpu_fault_injected(&vcpu[0].fault, VECTOR);
	for (unsigned int i = 0; i < 41; i++) {
		assert_false(vcpu_fault_check(&vcpu[0], &hole_read));
		vcpu_fault_injected(&vcpu[0].fault, VECTOR);
	}
	assert_int_equal(console_lines, 0);
	assert_true(vcpu_fault_check(&vcpu[0], &other));
	assert_string_equal(console, "hyp: guest0 vcpu0: (last fault repeated 41 more times)\n");
}

static void test_check_prints_milestones(void **state)
{
	(void)state;
	vcpu_fault_check(&vcpu[1], &hole_read);
	for (unsigned int i = 0; i < 10000; i++) {
		vcpu_fault_check(&vcpu[1], &hole_read);
		vcpu_fault_injected(&vcpu[1].fault, VECTOR);
	}
	assert_string_equal(console,
	                    "hyp: guest0 vcpu1: (last fault repeated 1000 more times so far)\n"
	                    "hyp: guest0 vcpu1: (last fault repeated 10000 more times so far)\n");
}

/* Drive vCPU @id into its dead handler until it is stopped; the faults it took. */
static unsigned int run_into_dead_handler(unsigned int id)
{
	volatile unsigned int faults = 0;

	if (setjmp(powered_off))
		return faults;
	faults++;
	vcpu_fault_check(&vcpu[id], &hole_read);
	vcpu_fault_injected(&vcpu[id].fault, DEAD_VECTOR);
	for (;;) {
		faults++;
		vcpu_fault_check(&vcpu[id], &dead_fetch);
		vcpu_fault_injected(&vcpu[id].fault, DEAD_VECTOR);
		assert_true(faults < 100);
	}
}

static void test_check_parks_with_a_clear_message(void **state)
{
	unsigned int faults;

	(void)state;
	faults = run_into_dead_handler(1);
	assert_int_equal(faults, 1 + VCPU_FAULT_PARK_AFTER);
	assert_ptr_equal(power_off_vcpu, &vcpu[1]);
	assert_string_equal(console, "hyp: guest0 vcpu1: stopped: its exception handler at 0x200 "
	                             "faults (IPA 0x200), 8 times in a row\n");
}

static void test_check_says_when_the_last_vcpu_stops(void **state)
{
	(void)state;
	vcpu[1].power = VCPU_OFF;
	run_into_dead_handler(0);
	assert_ptr_equal(power_off_vcpu, &vcpu[0]);
	assert_string_equal(console, "hyp: guest0 vcpu0: stopped: its exception handler at 0x200 "
	                             "faults (IPA 0x200), 8 times in a row\n"
	                             "hyp: guest0: that was its last running vCPU; the machine "
	                             "stays up\n");
}

static void test_check_names_the_trap_of_an_unhandled_handler(void **state)
{
	const struct vcpu_fault undef = {VCPU_FAULT_UNHANDLED, DEAD_VECTOR, 0x2000000UL};

	(void)state;
	if (setjmp(powered_off)) {
		assert_string_equal(console,
		                    "hyp: guest0 vcpu0: stopped: its exception handler at "
		                    "0x200 faults (unhandled trap, ESR 0x2000000), 8 times "
		                    "in a row\n");
		return;
	}
	vcpu_fault_injected(&vcpu[0].fault, DEAD_VECTOR);
	for (unsigned int i = 0; i < VCPU_FAULT_PARK_AFTER; i++) {
		vcpu_fault_check(&vcpu[0], &undef);
		vcpu_fault_injected(&vcpu[0].fault, DEAD_VECTOR);
	}
	fail_msg("not stopped after %u faults at its handler", VCPU_FAULT_PARK_AFTER);
}

/* vcpu_start()'s reset: the next start's first fault is named again. */
static void test_reset_gives_a_clean_record(void **state)
{
	(void)state;
	assert_true(vcpu_fault_check(&vcpu[0], &hole_read));
	assert_false(vcpu_fault_check(&vcpu[0], &hole_read));
	vcpu_fault_reset(&vcpu[0].fault);
	assert_true(vcpu_fault_check(&vcpu[0], &hole_read));
	assert_int_equal(console_lines, 0); /* the repeat before the reset is not told */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_fault_is_named_repeats_are_not),
	    cmocka_unit_test(test_a_different_fault_tells_the_count_and_starts_again),
	    cmocka_unit_test(test_kind_pc_and_address_all_make_the_fault),
	    cmocka_unit_test(test_milestones_are_widely_spaced),
	    cmocka_unit_test(test_handler_that_faults_is_parked),
	    cmocka_unit_test(test_hole_touched_in_a_loop_is_never_parked),
	    cmocka_unit_test(test_a_fault_elsewhere_ends_the_run),
	    cmocka_unit_test(test_no_injection_no_handler_fault),
	    cmocka_unit_test(test_repeats_before_the_run_are_told_at_the_stop),
	    cmocka_unit_test_setup(test_check_prints_once_then_the_count, setup),
	    cmocka_unit_test_setup(test_check_prints_milestones, setup),
	    cmocka_unit_test_setup(test_check_parks_with_a_clear_message, setup),
	    cmocka_unit_test_setup(test_check_says_when_the_last_vcpu_stops, setup),
	    cmocka_unit_test_setup(test_check_names_the_trap_of_an_unhandled_handler, setup),
	    cmocka_unit_test_setup(test_reset_gives_a_clean_record, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
