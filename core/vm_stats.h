/*
 * What each VM's guests cost the hypervisor (struct vcpu_stats, per VM the
 * MMIO regions' accesses), counted while the VM counts (vm->counting): from
 * boot if its definition says "stats" (DT: hyp,stats), or from the console's
 * 'c' key. Counting off costs nothing: a CPU counts only while it runs the
 * counting trap vector (arch/arm64/traps.c, traps_count_guest_exits()).
 */
#ifndef CORE_VM_STATS_H
#define CORE_VM_STATS_H

#include "core/vm.h"

/*
 * The statistics text of @vm, as the 's' key, its power-off and its
 * HYPSVC_STATS call print it: a line for the VM, two or more per vCPU, one
 * per MMIO region.
 */
void vm_stats_print(const struct vm *vm);

/* Count @vm's exits from now on, or no longer; its CPUs switch at once. */
void vm_stats_count(struct vm *vm, bool on);

/* CNTPCT ticks as microseconds, without overflow for any uptime. */
uint64_t vm_stats_ticks_to_us(uint64_t ticks, uint64_t freq);

#endif
