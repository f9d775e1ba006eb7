"""Boot-test fixtures, in the spirit of U-Boot's test/py: a QEMU console that
tests wait on, with every hypervisor panic turned into an immediate failure.

Tests run with cwd = the repository root (make test-boot) and use the images
the Makefile built under build/.
"""
import os
import re
import shlex
import time

import pexpect
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
LOG_DIR = os.path.join(BUILD, "test-logs")

# A hypervisor panic or an unexpected guest exception ends a test at once
# instead of waiting for its timeout.
FATAL_PATTERNS = [r"hyp: PANIC on CPU\d+: [^\r\n]+\r", r"TG: FAIL [^\r\n]+\r"]


def build_path(*parts):
    return os.path.join(BUILD, *parts)


class BootError(AssertionError):
    pass


class QemuConsole:
    """One QEMU run: its serial console on stdio, and its exit status."""

    def __init__(self, name, args, timeout):
        os.makedirs(LOG_DIR, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
        self.log_path = os.path.join(LOG_DIR, safe + ".log")
        self.logfile = open(self.log_path, "w", encoding="utf-8", errors="replace")
        self.logfile.write("$ " + " ".join(shlex.quote(a) for a in args) + "\n")
        self.started = time.monotonic()
        self.child = pexpect.spawn(args[0], args[1:], encoding="utf-8",
                                   codec_errors="replace", timeout=timeout,
                                   logfile=self.logfile, dimensions=(50, 200))
        self.exitstatus = None

    def expect(self, pattern, timeout=-1):
        """Wait for a regex; fail with the console's tail on a panic, EOF or timeout.
        Returns the match object."""
        patterns = [pattern] + FATAL_PATTERNS + [pexpect.EOF, pexpect.TIMEOUT]
        i = self.child.expect(patterns, timeout=timeout)
        if i == 0:
            return self.child.match
        what = {len(patterns) - 2: "QEMU exited", len(patterns) - 1: "timed out"}.get(
            i, "fatal console line: " + (self.child.after if isinstance(self.child.after, str)
                                         else ""))
        raise BootError("%s while waiting for %r\n--- console tail ---\n%s\n(log: %s)" %
                        (what, pattern, self.tail(), self.log_path))

    def expect_exact(self, text, timeout=-1):
        import re
        return self.expect(re.escape(text), timeout)

    def send(self, line):
        self.child.send(line + "\r")

    def tail(self, n=3000):
        self.logfile.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()[-n:]

    def wait_exit(self, timeout=60):
        """Wait for QEMU to exit by itself; returns its exit status."""
        i = self.child.expect([pexpect.EOF, pexpect.TIMEOUT] + FATAL_PATTERNS, timeout=timeout)
        if i != 0:
            raise BootError("QEMU did not exit (%s)\n--- console tail ---\n%s" %
                            ("timed out" if i == 1 else self.child.after, self.tail()))
        self.child.close()
        self.exitstatus = self.child.exitstatus
        return self.exitstatus

    def elapsed(self):
        return time.monotonic() - self.started

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)
        self.logfile.close()


def qemu_virt_args(kernel, gic=3, smp=4, mem="1G", virtualization=True, extra=(),
                   cpu="cortex-a57", machine_opts=""):
    """QEMU virt with the hypervisor image @kernel. @cpu: a -cpu model;
    @machine_opts: more -M options, e.g. "mte=on"."""
    machine = "virt,gic-version=%d" % gic
    if virtualization:
        machine += ",virtualization=on"
    if machine_opts:
        machine += "," + machine_opts
    return ["qemu-system-aarch64", "-M", machine, "-cpu", cpu, "-smp", str(smp),
            "-m", mem, "-nographic", "-net", "none", "-kernel", kernel] + list(extra)


@pytest.fixture
def qemu(request):
    """Factory: qemu(args, timeout=...) starts QEMU and returns its QemuConsole."""
    consoles = []

    def start(args, timeout=60):
        images = [a for a in args if a.startswith(BUILD)]
        images += [part[len("file="):] for a in args for part in a.split(",")
                   if part.startswith("file=")]
        missing = [i for i in images if not os.path.exists(i)]
        if missing:
            pytest.fail("missing %s: run 'make test' (it builds every image)" % missing)
        c = QemuConsole(request.node.name, args, timeout)
        consoles.append(c)
        return c

    yield start
    for c in consoles:
        c.close()


class LinuxShell:
    """The busybox shell of a booted guest: run a command, get its output and status."""

    PROMPT = r"/ # "

    def __init__(self, console):
        self.con = console
        self.n = 0

    def run(self, cmd, timeout=30):
        """Run @cmd; return (status, output). The end marker is built by the shell
        ($((...))), so the echo of the typed line never matches it."""
        self.n += 1
        tag = self.n
        self.con.send("%s; echo @@END-$((%d+0))-$?@@" % (cmd, tag))
        m = self.con.expect(r"@@END-%d-(\d+)@@" % tag, timeout=timeout)
        out = self.con.child.before.replace("\r", "")
        # Drop the prompt and the echoed command line (which the guest's terminal
        # may have wrapped): the output starts after the echo's final "@@".
        echo_end = out.rfind("@@\n")
        out = out[echo_end + len("@@\n"):] if echo_end >= 0 else out
        return int(m.group(1)), out

    def check(self, cmd, timeout=30):
        status, out = self.run(cmd, timeout)
        assert status == 0, "%r exited %d:\n%s" % (cmd, status, out)
        return out

    def hotplug_secondaries(self):
        """CPUs 1-3 offline (only 0 left), then online again (0-3)."""
        for cpu in (1, 2, 3):
            self.check("echo 0 > /sys/devices/system/cpu/cpu%d/online" % cpu)
        assert self.check("cat /sys/devices/system/cpu/online").strip() == "0"
        for cpu in (1, 2, 3):
            self.check("echo 1 > /sys/devices/system/cpu/cpu%d/online" % cpu)
        assert self.check("cat /sys/devices/system/cpu/online").strip() == "0-3"
