# QEMU virt with virtualization=on: the CPUs enter hyp.bin at EL2.
HYP_LINK_ADDR := 0x40200000
QEMU          := qemu-system-aarch64
QEMU_ARGS     := -M virt,virtualization=on,gic-version=$(GIC) -cpu cortex-a57 -smp 4 -m 1G \
		 -nographic -net none
