#!/usr/bin/env bash
# Idempotent set-up for building and testing the hypervisor on Debian bookworm.
#
# 1. Host packages (cross compiler, QEMU 10 from bookworm-backports, test tools):
#    installed with apt only when missing.
# 2. arm64 packages (libfdt.a, the guest kernel, busybox, U-Boot, TF-A): fetched
#    with `apt-get download` and unpacked under build/deps/ -- nothing arm64 is
#    installed system-wide.
# 3. Guest artefacts under build/guest/: the Debian kernel Image, a busybox
#    initramfs, and bookworm-backports' kernel as Image-backports (guest-check's tests).
# Every step checks first and does nothing when its result is already there.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
deps="$top/build/deps"
guest="$top/build/guest"
mkdir -p "$deps/debs" "$guest"

log() { printf 'deps: %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

apt_updated=0
apt_update() {
	if [ "$apt_updated" -eq 0 ]; then
		log "apt-get update"
		$SUDO apt-get update -qq
		apt_updated=1
	fi
}

# --- 1. apt sources: arm64 multiarch and bookworm-backports ------------------
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	log "adding the arm64 architecture"
	$SUDO dpkg --add-architecture arm64
	apt_updated=0
	need_update=1
fi

backports=/etc/apt/sources.list.d/bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	log "adding bookworm-backports (for QEMU 10 and its raspi4b machine)"
	src=/etc/apt/sources.list.d/debian.sources
	uris=$(grep -m1 '^URIs:' "$src")
	signed=$(grep -m1 '^Signed-By:' "$src")
	printf 'Types: deb\n%s\nSuites: bookworm-backports\nComponents: main\n%s\n' \
		"$uris" "$signed" | $SUDO tee "$backports" >/dev/null
	need_update=1
fi
if [ "${need_update:-0}" -eq 1 ]; then apt_update; fi

# --- 2. host packages ---------------------------------------------------------
host_pkgs=(
	gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu make
	device-tree-compiler u-boot-tools u-boot-qemu gdb-multiarch
	libcmocka-dev python3-pytest python3-pexpect
	cpio gzip mtools dosfstools fdisk clang-format libfdt-dev clang libclang-rt-14-dev
	binutils-arm-linux-gnueabihf
)

is_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${host_pkgs[@]}"; do
	is_installed "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	apt_update
	log "installing ${missing[*]}"
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

qemu_major() {
	qemu-system-aarch64 --version 2>/dev/null |
		sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p'
}
if [ "$(qemu_major || true)" = "" ] || [ "$(qemu_major)" -lt 10 ]; then
	apt_update
	log "installing qemu-system-arm from bookworm-backports"
	$SUDO apt-get install -y -qq --no-install-recommends \
		-t bookworm-backports qemu-system-arm
fi

# --- 3. arm64 packages unpacked under build/deps/ ----------------------------
# The kernel package name carries the ABI number; resolve it from the
# linux-image-arm64 meta package: its candidate, or (RELEASE given) the
# version that release has.
kernel_pkg() {
	local meta=linux-image-arm64:arm64 v
	if [ -n "${1:-}" ]; then
		v=$(apt-cache madison "$meta" 2>/dev/null | awk -v r="$1" '$0 ~ r {print $3; exit}')
		[ -n "$v" ] || return 0
		meta="$meta=$v"
	fi
	apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n1
}

# resolved_kernel_pkg STAMP [RELEASE]: kernel_pkg's answer, kept in STAMP once found.
resolved_kernel_pkg() {
	local stamp=$1 k
	if [ ! -e "$stamp" ]; then
		k=$(kernel_pkg "${2:-}")
		if [ -z "$k" ]; then apt_update >&2; k=$(kernel_pkg "${2:-}"); fi
		[ -n "$k" ] || { echo "deps: cannot resolve linux-image-arm64 ${2:-}" >&2; exit 1; }
		echo "$k" >"$stamp"
	fi
	cat "$stamp"
}

# download PKG: fetch PKG:arm64 into build/deps/debs once; prints the .deb's path.
download() {
	local pkg=$1
	if ! ls "$deps/debs/${pkg}"_*_arm64.deb >/dev/null 2>&1 &&
		! ls "$deps/debs/${pkg}"_*_all.deb >/dev/null 2>&1; then
		log "downloading $pkg" >&2
		(cd "$deps/debs" && apt-get download -q "$pkg:arm64" >/dev/null 2>&1) ||
			{ apt_update >&2; (cd "$deps/debs" && apt-get download -q "$pkg:arm64" >&2); }
	fi
	ls "$deps/debs/${pkg}"_*.deb | head -n1
}

# unpack PKG: download PKG:arm64 once and extract it into build/deps/root.
unpack() {
	local pkg=$1 stamp="$deps/.unpacked-$1"
	[ -e "$stamp" ] && return 0
	dpkg-deb -x "$(download "$pkg")" "$deps/root"
	touch "$stamp"
}

kpkg=$(resolved_kernel_pkg "$deps/.kernel-pkg")

for p in libfdt-dev busybox-static u-boot-rpi arm-trusted-firmware "$kpkg"; do
	unpack "$p"
done

test -f "$deps/root/usr/lib/aarch64-linux-gnu/libfdt.a" ||
	{ echo "deps: libfdt.a missing after unpacking libfdt-dev" >&2; exit 1; }

# --- 4. guest artefacts -------------------------------------------------------
if [ ! -e "$guest/Image" ]; then
	img=$(ls "$deps/root/boot/"vmlinuz-* | head -n1)
	cp "$img" "$guest/Image"
	log "guest kernel: $(basename "$img")"
fi
# A second kernel nobody here wrote, for scripts/guest-check's tests (issue 11):
# bookworm-backports' linux-image-arm64 (6.12), its vmlinuz only (an arm64 Image).
if [ ! -e "$guest/Image-backports" ]; then
	k=$(resolved_kernel_pkg "$deps/.kernel-bpo-pkg" bookworm-backports)
	deb=$(download "$k")
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './boot/vmlinuz-*' \
		>"$guest/Image-backports.tmp"
	mv "$guest/Image-backports.tmp" "$guest/Image-backports"
	log "second guest kernel (bookworm-backports): $k"
fi
if [ ! -e "$guest/bcm2711-rpi-4-b.dtb" ]; then
	dtb=$(find "$deps/root/usr/lib" -name bcm2711-rpi-4-b.dtb | head -n1)
	[ -n "$dtb" ] && cp "$dtb" "$guest/bcm2711-rpi-4-b.dtb"
fi

# The initramfs: busybox, init, inittab, and sve-check (a small SVE program
# the CPU-model boot tests run, tests/boot/test_cpus.py). sve-check is built
# with the cross compiler installed above; it needs no libc (there is no
# static glibc for arm64 without libc6-dev-arm64-cross), so -nostdlib.
# mte-check is the same for MTE (tags through stage 2, a mismatch caught).
# a32-check is a 32-bit (A32) user program, for AArch32 EL0 in the guest
# (assembled with binutils-arm-linux-gnueabihf, no libc either).
initrd_src="$top/tests/guests/initramfs"
if [ ! -e "$guest/initrd.gz" ] || [ "$initrd_src/init" -nt "$guest/initrd.gz" ] ||
	[ "$initrd_src/inittab" -nt "$guest/initrd.gz" ] ||
	[ "$initrd_src/sve-check.c" -nt "$guest/initrd.gz" ] ||
	[ "$initrd_src/a32-check.S" -nt "$guest/initrd.gz" ] ||
	[ "$initrd_src/mte-check.c" -nt "$guest/initrd.gz" ]; then
	log "building the busybox initramfs"
	rm -rf "$guest/initramfs"
	mkdir -p "$guest/initramfs"/{bin,sbin,dev,proc,sys,tmp,etc,root}
	cp "$deps/root/bin/busybox" "$guest/initramfs/bin/busybox"
	aarch64-linux-gnu-gcc -std=c11 -O2 -Wall -Wextra -Werror -march=armv8-a+sve \
		-ffreestanding -nostdlib -static -fno-pie -no-pie -fno-stack-protector \
		-fno-tree-vectorize -fno-tree-loop-distribute-patterns -s \
		-o "$guest/initramfs/bin/sve-check" "$initrd_src/sve-check.c"
	aarch64-linux-gnu-gcc -std=c11 -O2 -Wall -Wextra -Werror -march=armv8.5-a+memtag \
		-ffreestanding -nostdlib -static -fno-pie -no-pie -fno-stack-protector \
		-fno-tree-loop-distribute-patterns -s \
		-o "$guest/initramfs/bin/mte-check" "$initrd_src/mte-check.c"
	arm-linux-gnueabihf-as -o "$guest/a32-check.o" "$initrd_src/a32-check.S"
	arm-linux-gnueabihf-ld -static -s -o "$guest/initramfs/bin/a32-check" "$guest/a32-check.o"
	cp "$initrd_src/init" "$guest/initramfs/init"
	chmod 755 "$guest/initramfs/init"
	cp "$initrd_src/inittab" "$guest/initramfs/etc/inittab"
	ln -s ../bin/busybox "$guest/initramfs/sbin/init"
	(cd "$guest/initramfs" && find . | cpio -o -H newc --quiet | gzip -9) \
		>"$guest/initrd.gz.tmp"
	mv "$guest/initrd.gz.tmp" "$guest/initrd.gz"
fi

log "ready"
