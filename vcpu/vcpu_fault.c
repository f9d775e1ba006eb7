/*
 * A guest fault loop cannot flood the console: see vcpu_fault.h. The record
 * is per vCPU and only its own CPU touches it (from its trap handlers and
 * vcpu_start()), so it needs no lock.
 */
#include "core/printf.h"
#include "vcpu/vcpu.h"
#include "vcpu/vcpu_fault.h"

static bool same_fault(const struct vcpu_fault *a, const struct vcpu_fault *b)
{
	return a->kind == b->kind && a->pc == b->pc && a->addr == b->addr;
}

/* A repeat of the fault named last: counted; the count is returned at a milestone only. */
static uint64_t count_repeat(struct vcpu_fault_state *s)
{
	if (!s->next_milestone)
		s->next_milestone = VCPU_FAULT_FIRST_MILESTONE;
	if (++s->repeats != s->next_milestone)
		return 0;
	if (s->next_milestone <= UINT64_MAX / 10)
		s->next_milestone *= 10;
	return s->repeats;
}

/* Another fault becomes the one named last; returns the old one's untold repeats. */
static uint64_t name_new_fault(struct vcpu_fault_state *s, const struct vcpu_fault *f)
{
	uint64_t untold = s->repeats;

	s->last = *f;
	s->have_last = true;
	s->repeats = 0;
	s->next_milestone = VCPU_FAULT_FIRST_MILESTONE;
	return untold;
}

/*
 * A fault at the very address the last injection sent the vCPU to is its
 * handler's first instruction faulting: nothing of the handler ran. A guest
 * whose handler runs and returns faults elsewhere next, which ends the run.
 */
static unsigned int count_handler_fault(struct vcpu_fault_state *s, const struct vcpu_fault *f)
{
	if (s->injected && f->pc == s->vector)
		s->handler_faults++;
	else
		s->handler_faults = 0;
	return s->handler_faults;
}

struct vcpu_fault_verdict vcpu_fault_record(struct vcpu_fault_state *s, const struct vcpu_fault *f)
{
	struct vcpu_fault_verdict verdict = {0};
	unsigned int in_a_row = count_handler_fault(s, f);

	/* Until the handler says where this fault's injection sends the vCPU. */
	s->injected = false;
	if (s->have_last && same_fault(&s->last, f)) {
		verdict.milestone = count_repeat(s);
	} else {
		verdict.repeated = name_new_fault(s, f);
		verdict.report = true;
	}
	if (in_a_row < VCPU_FAULT_PARK_AFTER)
		return verdict;
	verdict.park = in_a_row;
	/*
	 * The stop message counts the faults in a row, which were named once and
	 * then repeated; only repeats from before the run are left to tell.
	 */
	if (!verdict.report && s->repeats >= in_a_row)
		verdict.repeated = s->repeats;
	vcpu_fault_reset(s);
	return verdict;
}

void vcpu_fault_injected(struct vcpu_fault_state *s, uint64_t vector)
{
	s->vector = vector;
	s->injected = true;
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* Is any vCPU of @vm but @self on, or about to be? */
static bool vm_has_other_vcpu_on(struct vm *vm, struct vcpu *self)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i] != self && vcpu_power_state(vm->vcpus[i]) != VCPU_OFF)
			return true;
	return false;
}

/*
 * Turn off the calling CPU's vCPU, whose handler at f->pc faulted @times in a
 * row. Its guest sees it OFF (AFFINITY_INFO) and may CPU_ON it again; the VM
 * and the machine stay up. Two vCPUs stopping at the same moment may each see
 * the other on and neither say it was the last: only the message is affected.
 */
static void __noreturn vcpu_fault_park(struct vcpu *v, const struct vcpu_fault *f,
                                       unsigned int times)
{
	if (f->kind == VCPU_FAULT_UNHANDLED)
		vm_log(v->vm,
		       "hyp: %s vcpu%u: stopped: its exception handler at 0x%lx faults (unhandled "
		       "trap, ESR 0x%lx), %u times in a row\n",
		       v->vm->name, v->id, f->pc, f->addr, times);
	else
		vm_log(
		    v->vm,
		    "hyp: %s vcpu%u: stopped: its exception handler at 0x%lx faults (IPA 0x%lx), "
		    "%u times in a row\n",
		    v->vm->name, v->id, f->pc, f->addr, times);
	if (!vm_has_other_vcpu_on(v->vm, v))
		vm_log(v->vm, "hyp: %s: that was its last running vCPU; the machine stays up\n",
		       v->vm->name);
	vcpu_power_off(v);
}

bool vcpu_fault_check(struct vcpu *v, const struct vcpu_fault *f)
{
	struct vcpu_fault_verdict verdict = vcpu_fault_record(&v->fault, f);

	if (verdict.repeated)
		vm_log(v->vm, "hyp: %s vcpu%u: (last fault repeated %lu more time%s)\n",
		       v->vm->name, v->id, verdict.repeated, plural(verdict.repeated));
	if (verdict.milestone)
		vm_log(v->vm, "hyp: %s vcpu%u: (last fault repeated %lu more times so far)\n",
		       v->vm->name, v->id, verdict.milestone);
	if (verdict.park)
		vcpu_fault_park(v, f, verdict.park);
	return verdict.report;
}
