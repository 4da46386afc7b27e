"""test_bench.py - tools/bench (`make bench`) still works: a tiny load
(40 messages, 4 sessions, 2 users) against postern, every message
delivered, the figures reported; and bad options are refused. Skipped
when smtp-source (Debian package postfix) is not installed: the test
does not install it.
"""
import functools
import os
import re
import subprocess

import pytest

from instance import BUILD, SRC

BENCH = os.path.join(SRC, "tools", "bench")
SMTP_SOURCE = "/usr/sbin/smtp-source"

def needs_tools(fn):
    """smtp-source comes from Debian's postfix package (make deps)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        assert os.access(SMTP_SOURCE, os.X_OK), "smtp-source missing: run make deps"
        return fn(*args, **kwargs)
    return wrapper


@needs_tools
def test_small_load_is_delivered():
    p = subprocess.run([BENCH, "--messages", "40", "--sessions", "4",
                        "--users", "2", "--time-limit", "120", BUILD],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert re.search(r"accepted: +[0-9.]+ s, [0-9]+ msg/s", p.stdout), p.stdout
    assert re.search(r"delivered: +[0-9.]+ s, [0-9]+ msg/s", p.stdout), p.stdout
    m = re.search(r"peak RSS: +([0-9.]+) MiB \(([0-9]+) processes", p.stdout)
    assert m and float(m.group(1)) > 1 and int(m.group(2)) >= 4, p.stdout
    assert "incomplete" not in p.stdout


@needs_tools
def test_time_limit_reports_incomplete():
    # 1 s is far too short for 3000 messages over one session.
    p = subprocess.run([BENCH, "--messages", "3000", "--sessions", "1",
                        "--users", "1", "--time-limit", "1", BUILD],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 1
    assert "incomplete" in p.stdout


def test_bad_options_are_refused():
    for argv in (["--messages", "0"], ["--sessions", "-1"],
                 ["--size", "x"], ["--only", "exim"]):
        p = subprocess.run([BENCH] + argv + [BUILD], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode != 0, argv
