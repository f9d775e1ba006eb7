/*
 * The default VM of the QEMU virt platform: one guest that owns the machine,
 * with a vCPU for every CPU QEMU is started with (-smp N), all the free RAM
 * (-m) and the console UART. configs/qemu-virt-vms2.c has two VMs.
 */
#include "core/vm_config.h"

extern const uint8_t guest_kernel_start[], guest_kernel_end[];
extern const uint8_t guest_initrd_start[], guest_initrd_end[];

const struct vm_config vm_configs[] = {
    {
	.name = "guest0",
	.nr_vcpus = 0, /* one per CPU that came up */
	.ram_ipa = 0x40000000,
	.ram_size = 0, /* all the RAM the hypervisor does not use */
	.kernel = {guest_kernel_start, guest_kernel_end},
	.initrd = {guest_initrd_start, guest_initrd_end},
	.bootargs = "console=ttyAMA0 earlycon",
	.psci_conduit = SMCCC_CONDUIT_HVC,
	.owns_machine = true,
	/* EL3 services a machine owner may use; the rest of EL3 stays hidden. */
	.smc_forward_owners = SMCCC_OWNERS_SIP | SMCCC_OWNERS_OEM | SMCCC_OWNERS_TRUSTED_OS,
	.console = VM_CONSOLE_UART,
    },
};

const unsigned int nr_vm_configs = ARRAY_SIZE(vm_configs);
