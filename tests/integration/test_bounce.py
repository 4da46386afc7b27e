"""test_bounce.py - delivery status notifications (docs/bounces.md).

Part 1, no running system: hand-made queue files are turned into reports
by tests/helpers/dsn_dump (util/dsn_report.c) and parsed with Python's
email package: multipart/report; report-type=delivery-status, the
delivery-status fields of each recipient, the original headers or (RET=
FULL within bounce_size_limit) the whole original as message/rfc822.
Hostile originals (CR in headers, very long lines, 8-bit and NUL bytes,
no headers at all, forged boundary lines) never give a broken report.

Part 2, a test instance: tests/helpers/bounce_send calls bounce_notify()
as qmgr does; the notice goes through cleanup_clnt to the real cleanup
daemon and is read back from incoming/ with tests/helpers/qdump. Checked
there: the null sender and NOTIFY=NEVER rules, the 2bounce copy to the
postmaster, and that a notice is itself a parseable report.
"""
import email
import email.policy
import glob
import os
import subprocess

import pytest

from instance import BUILD
from wire import rec

HELPERS = os.path.join(BUILD, "tests", "helpers")
DSN_DUMP = os.path.join(HELPERS, "dsn_dump")
BOUNCE_SEND = os.path.join(HELPERS, "bounce_send")
QID = "0000000000AB"

MASTER_CF = (
    "cleanup unix - - y - 0 cleanup\n"
    "qmgr unix n - n - 1 test_trigger\n"
)

SIMPLE = [b"From: Sender <s@example.com>", b"To: a@example.org",
          b"Subject: hello", b"", b"body line 1", b"body line 2"]


# --- queue files (docs/queue.md) ----------------------------------------

def queue_bytes(sender, rcpts, lines, ret=0, envid=None, protocol=b"ESMTP"):
    """A queue file. rcpts: addresses or (address, orcpt, notify)."""
    size = sum(len(line) + 1 for line in lines)
    out = rec("V", b"postern-queue 1") + rec("T", b"1700000000.000000")
    out += rec("Z", b"%020d" % size) + rec("p", protocol)
    if ret:
        out += rec("r", b"%d" % ret)
    if envid:
        out += rec("i", envid)
    out += rec("S", sender)
    for r in rcpts:
        addr, orcpt, notify = r if isinstance(r, tuple) else (r, None, 0)
        if orcpt:
            out += rec("O", orcpt)
        if notify:
            out += rec("n", b"%d" % notify)
        out += rec("R", addr)
    out += rec("M")
    for line in lines:
        while len(line) > 4096:
            out += rec("L", line[:4096])
            line = line[4096:]
        out += rec("N", line)
    return out + rec("X") + rec("E")


def write_queue_file(path, *args, **kw):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(queue_bytes(*args, **kw))


# --- part 1: reports from dsn_dump ------------------------------------

def dump(tmp_path, sender, rcpts, lines, args=(), specs=(), **kw):
    path = str(tmp_path / QID)
    write_queue_file(path, sender, rcpts, lines, **kw)
    out = subprocess.run([DSN_DUMP, *args, path, *specs],
                         capture_output=True, timeout=10)
    assert out.returncode == 0, out.stderr.decode()
    return out.stdout


def parse(raw):
    """The report as an email message, after the structural checks."""
    for line in raw.split(b"\n"):
        assert len(line) <= 998 and b"\r" not in line and b"\0" not in line
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    boundary = msg.get_boundary()
    assert boundary and boundary.encode() in raw
    # The boundary appears only in delimiter lines and the header.
    delims = [ln for ln in raw.split(b"\n") if boundary.encode() in ln]
    assert delims[-1] == b"--" + boundary.encode() + b"--"
    assert delims[-4:-1] == [b"--" + boundary.encode()] * 3
    assert len(delims) == 5, delims           # plus the header line
    parts = msg.get_payload()
    assert [p.get_content_type() for p in parts[:2]] == [
        "text/plain", "message/delivery-status"]
    assert len(parts) == 3
    bad = [d for d in msg.defects + [d for p in parts for d in p.defects]
           if "Boundary" in type(d).__name__
           or "Multipart" in type(d).__name__]
    assert bad == [], bad
    return msg


def status_blocks(msg):
    blocks = msg.get_payload()[1].get_payload()
    return blocks[0], blocks[1:]


def test_one_recipient(tmp_path):
    msg = parse(dump(tmp_path, b"s@example.com", [b"a@example.org"], SIMPLE,
                     specs=["a@example.org\t\t5.1.1\tfailed\t550 5.1.1 no"
                            " such user\tmx.example.org[192.0.2.1]:25"]))
    assert msg["From"] == "MAILER-DAEMON@mx.example.org (Mail Delivery System)"
    assert msg["To"] == "<s@example.com>"
    assert msg["Subject"] == "Undelivered Mail Returned to Sender"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["MIME-Version"] == "1.0"
    assert email.utils.parsedate_to_datetime(msg["Date"]) is not None
    assert msg["Message-ID"].startswith("<") and "@mx.example.org>" in msg["Message-ID"]
    per_msg, rcpts = status_blocks(msg)
    assert per_msg["Reporting-MTA"] == "dns; mx.example.org"
    assert per_msg["X-Postern-Queue-ID"] == QID
    assert email.utils.parsedate_to_datetime(per_msg["Arrival-Date"]).timestamp() == 1700000000
    assert len(rcpts) == 1
    r = rcpts[0]
    assert r["Final-Recipient"] == "rfc822; a@example.org"
    assert r["Action"] == "failed" and r["Status"] == "5.1.1"
    assert r["Remote-MTA"] == "dns; mx.example.org"
    assert r["Diagnostic-Code"] == "smtp; 550 5.1.1 no such user"
    text = msg.get_payload()[0].get_payload()
    assert "<a@example.org>: 550 5.1.1 no such user" in text
    orig = msg.get_payload()[2]
    assert orig.get_content_type() == "text/rfc822-headers"
    hdrs = email.message_from_string(orig.get_payload())
    assert hdrs["Subject"] == "hello"
    assert "body line" not in orig.get_payload()


def test_three_recipients_full(tmp_path):
    rcpts = [(b"a@example.org", b"rfc822;list@example.org", 0),
             b"b@example.org", b"c@example.org"]
    msg = parse(dump(tmp_path, b"s@example.com", rcpts, SIMPLE,
                     ret=1, envid=b"ENV-42"))
    per_msg, blocks = status_blocks(msg)
    assert per_msg["Original-Envelope-Id"] == "ENV-42"
    assert [b["Final-Recipient"] for b in blocks] == [
        "rfc822; a@example.org", "rfc822; b@example.org",
        "rfc822; c@example.org"]
    assert blocks[0]["Original-Recipient"] == "rfc822; list@example.org"
    assert blocks[1]["Original-Recipient"] is None
    assert all(b["Action"] == "failed" for b in blocks)
    orig = msg.get_payload()[2]
    assert orig.get_content_type() == "message/rfc822"
    inner = orig.get_payload()[0]
    assert inner["Subject"] == "hello"
    assert inner.get_payload() == "body line 1\nbody line 2\n"


def test_delay_warning(tmp_path):
    msg = parse(dump(tmp_path, b"s@example.com", [b"a@example.org"], SIMPLE,
                     args=["-d", "-n", "1700014400", "-q", "432000"],
                     specs=["a@example.org\t\t4.4.1\tdelayed\tconnection"
                            " timed out"], ret=1))
    assert msg["Subject"] == "Delayed Mail (still being retried)"
    _, blocks = status_blocks(msg)
    assert blocks[0]["Action"] == "delayed" and blocks[0]["Status"] == "4.4.1"
    assert blocks[0]["Will-Retry-Until"] is not None
    assert msg.get_payload()[2].get_content_type() == "text/rfc822-headers"


@pytest.mark.parametrize("limit,want", [(200, "message/rfc822"),
                                        (50, "text/rfc822-headers")])
def test_bounce_size_limit(tmp_path, limit, want):
    lines = SIMPLE + [b"x" * 60]
    msg = parse(dump(tmp_path, b"s@example.com", [b"a@example.org"], lines,
                     args=["-l", str(limit)], ret=1))
    orig = msg.get_payload()[2]
    assert orig.get_content_type() == want
    if want == "text/rfc822-headers":
        text = orig.get_payload()
        assert "x" * 60 not in text
        assert sum(len(ln) + 1 for ln in text.rstrip("\n").split("\n")) <= 50


HOSTILE = {
    "cr_in_headers": [b"Subject: a\rBcc: evil@example.com", b"X: \r\n\r\n--x",
                      b"", b"body\r"],
    "long_lines": [b"Subject: " + b"s" * 100000, b"X-Fold: " + b"w " * 3000,
                   b"", b"b" * 200000],
    "eight_bit": [b"Subject: caf\xc3\xa9 \xff\xfe", b"", b"\xe2\x82\xac body"],
    "nul_bytes": [b"Subject: a\0b", b"", b"x\0y"],
    "no_headers": [b"this is not a header", b"", b"body"],
    "nothing": [],
    "forged_boundary": [b"Subject: x", b"", b"--=_postern.0000000000AB.00",
                        b"--=_postern." + QID.encode() + b".0000000000000000--",
                        b"Content-Type: text/html"],
}


@pytest.mark.parametrize("ret", [0, 1])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_originals(tmp_path, name, ret):
    spec = ("a@example.org\trfc822;x\t5.1.1\tfailed\tbad\r\nBcc: e@example.com"
            "\r\n\r\n--x\tevil\r\nhost")
    msg = parse(dump(tmp_path, b"s@example.com", [b"a@example.org"],
                     HOSTILE[name], ret=ret, specs=[spec]))
    assert msg["Bcc"] is None
    _, blocks = status_blocks(msg)
    assert len(blocks) == 1
    assert blocks[0]["Bcc"] is None
    assert blocks[0]["Final-Recipient"] == "rfc822; a@example.org"
    assert blocks[0]["Remote-MTA"] is None


# --- part 2: through the real cleanup daemon -----------------------------

def hashed(queue_dir, queue, qid):
    return os.path.join(queue_dir, queue, qid[9], qid)


def bounce_send(inst, *args):
    out = subprocess.run([BOUNCE_SEND, inst.conf_dir, *args],
                         capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr.decode()
    status, qid, why = out.stdout.decode().split("\n")[:3]
    return int(status), qid, why


@pytest.fixture
def inst(make_instance):
    i = make_instance(master_cf=MASTER_CF)
    i.start()
    return i


def test_notice_through_cleanup(inst):
    write_queue_file(hashed(inst.queue_dir, "active", QID), b"s@example.com",
                     [b"a@example.org", (b"b@example.org", None, 1)],
                     SIMPLE, ret=1)
    status, qid, why = bounce_send(inst, "active", QID)
    assert status == 0, why
    q = inst.qdump(qid)
    assert q["sender"] == ""
    assert q["protocol"] == "bounce"
    assert [r["address"] for r in q["recipients"]] == ["s@example.com"]
    raw = "\n".join(q["lines"]).encode("latin-1") + b"\n"
    msg = parse(raw)
    _, blocks = status_blocks(msg)
    # b@ said NOTIFY=NEVER (mask 1): only a@ is reported.
    assert [b["Final-Recipient"] for b in blocks] == ["rfc822; a@example.org"]
    assert msg.get_payload()[2].get_content_type() == "message/rfc822"
    assert msg["From"] == "MAILER-DAEMON@mail.example.test (Mail Delivery System)"


def test_no_notice_rules(inst):
    path = hashed(inst.queue_dir, "active", QID)
    write_queue_file(path, b"", [b"a@example.org"], SIMPLE)
    status, qid, why = bounce_send(inst, "active", QID)
    assert (status, qid) == (1, ""), why
    assert "null sender" in why
    write_queue_file(path, b"s@example.com", [(b"a@example.org", None, 1)],
                     SIMPLE)
    status, qid, why = bounce_send(inst, "active", QID)
    assert (status, qid) == (1, ""), why
    assert "NOTIFY" in why
    assert glob.glob(os.path.join(inst.queue_dir, "incoming", "*", "*")) == []


def test_two_bounce_to_postmaster(inst):
    path = hashed(inst.queue_dir, "active", QID)
    write_queue_file(path, b"", [b"a@example.org"], SIMPLE, ret=1)
    status, qid, why = bounce_send(inst, "-o", "notify_classes=2bounce",
                                   "active", QID)
    assert status == 0, why
    q = inst.qdump(qid)
    assert q["sender"] == "" and q["protocol"] == "2bounce"
    assert [r["address"] for r in q["recipients"]] == [
        "postmaster@mail.example.test"]
    msg = parse("\n".join(q["lines"]).encode("latin-1") + b"\n")
    assert msg["Subject"] == "Postmaster Copy: Undelivered Mail"
    assert msg.get_payload()[2].get_content_type() == "text/rfc822-headers"
    # The copy itself fails: it is never reported again.
    write_queue_file(path, b"", [b"postmaster@mail.example.test"], SIMPLE,
                     protocol=b"2bounce")
    status, qid, why = bounce_send(inst, "-o", "notify_classes=2bounce",
                                   "active", QID)
    assert (status, qid) == (1, ""), why


def test_cleanup_down(make_instance):
    i = make_instance(master_cf="")
    write_queue_file(hashed(i.queue_dir, "active", QID), b"s@example.com",
                     [b"a@example.org"], SIMPLE)
    status, qid, why = bounce_send(i, "active", QID)
    assert (status, qid) == (-1, "")
    assert "connect to" in why
