"""Debian's Linux under the hypervisor on QEMU virt (4 CPUs), with GICv3 and with
GICv2 (the same hyp.bin): SMP bring-up through the hypervisor's PSCI,
interrupts through the vGIC (timer, IPIs, UART receive), CPU hotplug, power off
and reset."""
import os
import re
import time

import pytest

from conftest import LinuxShell, build_path, qemu_virt_args

HYP = build_path("qemu-virt", "hyp-linux.bin")
BOOT_TIMEOUT = 120


GICS = [pytest.param(3, id="gicv3"), pytest.param(2, id="gicv2")]


@pytest.fixture(params=GICS)
def gic(request):
    return request.param


def boot_to_shell(qemu, gic):
    con = qemu(qemu_virt_args(HYP, gic=gic, smp=4), timeout=BOOT_TIMEOUT)
    con.expect_exact("hyp: starting guest0")
    con.expect_exact("INIT: reached init, 0-3 online")
    con.expect(LinuxShell.PROMPT)
    return con


@pytest.fixture(scope="module", params=GICS)
def linux(request):
    """One guest boot per GIC version, shared by the checks that leave it running."""
    from conftest import QemuConsole
    con = QemuConsole("linux-shared-gicv%d" % request.param,
                      qemu_virt_args(HYP, gic=request.param, smp=4), BOOT_TIMEOUT)
    con.gic = request.param
    con.expect_exact("hyp: GIC: v%d (" % request.param)
    con.expect_exact("hyp: starting guest0")
    con.expect_exact("INIT: reached init, 0-3 online")
    con.expect(LinuxShell.PROMPT)
    yield con, LinuxShell(con)
    con.close()


def test_dmesg_shows_psci_smccc_and_four_cpus(linux):
    con, sh = linux
    dmesg = sh.check("dmesg")
    for line in ["psci: PSCIv1.1 detected in firmware.",
                 "psci: SMC Calling Convention v1.1",
                 "smp: Brought up 1 node, 4 CPUs",
                 "CPU: All CPU(s) started at EL1"]:
        assert line in dmesg, line
    assert "Root IRQ handler: gic_handle_irq" in dmesg
    if con.gic == 3:
        assert "GICv3: CPU3: found redistributor 3" in dmesg
    else:
        assert "GICv3" not in dmesg, "a GICv2 guest must be given a GICv2"


def test_all_cpus_online(linux):
    con, sh = linux
    assert sh.check("cat /sys/devices/system/cpu/online").strip() == "0-3"


def interrupt_counts(sh):
    """/proc/interrupts as {row name: [count per CPU]}."""
    rows = {}
    for line in sh.check("cat /proc/interrupts").splitlines()[1:]:
        parts = line.split()
        if len(parts) < 5:
            continue
        counts = [int(x) for x in parts[1:5] if x.isdigit()]
        if len(counts) == 4:
            name = " ".join(parts[5:]) if parts[0][:-1].isdigit() else " ".join(parts[5:])
            rows[parts[0].rstrip(":") + " " + name] = counts
    return rows


def find_row(rows, pattern):
    hits = [v for k, v in rows.items() if re.search(pattern, k)]
    assert hits, "no /proc/interrupts row matching %r in %s" % (pattern, list(rows))
    return hits[0]


def test_timer_and_ipis_rise_on_every_cpu(linux):
    con, sh = linux
    before = interrupt_counts(sh)
    # Moving tasks between CPUs makes IPIs (rescheduling, function calls); a
    # task sleeping on each CPU is woken by that CPU's own timer.
    sh.check("for c in 0 1 2 3; do taskset -c $c true; taskset -c $c sleep 0.1; done")
    after = interrupt_counts(sh)
    t0, t1 = find_row(before, r"arch_timer"), find_row(after, r"arch_timer")
    for cpu in range(4):
        assert t1[cpu] > t0[cpu], "arch_timer did not tick on CPU%d: %s -> %s" % (cpu, t0, t1)
    ipis = [sum(v) for k, v in after.items() if k.startswith("IPI")]
    assert sum(ipis) > 0, "no IPI delivered: %s" % after


def test_cpu_hotplug_twice(linux):
    con, sh = linux
    for _ in range(2):
        sh.hotplug_secondaries()
    # The CPUs that came back still take timer interrupts: a task sleeping on
    # each CPU is woken by that CPU's own timer (an idle CPU, tickless, may
    # otherwise take none).
    before = find_row(interrupt_counts(sh), r"arch_timer")
    sh.check("for c in 0 1 2 3; do taskset -c $c sleep 0.1; done")
    after = find_row(interrupt_counts(sh), r"arch_timer")
    assert all(a > b for a, b in zip(after, before)), (before, after)


def test_pmu_driver_and_its_interrupt(linux):
    """The guest DT's /pmu gives Linux its PMU driver, as natively, and the
    driver's per-CPU overflow interrupt (PPI 23) on all four CPUs."""
    con, sh = linux
    dmesg = sh.check("dmesg")
    assert re.search(r"hw perfevents: enabled with armv8_pmuv3\w* PMU driver, \d+ counters", dmesg), \
        [l for l in dmesg.splitlines() if "perf" in l or "pmu" in l.lower()]
    lines = [l for l in sh.check("cat /proc/interrupts").splitlines() if "arm-pmu" in l]
    # The chip is "GICv3" on a GICv3, "GIC-0" on a GICv2.
    assert len(lines) == 1 and re.search(r"(GICv3|GIC-0) +23 ", lines[0]), lines


def test_shell_answers_typed_input(linux):
    """Each character typed reaches the guest through the UART receive interrupt
    (SPI 33, hardware-linked through the vGIC)."""
    con, sh = linux
    assert sh.check("echo typed-$((6*7))").strip().endswith("typed-42")


def test_no_unhandled_accesses_logged(linux):
    con, sh = linux
    sh.check("true")
    log = con.tail(10 ** 7)
    assert "unhandled" not in log, [l for l in log.splitlines() if "unhandled" in l]
    assert "injecting" not in log, [l for l in log.splitlines() if "injecting" in l]


def test_poweroff_ends_qemu_with_status_0(qemu, gic):
    con = boot_to_shell(qemu, gic)
    con.send("poweroff -f")
    con.expect_exact("hyp: guest0 powered off: system off")
    assert con.wait_exit(timeout=30) == 0


def test_reboot_restarts_the_guest(qemu, gic):
    con = boot_to_shell(qemu, gic)
    con.send("reboot -f")
    con.expect_exact("hyp: guest0 asked for a reset: system reset")
    # QEMU resets the machine: the hypervisor and the guest boot again.
    con.expect(r"hyp: minimal ARM64 hypervisor")
    con.expect_exact("INIT: reached init, 0-3 online")
    con.expect(LinuxShell.PROMPT)
    con.send("poweroff -f")
    assert con.wait_exit(timeout=30) == 0


def test_job_control_and_plain_poweroff(qemu):
    """What `make run` gives a user: a shell with job control on the console,
    and `poweroff` (through busybox init) ending QEMU with status 0."""
    con = boot_to_shell(qemu, 3)
    sh = LinuxShell(con)
    sh.check("sleep 100 & true")
    assert re.search(r"\[1\]\+?\s+Running\s+sleep 100", sh.check("jobs"))
    assert sh.check("tty").strip() == "/dev/ttyAMA0"
    # Job control is on: the shell puts the command it runs (cut) in a process
    # group of its own and makes that the terminal's foreground group.
    shell_pgid, tty_fg_pgid = sh.check("cut -d' ' -f5,8 /proc/$$/stat").split()
    assert int(tty_fg_pgid) > 0 and tty_fg_pgid != shell_pgid
    con.send("poweroff")
    con.expect_exact("Requesting system poweroff")
    con.expect_exact("hyp: guest0 powered off: system off")
    assert con.wait_exit(timeout=30) == 0


def test_aarch32_user_program(qemu, gic):
    """A 32-bit user program (tests/guests/initramfs/a32-check.S) runs on every
    CPU through a hundred timer ticks with its registers intact, and its read of
    an IPA where the VM has nothing comes back to it as SIGBUS (status 135),
    the abort injected into AArch32 EL0, while the hypervisor names the access
    and carries on."""
    con = boot_to_shell(qemu, gic)
    sh = LinuxShell(con)
    assert "32-bit EL0 Support" in sh.check("dmesg")
    for cpu in range(4):
        out = sh.check("taskset -c %d /bin/a32-check" % cpu)
        assert "a32-check: AArch32 EL0 ok" in out, out
    status, out = sh.run("/bin/a32-check bus")
    assert status == 135, (status, out)
    assert "a32-check: read of an empty IPA returned" not in out
    assert re.search(r"hyp: guest0 vcpu\d: read at IPA 0xa000000 \(pc 0x[0-9a-f]+\) hits nothing",
                     con.tail()), "the hypervisor did not name the access"
    assert sh.check("echo still-$((2+2))").strip().endswith("still-4")
    assert "Internal error" not in sh.check("dmesg")


def test_aarch32_thumb_mmio_steps_two_bytes(qemu, tmp_path):
    """A 16-bit T32 load from the emulated distributor (a32-check thumb, reading
    GICD_IIDR through /dev/mem) is emulated and the guest resumes at the next
    16-bit instruction: the hypervisor steps by the trapped instruction's length
    (ESR_EL2.IL), not by 4. /dev/mem may map the GIC only with iomem=relaxed, so
    Linux is booted from boot modules with that on its command line."""
    from test_modules import (IMAGE, INITRD, INITRD_ADDR, KERNEL, KERNEL_ADDR, RAMDISK,
                              HYP_NONE, loaders, module_dtb)
    dtb = module_dtb(tmp_path, [
        (KERNEL_ADDR, os.path.getsize(IMAGE), KERNEL, "console=ttyAMA0 iomem=relaxed"),
        (INITRD_ADDR, os.path.getsize(INITRD), RAMDISK, None)])
    con = qemu(qemu_virt_args(HYP_NONE, extra=["-dtb", dtb] + loaders(
        (IMAGE, KERNEL_ADDR), (INITRD, INITRD_ADDR))), timeout=BOOT_TIMEOUT)
    con.expect_exact("INIT: reached init, 0-3 online")
    con.expect(LinuxShell.PROMPT)
    sh = LinuxShell(con)
    for cpu in range(4):
        out = sh.check("taskset -c %d /bin/a32-check thumb" % cpu)
        assert "a32-check: T32 MMIO read of GICD_IIDR ok" in out, out


def test_guest_fault_flood_is_rate_limited(qemu):
    """200 processes, each reading another IPA where the VM has nothing (busybox
    devmem; each dies by SIGBUS), so that no two faults in a row are the same:
    the hypervisor names at most 32 of them a second and counts the rest,
    telling the count with the next line it prints after the window."""
    # -icount shift=0: one guest instruction is 1 ns, so the counter the limiter reads
    # follows the guest, not the host: the faults come at the same rate (well above 32
    # a second of counter time) however loaded the host is.
    con = qemu(qemu_virt_args(HYP, gic=3, smp=4, extra=["-icount", "shift=0"]),
               timeout=BOOT_TIMEOUT)
    con.expect_exact("INIT: reached init, 0-3 online")
    con.expect(LinuxShell.PROMPT)
    sh = LinuxShell(con)
    start = len(con.tail(10 ** 7))
    sh.run("for i in $(seq 200); do devmem $((0x0a000000 + i * 8)) 32 2>/dev/null; done; true",
           timeout=120)
    sh.run("sleep 1.5; devmem 0x0a000000 32", timeout=30)
    log = con.tail(10 ** 7)[start:].replace("\r", "")
    named = re.findall(r"^hyp: guest0 vcpu\d: read at IPA 0xa0[0-9a-f]+ .* hits nothing", log, re.M)
    told = re.findall(r"^hyp: guest0: (\d+) more messages? suppressed \(at most 32 a second\)$",
                      log, re.M)
    assert told, "no suppressed count told:\n" + log[-3000:]
    # Every fault is named or counted; the last one, a window later, is named.
    assert len(named) + sum(int(n) for n in told) == 201, (len(named), told)
    assert sh.check("echo alive-$((3*3))").strip().endswith("alive-9")
