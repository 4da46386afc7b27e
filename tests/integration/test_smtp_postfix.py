"""test_smtp_postfix.py - postern's SMTP client (smtp/) and server
(smtpd/) against real Postfix 3.7 instances, over STARTTLS.

Every Postfix here is a throw-away instance (postfix_instance.py:
`postfix -c DIR`, own queue, 127.0.0.1 only, log via postlogd), never the
system's. The certificates come from a test CA made with openssl:

    ca       the CA that signs every server certificate
    wrongca  a second CA that signs nothing
    B's      CN=pfb.example.test, SAN DNS:pfb.example.test, IP:127.0.0.1

Postfix B (module scope) offers STARTTLS and delivers b.test to the
Maildir of the test user. The tests:
- encrypt: postern's smtp delivers to B over TLS; both logs show the same
  protocol and cipher, B's Received: header says so;
- verify: with the right CA the connection is Trusted and the mail goes
  through; with the wrong CA it is deferred (4.7.5) and B sees no MAIL;
- a relay chain: smtplib -> Postfix A -> postern -> Postfix B, every hop
  STARTTLS; the message arrives byte for byte (long lines, dot lines,
  "From " lines, 8-bit text), with three Received: headers in hop order.
"""
import email.utils
import os
import re
import smtplib
import ssl
import subprocess
import time

import pytest

from instance import BUILD, Instance, ensure_user, wait_until
from postfix_instance import PostfixInstance, postfix_available

NEEDED = ("smtpd", "cleanup", "qmgr", "smtp", "proxymap")
pytestmark = [
    pytest.mark.skipif(
        not all(os.access(os.path.join(BUILD, p), os.X_OK) for p in NEEDED),
        reason="daemons not built"),
    pytest.mark.skipif(not postfix_available(),
                       reason="needs root and the postfix package"),
]

USER = "posterntest"            # the Maildir owner on Postfix B
RCPT = USER + "@b.test"

POSTERN_MASTER_CF = (
    "%(port0)s inet n - n - - smtpd\n"
    "cleanup unix - - y - 0 cleanup\n"
    "qmgr unix n - n 300 1 qmgr\n"
    "smtp unix - - y - - smtp\n"
    "proxymap unix - - n - - proxymap\n"
)

# "... TLS connection established to/from host[addr]...: PROTO with
# cipher NAME (bits)", in both postern's and Postfix's logs.
TLS_RX = r"(TLSv1\.[23]) with cipher (\S+) \("


# --- certificates

def _openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True,
                   timeout=60)


def make_ca(d, name):
    cert, key = os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=%s test CA" % name, "-addext",
             "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign,cRLSign",
             "-keyout", key, "-out", cert)
    return cert, key


def make_server_cert(d, name, cn, ca):
    """A server certificate for cn (and IP 127.0.0.1) signed by ca."""
    cert, key = os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")
    csr, ext = os.path.join(d, name + ".csr"), os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("subjectAltName = DNS:%s, IP:127.0.0.1\n"
                "basicConstraints = CA:FALSE\n"
                "keyUsage = critical, digitalSignature\n"
                "extendedKeyUsage = serverAuth\n" % cn)
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=" + cn,
             "-keyout", key, "-out", csr)
    _openssl("x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1],
             "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert)
    os.chmod(key, 0o600)
    return cert, key


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("pki"))
    ca = make_ca(d, "ca")
    wrong = make_ca(d, "wrongca")
    return {
        "ca": ca[0],
        "wrongca": wrong[0],
        "a": make_server_cert(d, "pfa", "pfa.example.test", ca),
        "b": make_server_cert(d, "pfb", "pfb.example.test", ca),
        "postern": make_server_cert(d, "postern", "mail.example.test", ca),
    }


# --- instances

def postfix_tls_params(cert_key):
    return {
        "smtpd_tls_security_level": "may",
        "smtpd_tls_cert_file": cert_key[0],
        "smtpd_tls_key_file": cert_key[1],
        "smtpd_tls_loglevel": "1",
        "smtpd_tls_received_header": "yes",
        "smtp_tls_loglevel": "1",
    }


@pytest.fixture(scope="module")
def postfix_b(pki):
    """Postfix B: STARTTLS offered, b.test delivered to USER's Maildir."""
    ensure_user(USER)
    main = {"myhostname": "pfb.example.test", "mydomain": "example.test",
            "mydestination": "b.test",
            # The whole SMTP dialogue with postern in the log.
            "debug_peer_list": "127.0.0.1", "debug_peer_level": "2"}
    main.update(postfix_tls_params(pki["b"]))
    pf = PostfixInstance("b", main_extra=main)
    try:
        pf.start()
        yield pf
    finally:
        pf.cleanup()


@pytest.fixture
def cleanup_list():
    items = []
    yield items
    for x in reversed(items):
        try:
            x.cleanup()
        except Exception:
            pass


def postern_instance(cleanup_list, extra):
    main = {"mynetworks": "127.0.0.0/8", "smtp_connect_timeout": "5s",
            "smtp_helo_timeout": "10s", "minimal_backoff_time": "300s",
            "maximal_backoff_time": "600s", "queue_run_delay": "300s"}
    main.update(extra)
    inst = Instance(main_extra=main)
    cleanup_list.append(inst)
    inst.write_master_cf(POSTERN_MASTER_CF)
    inst.start()
    return inst


def message_id(tag):
    return "<%s.%d.%d@a.test>" % (tag, os.getpid(), time.monotonic_ns())


def submit(port, msg, rcpt=RCPT, sender="alice@a.test", tls=False,
           mail_options=()):
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as c:
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            c.starttls(context=ctx)
        c.sendmail(sender, [rcpt], msg, mail_options=list(mail_options))


def simple_message(mid):
    return ("From: alice@a.test\r\nTo: %s\r\nSubject: interop\r\n"
            "Date: %s\r\nMessage-ID: %s\r\n\r\nhello over TLS\r\n"
            % (RCPT, email.utils.formatdate(), mid)).encode()


def wait_delivered(pf, mid, timeout=60):
    """The message with Message-ID mid in USER's Maildir at pf."""
    def find():
        for m in pf.maildir_messages(USER):
            if ("\nMessage-ID: %s\n" % mid).encode() in m:
                return m
        return None
    try:
        return wait_until(find, timeout, "%s in the Maildir" % mid)
    except AssertionError as e:
        raise AssertionError("%s\n--- postfix %s log:\n%s"
                             % (e, pf.name, pf.log()[-4000:])) from None


def postfix_queue_id(pf, mid, since=0):
    """Postfix's queue ID of the message with Message-ID mid."""
    return pf.wait_log(r"([0-9A-F]+): message-id=%s" % re.escape(mid),
                       since=since).group(1)


def wait_status(system, rcpt=RCPT, timeout=30):
    """The first delivery status logged for rcpt by system (a postern
    Instance or a PostfixInstance): must be sent, fail fast otherwise."""
    m = system.wait_log(r"to=<%s>, relay=.*, status=(\w+) .*"
                        % re.escape(rcpt), timeout=timeout)
    assert m.group(1) == "sent", m.group(0)
    return m.group(0)


def assert_clean(inst):
    """No postern process crashed or died (asan/ubsan reports included)."""
    log = inst.log()
    for bad in ("killed by signal", "exited with status", "panic:",
                "fatal:", "AddressSanitizer", "runtime error"):
        assert bad not in log, log[-4000:]


# --- 1. encrypt

def test_encrypt_to_postfix(postfix_b, cleanup_list):
    mark = len(postfix_b.log())
    inst = postern_instance(cleanup_list, {
        "relayhost": "[127.0.0.1]:%d" % postfix_b.port,
        "smtp_tls_security_level": "encrypt"})
    mid = message_id("encrypt")
    submit(inst.ports[0], simple_message(mid))
    wait_status(inst)
    got = wait_delivered(postfix_b, mid)
    # postern: the TLS line, then the delivery.
    m = inst.wait_log(r"Untrusted TLS connection established to "
                      r"127\.0\.0\.1\[127\.0\.0\.1\]:%d: %s"
                      % (postfix_b.port, TLS_RX))
    proto, cipher = m.group(1), m.group(2)
    inst.wait_log(r"to=<%s>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:%d, .*"
                  r"dsn=2\.0\.0, status=sent \(250 "
                  % (re.escape(RCPT), postfix_b.port))
    # Postfix: the same TLS session from postern, then the message.
    pm = postfix_b.wait_log(r"Anonymous TLS connection established from "
                            r"\S+\[127\.0\.0\.1\]: " + TLS_RX, since=mark)
    assert (pm.group(1), pm.group(2)) == (proto, cipher), \
        (pm.group(0), m.group(0))
    qid = postfix_queue_id(postfix_b, mid, since=mark)
    postfix_b.wait_log(r"%s: client=\S+\[127\.0\.0\.1\]" % qid, since=mark)
    postfix_b.wait_log(r"%s: to=<%s>, relay=local, .*status=sent \(delivered "
                       r"to maildir\)" % (qid, re.escape(RCPT)), since=mark)
    # B's Received: header names the TLS session and postern's EHLO name.
    rx = (r"Received: from mail\.example\.test \(\S+ \[127\.0\.0\.1\]\)\n"
          r"\t\(using %s with cipher %s \(" % (re.escape(proto),
                                                re.escape(cipher)))
    assert re.search(rx.encode(), got), got.decode(errors="replace")
    assert re.search(rb"by pfb\.example\.test \(Postfix\) with ESMTPS id "
                     + qid.encode() + rb"\n", got)
    assert got.endswith(b"\n\nhello over TLS\n")
    assert_clean(inst)


# --- 2. verify

def test_verify_right_ca_trusted(postfix_b, pki, cleanup_list):
    inst = postern_instance(cleanup_list, {
        "relayhost": "[127.0.0.1]:%d" % postfix_b.port,
        "smtp_tls_security_level": "verify",
        "smtp_tls_CAfile": pki["ca"]})
    mid = message_id("verify")
    submit(inst.ports[0], simple_message(mid))
    wait_status(inst)
    wait_delivered(postfix_b, mid)
    inst.wait_log(r"Trusted TLS connection established to 127\.0\.0\.1"
                  r"\[127\.0\.0\.1\]:%d: %s" % (postfix_b.port, TLS_RX))
    assert "Untrusted TLS" not in inst.log()
    inst.wait_log(r"to=<%s>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:%d, .*"
                  r"status=sent" % (re.escape(RCPT), postfix_b.port))
    assert_clean(inst)


def test_verify_wrong_ca_defers(postfix_b, pki, cleanup_list):
    mark = len(postfix_b.log())
    inst = postern_instance(cleanup_list, {
        "relayhost": "[127.0.0.1]:%d" % postfix_b.port,
        "smtp_tls_security_level": "verify",
        "smtp_tls_CAfile": pki["wrongca"]})
    mid = message_id("wrongca")
    submit(inst.ports[0], simple_message(mid))
    inst.wait_log(r"to=<%s>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:%d, .*"
                  r"dsn=4\.7\.5, status=deferred \(.*not verified"
                  % (re.escape(RCPT), postfix_b.port), timeout=30)
    # The handshake itself succeeded; only the verdict failed.
    inst.wait_log(r"Untrusted TLS connection established to 127\.0\.0\.1"
                  r"\[127\.0\.0\.1\]:%d: %s" % (postfix_b.port, TLS_RX))
    assert "Trusted TLS connection" not in inst.log().replace(
        "Untrusted TLS", "")
    # Postfix saw the TLS session end without any MAIL command.
    d = postfix_b.wait_log(r"disconnect from \S+\[127\.0\.0\.1\] (.*)\n",
                           since=mark)
    assert "starttls=1" in d.group(1), d.group(0)
    assert "mail=" not in d.group(1) and "rcpt=" not in d.group(1), d.group(0)
    assert mid.encode() not in b"".join(postfix_b.maildir_messages(USER))
    assert "message-id=%s" % mid not in postfix_b.log()
    assert_clean(inst)


# --- 3. relay chain: Postfix A -> postern -> Postfix B

CHAIN_HEADERS = [
    "From: Alice Sender <alice@a.test>",
    "To: Bob Receiver <%s>" % RCPT,
    "Subject: relay chain through postern",
    "Date: Mon, 2 Mar 2026 10:11:12 +0100",
    "Message-ID: %(mid)s",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "X-Folded: first part of a folded header",
    "\tsecond part, after a tab",
    "X-Spaces:   three spaces in front and two at the end  ",
]

CHAIN_BODY = [
    "Dear Bob,",
    "",
    "L" + "0123456789abcdef" * 55 + "-end",        # 885 characters
    ".a line with a leading dot",
    "..two leading dots",
    ".",
    "From here on: a line that starts with From and a space.",
    "From alice@a.test Mon Mar  2 10:11:12 2026",
    ">From an already quoted one",
    "Gr\u00fc\u00dfe aus K\u00f6ln \u2013 \u00e9t\u00e9 \u00e0 "
    "S\u00e3o Paulo, \u65e5\u672c\u8a9e \u2713",
    "\ttab first, trailing spaces   ",
    "x" * 990,
    "",
    "",
    "-- ",
    "Alice",
]


def chain_message(mid):
    head = "\r\n".join(CHAIN_HEADERS) % {"mid": mid}
    return (head + "\r\n\r\n" + "\r\n".join(CHAIN_BODY) + "\r\n").encode()


def split_headers(raw):
    """Header fields (each unfolded into its raw lines) and the body."""
    head, sep, body = raw.partition(b"\n\n")
    assert sep, raw
    fields = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\n" + line
        else:
            fields.append(line)
    return fields, body


def test_relay_chain_postfix_postern_postfix(postfix_b, pki, cleanup_list):
    mark_b = len(postfix_b.log())
    # postern in the middle: STARTTLS inbound, encrypt outbound to B.
    inst = postern_instance(cleanup_list, {
        "smtpd_tls_security_level": "may",
        "smtpd_tls_cert_file": pki["postern"][0],
        "smtpd_tls_key_file": pki["postern"][1],
        "relayhost": "[127.0.0.1]:%d" % postfix_b.port,
        "smtp_tls_security_level": "encrypt"})
    # Postfix A: relays everything to postern, TLS required.
    main_a = {"myhostname": "pfa.example.test", "mydomain": "example.test",
              "mydestination": "",
              "relayhost": "[127.0.0.1]:%d" % inst.ports[0],
              "smtp_tls_security_level": "encrypt"}
    main_a.update(postfix_tls_params(pki["a"]))
    pfa = PostfixInstance("a", main_extra=main_a)
    cleanup_list.append(pfa)
    pfa.start()

    mid = message_id("chain")
    sent = chain_message(mid)
    submit(pfa.port, sent, tls=True, mail_options=["BODY=8BITMIME"])
    wait_status(pfa)
    wait_status(inst)
    got = wait_delivered(postfix_b, mid)

    # Hop 1 (A -> postern) and hop 2 (postern -> B), as their senders
    # logged them.
    ma = pfa.wait_log(r"Untrusted TLS connection established to 127\.0\.0\.1"
                      r"\[127\.0\.0\.1\]:%d: %s" % (inst.ports[0], TLS_RX))
    pfa.wait_log(r"to=<%s>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:%d, .*"
                 r"status=sent \(250 " % (re.escape(RCPT), inst.ports[0]))
    ms = inst.wait_log(r"Anonymous TLS connection established from "
                       r"\S+\[127\.0\.0\.1\]: " + TLS_RX)
    assert ms.group(1, 2) == ma.group(1, 2), (ms.group(0), ma.group(0))
    mp = inst.wait_log(r"Untrusted TLS connection established to 127\.0\.0\.1"
                       r"\[127\.0\.0\.1\]:%d: %s" % (postfix_b.port, TLS_RX))
    inst.wait_log(r"to=<%s>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:%d, .*"
                  r"status=sent" % (re.escape(RCPT), postfix_b.port))
    qid_a = postfix_queue_id(pfa, mid)
    qid_b = postfix_queue_id(postfix_b, mid, since=mark_b)

    fields, body = split_headers(got)
    # Local delivery on B prepends these three.
    assert [f.split(b":")[0] for f in fields[:3]] == [
        b"Return-Path", b"X-Original-To", b"Delivered-To"], fields[:4]
    assert fields[0] == b"Return-Path: <alice@a.test>"
    assert fields[2] == b"Delivered-To: " + RCPT.encode()
    received = fields[3:6]
    assert all(f.startswith(b"Received: ") for f in received), received
    rest = fields[6:]
    # Everything else: byte for byte what was sent (LF line ends in the
    # Maildir file).
    sent_head, _, sent_body = sent.replace(b"\r\n", b"\n").partition(b"\n\n")
    expect_fields, _ = split_headers(sent_head + b"\n\n")
    assert rest == expect_fields, (rest, expect_fields)
    assert body == sent_body
    assert b"\n.a line with a leading dot\n..two leading dots\n.\nFrom " \
        in body
    assert "K\u00f6ln".encode() in body

    # The Received: headers, newest first: B's, postern's, A's. Each
    # hop was STARTTLS; each names the previous hop's EHLO name.
    rb, rp, ra = [f.decode() for f in received]
    assert re.match(
        r"Received: from mail\.example\.test \(\S+ \[127\.0\.0\.1\]\)\n"
        r"\t\(using %s with cipher %s \(.*\)\n(?:.*\n)*"
        r"\tby pfb\.example\.test \(Postfix\) with ESMTPS id %s\n"
        r"\tfor <%s>; .*$" % (re.escape(mp.group(1)), re.escape(mp.group(2)),
                              qid_b, re.escape(RCPT)), rb), rb
    assert re.match(
        r"Received: from pfa\.example\.test \(\S+ \[127\.0\.0\.1\]\)\n"
        r"\t\(using %s with cipher %s\)\n"
        r"\tby mail\.example\.test \(postern\) with ESMTPS\n"
        r"\tfor <%s>; .*$" % (re.escape(ma.group(1)), re.escape(ma.group(2)),
                              re.escape(RCPT)), rp), rp
    assert re.match(
        r"Received: from \S+ \(\S+ \[127\.0\.0\.1\]\)\n"
        r"\t\(using TLSv1\.[23] with cipher \S+ \(.*\)\n(?:.*\n)*"
        r"\tby pfa\.example\.test \(Postfix\) with ESMTPS id %s\n"
        r"\tfor <%s>; .*$" % (qid_a, re.escape(RCPT)), ra), ra
    for f in received:
        assert re.search(r";\s+\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d "
                         r"[+-]\d{4}", f.decode()), f

    # The envelope: BODY=8BITMIME went from smtplib through A and postern
    # (smtpd recorded it, smtp sent it) to B.
    assert re.search(r"< \S+\[127\.0\.0\.1\]: MAIL FROM:<alice@a\.test> "
                     r"(?:\S+ )*BODY=8BITMIME", postfix_b.log()[mark_b:]), \
        postfix_b.log()[mark_b:][-4000:]
    assert_clean(inst)
    for log in (pfa.log(), postfix_b.log()):
        assert "panic:" not in log and "fatal:" not in log, log[-3000:]
