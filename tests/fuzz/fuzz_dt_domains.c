/*
 * libFuzzer target: Xen's dom0less "xen,domain" nodes (core/dt_domains.c
 * dt_parse_domains(), as tests/unit/test_dt_domains.c calls it) on arbitrary
 * device trees, with the modules they name checked against a fake RAM bank.
 *
 * Input: a little-endian u32 length L, L bytes of DTB, then the first bytes of
 * the RAM (so that kernel magics and partial DTBs can be planted). The RAM is
 * FAKE_RAM bytes mapped at RAM_BASE, the address the seeds' modules use; a
 * module anywhere else is refused before it is read (ASan would see a read).
 * The DTB must pass fdt_check_full(): the hypervisor only hands this parser a
 * host DT that dt_parse_host() accepted.
 *
 * Invariants: at most DT_MAX_DOMAINS accepted, accepted + refused = seen;
 * every accepted VM has a name, 1 to DT_MAX_CPUS vCPUs, RAM in whole 2 MiB
 * blocks, a non-empty kernel inside the RAM and clear of the hypervisor's
 * image and of every other VM's modules, a terminated command line and a
 * hard-affinity only for vCPUs it has; at most one VM owns the machine
 * (DOMAIN_CAPS_HARDWARE); every refusal is a terminated, non-empty sentence.
 */
#define _GNU_SOURCE /* mmap()'s MAP_ANONYMOUS and MAP_FIXED_NOREPLACE */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/dt_domains.h"
#include "fuzz_input.h"

#define RAM_BASE  0x40000000UL
#define FAKE_RAM  (1UL << 20)
#define HYP_START (RAM_BASE + FAKE_RAM - 0x10000)

static uint8_t *ram;

static bool terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static bool in_ram(const uint8_t *start, const uint8_t *end)
{
	return start >= ram && end > start && end <= ram + FAKE_RAM;
}

static bool images_overlap(const struct guest_image *a, const struct guest_image *b)
{
	return a->end > a->start && b->end > b->start && a->start < b->end && b->start < a->end;
}

static void check_vm(const struct dt_domains *d, unsigned int i)
{
	const struct vm_config *vm = &d->vms[i];
	const struct guest_image *mine[] = {&vm->kernel, &vm->initrd, &vm->dtb};

	FUZZ_CHECK(vm->name && vm->name[0] && terminated(vm->name, VM_NAME_MAX), "VM %u name", i);
	FUZZ_CHECK(vm->nr_vcpus >= 1 && vm->nr_vcpus <= DT_MAX_CPUS, "VM %u: %u vCPUs", i,
	           vm->nr_vcpus);
	FUZZ_CHECK(vm->ram_size && !(vm->ram_size & (0x200000 - 1)), "VM %u RAM 0x%lx", i,
	           (unsigned long)vm->ram_size);
	FUZZ_CHECK(in_ram(vm->kernel.start, vm->kernel.end), "VM %u kernel outside RAM", i);
	FUZZ_CHECK((uint64_t)(uintptr_t)vm->kernel.end <= HYP_START, "VM %u kernel over the image",
	           i);
	FUZZ_CHECK(!vm->bootargs || terminated(vm->bootargs, DT_BOOTARGS_MAX), "VM %u bootargs", i);
	for (unsigned int v = vm->nr_vcpus; v < VM_MAX_VCPUS; v++)
		FUZZ_CHECK(!vm->vcpu_affinity[v], "VM %u: affinity for vCPU %u of %u", i, v,
		           vm->nr_vcpus);
	for (unsigned int j = 0; j < i; j++) {
		const struct vm_config *other = &d->vms[j];
		const struct guest_image *theirs[] = {&other->kernel, &other->initrd, &other->dtb};

		FUZZ_CHECK(!(vm->owns_machine && other->owns_machine),
		           "VMs %u and %u own the machine", j, i);
		for (unsigned int a = 0; a < 3; a++)
			for (unsigned int b = 0; b < 3; b++)
				FUZZ_CHECK(!images_overlap(mine[a], theirs[b]),
				           "VMs %u and %u share module bytes", j, i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vm_config defaults = {.ram_ipa = 0x40000000,
	                                          .psci_conduit = SMCCC_CONDUIT_HVC};
	static struct dt_domains doms;
	struct fuzz_in in = {data, size};
	struct dt_host host = {.nr_mem = 1, .mem = {{RAM_BASE, FAKE_RAM}}};
	uint32_t len = fin_u32(&in);
	uint8_t *blob;
	int ret;

	if (!ram) {
		ram = mmap((void *)RAM_BASE, FAKE_RAM, PROT_READ | PROT_WRITE,
		           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		FUZZ_CHECK(ram == (uint8_t *)RAM_BASE, "cannot map the fake RAM at 0x%lx",
		           RAM_BASE);
	}
	if (len > in.n || len < sizeof(struct fdt_header))
		return 0;
	blob = aligned_alloc(8, (len + 7) & ~(size_t)7);
	memcpy(blob, in.p, len);
	memset(ram, 0, FAKE_RAM);
	memcpy(ram, in.p + len, in.n - len < FAKE_RAM ? in.n - len : FAKE_RAM);
	if (fdt_check_full(blob, len) != 0) {
		free(blob);
		return 0;
	}

	ret = dt_parse_domains(blob, &host, &defaults, HYP_START, RAM_BASE + FAKE_RAM, &doms);
	FUZZ_CHECK(ret >= 0 && ret <= DT_MAX_DOMAINS && (unsigned int)ret == doms.nr,
	           "returned %d, nr %u", ret, doms.nr);
	FUZZ_CHECK(doms.nr + doms.nr_refused == doms.nr_seen, "%u accepted + %u refused != %u seen",
	           doms.nr, doms.nr_refused, doms.nr_seen);
	for (unsigned int i = 0; i < doms.nr; i++)
		check_vm(&doms, i);
	for (unsigned int i = 0; i < doms.nr_refused && i < DT_MAX_REFUSED; i++)
		FUZZ_CHECK(doms.refused[i].msg[0] &&
		               terminated(doms.refused[i].msg, sizeof(doms.refused[i].msg)),
		           "refusal %u", i);
	free(blob);
	return 0;
}
