"""test_8bit_flag.py - cleanup marks 8-bit content with QUEUE_FLAG_8BITMIME
(docs/queue.md, record B), so the smtp agent sends BODY=8BITMIME to a
server that offers 8BITMIME (RFC 6152) even when the client never said
BODY=8BITMIME: mail submitted locally (postern-sendmail -> postdrop ->
pickup -> cleanup) and SMTP mail without a BODY= parameter. 7-bit mail
gets no BODY= parameter; a deferred message shows the flag in
`postern cat --json`.

The instance relays everything to a Python sink (test_smtp.Sink) that
offers 8BITMIME. postern-sendmail/postdrop come from test_sendmail's
bindir fixture; the default main.cf points at the instance for the
module (default_main_cf.py).
"""
import json
import os
import smtplib

import pytest

from default_main_cf import default_main_cf
from instance import BUILD, Instance, wait_until
from test_sendmail import DEF_CONF, bindir, sendmail  # noqa: F401
from test_smtp import Sink

NEEDED = ("smtpd", "cleanup", "qmgr", "smtp", "proxymap", "pickup",
          "postern-sendmail", "postern-postdrop")
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0
    or not all(os.access(os.path.join(BUILD, p), os.X_OK) for p in NEEDED),
    reason="needs root and the daemons")

MASTER_CF = (
    "%(port0)s inet n - n - - smtpd\n"
    "pickup unix n - y 60 1 pickup\n"
    "cleanup unix - - y - 0 cleanup\n"
    "qmgr unix n - n 300 1 qmgr\n"
    "smtp unix - - y - - smtp\n"
    "proxymap unix - - n - - proxymap\n"
)


def rcpt_reply(addr):
    if b"later@" in addr:
        return b"450 4.2.0 try later\r\n"
    return b"250 2.1.5 ok\r\n"


@pytest.fixture(scope="module")
def sink():
    s = Sink(rcpt=rcpt_reply)
    yield s
    s.close()


@pytest.fixture(scope="module")
def inst(bindir, sink):  # noqa: F811
    inst = Instance(main_extra={
        "mynetworks": "127.0.0.0/8",
        "relayhost": "[127.0.0.1]:%d" % sink.port,
        "command_directory": bindir,
        "queue_run_delay": "1s",
        "minimal_backoff_time": "1s", "maximal_backoff_time": "2s",
        "smtp_connect_timeout": "3s",
    })
    inst.write_main_cf()
    inst.write_master_cf(MASTER_CF)
    with default_main_cf(DEF_CONF, inst.conf_dir):
        try:
            inst.start()
            wait_until(lambda: inst.service_pids("qmgr"), 10, "qmgr running")
            yield inst
        finally:
            inst.cleanup()


def mail_from(sink, subject, timeout=30):
    """The MAIL FROM argument of the message with this subject."""
    want = b"Subject: " + subject.encode()
    found = []

    def probe():
        with sink.lock:
            found[:] = [m[0] for m in sink.messages if want in m[2]]
        return found
    wait_until(probe, timeout, "message %r at the sink" % subject)
    return found[0]


def smtp_submit(inst, subject, body, mail_options=()):
    msg = b"Subject: " + subject.encode() + b"\r\n\r\n" + body
    with smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=30) as c:
        c.sendmail("s@example.org", ["r@elsewhere.test"], msg,
                   mail_options=list(mail_options))


def test_sendmail_8bit_body_gets_flag(inst, bindir, sink):  # noqa: F811
    p = sendmail(inst, bindir, ["-f", "s@example.org", "r@elsewhere.test"],
                 b"Subject: local-8bit\n\nGr\xc3\xbc\xc3\x9fe\n")
    assert p.returncode == 0, p.stderr
    assert mail_from(sink, "local-8bit").endswith(b" BODY=8BITMIME")


def test_sendmail_8bit_header_gets_flag(inst, bindir, sink):  # noqa: F811
    p = sendmail(inst, bindir, ["-f", "s@example.org", "r@elsewhere.test"],
                 b"Subject: local-8bit-hdr\nX-Name: J\xc3\xb6rg\n\nplain\n")
    assert p.returncode == 0, p.stderr
    assert mail_from(sink, "local-8bit-hdr").endswith(b" BODY=8BITMIME")


def test_sendmail_7bit_has_no_flag(inst, bindir, sink):  # noqa: F811
    p = sendmail(inst, bindir, ["-f", "s@example.org", "r@elsewhere.test"],
                 b"Subject: local-7bit\n\nplain text\n")
    assert p.returncode == 0, p.stderr
    assert b"BODY=" not in mail_from(sink, "local-7bit").upper()


def test_smtp_8bit_without_body_param_gets_flag(inst, sink):
    smtp_submit(inst, "smtp-8bit", b"caf\xc3\xa9\r\n")
    assert mail_from(sink, "smtp-8bit").endswith(b" BODY=8BITMIME")


def test_smtp_7bit_has_no_flag(inst, sink):
    smtp_submit(inst, "smtp-7bit", b"plain\r\n")
    assert b"BODY=" not in mail_from(sink, "smtp-7bit").upper()


def test_smtp_declared_7bit_content_keeps_flag(inst, sink):
    smtp_submit(inst, "smtp-declared", b"plain\r\n",
                mail_options=["BODY=8BITMIME"])
    assert mail_from(sink, "smtp-declared").endswith(b" BODY=8BITMIME")


def queued(inst):
    p = inst.postern("queue", "--json", check=True)
    return [json.loads(x) for x in p.stdout.splitlines() if x.strip()]


def cat(inst, sender):
    """`postern cat --json` of the queued message from sender (retried:
    the file may move between queues while we look)."""
    out = []

    def probe():
        for m in queued(inst):
            if m.get("sender") == sender:
                p = inst.postern("cat", "--json", m["queue_id"])
                if p.returncode == 0:
                    out[:] = [json.loads(p.stdout)]
        return out
    wait_until(probe, 30, "queued message from %s" % sender)
    return out[0]


def test_deferred_messages_show_flag(inst, bindir, sink):  # noqa: F811
    # The sink defers later@: the messages stay in the queue.
    smtp = "s8@example.org"
    with smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=30) as c:
        c.sendmail(smtp, ["later@elsewhere.test"],
                   b"Subject: q-smtp-8bit\r\n\r\n\xff\r\n")
        c.sendmail("s7@example.org", ["later@elsewhere.test"],
                   b"Subject: q-smtp-7bit\r\n\r\nplain\r\n")
    p = sendmail(inst, bindir, ["-f", "l8@example.org", "later@elsewhere.test"],
                 b"Subject: q-local-8bit\n\n\xe9t\xe9\n")
    assert p.returncode == 0, p.stderr
    assert cat(inst, smtp)["8bitmime"] is True
    assert cat(inst, "l8@example.org")["8bitmime"] is True
    assert cat(inst, "s7@example.org")["8bitmime"] is False
