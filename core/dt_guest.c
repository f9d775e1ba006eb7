/*
 * Guest device tree: the host's, with the memory the VM really has, PSCI on
 * the VM's conduit, and its bootargs.
 */
#include <libfdt.h>

#include "core/dt_guest.h"
#include "core/printf.h"
#include "core/vm.h"

static int dt_fail(struct dt_error *err, const char *what, int fdt_err)
{
	snprintk(err->msg, sizeof(err->msg), "%s: %s", what, fdt_strerror(fdt_err));
	return -1;
}

static int dt_guest_set_memory(void *fdt, const struct vm *vm, struct dt_error *err)
{
	char name[32];
	fdt64_t reg[2] = {cpu_to_fdt64(vm->ram_ipa), cpu_to_fdt64(vm->ram_size)};
	int node, r;

	/* Drop every host memory node, then describe only the VM's RAM. */
	while ((node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory",
	                                             sizeof("memory"))) >= 0) {
		r = fdt_del_node(fdt, node);
		if (r)
			return dt_fail(err, "removing a host memory node", r);
	}
	snprintk(name, sizeof(name), "memory@%lx", vm->ram_ipa);
	node = fdt_add_subnode(fdt, 0, name);
	if (node < 0)
		return dt_fail(err, "adding /memory", node);
	r = fdt_setprop_string(fdt, node, "device_type", "memory");
	if (!r)
		r = fdt_setprop(fdt, node, "reg", reg, sizeof(reg));
	return r ? dt_fail(err, "writing /memory", r) : 0;
}

static int dt_guest_set_psci(void *fdt, const struct vm *vm, struct dt_error *err)
{
	const char *method = vm->cfg->psci_conduit == SMCCC_CONDUIT_SMC ? "smc" : "hvc";
	int node = fdt_path_offset(fdt, "/psci");
	int r;

	if (node < 0)
		node = fdt_add_subnode(fdt, 0, "psci");
	if (node < 0)
		return dt_fail(err, "adding /psci", node);
	r = fdt_setprop_string(fdt, node, "method", method);
	return r ? dt_fail(err, "writing /psci", r) : 0;
}

static int dt_guest_set_chosen(void *fdt, const struct vm *vm, struct dt_error *err)
{
	int node = fdt_path_offset(fdt, "/chosen");
	int r = 0;

	if (node < 0)
		node = fdt_add_subnode(fdt, 0, "chosen");
	if (node < 0)
		return dt_fail(err, "adding /chosen", node);
	if (vm->cfg->bootargs)
		r = fdt_setprop_string(fdt, node, "bootargs", vm->cfg->bootargs);
	return r ? dt_fail(err, "writing /chosen", r) : 0;
}

int dt_build_guest(const void *host_fdt, const struct vm *vm, void *buf, size_t size,
                   struct dt_error *err)
{
	int r = fdt_open_into(host_fdt, buf, (int)size);

	if (r)
		return dt_fail(err, "copying the host DT", r);
	if (dt_guest_set_memory(buf, vm, err) || dt_guest_set_psci(buf, vm, err) ||
	    dt_guest_set_chosen(buf, vm, err))
		return -1;
	r = fdt_pack(buf);
	return r ? dt_fail(err, "packing", r) : 0;
}
