#!/usr/bin/env bash
# Two VMs on the Raspberry Pi 4 model (make run PLATFORM=rpi4 VMS=2), defined
# the way Xen's dom0less boot defines them: "xen,domain" nodes under /chosen
# of the board's DT, read by hyp-none.bin. QEMU's generic loader puts the
# images where the nodes say (the addresses below, at the top of the 960 MiB
# the DT gives, clear of the hypervisor at 0x200000 and of QEMU's DTB).
#
#   scripts/rpi4-vms2.sh IN.dtb OUT.dtb IMAGE INITRD TESTGUEST
#
#   linux      3 vCPUs, 512 MiB, Debian's Image and initrd, an emulated PL011
#   testguest  1 vCPU, 64 MiB, the bare-metal test guest (testguest-rpi4.bin)
#
# With -loaders, it prints the QEMU -device loader arguments instead.
set -euo pipefail

IMAGE_ADDR=0x30000000  # 48 MiB for the Image
INITRD_ADDR=0x33000000 # 16 MiB for the initrd
TG_ADDR=0x34000000     # the test guest (under 1 MiB)

if [ "${1:-}" = -loaders ]; then
	shift
	echo "-device loader,file=$1,addr=$IMAGE_ADDR,force-raw=on" \
		"-device loader,file=$2,addr=$INITRD_ADDR,force-raw=on" \
		"-device loader,file=$3,addr=$TG_ADDR,force-raw=on"
	exit 0
fi
[ $# -eq 5 ] || { echo "usage: $0 IN.dtb OUT.dtb IMAGE INITRD TESTGUEST" >&2; exit 2; }
in=$1 out=$2 image=$3 initrd=$4 tg=$5

size() { stat -c %s "$1"; }
fits() { # file, its address, the next address
	if [ "$(size "$1")" -gt $(($3 - $2)) ]; then
		echo "$0: $1 ($(size "$1") bytes) does not fit at $2 (below $3)" >&2
		exit 1
	fi
}
fits "$image" $IMAGE_ADDR $INITRD_ADDR
fits "$initrd" $INITRD_ADDR $TG_ADDR
fits "$tg" $TG_ADDR 0x3c000000

cp "$in" "$out.tmp"
put() { fdtput "$out.tmp" "$@"; }
# domain NAME CPUS KIB: the node (libfdt puts a new node first: add the last one first).
domain() {
	local n=/chosen/$1
	put -c "$n"
	put -t s "$n" compatible xen,domain
	put -t x "$n" "#address-cells" 2
	put -t x "$n" "#size-cells" 2
	put -t x "$n" cpus "$2"
	put -t x "$n" memory 0 "$3"
	put "$n" vpl011
}
# module DOMAIN ADDR FILE KIND [BOOTARGS]
module() {
	local n=/chosen/$1/module@${2#0x}
	put -c "$n"
	put -t s "$n" compatible "multiboot,$4" multiboot,module
	put -t x "$n" reg 0 "${2#0x}" 0 "$(printf %x "$(size "$3")")"
	if [ $# -ge 5 ]; then put -t s "$n" bootargs "$5"; fi
}
domain testguest 1 10000 # KiB, hex: 64 MiB
module testguest $TG_ADDR "$tg" kernel
domain linux 3 80000 # 512 MiB
module linux $INITRD_ADDR "$initrd" ramdisk
module linux $IMAGE_ADDR "$image" kernel "console=ttyAMA0 earlycon"
mv "$out.tmp" "$out"
