"""test_proxymap.py - the proxymap service and the proxy: table type.

A real instance runs proxymap; the test helper proxy_query (a client
outside any chroot that reads main.cf like a daemon and opens
proxy:TYPE:NAME) looks keys up through it: found, not found, a table not
listed in proxy_read_maps refused, a changed table reopened, garbage on
the socket survived, and the process runs as mail_owner with its
seccomp filter.
"""
import os
import shutil
import socket
import subprocess
import time

import pytest

from instance import BUILD, HELPERS, read_status


MASTER_CF = "proxymap unix - - n - - proxymap\n"


def start(make_instance, table_text):
    """An instance running proxymap; a regexp table under its root (which
    mail_owner can read, unlike pytest's tmp_path)."""
    inst = make_instance()
    users = os.path.join(inst.root, "users")
    with open(users, "w") as f:
        f.write(table_text)
    os.chmod(users, 0o644)
    inst.write_main_cf({
        "proxy_read_maps": "proxy:unix:passwd.byname regexp:%s" % users,
    })
    dst = os.path.join(inst.daemon_dir, "proxymap")
    if not os.path.exists(dst):
        shutil.copy2(os.path.join(BUILD, "proxymap"), dst)
    inst.write_master_cf(MASTER_CF)
    inst.start()
    sock = os.path.join(inst.queue_dir, "private", "proxymap")
    deadline = time.time() + 10
    while not os.path.exists(sock) and time.time() < deadline:
        time.sleep(0.05)
    return inst, users


def query(inst, table, *keys):
    return subprocess.run([os.path.join(HELPERS, "proxy_query"), inst.conf_dir,
                           table] + list(keys), capture_output=True,
                          text=True, timeout=30)


def test_lookups_through_proxymap(make_instance, tmp_path):
    inst, users = start(make_instance, "/^alice@/ found-alice\n")
    r = query(inst, "proxy:unix:passwd.byname", "root")
    assert r.returncode == 0, r.stderr + inst.log()[-2000:]
    assert r.stdout.startswith("root\troot:")
    r = query(inst, "proxy:unix:passwd.byname", "no-such-user-xyz")
    assert r.returncode == 1, r.stderr
    r = query(inst, "proxy:regexp:%s" % users, "ALICE@x.example")
    assert (r.returncode, r.stdout) == (0, "ALICE@x.example\tfound-alice\n"), r.stderr

    # A table that proxy_read_maps does not list is refused.
    other = os.path.join(inst.root, "other")
    with open(other, "w") as f:
        f.write("/./ secret\n")
    os.chmod(other, 0o644)
    r = query(inst, "proxy:regexp:%s" % other, "x")
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "secret" not in r.stdout
    inst.wait_log(r"proxymap.*refused: not in proxy_read_maps")

    # A changed table is reopened.
    time.sleep(1.1)
    with open(users + ".new", "w") as f:
        f.write("/^alice@/ changed\n")
    os.chmod(users + ".new", 0o644)
    os.rename(users + ".new", users)
    r = query(inst, "proxy:regexp:%s" % users, "alice@x.example")
    assert (r.returncode, r.stdout) == (0, "alice@x.example\tchanged\n"), r.stderr

    # Nested proxy: is refused on the client side.
    r = query(inst, "proxy:proxy:unix:passwd.byname", "root")
    assert r.returncode == 2


def test_proxymap_is_confined(make_instance, tmp_path):
    inst, _ = start(make_instance, "/x/ y\n")
    r = query(inst, "proxy:unix:passwd.byname", "root")
    assert r.returncode == 0, r.stderr + inst.log()[-2000:]
    pids = inst.service_pids("proxymap")
    assert pids, inst.log()[-2000:]
    st = read_status(pids[0])
    assert st["Seccomp"] == "2"
    uid = int(st["Uid"].split()[1])
    assert uid == os.stat(inst.queue_dir).st_uid or uid != 0
    assert "killed" not in inst.log() and "signal" not in inst.log(), inst.log()


def test_garbage_on_the_socket(make_instance, tmp_path):
    inst, _ = start(make_instance, "/x/ y\n")
    path = os.path.join(inst.queue_dir, "private", "proxymap")
    for junk in (b"\x00" * 100, b"\x03\xffrequest\xff\xff\xff\xff" + b"A" * 50,
                 b"GET / HTTP/1.0\r\n\r\n", b"\x03\x07request" + b"\x7f" * 8):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(path)
        s.recv(100)                     # the announcement
        s.sendall(junk)
        try:
            while s.recv(4096):
                pass
        except (socket.timeout, ConnectionResetError):
            pass
        s.close()
    r = query(inst, "proxy:unix:passwd.byname", "root")
    assert r.returncode == 0, r.stderr + inst.log()[-2000:]
