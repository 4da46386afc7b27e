"""test_showq.py - the showq service: `postern queue` for users who are
neither root nor mail_owner (authorized_mailq_users, like Postfix's
showq).

A real instance runs smtpd, cleanup and showq (no qmgr: accepted mail
stays in incoming/). An ordinary user in setgid_group (public/ is 0710
mail_owner:setgid_group) lists the queue in text and JSON through
public/showq; with authorized_mailq_users a table without that user the
answer is "permission denied"; a user outside setgid_group, or any user
when showq does not run, gets a clear error; hostile requests get no
listing; root still reads the queue directly.
"""
import grp
import json
import os
import pwd
import socket
import subprocess

import pytest

from instance import (BUILD, MAIL_OWNER, POSTERN, SETGID_GROUP, Instance,
                      ensure_user, read_status, wait_until)

MASTER_CF = ("%(port0)s inet n - y - - smtpd\n"
             "cleanup unix - - y - 0 cleanup\n"
             "showq unix n - n - - showq\n")
MEMBER = "pshowqmember"
OUTSIDER = "pshowqoutsider"

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(BUILD, "showq")), reason="showq not built")


@pytest.fixture(scope="module")
def users():
    ensure_user(MEMBER)
    ensure_user(OUTSIDER)
    if MEMBER not in grp.getgrnam(SETGID_GROUP).gr_mem:
        subprocess.run(["usermod", "-a", "-G", SETGID_GROUP, MEMBER],
                       check=True, capture_output=True, timeout=60)
    return MEMBER, OUTSIDER


def make(master_cf=MASTER_CF, **main):
    i = Instance(main_extra=dict({"smtpd_timeout": "10s"}, **main))
    i.write_master_cf(master_cf)
    i.start()
    i.wait_listening()
    return i


@pytest.fixture
def inst(users):
    i = make()
    yield i
    i.cleanup()


def send(inst, sender, rcpt):
    return inst.smtp_queue(sender, [rcpt], b"Subject: hi\r\n\r\nbody\r\n")


def as_user(inst, user, *args):
    argv = ["runuser", "-u", user, "--", POSTERN, "-c", inst.conf_dir]
    env = {k: v for k, v in os.environ.items() if k != "POSTERN_CONFIG"}
    return subprocess.run(argv + list(args), capture_output=True, text=True,
                          env=env, timeout=30)


def showq_socket(inst):
    return os.path.join(inst.queue_dir, "public", "showq")


def wait_showq(inst):
    wait_until(lambda: os.path.exists(showq_socket(inst)), 10, "showq socket")


def test_user_lists_text_and_json(inst):
    wait_showq(inst)
    qid = send(inst, "alice@client.example", "bob@remote.example")
    p = as_user(inst, MEMBER, "queue")
    assert p.returncode == 0, p.stderr + inst.log()[-2000:]
    assert p.stdout.startswith("----Queue ID-----"), p.stdout
    assert qid in p.stdout and "alice@client.example" in p.stdout
    assert "bob@remote.example" in p.stdout
    assert "1 Request." in p.stdout
    # the same listing as root's direct read
    assert p.stdout == inst.postern("queue", check=True).stdout

    p = as_user(inst, MEMBER, "queue", "--json")
    assert p.returncode == 0, p.stderr
    objs = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(objs) == 1
    assert objs[0]["queue_id"] == qid and objs[0]["queue_name"] == "incoming"
    assert objs[0]["recipients"] == [{"address": "bob@remote.example"}]
    # the daemon that answered: mail_owner, sandboxed, not root
    pids = [p for p in inst.pids()
            if os.readlink("/proc/%d/exe" % p).endswith("/showq")]
    assert pids, inst.log()[-2000:]
    st = read_status(pids[0])
    owner = pwd.getpwnam(MAIL_OWNER).pw_uid
    assert st["Uid"].split() == [str(owner)] * 4
    assert st["Seccomp"] == "2"
    assert "warning" not in inst.log(), inst.log()[-2000:]
    # selectors need the direct read
    p = as_user(inst, MEMBER, "queue", "--from", "alice@client.example")
    assert p.returncode == 1 and p.stdout == ""
    assert "selectors need root or mail_owner" in p.stderr


def test_empty_queue(inst):
    wait_showq(inst)
    p = as_user(inst, MEMBER, "queue")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "Mail queue is empty\n"


def test_not_authorized(users):
    i = make(authorized_mailq_users="inline:{someoneelse=ok}")
    try:
        wait_showq(i)
        send(i, "alice@client.example", "bob@remote.example")
        p = as_user(i, MEMBER, "queue")
        assert p.returncode == 1
        assert p.stdout == ""
        assert p.stderr == ("postern: permission denied: %s is not in"
                            " authorized_mailq_users\n" % MEMBER)
        p = as_user(i, MEMBER, "queue", "--json")
        assert p.returncode == 1 and p.stdout == ""
        assert "permission denied" in p.stderr
        # root still reads the queue directly
        p = i.postern("queue", check=True)
        assert "alice@client.example" in p.stdout
    finally:
        i.cleanup()


def test_authorized_by_table(users):
    i = make(authorized_mailq_users="inline:{%s=ok}" % MEMBER)
    try:
        wait_showq(i)
        p = as_user(i, MEMBER, "queue")
        assert p.returncode == 0, p.stderr
        assert p.stdout == "Mail queue is empty\n"
    finally:
        i.cleanup()


def test_outsider_and_not_running(users):
    i = make(master_cf="%(port0)s inet n - y - - smtpd\n")
    try:
        # showq not in master.cf: no socket
        p = as_user(i, MEMBER, "queue")
        assert p.returncode == 1 and p.stdout == ""
        assert ("through the showq service when the mail system runs"
                in p.stderr), p.stderr
        # outside setgid_group: public/ cannot be searched; postern falls
        # back to the set-gid postdrop, which (not installed set-gid in
        # the build dir) cannot reach showq either
        p = as_user(i, OUTSIDER, "queue")
        assert p.returncode == 1 and p.stdout == ""
        assert "postern-postdrop" in p.stderr or "showq" in p.stderr, p.stderr
    finally:
        i.cleanup()


def _raw(inst, data):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(15)
    s.connect(showq_socket(inst))
    out = b""
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except (ConnectionResetError, BrokenPipeError):
        pass              # showq closed with our excess bytes unread
    s.close()
    return out


def test_hostile_requests(inst):
    wait_showq(inst)
    send(inst, "alice@client.example", "bob@remote.example")
    for req in (b"", b"xml\n", b"text", b"TEXT\n", b"text\r\n",
                b"a" * 100000 + b"\n", b"\x00\xff\n", b"json\njson\n"[:4]):
        out = _raw(inst, req)
        assert b"alice" not in out, req[:20]
        assert out in (b"", b"postern: bad showq request\n"), (req[:20], out)
    # a good request still works afterwards (root connects directly)
    assert b"alice@client.example" in _raw(inst, b"text\n")
    assert b"\"queue_id\"" in _raw(inst, b"json\n")
