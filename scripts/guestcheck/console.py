"""The guest's serial console through QEMU's stdio: everything it prints goes
to a log file as it comes; a wait ends on its pattern, on a line that means the
guest or the hypervisor died, on QEMU exiting, on a set time, or on a hang (no
output at all for a set time)."""
import re
import time

import pexpect

# Lines after which waiting for anything else is pointless.
FATAL = [
    ("kernel panic", re.compile(r"Kernel panic - not syncing:[^\r\n]*")),
    ("hypervisor panic", re.compile(r"hyp: PANIC on CPU\d+:[^\r\n]*")),
]
# Lines that mean the kernel is in trouble but may carry on: recorded, reported.
TROUBLE = [
    ("oops", re.compile(r"Internal error: Oops[^\r\n]*|Unable to handle kernel [^\r\n]*")),
    ("BUG", re.compile(r"\bBUG: [^\r\n]*")),
    ("warning", re.compile(r"WARNING: CPU: \d+ PID: [^\r\n]*")),
]


# Terminal control sequences (busybox's shell asks for the cursor position after
# its prompt): dropped from the text waits look at, kept in the log.
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
ANSI_PARTIAL = re.compile(r"\x1b(\[[0-9;?]*)?$")  # one cut in two by a read


class WaitFailed(Exception):
    def __init__(self, kind, what, detail=""):
        super().__init__("%s while waiting for %s%s" % (kind, what, detail and ": " + detail))
        self.kind = kind      # "timeout", "hang", "exit", "kernel panic", "hypervisor panic"
        self.what = what
        self.detail = detail


class Console:
    def __init__(self, args, log_path, hang_timeout):
        self.log = open(log_path, "w", encoding="utf-8", errors="replace")
        self.log_path = log_path
        self.hang_timeout = hang_timeout
        self.text = ""        # everything printed so far, "\r" and terminal controls dropped
        self.pending = ""     # the start of a control sequence the next read completes
        self.pos = 0          # where the next wait starts looking
        self.scanned = 0      # how far FATAL/TROUBLE lines were looked for
        self.trouble = []     # (kind, line) seen so far
        self.fatal = None     # (kind, line) once seen
        self.started = time.monotonic()
        self.last_output = self.started
        self.child = pexpect.spawn(args[0], args[1:], encoding="utf-8", codec_errors="replace",
                                   dimensions=(50, 200), echo=False)
        self.exitstatus = None

    def elapsed(self):
        return time.monotonic() - self.started

    def _read(self, timeout):
        """Read what is there (up to @timeout s); False once QEMU has exited."""
        try:
            data = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self.log.write(data)
        self.log.flush()
        data = self.pending + data.replace("\r", "")
        cut = ANSI_PARTIAL.search(data)
        self.pending = data[cut.start():] if cut else ""
        self.text += ANSI.sub("", data[:cut.start()] if cut else data)
        self.last_output = time.monotonic()
        self._scan()
        return True

    def _scan(self):
        """Look for fatal and trouble lines in the complete lines not looked at yet."""
        end = self.text.rfind("\n") + 1
        if end <= self.scanned:
            return
        chunk = self.text[self.scanned:end]
        for kind, rx in TROUBLE:
            for m in rx.finditer(chunk):
                self.trouble.append((kind, m.group(0)))
        for kind, rx in FATAL:
            m = rx.search(chunk)
            if m and not self.fatal:
                self.fatal = (kind, m.group(0))
        self.scanned = end

    def wait(self, pattern, timeout, what=None):
        """The match of regex @pattern in the output after the last wait's match."""
        rx = re.compile(pattern)
        what = what or repr(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.text, self.pos)
            if m:
                self.pos = m.end()
                return m
            if self.fatal:
                raise WaitFailed(self.fatal[0], what, self.fatal[1])
            now = time.monotonic()
            if now >= deadline:
                raise WaitFailed("timeout", what, "not seen within %d s" % timeout)
            if now - self.last_output >= self.hang_timeout:
                raise WaitFailed("hang", what, "no output for %d s" % self.hang_timeout)
            if not self._read(min(0.5, deadline - now)):
                self._scan_rest()
                m = rx.search(self.text, self.pos)
                if m:
                    self.pos = m.end()
                    return m
                raise WaitFailed("exit", what, "QEMU exited (status %s)" % self.wait_exit(1))

    def _scan_rest(self):
        if not self.text.endswith("\n"):
            self.text += "\n"
        self._scan()

    def send(self, line):
        self.child.send(line + "\r")

    def wait_exit(self, timeout):
        """QEMU's exit status once it has exited by itself, None if it has not in @timeout s."""
        deadline = time.monotonic() + timeout
        while self.child.isalive() or not self.child.closed:
            if not self._read(min(0.5, max(deadline - time.monotonic(), 0.01))):
                self.child.close()
                self.exitstatus = self.child.exitstatus
                return self.exitstatus
            if time.monotonic() >= deadline:
                return None
        return self.child.exitstatus

    def tail(self, lines=25):
        return "\n".join(self.text.rstrip("\n").split("\n")[-lines:])

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)
        self.log.close()


class Shell:
    """The guest's shell: run a command, get its exit status and output."""

    def __init__(self, console, prompt):
        self.con = console
        self.prompt = prompt
        self.n = 0

    def run(self, cmd, timeout=60):
        self.n += 1
        # The marker is made by the shell ($((...))), so the echoed command never matches it.
        self.con.send("%s; echo @@END-$((%d+0))-$?@@" % (cmd, self.n))
        start = self.con.pos
        m = self.con.wait(r"@@END-%d-(\d+)@@" % self.n, timeout, "the end of %r" % cmd)
        out = self.con.text[start:m.start()]
        echo_end = out.rfind("@@\n")
        out = out[echo_end + 3:] if echo_end >= 0 else out
        self.con.wait(self.prompt, timeout, "the prompt after %r" % cmd)
        return int(m.group(1)), out
