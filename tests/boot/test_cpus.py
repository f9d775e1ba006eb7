"""Debian's Linux under the hypervisor on every QEMU CPU model we support
(issue 14): 40-bit-PA cores, SVE and pointer-authentication cores, `max` with
and without MTE, on GICv3 and GICv2.

One boot per matrix entry (the `guest` fixture), shared by the checks below:
the shell with CPUs 0-3 online; no panic, Oops or feature sanity warning in
dmesg and no "unhandled trap" (or instruction fetch outside the guest's
memory) on the hypervisor's console; CPU 1-3 hotplug; the /proc/cpuinfo
Features are the model's; on the SVE models the initramfs's sve-check
(tests/guests/initramfs/sve-check.c) computes with SVE on every CPU, at every
vector length the model has, before and after hotplug; `poweroff` ends QEMU
with status 0.

What the model has is taken from QEMU itself: before the hypervisor boot, the
same kernel and initramfs are booted natively on the same -cpu (no EL2, -smp 1;
about 2 s, once per model and run), and the guest's Features must equal the
native ones minus what the hypervisor hides on purpose (SME_FLAGS, MTE_FLAGS
without mte=on, POLICY_FLAGS). That comparison does not depend on a
hand-written list of what each model has. NATIVE below records what
QEMU 10.0 and Debian's 6.1 kernel advertise today; test_native_matches_table
checks it against the native boot, so a QEMU or kernel update shows up as "the
table is stale", never as a hypervisor failure. The per-model facts the issue
names (sve, sve2, paca/pacg, mte only with mte=on, never sme) are checked
explicitly as well.

The default run (make test) has one 40-bit model and one SVE/PAuth model on
each GIC (cortex-a53, neoverse-n2); the whole matrix, 13 entries, runs with
`make test-matrix` (HYP_CPU_MATRIX=1); the rest are reported as skipped.
A boot that cannot reach the shell fails every check of its entry with the
one console line that stopped it (e.g. "unhandled trap EC 0x19").
"""
import os
import re

import pytest

from conftest import BootError, LinuxShell, QemuConsole, build_path, qemu_virt_args

HYP = build_path("qemu-virt", "hyp-linux.bin")
BOOT_TIMEOUT = 180
FULL_MATRIX = os.environ.get("HYP_CPU_MATRIX", "") not in ("", "0")

# Flags the hypervisor hides from its guests on purpose: SME (and its
# sub-features), and MTE unless the machine has tag memory (mte=on). With
# Debian's 6.1 kernel (CONFIG_ARM64_SME unset) no "sme" flag shows even
# natively, and QEMU's max has no MTE without mte=on, so these two change
# nothing today: the "no sme" check is vacuous with this kernel.
SME_FLAGS = {"sme", "sme2", "sme2p1", "smei16i64", "smef64f64", "smei8i32", "smef16f32",
             "smeb16f32", "smef32f32", "smefa64", "smei16i32", "smebi32i32", "smef16f16",
             "smelutv2", "smef8f16", "smef8f32", "smesf8fma", "smesf8dp4", "smesf8dp2"}
MTE_FLAGS = {"mte", "mte3", "mtefar", "mtestoreonly"}
# Flags the hypervisor hides by policy beyond SME and MTE: none today (ECV is
# passed, capped at the self-synchronized counter reads; arch/arm64/cpufeature.c).
POLICY_FLAGS = set()

# /proc/cpuinfo Features as QEMU 10.0.2 advertises them to Debian's
# 6.1.0 kernel, booted natively (no hypervisor) on `-M virt[,mte=on] -cpu MODEL`,
# with sve-check's default vector length and the lengths it could set.
_BASE = "fp asimd evtstrm aes pmull sha1 sha2 crc32"
_V82 = _BASE + " atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp"
NATIVE = {
    "cortex-a53": dict(features=_BASE + " cpuid"),
    "cortex-a55": dict(features=_V82),
    "cortex-a57": dict(features=_BASE + " cpuid"),
    "cortex-a72": dict(features=_BASE + " cpuid"),
    "cortex-a76": dict(features=_V82),
    "neoverse-n1": dict(features=_V82),
    "cortex-a710": dict(
        features=_BASE + " atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 "
        "sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm sb paca pacg dcpodp sve2 "
        "sveaes svepmull svebitperm svesha3 svesm4 flagm2 frint svei8mm svebf16 i8mm bf16 bti",
        sve_vl=16, sve_vls=[16]),
    "neoverse-n2": dict(
        features=_BASE + " atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 "
        "sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm sb paca pacg dcpodp sve2 "
        "sveaes svepmull svebitperm svesha3 svesm4 flagm2 frint svei8mm svebf16 i8mm bf16 dgh "
        "rng bti",
        sve_vl=16, sve_vls=[16]),
    "neoverse-v1": dict(
        features=_BASE + " atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 "
        "sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm paca pacg dcpodp svei8mm "
        "svebf16 i8mm bf16 dgh rng",
        sve_vl=32, sve_vls=[16, 32]),
    "max": dict(
        features=_BASE + " atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 "
        "sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs sb paca pacg dcpodp "
        "sve2 sveaes svepmull svebitperm svesha3 svesm4 flagm2 frint svei8mm svef32mm svef64mm "
        "svebf16 i8mm bf16 dgh rng bti ecv afp rpres wfxt ebf16 sveebf16",
        sve_vl=64, sve_vls=[16, 32, 64, 128, 256]),
    "max,mte=on": dict(
        features=_BASE + " atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 "
        "sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs sb paca pacg dcpodp "
        "sve2 sveaes svepmull svebitperm svesha3 svesm4 flagm2 frint svei8mm svef32mm svef64mm "
        "svebf16 i8mm bf16 dgh rng bti mte ecv afp rpres mte3 wfxt ebf16 sveebf16",
        sve_vl=64, sve_vls=[16, 32, 64, 128, 256]),
}


class Case:
    """One matrix entry: a GIC version, a -cpu model, MTE on or off, and what
    the issue says the guest must see."""

    def __init__(self, gic, cpu, mte=False, sve=False, sve2=False, pauth=False, default=False):
        self.gic, self.cpu, self.mte = gic, cpu, mte
        self.sve, self.sve2, self.pauth = sve, sve2, pauth
        self.default = default
        self.key = cpu + (",mte=on" if mte else "")      # NATIVE key
        self.id = "gicv%d-%s%s" % (gic, cpu, "-mte" if mte else "")

    def param(self):
        marks = [] if self.default or FULL_MATRIX else [pytest.mark.skip(
            reason="full CPU matrix only: make test-matrix (HYP_CPU_MATRIX=1)")]
        return pytest.param(self, id=self.id, marks=marks)


SVE_PAUTH = dict(sve=True, pauth=True)
CASES = [
    # GICv3: the 40-bit-PA cores, the 44/48-bit ones, SVE and PAuth, max.
    Case(3, "cortex-a53", default=True),
    Case(3, "cortex-a55"),
    Case(3, "cortex-a57"),
    Case(3, "cortex-a72"),
    Case(3, "cortex-a76"),
    Case(3, "neoverse-n1"),
    Case(3, "cortex-a710", sve2=True, **SVE_PAUTH),
    Case(3, "neoverse-n2", sve2=True, default=True, **SVE_PAUTH),
    Case(3, "neoverse-v1", **SVE_PAUTH),
    Case(3, "max", sve2=True, **SVE_PAUTH),
    Case(3, "max", mte=True, sve2=True, default=True, **SVE_PAUTH),
    # GICv2: one 40-bit model, one SVE model.
    Case(2, "cortex-a53", default=True),
    Case(2, "neoverse-n2", sve2=True, default=True, **SVE_PAUTH),
]

# Console lines that mean the guest cannot get on: fail at once, naming them,
# instead of waiting for the boot timeout. (A 40-bit-PA core whose stage 2 the
# hypervisor cannot walk faults on the guest's first instruction, over and over.)
# (Whole lines: up to the \r, so the message is never cut short.)
GUEST_FATAL = (r"(?:hyp: \S+ vcpu\d+: unhandled trap [^\r\n]*"
               r"|hyp: \S+ vcpu\d+: instruction fetch from IPA [^\r\n]*"
               r"|Kernel panic[^\r\n]*|Internal error: Oops[^\r\n]*)(?=\r)")


def expect_or_fatal(con, pattern, timeout=-1):
    """con.expect(@pattern), failing at once on a GUEST_FATAL line."""
    m = con.expect("(?P<want>%s)|(?P<fatal>%s)" % (pattern, GUEST_FATAL), timeout=timeout)
    if m.group("fatal"):
        raise BootError("%s: %r while waiting for %r\n--- console tail ---\n%s\n(log: %s)" % (
            con.name, m.group("fatal"), pattern, con.tail(800), con.log_path))
    return m


def features_of(cpuinfo):
    """The Features lines of /proc/cpuinfo, one per CPU."""
    return [l.split(":", 1)[1].split() for l in cpuinfo.splitlines()
            if l.startswith("Features")]


# ---------------------------------------------------------------------------
# Native reference: the same kernel and initramfs on the same -cpu, no EL2.
# ---------------------------------------------------------------------------
_native = {}


def native(case):
    """What QEMU's model shows Linux without the hypervisor (booted once per
    model and run): Features, and on SVE models the default vector length and
    sve-check's output."""
    if case.key in _native:
        return _native[case.key]
    machine = "virt" + (",mte=on" if case.mte else "")
    args = ["qemu-system-aarch64", "-M", machine, "-cpu", case.cpu, "-smp", "1", "-m", "1G",
            "-nographic", "-net", "none", "-kernel", build_path("guest", "Image"),
            "-initrd", build_path("guest", "initrd.gz"), "-append", "console=ttyAMA0"]
    con = QemuConsole("native-" + case.key, args, BOOT_TIMEOUT)
    con.name = "native " + case.key
    try:
        expect_or_fatal(con, r"INIT: reached init")
        con.expect(LinuxShell.PROMPT)
        sh = LinuxShell(con)
        info = {"features": features_of(sh.check("cat /proc/cpuinfo"))[0]}
        status, out = sh.run("cat /proc/sys/abi/sve_default_vector_length")
        info["sve_vl"] = int(out.strip()) if status == 0 else None
        info["sve_check"] = sh.run("sve-check", timeout=60) if info["sve_vl"] else None
        con.send("poweroff -f")
        con.wait_exit(timeout=30)
    finally:
        con.close()
    _native[case.key] = info
    return info


def sve_check_result(status, out):
    """(default VL, [VLs run at]) from sve-check's output; fails on an error."""
    m = re.search(r"sve-check: VL=(\d+) bytes ok", out)
    vls = re.search(r"sve-check: VLs ((?:\d+ )+)bytes", out)
    assert status == 0 and m and vls, "sve-check exited %d:\n%s" % (status, out)
    return int(m.group(1)), [int(v) for v in vls.group(1).split()]


# ---------------------------------------------------------------------------
# The guest under the hypervisor: one boot per matrix entry.
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module", params=[c.param() for c in CASES])
def case(request):
    return request.param


@pytest.fixture(scope="module")
def guest(case):
    ref = native(case)          # before our QEMU starts: one QEMU at a time
    if not os.path.exists(HYP):
        pytest.fail("missing %s: run 'make test' (it builds every image)" % HYP)
    con = QemuConsole("cpus-" + case.id,
                      qemu_virt_args(HYP, gic=case.gic, smp=4, cpu=case.cpu,
                                     machine_opts="mte=on" if case.mte else ""),
                      BOOT_TIMEOUT)
    con.name = "%s under the hypervisor" % case.id
    try:
        con.expect_exact("hyp: GIC: v%d (" % case.gic)
        expect_or_fatal(con, re.escape("hyp: starting guest0"))
        m = expect_or_fatal(con, r"INIT: reached init, (?P<online>\S+) online")
        online = m.group("online")
        expect_or_fatal(con, re.escape(LinuxShell.PROMPT))
    except BootError as e:
        con.close()
        # Every check of this model reports this one reason (pytest keeps a
        # module fixture's failure for the module).
        pytest.fail("no shell (QEMU stopped after %.1f s): %s" % (con.elapsed(), e),
                    pytrace=False)
    except BaseException:
        con.close()
        raise
    con.boot_seconds = con.elapsed()
    con.logfile.write("\n[test_cpus: %s reached the shell in %.1f s]\n" %
                      (case.id, con.boot_seconds))
    yield case, con, LinuxShell(con), ref, online
    con.close()


def test_native_matches_table(case):
    """NATIVE (this file) is what QEMU advertises natively: when this fails,
    QEMU or the kernel changed, and the table needs updating. (No hypervisor
    here: it passes whatever the hypervisor does.)"""
    ref = native(case)
    want = NATIVE[case.key]
    got = set(ref["features"])
    table = set(want["features"].split())
    assert got == table, ("NATIVE[%r] is stale: a native boot shows %s more, %s fewer" %
                          (case.key, sorted(got - table), sorted(table - got)))
    assert ref["sve_vl"] == want.get("sve_vl"), (case.key, ref["sve_vl"])
    if ref["sve_check"]:
        assert sve_check_result(*ref["sve_check"]) == (want["sve_vl"], want["sve_vls"])


def test_boots_to_shell_with_cpus_0_3_online(guest):
    case, con, sh, ref, online = guest
    print("%s: shell after %.1f s" % (case.id, con.boot_seconds))
    assert online == "0-3", "init saw CPUs %s online, expected 0-3" % online
    # The kernel may print to the console in between (e.g. "hrtimer: interrupt took
    # 20300592 ns" on a loaded host): its lines are not the command's output.
    out = [l for l in sh.check("cat /sys/devices/system/cpu/online").splitlines()
           if l.strip() and not re.match(r"\[\s*\d+\.\d+\] ", l)]
    assert out == ["0-3"], out


def test_no_panic_oops_or_unhandled_trap(guest):
    case, con, sh, ref, online = guest
    dmesg = sh.check("dmesg")
    for bad in ("Kernel panic", "Oops", "Internal error", "SANITY CHECK", "Unhandled"):
        lines = [l for l in dmesg.splitlines() if bad in l]
        assert not lines, "%s: dmesg has %r:\n%s" % (case.id, bad, "\n".join(lines[:10]))
    log = con.tail(10 ** 7)
    lines = [l for l in log.splitlines() if "unhandled trap" in l]
    assert not lines, "%s: hypervisor console:\n%s" % (case.id, "\n".join(lines[:10]))


def test_features_are_the_models(guest):
    """Every CPU's Features line is the native one minus what the hypervisor
    hides (SME; MTE without mte=on), and carries what the issue names."""
    case, con, sh, ref, online = guest
    per_cpu = features_of(sh.check("cat /proc/cpuinfo"))
    assert len(per_cpu) == 4, "%d processors in /proc/cpuinfo" % len(per_cpu)
    for cpu, flags in enumerate(per_cpu[1:], 1):
        assert flags == per_cpu[0], "CPU%d Features differ from CPU0's: %s vs %s" % (
            cpu, flags, per_cpu[0])
    got = set(per_cpu[0])
    hidden = SME_FLAGS | POLICY_FLAGS | (set() if case.mte else MTE_FLAGS)
    want = set(ref["features"]) - hidden
    assert got == want, ("%s: Features under the hypervisor differ from native (minus %s): "
                         "missing %s, extra %s" % (
                             case.id, "SME, " + ("" if case.mte else "MTE, ") + "ECV",
                             sorted(want - got), sorted(got - want)))
    expect = {"sve": case.sve, "sve2": case.sve2, "paca": case.pauth, "pacg": case.pauth,
              "mte": case.mte, "sme": False}
    wrong = {f: ("missing" if on else "present") for f, on in expect.items()
             if (f in got) != on}
    assert not wrong, "%s: Features %s: %s" % (case.id, wrong, sorted(got))


def run_sve_check_on_each_cpu(sh):
    """sve-check pinned to each CPU in turn: [(status, output)] for CPU 0-3."""
    return [sh.run("taskset -c %d sve-check" % cpu, timeout=60) for cpu in range(4)]


def test_sve_program_runs_on_every_cpu(guest):
    case, con, sh, ref, online = guest
    status, out = sh.run("cat /proc/sys/abi/sve_default_vector_length")
    if not case.sve:
        assert status != 0, "no SVE on %s, but sve_default_vector_length: %s" % (case.cpu, out)
        status, out = sh.run("sve-check")
        assert status == 132, "SVE on %s should be undefined (SIGILL, 132): %d %s" % (
            case.cpu, status, out)
        return
    assert status == 0, "/proc/sys/abi/sve_default_vector_length: %s" % out
    default_vl = int(out.strip())
    assert default_vl == ref["sve_vl"], "default VL %d, native %d" % (default_vl, ref["sve_vl"])
    native_vls = sve_check_result(*ref["sve_check"])[1]
    for cpu, (status, out) in enumerate(run_sve_check_on_each_cpu(sh)):
        vl, vls = sve_check_result(status, out)
        assert vl == default_vl, "CPU%d: sve-check VL=%d, default %d" % (cpu, vl, default_vl)
        assert vls == native_vls, "CPU%d: vector lengths %s, native %s" % (cpu, vls, native_vls)
    print("%s: sve-check VL=%d bytes, lengths %s" % (case.id, default_vl, native_vls))


def test_mte_program_runs_on_every_cpu(guest):
    """mte-check (tests/guests/initramfs/mte-check.c) on each CPU: where the
    guest has MTE, a random tag goes to memory and comes back, and an access
    with another tag is refused (SIGSEGV, status 139); elsewhere the kernel
    refuses tagged addressing with MTE and the program says so."""
    case, con, sh, ref, online = guest
    for cpu in range(4):
        status, out = sh.run("taskset -c %d mte-check" % cpu)
        if case.mte:
            assert status == 139 and re.search(
                r"mte-check: tag [1-9a-f] stored, read back, access ok", out), (
                "CPU%d: mte-check exited %d:\n%s" % (cpu, status, out))
        else:
            assert status == 1 and "refused: no MTE" in out, (
                "CPU%d: %s has no MTE here, but mte-check exited %d:\n%s" % (
                    cpu, case.id, status, out))


def test_cpu_hotplug(guest):
    """CPU 1-3 off and on again, twice; the re-plugged CPUs still take their
    timer and (on SVE models) still run SVE at every vector length."""
    case, con, sh, ref, online = guest
    for _ in range(2):
        sh.hotplug_secondaries()
    sh.check("for c in 0 1 2 3; do taskset -c $c sleep 0.1; done")
    if case.sve:
        for cpu, (status, out) in enumerate(run_sve_check_on_each_cpu(sh)):
            sve_check_result(status, out)
    dmesg = sh.check("dmesg")
    bad = [l for l in dmesg.splitlines()
           if any(b in l for b in ("Kernel panic", "Oops", "SANITY CHECK", "failed to come online"))]
    assert not bad, "\n".join(bad[:10])


def test_poweroff_ends_qemu_with_status_0(guest):
    """Last for each model: it ends the shared boot."""
    case, con, sh, ref, online = guest
    lines = [l for l in con.tail(10 ** 7).splitlines() if "unhandled trap" in l]
    assert not lines, "%s: hypervisor console:\n%s" % (case.id, "\n".join(lines[:10]))
    con.send("poweroff")
    expect_or_fatal(con, re.escape("hyp: guest0 powered off: system off"), timeout=60)
    assert con.wait_exit(timeout=30) == 0
