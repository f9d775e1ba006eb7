/*
 * Resolving VM definitions against the machine: which physical CPUs, which
 * RAM and which devices each VM gets, or why it cannot have them. Plain C
 * over plain data (the host DT's description and the definitions), so the
 * host unit tests run it as it runs at boot. Nothing is allocated or mapped
 * here: construction (core/vm_build.c) does that from an accepted plan.
 */
#ifndef CORE_VM_PLAN_H
#define CORE_VM_PLAN_H

#include "core/dt.h"
#include "core/percpu.h"
#include "core/vm_config.h"

#define VM_PLAN_WHY_MAX 160

/* A GICv2 names the CPUs an interrupt targets in an 8-bit mask: no VM can have more vCPUs. */
#define GIC_V2_MAX_VCPUS 8

/* Where construction puts a guest's images in its RAM (core/vm_build.c). */
#define GUEST_IMAGE_OFFSET MiB(2)  /* kernel at RAM base + 2 MiB, like QEMU and U-Boot */
#define GUEST_DTB_MAX      MiB(2)  /* booting.rst: a DTB is at most 2 MiB */
#define GUEST_BSS_ROOM     MiB(32) /* Linux's Image needs room for its BSS after the file */

/* What the machine has left to give, updated as plans are accepted. */
struct vm_machine {
	unsigned int nr_cpus;           /* physical CPUs online: CPU0 to CPU(nr_cpus - 1) */
	unsigned int max_vcpus;         /* per VM: VM_MAX_VCPUS, or GIC_V2_MAX_VCPUS on a GICv2 */
	const char *cpu_owner[NR_CPUS]; /* the VM each CPU was given to, NULL if free */
	uint64_t ram_total;             /* every bank */
	uint64_t hyp_kept;              /* the hypervisor's image, in whole 2 MiB blocks */
	struct dt_region free_ram[DT_MAX_MEM_BANKS + DT_MAX_RESERVED + DT_MAX_CPUS + 4 * MAX_VMS];
	unsigned int nr_free_ram; /* free ranges, each in whole 2 MiB blocks */
	struct dt_uart uart;      /* the host's console UART (/chosen stdout-path) */
	struct vm_passthrough given[MAX_VMS * (VM_MAX_PASSTHROUGH + 1)];
	unsigned int nr_given; /* devices already given to a VM */
	/* Shared memory (Xen's static shm): each id's RAM, taken for its owner's definition. */
	struct vm_shm_region {
		const char *id;
		const char *owner; /* the definition that provides it */
		uint64_t pa, size;
	} shm[MAX_VMS * VM_MAX_SHM];
	unsigned int nr_shm;
};

/* One definition, resolved: what its VM gets, or why it was refused. */
struct vm_plan {
	const struct vm_config *cfg;
	unsigned int nr_vcpus;
	unsigned int pcpu[VM_MAX_VCPUS]; /* vCPU i runs on CPU pcpu[i] */
	uint64_t ram_pa, ram_size;
	struct vm_passthrough devices[VM_MAX_PASSTHROUGH + 1];
	unsigned int nr_devices;
	uint64_t shm_pa[VM_MAX_SHM]; /* where each of cfg->shm[] is in RAM */
	char why[VM_PLAN_WHY_MAX]; /* empty: accepted; else "<field>: <what is asked and there>" */
};

/*
 * The machine as @host describes it, with @nr_cpus CPUs online: its free RAM
 * is every bank minus the hypervisor's image [@hyp_start, @hyp_end), the
 * regions the DT reserves, the boot modules, the images of @defs (linked in or
 * modules: they stay where they are, so a VM reset can load them again) and
 * the spin-table release words.
 */
void vm_machine_init(struct vm_machine *m, const struct dt_host *host, unsigned int nr_cpus,
                     uint64_t hyp_start, uint64_t hyp_end, const struct vm_config *defs,
                     unsigned int nr);

/* Bytes of RAM not given to anyone yet. */
uint64_t vm_machine_free_ram(const struct vm_machine *m);

/*
 * Resolve @cfg against what @m has left. Accepted (returns 0): @plan says
 * what the VM gets, and that is taken from @m. Refused (returns -1):
 * @plan->why names the field, what was asked and what is there; @m is
 * unchanged.
 */
int vm_plan_one(struct vm_machine *m, const struct vm_config *cfg, struct vm_plan *plan);

/*
 * Take the RAM of every shared-memory region the owners among @defs provide
 * (the first owner of an id; 2 MiB blocks, before any VM's own RAM). A
 * region that does not fit is left out, and its owner is refused later.
 */
void vm_machine_share(struct vm_machine *m, const struct vm_config *defs, unsigned int nr);

/*
 * Resolve @nr definitions into @plans (plans[i] for defs[i]): the shared
 * memory first (vm_machine_share), then explicit counts, so a VM left open
 * ("what the machine has") gets what they leave. Returns how many were accepted.
 */
unsigned int vm_plan_all(struct vm_machine *m, const struct vm_config *defs, unsigned int nr,
                         struct vm_plan *plans);

/*
 * The @n CPU numbers @cpu (vCPU order) as a reader writes them, runs joined:
 * "0-3", "2", "0,2-3". Written into @buf of @size bytes (always terminated).
 */
void vm_cpu_list(char *buf, size_t size, const unsigned int *cpu, unsigned int n);

#define VM_CPU_LIST_MAX (VM_MAX_VCPUS * 4)

#endif
