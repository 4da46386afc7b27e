"""test_qmgr.py - the queue manager under the real master, with smtpd and
cleanup in front and tests/helpers/test_agent registered as transport
"local" (it picks each result from the recipient's local part: ok*,
defer*, bounce*, slow*, crash*; and appends "QUEUEID RCPT SENDER STATUS"
to a file for every recipient it handles).

Checks: a delivered message is removed, with its log lines; a deferred
one goes to deferred/ with its reason in defer/ and its retry time as
mtime, is retried after the backoff and at once after a flush; a bounce
becomes a notice from <> to the sender; a null-sender message that fails
makes no notice; a recipient marked done is not delivered again;
expiry bounces; a corrupt queue file goes to corrupt/; kill -9 of qmgr
in the middle of 200 messages loses none.
"""
import os
import re
import signal
import smtplib
import socket
import struct
import time

import pytest

from instance import MAIL_OWNER, wait_until

MASTER_CF = (
    "%(port0)s inet n - n - - smtpd\n"
    "cleanup unix - - n - 0 cleanup\n"
    "qmgr unix n - n 5 1 qmgr\n"
    "local unix - n n - - test_agent {deliveries}\n"
)
MAIN = {
    "mydestination": "example.test",
    "local_recipient_maps": "",
    "minimal_backoff_time": "2s",
    "maximal_backoff_time": "4s",
    "queue_run_delay": "1s",
    "service_throttle_time": "2s",
}
QUEUED = re.compile(r"queued as ([0-9A-Za-z]{12,20})")


# --- helpers ---------------------------------------------------------------

def read_attr_lists(data):
    """Every attribute list of a defer log, as dicts (docs/ipc.md)."""
    out, cur, i = [], {}, 0
    while i < len(data):
        t = data[i]
        i += 1
        if t == 0:
            out.append(cur)
            cur = {}
            continue
        n = data[i]
        name = data[i + 1:i + 1 + n].decode()
        i += 1 + n
        if t == 1:
            cur[name] = struct.unpack(">i", data[i:i + 4])[0]
            i += 4
        elif t == 2:
            cur[name] = struct.unpack(">q", data[i:i + 8])[0]
            i += 8
        else:
            ln = struct.unpack(">I", data[i:i + 4])[0]
            cur[name] = data[i + 4:i + 4 + ln].decode(errors="replace")
            i += 4 + ln
    return out


def queue_envelope(path):
    """(sender, [recipients]) of a queue file."""
    with open(path, "rb") as f:
        data = f.read()
    sender, rcpts, i = None, [], 0
    while i < len(data):
        t = chr(data[i])
        n = struct.unpack(">I", data[i + 1:i + 5])[0]
        val = data[i + 5:i + 5 + n].decode(errors="replace")
        i += 5 + n
        if t == "S":
            sender = val
        elif t in "RD":
            rcpts.append(val)
        elif t == "M":
            break
    return sender, rcpts


def qpath(inst, queue, qid):
    return os.path.join(inst.queue_dir, queue, qid[9], qid)


def deliveries(inst):
    """[(queue_id, rcpt, sender, status)] written by test_agent."""
    try:
        with open(inst.deliveries) as f:
            return [tuple(ln.split()) for ln in f if ln.strip()]
    except OSError:
        return []


def send(inst, sender, rcpts, smtp=None, body="test\n"):
    """One message over SMTP; returns its queue ID."""
    s = smtp or smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=20)
    try:
        if smtp is None:
            s.ehlo("client.example")
        code, _ = s.mail(sender)
        assert code == 250
        for r in rcpts:
            code, resp = s.rcpt(r)
            assert code == 250, resp
        code, resp = s.data("Subject: qmgr test\r\n\r\n" + body)
        assert code == 250, resp
        return QUEUED.search(resp.decode()).group(1)
    finally:
        if smtp is None:
            s.quit()


def poke(inst, what=b"W"):
    """Write trigger bytes to public/qmgr."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(os.path.join(inst.queue_dir, "public", "qmgr"))
    s.sendall(what)
    s.close()


def count_log(inst, regex):
    return len(re.findall(regex, inst.log()))


@pytest.fixture
def mail_host(make_instance):
    def make(**extra):
        main = dict(MAIN)
        main.update(extra)
        inst = make_instance(main_extra=main)
        inst.deliveries = os.path.join(inst.root, "deliveries")
        with open(inst.deliveries, "w"):
            pass
        owner = __import__("pwd").getpwnam(MAIL_OWNER)
        os.chown(inst.deliveries, owner.pw_uid, owner.pw_gid)
        inst.write_master_cf(MASTER_CF.replace("{deliveries}", inst.deliveries))
        inst.start()
        wait_until(lambda: inst.service_pids("qmgr"), 10, "qmgr running")
        return inst
    return make


# --- tests -----------------------------------------------------------------

def test_delivered_message_is_removed(mail_host):
    inst = mail_host()
    qid = send(inst, "sender@example.test", ["ok@example.test"])
    inst.wait_log(qid + r": removed")
    log = inst.log()
    assert re.search(qid + r": from=<sender@example.test>, size=\d+, nrcpt=1 "
                     r"\(queue active\)", log)
    assert re.search(qid + r": to=<ok@example.test>, relay=test, .*status=sent", log)
    assert (qid, "ok@example.test", "sender@example.test", "sent") in deliveries(inst)
    for q in ("incoming", "active", "deferred", "defer", "bounce"):
        assert qid not in inst.queue_ids(q), q


def test_deferred_retried_after_backoff_and_flushed(mail_host):
    inst = mail_host()
    t0 = time.time()
    qid = send(inst, "sender@example.test", ["defer@example.test"])
    inst.wait_log(qid + r": to=<defer@example.test>.*status=deferred")
    path = wait_until(lambda: os.path.exists(qpath(inst, "deferred", qid))
                      and qpath(inst, "deferred", qid), 5, "file in deferred/")
    # The retry time is the mtime: about minimal_backoff_time ahead.
    assert os.stat(path).st_mtime >= int(t0) + 2
    with open(qpath(inst, "defer", qid), "rb") as f:
        logged = read_attr_lists(f.read())
    assert len(logged) == 1
    assert logged[0]["recipient"] == "defer@example.test"
    assert logged[0]["dsn_status"] == "4.2.0"
    assert logged[0]["reason"] == "test defer"
    # Retried by the periodic scan once the backoff has passed, not before.
    first = time.time()
    wait_until(lambda: count_log(inst, qid + r": to=<defer@.*deferred") >= 2,
               8, "second attempt")
    assert time.time() - first >= 1.0
    # A flush makes it due at once, whatever its mtime.
    n = count_log(inst, qid + r": to=<defer@.*deferred")
    poke(inst, b"F")
    wait_until(lambda: count_log(inst, qid + r": to=<defer@.*deferred") > n,
               3, "attempt after flush")
    assert qid in inst.queue_ids("deferred") or qid in inst.queue_ids("active")


def test_bounce_is_sent_to_the_sender(mail_host):
    inst = mail_host()
    qid = send(inst, "sender@example.test", ["bounce@example.test"])
    m = inst.wait_log(qid + r": sender non-delivery notification: ([0-9A-Za-z]+)")
    notice = m.group(1)
    inst.wait_log(qid + r": removed")
    # The notice comes from <> and goes to the original sender.
    wait_until(lambda: (notice, "sender@example.test", "<>", "sent")
               in deliveries(inst), 10, "notice delivered")
    inst.wait_log(notice + r": removed")


def test_null_sender_failure_makes_no_bounce(mail_host):
    inst = mail_host()
    qid = send(inst, "<>", ["bounce@example.test"])
    inst.wait_log(qid + r": removed")
    assert not re.search(qid + r": sender non-delivery notification: ", inst.log())
    assert all(d[0] == qid for d in deliveries(inst))


def test_done_recipient_is_not_delivered_again(mail_host):
    inst = mail_host()
    qid = send(inst, "sender@example.test",
               ["ok1@example.test", "defer@example.test", "bounce@example.test"])
    inst.wait_log(qid + r": sender non-delivery notification: ")
    wait_until(lambda: os.path.exists(qpath(inst, "deferred", qid)), 5, "deferred")
    sender, rcpts = queue_envelope(qpath(inst, "deferred", qid))
    assert sender == "sender@example.test"
    with open(qpath(inst, "defer", qid), "rb") as f:
        assert [d["recipient"] for d in read_attr_lists(f.read())] == \
            ["defer@example.test"]
    poke(inst, b"F")
    wait_until(lambda: count_log(inst, qid + r": to=<defer@.*deferred") >= 2,
               5, "second attempt")
    time.sleep(0.5)
    mine = [d for d in deliveries(inst) if d[0] == qid]
    assert [d[1] for d in mine].count("ok1@example.test") == 1
    assert [d[1] for d in mine].count("bounce@example.test") == 1
    assert count_log(inst, qid + r": sender non-delivery notification") == 1


def test_expired_message_bounces(mail_host):
    inst = mail_host(maximal_queue_lifetime="1s", bounce_queue_lifetime="1s")
    qid = send(inst, "sender@example.test", ["defer@example.test"])
    inst.wait_log(qid + r": from=<sender@example.test>, status=expired, "
                  r"returned to sender", timeout=10)
    inst.wait_log(qid + r": to=<defer@example.test>, relay=none, .*"
                  r"status=bounced \(message expired")
    inst.wait_log(qid + r": sender non-delivery notification: ")
    inst.wait_log(qid + r": removed")


@pytest.mark.parametrize("local", ["crash", "garbage"])
def test_broken_agent_defers_with_reason(mail_host, local):
    inst = mail_host()
    qid = send(inst, "sender@example.test",
               ["ok@example.test", local + "@example.test"])
    inst.wait_log(qid + r": to=<%s@example.test>, relay=local, .*"
                  r"status=deferred \(delivery agent failed\)" % local)
    wait_until(lambda: os.path.exists(qpath(inst, "deferred", qid)), 5, "deferred")


def test_corrupt_queue_file_goes_to_corrupt(mail_host):
    inst = mail_host()
    qid = "ABCDEFGHIJKL"
    path = qpath(inst, "incoming", qid)
    with open(path, "wb") as f:
        f.write(b"V\x00\x00\x00\x0fpostern-queue 1garbage")
    poke(inst, b"I")
    inst.wait_log(qid + r": corrupt queue file: .*moved to corrupt")
    assert os.path.exists(os.path.join(inst.queue_dir, "corrupt", qid))
    qid2 = send(inst, "sender@example.test", ["ok@example.test"])
    inst.wait_log(qid2 + r": removed")


def test_kill_qmgr_during_200_messages_loses_none(mail_host):
    inst = mail_host()
    s = smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=30)
    s.ehlo("client.example")
    ids = []
    killed = 0
    for i in range(200):
        ids.append(send(inst, "sender@example.test", ["ok%d@example.test" % i], smtp=s))
        if i in (60, 140):
            for pid in inst.service_pids("qmgr"):
                os.kill(pid, signal.SIGKILL)
                killed += 1
    s.quit()
    assert killed >= 1
    poke_deadline = time.time() + 60

    def all_delivered():
        got = {(d[0], d[1]) for d in deliveries(inst) if d[3] == "sent"}
        if len(got) >= 200:
            return got
        if time.time() < poke_deadline:
            try:
                poke(inst, b"I")
            except OSError:
                pass
        return None
    got = wait_until(all_delivered, 60, "200 deliveries", interval=0.5)
    want = {(q, "ok%d@example.test" % i) for i, q in enumerate(ids)}
    assert want <= got
    wait_until(lambda: not inst.queue_ids("incoming")
               and not inst.queue_ids("active"), 20, "queue empty")


def test_missing_transport_defers_and_spares_others(mail_host):
    inst = mail_host(mynetworks="127.0.0.0/8")
    qid = send(inst, "sender@example.test",
               ["far@remote.example", "ok@example.test"])
    inst.wait_log(qid + r": to=<far@remote.example>, relay=none, .*dsn=4.3.0, "
                  r"status=deferred \(mail transport unavailable\)")
    wait_until(lambda: os.path.exists(qpath(inst, "deferred", qid)), 5, "deferred")
    assert (qid, "ok@example.test", "sender@example.test", "sent") in deliveries(inst)
    with open(qpath(inst, "defer", qid), "rb") as f:
        logged = read_attr_lists(f.read())
    assert [(d["recipient"], d["reason"]) for d in logged] == \
        [("far@remote.example", "mail transport unavailable")]


def test_one_delay_warning(mail_host):
    inst = mail_host(delay_warning_time="1s")
    qid = send(inst, "sender@example.test", ["defer@example.test"])
    m = inst.wait_log(qid + r": sender delay notification: ([0-9A-Za-z]+)",
                      timeout=10)
    notice = m.group(1)
    wait_until(lambda: (notice, "sender@example.test", "<>", "sent")
               in deliveries(inst), 10, "warning delivered")
    n = count_log(inst, qid + r": to=<defer@.*deferred")
    wait_until(lambda: count_log(inst, qid + r": to=<defer@.*deferred") >= n + 1,
               10, "one more attempt")
    assert count_log(inst, qid + r": sender delay notification") == 1
    assert count_log(inst, qid + r": sender non-delivery notification") == 0
