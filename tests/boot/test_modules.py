"""Boot modules under /chosen (Xen's multiboot binding), as U-Boot scripts and
ImageBuilder write them: the guest kernel, initrd and bootargs come from the
DT, with hyp-none.bin (no guest linked in). Bad modules stop the hypervisor
with a line naming the module and what is wrong."""
import os
import subprocess

import pytest

from conftest import LinuxShell, ROOT, build_path, qemu_virt_args

HYP_NONE = build_path("qemu-virt", "hyp-none.bin")
IMAGE = build_path("guest", "Image")
INITRD = build_path("guest", "initrd.gz")
KERNEL_ADDR = 0x50000000  # clear of QEMU's DTB at 0x48000000 and of hyp at 0x40200000
INITRD_ADDR = 0x4c000000


def fdtput(dtb, *args):
    subprocess.run(["fdtput", dtb] + [str(a) for a in args], check=True)


def add_module(dtb, addr, size, kinds, bootargs=None):
    node = "/chosen/module@%x" % addr
    fdtput(dtb, "-c", node)
    fdtput(dtb, "-t", "s", node, "compatible", *kinds)
    fdtput(dtb, "-t", "x", node, "reg", 0, "%x" % addr, 0, "%x" % size)
    if bootargs:
        fdtput(dtb, "-t", "s", node, "bootargs", bootargs)


def module_dtb(tmp_path, modules):
    """QEMU virt's DTB with /chosen module nodes: [(addr, size, kinds, bootargs)]."""
    dtb = str(tmp_path / "modules.dtb")
    subprocess.run(["cp", os.path.join(ROOT, "tests/dtbs/qemu-virt-gicv3.dtb"), dtb], check=True)
    fdtput(dtb, "-t", "x", "/chosen", "#address-cells", 2)
    fdtput(dtb, "-t", "x", "/chosen", "#size-cells", 2)
    for m in modules:
        add_module(dtb, *m)
    return dtb


def loaders(*files):
    args = []
    for path, addr in files:
        args += ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (path, addr)]
    return args


KERNEL = ["multiboot,kernel", "multiboot,module"]
RAMDISK = ["multiboot,ramdisk", "multiboot,module"]


def test_linux_from_modules(qemu, tmp_path):
    dtb = module_dtb(tmp_path, [
        (KERNEL_ADDR, os.path.getsize(IMAGE), KERNEL, "console=ttyAMA0 earlycon modtest=1"),
        (INITRD_ADDR, os.path.getsize(INITRD), RAMDISK, None)])
    con = qemu(qemu_virt_args(HYP_NONE, extra=["-dtb", dtb] + loaders(
        (IMAGE, KERNEL_ADDR), (INITRD, INITRD_ADDR))), timeout=120)
    con.expect_exact('hyp: module kernel at 0x50000000 (%d bytes), bootargs '
                     '"console=ttyAMA0 earlycon modtest=1"' % os.path.getsize(IMAGE))
    con.expect_exact("hyp: module ramdisk at 0x4c000000 (%d bytes)" % os.path.getsize(INITRD))
    con.expect_exact("INIT: reached init, 0-3 online")
    con.expect(LinuxShell.PROMPT)
    sh = LinuxShell(con)
    # The kernel module's bootargs are what the guest was started with.
    assert "modtest=1" in sh.check("cat /proc/cmdline")
    con.send("poweroff")
    assert con.wait_exit(timeout=60) == 0


def test_linux_from_qemu_guest_loader(qemu):
    """QEMU's own -device guest-loader writes the module nodes (in the root's
    2/2 cells, under a /chosen with no cells of its own): no DTB to edit."""
    con = qemu(qemu_virt_args(HYP_NONE, extra=[
        "-device", "guest-loader,addr=0x%x,kernel=%s,bootargs=console=ttyAMA0 gl=1"
        % (KERNEL_ADDR, IMAGE),
        "-device", "guest-loader,addr=0x%x,initrd=%s" % (INITRD_ADDR, INITRD)]), timeout=120)
    con.expect_exact('hyp: module kernel at 0x50000000 (%d bytes), bootargs '
                     '"console=ttyAMA0 gl=1"' % os.path.getsize(IMAGE))
    con.expect_exact("hyp: module ramdisk at 0x4c000000 (%d bytes)" % os.path.getsize(INITRD))
    con.expect_exact("INIT: reached init, 0-3 online")
    con.expect(LinuxShell.PROMPT)
    assert "gl=1" in LinuxShell(con).check("cat /proc/cmdline")
    con.send("poweroff")
    assert con.wait_exit(timeout=60) == 0


def expect_refusal(qemu, dtb, loads, message):
    con = qemu(qemu_virt_args(HYP_NONE, extra=["-dtb", dtb] + loaders(*loads)), timeout=60)
    i = con.child.expect([r"hyp: PANIC on CPU0: ([^\r\n]*)\r", "hyp: starting guest0"])
    assert i == 0, "a bad module was accepted"
    assert message in con.child.match.group(1), con.child.match.group(1)


@pytest.mark.parametrize("modules,loads,message", [
    pytest.param([(KERNEL_ADDR, os.path.getsize(INITRD) if os.path.exists(INITRD) else 4096,
                   KERNEL, None)], [(INITRD, KERNEL_ADDR)],
                 "boot module kernel at 0x50000000", id="kernel-not-an-image"),
    pytest.param([(0x40300000, 0x100000, KERNEL, None)], [],
                 "overlaps the hypervisor image", id="kernel-over-hypervisor"),
    pytest.param([(0x7ff00000, 0x200000, KERNEL, None)], [],
                 "is not inside RAM", id="kernel-past-ram"),
    pytest.param([(KERNEL_ADDR, 0x2000000, KERNEL, None),
                   (KERNEL_ADDR + 0x1000000, 0x100000, RAMDISK, None)], [(IMAGE, KERNEL_ADDR)],
                 "boot module ramdisk at 0x51000000 (1048576 bytes) overlaps module kernel",
                 id="ramdisk-over-kernel"),
    pytest.param([(INITRD_ADDR, 0x100000, RAMDISK, None)], [],
                 "boot modules but no kernel module", id="ramdisk-without-kernel"),
])
def test_bad_modules_are_named(qemu, tmp_path, modules, loads, message):
    expect_refusal(qemu, module_dtb(tmp_path, modules), loads, message)


def test_no_kernel_at_all(qemu):
    """hyp-none.bin without modules has nothing to boot, and says so: its one
    VM is refused for want of a kernel, and with no VM left the hypervisor stops."""
    con = qemu(qemu_virt_args(HYP_NONE), timeout=60)
    con.expect_exact('hyp: guest0: refused: kernel: none linked in (GUEST=none) and no '
                     '"multiboot,kernel" module')
    con.child.expect(r"hyp: PANIC on CPU0: ([^\r\n]*)\r")
    assert "no VM could be built" in con.child.match.group(1)
