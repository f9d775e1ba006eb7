"""Each VM's life is its own (issue 23): one VM's power-off, reset and crash
leave the other VMs running, and a reset starts the VM again from pristine
images in wiped RAM. Dom0less domains (test_dom0less.py's helpers) on
hyp-none.bin, and the compiled-in two-Linux configuration (hyp-linux-vms2.bin)."""
import re
import time

import pytest

from conftest import LinuxShell, build_path, qemu_virt_args
from test_dom0less import IMAGE, INITRD, MiB, TESTGUEST, Domain, boot, expect_done, merge_domains

HYP_LINUX2 = build_path("qemu-virt", "hyp-linux-vms2.bin")
CTRL_A3 = "\x01\x01" * 3  # QEMU's -nographic console passes a doubled Ctrl-A on as one


def test_reset_wipes_the_vms_ram(qemu, tmp_path):
    """A test guest that marks every 2 MiB of its RAM and resets, three lives
    running: each new life finds none of the last life's markers. The other
    VM runs every check meanwhile."""
    life = Domain("life", 1, 128, [("kernel", TESTGUEST, 0x50000000)], bootargs="tg.reset-probe=1")
    other = Domain("other", 2, 128, [("kernel", TESTGUEST, 0x51000000)])
    con = boot(qemu, tmp_path, [life, other], timeout=60)
    counts = []
    for n in range(3):
        m = con.expect(r"\(life\) TG: RESET-PROBE (\d+) of (\d+) blocks hold the last life's "
                       r"marker; reset\r")
        counts.append((int(m.group(1)), int(m.group(2))))
        con.expect_exact("hyp: life: reset, starting again (reset %d)" % (n + 1))
    assert all(found == 0 and blocks >= 50 for found, blocks in counts), counts
    expect_done(con, ["other"])


def boot_two_linux(qemu, gic=3):
    """make run VMS=2: both shells up, the focus on guest0."""
    con = qemu(qemu_virt_args(HYP_LINUX2, gic=gic, smp=4), timeout=240)
    for _ in range(2):
        con.expect(r"\(guest\d\) INIT: reached init, 0-1 online", timeout=180)
    con.send("")
    con.expect(r"\(guest0\) / # ", timeout=60)
    return con


def focus(con, vm):
    """Ctrl-A three times until @vm has the console."""
    for _ in range(4):
        con.child.send(CTRL_A3)
        m = con.expect(r"hyp: console input now goes to ([^\r\n(]+?)(?: \(|\r)")
        if m.group(1) == vm:
            return
    raise AssertionError("the focus never came to %s" % vm)


def ask(con, vm, tag):
    con.send("echo %s$((6*7))" % tag)
    con.expect(r"\(%s\) %s42\r" % (vm, tag), timeout=60)


def boot_two_linux_raspi4b(qemu, tmp_path, names=("guest0", "guest1"),
                           bootargs="console=ttyAMA0 earlycon"):
    """Two Linux domains, guest0 and guest1 (or @names), of 2 vCPUs and 320 MiB
    on QEMU's raspi4b (the board's DT with two "xen,domain" nodes, hyp-none.bin).
    The focus is on the first."""
    doms = [Domain(name, 2, 320,
                   [("kernel", IMAGE, 0x30000000 + i * 0x4000000),
                    ("ramdisk", INITRD, 0x33000000 + i * 0x4000000)],
                   bootargs=bootargs)
            for i, name in enumerate(names)]
    dtb = merge_domains(tmp_path, build_path("rpi4", "bcm2711-rpi-4-b.dtb"), doms)
    con = qemu(["qemu-system-aarch64", "-M", "raspi4b", "-nographic", "-no-reboot", "-dtb", dtb,
                "-kernel", build_path("rpi4", "hyp-none.bin")] +
               [a for d in doms for a in d.loaders()], timeout=240)
    for _ in range(2):
        con.expect(r"\((%s)\) INIT: reached init, 0-1 online" % "|".join(names), timeout=180)
    con.send("")
    con.expect(r"\(%s\) / # " % names[0], timeout=60)
    return con


MACHINES = ["gicv3", "gicv2", "raspi4b"]


@pytest.mark.parametrize("machine", MACHINES)
def test_one_vm_off_while_the_other_counts(qemu, tmp_path, machine):
    """guest1 counts five times a second; guest0 powers off meanwhile. guest1's
    count goes on with no gap over a second and no number missing, and the
    machine goes off with guest1, the last VM."""
    if machine == "raspi4b":
        con = boot_two_linux_raspi4b(qemu, tmp_path)
    else:
        con = boot_two_linux(qemu, 3 if machine == "gicv3" else 2)
    focus(con, "guest1")
    con.send("i=0; while :; do i=$((i+1)); echo T$i; usleep 200000; done &")
    con.expect(r"\(guest1\) T5\r", timeout=30)
    focus(con, "guest0")
    con.send("poweroff")
    seen, off_at = [], None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (off_at is None or time.monotonic() < off_at + 4):
        i = con.child.expect([r"\(guest1\) T(\d+)\r", r"hyp: guest0: off\r"], timeout=10)
        if i == 0:
            seen.append((time.monotonic(), int(con.child.match.group(1))))
        else:
            off_at = time.monotonic()
    assert off_at is not None, "guest0 did not go off"
    numbers = [n for _, n in seen]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), numbers
    gaps = [b[0] - a[0] for a, b in zip(seen, seen[1:])]
    assert max(gaps) < 1.0, "a gap of %.2f s in guest1's count" % max(gaps)
    assert sum(1 for t, _ in seen if t > off_at) >= 10, "guest1 stopped counting"
    focus(con, "guest1")
    con.send("kill %1; poweroff")
    con.expect_exact("hyp: every VM is off: system off", timeout=60)
    assert con.wait_exit(timeout=30) == 0


@pytest.mark.parametrize("machine", MACHINES)
def test_one_vm_reboots_three_times_the_other_answers(qemu, tmp_path, machine):
    """guest1's reboot restarts guest1 alone, three times, each time a fresh
    boot (its uptime starts again, one "Booting Linux" in its log, the file it
    left behind gone); guest0 answers between the reboots."""
    if machine == "raspi4b":
        con = boot_two_linux_raspi4b(qemu, tmp_path)
    else:
        con = boot_two_linux(qemu, 3 if machine == "gicv3" else 2)
    focus(con, "guest1")
    sh = LinuxShell(con)
    for n in range(1, 4):
        sh.check("echo life > /left-behind")
        con.send("reboot")
        con.expect_exact("hyp: guest1: system reset: stopping its 2 vCPU(s)", timeout=60)
        con.expect_exact("hyp: guest1: reset, starting again (reset %d)" % n, timeout=30)
        focus(con, "guest0")
        ask(con, "guest0", "R%d" % n)
        focus(con, "guest1")
        con.expect(r"\(guest1\) INIT: reached init, 0-1 online", timeout=180)
        con.send("")
        con.expect(r"\(guest1\) / # ", timeout=60)
        _, out = sh.run("cut -d. -f1 /proc/uptime; dmesg | grep -c 'Booting Linux'; "
                        "ls /left-behind 2>&1")
        uptime, boots, left = re.findall(r"\(guest1\) ([^\r\n]*)", out)[:3]
        assert int(uptime) < 120 and boots == "1", out
        assert "No such file" in left, out
    focus(con, "guest0")
    ask(con, "guest0", "END")
    assert "hyp: guest0: reset" not in con.tail(1 << 22)


@pytest.mark.parametrize("machine", MACHINES)
def test_a_kernel_panic_resets_that_vm_alone(qemu, tmp_path, machine):
    """A Linux domain's kernel panic (sysrq c, with panic=1) ends in its
    SYSTEM_RESET: that VM alone starts again, from a clean boot, while the
    other domain answers before, during and after."""
    bootargs = "console=ttyAMA0 earlycon panic=1"
    if machine == "raspi4b":
        con = boot_two_linux_raspi4b(qemu, tmp_path, ("steady", "crash"), bootargs)
    else:
        k, r = 48 * MiB, 4 * MiB
        doms = [Domain(name, 2, 384, [("kernel", IMAGE, 0x50000000 + i * (k + r)),
                                      ("ramdisk", INITRD, 0x50000000 + i * (k + r) + k)],
                       bootargs=bootargs)
                for i, name in enumerate(("steady", "crash"))]
        con = boot(qemu, tmp_path, doms, gic=3 if machine == "gicv3" else 2, mem="2G",
                   timeout=240)
        for _ in range(2):
            con.expect(r"\((steady|crash)\) INIT: reached init, 0-1 online", timeout=180)
        con.send("")
        con.expect(r"\(steady\) / # ", timeout=60)
    ask(con, "steady", "S1")
    focus(con, "crash")
    con.send("echo c > /proc/sysrq-trigger")
    con.expect(r"\(crash\) [^\r\n]*Kernel panic - not syncing", timeout=60)
    con.expect_exact("hyp: crash: system reset: stopping its 2 vCPU(s)", timeout=60)
    con.expect_exact("hyp: crash: reset, starting again (reset 1)", timeout=30)
    focus(con, "steady")
    ask(con, "steady", "S2")
    con.expect(r"\(crash\) INIT: reached init, 0-1 online", timeout=180)
    ask(con, "steady", "S3")
    focus(con, "crash")
    con.send("")
    con.expect(r"\(crash\) / # ", timeout=60)
    ask(con, "crash", "C1")
    log = con.tail(1 << 22)
    assert "hyp: steady: reset" not in log and "hyp: steady: off" not in log


def shm_node(ipa, role):
    """Xen's static shared memory node (a child of the domain): "ring0", 2 MiB,
    at @ipa in this domain; the host address is left to the hypervisor."""
    return ('\t\t\tshm-ring0 {\n\t\t\t\tcompatible = "xen,domain-shared-memory-v1";\n'
            '\t\t\t\txen,shm-id = "ring0";\n'
            '\t\t\t\txen,shared-mem = <0x0 0x0 0x0 0x%x 0x0 0x200000>;\n'
            '\t\t\t\trole = "%s";\n\t\t\t};\n' % (ipa, role))


@pytest.mark.parametrize("gic", [3, 2])
def test_shared_memory_between_two_test_guests(qemu, tmp_path, gic):
    """Xen's xen,domain-shared-memory-v1: the owner's 2 MiB "ring0" at IPA
    0x60000000, the borrower's view of the same RAM at 0x70000000; a counter
    goes back and forth 10,000 times through it."""
    doms = [Domain("owner", 2, 128, [("kernel", TESTGUEST, 0x50000000)],
                   bootargs="tg.shm-ping=0x60000000", extra=shm_node(0x60000000, "owner")),
            Domain("borrower", 2, 128, [("kernel", TESTGUEST, 0x51000000)],
                   bootargs="tg.shm-pong=0x70000000", extra=shm_node(0x70000000, "borrower"))]
    con = boot(qemu, tmp_path, doms, gic=gic, timeout=90)
    owner = con.expect(r'hyp: owner: shared memory "ring0" at IPA 0x60000000-0x601fffff, PA '
                       r'(0x[0-9a-f]+) \(2 MiB\), its owner')
    pa = owner.group(1)
    con.expect_exact('hyp: borrower: shared memory "ring0" at IPA 0x70000000-0x701fffff, PA '
                     '%s (2 MiB), borrowed' % pa)
    con.expect_exact("hyp: every VM is off: system off", timeout=60)
    assert con.wait_exit(timeout=20) == 0
    log = con.tail(1 << 22).replace("\r", "")
    for vm, ipa in (("owner", "0x60000000"), ("borrower", "0x70000000")):
        assert re.search(r"\(%s\) TG: PASS shm-p[io]ng \(10000 round trips through IPA %s in "
                         r"\d+ ms\)" % (vm, ipa), log), vm
        assert re.search(r"\(%s\) TG: DONE \d+ passed, 0 failed" % vm, log), vm


def boot_two_linux_sharing(qemu, tmp_path):
    """Two Debian domains sharing "ring0": guest0 owns it at IPA 0x60000000,
    guest1 borrows it at 0x70000000. Both shells up, the focus on guest0."""
    k = 48 * MiB
    doms = [Domain(name, 2, 384, [("kernel", IMAGE, 0x50000000 + i * (k + 4 * MiB)),
                                  ("ramdisk", INITRD, 0x50000000 + i * (k + 4 * MiB) + k)],
                   bootargs="console=ttyAMA0 earlycon", extra=shm_node(ipa, role))
            for i, (name, ipa, role) in enumerate((("guest0", 0x60000000, "owner"),
                                                    ("guest1", 0x70000000, "borrower")))]
    con = boot(qemu, tmp_path, doms, mem="2G", timeout=300)
    for _ in range(2):
        con.expect(r"\(guest\d\) INIT: reached init, 0-1 online", timeout=180)
    con.send("")
    con.expect(r"\(guest0\) / # ", timeout=60)
    return con


def test_shared_memory_between_two_linux_vms(qemu, tmp_path):
    """Each Linux domain finds "ring0" in its DT as Xen describes it
    (/reserved-memory/xen-shmem@<ipa>, "xen,shared-memory-v1", xen,id), and a
    word written through /dev/mem in one (busybox devmem) is read in the other,
    at another IPA: no kernel module, Debian's kernel as it is."""
    con = boot_two_linux_sharing(qemu, tmp_path)
    sh = LinuxShell(con)
    for vm, ipa, value in (("guest0", 0x60000000, None), ("guest1", 0x70000000, "0x1234ABCD")):
        if vm == "guest1":
            focus(con, "guest1")
        node = "/proc/device-tree/reserved-memory/xen-shmem@%x" % ipa
        out = sh.check("cat %s/compatible %s/xen,id; echo" % (node, node))
        assert "xen,shared-memory-v1" in out and "ring0" in out, out
        if value is None:
            sh.check("devmem 0x%x 32 0x1234abcd" % ipa)
        else:
            assert value in sh.check("devmem 0x%x 32" % ipa)


@pytest.mark.parametrize("gic", [3, 2])
def test_doorbell_ping_pong_between_two_test_guests(qemu, tmp_path, gic):
    """The hypervisor's doorbell (HVC 0x86000001): a counter passed 100,000 times
    between two test guests through "ring0", each side ringing the other's
    doorbell SPI (the one its DT names) and sleeping in WFI until its own rings.
    Both count the same rounds; each took one doorbell interrupt per round."""
    doms = [Domain("owner", 1, 64, [("kernel", TESTGUEST, 0x50000000)],
                   bootargs="tg.bell-ping=0x60000000", extra=shm_node(0x60000000, "owner")),
            Domain("borrower", 1, 64, [("kernel", TESTGUEST, 0x51000000)],
                   bootargs="tg.bell-pong=0x70000000", extra=shm_node(0x70000000, "borrower"))]
    con = boot(qemu, tmp_path, doms, gic=gic, timeout=240)
    con.expect_exact("hyp: every VM is off: system off", timeout=200)
    assert con.wait_exit(timeout=20) == 0
    log = con.tail(1 << 22).replace("\r", "")
    for vm, side in (("owner", "ping"), ("borrower", "pong")):
        m = re.search(r"\(%s\) TG: PASS doorbell-%s \(100000 round trips, doorbell INTID (\d+), "
                      r"(\d+) interrupts, in (\d+) ms\)" % (vm, side), log)
        assert m, (vm, re.findall(r"\(%s\) TG: FAIL[^\n]*" % vm, log))
        assert int(m.group(1)) == 120 and int(m.group(2)) == 100000, m.group(0)
        assert re.search(r"\(%s\) TG: DONE \d+ passed, 0 failed" % vm, log), vm


def test_linux_vms_pass_a_counter_through_shared_memory(qemu, tmp_path):
    """Two Debian VMs pass a counter back and forth 1,000 times from user space,
    through "ring0" with busybox devmem (/dev/mem). They poll: user space cannot
    make the doorbell HVC, and Debian's kernel has no driver that would hand the
    doorbell interrupt named in the DT to user space (no UIO_PDRV_GENIRQ)."""
    con = boot_two_linux_sharing(qemu, tmp_path)
    # guest0 pings: word 0 = n, then waits for word 1 (at +4) to say n.
    con.send("devmem 0x60000000 32 0; devmem 0x60000004 32 0; n=0; t0=$(date +%s); "
             "while [ $n -lt 1000 ]; do n=$((n+1)); devmem 0x60000000 32 $n; "
             "while [ $(($(devmem 0x60000004 32))) -ne $n ]; do :; done; done; "
             "echo PING-DONE $n in $(($(date +%s)-t0)) s &")
    focus(con, "guest1")
    # guest1 pongs: each new word 0 is copied to word 1.
    con.send("n=0; while [ $n -lt 1000 ]; do v=$(($(devmem 0x70000000 32))); "
             "if [ $v -ne $n ]; then n=$v; devmem 0x70000004 32 $n; fi; done; echo PONG-DONE $n")
    # The background job's line may follow guest0's prompt: match anywhere on the line.
    for _ in range(2):
        # To the line's end: pexpect may have read only the first part of it.
        con.expect(r"\(guest[01]\) [^\r\n]*P[IO]NG-DONE 1000(?: in \d+ s)?\r", timeout=600)
    log = con.tail(1 << 22).replace("\r", "")
    assert re.search(r"^\(guest0\) [^\n]*PING-DONE 1000 in \d+ s$", log, re.M), log[-2000:]
    assert re.search(r"^\(guest1\) [^\n]*PONG-DONE 1000$", log, re.M), log[-2000:]


def hyp_key(con, key, answer):
    """Press @key on the hypervisor's console; wait for @answer (a regex)."""
    con.child.send(key)
    return con.expect(answer, timeout=30)


VCPU_STATS = (r"hyp:   %s vcpu%d: (\d+) interrupts, (\d+) SErrors, (\d+) traps, (\d+)\.(\d{3}) ms "
              r"in the hypervisor; (\d+) fast calls(?: \(([^)]*)\))?, (\d+) yielding; (\d+) "
              r"injected, (\d+) EOIs, (\d+) LR overflows\r")


def expect_vcpu_stats(con, vm, vcpu):
    """One vCPU's statistics line: (interrupts, traps, microseconds in the
    hypervisor, fast calls, the calls by owner, injected)."""
    m = con.expect(VCPU_STATS % (vm, vcpu))
    g = m.groups()
    return (int(g[0]), int(g[2]), int(g[3]) * 1000 + int(g[4]), int(g[5]), g[6] or "",
            int(g[8]))


def expect_counted_checks(con, state):
    """The statistics of "checks" (2 vCPUs) after a whole run of its checks:
    its PSCI calls (standard owner), its HVCs, its timer and SGI interrupts,
    time in the hypervisor, and its GIC distributor's MMIO."""
    con.expect(r"hyp: checks \(%s, counting\):\r" % state)
    irqs, traps, us, fast, owners, injected = expect_vcpu_stats(con, "checks", 0)
    assert irqs > 0 and traps > fast > 0 and injected > 0 and us > 0, (irqs, traps, fast, us)
    assert re.search(r"\bstandard [1-9]\d*\b", owners), owners  # PSCI
    con.expect(r"hyp:     EC 0x16 HVC64: [1-9]\d*\r")
    irqs, traps, us, _, _, _ = expect_vcpu_stats(con, "checks", 1)
    assert irqs > 0 and traps > 0 and us > 0, (irqs, traps, us)
    con.expect(r"hyp:   checks MMIO 0x8000000-0x800(?:ffff|0fff): [1-9]\d* accesses\r")


def expect_registers(con):
    """r: "checks" is off, and its vCPUs say so; idle's vCPU, in its WFI loop at
    EL1, shows its own registers, printed by its CPU (CPU2)."""
    hyp_key(con, "r", r"hyp: checks vcpu0 on CPU0: off\r")
    con.expect(r"hyp: checks vcpu1 on CPU1: off\r")
    con.expect(r"hyp: idle vcpu0 on CPU2:\r")
    con.expect(r"  x0  [0-9a-f]{16}  x1  [0-9a-f]{16}  x2  [0-9a-f]{16}\r")
    m = con.expect(r"  pc  ([0-9a-f]{16})  cpsr ([0-9a-f]{8}) \(EL1h\)\r")
    assert int(m.group(1), 16) != 0, m.group(0)
    m = con.expect(r"  SCTLR_EL1 ([0-9a-f]{16})  TCR_EL1 [0-9a-f]{16}  VBAR_EL1 ([0-9a-f]{16})\r")
    assert int(m.group(2), 16) != 0, "the test guest installs its vectors: %s" % m.group(0)


def count_then_reset_idle(con):
    """c: every VM counts; then 1 and y reset "idle", whose next life is counted."""
    hyp_key(con, "c", r"hyp: every VM's exits counted from now on \(s shows them, c stops\)\r")
    hyp_key(con, "1", r"hyp: reset VM 1 \(idle\)\? y confirms")
    hyp_key(con, "y", r"hyp: idle: reset from the console: stopping its 1 vCPU\(s\)\r")
    con.expect_exact("hyp: idle: reset, starting again (reset 1)")
    con.expect_exact("(idle) TG: IDLE")


@pytest.mark.parametrize("gic", [3, 2])
def test_console_keys(qemu, tmp_path, gic):
    """The hypervisor's console keys: h lists them, v lists the VMs (state,
    CPUs, RAM, uptime, resets), a digit asks before it resets a running VM or
    starts an off one, and only y goes ahead. "checks" runs every check and
    powers off; "idle" stays running. Started again, "checks" passes every
    check a second time; reset, "idle" comes back, alone.

    Statistics: "checks" counts from boot (hyp,stats), so its STATS call
    prints them and its power-off does; "idle" may not ask (-1) and counts
    nothing until c; r shows each vCPU's registers, from its own CPU."""
    doms = [Domain("checks", 2, 128, [("kernel", TESTGUEST, 0x50000000)],
                   extra="\t\t\thyp,stats;\n"),
            Domain("idle", 1, 64, [("kernel", TESTGUEST, 0x51000000)], bootargs="tg.idle=1")]
    con = boot(qemu, tmp_path, doms, gic=gic, timeout=60)
    con.expect_exact("(idle) TG: IDLE")
    expect_done(con, ["checks"])
    # Its own STATS call printed them (in whatever order with idle's start);
    # at power-off they are printed again.
    log = con.tail(1 << 20)
    assert "hyp: checks (running, counting):\n" in log, log[-3000:]
    assert "(checks) TG: PASS hypsvc-stats (printed by the hypervisor)\n" in log, log[-3000:]
    con.expect_exact("hyp: checks: off")
    expect_counted_checks(con, "off")
    focus(con, "the hypervisor")
    hyp_key(con, "h", r"hyp: keys: h this list; v the VMs \(state, CPUs, RAM, uptime\); r every "
                      r"vCPU's registers\r")
    con.expect(r"hyp:   s what each vCPU cost \(exits, calls, interrupts, time\) and each MMIO "
               r"region's accesses; c count them, or stop\r")
    con.expect(r"hyp:   l [^\r\n]*; 0-9 reset that VM, or start it if it is off \(y confirms\)\r")
    hyp_key(con, "v", r"hyp: 2 VM\(s\):")
    con.expect(r"hyp:   0 checks +off +2 vCPU\(s\) on CPU0-1, 128 MiB, up 0\.0 s, 0 reset\(s\)\r")
    m = con.expect(r"hyp:   1 idle +running +1 vCPU\(s\) on CPU2, 64 MiB, up (\d+)\.(\d) s, "
                   r"0 reset\(s\)\r")
    assert int(m.group(1)) * 10 + int(m.group(2)) > 0, m.group(0)
    # A digit asks first; anything but y leaves the VM alone; a VM that is not there is named.
    hyp_key(con, "1", r"hyp: reset VM 1 \(idle\)\? y confirms, any other key does not\r")
    hyp_key(con, "n", r"hyp: idle left as it is\r")
    hyp_key(con, "7", r"hyp: no VM 7 \(v lists them\)\r")
    # An off VM starts again and runs every check again.
    hyp_key(con, "0", r"hyp: start VM 0 \(checks\)\? y confirms")
    hyp_key(con, "y", r"hyp: checks: reset, starting again \(reset 1\)\r")
    expect_done(con, ["checks"])
    con.expect_exact("hyp: checks: off")
    expect_counted_checks(con, "off")
    expect_registers(con)
    # idle counts nothing yet: none of its exits went through the counting path.
    hyp_key(con, "s", r"hyp: idle \(running, not counting: c counts\):\r")
    assert expect_vcpu_stats(con, "idle", 0)[:4] == (0, 0, 0, 0)
    count_then_reset_idle(con)
    hyp_key(con, "v", r"hyp: 2 VM\(s\):")
    con.expect(r"hyp:   0 checks +off +[^\r\n]*, 1 reset\(s\)\r")
    con.expect(r"hyp:   1 idle +running +[^\r\n]*, up \d+\.\d s, 1 reset\(s\)\r")
    hyp_key(con, "s", r"hyp: checks \(off, counting\):\r")
    con.expect(r"hyp: idle \(running, counting\):\r")
    irqs, traps, us, _, _, _ = expect_vcpu_stats(con, "idle", 0)
    assert traps > 0 and us > 0, (irqs, traps, us)
    # c again: every VM counted, so none does now.
    hyp_key(con, "c", r"hyp: exits no longer counted \(c counts them again\)\r")
    hyp_key(con, "s", r"hyp: checks \(off, not counting: c counts\):\r")
    assert "TG: FAIL" not in con.tail(1 << 20)


def test_console_keys_raspi4b(qemu, tmp_path):
    """The console keys on QEMU's raspi4b (GIC-400 model, the board's DT with two
    test-guest domains): "checks" counts from boot and powers off, its
    statistics printed; r shows idle's registers from CPU2 (an SGI) and the off
    vCPUs; c counts idle too; 1 then y resets idle, and 0 then y starts checks
    again, which passes its checks again."""
    tg = build_path("guests", "testguest-rpi4.bin")  # linked for the board's RAM at IPA 0
    doms = [Domain("checks", 2, 128, [("kernel", tg, 0x30000000)], extra="\t\t\thyp,stats;\n"),
            Domain("idle", 1, 64, [("kernel", tg, 0x31000000)], bootargs="tg.idle=1")]
    dtb = merge_domains(tmp_path, build_path("rpi4", "bcm2711-rpi-4-b.dtb"), doms)
    con = qemu(["qemu-system-aarch64", "-M", "raspi4b", "-nographic", "-no-reboot", "-dtb", dtb,
                "-kernel", build_path("rpi4", "hyp-none.bin")] +
               [a for d in doms for a in d.loaders()], timeout=120)
    done = r"\(checks\) TG: DONE \d+ passed, 0 failed(?:, \d+ skipped)?\r"
    con.expect(done)
    con.expect_exact("hyp: checks: off")
    con.expect(r"hyp: checks \(off, counting\):\r")
    irqs, traps, us, fast, owners, _ = expect_vcpu_stats(con, "checks", 0)
    assert irqs > 0 and traps > fast > 0 and us > 0, (irqs, traps, fast, us)
    assert re.search(r"\bstandard [1-9]\d*\b", owners), owners
    focus(con, "the hypervisor")
    hyp_key(con, "v", r"hyp: 2 VM\(s\):")
    con.expect(r"hyp:   0 checks +off +2 vCPU\(s\) on CPU0-1, 128 MiB, up 0\.0 s, 0 reset\(s\)\r")
    con.expect(r"hyp:   1 idle +running +1 vCPU\(s\) on CPU2, 64 MiB, up \d+\.\d s, 0 reset\(s\)\r")
    expect_registers(con)
    count_then_reset_idle(con)
    hyp_key(con, "s", r"hyp: idle \(running, counting\):\r")
    _, traps, us, _, _, _ = expect_vcpu_stats(con, "idle", 0)
    assert traps > 0 and us > 0, (traps, us)
    hyp_key(con, "0", r"hyp: start VM 0 \(checks\)\? y confirms")
    hyp_key(con, "y", r"hyp: checks: reset, starting again \(reset 1\)\r")
    con.expect(done)
    con.expect_exact("hyp: checks: off")
    assert "TG: FAIL" not in con.tail(1 << 20)
