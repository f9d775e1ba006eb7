"""The hypervisor on QEMU virt (GICv3, 4 CPUs) running the bare-metal test guest
(tests/guests/testguest): what it read from the DT, every guest check, and the
guest's PSCI SYSTEM_OFF ending QEMU with status 0."""
import re
import subprocess

import pytest

from conftest import build_path, qemu_virt_args, ROOT

HYP = build_path("qemu-virt", "hyp-testguest.bin")

CHECKS_HEAD = ["el1", "dtb", "hvc-psci-version", "smc-psci-version", "hvc-unknown",
               "smc-unknown",
               # the hypervisor's STATS call: not allowed to a VM without "stats"
               "hypsvc-stats",
               "data-abort",
               # what it is told of its CPU (ID registers), SVE where shown
               "id-registers", "sve"]
# The virtual GIC and its interrupts, per version.
CHECKS_GICV3 = ["gicd-id", "gicr-typer", "gicr-waker", "sgi-self", "sgi-overflow-priority",
                "gicv3-groups"]
CHECKS_GICV2 = ["sgi-self", "sgi-overflow-priority",
                "gicv2-sgi-sources", "gicv2-sgi-pend-bits", "gicv2-no-target"]
# The checks about a vCPU's own CPU: on vCPU 0, then again on vCPUs 1-3.
CHECKS_OWN_CPU = [# the EL1 virtual and physical timers: shots, and their level output
                  "vtimer", "ptimer", "timer-level",
                  # exception entry (injected vs the CPU's own), the PMU kept out of EL2,
                  # and its overflow interrupt (the DT's /pmu: PPI 23 on QEMU virt)
                  "exception-entry", "pmu-el2", "pmu-irq"]


def checks_tail(vcpus):
    return (CHECKS_OWN_CPU +
            # CPU_SUSPEND's power_state, and emulated MMIO of a big-endian guest
            ["cpu-suspend-power-state", "mmio-big-endian"] +
            ["vcpu%d %s" % (n, c) for n in range(1, vcpus) for c in CHECKS_OWN_CPU] +
            ["every-vcpu",
             # PSCI CPU_ON of the other vCPUs
             "cpu-on-secondary", "cpu-on-again", "cpu-on-clean-state",
             "cpu-on-bad-mpidr", "cpu-on-bad-entry", "cpu-on-already-on",
             # PSCI and SMCCC as their specifications describe them (psci_conf.c)
             "psci-features", "psci-return-codes", "smccc-version",
             "affinity-info-transitions", "cpu-on-race",
             # faults in a loop: answered, or (the handler itself faults) the vCPU stopped
             "fault-loop", "dead-handler-stopped", "cpu-on-after-stop"])


GUEST_CHECKS = CHECKS_HEAD + CHECKS_GICV3 + checks_tail(4)
GUEST_CHECKS_V2 = CHECKS_HEAD + CHECKS_GICV2 + checks_tail(4)

# A whole run of the test guest prints about 3 KiB; a fault loop that floods would
# print without end (each fault one line, thousands a second).
CONSOLE_LIMIT = 32 * 1024


def test_banner_guest_checks_and_system_off(qemu):
    con = qemu(qemu_virt_args(HYP, gic=3, smp=4), timeout=30)

    # What the hypervisor read from QEMU's device tree.
    m = con.expect(r"hyp: minimal ARM64 hypervisor \(qemu-virt build\), at EL2, "
                   r"image (0x[0-9a-f]+)-(0x[0-9a-f]+)\r")
    image_start, image_end = int(m.group(1), 16), int(m.group(2), 16)
    assert image_start == 0x40200000, "QEMU loads an Image at RAM + 2 MiB"
    con.expect_exact("hyp: RAM: bank 0 0x40000000-0x7fffffff (1024 MiB)")
    con.expect_exact("hyp: CPUs: 4, enable-method psci, firmware PSCI smc")
    con.expect_exact("hyp: GIC: v3 (arm,gic-v3), GICD 0x8000000, GICR 0x80a0000, maintenance INTID 25")
    con.expect_exact("hyp: UART: PL011 at 0x9000000, INTID 33 (/pl011@9000000)")
    con.expect_exact("hyp: timer: INTIDs EL1 phys 30, virt 27, EL2 phys 26; 62500000 Hz")
    con.expect_exact("hyp: 4 of 4 CPUs online")
    # One vCPU per CPU, and all the RAM the hypervisor does not keep (-m 1G).
    m = con.expect(r"hyp: guest0: 4 vCPU\(s\) on CPU0-3, RAM IPA 0x40000000-(0x[0-9a-f]+) at "
                   r"PA (0x[0-9a-f]+) \((\d+) MiB\),")
    ram_end, ram_pa, ram_mib = int(m.group(1), 16), int(m.group(2), 16), int(m.group(3))
    assert ram_pa >= image_end, "guest RAM must not overlap the hypervisor image"
    assert ram_end + 1 - 0x40000000 == ram_mib << 20
    assert ram_pa + (ram_mib << 20) <= 0x80000000, "guest RAM past the end of RAM"
    assert ram_mib >= 1024 - 16, "the hypervisor keeps more than 16 MiB of 1 GiB"

    # The test guest's own checks, in order.
    con.expect_exact("TG: test guest started at EL1")
    for name in GUEST_CHECKS:
        m = con.expect(r"TG: PASS %s\b([^\r\n]*)\r" % re.escape(name))
        if name.endswith("pmu-irq"):  # QEMU virt's PMU PPI, taken on each vCPU
            assert m.group(1).endswith(", INTID 23)"), m.group(1)
        if name == "hypsvc-stats":
            assert m.group(1) == " (not allowed: -1)", m.group(1)
    con.expect_exact("TG: DONE %d passed, 0 failed" % len(GUEST_CHECKS))
    con.expect_exact("hyp: guest0 powered off: system off")
    assert con.wait_exit(timeout=20) == 0


@pytest.mark.parametrize("cpu,stage2,sve,pauth", [
    ("cortex-a53", "CPU PA size 40 bits, 40-bit IPAs, walks from level 1, 2 root tables", "no",
     "no"),
    ("max", "CPU PA size 52 bits, 48-bit IPAs, walks from level 0, 1 root table", "yes", "yes")])
def test_guest_checks_on_other_cpus(qemu, cpu, stage2, sve, pauth):
    """Every guest check on a 40-bit-PA core (stage 2 with a concatenated root)
    and on QEMU's max (SVE, SME hidden, PAuth, RAS): the ID registers it reads,
    SVE, and a CPU_ON'd vCPU finding no FP/SVE/PAuth value of its past life."""
    con = qemu(qemu_virt_args(HYP, gic=3, smp=4, cpu=cpu), timeout=30)
    con.expect_exact("hyp: stage 2: " + stage2)
    con.expect_exact("TG: test guest started at EL1")
    for name in GUEST_CHECKS:
        m = con.expect(r"TG: PASS %s\b([^\r\n]*)\r" % re.escape(name))
        if name == "id-registers":
            assert m.group(1).endswith("SVE %s, PAuth %s)" % (sve, pauth)), m.group(1)
        if name == "cpu-on-clean-state" and sve == "yes":
            assert m.group(1) == " (FP/SIMD, SVE, PAuth keys)", m.group(1)
    con.expect_exact("TG: DONE %d passed, 0 failed" % len(GUEST_CHECKS))
    assert con.wait_exit(timeout=20) == 0


@pytest.mark.parametrize("cpu", ["cortex-a57", "max"])
def test_guest_checks_on_gicv2(qemu, cpu):
    """The same guest on a GICv2 VM: the version-neutral checks, and the GICv2
    distributor's own (per-source SGI pending state, read-only SGI bits of
    ISPENDR0/ICPENDR0, an SPI with no target)."""
    con = qemu(qemu_virt_args(HYP, gic=2, smp=4, cpu=cpu), timeout=30)
    con.expect_exact("TG: test guest started at EL1")
    for name in GUEST_CHECKS_V2:
        m = con.expect(r"TG: PASS %s\b([^\r\n]*)\r" % re.escape(name))
        if name.endswith("pmu-irq"):
            assert m.group(1).endswith(", INTID 23)"), m.group(1)
    con.expect_exact("TG: DONE %d passed, 0 failed" % len(GUEST_CHECKS_V2))
    assert con.wait_exit(timeout=20) == 0


@pytest.mark.parametrize("smp,gic", [
    pytest.param(16, 3, id="smp16-gicv3"),
    pytest.param(8, 2, id="smp8-gicv2"),
])
def test_guest_checks_on_the_most_cpus(qemu, smp, gic):
    """The most CPUs each GIC takes (NR_CPUS is 16; a GICv2 targets 8): one vCPU
    per CPU, each redistributor frame naming its vCPU, the per-CPU checks passing
    on every vCPU, and no register access the vGIC does not handle. On GICv3,
    gicd-id checks GICD_TYPER's 3-bit CPUNumber: with 16 vCPUs it once spilled
    into the ESPI bit and sent Linux to extended SPI registers that are not there."""
    con = qemu(qemu_virt_args(HYP, gic=gic, smp=smp), timeout=60)
    con.expect_exact("hyp: %d of %d CPUs online" % (smp, smp))
    con.expect_exact("hyp: guest0: %d vCPU(s) on CPU0-%d," % (smp, smp - 1))
    con.expect(r"TG: PASS dtb \(0x[0-9a-f]+ bytes at 0x[0-9a-f]+, %d CPUs\)" % smp)
    checks = CHECKS_HEAD[2:] + (CHECKS_GICV3 if gic == 3 else CHECKS_GICV2) + checks_tail(smp)
    for name in checks:
        con.expect(r"TG: PASS %s\b" % re.escape(name))
    con.expect_exact("TG: DONE %d passed, 0 failed" % (len(checks) + 2))
    assert con.wait_exit(timeout=20) == 0
    assert "unhandled" not in con.tail(1 << 20)


def test_unmapped_access_is_reported_and_injected(qemu):
    """The guest's load from 0x0a000000 (nothing mapped) is named on the console
    and comes back to the guest as an abort; the hypervisor carries on."""
    con = qemu(qemu_virt_args(HYP), timeout=30)
    con.expect(r"hyp: guest0 vcpu0: read at IPA 0xa000000 \(pc 0x[0-9a-f]+\) hits nothing: "
               r"injecting an external abort")
    con.expect(r"TG: PASS data-abort")
    assert con.wait_exit(timeout=20) == 0


def test_fault_loops_do_not_flood_the_console(qemu):
    """A hole read 50 times from one PC, the guest's handler answering each time,
    is named once and counted, and the vCPU keeps running; vCPU 1, whose exception
    handler at 0x200 has nothing behind it, is named once, then stopped (the guest
    sees it OFF and starts it again); the whole run's console stays small."""
    con = qemu(qemu_virt_args(HYP, gic=3, smp=4), timeout=30)
    m = con.expect(r"TG: PASS fault-loop \(50 aborts at pc (0x[0-9a-f]+)\)")
    loop_pc = int(m.group(1), 16)
    con.expect(r"TG: DONE \d+ passed, 0 failed")
    assert con.wait_exit(timeout=20) == 0
    log = con.tail(n=10 ** 7).replace("\r", "")
    assert len(log) < CONSOLE_LIMIT, "console of %d bytes" % len(log)

    # vCPU 0's loop: one line for its load, the count when the next fault (another PC) comes.
    loop = re.findall(r"^hyp: guest0 vcpu0: read at IPA 0xa000040 \(pc (0x[0-9a-f]+)\) hits "
                      r"nothing: injecting an external abort$", log, re.M)
    assert len(loop) == 2 and int(loop[0], 16) == loop_pc and int(loop[1], 16) != loop_pc, loop
    counts = r"^hyp: guest0 vcpu0: \(last fault repeated (\d+) more times?\)$"
    after_loop = log[log.index("(pc 0x%x)" % loop_pc):]
    assert re.findall(counts, after_loop, re.M) == ["49"], after_loop
    assert after_loop.index("vcpu0: (last fault") < after_loop.index("(pc %s)" % loop[1])
    assert "vcpu0: stopped" not in log
    # Earlier, the exception-entry check's 6 aborts from one load: one line, then the count.
    entry = re.findall(r"^hyp: guest0 vcpu0: read at IPA 0xa000080 ", log, re.M)
    assert len(entry) == 1 and re.findall(counts, log, re.M)[0] == "5", log

    # vCPU 1's dead handler: its first fault (the hole), its handler's fault named once, stopped.
    assert len(re.findall(r"^hyp: guest0 vcpu1: read at IPA 0xa000000 ", log, re.M)) == 1
    fetch = re.findall(r"^hyp: guest0 vcpu1: instruction fetch from IPA 0x200 outside its "
                       r"memory: injecting an external abort$", log, re.M)
    assert len(fetch) == 1, fetch
    stopped = re.findall(r"^hyp: guest0 vcpu1: stopped: .*$", log, re.M)
    assert stopped == ["hyp: guest0 vcpu1: stopped: its exception handler at 0x200 faults "
                       "(IPA 0x200), 8 times in a row"], stopped
    assert "vcpu1: (last fault" not in log, "the stop line counts the handler's faults"
    # vCPU 0 still runs: the VM has not lost its last vCPU.
    assert "last running vCPU" not in log


def test_wrong_exception_level_is_reported(qemu):
    """Without virtualization=on QEMU starts the image at EL1: the hypervisor
    says why it cannot run instead of hanging silently."""
    con = qemu(qemu_virt_args(HYP, virtualization=False), timeout=30)
    con.expect_exact("hyp: entered at EL1, but the hypervisor must be started at EL2.")
    con.expect_exact("hyp: parking this CPU.")


@pytest.mark.parametrize("node,message", [
    pytest.param("/timer", r"host device tree: .*timer", id="no-timer"),
    pytest.param("/cpus", r"host device tree: .*cpus", id="no-cpus"),
    pytest.param("/intc@8000000", r"host device tree: .*(GIC|interrupt controller)", id="no-gic"),
])
def test_malformed_host_dt_gives_a_clear_error(qemu, tmp_path, node, message):
    """A host DT missing a node the hypervisor needs stops it with a panic that
    names the problem, on the early console."""
    dtb = tmp_path / "broken.dtb"
    subprocess.run(["cp", ROOT + "/tests/dtbs/qemu-virt-gicv3.dtb", str(dtb)], check=True)
    subprocess.run(["fdtput", "-r", str(dtb), node], check=True)
    con = qemu(qemu_virt_args(HYP, extra=["-dtb", str(dtb)]), timeout=30)
    m = con.child.expect([r"hyp: PANIC on CPU0: ([^\r\n]*)\r", "TG: "], timeout=30)
    assert m == 0, "the hypervisor booted a guest with a broken DT"
    assert re.search(message, con.child.match.group(1), re.I), con.child.match.group(1)
