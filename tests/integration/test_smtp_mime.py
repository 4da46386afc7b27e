"""test_smtp_mime.py - what the SMTP client does to message content
(docs/smtp.md "The SMTP session"): 8BITMIME to 7-bit conversion for a
server that does not offer 8BITMIME (util/mime_downgrade.c),
disable_mime_output_conversion, and smtp_line_length_limit
(util/smtp_text.c).

The instance: smtpd, pickup (local submission: the only way in for a
line longer than smtpd's 1000 bytes), cleanup, qmgr, smtp. Mail goes to
test_smtp.py's Python Sink on 127.0.0.1, with or without 8BITMIME in its
EHLO reply. The converted message is decoded with Python's email package
and must equal the original.
"""
import base64
import email
import email.policy
import os
import smtplib
import subprocess

import pytest

from instance import BUILD, Instance, wait_until
from test_smtp import Sink

NEEDED = ("smtpd", "cleanup", "qmgr", "smtp", "pickup", "postern-sendmail",
          "postern-postdrop")
pytestmark = pytest.mark.skipif(
    not all(os.access(os.path.join(BUILD, p), os.X_OK) for p in NEEDED),
    reason="daemons not built")

MASTER_CF = (
    "%(port0)s inet n - n - - smtpd\n"
    "pickup unix n - y 60 1 pickup\n"
    "cleanup unix - - y - 0 cleanup\n"
    "qmgr unix n - n 300 1 qmgr\n"
    "smtp unix - - y - - smtp\n"
    "proxymap unix - - n - - proxymap\n"
)

NO_8BITMIME = ("PIPELINING", "SIZE 10240000", "DSN")
WITH_8BITMIME = ("PIPELINING", "SIZE 10240000", "8BITMIME", "DSN")

TEXT = ("Gr\u00fc\u00dfe aus K\u00f6ln \u2014 caf\u00e9 = cr\u00e8me \n"
        "Zeile zwei\t\n"
        "=3D is not an escape here\n"
        + "\u00fc" * 300 + "\n"
        "letzte Zeile\n")
BLOB = bytes(range(256)) * 3


def mime_message():
    """A multipart message: an 8bit UTF-8 text part, a base64 part."""
    b64 = base64.encodebytes(BLOB).replace(b"\n", b"\r\n")
    return (b"From: s@example.org\r\n"
            b"To: u@far.test\r\n"
            b"Subject: mime test\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"==b1==\"\r\n"
            b"\r\n"
            b"This is a multi-part message in MIME format.\r\n"
            b"--==b1==\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n"
            b"\r\n"
            + TEXT.encode("utf-8").replace(b"\n", b"\r\n") +
            b"--==b1==\r\n"
            b"Content-Type: application/octet-stream; name=blob\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"\r\n"
            + b64 +
            b"--==b1==--\r\n")


def make_instance(sink, extra=None):
    main = {"mynetworks": "127.0.0.0/8",
            "transport_maps": "inline:{far.test=smtp:[127.0.0.1]:%d}"
            % sink.port,
            "smtp_connect_timeout": "3s", "smtp_helo_timeout": "5s",
            "smtp_mail_timeout": "5s", "smtp_rcpt_timeout": "5s",
            "smtp_data_init_timeout": "5s", "smtp_data_xfer_timeout": "5s",
            "smtp_data_done_timeout": "5s", "queue_run_delay": "1s",
            "minimal_backoff_time": "1s", "maximal_backoff_time": "2s"}
    main.update(extra or {})
    inst = Instance(main_extra=main)
    inst.write_master_cf(MASTER_CF)
    inst.start()
    return inst


@pytest.fixture
def things():
    items = []
    yield items
    for x in items:
        try:
            x.cleanup() if hasattr(x, "cleanup") else x.close()
        except Exception:
            pass


def send_8bit(inst, msg):
    with smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=30) as c:
        c.sendmail("s@example.org", ["u@far.test"], msg,
                   mail_options=["BODY=8BITMIME"])


def one_message(sink, inst):
    try:
        wait_until(lambda: len(sink.messages) == 1, timeout=30,
                   what="the message at the sink")
    except AssertionError:
        raise AssertionError(inst.log()[-3000:])
    frm, rcpts, data = sink.messages[0]
    mail = [c for c in sink.commands if c.upper().startswith(b"MAIL FROM:")]
    return mail[-1], data.replace(b"\r\n..", b"\r\n.")


def wire_lines(data):
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    for x in lines:
        assert b"\r" not in x and b"\n" not in x
    return lines


def test_downgrade_for_server_without_8bitmime(things):
    sink = Sink(ehlo=NO_8BITMIME)
    things.append(sink)
    inst = make_instance(sink)
    things.append(inst)
    send_8bit(inst, mime_message())
    mail, data = one_message(sink, inst)
    assert b"BODY=8BITMIME" not in mail.upper()
    assert max(data) < 0x80, "8-bit byte sent to a 7-bit server"
    for line in wire_lines(data):
        assert len(line) <= 998
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["Subject"] == "mime test"
    assert msg.get_content_type() == "multipart/mixed"
    text, blob = list(msg.iter_parts())
    assert text["Content-Transfer-Encoding"] == "quoted-printable"
    # The last line end before a boundary belongs to the boundary.
    assert text.get_content().replace("\r\n", "\n") == TEXT[:-1]
    orig = email.message_from_bytes(mime_message(), policy=email.policy.default)
    assert list(orig.iter_parts())[0].get_content() == text.get_content()
    assert blob["Content-Transfer-Encoding"] == "base64"
    assert blob.get_content() == BLOB
    # Quoted-printable lines stay within RFC 2045's 76.
    body = data.split(b"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                      1)[1].split(b"\r\n--==b1==")[0]
    assert all(len(x) <= 76 for x in body.split(b"\r\n"))
    # The base64 part went through as it was.
    assert base64.encodebytes(BLOB).replace(b"\n", b"\r\n") in data


def test_8bitmime_server_gets_it_unchanged(things):
    sink = Sink(ehlo=WITH_8BITMIME)
    things.append(sink)
    inst = make_instance(sink)
    things.append(inst)
    orig = mime_message()
    send_8bit(inst, orig)
    mail, data = one_message(sink, inst)
    assert mail.upper().endswith(b"BODY=8BITMIME")
    assert data.split(b"\r\n\r\n", 1)[1] == orig.split(b"\r\n\r\n", 1)[1]
    assert b"Content-Transfer-Encoding: 8bit\r\n" in data


def test_disable_mime_output_conversion(things):
    sink = Sink(ehlo=NO_8BITMIME)
    things.append(sink)
    inst = make_instance(sink, {"disable_mime_output_conversion": "yes"})
    things.append(inst)
    orig = mime_message()
    send_8bit(inst, orig)
    mail, data = one_message(sink, inst)
    assert b"BODY=8BITMIME" not in mail.upper()
    assert data.split(b"\r\n\r\n", 1)[1] == orig.split(b"\r\n\r\n", 1)[1]


def sendmail(inst, rcpt, data):
    env = {"PATH": "/usr/bin:/bin", "POSTERN_CONFIG": inst.conf_dir}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    p = subprocess.run([os.path.join(BUILD, "postern-sendmail"),
                        "-f", "s@example.org", rcpt], input=data, env=env,
                       capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("ehlo", [WITH_8BITMIME, NO_8BITMIME],
                         ids=["8bitmime", "7bit"])
def test_long_lines_broken_at_998(things, ehlo):
    sink = Sink(ehlo=ehlo)
    things.append(sink)
    inst = make_instance(sink)
    things.append(inst)
    long_header = b"h" * 1500
    long_body = b"x" * 2000
    sendmail(inst, "u@far.test",
             b"Subject: long\nX-Long: " + long_header + b"\n\nshort\n"
             + long_body + b"\n.x" + b"y" * 1200 + b"\nend\n")
    mail, data = one_message(sink, inst)
    lines = wire_lines(data)
    assert all(len(x) <= 998 for x in lines), [len(x) for x in lines]
    # Body: "<CR><LF><SPACE>" after every 998 bytes (as Postfix).
    i = lines.index(b"short")
    assert lines[i + 1:i + 4] == [b"x" * 998, b" " + b"x" * 997,
                                  b" " + b"x" * 5]
    assert lines[i + 4] == b".x" + b"y" * 996
    assert lines[i + 5] == b" " + b"y" * 204
    assert lines[i + 6] == b"end"
    # Header: the break is a folding point; the header stays one field.
    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    assert msg["X-Long"].replace("\r\n ", "").replace(" ", "") \
        == long_header.decode()
    inst.wait_log(r"breaking line > 998 bytes with <CR><LF>SPACE")


def test_line_length_limit_zero_sends_as_is(things):
    sink = Sink(ehlo=WITH_8BITMIME)
    things.append(sink)
    inst = make_instance(sink, {"smtp_line_length_limit": "0"})
    things.append(inst)
    sendmail(inst, "u@far.test", b"Subject: long\n\n" + b"x" * 2000 + b"\n")
    mail, data = one_message(sink, inst)
    assert b"x" * 2000 + b"\r\n" in data


def test_mime_nesting_limit_bounces(things):
    sink = Sink(ehlo=NO_8BITMIME)
    things.append(sink)
    inst = make_instance(sink)
    things.append(inst)
    msg = b"Subject: deep\r\nMIME-Version: 1.0\r\n"
    for i in range(101):
        msg += (b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n"
                % (i, i))
    msg += b"Content-Transfer-Encoding: 8bit\r\n\r\ncaf\xc3\xa9\r\n"
    with smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=30) as c:
        c.sendmail("", ["u@far.test"], msg, mail_options=["BODY=8BITMIME"])
    inst.wait_log(r"to=<u@far\.test>, .*dsn=5\.6\.0, status=bounced "
                  r"\(MIME nesting exceeds safety limit\)", timeout=30)
    # DATA was started, but never ended with ".": nothing was delivered.
    assert b"DATA" in [c.upper() for c in sink.commands]
    assert sink.messages == []
