"""test_cleanup.py - the cleanup daemon under the real master (chrooted,
sandboxed), driven over queue_directory/private/cleanup with the
protocol of util/cleanup_proto.h (a small Python client below), and,
when build/smtpd exists, through SMTP.

Checks: Message-ID:/Date: added; 51 Received: headers refused with
5.4.0; virtual_alias_maps rewriting visible in the queue file; qmgr's
trigger poked; a cleanup process killed with SIGKILL in the middle of a
message leaves no file under a queue ID name and the client gets no OK.
"""
import os
import re
import signal
import smtplib
import socket
import struct
import time

import pytest

from instance import BUILD, wait_until
from wire import a_int, read_attrs, rec

MASTER_CF = (
    "cleanup unix - - y - 0 cleanup\n"
    "qmgr unix n - n - 1 test_trigger\n"
)
SMTP_CF = "%(port0)s inet n - y - - smtpd\n"

STAT_OK, STAT_DEFER, STAT_REJECT = 0, 1, 3
QUEUE_ID = re.compile(r"^[0-9A-Za-z]{12,20}$")


# --- queue file records (docs/queue.md; formats in wire.py) ----------

def envelope(sender, rcpts):
    out = rec("V", b"postern-queue 1")
    out += rec("T", b"%d.000000" % int(time.time()))
    out += rec("Z", b"0" * 20)
    out += rec("p", b"ESMTP")
    out += rec("S", sender.encode())
    for r in rcpts:
        out += rec("R", r.encode())
    return out + rec("M")


def content(lines):
    return b"".join(rec("N", ln.encode()) for ln in lines) + rec("X") + rec("E")


def parse_queue_file(path):
    """(recipients, content lines) of a committed queue file."""
    with open(path, "rb") as f:
        data = f.read()
    rcpts, lines, cur, i = [], [], b"", 0
    while i < len(data):
        t = chr(data[i])
        n = struct.unpack(">I", data[i + 1:i + 5])[0]
        val = data[i + 5:i + 5 + n]
        i += 5 + n
        if t == "R":
            rcpts.append(val.decode())
        elif t == "L":
            cur += val
        elif t == "N":
            lines.append((cur + val).decode(errors="replace"))
            cur = b""
    return rcpts, lines


class Cleanup:
    """A client session on private/cleanup."""

    def __init__(self, inst, flags=0):
        path = os.path.join(inst.queue_dir, "private", "cleanup")
        wait_until(lambda: os.path.exists(path), 10, "cleanup socket")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(20)
        self.sock.connect(path)
        hello = read_attrs(self.sock)
        assert hello == {"protocol": "cleanup_protocol"}, hello
        self.sock.sendall(a_int("flags", flags) + b"\x00")

    def send(self, data):
        self.sock.sendall(data)

    def reply(self):
        return read_attrs(self.sock)

    def close(self):
        self.sock.close()


def submit(inst, sender, rcpts, lines, flags=0):
    c = Cleanup(inst, flags)
    c.send(envelope(sender, rcpts) + content(lines))
    r = c.reply()
    c.close()
    return r


def queue_files(inst, queue="incoming"):
    out = []
    for dirpath, _, files in os.walk(os.path.join(inst.queue_dir, queue)):
        out += [os.path.join(dirpath, f) for f in files]
    return out


@pytest.fixture
def running(make_instance):
    def make(main_extra=None, master_cf=MASTER_CF):
        inst = make_instance(main_extra=main_extra)
        inst.write_master_cf(master_cf)
        inst.start()
        return inst
    return make


def test_adds_message_id_and_date_and_wakes_qmgr(running):
    inst = running()
    mark = inst.log_mark()
    r = submit(inst, "a@example.org", ["b@example.test"],
               ["Subject: hello", "", "body"])
    assert r["status"] == STAT_OK, r
    qid = r["queue_id"]
    assert QUEUE_ID.match(qid) and r["reason"] == ""
    files = queue_files(inst)
    assert [os.path.basename(f) for f in files] == [qid]
    rcpts, lines = parse_queue_file(files[0])
    assert rcpts == ["b@example.test"]
    assert lines[0] == "Subject: hello"
    assert re.match(r"^Message-ID: <\d{14}\.%s@mail\.example\.test>$" % qid,
                    lines[1]), lines
    assert lines[2].startswith("Date: ")
    assert lines[3:] == ["", "body"]
    inst.wait_log(r"cleanup\[\d+\]: %s: message-id=<" % qid, since=mark)
    inst.wait_log(r"trigger: 1 bytes: W", since=mark)
    # The cleanup process is sandboxed.
    pid = inst.service_pids("cleanup")[0]
    with open("/proc/%d/status" % pid) as f:
        assert re.search(r"^Seccomp:\s+2$", f.read(), re.M)


def test_too_many_hops_rejected(running):
    inst = running()
    hops = ["Received: from h%d by h%d" % (i, i + 1) for i in range(51)]
    r = submit(inst, "a@example.org", ["b@example.test"], hops + ["", "x"])
    assert r["status"] == STAT_REJECT
    assert r["reason"] == "5.4.0 Error: too many hops"
    assert r["queue_id"] == ""
    assert queue_files(inst) == []
    r = submit(inst, "a@example.org", ["b@example.test"], hops[1:] + ["", "x"])
    assert r["status"] == STAT_OK, r


def test_virtual_alias_rewriting_in_queue_file(running):
    inst = running(main_extra={
        "virtual_alias_maps":
            "inline:{{team@example.test = ann@example.test, bob}, "
            "bob@example.test=robert@remote.example}",
        "canonical_maps": "inline:{olduser@example.test=new@example.test}",
        "myorigin": "example.test",
    })
    r = submit(inst, "olduser", ["team@example.test", "ann@example.test"],
               ["Subject: x"])
    assert r["status"] == STAT_OK, r
    rcpts, _ = parse_queue_file(queue_files(inst)[0])
    assert rcpts == ["ann@example.test", "robert@remote.example"]
    with open(queue_files(inst)[0], "rb") as f:
        data = f.read()
    assert b"new@example.test" in data
    assert b"rfc822;team@example.test" in data


def test_hash_table_opened_before_chroot(make_instance):
    inst = make_instance()
    src = os.path.join(inst.conf_dir, "virtual")
    with open(src, "w") as f:
        f.write("team@example.test ann@example.test, bob@remote.example\n")
    assert inst.postern("map", "hash:" + src).returncode == 0
    inst.write_main_cf({"virtual_alias_maps": "hash:" + src})
    inst.write_master_cf(MASTER_CF)
    inst.start()
    for n in range(2):                  # the table stays usable
        r = submit(inst, "a@example.org", ["team@example.test"], ["Subject: x"])
        assert r["status"] == STAT_OK, r
    for path in queue_files(inst):
        assert parse_queue_file(path)[0] == ["ann@example.test",
                                             "bob@remote.example"]


def test_kill_during_message_leaves_nothing(running):
    inst = running()
    c = Cleanup(inst)
    c.send(envelope("a@example.org", ["b@example.test"])
           + rec("N", b"Subject: half") + rec("N", b""))
    pids = wait_until(lambda: inst.service_pids("cleanup"), 10, "cleanup")
    wait_until(lambda: [f for f in queue_files(inst)], 10, "temporary file")
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    with pytest.raises((EOFError, ConnectionError)):
        c.reply()
    c.close()
    # Nothing under a queue ID name (a temporary file may stay).
    assert not [f for f in queue_files(inst)
                if QUEUE_ID.match(os.path.basename(f))]
    # A new process serves the next message.
    r = submit(inst, "a@example.org", ["b@example.test"], ["Subject: again"])
    assert r["status"] == STAT_OK, r


def test_garbage_stream_deferred(running):
    inst = running()
    c = Cleanup(inst)
    c.send(envelope("a@example.org", ["b@example.test"]) + rec("R", b"x@y"))
    r = c.reply()
    c.close()
    assert r["status"] == STAT_DEFER
    assert r["reason"].startswith("4.3.0 ")
    assert queue_files(inst) == []


def test_smtp_hop_count_and_added_headers(running):
    inst = running(master_cf=MASTER_CF + SMTP_CF,
                   main_extra={"mydestination": "example.test",
                               "local_recipient_maps": ""})
    port = inst.ports[0]
    wait_until(lambda: inst.connect(port) and True, 10, "smtpd")
    hops = "".join("Received: from h%d by h%d\r\n" % (i, i + 1) for i in range(51))
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
        s.ehlo("client.example.org")
        with pytest.raises(smtplib.SMTPDataError) as e:
            s.sendmail("a@example.org", ["postmaster@example.test"],
                       hops + "Subject: x\r\n\r\nbody\r\n")
        assert e.value.smtp_code == 554
        assert b"5.4.0" in e.value.smtp_error
        s.sendmail("a@example.org", ["postmaster@example.test"],
                   "Subject: plain\r\n\r\nbody\r\n")
    _, lines = parse_queue_file(queue_files(inst)[0])
    assert lines[0].startswith("Received: ")
    assert any(ln.startswith("Message-ID: <") for ln in lines)
    assert any(ln.startswith("Date: ") for ln in lines)


def test_smtp_cleanup_killed_during_data_gives_4xx(running):
    inst = running(master_cf=MASTER_CF + SMTP_CF,
                   main_extra={"mydestination": "example.test",
                               "local_recipient_maps": ""})
    port = inst.ports[0]
    s = smtplib.SMTP("127.0.0.1", port, timeout=20)
    s.ehlo("client.example.org")
    s.mail("a@example.org")
    s.rcpt("postmaster@example.test")
    s.putcmd("data")
    code, _ = s.getreply()
    assert code == 354
    s.send(b"Subject: x\r\n\r\n" + b"line\r\n" * 100)
    pids = wait_until(lambda: inst.service_pids("cleanup"), 10, "cleanup")
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    s.send(b".\r\n")
    code, _ = s.getreply()
    assert 400 <= code < 500
    s.close()
    assert not [f for f in queue_files(inst)
                if QUEUE_ID.match(os.path.basename(f))]
