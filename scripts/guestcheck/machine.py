"""The QEMU machine a kernel is checked on: the hypervisor without a guest
linked in (hyp-none.bin), and the kernel, initrd and bootargs handed to it as
Xen's multiboot modules under /chosen (core/modules.c), in a DTB made by QEMU
itself (-M ...,dumpdtb=) and edited with dtc's fdtput. Nothing is rebuilt for
a new kernel."""
import os
import re
import shutil
import struct
import subprocess

from .image import SetupError

MiB = 1 << 20
QEMU = "qemu-system-aarch64"


def align_up(x, a):
    return (x + a - 1) // a * a


def align_down(x, a):
    return x // a * a


def parse_mem(mem):
    """'512M', '2G' -> bytes."""
    m = re.fullmatch(r"([0-9]+)([MG])", mem or "")
    if not m:
        raise SetupError("MEM=%s: give the RAM as <n>M or <n>G, e.g. 512M or 2G" % mem)
    return int(m.group(1)) << (20 if m.group(2) == "M" else 30)


def hyp_image_size(path):
    """The hypervisor's own footprint from its Image header (code, data, BSS)."""
    with open(path, "rb") as f:
        hdr = f.read(64)
    if len(hdr) < 64 or hdr[0x38:0x3c] != b"ARM\x64":
        raise SetupError("%s is not the hypervisor's Image: run make first" % path)
    return struct.unpack_from("<Q", hdr, 16)[0]


class Layout:
    """Where things sit in the machine's RAM, decided before QEMU starts."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


class Machine:
    """What every machine shares: the hypervisor image, and the modules at the
    top of RAM, clear of the hypervisor and of the DTB QEMU places at
    RAM + min(RAM / 2, 128 MiB); the VM gets the RAM below them."""

    GUEST_OVERHEAD = 4 * MiB + 32 * MiB  # vm_plan.c: +2 MiB offset, 2 MiB DTB, 32 MiB BSS room
    LINUX_MIN_FREE = 64 * MiB      # what a kernel needs beyond its images to reach a shell

    def __init__(self, hyp):
        self.hyp = hyp
        if not os.path.isfile(hyp):
            raise SetupError("%s: no hypervisor image (make %s builds it)" % (hyp, hyp))

    def layout(self, kernel, initrd_size):
        top = self.RAM_BASE + self.ram_size
        initrd_addr = align_down(top - initrd_size, 2 * MiB) if initrd_size else top
        kernel_addr = align_down(initrd_addr - kernel.file_size, 2 * MiB)
        hyp_end = align_up(self.HYP_LOAD + hyp_image_size(self.hyp), 2 * MiB)
        dtb_end = self.RAM_BASE + min(self.ram_size // 2, 128 * MiB) + 2 * MiB
        vm_ram = kernel_addr - hyp_end
        need = self.GUEST_OVERHEAD + align_up(kernel.file_size, 4096) + \
            align_up(initrd_size, 4096) + self.LINUX_MIN_FREE
        if kernel_addr < dtb_end or vm_ram < need:
            raise SetupError(
                "the kernel (%.1f MiB) and initrd (%.1f MiB) do not fit in %s: kept where the "
                "loader put them (a VM reset loads them again), they leave the VM %d MiB, and "
                "it needs at least %d MiB%s" %
                (kernel.file_size / MiB, initrd_size / MiB, self.ram_desc(),
                 max(vm_ram, 0) >> 20, align_up(need, MiB) >> 20, self.more_ram_hint))
        return Layout(kernel_addr=kernel_addr, initrd_addr=initrd_addr, vm_ram=vm_ram)

    def qemu_args(self, dtb, layout, kernel, initrd, reboot=True):
        args = [QEMU] + self.machine_args() + ["-nographic", "-kernel", self.hyp, "-dtb", dtb]
        if not reboot:
            args.append("-no-reboot")
        return args + loaders(layout, kernel, initrd)


class QemuVirt(Machine):
    """QEMU virt with virtualization=on: the CPUs enter hyp-none.bin at EL2."""

    name = "qemu-virt"
    RAM_BASE = 0x40000000
    HYP_LOAD = 0x40200000          # QEMU loads an Image at RAM + 2 MiB
    more_ram_hint = "; give more MEM"

    def __init__(self, hyp, cpus=None, mem=None, gic=None, cpu=None):
        super().__init__(hyp)
        cpus, mem, gic, cpu = cpus or "4", mem or "1G", gic or "3", cpu or "cortex-a57"
        if str(gic) not in ("2", "3"):
            raise SetupError("GIC=%s: QEMU virt has a GICv2 or a GICv3 (GIC=2 or GIC=3)" % gic)
        self.gic = int(gic)
        top = 8 if self.gic == 2 else 16
        if not (str(cpus).isdigit() and 1 <= int(cpus) <= top):
            raise SetupError("CPUS=%s: QEMU virt with GICv%d can run this hypervisor with 1 to "
                             "%d CPUs" % (cpus, self.gic, top))
        self.cpus = int(cpus)
        self.mem = mem
        self.ram_size = parse_mem(mem)
        if self.ram_size < 128 * MiB:
            raise SetupError("MEM=%s: QEMU virt needs at least 128M for the hypervisor and its "
                             "guest" % mem)
        self.cpu = cpu

    def ram_desc(self):
        return "MEM=%s" % self.mem

    def describe(self):
        return "QEMU virt, GICv%d, %d x %s, %s" % (self.gic, self.cpus, self.cpu, self.mem)

    def machine_args(self, extra=""):
        return ["-M", "virt,gic-version=%d,virtualization=on%s" % (self.gic, extra),
                "-cpu", self.cpu, "-smp", str(self.cpus), "-m", self.mem, "-net", "none"]

    def make_dtb(self, path, layout, kernel, initrd, bootargs):
        """QEMU's own DTB for this machine, with the modules under /chosen."""
        out = subprocess.run([QEMU] + self.machine_args(",dumpdtb=%s" % path) +
                             ["-nographic"], capture_output=True, text=True, timeout=60)
        if out.returncode or not os.path.isfile(path):
            raise SetupError("QEMU could not make this machine's DTB: %s" %
                             (out.stderr.strip() or "exit status %d" % out.returncode))
        add_modules(path, layout, kernel, initrd, bootargs)


class Raspi4b(Machine):
    """QEMU's raspi4b, the Raspberry Pi 4 model: 4 Cortex-A72, a GIC-400, spin-table
    CPUs. Its DT is Debian's as the GPU firmware hands it over (build/rpi4/), and
    QEMU tells the hypervisor of the 960 MiB below the VideoCore's memory."""

    name = "raspi4b"
    RAM_BASE = 0
    HYP_LOAD = 0x200000
    more_ram_hint = " (the model's RAM is fixed)"

    def __init__(self, hyp, dtb, cpus=None, mem=None, gic=None, cpu=None):
        super().__init__(hyp)
        for var, value, fixed in (("CPUS", cpus, "4"), ("MEM", mem, "2G"), ("GIC", gic, "2"),
                                  ("CPU", cpu, "cortex-a72")):
            if value not in (None, "", fixed):
                raise SetupError("%s=%s: QEMU's raspi4b has %s=%s only" % (var, value, var, fixed))
        if not os.path.isfile(dtb):
            raise SetupError("%s: no Raspberry Pi 4 DT (make PLATFORM=rpi4 builds it)" % dtb)
        self.dtb = dtb
        self.cpus = 4
        self.ram_size = 0x3c000000

    def ram_desc(self):
        return "the raspi4b's 960 MiB of RAM"

    def describe(self):
        return "QEMU raspi4b, GIC-400, 4 x cortex-a72, 2G (960 MiB in its DT)"

    def machine_args(self):
        return ["-M", "raspi4b"]

    def make_dtb(self, path, layout, kernel, initrd, bootargs):
        shutil.copyfile(self.dtb, path)
        add_modules(path, layout, kernel, initrd, bootargs)


def loaders(layout, kernel, initrd):
    """QEMU's generic loader puts the files in RAM, again at every reset."""
    args = ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (kernel.path, layout.kernel_addr)]
    if initrd:
        args += ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (initrd, layout.initrd_addr)]
    return args


def fdtput(dtb, *args):
    subprocess.run(["fdtput", dtb] + [str(a) for a in args], check=True, capture_output=True)


def add_module(dtb, addr, size, kinds, bootargs=None):
    node = "/chosen/module@%x" % addr
    fdtput(dtb, "-c", node)
    fdtput(dtb, "-t", "s", node, "compatible", *kinds)
    fdtput(dtb, "-t", "x", node, "reg", "%x" % (addr >> 32), "%x" % (addr & 0xffffffff),
           "%x" % (size >> 32), "%x" % (size & 0xffffffff))
    if bootargs is not None:
        fdtput(dtb, "-t", "s", node, "bootargs", bootargs)


def add_modules(dtb, layout, kernel, initrd, bootargs):
    # The hypervisor's options (Xen's property): a console line for every PSCI
    # CPU_ON and CPU_OFF, so a CPU that did not come up can be explained.
    fdtput(dtb, "-t", "s", "/chosen", "xen,xen-bootargs", "trace=psci")
    fdtput(dtb, "-t", "x", "/chosen", "#address-cells", 2)
    fdtput(dtb, "-t", "x", "/chosen", "#size-cells", 2)
    add_module(dtb, layout.kernel_addr, kernel.file_size,
               ["multiboot,kernel", "multiboot,module"], bootargs)
    if initrd:
        add_module(dtb, layout.initrd_addr, os.path.getsize(initrd),
                   ["multiboot,ramdisk", "multiboot,module"])


def check_tools():
    for tool in (QEMU, "fdtput"):
        if not shutil.which(tool):
            raise SetupError("%s is not installed: run make deps (scripts/deps.sh)" % tool)
