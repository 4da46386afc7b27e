"""test_sandbox.py - the privilege and sandbox sequence of the daemon
skeleton, seen from outside on a real instance: every child runs as
mail_owner with a seccomp filter (Seccomp: 2) and no_new_privs, a chroot
child's root is queue_directory, a system call outside the allow-list
kills the child with SIGSYS and master logs it, a panic still ends in
SIGABRT (not SIGSYS), and an unprivileged instance runs and serves.

Test services (tests/helpers): test_echo ("PID", "UID", "QUIT"),
test_badsys ("BAD" makes a forbidden ptrace), test_multi (many clients,
one process), test_trigger, test_crash ("abort" argument).
"""
import os
import pwd

import pytest

from instance import ensure_user, read_status, wait_until


def ask(sock, line):
    """Send one line, return the reply line (without CRLF), or None at
    end of file."""
    sock.sendall(line.encode() + b"\r\n")
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = sock.recv(1000)
        if not chunk:
            return None
        buf += chunk
    return buf.decode().strip()


def session(inst, port, *lines):
    s = inst.connect(port)
    try:
        return [ask(s, line) for line in lines]
    finally:
        s.close()


def children(inst):
    master = inst.master_pid()
    return [p for p in inst.pids() if p != master]


def assert_confined(pid, uid, gid):
    st = read_status(pid)
    assert st is not None, "process %d is gone" % pid
    assert st["Seccomp"] == "2", "pid %d: Seccomp: %s" % (pid, st["Seccomp"])
    assert st["NoNewPrivs"] == "1", "pid %d: NoNewPrivs" % pid
    assert st["Uid"].split() == [str(uid)] * 4, "pid %d Uid %s" % (pid, st["Uid"])
    assert st["Gid"].split() == [str(gid)] * 4, "pid %d Gid %s" % (pid, st["Gid"])
    assert st["Groups"].split() in ([], [str(gid)]), "pid %d Groups" % pid
    assert st["CapEff"] == "0000000000000000", "pid %d CapEff" % pid


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_every_child_is_mail_owner_with_seccomp(make_instance):
    inst = make_instance(
        "%(port0)s inet n - n - 2 test_echo\n"
        "%(port1)s inet n - y - 2 test_echo\n"
        "%(port2)s inet n - n - 1 test_multi\n"
        "tick unix n - n 1 1 test_trigger\n", start=True)
    owner = pwd.getpwnam(inst.owner)
    for port in inst.ports[:2]:
        pid, ids = session(inst, port, "PID", "UID")
        assert ids == "%d %d" % (owner.pw_uid, owner.pw_uid)
    assert session(inst, inst.ports[2], "hello")[0] == "ECHO hello"
    wait_until(lambda: inst.service_pids("test_trigger"), 10, "trigger process")
    kids = wait_until(lambda: len(children(inst)) >= 4 and children(inst),
                      10, "four children")
    for pid in kids:
        assert_confined(pid, owner.pw_uid, owner.pw_gid)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_chroot_child_root_is_queue_directory(make_instance):
    inst = make_instance("%(port0)s inet n - y - 1 test_echo\n"
                         "%(port1)s inet n - n - 1 test_echo\n", start=True)
    pid = int(session(inst, inst.ports[0], "PID", "QUIT")[0])
    assert os.readlink("/proc/%d/root" % pid) == os.path.realpath(inst.queue_dir)
    pid = int(session(inst, inst.ports[1], "PID", "QUIT")[0])
    assert os.readlink("/proc/%d/root" % pid) == "/"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_unpriv_n_still_drops_root(make_instance):
    inst = make_instance("%(port0)s inet n n n - 1 test_echo\n", start=True)
    owner = pwd.getpwnam(inst.owner)
    pid, ids = session(inst, inst.ports[0], "PID", "UID")
    assert ids == "%d %d" % (owner.pw_uid, owner.pw_uid)
    assert_confined(int(pid), owner.pw_uid, owner.pw_gid)
    inst.wait_log(r"unpriv=n ignored")


def test_forbidden_syscall_kills_and_master_logs_it(make_instance):
    inst = make_instance("%(port0)s inet n - y - 1 test_badsys\n", start=True)
    s = inst.connect(inst.ports[0])
    try:
        pid = int(ask(s, "PID"))
        assert ask(s, "hello") == "ECHO hello"
        assert ask(s, "BAD") is None          # killed before it could answer
    finally:
        s.close()
    inst.wait_log(r"pid %d killed by seccomp.*SIGSYS" % pid)
    inst.wait_log(r"test_badsys\[%d\]: making a forbidden system call" % pid)
    # master replaces it and the service still works.
    assert session(inst, inst.ports[0], "again")[0] == "ECHO again"


def test_abort_in_sandbox_is_sigabrt_not_sigsys(make_instance):
    inst = make_instance("%(port0)s inet n - n - 1 test_crash abort\n",
                         start=True)
    try:
        inst.connect(inst.ports[0], timeout=2).close()
    except OSError:
        pass
    m = inst.wait_log(r"crashing with abort\(\)")
    inst.wait_log(r"killed by signal 6", since=m.start())
    assert "killed by seccomp" not in inst.log()


def test_multi_server_serves_clients_in_one_process(make_instance):
    inst = make_instance("%(port0)s inet n - n - 1 test_multi\n", start=True)
    socks = [inst.connect(inst.ports[0]) for _ in range(5)]
    try:
        pids = {ask(s, "PID") for s in socks}
        assert len(pids) == 1
        for i, s in enumerate(socks):
            assert ask(s, "n%d" % i) == "ECHO n%d" % i
        assert ask(socks[0], "QUIT") == "BYE"
        assert ask(socks[1], "still") == "ECHO still"
    finally:
        for s in socks:
            s.close()


def test_unprivileged_instance_runs_and_serves(make_instance):
    if os.geteuid() != 0:
        pytest.skip("needs root to create the test user")
    user = ensure_user("posterntest")
    inst = make_instance("%(port0)s inet n - y - 1 test_echo\n",
                         user="posterntest", start=True)
    pid, ids = session(inst, inst.ports[0], "PID", "UID")
    assert ids == "%d %d" % (user.pw_uid, user.pw_uid)
    assert_confined(int(pid), user.pw_uid, user.pw_gid)
    inst.wait_log(r"not running as root: chroot to .* skipped")
