"""The hypervisor started by U-Boot on QEMU virt, as a boot loader would on a
board: Debian's U-Boot (u-boot-qemu) is QEMU's firmware (-bios), its distro
boot finds boot.scr on a virtio disk (build/qemu-virt/bootdisk.img, made by
scripts/mkbootdisk.sh from scripts/boot.cmd.in), and the script loads
hyp-none.bin, the guest Image and initrd.gz, describes the last two as
/chosen boot modules (Xen's multiboot binding) and starts the hypervisor with
booti. Nothing is linked into the hypervisor: the guest comes from the modules.
"""
import os
import re

from conftest import LinuxShell, build_path

UBOOT = "/usr/lib/u-boot/qemu_arm64/u-boot.bin"
DISK = build_path("qemu-virt", "bootdisk.img")
HYP = build_path("qemu-virt", "hyp-none.bin")
IMAGE = build_path("guest", "Image")
INITRD = build_path("guest", "initrd.gz")
# boot.scr's defaults for QEMU virt (configs/qemu-virt.mk), and U-Boot's
# kernel_addr_r, where booti leaves the hypervisor (its Image header says
# "anywhere", and the address is 2 MiB aligned).
GUEST_ADDR = 0x48000000
INITRD_ADDR = 0x4C000000
KERNEL_ADDR_R = 0x40400000
BOOTARGS = "console=ttyAMA0 earlycon"
BOOT_TIMEOUT = 180


DISK_VMS2 = build_path("qemu-virt", "bootdisk-vms2.img")


def uboot_virt_args(gic=3, disk=DISK):
    # snapshot=on: the disk is only read, and tests may run side by side.
    return ["qemu-system-aarch64", "-M", "virt,gic-version=%d,virtualization=on" % gic,
            "-cpu", "cortex-a57", "-smp", "4", "-m", "1G", "-nographic", "-net", "none",
            "-bios", UBOOT,
            "-drive", "if=none,file=%s,format=raw,id=hd0,snapshot=on" % disk,
            "-device", "virtio-blk-device,drive=hd0"]


def expect_load(con, name, addr, path):
    """boot.scr's echo for one file, then U-Boot's byte count for it."""
    con.expect_exact("boot.scr: loading %s at 0x%x" % (name, addr))
    m = con.expect(r"(\d+) bytes read in")
    assert int(m.group(1)) == os.path.getsize(path), "%s: U-Boot read %s bytes, %s has %d" % (
        name, m.group(1), path, os.path.getsize(path))


def test_uboot_boot_script_starts_the_hypervisor_with_module_guest(qemu):
    con = qemu(uboot_virt_args(), timeout=BOOT_TIMEOUT)

    # U-Boot's distro boot finds the script on the virtio disk.
    con.expect(r"U-Boot 20\d\d\.\d\d")
    con.expect_exact("Scanning virtio 0:1...")
    con.expect_exact("Found U-Boot script /boot.scr")
    con.expect_exact("## Executing script at")

    # The script: the files, the device tree, the module nodes, booti.
    con.expect_exact("boot.scr: hypervisor boot from virtio 0:1")
    expect_load(con, "hyp.bin", KERNEL_ADDR_R, HYP)
    expect_load(con, "Image", GUEST_ADDR, IMAGE)
    expect_load(con, "initrd.gz", INITRD_ADDR, INITRD)
    con.expect_exact("boot.scr: device tree 0x40000000 -> 0x40000000")
    con.expect_exact('boot.scr: module@%x: multiboot,kernel, 0x%x bytes, bootargs "%s"' %
                     (GUEST_ADDR, os.path.getsize(IMAGE), BOOTARGS))
    con.expect_exact("boot.scr: module@%x: multiboot,ramdisk, 0x%x bytes" %
                     (INITRD_ADDR, os.path.getsize(INITRD)))
    # fdt print /chosen: the nodes as the hypervisor will read them.
    con.expect_exact("module@%x {" % GUEST_ADDR)
    con.expect_exact('compatible = "multiboot,kernel", "multiboot,module";')
    con.expect_exact("boot.scr: booti 0x%x - 0x40000000" % KERNEL_ADDR_R)
    con.expect_exact("Starting kernel ...")

    # The hypervisor runs where booti put it, and takes the modules.
    con.expect_exact("hyp: minimal ARM64 hypervisor (qemu-virt build), at EL2, image 0x%x-" %
                     KERNEL_ADDR_R)
    line = con.expect(r"hyp: module[^\r\n]*kernel[^\r\n]*\r").group(0)
    assert "%x" % GUEST_ADDR in line, line
    line = con.expect(r"hyp: module[^\r\n]*ramdisk[^\r\n]*\r").group(0)
    assert "%x" % INITRD_ADDR in line, line
    con.expect_exact("hyp: 4 of 4 CPUs online")
    con.expect_exact("hyp: starting guest0")

    # Linux from the kernel module, its initramfs from the ramdisk module.
    con.expect_exact("smp: Brought up 1 node, 4 CPUs")
    con.expect_exact("INIT: reached init, 0-3 online")
    con.expect(LinuxShell.PROMPT)
    sh = LinuxShell(con)
    assert sh.check("cat /sys/devices/system/cpu/online").strip() == "0-3"
    # The kernel module's bootargs are the guest's command line.
    assert BOOTARGS in sh.check("cat /proc/cmdline")
    con.send("poweroff")
    con.expect_exact("hyp: guest0 powered off: system off")
    assert con.wait_exit(timeout=60) == 0


def test_uboot_boot_script_defines_two_vms_with_dom0less_nodes(qemu):
    """make run BOOT=uboot VMS=2: the disk's boot.scr (hyp_vms=2) copies the Image
    and initrd for a second VM and writes two "xen,domain" nodes with U-Boot's fdt
    commands; the hypervisor runs both, each Linux on its own 2 CPUs and 384 MiB,
    both reachable from the one console."""
    con = qemu(uboot_virt_args(disk=DISK_VMS2), timeout=BOOT_TIMEOUT)
    con.expect_exact("boot.scr: hypervisor boot from virtio 0:1")
    expect_load(con, "Image", GUEST_ADDR, IMAGE)
    expect_load(con, "initrd.gz", INITRD_ADDR, INITRD)
    # To the line's end: pexpect may have read only part of the last number.
    m = con.expect(r"boot.scr: copies for domU2: Image at 0x([0-9a-f]+), initrd.gz at "
                   r"0x([0-9a-f]+)\r")
    k2, r2 = int(m.group(1), 16), int(m.group(2), 16)
    assert k2 >= INITRD_ADDR + os.path.getsize(INITRD) and k2 % (2 << 20) == 0
    assert r2 >= k2 + os.path.getsize(IMAGE) and r2 % (2 << 20) == 0
    con.expect_exact("boot.scr: /chosen/domU2: xen,domain, 2 vCPUs, 0x60000 KiB, kernel at "
                     "0x%x, initrd at 0x%x" % (k2, r2))
    con.expect_exact("boot.scr: /chosen/domU1: xen,domain, 2 vCPUs, 0x60000 KiB, kernel at "
                     "0x%x, initrd at 0x%x" % (GUEST_ADDR, INITRD_ADDR))
    con.expect_exact("Starting kernel ...")
    con.expect_exact('hyp: 2 VM(s) defined by "xen,domain" nodes under /chosen')
    con.expect(r"hyp: domU1: 2 vCPU\(s\) on CPU0-1, [^\r\n]*\(384 MiB\)")
    con.expect(r"hyp: domU2: 2 vCPU\(s\) on CPU2-3, [^\r\n]*\(384 MiB\)")
    for _ in range(2):
        con.expect(r"\((domU\d)\) INIT: reached init, 0-1 online", timeout=BOOT_TIMEOUT)
    con.send("")
    con.expect(r"\(domU1\) / # ", timeout=60)
    sh = LinuxShell(con)
    assert "(domU1) 0-1\n" in sh.check("cat /sys/devices/system/cpu/online")
    con.child.send("\x01\x01" * 3)
    con.expect_exact("hyp: console input now goes to domU2 (Ctrl-A three times switches)")
    con.send("echo B$((6*7)) $(grep -c ^processor /proc/cpuinfo)")
    con.expect(r"\(domU2\) B42 2\r", timeout=30)
    con.send("poweroff")
    con.expect_exact("hyp: domU2: off", timeout=60)
    con.child.send("\x01\x01" * 6)
    con.expect_exact("hyp: console input now goes to domU1")
    con.send("poweroff")
    con.expect_exact("hyp: every VM is off: system off", timeout=60)
    assert con.wait_exit(timeout=60) == 0


def test_boot_script_source_names_the_virtio_disk():
    """The disk's boot.scr is the template made for virtio 0:1."""
    scr = build_path("qemu-virt", "boot.cmd")
    with open(scr, encoding="utf-8") as f:
        text = f.read()
    assert not re.search(r"@[A-Z_]+@", text), "unsubstituted template variable"
    assert "setenv hyp_devtype virtio" in text
    assert "setenv guest_addr_r 0x%x" % GUEST_ADDR in text
    assert "setenv initrd_addr_r 0x%x" % INITRD_ADDR in text
    assert "booti ${kernel_addr_r} - ${fdt_addr_r}" in text
    assert "setenv hyp_vms 1" in text
    with open(build_path("qemu-virt", "boot-vms2.cmd"), encoding="utf-8") as f:
        assert "setenv hyp_vms 2" in f.read()
