/*
 * The statistics text (vm_stats.h) and the switch that turns counting on.
 * The counts themselves are made on each vCPU's CPU, on the way in and out of
 * a guest exit (arch/arm64/traps.c); here they are only read, racing with
 * those increments, which is fine for a report.
 */
#include "arch/arm64/esr.h"
#include "arch/arm64/sysregs.h"
#include "core/percpu.h"
#include "core/printf.h"
#include "core/smp.h"
#include "core/vm_stats.h"
#include "vcpu/vcpu.h"

uint64_t vm_stats_ticks_to_us(uint64_t ticks, uint64_t freq)
{
	if (!freq)
		return 0;
	return ticks / freq * 1000000 + ticks % freq * 1000000 / freq;
}

/* The SMCCC owner of a fast call (its function ID's bits 29:24), by name. */
static const char *vm_stats_owner_name(unsigned int owner)
{
	static const char *const names[] = {"arch",     "cpu",     "sip",       "oem",
	                                    "standard", "std-hyp", "vendor-hyp"};

	if (owner < ARRAY_SIZE(names))
		return names[owner];
	if (owner >= 48 && owner <= 49)
		return "trusted-app";
	return owner >= 50 ? "trusted-os" : "reserved";
}

static uint64_t vm_stats_sum(const uint64_t *counts, unsigned int n)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < n; i++)
		sum += counts[i];
	return sum;
}

/* "standard 2234, vendor-hyp 2": the fast calls by owner, into @buf. */
static void vm_stats_calls(const struct vcpu_stats *s, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned int o = 0; o < ARRAY_SIZE(s->fast_calls) && n < size; o++) {
		if (s->fast_calls[o])
			n += (size_t)snprintk(buf + n, size - n, "%s%s %lu", n ? ", " : "",
			                      vm_stats_owner_name(o), s->fast_calls[o]);
	}
}

static void vm_stats_print_vcpu(const struct vcpu *v)
{
	const struct vcpu_stats *s = &v->stats;
	uint64_t us = vm_stats_ticks_to_us(s->hyp_ticks, READ_SYSREG(cntfrq_el0));
	uint64_t fast = vm_stats_sum(s->fast_calls, ARRAY_SIZE(s->fast_calls));
	char calls[160];

	vm_stats_calls(s, calls, sizeof(calls));
	printk("hyp:   %s vcpu%u: %lu interrupts, %lu SErrors, %lu traps, %lu.%03lu ms in the "
	       "hypervisor; %lu fast calls%s%s%s, %lu yielding; %lu injected, %lu EOIs, %lu LR "
	       "overflows\n",
	       v->vm->name, v->id, s->irq_exits, s->serror_exits,
	       vm_stats_sum(s->sync_exits, ARRAY_SIZE(s->sync_exits)), us / 1000, us % 1000, fast,
	       fast ? " (" : "", calls, fast ? ")" : "", s->yielding_calls, v->vgic.nr_injected,
	       v->vgic.nr_eois, v->vgic.nr_overflows);
	for (unsigned int ec = 0; ec < ARRAY_SIZE(s->sync_exits); ec++) {
		if (s->sync_exits[ec])
			printk("hyp:     EC 0x%02x %s: %lu\n", ec, esr_ec_name(ec),
			       s->sync_exits[ec]);
	}
}

void vm_stats_print(const struct vm *vm)
{
	printk("hyp: %s (%s, %s):\n", vm->name, vm_state_name(READ_ONCE(vm->state)),
	       READ_ONCE(vm->counting) ? "counting" : "not counting: c counts");
	for (unsigned int v = 0; v < vm->nr_vcpus; v++)
		vm_stats_print_vcpu(vm->vcpus[v]);
	for (unsigned int r = 0; r < vm->nr_mmio; r++)
		printk("hyp:   %s MMIO 0x%lx-0x%lx: %lu accesses\n", vm->name, vm->mmio[r].base,
		       vm->mmio[r].base + vm->mmio[r].size - 1,
		       __atomic_load_n(&vm->mmio[r].accesses, __ATOMIC_RELAXED));
}

void vm_stats_count(struct vm *vm, bool on)
{
	WRITE_ONCE(vm->counting, on);
	for (unsigned int v = 0; v < vm->nr_vcpus; v++)
		smp_cpu_work(vm->vcpus[v]->pcpu, PCPU_WORK_TRAP_VECTOR);
}
