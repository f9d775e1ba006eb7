/*
 * Resolving VM definitions against the machine (core/vm_plan.c): open and
 * explicit counts, what the hypervisor keeps, and every refusal with the
 * message the console shows. The machine is a struct dt_host filled by hand:
 * QEMU virt's layout (RAM at 1 GiB, a PL011 at 0x9000000).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/vm_plan.h"

#define RAM_BASE  0x40000000UL
#define HYP_START 0x40080000UL /* the hypervisor's image: 0x40000000-0x42000000 in 2 MiB blocks */
#define HYP_END   0x41f00000UL
#define KERNEL    0x40400000UL /* a guest image linked into the hypervisor's */
#define KERNEL_SZ (20UL << 20)

static struct dt_host host;
static struct vm_machine m;

static struct dt_host *machine_of(unsigned int cpus, uint64_t ram)
{
	memset(&host, 0, sizeof(host));
	host.gic.version = 3;
	host.nr_mem = 1;
	host.mem[0] = (struct dt_region){RAM_BASE, ram};
	host.nr_cpus = cpus;
	for (unsigned int i = 0; i < cpus; i++)
		host.cpus[i] = (struct dt_cpu){.mpidr = i, .enable = DT_CPU_ENABLE_PSCI};
	host.uart = (struct dt_uart){
	    .type = DT_UART_PL011, .reg = {0x9000000, 0x1000}, .irq = 33, .path = "/pl011@9000000"};
	return &host;
}

/* A VM with the linked-in kernel, everything else as given. */
static struct vm_config vm(const char *name, unsigned int vcpus, uint64_t ram)
{
	return (struct vm_config){
	    .name = name,
	    .nr_vcpus = vcpus,
	    .ram_ipa = RAM_BASE,
	    .ram_size = ram,
	    .kernel = {(const uint8_t *)KERNEL, (const uint8_t *)(KERNEL + KERNEL_SZ)},
	    .console = VM_CONSOLE_NONE,
	};
}

static void init(unsigned int cpus, uint64_t ram, const struct vm_config *defs, unsigned int nr)
{
	vm_machine_init(&m, machine_of(cpus, ram), cpus, HYP_START, HYP_END, defs, nr);
}

static void assert_cpus(const struct vm_plan *p, unsigned int n, const unsigned int *want)
{
	assert_int_equal(p->nr_vcpus, n);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(p->pcpu[i], want[i]);
}

static void test_hypervisor_share(void **state)
{
	struct vm_config d = vm("guest0", 0, 0);

	(void)state;
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(m.ram_total, 1UL << 30);
	assert_int_equal(m.hyp_kept, 32UL << 20);
	/* The linked-in kernel is inside the image: nothing more is kept for it. */
	assert_int_equal(m.nr_free_ram, 1);
	assert_int_equal(m.free_ram[0].base, 0x42000000UL);
	assert_int_equal(vm_machine_free_ram(&m), (1024UL - 32) << 20);
}

static void test_reserved_modules_and_spin_table_are_kept(void **state)
{
	struct vm_config d = vm("guest0", 0, 0);

	(void)state;
	machine_of(4, 1UL << 30);
	host.nr_reserved = 1;
	host.reserved[0] = (struct dt_region){0x7fe00000, 0x1000};       /* firmware, at the top */
	host.modules.kernel = (struct dt_region){0x50000000, 0x1800000}; /* 24 MiB */
	host.cpus[1].enable = DT_CPU_ENABLE_SPIN_TABLE;
	host.cpus[1].release_addr = 0x600000d8; /* inside RAM: its 2 MiB block is kept */
	vm_machine_init(&m, &host, 4, HYP_START, HYP_END, &d, 1);
	/* 1024 - 32 (hypervisor) - 24 (kernel module) - 2 (spin table) - 2 (firmware) */
	assert_int_equal(vm_machine_free_ram(&m), 964UL << 20);
	assert_int_equal(m.nr_free_ram, 3);
}

static void test_open_counts_take_the_machine(void **state)
{
	struct vm_config d = vm("guest0", 0, 0);
	struct vm_plan p;
	static const unsigned int all[] = {0, 1, 2, 3};

	(void)state;
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), 0);
	assert_string_equal(p.why, "");
	assert_cpus(&p, 4, all);
	assert_int_equal(p.ram_pa, 0x42000000UL);
	assert_int_equal(p.ram_size, 992UL << 20);
	/* Taken: nothing is left. */
	assert_int_equal(vm_machine_free_ram(&m), 0);
	for (unsigned int i = 0; i < 4; i++)
		assert_string_equal(m.cpu_owner[i], "guest0");
}

static void test_open_counts_follow_the_machine(void **state)
{
	struct vm_config d = vm("guest0", 0, 0);
	struct vm_plan p;
	static const unsigned int one[] = {0};

	(void)state;
	init(1, 256UL << 20, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), 0);
	assert_cpus(&p, 1, one);
	assert_int_equal(p.ram_size, 224UL << 20);
}

static void test_open_counts_stop_at_the_vm_limit(void **state)
{
	struct vm_config d = vm("guest0", 0, 0);
	struct vm_plan p;

	(void)state;
	init(NR_CPUS, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), 0);
	assert_int_equal(p.nr_vcpus, NR_CPUS < VM_MAX_VCPUS ? NR_CPUS : VM_MAX_VCPUS);
}

static void test_gicv2_caps_vcpus_at_8(void **state)
{
	struct vm_config d = vm("guest0", 0, 0);
	struct vm_plan p;

	(void)state;
	machine_of(12, 1UL << 30);
	host.gic.version = 2;
	vm_machine_init(&m, &host, 12, HYP_START, HYP_END, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), 0);
	assert_int_equal(p.nr_vcpus, 8);

	d = vm("guest1", 9, 0);
	vm_machine_init(&m, &host, 12, HYP_START, HYP_END, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), -1);
	assert_string_equal(p.why, "cpus: 9 vCPUs asked for, at most 8 per VM on a GICv2");
}

static void test_explicit_counts_are_honoured(void **state)
{
	struct vm_config d = vm("guest0", 2, 256UL << 20);
	struct vm_plan p;
	static const unsigned int two[] = {0, 1};

	(void)state;
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), 0);
	assert_cpus(&p, 2, two);
	assert_int_equal(p.ram_pa, 0x42000000UL);
	assert_int_equal(p.ram_size, 256UL << 20);
	assert_int_equal(vm_machine_free_ram(&m), (992UL - 256) << 20);
	assert_null(m.cpu_owner[2]);
}

static void test_too_many_vcpus_are_refused(void **state)
{
	struct vm_config d = vm("big", 6, 0);
	struct vm_plan p;

	(void)state;
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), -1);
	assert_string_equal(p.why, "cpus: 6 vCPUs asked for, 4 of the 4 CPUs online are free "
	                           "(each vCPU needs a CPU of its own)");
	/* A refused VM takes nothing. */
	assert_null(m.cpu_owner[0]);
	assert_int_equal(vm_machine_free_ram(&m), 992UL << 20);
}

static void test_more_vcpus_than_a_vm_can_have_are_refused(void **state)
{
	struct vm_config d = vm("big", VM_MAX_VCPUS + 1, 0);
	struct vm_plan p;
	char want[VM_PLAN_WHY_MAX];

	(void)state;
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), -1);
	snprintf(want, sizeof(want), "cpus: %u vCPUs asked for, at most %u per VM",
	         VM_MAX_VCPUS + 1, VM_MAX_VCPUS);
	assert_string_equal(p.why, want);
}

static void test_open_vm_with_no_cpu_left_is_refused(void **state)
{
	struct vm_config d[2] = {vm("first", 0, 128UL << 20), vm("second", 0, 128UL << 20)};
	struct vm_plan p[2];

	(void)state;
	init(2, 1UL << 30, d, 2);
	assert_int_equal(vm_plan_one(&m, &d[0], &p[0]), 0);
	assert_int_equal(vm_plan_one(&m, &d[1], &p[1]), -1);
	assert_string_equal(p[1].why, "cpus: a vCPU per free CPU asked for, but none of the 2 "
	                              "CPUs online is free");
}

static void test_two_vms_asking_for_one_cpu(void **state)
{
	struct vm_config d[2] = {vm("vmA", 0, 128UL << 20), vm("vmB", 0, 128UL << 20)};
	struct vm_plan p[2];
	static const unsigned int a[] = {1}, b[] = {2, 3};

	(void)state;
	d[0].pcpu_mask = 0x2;
	d[1].pcpu_mask = 0x6;
	init(4, 1UL << 30, d, 2);
	assert_int_equal(vm_plan_all(&m, d, 2, p), 1);
	assert_cpus(&p[0], 1, a);
	assert_string_equal(p[1].why, "cpus: CPU1 asked for, but it is vmA's");
	/* Refused, it took nothing: CPU 2 is free, and a VM asking for 2-3 gets them. */
	d[1].pcpu_mask = 0xc;
	assert_int_equal(vm_plan_one(&m, &d[1], &p[1]), 0);
	assert_cpus(&p[1], 2, b);
}

static void test_named_cpu_not_online(void **state)
{
	struct vm_config d = vm("guest0", 0, 0);
	struct vm_plan p;

	(void)state;
	d.pcpu_mask = 0x21;
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), -1);
	assert_string_equal(p.why, "cpus: CPU5 asked for, but 4 CPUs are online");
}

static void test_named_cpus_and_count_disagree(void **state)
{
	struct vm_config d = vm("guest0", 3, 0);
	struct vm_plan p;

	(void)state;
	d.pcpu_mask = 0x3;
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), -1);
	assert_string_equal(p.why, "cpus: 3 vCPUs asked for, but its CPU list 0x3 names 2");
}

static void test_ram_that_does_not_fit(void **state)
{
	struct vm_config d = vm("guest0", 1, 2UL << 30);
	struct vm_plan p;

	(void)state;
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), -1);
	assert_string_equal(p.why,
	                    "memory: 2048 MiB asked for, the largest free block of RAM is 992 MiB");
	assert_null(m.cpu_owner[0]); /* its CPU was not taken either */
}

static void test_ram_too_small_for_its_images(void **state)
{
	struct vm_config d = vm("guest0", 1, 32UL << 20);
	struct vm_plan p;

	(void)state;
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), -1);
	/* 2 (offset) + 20 (kernel) + 32 (BSS room) + 2 (DTB) */
	assert_string_equal(p.why, "memory: its kernel (20971520 bytes) and initrd (0 bytes) "
	                           "need 56 MiB of RAM, it asks for 32 MiB");
}

static void test_open_ram_too_small_for_its_images(void **state)
{
	struct vm_config d = vm("guest0", 1, 0);
	struct vm_plan p;

	(void)state;
	init(4, 64UL << 20, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), -1);
	assert_string_equal(p.why, "memory: its kernel (20971520 bytes) and initrd (0 bytes) "
	                           "need 56 MiB of RAM, it can have 32 MiB");
}

static void test_ram_not_in_2mib_blocks(void **state)
{
	struct vm_config d = vm("guest0", 1, (128UL << 20) + 4096);
	struct vm_plan p;

	(void)state;
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), -1);
	assert_string_equal(p.why, "memory: 0x8001000 bytes at IPA 0x40000000 are not in whole "
	                           "2 MiB blocks");
}

static void test_ram_best_fit(void **state)
{
	struct vm_config d = vm("guest0", 1, 64UL << 20);
	struct vm_plan p;

	(void)state;
	machine_of(4, 1UL << 30);
	host.nr_mem = 2;
	host.mem[1] = (struct dt_region){0x100000000UL, 128UL << 20};
	vm_machine_init(&m, &host, 4, HYP_START, HYP_END, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), 0);
	assert_int_equal(p.ram_pa, 0x100000000UL); /* the smaller bank it fits in */
}

static void test_explicit_served_before_open(void **state)
{
	struct vm_config d[2] = {vm("rest", 0, 0), vm("small", 1, 128UL << 20)};
	struct vm_plan p[2];
	static const unsigned int small[] = {0}, rest[] = {1, 2, 3};

	(void)state;
	init(4, 1UL << 30, d, 2);
	assert_int_equal(vm_plan_all(&m, d, 2, p), 2);
	assert_cpus(&p[1], 1, small);
	assert_int_equal(p[1].ram_size, 128UL << 20);
	assert_cpus(&p[0], 3, rest);
	assert_int_equal(p[0].ram_size, (992UL - 128) << 20);
	assert_int_equal(p[0].ram_pa, 0x42000000UL + (128UL << 20));
}

static void test_refused_vm_leaves_all_to_the_next(void **state)
{
	struct vm_config d[2] = {vm("greedy", 8, 64UL << 20), vm("rest", 0, 0)};
	struct vm_plan p[2];

	(void)state;
	init(4, 1UL << 30, d, 2);
	assert_int_equal(vm_plan_all(&m, d, 2, p), 1);
	assert_string_not_equal(p[0].why, "");
	assert_int_equal(p[1].nr_vcpus, 4);
	assert_int_equal(p[1].ram_size, 992UL << 20);
}

static void test_no_kernel_is_refused(void **state)
{
	struct vm_config d = vm("guest0", 0, 0);
	struct vm_plan p;

	(void)state;
	d.kernel = (struct guest_image){NULL, NULL};
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), -1);
	assert_string_equal(p.why, "kernel: none linked in (GUEST=none) and no "
	                           "\"multiboot,kernel\" module");
}

static void test_uart_console_gives_the_uart(void **state)
{
	struct vm_config d = vm("guest0", 0, 0);
	struct vm_plan p;

	(void)state;
	d.console = VM_CONSOLE_UART;
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), 0);
	assert_int_equal(p.nr_devices, 1);
	assert_string_equal(p.devices[0].dt_path, "/pl011@9000000");
	assert_int_equal(p.devices[0].irq, 33);
	assert_int_equal(m.nr_given, 1);
}

static void test_uart_console_without_a_uart(void **state)
{
	struct vm_config d = vm("guest0", 0, 0);
	struct vm_plan p;

	(void)state;
	d.console = VM_CONSOLE_UART;
	machine_of(4, 1UL << 30);
	host.uart.type = DT_UART_NONE;
	vm_machine_init(&m, &host, 4, HYP_START, HYP_END, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), -1);
	assert_string_equal(p.why, "console: the host DT names no UART in /chosen stdout-path");
}

static void test_device_given_twice(void **state)
{
	struct vm_config d[3] = {vm("a", 1, 64UL << 20), vm("b", 1, 64UL << 20),
	                         vm("c", 1, 64UL << 20)};
	struct vm_plan p[3];

	(void)state;
	d[0].passthrough[0] = (struct vm_passthrough){"/rtc@9010000", 0x9010000, 0x1000, 34};
	d[0].nr_passthrough = 1;
	d[1].passthrough[0] = d[0].passthrough[0];
	d[1].nr_passthrough = 1;
	d[2].passthrough[0] = (struct vm_passthrough){"/gpio@9030000", 0x9030000, 0x1000, 34};
	d[2].nr_passthrough = 1;
	init(4, 1UL << 30, d, 3);
	assert_int_equal(vm_plan_all(&m, d, 3, p), 1);
	assert_string_equal(p[1].why, "passthrough: /rtc@9010000 is already another VM's");
	assert_string_equal(p[2].why,
	                    "passthrough: /gpio@9030000's interrupt 34 is already another VM's");
}

static void add_shm(struct vm_config *d, const char *id, uint64_t ipa, uint64_t size, bool owner)
{
	d->shm[d->nr_shm++] = (struct vm_shm_config){id, ipa, size, owner};
}

static void test_shared_memory_owner_and_borrower_share_ram(void **state)
{
	struct vm_config d[3] = {vm("guest0", 1, 64UL << 20), vm("guest1", 1, 64UL << 20),
	                         vm("guest2", 1, 64UL << 20)};
	struct vm_plan p[3];

	(void)state;
	/* The borrower comes first in the definitions: the owner's RAM is taken before either. */
	add_shm(&d[0], "ring0", 0x80000000UL, 4UL << 20, false);
	add_shm(&d[1], "ring0", 0x90000000UL, 4UL << 20, true);
	add_shm(&d[1], "log", 0xa0000000UL, 2UL << 20, true);
	add_shm(&d[2], "log", 0xa0000000UL, 2UL << 20, false);
	init(4, 1UL << 30, d, 3);
	assert_int_equal(vm_plan_all(&m, d, 3, p), 3);
	assert_int_equal(m.nr_shm, 2);
	assert_int_equal(p[0].shm_pa[0], p[1].shm_pa[0]);
	assert_int_equal(p[1].shm_pa[1], p[2].shm_pa[0]);
	assert_true(p[1].shm_pa[0] != p[1].shm_pa[1]);
	/* Each region is clear of every VM's own RAM and of the other region. */
	for (unsigned int i = 0; i < 3; i++)
		for (unsigned int j = 0; j < 3; j++)
			assert_true(p[j].shm_pa[0] + (2UL << 20) <= p[i].ram_pa ||
			            p[i].ram_pa + p[i].ram_size <= p[j].shm_pa[0]);
	assert_true(p[1].shm_pa[1] + (2UL << 20) <= p[1].shm_pa[0] ||
	            p[1].shm_pa[0] + (4UL << 20) <= p[1].shm_pa[1]);
}

static void test_shared_memory_refusals(void **state)
{
	struct vm_config d[2] = {vm("guest0", 1, 64UL << 20), vm("guest1", 1, 64UL << 20)};
	struct vm_plan p[2];

	(void)state;
	add_shm(&d[0], "ring0", 0x80000000UL, 4UL << 20, true);
	add_shm(&d[1], "nobody", 0x80000000UL, 4UL << 20, false);
	init(4, 1UL << 30, d, 2);
	assert_int_equal(vm_plan_all(&m, d, 2, p), 1);
	assert_string_equal(p[1].why, "xen,shared-mem: no VM owns \"nobody\" (role \"owner\", "
	                              "the default, with that xen,shm-id)");

	d[1].shm[0] = (struct vm_shm_config){"ring0", 0x80000000UL, 2UL << 20, false};
	init(4, 1UL << 30, d, 2);
	assert_int_equal(vm_plan_all(&m, d, 2, p), 1);
	assert_string_equal(p[1].why,
	                    "xen,shared-mem: \"ring0\" is 4 MiB at its owner guest0, 2 MiB here");

	d[1].shm[0] = (struct vm_shm_config){"ring0", 0x80000000UL, 4UL << 20, true};
	init(4, 1UL << 30, d, 2);
	assert_int_equal(vm_plan_all(&m, d, 2, p), 1);
	assert_string_equal(p[1].why, "xen,shared-mem: \"ring0\" has an owner already: guest0");

	d[1].shm[0] = (struct vm_shm_config){"ring0", RAM_BASE + (32UL << 20), 4UL << 20, false};
	init(4, 1UL << 30, d, 2);
	assert_int_equal(vm_plan_all(&m, d, 2, p), 1);
	assert_string_equal(p[1].why, "xen,shared-mem: \"ring0\" at IPA 0x42000000 is inside its "
	                              "RAM (0x40000000-0x43ffffff)");

	d[0].shm[0].size = 2UL << 30;
	init(4, 1UL << 30, d, 1);
	assert_int_equal(vm_plan_all(&m, d, 1, p), 0);
	assert_string_equal(p[0].why, "xen,shared-mem: 2048 MiB for \"ring0\" asked for, the "
	                              "largest free block of RAM is 992 MiB");
}

static void test_hard_affinity_is_honoured(void **state)
{
	struct vm_config d = vm("guest0", 2, 64UL << 20);
	struct vm_plan p;

	(void)state;
	d.vcpu_affinity[0] = 1 << 3;
	d.vcpu_affinity[1] = 1 << 2;
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), 0);
	assert_cpus(&p, 2, (const unsigned int[]){3, 2});
	assert_string_equal(m.cpu_owner[3], "guest0");
	assert_null(m.cpu_owner[0]);
}

static void test_hard_affinity_finds_a_cpu_for_every_vcpu(void **state)
{
	struct vm_config d = vm("guest0", 3, 64UL << 20);
	struct vm_plan p;

	(void)state;
	/* Lowest-first would put vCPU 0 on CPU0 and leave vCPU 1 nothing. */
	d.vcpu_affinity[0] = 0x3;
	d.vcpu_affinity[1] = 0x1;
	d.vcpu_affinity[2] = 0; /* any */
	init(4, 1UL << 30, &d, 1);
	assert_int_equal(vm_plan_one(&m, &d, &p), 0);
	assert_cpus(&p, 3, (const unsigned int[]){1, 0, 2});
}

static void test_hard_affinity_refusals(void **state)
{
	struct vm_config d[2] = {vm("guest0", 2, 64UL << 20), vm("guest1", 2, 64UL << 20)};
	struct vm_plan p[2];

	(void)state;
	d[0].vcpu_affinity[0] = 1 << 5;
	init(4, 1UL << 30, d, 1);
	assert_int_equal(vm_plan_one(&m, &d[0], &p[0]), -1);
	assert_string_equal(p[0].why, "xen,vcpu: vCPU 0's hard-affinity names CPU5, but 4 CPUs are "
	                              "online");

	d[0].vcpu_affinity[0] = 0x3;
	d[1].vcpu_affinity[1] = 0x3;
	init(4, 1UL << 30, d, 2);
	assert_int_equal(vm_plan_all(&m, d, 2, p), 1);
	assert_cpus(&p[0], 2, (const unsigned int[]){0, 1});
	assert_string_equal(p[1].why, "xen,vcpu: vCPU 1 (hard-affinity 0-1) has no CPU of its own "
	                              "left; free CPUs: 2-3, each vCPU needs one");
	assert_null(m.cpu_owner[2]); /* the refused VM took nothing */
}

static void test_pinned_vms_are_served_first(void **state)
{
	struct vm_config d[2] = {vm("guest0", 2, 64UL << 20), vm("guest1", 2, 64UL << 20)};
	struct vm_plan p[2];

	(void)state;
	d[1].vcpu_affinity[0] = d[1].vcpu_affinity[1] = 0x3;
	init(4, 1UL << 30, d, 2);
	assert_int_equal(vm_plan_all(&m, d, 2, p), 2);
	assert_cpus(&p[0], 2, (const unsigned int[]){2, 3});
	assert_cpus(&p[1], 2, (const unsigned int[]){0, 1});
}

static void expect_cpu_list(const unsigned int *cpu, unsigned int n, size_t size, const char *want)
{
	char buf[VM_CPU_LIST_MAX];

	memset(buf, 'x', sizeof(buf));
	vm_cpu_list(buf, size, cpu, n);
	assert_string_equal(buf, want);
}

static void test_cpu_list_reads_as_ranges(void **state)
{
	static const unsigned int four[] = {0, 1, 2, 3}, one[] = {3}, holes[] = {0, 2, 3, 7},
				  back[] = {3, 2}, many[] = {0, 2, 4, 6, 8, 10, 12, 14};

	(void)state;
	expect_cpu_list(four, 4, VM_CPU_LIST_MAX, "0-3");
	expect_cpu_list(one, 1, VM_CPU_LIST_MAX, "3");
	expect_cpu_list(holes, 4, VM_CPU_LIST_MAX, "0,2-3,7");
	expect_cpu_list(back, 2, VM_CPU_LIST_MAX, "3,2"); /* vCPU order, not sorted */
	expect_cpu_list(many, 8, VM_CPU_LIST_MAX, "0,2,4,6,8,10,12,14");
	expect_cpu_list(four, 0, VM_CPU_LIST_MAX, "");
	/* A short buffer is cut, never overrun, and stays terminated. */
	expect_cpu_list(many, 8, 6, "0,2,4");
}

#define TEST(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_hypervisor_share),
	    TEST(test_reserved_modules_and_spin_table_are_kept),
	    TEST(test_open_counts_take_the_machine),
	    TEST(test_open_counts_follow_the_machine),
	    TEST(test_open_counts_stop_at_the_vm_limit),
	    TEST(test_gicv2_caps_vcpus_at_8),
	    TEST(test_explicit_counts_are_honoured),
	    TEST(test_too_many_vcpus_are_refused),
	    TEST(test_more_vcpus_than_a_vm_can_have_are_refused),
	    TEST(test_open_vm_with_no_cpu_left_is_refused),
	    TEST(test_two_vms_asking_for_one_cpu),
	    TEST(test_named_cpu_not_online),
	    TEST(test_named_cpus_and_count_disagree),
	    TEST(test_ram_that_does_not_fit),
	    TEST(test_ram_too_small_for_its_images),
	    TEST(test_open_ram_too_small_for_its_images),
	    TEST(test_ram_not_in_2mib_blocks),
	    TEST(test_ram_best_fit),
	    TEST(test_explicit_served_before_open),
	    TEST(test_refused_vm_leaves_all_to_the_next),
	    TEST(test_no_kernel_is_refused),
	    TEST(test_uart_console_gives_the_uart),
	    TEST(test_uart_console_without_a_uart),
	    TEST(test_device_given_twice),
	    TEST(test_shared_memory_owner_and_borrower_share_ram),
	    TEST(test_shared_memory_refusals),
	    TEST(test_cpu_list_reads_as_ranges),
	    TEST(test_hard_affinity_is_honoured),
	    TEST(test_hard_affinity_finds_a_cpu_for_every_vcpu),
	    TEST(test_hard_affinity_refusals),
	    TEST(test_pinned_vms_are_served_first),
	};
	return cmocka_run_group_tests_name("vm_plan", tests, NULL, NULL);
}
