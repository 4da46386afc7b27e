"""test_queue_admin.py - `postern hold|release|delete|requeue`, the
selectors with --dry-run, `postern cat` and `postern status --json`
against a real instance: smtpd + cleanup + qmgr, tests/helpers/test_agent
as transport "local" (defer* local parts are deferred, slow* take 2 s)
and a second test_agent as transport "other" with its own log.

Checks: hold takes a deferred message out of scheduling (flush does not
retry it), release makes it due and qmgr retries it at once; ALL and
selectors act on exactly the listed messages and --dry-run prints them
without changing anything; requeue after a transport_maps change sends
the message through cleanup again and qmgr routes it the new way; cat
shows envelope, headers and body (and --json the envelope); delete of a
message while it is being delivered corrupts nothing and the next mail
goes out; status --json parses and counts the queues.
"""
import json
import os
import re
import time

import pytest

from instance import MAIL_OWNER, wait_until

MASTER_CF = (
    "%(port0)s inet n - n - - smtpd\n"
    "cleanup unix - - n - 0 cleanup\n"
    "qmgr unix n - n 300 1 qmgr\n"
    "local unix - n n - - test_agent {deliveries}\n"
    "other unix - n n - - test_agent {other}\n"
)
MAIN = {
    "mydestination": "example.test",
    "local_recipient_maps": "",
    "minimal_backoff_time": "1h",
    "maximal_backoff_time": "2h",
    "queue_run_delay": "1h",
}


def lines_of(path):
    try:
        with open(path) as f:
            return [tuple(ln.split()) for ln in f if ln.strip()]
    except OSError:
        return []


def send(inst, sender, rcpts, subject="admin test"):
    return inst.smtp_queue(sender, rcpts,
                           "Subject: %s\r\n\r\nthe body line\r\n" % subject)


@pytest.fixture
def host(make_instance):
    inst = make_instance(main_extra=dict(MAIN))
    owner = __import__("pwd").getpwnam(MAIL_OWNER)
    inst.deliveries = os.path.join(inst.root, "deliveries")
    inst.other = os.path.join(inst.root, "other")
    for p in (inst.deliveries, inst.other):
        with open(p, "w"):
            pass
        os.chown(p, owner.pw_uid, owner.pw_gid)
    inst.write_master_cf(MASTER_CF.format(deliveries=inst.deliveries,
                                          other=inst.other))
    inst.start()
    wait_until(lambda: inst.service_pids("qmgr"), 10, "qmgr running")
    return inst


def deferred(inst, sender, rcpt, subject="admin test"):
    """Send one message that test_agent defers; wait until deferred/."""
    qid = send(inst, sender, [rcpt], subject)
    wait_until(lambda: qid in inst.queue_ids("deferred"), 15, "deferred " + qid)
    return qid


def attempts(inst, qid):
    return [ln for ln in lines_of(inst.deliveries) if ln[0] == qid]


def run(inst, *args):
    p = inst.postern(*args)
    assert p.returncode == 0, (args, p.stdout, p.stderr)
    return p


def test_hold_release_by_id(host):
    qid = deferred(host, "a@client.example", "defer1@example.test")
    assert len(attempts(host, qid)) == 1
    run(host, "hold", qid)
    assert host.queue_ids("hold") == [qid]
    assert qid not in host.queue_ids("deferred")
    listing = run(host, "queue").stdout
    assert re.search(r"^%s!" % qid, listing, re.M)
    # A flush does not touch held mail.
    host.postern("flush")
    time.sleep(1.5)
    assert len(attempts(host, qid)) == 1
    # Holding again or releasing something not held is an error.
    p = host.postern("hold", qid)
    assert p.returncode == 1 and "on hold already" in p.stderr
    p = run(host, "release", qid)
    assert "released: 1 message" in p.stderr
    wait_until(lambda: len(attempts(host, qid)) == 2, 10, "retry after release")
    wait_until(lambda: qid in host.queue_ids("deferred"), 10, "deferred again")
    p = host.postern("release", qid)
    assert p.returncode == 1 and "not on hold" in p.stderr


def test_all_and_selectors_with_dry_run(host):
    a = deferred(host, "alice@client.example", "defer-a@example.test")
    b = deferred(host, "bob@client.example", "defer-b@example.test")
    before = (host.queue_ids("deferred"), host.queue_ids("hold"))

    p = run(host, "hold", "--from", "alice@client.example", "--dry-run")
    assert p.stdout == "would hold: %s (deferred)\n" % a
    p = run(host, "delete", "ALL", "--dry-run")
    assert p.stdout == "".join("would delete: %s (deferred)\n" % i
                               for i in sorted([a, b]))
    p = run(host, "hold", "--to", "defer-b@example.test", "--dry-run", "--json")
    assert [json.loads(ln) for ln in p.stdout.splitlines()] == [
        {"action": "hold", "queue_id": b, "queue_name": "deferred",
         "dry_run": True}]
    p = run(host, "requeue", "--reason", "^test defer$", "--dry-run")
    assert p.stdout.count("would requeue") == 2
    assert (host.queue_ids("deferred"), host.queue_ids("hold")) == before

    run(host, "hold", "ALL")
    assert host.queue_ids("hold") == sorted([a, b])
    p = run(host, "queue", "--status", "hold", "--json")
    assert sorted(json.loads(ln)["queue_id"] for ln in p.stdout.splitlines()) \
        == sorted([a, b])
    p = run(host, "queue", "--from", "bob@client.example", "--json")
    assert [json.loads(ln)["queue_id"] for ln in p.stdout.splitlines()] == [b]

    run(host, "release", "--domain", "example.test", "--from",
        "bob@client.example")
    assert host.queue_ids("hold") == [a]
    run(host, "release", "ALL")
    assert host.queue_ids("hold") == []

    p = run(host, "delete", "--from", "alice@client.example")
    assert "deleted: 1 message" in p.stderr
    wait_until(lambda: a not in host.queue_ids("deferred")
               + host.queue_ids("active"), 10, "a deleted")
    run(host, "delete", "ALL")
    wait_until(lambda: host.queue_ids("deferred") == []
               and host.queue_ids("active") == [], 10, "queue empty")
    assert host.queue_ids("defer") == []


def test_requeue_routes_the_new_way(host):
    qid = deferred(host, "carol@client.example", "defer-r@example.test",
                   subject="route me")
    assert lines_of(host.other) == []
    host.write_main_cf({"transport_maps": "inline:{example.test=other:}"})
    run(host, "reload")
    time.sleep(1)
    p = run(host, "requeue", qid)
    m = re.search(r"^%s: requeued as ([0-9A-Za-z]{12,20})$" % qid, p.stdout, re.M)
    assert m, p.stdout
    new = m.group(1)
    try:
        wait_until(lambda: any(ln[0] == new for ln in lines_of(host.other)),
                   15, "delivery through the new transport")
    except AssertionError:
        raise AssertionError(host.log()[-4000:])
    assert qid not in host.queue_ids("deferred") + host.queue_ids("hold")
    assert qid not in host.queue_ids("defer")
    # The content went through verbatim.
    wait_until(lambda: new in host.queue_ids("deferred"), 10, "new deferred")
    p = run(host, "cat", new)
    assert "Subject: route me" in p.stdout and "the body line" in p.stdout


def test_cat(host):
    qid = deferred(host, "dave@client.example", "defer-c@example.test",
                   subject="cat me")
    p = run(host, "cat", qid)
    out = p.stdout
    assert out.startswith("*** ENVELOPE RECORDS deferred/%s ***\n" % qid)
    assert "sender: dave@client.example\n" in out
    assert "recipient: defer-c@example.test\n" in out
    assert "*** MESSAGE CONTENTS deferred/%s ***\n" % qid in out
    assert "Subject: cat me\n" in out and "\nthe body line\n" in out
    assert out.endswith("*** END OF MESSAGE ***\n")
    env = json.loads(run(host, "cat", "--json", qid).stdout)
    assert env["queue_id"] == qid and env["queue_name"] == "deferred"
    assert env["sender"] == "dave@client.example"
    assert env["recipients"] == [{"address": "defer-c@example.test",
                                  "done": False}]
    p = host.postern("cat", "../../etc/passwd")
    assert p.returncode == 1 and "invalid queue ID" in p.stderr
    p = host.postern("cat", "1xXdAw1Vpgk6Hh")
    assert p.returncode == 1 and "not in the queue" in p.stderr


def test_delete_during_delivery(host):
    qmgr = host.service_pids("qmgr")
    qid = send(host, "eve@client.example", ["slow1@example.test"])
    wait_until(lambda: qid in host.queue_ids("active"), 10, "active")
    # hold/requeue refuse a message in delivery; delete removes it.
    p = host.postern("hold", qid)
    assert p.returncode == 1 and "being delivered" in p.stderr
    p = host.postern("requeue", qid)
    assert p.returncode == 1 and "being delivered" in p.stderr
    run(host, "delete", qid)
    assert qid not in host.queue_ids("active")
    nxt = send(host, "eve@client.example", ["ok1@example.test"])
    host.wait_log(nxt + r": removed", 15)
    time.sleep(2.5)                     # the slow delivery has ended
    assert host.service_pids("qmgr") == qmgr
    # qmgr finishes the attempt and finds its file gone: nothing is
    # deferred and no reason log is left behind.
    for q in ("incoming", "active", "deferred", "hold", "corrupt"):
        assert qid not in host.queue_ids(q), (q, host.log()[-3000:])
    wait_until(lambda: "%s: to=<slow1@example.test>" % qid in host.log(), 5,
               "the slow delivery ended")
    host.wait_log(qid + r": removed while being delivered", 10)
    assert qid not in host.queue_ids("defer")
    assert host.queue_ids("corrupt") == []
    assert "panic" not in host.log() and "fatal" not in host.log()
    p = run(host, "queue")
    assert "Mail queue is empty" in p.stdout


def test_status_json(host):
    deferred(host, "frank@client.example", "defer-s@example.test")
    p = run(host, "status", "--json")
    st = json.loads(p.stdout)
    assert st["running"] is True and st["state"] == "running"
    assert st["master_pid"] == host.master_pid()
    names = {s["name"] for s in st["services"]}
    assert {"qmgr", "cleanup", "local"} <= names
    assert all(isinstance(pr["pid"], int) for pr in st["processes"])
    assert st["queues"]["deferred"] == 1 and st["queues"]["hold"] == 0
    host.stop()
    p = host.postern("status", "--json")
    assert p.returncode == 1
    st = json.loads(p.stdout)
    assert st["running"] is False and st["queues"]["deferred"] == 1
