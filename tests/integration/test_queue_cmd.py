"""test_queue_cmd.py - `postern queue`, `postern flush` and `postern
delete` against a real instance (smtpd + cleanup, no qmgr: accepted mail
stays in incoming/ where the listing must find it).

Checks: the mailq text and the JSON lines list what SMTP accepted (null
sender shown as MAILER-DAEMON / ""), a damaged queue file is listed
without stopping the listing, a user who is neither root nor mail_owner
gets a clear error, flush with qmgr absent says "mail system is not
running" but still makes the deferred files due, delete refuses bad
queue IDs, deletes one message, IDs from stdin, and ALL. When qmgr is
built: the real deferred-reason log shows in the listing, and flush makes
qmgr retry a message whose backoff has not run out.
"""
import json
import os
import re
import subprocess
import time

import pytest

from instance import BUILD, POSTERN, Instance, wait_until

MASTER_CF = ("%(port0)s inet n - y - - smtpd\n"
             "cleanup unix - - y - 0 cleanup\n"
             "proxymap unix - - n - - proxymap\n")


@pytest.fixture
def inst():
    i = Instance(main_extra={"smtpd_timeout": "10s"})
    i.write_master_cf(MASTER_CF)
    i.start()
    i.wait_listening()
    yield i
    i.cleanup()


def send(inst, sender, rcpts, subject="hello"):
    """Submit one message over SMTP; its queue ID."""
    return inst.smtp_queue(sender, rcpts,
                           "Subject: %s\r\n\r\nbody\r\n" % subject)


def queue_file(inst, queue, qid):
    return os.path.join(inst.queue_dir, queue, qid[9], qid)


def as_nobody(inst, *args, stdin=None):
    argv = ["runuser", "-u", "nobody", "--", POSTERN, "-c", inst.conf_dir]
    return subprocess.run(argv + list(args), capture_output=True, text=True,
                          input=stdin, timeout=30)


def postern_stdin(inst, text, *args):
    return subprocess.run([POSTERN, "-c", inst.conf_dir] + list(args),
                          capture_output=True, text=True, input=text,
                          timeout=30)


def listing(inst):
    p = inst.postern("queue", check=True)
    return p.stdout


def json_listing(inst):
    p = inst.postern("queue", "--json", check=True)
    return [json.loads(line) for line in p.stdout.splitlines()]


def test_list_accepted_mail(inst):
    assert listing(inst) == "Mail queue is empty\n"
    assert json_listing(inst) == []

    t0 = int(time.time())
    a = send(inst, "alice@client.example", ["u1@remote.example", "u2@remote.example"])
    b = send(inst, "", ["u3@remote.example"])

    text = listing(inst)
    lines = text.splitlines()
    assert lines[0] == ("----Queue ID----- --Size-- ---Arrival Time---- "
                        "--Sender/Recipient------")
    m = re.search(r"^%s +(\d+) \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d "
                  r"alice@client\.example$" % a, text, re.M)
    assert m, text
    assert re.search(r"^%s +\d+ .* MAILER-DAEMON$" % b, text, re.M), text
    for r in ("u1", "u2", "u3"):
        assert re.search(r"^ {47}%s@remote\.example$" % r, text, re.M), text
    assert lines[-1] == "-- 0 Kbytes in 2 Requests."

    objs = {o["queue_id"]: o for o in json_listing(inst)}
    assert set(objs) == {a, b}
    oa = objs[a]
    assert oa["queue_name"] == "incoming"
    assert oa["sender"] == "alice@client.example"
    assert [r["address"] for r in oa["recipients"]] == \
        ["u1@remote.example", "u2@remote.example"]
    assert all("delay_reason" not in r for r in oa["recipients"])
    assert oa["message_size"] == int(m.group(1)) > 0
    assert t0 - 5 <= oa["arrival_time"] <= time.time() + 5
    assert objs[b]["sender"] == ""


def test_damaged_file_and_permissions(inst):
    a = send(inst, "alice@client.example", ["u1@remote.example"])
    bad = a[:-1] + ("A" if a[-1] != "A" else "B")
    path = queue_file(inst, "incoming", bad)
    with open(path, "wb") as f:
        f.write(b"\x00garbage")
    text = listing(inst)
    assert re.search(r"^%s +- .*\(damaged queue file: " % bad, text, re.M), text
    assert re.search(r"^%s +\d+ " % a, text, re.M), text
    objs = {o["queue_id"]: o for o in json_listing(inst)}
    assert "error" in objs[bad] and objs[bad]["recipients"] == []
    assert objs[a]["recipients"][0]["address"] == "u1@remote.example"

    for args in (["queue"], ["flush"], ["delete", "ALL"]):
        p = as_nobody(inst, *args)
        assert p.returncode == 1, (args, p.stdout, p.stderr)
        assert p.stdout == ""
        assert re.search(r"mail_owner \(postern\)", p.stderr), p.stderr
    assert os.path.exists(path)


def test_flush_without_qmgr(inst):
    a = send(inst, "alice@client.example", ["u1@remote.example"])
    b = send(inst, "bob@client.example", ["u2@remote.example"])
    for qid in (a, b):
        os.rename(queue_file(inst, "incoming", qid),
                  queue_file(inst, "deferred", qid))
        os.utime(queue_file(inst, "deferred", qid), (1000, 1000))
    assert {o["queue_name"] for o in json_listing(inst)} == {"deferred"}

    p = inst.postern("flush", a)
    assert p.returncode == 1
    assert "mail system is not running" in p.stderr, p.stderr
    assert os.stat(queue_file(inst, "deferred", a)).st_mtime > 1000
    assert os.stat(queue_file(inst, "deferred", b)).st_mtime == 1000

    p = inst.postern("flush")
    assert p.returncode == 1
    assert "mail system is not running" in p.stderr, p.stderr
    assert os.stat(queue_file(inst, "deferred", b)).st_mtime > 1000

    p = inst.postern("flush", "../../etc/passwd")
    assert p.returncode == 1 and "invalid queue ID" in p.stderr


def test_delete(inst):
    ids = [send(inst, "alice@client.example", ["u%d@remote.example" % i])
           for i in range(5)]

    for bad in ("../../etc/passwd", "nonsense", "0123456789/ab"):
        p = inst.postern("delete", bad)
        assert p.returncode == 1, bad
        assert "invalid queue ID" in p.stderr
    assert len(json_listing(inst)) == 5

    p = inst.postern("delete", ids[0], check=True)
    assert "postern: deleted: 1 message\n" in p.stderr, p.stderr
    assert not os.path.exists(queue_file(inst, "incoming", ids[0]))

    p = postern_stdin(inst, "%s\n%s\n" % (ids[1], ids[2]), "delete", "-")
    assert p.returncode == 0, p.stderr
    assert "postern: deleted: 2 messages\n" in p.stderr, p.stderr
    assert [o["queue_id"] for o in json_listing(inst)] == ids[3:]

    p = inst.postern("delete", "ALL", check=True)
    assert "postern: deleted: 2 messages\n" in p.stderr, p.stderr
    assert listing(inst) == "Mail queue is empty\n"
    p = inst.postern("delete", "ALL", check=True)
    assert "postern: deleted: 0 messages\n" in p.stderr, p.stderr


def test_deferred_reason_and_flush_with_qmgr():
    # No smtp transport exists: qmgr defers remote mail with "mail
    # transport unavailable". A long backoff keeps it deferred until
    # flush makes it due and pokes qmgr.
    i = Instance(main_extra={"smtpd_timeout": "10s", "queue_run_delay": "1s",
                             "minimal_backoff_time": "1h",
                             "maximal_backoff_time": "2h"})
    try:
        i.write_master_cf(MASTER_CF + "qmgr unix n - n 300 1 qmgr\n")
        i.start()
        i.wait_listening()
        a = send(i, "alice@client.example", ["u1@remote.example"])

        def deferred():
            objs = json_listing(i)
            return (len(objs) == 1 and objs[0]["queue_name"] == "deferred"
                    and objs[0]["recipients"][0].get("delay_reason"))
        reason = wait_until(deferred, 15, "message deferred with a reason")
        assert reason == "mail transport unavailable"
        assert re.search(r"^ +\(mail transport unavailable\)$", listing(i), re.M)

        mark = i.log_mark()
        time.sleep(2)                   # a few queue runs: not due yet
        assert "status=deferred" not in i.log()[mark:]
        p = i.postern("flush", a)
        assert p.returncode == 0, p.stderr
        i.wait_log(r"%s: to=<u1@remote\.example>.*status=deferred" % a, 10,
                   since=mark)
    finally:
        i.cleanup()
