"""VMs defined at boot by Xen's dom0less binding (issue 22, step 4): nodes with
compatible = "xen,domain" under /chosen, as Xen's ImageBuilder and U-Boot
scripts write them, read by hyp-none.bin (no guest linked in). The DTB is
QEMU's own (-M ...,dumpdtb=) with the domain nodes merged in by dtc, and every
module is put in RAM by QEMU's generic loader. Each domain gets its own CPUs,
RAM and console; a domain that cannot be met is refused with a message naming
it and what is wrong, and the others still boot."""
import os
import re
import subprocess

import pytest

from conftest import LinuxShell, build_path, qemu_virt_args

HYP_NONE = build_path("qemu-virt", "hyp-none.bin")
HYP_TG = build_path("qemu-virt", "hyp-testguest.bin")
TESTGUEST = build_path("guests", "testguest.bin")
IMAGE = build_path("guest", "Image")
INITRD = build_path("guest", "initrd.gz")
MiB = 1 << 20


class Domain:
    """One "xen,domain" node and the modules it names: [(kind, file, addr)]."""

    def __init__(self, name, cpus, mem_mib, modules, bootargs=None, extra="", noload=()):
        self.name, self.cpus, self.mem_mib = name, cpus, mem_mib
        self.modules, self.bootargs, self.extra = modules, bootargs, extra
        self.noload = noload  # modules the node names but QEMU does not load

    def dts(self):
        mods = []
        for kind, path, addr in self.modules:
            size = os.path.getsize(path)
            args = ""
            if kind == "kernel" and self.bootargs:
                args = '\n\t\t\t\tbootargs = "%s";' % self.bootargs
            mods.append('\t\t\tmodule@%x {\n\t\t\t\tcompatible = "multiboot,%s", '
                        '"multiboot,module";\n\t\t\t\treg = <0x0 0x%x 0x0 0x%x>;%s\n\t\t\t};'
                        % (addr, kind, addr, size, args))
        return ('\t\t%s {\n\t\t\tcompatible = "xen,domain";\n\t\t\t#address-cells = <2>;\n'
                '\t\t\t#size-cells = <2>;\n\t\t\tcpus = <%d>;\n\t\t\tmemory = <0x0 0x%x>;\n'
                '\t\t\tvpl011;\n%s%s\n\t\t};' % (self.name, self.cpus, self.mem_mib * 1024,
                                                 self.extra, "\n".join(mods)))

    def loaders(self):
        args = []
        for _, path, addr in [m for m in self.modules if m[2] not in self.noload]:
            args += ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (path, addr)]
        return args




def dom0less_dtb(tmp_path, domains, gic=3, smp=4, mem="1G"):
    """QEMU's DTB for this machine with @domains merged under /chosen (dtc
    merges a second '/ { chosen { ... }; };' block into the tree)."""
    host = str(tmp_path / "host.dtb")
    subprocess.run(["qemu-system-aarch64", "-M", "virt,gic-version=%d,virtualization=on,dumpdtb=%s"
                    % (gic, host), "-cpu", "cortex-a57", "-smp", str(smp), "-m", mem,
                    "-nographic", "-net", "none"], check=True, timeout=60, capture_output=True)
    return merge_domains(tmp_path, host, domains)


def merge_domains(tmp_path, host, domains):
    """@host (a DTB) with @domains merged under /chosen."""
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", host], check=True,
                         capture_output=True, text=True).stdout
    dts += "\n/ {\n\tchosen {\n%s\n\t};\n};\n" % "\n".join(d.dts() for d in domains)
    (tmp_path / "dom0less.dts").write_text(dts)
    out = str(tmp_path / "dom0less.dtb")
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out,
                    str(tmp_path / "dom0less.dts")], check=True)
    return out


def boot(qemu, tmp_path, domains, hyp=HYP_NONE, gic=3, smp=4, mem="1G", timeout=60):
    dtb = dom0less_dtb(tmp_path, domains, gic, smp, mem)
    extra = ["-dtb", dtb] + [a for d in domains for a in d.loaders()]
    return qemu(qemu_virt_args(hyp, gic=gic, smp=smp, mem=mem, extra=extra), timeout=timeout)


VM_LINE = (r"hyp: %s: (\d+) vCPU\(s\) on CPU([0-9,-]+), RAM IPA 0x40000000-(0x[0-9a-f]+) at PA "
           r"(0x[0-9a-f]+) \((\d+) MiB\), [^\r\n]*console emulated PL011")


def expect_vm(con, name):
    m = con.expect(VM_LINE % name)
    return dict(vcpus=int(m.group(1)), cpus=m.group(2), pa=int(m.group(4), 16),
                mib=int(m.group(5)))


def expect_done(con, names):
    """Each test guest's DONE line. A VM's line the console cut ends in " [...]"
    (core/console.c), so only whole lines match; each VM is counted once."""
    done = {}
    for _ in range(2 * len(names)):
        if sorted(done) == sorted(names):
            break
        m = con.expect(r"\((\w+)\) TG: DONE (\d+) passed, (\d+) failed(?:, (\d+) skipped)?\r")
        done[m.group(1)] = (int(m.group(2)), int(m.group(3)))
    assert sorted(done) == sorted(names), done
    for vm, (passed, failed) in done.items():
        assert failed == 0 and passed >= 40, (vm, passed, failed, con.tail())


def tg_domains(*names_cpus_mib):
    """Test-guest domains at 0x50000000, 0x51000000, ... (the test guest is < 1 MiB)."""
    return [Domain(n, c, m, [("kernel", TESTGUEST, 0x50000000 + i * 0x1000000)])
            for i, (n, c, m) in enumerate(names_cpus_mib)]


@pytest.mark.parametrize("gic", [3, 2])
def test_two_domains_from_the_dt(qemu, tmp_path, gic):
    """Two "xen,domain" test guests, 2 vCPUs and 256 MiB each, on -smp 4: both
    run every check in their own partition, named as their nodes are."""
    con = boot(qemu, tmp_path, tg_domains(("domU1", 2, 256), ("domU2", 2, 256)), gic=gic)
    con.expect_exact('hyp: 2 VM(s) defined by "xen,domain" nodes under /chosen')
    a, b = expect_vm(con, "domU1"), expect_vm(con, "domU2")
    assert (a["cpus"], b["cpus"]) == ("0-1", "2-3")
    assert a["mib"] == b["mib"] == 256 and a["vcpus"] == b["vcpus"] == 2
    assert a["pa"] + (256 * MiB) <= b["pa"] or b["pa"] + (256 * MiB) <= a["pa"]
    expect_done(con, ["domU1", "domU2"])
    con.expect_exact("hyp: every VM is off: system off")
    assert con.wait_exit(timeout=20) == 0
    log = con.tail(1 << 20).replace("\r", "")
    for vm in ("domU1", "domU2"):
        assert re.search(r"\(%s\) TG: PASS dtb \([^)]*, 2 CPUs\)" % vm, log), vm


def test_dt_domains_replace_the_compiled_in_vms(qemu, tmp_path):
    """hyp-testguest.bin has a compiled-in VM (guest0); a DT with domains runs
    those instead, as Xen's dom0less boot does."""
    con = boot(qemu, tmp_path, tg_domains(("solo", 3, 128)), hyp=HYP_TG)
    con.expect_exact('hyp: 1 VM(s) defined by "xen,domain" nodes under /chosen')
    assert expect_vm(con, "solo")["vcpus"] == 3
    expect_done(con, ["solo"])
    con.expect_exact("hyp: every VM is off: system off")
    assert con.wait_exit(timeout=20) == 0
    assert "guest0" not in con.tail(1 << 20)


# Each bad domain, next to a good one that must still boot: (domain, message).
REFUSALS = [
    pytest.param(Domain("big", 3, 128, [("kernel", TESTGUEST, 0x51000000)]),
                 "hyp: big: refused: cpus: 3 vCPUs asked for, 2 of the 4 CPUs online are free",
                 id="more-vcpus-than-free-cpus"),
    pytest.param(Domain("fat", 1, 2048, [("kernel", TESTGUEST, 0x51000000)]),
                 "hyp: fat: refused: memory: 2048 MiB asked for, the largest free block of RAM is ",
                 id="not-enough-ram"),
    # Its ramdisk is inside the good domain's kernel (QEMU would refuse to load it there).
    pytest.param(Domain("overlap", 1, 128, [("kernel", TESTGUEST, 0x51000000),
                                            ("ramdisk", TESTGUEST, 0x50001000)],
                        noload=(0x50001000,)),
                 "hyp: refused: /chosen/overlap: module at 0x50001000", id="overlapping-modules"),
    pytest.param(Domain("nokernel", 1, 128, [("ramdisk", TESTGUEST, 0x51000000)]),
                 "hyp: refused: /chosen/nokernel: no \"multiboot,kernel\" module",
                 id="missing-kernel"),
    pytest.param(Domain("odd", 1, 1, [("kernel", TESTGUEST, 0x51000000)]),
                 "hyp: refused: /chosen/odd: memory = <1024> KiB", id="memory-not-2mib"),
]


def passthrough_dtb(tmp_path, name):
    """A partial DT ("multiboot,device-tree") passing QEMU virt's PL031 RTC through:
    its registers at their own address and its interrupt, SPI 2 (INTID 34)."""
    dts = tmp_path / ("%s.dts" % name)
    dts.write_text("""/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	passthrough {
		compatible = "simple-bus";
		ranges;
		#address-cells = <2>;
		#size-cells = <2>;
		rtc@9010000 {
			compatible = "arm,pl031", "arm,primecell";
			reg = <0x0 0x9010000 0x0 0x1000>;
			interrupts = <0 2 4>;
			xen,reg = <0x0 0x9010000 0x0 0x1000 0x0 0x9010000>;
			xen,path = "/pl031@9010000";
		};
	};
};
""")
    out = str(tmp_path / ("%s.dtb" % name))
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", out, str(dts)], check=True)
    return out


def test_a_device_given_twice_is_refused(qemu, tmp_path):
    """Two domains each pass the PL031 through (a "multiboot,device-tree"
    module with a /passthrough node, as Xen's dom0less binding has it): the
    first takes it, the second is refused naming the device, and the first
    still runs every check."""
    doms = []
    for i, name in enumerate(("first", "second")):
        dtb = passthrough_dtb(tmp_path, name)
        doms.append(Domain(name, 2, 128, [("kernel", TESTGUEST, 0x50000000 + i * 0x1000000),
                                          ("device-tree", dtb, 0x50800000 + i * 0x1000000)]))
    con = boot(qemu, tmp_path, doms)
    con.expect_exact("hyp: second: refused: passthrough: /pl031@9010000 is already another VM's")
    expect_done(con, ["first"])
    con.expect_exact("hyp: every VM is off: system off")
    assert con.wait_exit(timeout=20) == 0
    assert "(second)" not in con.tail(1 << 20)


@pytest.mark.parametrize("bad,message", REFUSALS)
def test_a_refused_domain_leaves_the_others_booting(qemu, tmp_path, bad, message):
    good = tg_domains(("good", 2, 256))[0]
    con = boot(qemu, tmp_path, [good, bad])
    con.expect_exact(message)
    expect_done(con, ["good"])
    con.expect_exact("hyp: every VM is off: system off")
    assert con.wait_exit(timeout=20) == 0
    log = con.tail(1 << 20)
    assert re.search(VM_LINE % "good", log)
    assert "(%s)" % bad.name not in log and "starting %s" % bad.name not in log


def test_hard_affinity_and_the_hardware_domain(qemu, tmp_path):
    """Xen's later properties: "xen,vcpu" children pin vCPUs to CPUs
    (hard-affinity), and capabilities = <DOMAIN_CAPS_HARDWARE> makes a domain's
    SYSTEM_OFF the machine's, as Xen's hardware domain's is. The pinned domain
    is served first; the other takes the CPUs left. Its power-off takes the
    Linux domain down with the machine."""
    pinned = Domain("pinned", 2, 128, [("kernel", TESTGUEST, 0x50000000)], extra=(
        '\t\t\tcapabilities = <2>;\n'
        '\t\t\tvcpu0 { compatible = "xen,vcpu"; id = <0>; hard-affinity = "3"; };\n'
        '\t\t\tvcpu1 { compatible = "xen,vcpu"; id = <1>; hard-affinity = "1"; };\n'))
    linux = Domain("linux", 2, 384, [("kernel", IMAGE, 0x51000000),
                                     ("ramdisk", INITRD, 0x51000000 + 48 * MiB)],
                   bootargs="console=ttyAMA0 earlycon")
    con = boot(qemu, tmp_path, [linux, pinned], timeout=120)
    # Built in DT order, though the pinned one was served first.
    assert expect_vm(con, "linux")["cpus"] == "0,2"
    assert expect_vm(con, "pinned")["cpus"] == "3,1"
    expect_done(con, ["pinned"])
    con.expect_exact("hyp: pinned powered off: system off")
    assert con.wait_exit(timeout=20) == 0
    log = con.tail(1 << 20)
    assert "hyp: every VM is off" not in log and "hyp: linux: off" not in log


PROBE = ("echo %s$((6*7))-$(grep -c ^processor /proc/cpuinfo)-"
         "$(sed -n 's/MemTotal: *//p' /proc/meminfo)")


def probe(con, vm, tag, cpus, mib):
    con.send(PROBE % tag)
    m = con.expect(r"\((\w+)\) %s42-(\d+)-(\d+) kB" % tag, timeout=60)
    assert m.group(1) == vm, "%s answered for %s" % (m.group(1), vm)
    assert int(m.group(2)) == cpus
    assert (mib - 80) * 1024 < int(m.group(3)) <= mib * 1024, m.group(3)


def check_interrupts(sh, cpus):
    """/proc/interrupts shows the VM's own CPUs and, of the GIC's interrupts,
    only its timer, its PMU and its (emulated) UART: none of the machine's other devices."""
    lines = [re.sub(r"^\(\w+\) ", "", l) for l in sh.check("cat /proc/interrupts").split("\n")]
    header = [l for l in lines if re.match(r"^ +CPU0", l)]
    assert header and header[0].split() == ["CPU%d" % i for i in range(cpus)], lines
    gic = {(int(m.group(1)), m.group(2)) for l in lines
           for m in [re.search(r"GICv[23] +(\d+) +\w+ +(\S+)", l)] if m}
    assert gic == {(23, "arm-pmu"), (27, "arch_timer"), (33, "uart-pl011")}, gic


def test_two_linux_domains_from_the_dt(qemu, tmp_path):
    """Two Debian kernels as "xen,domain" nodes with kernel, ramdisk and
    bootargs modules, 3 and 1 vCPUs: each shell sees only what its node gave it."""
    k, r = os.path.getsize(IMAGE), os.path.getsize(INITRD)
    base = 0x50000000
    step = (k + r + 4 * MiB) // (2 * MiB) * (2 * MiB)
    domains = [Domain("linux%d" % i, cpus, mib,
                      [("kernel", IMAGE, base + i * step),
                       ("ramdisk", INITRD, base + i * step + (k + 2 * MiB) // (2 * MiB) * 2 * MiB)],
                      bootargs="console=ttyAMA0 earlycon dom=%d" % i)
               for i, (cpus, mib) in enumerate([(3, 384), (1, 256)])]
    con = boot(qemu, tmp_path, domains, mem="2G", timeout=240)
    assert expect_vm(con, "linux0")["cpus"] == "0-2"
    assert expect_vm(con, "linux1")["cpus"] == "3"
    con.expect(r"\(linux\d\) INIT: reached init", timeout=240)
    con.expect(r"\(linux\d\) INIT: reached init", timeout=240)
    con.send("")
    con.expect(r"\(linux0\) / # ", timeout=60)
    probe(con, "linux0", "A", 3, 384)
    sh = LinuxShell(con)
    assert "dom=0" in sh.check("cat /proc/cmdline")
    check_interrupts(sh, 3)
    con.child.send("\x01\x01" * 3)
    con.expect_exact("hyp: console input now goes to linux1 (Ctrl-A three times switches)")
    probe(con, "linux1", "B", 1, 256)
    assert "dom=1" in sh.check("cat /proc/cmdline")
    check_interrupts(sh, 1)
    con.send("poweroff")
    con.expect_exact("hyp: linux1: off", timeout=60)
    con.child.send("\x01\x01" * 3)
    con.expect_exact("hyp: console input now goes to the hypervisor")
    con.child.send("\x01\x01" * 3)
    con.expect_exact("hyp: console input now goes to linux0")
    con.send("poweroff")
    con.expect_exact("hyp: every VM is off: system off", timeout=60)
    assert con.wait_exit(timeout=30) == 0
