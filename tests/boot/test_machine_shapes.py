"""The default VM takes the machine it boots on (issue 21): a vCPU for every
CPU QEMU was started with and all the RAM the hypervisor does not keep. Linux
under the hypervisor on QEMU virt with -smp 1, 2 and 8 and -m 512M and 2G,
GICv3 and GICv2: the hypervisor's own line says what the VM got, and Linux
sees exactly that (its CPUs online, the RAM its "Memory:" line counts)."""
import os
import re
import subprocess
import time

import pytest

from conftest import LinuxShell, ROOT, build_path, qemu_virt_args

HYP = build_path("qemu-virt", "hyp.bin")
HYP_NONE = build_path("qemu-virt", "hyp-none.bin")
BOOT_TIMEOUT = 180


@pytest.mark.parametrize("smp,mem,gic", [
    pytest.param(1, "1G", 3, id="smp1-1G-gicv3"),
    pytest.param(2, "512M", 3, id="smp2-512M-gicv3"),
    pytest.param(2, "2G", 2, id="smp2-2G-gicv2"),
    pytest.param(8, "1G", 3, id="smp8-1G-gicv3"),
    pytest.param(3, "4G", 3, id="smp3-4G-gicv3"),
])
def test_default_vm_takes_the_machine(qemu, smp, mem, gic):
    con = qemu(qemu_virt_args(HYP, gic=gic, smp=smp, mem=mem), timeout=BOOT_TIMEOUT)
    con.expect_exact("hyp: %d of %d CPUs online" % (smp, smp))
    m = con.expect(r"hyp: guest0: (\d+) vCPU\(s\) on CPU0(?:-(\d+))?, RAM IPA (0x[0-9a-f]+)-"
                   r"(0x[0-9a-f]+) at PA (0x[0-9a-f]+) \((\d+) MiB\)")
    vcpus, last, ram_mib = int(m.group(1)), int(m.group(2) or 0), int(m.group(6))
    machine_mib = int(mem[:-1]) << (10 if mem.endswith("G") else 0)
    assert (vcpus, last) == (smp, smp - 1)
    # All of RAM but the hypervisor's image (with the guest linked in) and QEMU's DTB.
    assert machine_mib - 64 <= ram_mib < machine_mib, (ram_mib, machine_mib)

    # Linux counts every page of that RAM ("Memory: <free>K/<total>K available").
    m = con.expect(r"Memory: \d+K/(\d+)K available", timeout=BOOT_TIMEOUT)
    assert int(m.group(1)) == ram_mib * 1024
    con.expect_exact("INIT: reached init, %s online" % ("0" if smp == 1 else "0-%d" % (smp - 1)),
                     timeout=BOOT_TIMEOUT)
    con.expect(LinuxShell.PROMPT, timeout=BOOT_TIMEOUT)
    sh = LinuxShell(con)
    assert sh.check("grep -c ^processor /proc/cpuinfo").strip() == str(smp)
    con.send("poweroff -f")
    assert con.wait_exit(timeout=60) == 0


@pytest.mark.parametrize("args,message", [
    (["CPUS=0"], "CPUS=0"),
    (["CPUS=17"], "CPUS=17: QEMU virt with GICv3 can run this hypervisor with 1 to 16 CPUs"),
    (["CPUS=9", "GIC=2"], "CPUS=9: QEMU virt with GICv2 can run this hypervisor with 1 to 8"),
    (["CPUS=two"], "CPUS=two"),
    (["MEM=1T"], "MEM=1T"),
    (["MEM=lots"], "MEM=lots"),
    (["MEM=64M"], "MEM=64M"),
])
def test_make_run_refuses_a_machine_it_cannot_take(args, message):
    """make run checks CPUS= and MEM= itself, before QEMU starts, and names them."""
    out = subprocess.run(["make", "--no-print-directory", "-n", "run"] + args,
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert message in out.stderr, out.stderr


def cpu_seconds(pid):
    """User + system CPU time of process @pid so far, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize("smp,gic", [
    pytest.param(4, 3, id="smp4-gicv3"),
    pytest.param(8, 2, id="smp8-gicv2"),
])
def test_panic_stops_every_cpu_and_qemu_idles(qemu, smp, gic):
    """A panic (here: hyp-none.bin has no VM to build, after every CPU came up)
    stops the other CPUs by SGI, each one says it parked, and the halted
    machine costs its host nothing: QEMU's CPU time over 5 s of wall time stays
    under 10% of one core (a CPU spinning in WFE under QEMU would use all of one)."""
    con = qemu(qemu_virt_args(HYP_NONE, gic=gic, smp=smp), timeout=60)
    con.expect_exact("hyp: %d of %d CPUs online" % (smp, smp))
    con.child.expect(r"hyp: PANIC on CPU0: [^\r\n]*\r")
    con.expect_exact("hyp: %d of %d other CPUs stopped" % (smp - 1, smp - 1))
    con.expect_exact("hyp: system halted")
    before = cpu_seconds(con.child.pid)
    time.sleep(5)
    used = cpu_seconds(con.child.pid) - before
    assert con.child.isalive()
    assert used < 0.5, "QEMU used %.2f s of CPU in 5 s after the halt" % used
