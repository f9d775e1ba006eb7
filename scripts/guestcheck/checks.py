"""The checks, in the order a boot meets them. Each one ends in a Result; a
wait that fails (a panic, a hang, QEMU gone) fails the check that was waiting
and every later one that needed it, with the last console lines as details."""
import re
import time

from .console import Shell, WaitFailed
from .report import FAIL, PASS, SKIP, Result


class Checker:
    def __init__(self, console, report, opts):
        self.con = console
        self.report = report
        self.opts = opts
        self.shell = None
        self.cpus = opts.cpus
        self.dead = None  # the WaitFailed that ended the run, if one did

    # -- recording --------------------------------------------------------

    def result(self, name, status, message, started, details=""):
        self.report.add(Result(name, status, message, self.con.elapsed(),
                               time.monotonic() - started, details))
        return status == PASS

    def wait_failed(self, name, started, e):
        """A wait that failed: this check fails with what was seen; later ones are skipped."""
        self.dead = e
        msg = {"timeout": "%s not seen within the time set" % e.what,
               "hang": "hang: no console output for %d s while waiting for %s" %
                       (self.opts.hang_timeout, e.what),
               "exit": "QEMU exited while waiting for %s" % e.what}.get(
                   e.kind, "%s: %s" % (e.kind, e.detail))
        return self.result(name, FAIL, msg, started, "last console lines:\n" + self.con.tail())

    def step(self, name, fn):
        """Run check @fn unless the run is dead; a failed wait fails it."""
        started = time.monotonic()
        if self.dead:
            return self.result(name, SKIP, "not run: %s earlier" % self.dead.kind, started)
        try:
            return fn(name, started)
        except CommandFailed as e:
            # The guest answered, but not as asked: this check fails, the run goes on.
            return self.result(name, FAIL, "%s in the guest failed" % e.what, started, e.detail)
        except WaitFailed as e:
            return self.wait_failed(name, started, e)

    def seen(self, pattern):
        """The first match of @pattern anywhere in the console output so far."""
        return re.search(pattern, self.con.text)

    def lines(self, pattern, limit=20):
        """The first @limit console lines that match @pattern, joined."""
        found = re.finditer(r"[^\n]*(?:%s)[^\n]*" % pattern, self.con.text)
        return "\n".join(m.group(0) for _, m in zip(range(limit), found))

    # -- the Linux run ----------------------------------------------------

    def run_linux(self):
        steps = [("hypervisor", self.check_hypervisor), ("kernel-boot", self.check_kernel_boot),
                 ("shell", self.check_shell), ("psci", self.check_psci),
                 ("smccc", self.check_smccc), ("cpus-online", self.check_cpus_online),
                 ("cpu-hotplug", self.check_hotplug), ("timer-irqs", self.check_timer_irqs),
                 ("ipis", self.check_ipis), ("kernel-log", self.check_kernel_log)]
        if self.opts.reboot:
            steps.append(("reboot", self.check_reboot))
        steps.append(("poweroff", self.check_poweroff))
        for name, fn in steps:
            self.step(name, fn)

    def check_hypervisor(self, name, started):
        try:
            self.con.wait(r"hyp: starting guest0", self.opts.boot_timeout, "the hypervisor")
        except WaitFailed as e:
            refused = self.lines(r"hyp: [^\n]*refused: |hyp: PANIC")
            if refused:
                self.dead = e
                return self.result(name, FAIL, "the hypervisor did not start the guest",
                                   started, refused)
            raise
        m = self.seen(r"hyp: guest0: (\d+) vCPU\(s\)[^\n]*\((\d+) MiB\)")
        return self.result(name, PASS, "guest0 started: %s vCPUs, %s MiB of RAM" %
                           (m.group(1), m.group(2)) if m else "guest0 started", started)

    def check_kernel_boot(self, name, started):
        m = self.con.wait(r"Linux version (\S+)", self.opts.boot_timeout,
                          "the kernel's banner (Linux version ...)")
        return self.result(name, PASS, "Linux %s" % m.group(1), started)

    def check_shell(self, name, started):
        self.con.wait(self.opts.prompt, self.opts.boot_timeout, "a shell prompt")
        self.shell = Shell(self.con, self.opts.prompt)
        return self.result(name, PASS, "shell prompt after %.1f s" % self.con.elapsed(),
                           started)

    def sh(self, cmd, timeout=60):
        """Output of @cmd in the guest's shell; a non-zero status raises."""
        status, out = self.shell.run(cmd, timeout)
        if status:
            raise CommandFailed(cmd, status, out)
        return out

    def check_psci(self, name, started):
        m = self.seen(r"psci: PSCIv(\d+\.\d+) detected in firmware")
        if not m:
            return self.result(name, FAIL, "the kernel did not detect PSCI", started,
                               self.lines(r"psci|PSCI") or "no line of the kernel names PSCI")
        method = self.sh("cat /proc/device-tree/psci/method 2>/dev/null || echo none")
        method = method.strip().strip("\0")
        return self.result(name, PASS, "PSCI v%s, conduit %s (from the DT's /psci)" %
                           (m.group(1), method.upper()), started)

    def check_smccc(self, name, started):
        m = self.seen(r"psci: SMC Calling Convention v(\d+\.\d+)")
        if not m:
            return self.result(name, FAIL, "the kernel found no SMCCC version (SMCCC_VERSION)",
                               started, self.lines(r"psci|SMC"))
        ok = tuple(int(x) for x in m.group(1).split(".")) >= (1, 1)
        return self.result(name, PASS if ok else FAIL, "SMCCC v%s%s" %
                           (m.group(1), "" if ok else ", expected 1.1 or later"), started)

    def online_cpus(self):
        return parse_cpu_list(self.sh("cat /sys/devices/system/cpu/online"))

    def check_cpus_online(self, name, started):
        online = self.online_cpus()
        missing = [c for c in range(self.cpus) if c not in online]
        if not missing:
            return self.result(name, PASS, "all %d CPUs online (%s)" %
                               (self.cpus, format_cpu_list(online)), started)
        cmdline = self.sh("cat /proc/cmdline").strip()
        details = ["kernel command line: %s" % cmdline]
        for c in missing:
            details.append("CPU%d is not online: %s" % (c, self.why_not_up(c)))
        return self.result(name, FAIL, "%d of %d CPUs online; not: %s" %
                           (len(online), self.cpus, ", ".join("CPU%d" % c for c in missing)),
                           started, "\n".join(details))

    def why_not_up(self, cpu):
        """What the kernel said about @cpu (and, with a trace, what the hypervisor saw)."""
        said = "\n".join(line for line in self.lines(r"CPU%d[: ]|cpu%d\b" % (cpu, cpu)).split("\n")
                         if line and not line.startswith("hyp:"))
        traced = self.lines(r"hyp: [^\n]*PSCI CPU_ON\(0x%x\b" % cpu)
        parts = []
        if traced:
            parts.append("the hypervisor saw: " + traced.replace("\n", "; "))
        else:
            parts.append("the hypervisor saw no PSCI CPU_ON for MPIDR 0x%x" % cpu)
        if said:
            parts.append("the kernel said: " + said.replace("\n", "; "))
        elif re.search(r"\b(maxcpus=\d+|nosmp)\b", self.con.text):
            parts.append("the command line limits the CPUs (maxcpus=/nosmp)")
        return "; ".join(parts)

    def check_hotplug(self, name, started):
        secondaries = [c for c in sorted(self.online_cpus()) if c != 0]
        if not secondaries:
            return self.result(name, SKIP, "no secondary CPU online to unplug", started)
        rounds = self.opts.hotplug_rounds
        for r in range(1, rounds + 1):
            for c in secondaries:
                for state in (0, 1):
                    status, out = self.shell.run("echo %d > /sys/devices/system/cpu/cpu%d/online"
                                                 % (state, c), 60)
                    online = self.online_cpus()
                    if status or (c in online) != bool(state):
                        return self.result(
                            name, FAIL, "round %d: CPU%d did not go %s" %
                            (r, c, "online" if state else "offline"), started,
                            "write status %d, online CPUs now %s\n%s" %
                            (status, format_cpu_list(online), out.strip()))
        return self.result(name, PASS, "CPU%s each unplugged and plugged back %d times" %
                           (format_cpu_list(secondaries), rounds), started)

    def interrupts(self):
        """/proc/interrupts as {row label: [count per CPU]} and the CPU columns."""
        text = self.sh("cat /proc/interrupts")
        rows = text.strip("\n").split("\n")
        header = rows[0].split()
        counts = {}
        for row in rows[1:]:
            parts = row.split()
            if not parts or not parts[0].endswith(":"):
                continue
            nums = []
            for p in parts[1:1 + len(header)]:
                if not p.isdigit():
                    break
                nums.append(int(p))
            counts[parts[0][:-1] + " " + " ".join(parts[1 + len(nums):])] = nums
        return header, counts

    def per_cpu_check(self, name, started, row_match, what):
        header, counts = self.interrupts()
        rows = {k: v for k, v in counts.items() if row_match(k)}
        if not rows:
            return self.result(name, FAIL, "no %s row in /proc/interrupts" % what, started)
        totals = [sum(v[i] for v in rows.values() if i < len(v)) for i in range(len(header))]
        quiet = [header[i] for i, t in enumerate(totals) if t == 0]
        if quiet:
            return self.result(name, FAIL, "no %s on %s" % (what, ", ".join(quiet)), started,
                               "\n".join("%s: %s" % (k, v) for k, v in rows.items()))
        return self.result(name, PASS, "%s on every CPU (%s)" %
                           (what, ", ".join("%s %d" % (h, t) for h, t in zip(header, totals))),
                           started)

    def check_timer_irqs(self, name, started):
        return self.per_cpu_check(name, started, lambda k: "arch_timer" in k,
                                  "timer interrupts")

    def check_ipis(self, name, started):
        if len(self.online_cpus()) < 2:
            return self.result(name, SKIP, "one CPU online: no IPIs to send", started)
        return self.per_cpu_check(name, started, lambda k: re.match(r"IPI\d+ ", k) and
                                  ("Rescheduling" in k or "Function call" in k), "IPIs")

    def check_kernel_log(self, name, started):
        if not self.con.trouble:
            return self.result(name, PASS, "no oops, BUG or WARNING on the console", started)
        kinds = sorted({k for k, _ in self.con.trouble})
        return self.result(name, FAIL, "the kernel reported: %s" % ", ".join(kinds), started,
                           "\n".join(line for _, line in self.con.trouble[:20]))

    def check_reboot(self, name, started):
        self.con.send("reboot")
        self.con.wait(r"hyp: minimal ARM64 hypervisor", self.opts.boot_timeout,
                      "the hypervisor starting again after reboot")
        self.con.wait(r"hyp: starting guest0", self.opts.boot_timeout, "guest0 starting again")
        self.con.wait(r"Linux version", self.opts.boot_timeout, "the kernel booting again")
        self.con.wait(self.opts.prompt, self.opts.boot_timeout, "the shell after reboot")
        return self.result(name, PASS, "the machine reset and the shell came back after %.1f s"
                           % (time.monotonic() - started), started)

    def check_poweroff(self, name, started):
        self.con.send("poweroff")
        status = self.con.wait_exit(self.opts.boot_timeout)
        if status is None:
            return self.result(name, FAIL, "QEMU still runs %d s after poweroff" %
                               self.opts.boot_timeout, started,
                               "last console lines:\n" + self.con.tail())
        return self.result(name, PASS if status == 0 else FAIL,
                           "QEMU exited with status %d" % status, started,
                           "" if status == 0 else "last console lines:\n" + self.con.tail())

    # -- the bare-metal conformance run -------------------------------------

    def run_conformance(self):
        """The test guest's own checks ("TG: PASS name" / "TG: FAIL name: why"), one
        result each, then its SYSTEM_OFF ending QEMU with status 0."""
        started = time.monotonic()
        try:
            while True:
                m = self.con.wait(r"TG: (PASS|FAIL|SKIP) ([^\s:(]+(?: [^\s:(]+)?)([^\n]*)\n|"
                                  r"TG: DONE[^\n]*\n", self.opts.boot_timeout,
                                  "the test guest's next check")
                if m.group(0).startswith("TG: DONE"):
                    break
                detail = m.group(3).strip().lstrip(":").strip().strip("()")
                verdict = {"PASS": PASS, "FAIL": FAIL, "SKIP": SKIP}[m.group(1)]
                self.result(m.group(2).replace(" ", "."), verdict, detail, started,
                            detail if verdict == FAIL else "")
                started = time.monotonic()
        except WaitFailed as e:
            self.wait_failed("test-guest", started, e)
        self.step("system-off", lambda name, s: self.result(
            name, PASS if self.con.wait_exit(60) == 0 else FAIL,
            "QEMU exited with status %s" % self.con.exitstatus, s))


class CommandFailed(WaitFailed):
    def __init__(self, cmd, status, out):
        super().__init__("command", repr(cmd), "exit status %d: %s" % (status, out.strip()))


def parse_cpu_list(text):
    """'0-2,5' -> {0, 1, 2, 5}"""
    cpus = set()
    for part in text.strip().split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    return cpus


def format_cpu_list(cpus):
    cpus = sorted(cpus)
    out, i = [], 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        out.append(str(cpus[i]) if i == j else "%d-%d" % (cpus[i], cpus[j]))
        i = j + 1
    return ",".join(out)
