/*
 * A fake GIC driver for the vGIC unit tests (test_vgic.c, test_vgic_v2.c):
 * per-physical-CPU list registers in memory, and a record of every call the
 * code under test makes to the driver, to printk() and to panic().
 * "The calling pCPU" is the one run_on() selected (tests/unit/arm64_asm_shim.h).
 */
#ifndef TESTS_UNIT_FAKE_GIC_H
#define TESTS_UNIT_FAKE_GIC_H

#include <setjmp.h>

#include "core/percpu.h"
#include "drivers/gic.h"
#include "vgic/vgic.h"

extern struct gic_lr lrs[NR_CPUS][VGIC_MAX_LRS]; /* each pCPU's list registers */
extern unsigned int nr_lrs;                      /* how many each pCPU has */

struct fake_gic_rec {
	unsigned int lr_reads, lr_writes;
	unsigned int elrsr_reads;
	unsigned int underflow_calls;
	bool underflow[NR_CPUS];
	unsigned int sgis;
	unsigned int kicks[NR_CPUS];
	unsigned int not_kick; /* SGIs other than SGI_KICK */
	unsigned int deactivates;
	uint32_t deactivated;
	unsigned int if_resets; /* gic_vcpu_if_reset() calls */
	unsigned int routes;
	uint32_t route_intid;
	unsigned int route_pcpu;
	unsigned int panics;
	unsigned int printks;
	unsigned int unhandled; /* printk lines saying "unhandled" */
	char last_printk[256];
};
extern struct fake_gic_rec rec;

/* panic() longjmps here when armed; otherwise it fails the test. */
extern jmp_buf panic_jb;
extern bool panic_jb_armed;

/* Run what follows as physical CPU @pcpu. */
void run_on(unsigned int pcpu);

#endif
