"""test_master.py - the master supervisor and `postern start|stop|reload|
abort|status`, with a real master on free 127.0.0.1 ports and the test
services of tests/helpers (test_echo: "PID" -> pid, "SLEEP n", "QUIT";
test_crash: dies at once; test_trigger: logs each trigger).

Every wait polls with a timeout (instance.wait_until / wait_log).
"""
import os
import re
import signal
import socket
import stat
import threading
import time

import pytest

from instance import (Instance, ensure_user, pids_under, read_status,
                      wait_until)


def ask(sock, line):
    """Send one line, return the reply line (without CRLF)."""
    sock.sendall(line.encode() + b"\r\n")
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = sock.recv(1000)
        if not chunk:
            raise AssertionError("connection closed waiting for reply to %r"
                                 % line)
        buf += chunk
    return buf.decode().strip()


def session_pid(inst, port):
    """One client session: the pid of the process that served it. Like
    an SMTP client, it waits for the server to close after QUIT."""
    s = inst.connect(port)
    try:
        pid = int(ask(s, "PID"))
        ask(s, "QUIT")
        while s.recv(100):              # the server closes: session over
            pass
        return pid
    finally:
        s.close()


def echo_master_cf(maxproc=2):
    return "%%(port0)s inet n - n - %d test_echo\n" % maxproc


def test_maxproc_honoured_under_50_concurrent_clients(make_instance):
    inst = make_instance(echo_master_cf(maxproc=3), start=True)
    port = inst.ports[0]
    pids, errors = [], []
    peak = [0]
    stop_watch = threading.Event()

    def watch():
        while not stop_watch.is_set():
            peak[0] = max(peak[0], len(inst.service_pids("test_echo")))
            time.sleep(0.01)

    def client():
        try:
            pids.append(session_pid(inst, port))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))
    watcher = threading.Thread(target=watch)
    watcher.start()
    threads = [threading.Thread(target=client) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    stop_watch.set()
    watcher.join()
    assert not errors, errors[:3]
    assert len(pids) == 50
    assert len(set(pids)) <= 3, set(pids)        # maxproc
    assert peak[0] <= 3
    assert inst.master_pid() is not None


def test_busy_children_force_fork_up_to_maxproc(make_instance):
    inst = make_instance(echo_master_cf(maxproc=2), start=True)
    port = inst.ports[0]
    a = inst.connect(port)
    pid_a = int(ask(a, "PID"))          # a holds its process busy
    b = inst.connect(port)
    pid_b = int(ask(b, "PID"))
    assert pid_a != pid_b, "a busy process must not get a second client"
    c = inst.connect(port)               # queued: both processes busy
    c.sendall(b"PID\r\n")
    c.settimeout(1.0)
    with pytest.raises(socket.timeout):
        c.recv(100)
    assert len(inst.service_pids("test_echo")) == 2
    ask(a, "QUIT")
    a.close()
    c.settimeout(10)
    assert int(c.recv(100).decode().strip()) == pid_a, "idle process reused"
    b.close()
    c.close()


def test_idle_children_are_reused(make_instance):
    inst = make_instance(echo_master_cf(maxproc=5), start=True)
    pids = [session_pid(inst, inst.ports[0]) for _ in range(8)]
    assert len(set(pids)) == 1, pids
    assert inst.service_pids("test_echo") == [pids[0]]


def test_sigkill_of_child_is_replaced(make_instance):
    inst = make_instance(echo_master_cf(), start=True)
    old = session_pid(inst, inst.ports[0])
    mark = inst.log_mark()
    os.kill(old, signal.SIGKILL)
    inst.wait_log(r"service %d pid %d killed by signal 9 \(SIGKILL\)"
                  % (inst.ports[0], old), since=mark)
    new = session_pid(inst, inst.ports[0])
    assert new != old
    assert inst.master_pid() is not None


def test_crashing_service_is_throttled(make_instance):
    inst = make_instance("%(port0)s inet n - n - 5 test_crash\n", start=True)
    master = inst.master_pid()
    # A client that is never served keeps the listener readable: demand
    # for a process all the time.
    client = inst.connect(inst.ports[0])
    t0 = time.monotonic()
    inst.wait_log(r"service %d: throttling" % inst.ports[0])
    time.sleep(max(0.0, 10.0 - (time.monotonic() - t0)))   # measure window
    log = inst.log()
    client.close()
    exits = re.findall(r"service %d pid \d+ exited with status 1"
                       % inst.ports[0], log)
    delays = [int(d) for d in re.findall(
        r"service %d: throttling: no new process for (\d+) s"
        % inst.ports[0], log)]
    # 1 + 2 + 4 s of delay fit in 10 s: about 4 forks, never dozens.
    assert 2 <= len(exits) <= 6, log[-2000:]
    assert delays[:3] == [1, 2, 4], delays
    assert delays == sorted(delays)
    assert inst.master_pid() == master
    st = inst.status()
    assert st.returncode == 0 and "throttled" in st.stdout, st.stdout


def test_reload_adds_and_removes_services(make_instance):
    inst = make_instance("%(port0)s inet n - n - 2 test_echo\n"
                         "%(port1)s inet n - n - 2 test_echo\n", start=True)
    p0, p1, p2 = inst.ports
    old0 = session_pid(inst, p0)
    session_pid(inst, p1)
    inflight = inst.connect(p0)
    inflight_pid = int(ask(inflight, "PID"))
    inst.write_master_cf("%(port0)s inet n - n - 2 test_echo\n"
                         "%(port2)s inet n - n - 2 test_echo\n")
    mark = inst.log_mark()
    inst.reload()
    inst.wait_log(r"service %d/inet removed" % p1, since=mark)
    inst.wait_log(r"service %d/inet added" % p2, since=mark)

    def refused(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return False
        except ConnectionRefusedError:
            return True
    wait_until(lambda: refused(p1), 10, "port %d closed" % p1)
    assert session_pid(inst, p2) > 0
    # The session in flight finishes on its old process ...
    assert int(ask(inflight, "PID")) == inflight_pid
    ask(inflight, "QUIT")
    inflight.close()
    # ... and new clients get new processes (the old ones retire).
    wait_until(lambda: old0 not in inst.pids(), 10, "old process gone")
    wait_until(lambda: inflight_pid not in inst.pids(), 10,
               "in-flight process gone")
    assert session_pid(inst, p0) not in (old0, inflight_pid)


def test_reload_with_bad_master_cf_keeps_running_config(make_instance):
    inst = make_instance(echo_master_cf(), start=True)
    inst.write_master_cf("%(port0)s inet n - n - 2 test_echo\n"
                         "bogus line\n")
    p = inst.reload(check=False)
    assert p.returncode != 0            # postern reload checks first
    os.kill(inst.master_pid(), signal.SIGHUP)     # the master checks too
    inst.wait_log(r"reload refused")
    assert session_pid(inst, inst.ports[0]) > 0


def test_stop_leaves_no_process(make_instance):
    inst = make_instance("%(port0)s inet n - n - 3 test_echo\n"
                         "%(port1)s inet n - n - 3 test_echo\n", start=True)
    busy = inst.connect(inst.ports[0])
    ask(busy, "PID")
    session_pid(inst, inst.ports[1])
    assert len(inst.pids()) >= 3        # master + two services
    p = inst.stop()
    assert p.returncode == 0
    assert inst.pids() == []
    assert not os.path.exists(os.path.join(inst.queue_dir, "pid",
                                           "master.pid"))
    busy.close()
    assert inst.status().returncode == 1


def test_abort_kills_everything(make_instance):
    inst = make_instance(echo_master_cf(), start=True)
    busy = inst.connect(inst.ports[0])
    ask(busy, "PID")
    inst.abort()
    assert inst.pids() == []
    busy.close()


def test_second_start_is_refused(make_instance):
    inst = make_instance(echo_master_cf(), start=True)
    pid = inst.master_pid()
    p = inst.start(check=False)
    assert p.returncode != 0
    assert "already running" in p.stderr
    # The master itself refuses too, even when started by hand.
    import subprocess
    q = subprocess.run([os.path.join(inst.daemon_dir, "master"), "-c",
                        inst.conf_dir], capture_output=True, text=True,
                       timeout=30)
    assert q.returncode != 0
    assert "already running" in q.stderr
    assert inst.master_pid() == pid


def test_status_output(make_instance):
    inst = make_instance(echo_master_cf(maxproc=4), start=True)
    busy = inst.connect(inst.ports[0])
    busy_pid = int(ask(busy, "PID"))
    idle_pid = session_pid(inst, inst.ports[0])
    assert idle_pid != busy_pid

    def status_shows():
        out = inst.status().stdout
        return (("busy" in out and "idle" in out and
                 str(busy_pid) in out and str(idle_pid) in out) and out)
    out = wait_until(status_shows, 5, "status with both processes")
    assert "master pid %d" % inst.master_pid() in out
    svc = [l for l in out.splitlines() if l.startswith(str(inst.ports[0]))]
    assert svc and svc[0].split()[1:6] == ["inet", "2", "1", "1", "4"], out
    busy.close()
    inst.stop()
    p = inst.status()
    assert p.returncode == 1 and "not running" in p.stdout


def test_start_refuses_bad_config_and_missing_accounts(make_instance):
    inst = make_instance(echo_master_cf())
    inst.write_master_cf("%(port0)s inet n - n - x test_echo\n")
    p = inst.start(check=False)
    assert p.returncode != 0 and "not starting" in p.stderr
    assert inst.master_pid() is None
    inst.write_master_cf(echo_master_cf())
    inst.write_main_cf({"mail_owner": "no_such_user_xyz"})
    p = inst.start(check=False)
    assert p.returncode != 0
    assert "no_such_user_xyz" in p.stderr and "useradd" in p.stderr
    inst.write_main_cf({"setgid_group": "no_such_group_xyz"})
    p = inst.start(check=False)
    assert p.returncode != 0 and "groupadd" in p.stderr
    assert inst.pids() == []


def test_start_creates_queue_tree_and_sockets(make_instance):
    inst = make_instance("priv unix - - n - 1 test_echo\n"
                         "pub unix n - n - 1 test_echo\n"
                         "fifo1 fifo n - n - 1 test_trigger\n", start=True)
    q = inst.queue_dir
    for d in ("incoming", "active", "deferred", "maildrop", "private",
              "public", "pid"):
        assert os.path.isdir(os.path.join(q, d)), d
    priv = os.stat(os.path.join(q, "private", "priv"))
    pub = os.stat(os.path.join(q, "public", "pub"))
    fifo = os.stat(os.path.join(q, "public", "fifo1"))
    assert stat.S_ISSOCK(priv.st_mode) and stat.S_IMODE(priv.st_mode) == 0o600
    assert stat.S_ISSOCK(pub.st_mode) and stat.S_IMODE(pub.st_mode) == 0o666
    assert stat.S_ISFIFO(fifo.st_mode) and stat.S_IMODE(fifo.st_mode) == 0o622
    import pwd
    owner = pwd.getpwnam("postern").pw_uid
    assert priv.st_uid == owner and pub.st_uid == owner
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(os.path.join(q, "private", "priv"))
    assert int(ask(s, "PID")) in inst.service_pids("test_echo")
    s.close()
    # A trigger written to the FIFO brings up a process that logs it.
    fd = os.open(os.path.join(q, "public", "fifo1"), os.O_WRONLY)
    os.write(fd, b"X")
    os.close(fd)
    inst.wait_log(r"service fifo1: trigger: 1 bytes: X")


def test_wakeup_timer_sends_triggers(make_instance):
    inst = make_instance("tick unix n - n 1 1 test_trigger\n", start=True)
    # A wakeup service gets its process at start-up, then a 'W' a second.
    wait_until(lambda: inst.service_pids("test_trigger"), 5, "trigger proc")
    inst.wait_log(r"service tick: trigger: 1 bytes: W")
    n0 = inst.log().count("trigger: 1 bytes: W")
    wait_until(lambda: inst.log().count("trigger: 1 bytes: W") >= n0 + 2,
               6, "two more wakeups")


def test_unprivileged_instance(make_instance):
    user = ensure_user("posterntest")
    inst = make_instance("%(port0)s inet n - n - 2 test_echo\n"
                         "%(port1)s inet n - y - 2 test_echo\n",
                         user="posterntest")
    inst.start()
    master = inst.master_pid()
    assert master is not None
    uids = read_status(master)["Uid"].split()
    assert all(int(u) == user.pw_uid for u in uids)
    pid0 = session_pid(inst, inst.ports[0])
    pid1 = session_pid(inst, inst.ports[1])     # chroot column y: skipped
    for pid in (pid0, pid1):
        st = read_status(pid)
        assert all(int(u) == user.pw_uid for u in st["Uid"].split())
    s = inst.connect(inst.ports[0])
    assert ask(s, "UID") == "%d %d" % (user.pw_uid, user.pw_uid)
    s.close()
    st = os.stat(os.path.join(inst.queue_dir, "pid", "master.pid"))
    assert st.st_uid == user.pw_uid
    inst.stop()
    assert inst.pids() == []


def test_unprivileged_instance_needs_own_mail_owner(make_instance):
    ensure_user("posterntest")
    inst = make_instance(echo_master_cf(), user="posterntest")
    inst.write_main_cf({"mail_owner": "postern"})
    p = inst.start(check=False)
    assert p.returncode != 0 and "mail_owner" in p.stderr
    assert inst.pids() == []


def test_start_fails_cleanly_when_port_is_taken(make_instance):
    inst = make_instance(echo_master_cf())
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker.bind(("127.0.0.1", inst.ports[0]))
    blocker.listen(1)
    try:
        p = inst.start(check=False)
    finally:
        blocker.close()
    assert p.returncode != 0
    assert "Address already in use" in p.stderr, p.stderr
    assert "did not start" in p.stderr
    assert inst.master_pid() is None and inst.pids() == []
    inst.start()                        # the port is free again
    assert session_pid(inst, inst.ports[0]) > 0
