"""test_mailhost.py - the whole mail host end to end (issue 5): SMTP in,
cleanup, qmgr, local delivery to Maildir, with the real daemons only.

- a temporary delivery fault (the user's Maildir made unwritable) defers
  the message with its reason visible in `postern queue --json`; once the
  fault is gone, `postern flush` gets it delivered;
- a recipient that disappears after acceptance bounces: the RFC 3464
  report arrives in the sender's Maildir as multipart/report with
  Status 5.1.1; the same failure for a null-sender message makes no
  bounce;
- kill -9 of qmgr, then of local, during a run of 200 messages: every
  accepted message is delivered exactly as sent (Message-IDs counted);
- the log of one message holds every step with one queue ID.

Users posternm1..3 are created by the `users` fixture (conftest.py) and
removed at the end.
"""
import email
import json
import os
import re
import signal
import smtplib
import threading

import pytest

from instance import Instance, add_user, del_user, wait_until

USERS = ("posternm1", "posternm2", "posternm3")

MASTER_CF = (
    "%(port0)s inet n - n - - smtpd\n"
    "cleanup unix - - y - 0 cleanup\n"
    "qmgr unix n - n 300 1 qmgr\n"
    "local unix - n n - - local\n"
    "proxymap unix - - n - - proxymap\n"
)


@pytest.fixture
def host(users):
    inst = Instance()
    inst.spool = os.path.join(inst.root, "mail")
    os.mkdir(inst.spool, 0o755)
    inst.main_extra.update({
        "mydestination": "localhost, $myhostname",
        "mail_spool_directory": inst.spool + "/",
        "queue_run_delay": "1s",
        "minimal_backoff_time": "1s",
        "maximal_backoff_time": "2s",
    })
    inst.write_main_cf()
    inst.write_master_cf(MASTER_CF)
    inst.start()
    yield inst
    inst.cleanup()


def maildir(inst, user):
    return os.path.join(inst.spool, user)


def messages(inst, user):
    new = os.path.join(maildir(inst, user), "new")
    if not os.path.isdir(new):
        return []
    out = []
    for name in sorted(os.listdir(new)):
        with open(os.path.join(new, name), "rb") as f:
            out.append(email.message_from_bytes(f.read()))
    return out


def send(inst, sender, rcpt, subject, body="hello\r\n"):
    with smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=30) as c:
        c.sendmail(sender, [rcpt], "Subject: %s\r\nMessage-ID: <%s@test>\r\n\r\n%s"
                   % (subject, subject, body))


def queue_json(inst):
    p = inst.postern("queue", "--json", check=True)
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


def test_temporary_fault_defers_then_flush_delivers(host, users):
    u = users["posternm1"]
    md = maildir(host, "posternm1")
    for sub in ("", "tmp", "new", "cur"):
        os.makedirs(os.path.join(md, sub), exist_ok=True)
        os.chown(os.path.join(md, sub), u.pw_uid, u.pw_gid)
    os.chmod(os.path.join(md, "tmp"), 0o500)        # the fault
    # Retries far apart, so that only flush brings the next attempt.
    host.main_extra.update({"minimal_backoff_time": "1h",
                            "maximal_backoff_time": "2h"})
    host.write_main_cf()
    host.reload()
    send(host, "s@example.org", "posternm1@localhost", "deferred1")
    wait_until(lambda: any(m["queue_name"] == "deferred" for m in queue_json(host)),
               30, "message deferred")
    [entry] = queue_json(host)
    reason = entry["recipients"][0]["delay_reason"]
    assert reason, entry
    assert messages(host, "posternm1") == []
    os.chmod(os.path.join(md, "tmp"), 0o700)        # fault removed
    host.postern("flush", check=True)
    wait_until(lambda: len(messages(host, "posternm1")) == 1, 30,
               "delivery after flush")
    assert messages(host, "posternm1")[0]["Subject"] == "deferred1"
    wait_until(lambda: queue_json(host) == [], 10, "queue empty")


def test_vanished_user_bounces_with_dsn_null_sender_does_not(host, users):
    # Accept while qmgr is not running, then remove the recipient.
    host.write_master_cf(MASTER_CF.replace("qmgr unix", "#qmgr unix"))
    host.reload()
    add_user("posternm3")
    send(host, "posternm2@localhost", "posternm3@localhost", "gone1")
    with smtplib.SMTP("127.0.0.1", host.ports[0], timeout=30) as c:
        c.sendmail("<>", ["posternm3@localhost"],
                   "Subject: gone2\r\nMessage-ID: <gone2@test>\r\n\r\nx\r\n")
    del_user("posternm3")
    mark = host.log_mark()
    host.write_master_cf(MASTER_CF)
    host.reload()
    wait_until(lambda: len(messages(host, "posternm2")) == 1, 30,
               "bounce in the sender's mailbox")
    wait_until(lambda: queue_json(host) == [], 30, "queue empty")
    [dsn] = messages(host, "posternm2")
    assert dsn.get_content_type() == "multipart/report"
    assert dsn.get_param("report-type") == "delivery-status"
    status = [p for p in dsn.walk()
              if p.get_content_type() == "message/delivery-status"]
    assert status, dsn.as_string()[:2000]
    text = status[0].as_string()
    assert re.search(r"Status:\s*5\.1\.1", text), text
    assert "posternm3@localhost" in text
    log = host.log()[mark:]
    # Exactly one notification: the one for gone1 (the <> message gets none).
    assert len(re.findall(r": sender non-delivery notification: ", log)) == 1, log
    assert re.search(r": no sender non-delivery notification: ", log), log
    # Undo the user fixture's expectations: posternm3 is recreated.
    add_user("posternm3")


def _kill_one(inst, command):
    pids = inst.service_pids(command)
    if pids:
        os.kill(pids[0], signal.SIGKILL)
        return True
    return False


def test_kill_qmgr_then_local_during_200_messages(host, users):
    total = 200
    sent = []
    errors = []

    def sender(start):
        try:
            with smtplib.SMTP("127.0.0.1", host.ports[0], timeout=60) as c:
                for i in range(start, total, 4):
                    mid = "k%03d" % i
                    c.sendmail("s@example.org", ["posternm1@localhost"],
                               "Subject: %s\r\nMessage-ID: <%s@test>\r\n\r\nn %d\r\n"
                               % (mid, mid, i))
                    sent.append(mid)
        except Exception as e:          # pragma: no cover - reported below
            errors.append(repr(e))

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    wait_until(lambda: len(messages(host, "posternm1")) >= 20, 60,
               "deliveries under way")
    assert wait_until(lambda: _kill_one(host, "qmgr"), 10, "qmgr running")
    try:
        wait_until(lambda: len(messages(host, "posternm1")) >= 80, 60,
                   "deliveries continue after qmgr restart")
    except AssertionError as e:
        raise AssertionError("%s\n%s" % (e, host.log()[-8000:]))
    assert wait_until(lambda: _kill_one(host, "local"), 10, "local running")
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert len(sent) == total
    try:
        wait_until(lambda: len({m["Message-ID"] for m in messages(host, "posternm1")})
                   == total, 120, "every accepted message delivered")
    except AssertionError as e:
        raise AssertionError("%s\n%s\n%s" % (
            e, host.postern("queue").stdout[-3000:],
            "\n".join(l for l in host.log().splitlines()
                      if "warning" in l or "master" in l or "deferred" in l)[-6000:]))
    got = {m["Message-ID"] for m in messages(host, "posternm1")}
    assert got == {"<%s@test>" % mid for mid in sent}
    log = host.log()
    assert re.search(r"service qmgr.*killed by signal 9", log), log[-3000:]
    assert re.search(r"service local.*killed by signal 9", log), log[-3000:]


def test_log_of_one_message_has_every_step(host, users):
    send(host, "s@example.org", "posternm2@localhost", "logged")
    wait_until(lambda: any(m["Subject"] == "logged"
                           for m in messages(host, "posternm2")), 30, "delivery")
    log = host.log()
    m = re.search(r"postern/cleanup\[\d+\]: (\w+): message-id=<logged@test>", log)
    assert m, log[-3000:]
    qid = m.group(1)
    wait_until(lambda: re.search(qid + r": removed", host.log()), 10, "removed")
    lines = [l for l in host.log().splitlines() if (qid + ":") in l]
    want = [r"postern/smtpd\[\d+\]: %s: client=\S+\[127\.0\.0\.1\]",
            r"postern/cleanup\[\d+\]: %s: message-id=<logged@test>",
            r"postern/qmgr\[\d+\]: %s: from=<s@example\.org>, size=\d+, nrcpt=1 \(queue active\)",
            r"postern/local\[\d+\]: %s: to=<posternm2@localhost>, relay=local, "
            r"delay=[\d.]+, delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=2\.0\.0, "
            r"status=sent \(delivered to maildir\)",
            r"postern/qmgr\[\d+\]: %s: removed"]
    for pat in want:
        assert any(re.search(pat % qid, l) for l in lines), (pat, lines)
    # SPEC section 9: "Mmm dd HH:MM:SS HOST postern/service[PID]: ..."
    for l in lines:
        assert re.match(r"^[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \S+ postern/\w+\[\d+\]: ", l), l
