/*
 * Resolving VM definitions against the machine (see vm_plan.h). Every check
 * that a definition can be met is here, before anything is taken for it, so a
 * refused VM takes nothing and the VMs after it are served as if it had never
 * been defined.
 */
#include "arch/arm64/pagetable.h"
#include "core/hypsvc.h"
#include "core/lib.h"
#include "core/printf.h"
#include "core/vm_plan.h"

#define FREE_RAM_ALIGN MiB(2) /* stage 2 maps RAM in 2 MiB blocks */

void vm_cpu_list(char *buf, size_t size, const unsigned int *cpu, unsigned int n)
{
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (unsigned int i = 0; i < n && len < size; i++) {
		unsigned int last = i;

		while (last + 1 < n && cpu[last + 1] == cpu[last] + 1)
			last++;
		if (last > i)
			len += snprintk(buf + len, size - len, "%s%u-%u", i ? "," : "", cpu[i],
			                cpu[last]);
		else
			len += snprintk(buf + len, size - len, "%s%u", i ? "," : "", cpu[i]);
		i = last;
	}
}

static void free_ram_add(struct vm_machine *m, uint64_t start, uint64_t end)
{
	start = ALIGN_UP(start, FREE_RAM_ALIGN);
	end = ALIGN_DOWN(end, FREE_RAM_ALIGN);
	if (end > start && m->nr_free_ram < ARRAY_SIZE(m->free_ram))
		m->free_ram[m->nr_free_ram++] = (struct dt_region){start, end - start};
}

/* Take [start, end), widened to 2 MiB blocks, out of the free ranges. */
static void free_ram_remove(struct vm_machine *m, uint64_t start, uint64_t end)
{
	struct dt_region old[ARRAY_SIZE(m->free_ram)];
	unsigned int n = m->nr_free_ram;

	if (start >= end)
		return;
	start = ALIGN_DOWN(start, FREE_RAM_ALIGN);
	end = ALIGN_UP(end, FREE_RAM_ALIGN);
	memcpy(old, m->free_ram, sizeof(old)); /* a split writes two entries for one read */
	m->nr_free_ram = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct dt_region r = old[i];
		uint64_t r_end = r.base + r.size;

		if (end <= r.base || start >= r_end) {
			free_ram_add(m, r.base, r_end);
			continue;
		}
		free_ram_add(m, r.base, MIN(start, r_end)); /* the part below the hole */
		free_ram_add(m, MAX(end, r.base), r_end);   /* the part above it */
	}
}

static void free_ram_remove_region(struct vm_machine *m, const struct dt_region *r)
{
	free_ram_remove(m, r->base, r->base + r->size);
}

static void free_ram_remove_image(struct vm_machine *m, const struct guest_image *img)
{
	free_ram_remove(m, (uint64_t)img->start, (uint64_t)img->end);
}

void vm_machine_init(struct vm_machine *m, const struct dt_host *host, unsigned int nr_cpus,
                     uint64_t hyp_start, uint64_t hyp_end, const struct vm_config *defs,
                     unsigned int nr)
{
	*m = (struct vm_machine){
	    .nr_cpus = MIN(nr_cpus, (unsigned int)NR_CPUS),
	    .max_vcpus = host->gic.version == 2 ? GIC_V2_MAX_VCPUS : VM_MAX_VCPUS,
	    .hyp_kept = ALIGN_UP(hyp_end, FREE_RAM_ALIGN) - ALIGN_DOWN(hyp_start, FREE_RAM_ALIGN),
	    .uart = host->uart,
	};
	for (unsigned int i = 0; i < host->nr_mem; i++) {
		m->ram_total += host->mem[i].size;
		free_ram_add(m, host->mem[i].base, host->mem[i].base + host->mem[i].size);
	}
	free_ram_remove(m, hyp_start, hyp_end);
	for (unsigned int i = 0; i < host->nr_reserved; i++)
		free_ram_remove_region(m, &host->reserved[i]);
	free_ram_remove_region(m, &host->modules.kernel);
	free_ram_remove_region(m, &host->modules.ramdisk);
	free_ram_remove_region(m, &host->modules.dtb);
	for (unsigned int i = 0; i < nr; i++) {
		free_ram_remove_image(m, &defs[i].kernel);
		free_ram_remove_image(m, &defs[i].initrd);
		free_ram_remove_image(m, &defs[i].dtb);
	}
	for (unsigned int i = 0; i < host->nr_cpus; i++) {
		if (host->cpus[i].enable == DT_CPU_ENABLE_SPIN_TABLE)
			free_ram_remove(m, host->cpus[i].release_addr,
			                host->cpus[i].release_addr + 8);
	}
}

uint64_t vm_machine_free_ram(const struct vm_machine *m)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < m->nr_free_ram; i++)
		sum += m->free_ram[i].size;
	return sum;
}

static int plan_refuse(struct vm_plan *plan, const char *fmt, ...) __printf(2, 3);
static int plan_refuse(struct vm_plan *plan, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintk(plan->why, sizeof(plan->why), fmt, ap);
	va_end(ap);
	return -1;
}

static size_t image_size(const struct guest_image *img)
{
	return (size_t)(img->end - img->start);
}

static unsigned int free_cpus(const struct vm_machine *m)
{
	unsigned int n = 0;

	for (unsigned int p = 0; p < m->nr_cpus; p++)
		n += !m->cpu_owner[p];
	return n;
}

/* Set bits of @mask (no libgcc here for __builtin_popcount). */
static unsigned int mask_weight(uint64_t mask)
{
	unsigned int n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

static int plan_refuse_vcpu_limit(const struct vm_machine *m, struct vm_plan *plan, unsigned int n)
{
	return plan_refuse(plan, "cpus: %u vCPUs asked for, at most %u per VM%s", n, m->max_vcpus,
	                   m->max_vcpus == GIC_V2_MAX_VCPUS ? " on a GICv2" : "");
}

/* vCPUs on the CPUs the definition names: each must be online and no one else's. */
static int plan_cpus_named(const struct vm_machine *m, const struct vm_config *cfg,
                           struct vm_plan *plan)
{
	unsigned int n = mask_weight(cfg->pcpu_mask);

	if (cfg->nr_vcpus && cfg->nr_vcpus != n)
		return plan_refuse(plan,
		                   "cpus: %u vCPUs asked for, but its CPU list 0x%lx names %u",
		                   cfg->nr_vcpus, cfg->pcpu_mask, n);
	if (n > m->max_vcpus)
		return plan_refuse_vcpu_limit(m, plan, n);
	for (unsigned int p = 0; p < 64; p++) {
		if (!(cfg->pcpu_mask & (1ULL << p)))
			continue;
		if (p >= m->nr_cpus)
			return plan_refuse(plan, "cpus: CPU%u asked for, but %u CPUs are online", p,
			                   m->nr_cpus);
		if (m->cpu_owner[p])
			return plan_refuse(plan, "cpus: CPU%u asked for, but it is %s's", p,
			                   m->cpu_owner[p]);
		plan->pcpu[plan->nr_vcpus++] = p;
	}
	return 0;
}

/* vCPUs on the lowest free CPUs: as many as asked for, or one per free CPU. */
static int plan_cpus_free(const struct vm_machine *m, const struct vm_config *cfg,
                          struct vm_plan *plan)
{
	unsigned int avail = free_cpus(m);
	unsigned int n = cfg->nr_vcpus ? cfg->nr_vcpus : MIN(avail, m->max_vcpus);

	if (n > m->max_vcpus)
		return plan_refuse_vcpu_limit(m, plan, n);
	if (n == 0)
		return plan_refuse(plan,
		                   "cpus: a vCPU per free CPU asked for, but none of the %u CPUs "
		                   "online is free",
		                   m->nr_cpus);
	if (n > avail)
		return plan_refuse(plan,
		                   "cpus: %u vCPUs asked for, %u of the %u CPUs online are free "
		                   "(each vCPU needs a CPU of its own)",
		                   n, avail, m->nr_cpus);
	for (unsigned int p = 0; p < m->nr_cpus && plan->nr_vcpus < n; p++) {
		if (!m->cpu_owner[p])
			plan->pcpu[plan->nr_vcpus++] = p;
	}
	return 0;
}

static bool vm_config_has_affinity(const struct vm_config *cfg)
{
	for (unsigned int i = 0; i < VM_MAX_VCPUS; i++)
		if (cfg->vcpu_affinity[i])
			return true;
	return false;
}

static uint64_t online_mask(const struct vm_machine *m)
{
	return m->nr_cpus >= 64 ? ~0ULL : (1ULL << m->nr_cpus) - 1;
}

/* The CPUs vCPU @v may run on: its hard-affinity, or any online CPU. */
static uint64_t plan_affinity(const struct vm_machine *m, const struct vm_config *cfg,
                              unsigned int v)
{
	return cfg->vcpu_affinity[v] ? cfg->vcpu_affinity[v] : online_mask(m);
}

/*
 * Give vCPU @v a free CPU of its affinity, moving vCPUs placed before it to
 * other CPUs of theirs if that makes room (augmenting paths: every vCPU gets
 * a CPU whenever the affinities allow it at all, whatever their order).
 * @holder[p]: the vCPU on CPU p, or -1; @seen: CPUs tried on this search.
 */
static bool plan_affine_place(const struct vm_machine *m, const struct vm_config *cfg,
                              unsigned int v, int *holder, uint64_t *seen)
{
	uint64_t set = plan_affinity(m, cfg, v);

	/* A CPU nobody holds first, so vCPUs keep the order of the CPUs where they can. */
	for (unsigned int p = 0; p < m->nr_cpus; p++) {
		if ((set & (1ULL << p)) && !m->cpu_owner[p] && holder[p] < 0) {
			holder[p] = (int)v;
			return true;
		}
	}
	for (unsigned int p = 0; p < m->nr_cpus; p++) {
		if (!(set & (1ULL << p)) || (*seen & (1ULL << p)) || m->cpu_owner[p])
			continue;
		*seen |= 1ULL << p;
		if (holder[p] < 0 ||
		    plan_affine_place(m, cfg, (unsigned int)holder[p], holder, seen)) {
			holder[p] = (int)v;
			return true;
		}
	}
	return false;
}

/* @mask as a CPU list ("0-1,3"), for a message. */
static void mask_list(char *buf, size_t size, uint64_t mask)
{
	unsigned int cpu[64], n = 0;

	for (unsigned int p = 0; p < 64; p++)
		if (mask & (1ULL << p))
			cpu[n++] = p;
	vm_cpu_list(buf, size, cpu, n);
}

static uint64_t free_mask(const struct vm_machine *m)
{
	uint64_t free = 0;

	for (unsigned int p = 0; p < m->nr_cpus; p++)
		if (!m->cpu_owner[p])
			free |= 1ULL << p;
	return free;
}

/* vCPUs on CPUs their "xen,vcpu" hard-affinity allows, one CPU each. */
static int plan_cpus_affine(const struct vm_machine *m, const struct vm_config *cfg,
                            struct vm_plan *plan)
{
	int holder[NR_CPUS];
	char want[VM_CPU_LIST_MAX], free[VM_CPU_LIST_MAX];
	unsigned int n = cfg->nr_vcpus;

	if (n == 0)
		return plan_refuse(plan, "xen,vcpu: hard-affinity given, but no vCPU count");
	if (n > m->max_vcpus)
		return plan_refuse_vcpu_limit(m, plan, n);
	for (unsigned int v = 0; v < n; v++) {
		uint64_t off = cfg->vcpu_affinity[v] & ~online_mask(m);

		if (off) {
			mask_list(want, sizeof(want), off);
			return plan_refuse(plan,
			                   "xen,vcpu: vCPU %u's hard-affinity names CPU%s, but %u "
			                   "CPUs are online",
			                   v, want, m->nr_cpus);
		}
	}
	for (unsigned int p = 0; p < NR_CPUS; p++)
		holder[p] = -1;
	for (unsigned int v = 0; v < n; v++) {
		uint64_t seen = 0;

		if (!plan_affine_place(m, cfg, v, holder, &seen)) {
			mask_list(want, sizeof(want), plan_affinity(m, cfg, v));
			mask_list(free, sizeof(free), free_mask(m));
			return plan_refuse(plan,
			                   "xen,vcpu: vCPU %u (hard-affinity %s) has no CPU of its "
			                   "own left; free CPUs: %s, each vCPU needs one",
			                   v, want, free[0] ? free : "none");
		}
	}
	for (unsigned int p = 0; p < m->nr_cpus; p++)
		if (holder[p] >= 0)
			plan->pcpu[holder[p]] = p;
	plan->nr_vcpus = n;
	return 0;
}

static int plan_cpus(const struct vm_machine *m, const struct vm_config *cfg, struct vm_plan *plan)
{
	if (cfg->pcpu_mask)
		return plan_cpus_named(m, cfg, plan);
	if (vm_config_has_affinity(cfg))
		return plan_cpus_affine(m, cfg, plan);
	return plan_cpus_free(m, cfg, plan);
}

/*
 * The physical devices the VM gets: the host's console UART if it is this
 * VM's console, then its definition's list. Each one only once per machine.
 */
static int plan_devices(const struct vm_machine *m, const struct vm_config *cfg,
                        struct vm_plan *plan)
{
	if (cfg->console == VM_CONSOLE_UART) {
		if (m->uart.type == DT_UART_NONE)
			return plan_refuse(
			    plan, "console: the host DT names no UART in /chosen stdout-path");
		plan->devices[plan->nr_devices++] = (struct vm_passthrough){
		    .dt_path = m->uart.path,
		    .base = m->uart.reg.base,
		    .size = m->uart.reg.size,
		    .irq = m->uart.irq,
		};
	}
	for (unsigned int i = 0; i < cfg->nr_passthrough && i < VM_MAX_PASSTHROUGH; i++)
		plan->devices[plan->nr_devices++] = cfg->passthrough[i];

	for (unsigned int i = 0; i < plan->nr_devices; i++) {
		const struct vm_passthrough *d = &plan->devices[i];

		for (unsigned int j = 0; j < m->nr_given; j++) {
			if (d->base == m->given[j].base)
				return plan_refuse(plan, "passthrough: %s is already another VM's",
				                   d->dt_path);
			if (d->irq && d->irq == m->given[j].irq)
				return plan_refuse(
				    plan,
				    "passthrough: %s's interrupt %u is already another "
				    "VM's",
				    d->dt_path, d->irq);
		}
	}
	return 0;
}

/* The RAM @cfg's images need: kernel at +2 MiB and its BSS, the initrd, the DTB at the top. */
static uint64_t vm_ram_needed(const struct vm_config *cfg)
{
	return GUEST_IMAGE_OFFSET + ALIGN_UP(image_size(&cfg->kernel), PAGE_SIZE) + GUEST_BSS_ROOM +
	       ALIGN_UP(image_size(&cfg->initrd), PAGE_SIZE) + GUEST_DTB_MAX;
}

/* The free range @size bytes (0: the largest one) would come from, or NULL. */
static const struct dt_region *free_ram_find(const struct vm_machine *m, uint64_t size)
{
	const struct dt_region *best = NULL;

	for (unsigned int i = 0; i < m->nr_free_ram; i++) {
		const struct dt_region *r = &m->free_ram[i];

		if (size ? r->size >= size && (!best || r->size < best->size)
		         : (!best || r->size > best->size))
			best = r;
	}
	return best && best->size ? best : NULL;
}

/* Its own size, from the smallest free range it fits in; or the largest free range. */
static int plan_ram(const struct vm_machine *m, const struct vm_config *cfg, struct vm_plan *plan)
{
	const struct dt_region *from;
	uint64_t need = vm_ram_needed(cfg);

	if (!IS_ALIGNED(cfg->ram_size, FREE_RAM_ALIGN) || !IS_ALIGNED(cfg->ram_ipa, FREE_RAM_ALIGN))
		return plan_refuse(plan,
		                   "memory: 0x%lx bytes at IPA 0x%lx are not in whole 2 MiB blocks",
		                   cfg->ram_size, cfg->ram_ipa);
	from = free_ram_find(m, cfg->ram_size);
	if (!from) {
		const struct dt_region *largest = free_ram_find(m, 0);

		return plan_refuse(plan,
		                   "memory: %lu MiB asked for, the largest free block of RAM is "
		                   "%lu MiB",
		                   cfg->ram_size >> 20, largest ? largest->size >> 20 : 0);
	}
	plan->ram_pa = from->base;
	plan->ram_size = cfg->ram_size ? cfg->ram_size : from->size;
	if (plan->ram_size < need)
		return plan_refuse(plan,
		                   "memory: its kernel (%zu bytes) and initrd (%zu bytes) need %lu "
		                   "MiB of RAM, it %s %lu MiB",
		                   image_size(&cfg->kernel), image_size(&cfg->initrd),
		                   ALIGN_UP(need, MiB(1)) >> 20,
		                   cfg->ram_size ? "asks for" : "can have", plan->ram_size >> 20);
	return 0;
}

/* Take what @plan was given out of @m. */
static void machine_take(struct vm_machine *m, const struct vm_plan *plan)
{
	for (unsigned int i = 0; i < plan->nr_vcpus; i++)
		m->cpu_owner[plan->pcpu[i]] = plan->cfg->name;
	free_ram_remove(m, plan->ram_pa, plan->ram_pa + plan->ram_size);
	for (unsigned int i = 0; i < plan->nr_devices && m->nr_given < ARRAY_SIZE(m->given); i++)
		m->given[m->nr_given++] = plan->devices[i];
}

static const struct vm_shm_region *shm_find(const struct vm_machine *m, const char *id)
{
	for (unsigned int i = 0; i < m->nr_shm; i++)
		if (strcmp(m->shm[i].id, id) == 0)
			return &m->shm[i];
	return NULL;
}

void vm_machine_share(struct vm_machine *m, const struct vm_config *defs, unsigned int nr)
{
	for (unsigned int d = 0; d < nr; d++) {
		for (unsigned int i = 0; i < defs[d].nr_shm; i++) {
			const struct vm_shm_config *s = &defs[d].shm[i];
			const struct dt_region *from;

			if (!s->owner || shm_find(m, s->id) || m->nr_shm == ARRAY_SIZE(m->shm) ||
			    !IS_ALIGNED(s->size, FREE_RAM_ALIGN) ||
			    !(from = free_ram_find(m, s->size)))
				continue;
			m->shm[m->nr_shm++] =
			    (struct vm_shm_region){s->id, defs[d].name, from->base, s->size};
			free_ram_remove(m, from->base, from->base + s->size);
		}
	}
}

/* Each shared region: its owner's RAM, the same size on both sides, clear of the VM's own RAM. */
static int plan_shm(const struct vm_machine *m, const struct vm_config *cfg, struct vm_plan *plan)
{
	for (unsigned int i = 0; i < cfg->nr_shm; i++) {
		const struct vm_shm_config *s = &cfg->shm[i];
		const struct vm_shm_region *r = shm_find(m, s->id);

		if (s->ipa < cfg->ram_ipa + plan->ram_size && cfg->ram_ipa < s->ipa + s->size)
			return plan_refuse(plan,
			                   "xen,shared-mem: \"%s\" at IPA 0x%lx is inside its RAM "
			                   "(0x%lx-0x%lx)",
			                   s->id, s->ipa, cfg->ram_ipa,
			                   cfg->ram_ipa + plan->ram_size - 1);
		for (unsigned int d = 0; d < plan->nr_devices; d++) {
			const struct vm_passthrough *dev = &plan->devices[d];

			if (dev->irq == HYPSVC_DOORBELL_INTID(i))
				return plan_refuse(
				    plan,
				    "xen,shared-mem: \"%s\"'s doorbell is INTID %u, the "
				    "interrupt of its device %s",
				    s->id, dev->irq, dev->dt_path);
			if (s->ipa < dev->base + dev->size && dev->base < s->ipa + s->size)
				return plan_refuse(
				    plan,
				    "xen,shared-mem: \"%s\" at IPA 0x%lx overlaps its "
				    "device %s",
				    s->id, s->ipa, dev->dt_path);
		}
		if (!r && s->owner) {
			const struct dt_region *largest = free_ram_find(m, 0);

			return plan_refuse(
			    plan,
			    "xen,shared-mem: %lu MiB for \"%s\" asked for, the largest "
			    "free block of RAM is %lu MiB",
			    s->size >> 20, s->id, largest ? largest->size >> 20 : 0);
		}
		if (!r)
			return plan_refuse(plan,
			                   "xen,shared-mem: no VM owns \"%s\" (role \"owner\", the "
			                   "default, with that xen,shm-id)",
			                   s->id);
		if (s->owner && strcmp(r->owner, cfg->name) != 0)
			return plan_refuse(plan, "xen,shared-mem: \"%s\" has an owner already: %s",
			                   s->id, r->owner);
		if (s->size != r->size)
			return plan_refuse(
			    plan,
			    "xen,shared-mem: \"%s\" is %lu MiB at its owner %s, %lu MiB "
			    "here",
			    s->id, r->size >> 20, r->owner, s->size >> 20);
		plan->shm_pa[i] = r->pa;
	}
	return 0;
}

int vm_plan_one(struct vm_machine *m, const struct vm_config *cfg, struct vm_plan *plan)
{
	*plan = (struct vm_plan){.cfg = cfg};
	if (!image_size(&cfg->kernel))
		return plan_refuse(plan, "kernel: none linked in (GUEST=none) and no "
		                         "\"multiboot,kernel\" module");
	if (plan_cpus(m, cfg, plan) || plan_devices(m, cfg, plan) || plan_ram(m, cfg, plan) ||
	    plan_shm(m, cfg, plan))
		return -1;
	machine_take(m, plan);
	return 0;
}

static bool vm_config_is_open(const struct vm_config *cfg)
{
	return (cfg->nr_vcpus == 0 && cfg->pcpu_mask == 0) || cfg->ram_size == 0;
}

/*
 * Who is served first: VMs that name their CPUs (they can go nowhere else),
 * then other explicit sizes; "what the machine has" is what is left after.
 */
static unsigned int vm_config_rank(const struct vm_config *cfg)
{
	if (vm_config_is_open(cfg))
		return 2;
	return cfg->pcpu_mask || vm_config_has_affinity(cfg) ? 0 : 1;
}

unsigned int vm_plan_all(struct vm_machine *m, const struct vm_config *defs, unsigned int nr,
                         struct vm_plan *plans)
{
	unsigned int accepted = 0;

	vm_machine_share(m, defs, nr);
	for (unsigned int rank = 0; rank < 3; rank++) {
		for (unsigned int i = 0; i < nr; i++) {
			if (vm_config_rank(&defs[i]) == rank)
				accepted += vm_plan_one(m, &defs[i], &plans[i]) == 0;
		}
	}
	return accepted;
}
