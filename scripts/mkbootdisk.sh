#!/usr/bin/env bash
# Build a boot disk image: an MBR partition table with one bootable FAT32
# partition (type 0x0c, LBA) from 1 MiB to the end, holding FILES.
#
#   scripts/mkbootdisk.sh OUT.img DEVTYPE FILE[:NAME]...
#
# DEVTYPE (virtio | mmc) is the U-Boot device the disk is for: a boot.scr among
# the files must have been made from scripts/boot.cmd.in for that device. NAME is the file's name in the FAT root (default: its base
# name). The image is 96 MiB, or larger when the files need it (SIZE_MIB=n
# forces a size). No root, no loop devices: sfdisk and mkfs.vfat work on plain
# files, mcopy fills the file system before dd puts it in place. The output is
# rebuilt from scratch each time and only replaces OUT.img when complete.
set -euo pipefail

usage() {
	echo "usage: $0 OUT.img virtio|mmc FILE[:NAME]..." >&2
	exit 2
}
[ $# -ge 3 ] || usage
out=$1
devtype=$2
shift 2
case $devtype in
virtio | mmc) ;;
*) usage ;;
esac

export MTOOLS_SKIP_CHECK=1
part_start_mib=1
fat_label=HYPBOOT
fat_id=0x48595042 # fixed IDs and times: the same input files give the same image

# Sources and FAT names, checked before anything is written.
srcs=()
names=()
total=0
for arg in "$@"; do
	src=${arg%%:*}
	name=${arg#*:}
	[ "$name" != "$arg" ] || name=$(basename "$src")
	[ -f "$src" ] || { echo "$0: $src: no such file" >&2; exit 1; }
	if [ "$name" = boot.scr ] && ! grep -aq "setenv hyp_devtype $devtype\$" "$src"; then
		echo "$0: $src was not made for $devtype: wrong boot.scr for this disk" >&2
		exit 1
	fi
	srcs+=("$src")
	names+=("$name")
	total=$((total + $(stat -c %s "$src")))
done

# 96 MiB, or the files plus a quarter and 16 MiB of slack.
need_mib=$(((total + total / 4) / 1048576 + 16 + part_start_mib))
size_mib=${SIZE_MIB:-$((need_mib > 96 ? need_mib : 96))}
if [ "$size_mib" -lt "$need_mib" ]; then
	echo "$0: SIZE_MIB=$size_mib is too small for the files (need $need_mib)" >&2
	exit 1
fi
fat_mib=$((size_mib - part_start_mib))

mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d "$(dirname "$out")/.mkbootdisk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The partition's file system, on its own file.
fat=$tmp/fat.img
truncate -s "${fat_mib}M" "$fat"
# -s 1: 512-byte clusters, so a volume this small still has the 65525 clusters
# FAT32 needs (the Pi's boot ROM and U-Boot read FAT16 and FAT32 alike).
mkfs.vfat -F 32 -s 1 -n "$fat_label" --invariant -i "${fat_id#0x}" "$fat" >/dev/null
for i in "${!srcs[@]}"; do
	mcopy -o -m -i "$fat" "${srcs[$i]}" "::${names[$i]}"
done

# The disk: MBR, one bootable partition of type 0x0c from 1 MiB to the end.
disk=$tmp/disk.img
truncate -s "${size_mib}M" "$disk"
sfdisk -q --no-reread --no-tell-kernel "$disk" >/dev/null <<EOF
label: dos
label-id: $fat_id
start=$((part_start_mib * 2048)), type=c, bootable
EOF
dd if="$fat" of="$disk" bs=1M seek="$part_start_mib" conv=notrunc,sparse status=none

mv "$disk" "$out"
echo "  DISK    $out (${size_mib} MiB, $devtype: ${names[*]})"
