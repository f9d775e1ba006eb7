"""Results as they come (one line per check, with the time since QEMU started),
a summary, and the same data as JUnit XML and JSON for CI systems."""
import json
import re
import sys
import time
from xml.etree import ElementTree as ET

PASS, FAIL, SKIP = "pass", "fail", "skip"

# What XML 1.0 cannot carry (a console may print any byte).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(s):
    return XML_INVALID.sub("?", s or "")


class Result:
    def __init__(self, name, status, message, at, duration, details=""):
        self.name = name
        self.status = status
        self.message = message    # one line
        self.at = at              # seconds since QEMU started, when it was decided
        self.duration = duration  # seconds the check took
        self.details = details    # more lines: what the kernel or the hypervisor printed

    def as_dict(self):
        return {"name": self.name, "status": self.status, "message": self.message,
                "at": round(self.at, 2), "duration": round(self.duration, 2),
                "details": self.details}


class Report:
    def __init__(self, suite, properties, out=sys.stdout):
        self.suite = suite
        self.properties = properties  # what was checked: kernel, machine, ...
        self.results = []
        self.out = out
        self.setup_error = None
        self.started = time.time()

    def add(self, result):
        self.results.append(result)
        self.out.write("[%6.1fs] %-4s  %-16s %s\n" % (result.at, result.status.upper(),
                                                      result.name, result.message))
        for line in result.details.splitlines() if result.status == FAIL else []:
            self.out.write("          | %s\n" % line)
        self.out.flush()

    def counts(self):
        return {s: sum(r.status == s for r in self.results) for s in (PASS, FAIL, SKIP)}

    def exit_status(self):
        if self.setup_error:
            return 2
        return 1 if self.counts()[FAIL] else 0

    def summary(self, log_path):
        c = self.counts()
        if self.setup_error:
            line = "guest-check: set-up failed: %s" % self.setup_error
        else:
            line = "guest-check: %d passed, %d failed, %d skipped in %.1f s" % (
                c[PASS], c[FAIL], c[SKIP], time.time() - self.started)
        self.out.write(line + "\n")
        if log_path:
            self.out.write("guest-check: console log: %s\n" % log_path)
        self.out.flush()

    def as_dict(self):
        return {"suite": self.suite, "properties": self.properties,
                "setup_error": self.setup_error, "counts": self.counts(),
                "exit_status": self.exit_status(),
                "results": [r.as_dict() for r in self.results]}

    def write_json(self, path):
        with open(path, "w") as f:
            json.dump(self.as_dict(), f, indent=2)
            f.write("\n")

    def write_junit(self, path, console_tail=""):
        """JUnit XML as GitLab, Jenkins and GitHub's test reporters read it."""
        c = self.counts()
        suites = ET.Element("testsuites", name="guest-check")
        suite = ET.SubElement(suites, "testsuite", name=self.suite,
                              tests=str(len(self.results) + (1 if self.setup_error else 0)),
                              failures=str(c[FAIL]), errors="1" if self.setup_error else "0",
                              skipped=str(c[SKIP]),
                              time="%.2f" % sum(r.duration for r in self.results))
        props = ET.SubElement(suite, "properties")
        for k, v in self.properties.items():
            ET.SubElement(props, "property", name=k, value=xml_text(str(v)))
        if self.setup_error:
            case = ET.SubElement(suite, "testcase", classname=self.suite, name="setup", time="0")
            ET.SubElement(case, "error", message=xml_text(self.setup_error))
        for r in self.results:
            case = ET.SubElement(suite, "testcase", classname=self.suite, name=r.name,
                                 time="%.2f" % r.duration)
            if r.status == FAIL:
                f = ET.SubElement(case, "failure", message=xml_text(r.message))
                f.text = xml_text(r.details)
            elif r.status == SKIP:
                ET.SubElement(case, "skipped", message=xml_text(r.message))
            else:
                ET.SubElement(case, "system-out").text = xml_text(r.message)
        if console_tail:
            ET.SubElement(suite, "system-out").text = xml_text(console_tail)
        ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
