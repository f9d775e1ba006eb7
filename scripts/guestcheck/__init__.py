"""guest-check: boot a kernel under the hypervisor in QEMU and check its PSCI
bring-up, for a user's CI (see README "Check your kernel in CI")."""
