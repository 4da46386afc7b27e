"""test_smtpd.py - the SMTP server core against a real instance (master,
smtpd, cleanup, proxymap): every command and extension, PIPELINING in one
write, BDAT chunks, hostile command lines, recipient and size limits, the
smtpd_timeout deadline, SMTP smuggling, error limits, the queue file read
back with the real queue-file reader (tests/helpers/qdump), and cleanup
killed in the middle of DATA.

Clients are raw sockets (so every byte on the wire is under the test's
control) and smtplib. The instance uses smtpd_timeout=3s so that the slow
client test is fast; message_size_limit is 200000.
"""
import glob
import os
import re
import signal
import socket
import smtplib
import time

import pytest

from instance import QUEUE_ID, Instance, wait_until


MASTER_CF = ("%(port0)s inet n - y - - smtpd\n"
             "cleanup unix - - y - 0 cleanup\n"
             "proxymap unix - - n - - proxymap\n")

# Headers that cleanup would otherwise add, so content compares exactly.
HDR_LINES = ["Date: Tue, 13 Feb 2024 10:00:00 +0000", "Message-ID: <t@client.example>"]
HDRS = "".join(h + "\r\n" for h in HDR_LINES).encode()

BASE_EXTRA = {"smtpd_timeout": "3s", "message_size_limit": "200000"}


def start_instance(extra=None):
    main = dict(BASE_EXTRA)
    main.update(extra or {})
    inst = Instance(main_extra=main)
    inst.write_master_cf(MASTER_CF)
    inst.start()
    inst.wait_listening()
    return inst


@pytest.fixture(scope="module")
def inst():
    i = start_instance()
    yield i
    i.cleanup()


class Client:
    """A raw SMTP client: send bytes, read whole replies."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode("latin-1"))

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; have %r" % self.buf)
            self.buf += chunk
        ln, _, self.buf = self.buf.partition(b"\n")
        return ln.rstrip(b"\r").decode("latin-1")

    def reply(self):
        """One (multi-line) reply: (code, [texts])."""
        lines = []
        while True:
            ln = self.line()
            lines.append(ln[4:])
            if len(ln) < 4 or ln[3] != "-":
                return int(ln[:3]), lines

    def cmd(self, text):
        self.send(text + "\r\n")
        return self.reply()

    def closed(self, timeout=5):
        self.sock.settimeout(timeout)
        try:
            while True:
                data = self.sock.recv(4096)
                if not data:
                    return True
                self.buf += data
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()


def session(inst, ehlo=True):
    c = Client(inst.ports[0])
    code, _ = c.reply()
    assert code == 220
    if ehlo:
        code, _ = c.cmd("EHLO client.example")
        assert code == 250
    return c


def queue_ids(inst):
    return {os.path.basename(p)
            for p in glob.glob(os.path.join(inst.queue_dir, "incoming", "*", "*"))
            if QUEUE_ID.match(os.path.basename(p))}


def queued_id(code_text):
    code, text = code_text
    assert code == 250, code_text
    m = re.search(r"queued as ([0-9A-Za-z]+)", text[0])
    assert m, text
    return m.group(1)


# ---------------------------------------------------------------- commands

def test_ehlo_lists_extensions(inst):
    c = session(inst, ehlo=False)
    code, lines = c.cmd("EHLO client.example")
    assert code == 250
    assert lines[0] == "mail.example.test"
    ext = [ln.split()[0] for ln in lines[1:]]
    for e in ("PIPELINING", "SIZE", "ENHANCEDSTATUSCODES", "8BITMIME", "DSN",
              "SMTPUTF8", "CHUNKING"):
        assert e in ext
    assert "SIZE 200000" in lines
    assert "VRFY" not in ext
    assert "STARTTLS" not in ext      # no certificate configured
    assert "AUTH" not in ext          # smtpd_sasl_auth_enable=no
    c.close()


def test_simple_commands(inst):
    c = session(inst, ehlo=False)
    assert c.cmd("MAIL FROM:<a@b.example>") == (503, ["5.5.1 Error: send HELO/EHLO first"])
    assert c.cmd("HELO client.example")[0] == 250
    assert c.cmd("NOOP")[0] == 250
    assert c.cmd("noop with args")[0] == 250
    assert c.cmd("HELP")[0] == 214
    assert c.cmd("VRFY root") == (502, ["5.5.1 VRFY command is disabled"])
    assert c.cmd("RSET")[0] == 250
    assert c.cmd("RSET x")[0] == 501
    assert c.cmd("XYZZY")[0] == 502
    assert c.cmd("HELO")[0] == 501
    assert c.cmd("STARTTLS")[0] == 502
    assert c.cmd("RCPT TO:<u@remote.example>") == (503, ["5.5.1 Error: need MAIL command"])
    assert c.cmd("DATA")[0] == 503
    # HELO (not EHLO): no ESMTP parameters.
    assert c.cmd("MAIL FROM:<a@b.example> SIZE=10")[0] == 555
    assert c.cmd("MAIL FROM:<a@b.example>")[0] == 250
    assert c.cmd("MAIL FROM:<a@b.example>")[0] == 503
    assert c.cmd("DATA") == (554, ["5.5.1 Error: no valid recipients"])
    assert c.cmd("QUIT") == (221, ["2.0.0 Bye"])
    assert c.closed()


def test_bad_addresses_and_params(inst):
    c = session(inst)
    assert c.cmd("MAIL FROM:<;sleep 66;>")[0] == 501
    assert c.cmd("MAIL FROM:<a@b.example> ENVID=abc+0Adef")[0] == 501
    assert c.cmd("MAIL FROM:<a@b.example> AUTH=x+0A-injected_line")[0] == 501
    assert c.cmd("MAIL FROM:<a@b.example> SIZE=1 SIZE=2")[0] == 555
    assert c.cmd("MAIL FROM:<a@b.example> FOO=1")[0] == 555
    assert c.cmd("MAIL FROM:<j\xf6rg@b.example>".encode("utf-8").decode("latin-1"))[0] == 553
    assert c.cmd("MAIL FROM:<" + "a" * 65 + "@b.example>")[0] == 501
    assert c.cmd("MAIL FROM:<a@b.example>")[0] == 250
    assert c.cmd("RCPT TO:<u@remote.example> ORCPT=rfc822;x+0Ay+0D+0Az")[0] == 501
    assert c.cmd("RCPT TO:<u@remote.example> NOTIFY=NEVER,SUCCESS")[0] == 501
    assert c.cmd("RCPT TO:<\"unterminated@remote.example>")[0] == 501
    assert c.cmd("QUIT")[0] == 221
    c.close()


# ------------------------------------------------------- queue file contents

def test_queue_file_holds_exact_envelope_and_content(inst):
    c = session(inst)
    assert c.cmd("MAIL FROM:<s@sender.example> BODY=8BITMIME RET=HDRS "
                 "ENVID=env+2B1 SIZE=500")[0] == 250
    assert c.cmd("RCPT TO:<u@remote.example> NOTIFY=SUCCESS,FAILURE "
                 "ORCPT=rfc822;u+2Bo@remote.example")[0] == 250
    assert c.cmd("RCPT TO:<@hop.example:v@remote.example>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    body = ["From: s@sender.example", "To: u@remote.example",
            "Date: Tue, 13 Feb 2024 10:00:00 +0000",
            "Message-ID: <m1@sender.example>", "Subject: test", "",
            "line one", ".leading dot", "..two dots", "caf\xc3\xa9", ""]
    wire = "".join(("." + ln if ln.startswith(".") else ln) + "\r\n" for ln in body)
    c.send(wire.encode("latin-1") + b".\r\n")
    qid = queued_id(c.reply())
    c.cmd("QUIT")
    q = inst.qdump(qid)
    assert q["sender"] == "s@sender.example"
    assert q["client_addr"] == "127.0.0.1"
    assert q["client_name"] == "unknown"
    assert q["helo"] == "client.example"
    assert q["protocol"] == "ESMTP"
    assert q["flags"] & 1                       # 8BITMIME
    assert not q["flags"] & 2
    assert q["dsn_ret"] == 2                    # HDRS
    assert q["dsn_envid"] == "env+1"
    rc = q["recipients"]
    assert [r["address"] for r in rc] == ["u@remote.example", "v@remote.example"]
    assert rc[0]["orcpt"] == "rfc822;u+o@remote.example"
    assert rc[0]["notify"] == 2 | 4
    assert rc[1]["orcpt"] is None and rc[1]["notify"] == 0
    lines = q["lines"]
    assert lines[0] == "Received: from client.example (unknown [127.0.0.1])"
    assert lines[1] == "\tby mail.example.test (postern) with ESMTP"
    assert re.match(r"^\t; \w{3}, \d+ \w{3} \d{4} \d\d:\d\d:\d\d [-+]\d{4}$", lines[2])
    assert lines[3:] == body, lines


def test_smtputf8_flag_and_received_for(inst):
    c = session(inst)
    sender = "j\xc3\xb6rg@sender.example"
    assert c.cmd("MAIL FROM:<%s> SMTPUTF8" % sender)[0] == 250
    assert c.cmd("RCPT TO:<only@remote.example>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(b"Subject: x\r\n\r\nhi\r\n.\r\n")
    qid = queued_id(c.reply())
    q = inst.qdump(qid)
    assert q["sender"].encode("latin-1") == sender.encode("latin-1")
    assert q["flags"] & 2
    assert q["lines"][2].startswith("\tfor <only@remote.example>; ")
    c.close()


# -------------------------------------------------------------- pipelining

def test_pipelined_batch_in_one_write(inst):
    c = session(inst)
    before = queue_ids(inst)
    c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<x@remote.example>\r\n"
           "RCPT TO:<y@remote.example>\r\nDATA\r\nSubject: p\r\n\r\nbody\r\n.\r\n"
           "NOOP\r\nQUIT\r\n")
    codes = [c.reply()[0] for _ in range(7)]
    assert codes == [250, 250, 250, 354, 250, 250, 221]
    assert c.closed()
    assert len(queue_ids(inst) - before) == 1


def test_pipelined_replies_arrive_together(inst):
    """The three replies to one batch arrive in one segment (flushed only
    when no input was left)."""
    c = session(inst)
    c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<x@remote.example>\r\nRSET\r\n")
    time.sleep(0.5)
    data = c.sock.recv(65536)
    assert data.count(b"\r\n") == 3, data
    c.close()


# -------------------------------------------------------------------- BDAT

def test_bdat_chunks(inst):
    c = session(inst)
    assert c.cmd("MAIL FROM:<a@b.example>")[0] == 250
    assert c.cmd("RCPT TO:<x@remote.example>")[0] == 250
    part1 = HDRS + b"Subject: chunks\r\n\r\nfirst "
    part2 = b"half\r\n.not stuffed\r\nBDAT 5\r\n"
    c.send(b"BDAT %d\r\n" % len(part1) + part1)
    assert c.reply()[0] == 250
    c.send(b"BDAT %d\r\n" % len(part2) + part2)
    assert c.reply()[0] == 250
    assert c.cmd("DATA") == (503, ["5.5.1 Error: DATA after BDAT"])
    c.send(b"BDAT 0 LAST\r\n")
    qid = queued_id(c.reply())
    lines = inst.qdump(qid)["lines"]
    assert lines[3:] == HDR_LINES + ["Subject: chunks", "", "first half",
                                     ".not stuffed", "BDAT 5"]
    # BDAT without MAIL: the bytes are consumed, then 503.
    c.send(b"BDAT 12 LAST\r\nNOOP\r\nNOOP\r\n")
    assert c.reply()[0] == 503
    assert c.cmd("NOOP")[0] == 250
    # Bad BDAT arguments.
    for arg in ("BDAT", "BDAT -1", "BDAT 0x10", "BDAT 10 LASTX"):
        assert c.cmd(arg)[0] == 501, arg
    c.send(b"BDAT 18446744073709551616 LAST\r\n")
    assert c.reply()[0] == 552
    assert c.closed()


def test_bdat_single_last_chunk(inst):
    c = session(inst)
    msg = HDRS + b"Subject: one\r\n\r\nx"
    c.send(b"MAIL FROM:<a@b.example>\r\nRCPT TO:<x@remote.example>\r\n"
           b"BDAT %d LAST\r\n" % len(msg) + msg)
    assert c.reply()[0] == 250
    assert c.reply()[0] == 250
    qid = queued_id(c.reply())
    assert inst.qdump(qid)["lines"][3:] == HDR_LINES + ["Subject: one", "", "x"]
    c.close()


# ------------------------------------------------------------ hostile input

def test_long_command_line_not_executed(inst):
    c = session(inst)
    c.send("NOOP " + "x" * 600 + "QUIT\r\n" + "y" * 9400 + "\r\n")
    assert c.reply() == (500, ["5.5.2 Error: line too long"])
    assert c.reply() == (500, ["5.5.2 Error: line too long"])
    assert c.cmd("NOOP")[0] == 250
    c.close()


def test_nul_and_cr_in_command(inst):
    c = session(inst)
    c.send(b"NOOP\x00\r\n")
    assert c.reply()[0] == 500
    c.send(b"MAIL FROM:<a@b.example>\x00<root@localhost>\r\n")
    assert c.reply()[0] == 500
    c.send(b"EHLO foo\rX-Injected: 1\r\n")
    assert c.reply()[0] == 500
    assert c.cmd("MAIL FROM:<a@b.example>")[0] == 250
    c.close()


def test_recipient_limit(inst):
    c = session(inst)
    batch = "MAIL FROM:<a@b.example>\r\n" + "".join(
        "RCPT TO:<r%d@remote.example>\r\n" % i for i in range(2000))
    c.send(batch)
    assert c.reply()[0] == 250
    codes = [c.reply() for _ in range(2000)]
    assert all(x[0] == 250 for x in codes[:1000])
    assert all(x == (452, ["4.5.3 Error: too many recipients"]) for x in codes[1000:])
    assert c.cmd("DATA")[0] == 354
    c.send(b"Subject: many\r\n\r\nx\r\n.\r\n")
    qid = queued_id(c.reply())
    assert len(inst.qdump(qid)["recipients"]) == 1000
    c.close()


def test_oversize_by_size_and_by_content(inst):
    c = session(inst)
    assert c.cmd("MAIL FROM:<a@b.example> SIZE=200001")[0] == 552
    assert c.cmd("MAIL FROM:<a@b.example> SIZE=5000000000")[0] == 552
    before = queue_ids(inst)
    assert c.cmd("MAIL FROM:<a@b.example> SIZE=1000")[0] == 250
    assert c.cmd("RCPT TO:<x@remote.example>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(b"Subject: big\r\n\r\n" + (b"y" * 900 + b"\r\n") * 300 + b".\r\n")
    code, text = c.reply()
    assert code == 552 and text[0].startswith("5.3.4"), text
    assert c.cmd("NOOP")[0] == 250
    # BDAT: a chunk bigger than the limit is read and discarded.
    assert c.cmd("MAIL FROM:<a@b.example>")[0] == 250
    assert c.cmd("RCPT TO:<x@remote.example>")[0] == 250
    c.send(b"BDAT 300000 LAST\r\n" + (b"z" * 998 + b"\r\n") * 300)
    assert c.reply()[0] == 552
    assert c.cmd("NOOP")[0] == 250
    assert queue_ids(inst) == before
    c.close()


def test_long_data_line_rejected(inst):
    c = session(inst)
    before = queue_ids(inst)
    c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<x@remote.example>\r\nDATA\r\n")
    assert [c.reply()[0] for _ in range(3)] == [250, 250, 354]
    c.send(b"Subject: long\r\n\r\n" + b"w" * 5000 + b"\r\n.\r\n")
    assert c.reply()[0] == 500
    assert c.cmd("NOOP")[0] == 250
    assert queue_ids(inst) == before
    c.close()


def test_byte_a_second_client_is_cut(inst):
    c = session(inst)
    start = time.monotonic()
    got = None
    try:
        for ch in b"NOOP and more and more and more\r\n":
            c.sock.sendall(bytes([ch]))
            time.sleep(1)
            c.sock.settimeout(0.01)
            try:
                data = c.sock.recv(4096)
            except socket.timeout:
                continue
            got = data
            break
    except (BrokenPipeError, ConnectionResetError):
        pass
    elapsed = time.monotonic() - start
    assert got is not None and got.startswith(b"421 4.4.2"), got
    assert elapsed < 6, elapsed
    c.sock.settimeout(5)
    c.buf = b""
    assert c.closed()


SMUGGLE_SEPS = [b"\n.\n", b"\r\n.\r", b"\r.\r\n", b"\n.\r\n", b"\r\n.\n",
                b"\r\n.\r\r\n", b"\r\n\x00.\r\n"]


@pytest.mark.parametrize("sep", SMUGGLE_SEPS, ids=lambda s: repr(s))
def test_smuggling_never_two_messages(inst, sep):
    c = session(inst)
    before = queue_ids(inst)
    c.send("MAIL FROM:<user@attacker.example>\r\nRCPT TO:<victim@remote.example>\r\n"
           "DATA\r\n")
    assert [c.reply()[0] for _ in range(3)] == [250, 250, 354]
    c.send(b"From: user@attacker.example\r\nSubject: hi\r\n\r\nbody" + sep +
           b"MAIL FROM:<ceo@remote.example>\r\nRCPT TO:<victim@remote.example>\r\n"
           b"DATA\r\nFrom: ceo@remote.example\r\nSubject: smuggled\r\n\r\n"
           b"wire money\r\n.\r\nQUIT\r\n")
    code, text = c.reply()
    assert code in (550, 554), (code, text)
    assert c.reply()[0] == 221           # the QUIT: no reply to smuggled text
    assert queue_ids(inst) == before
    c.close()


def test_smtplib_sendmail(inst):
    s = smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=10)
    s.ehlo("client.example")
    assert s.has_extn("pipelining") and s.has_extn("chunking")
    refused = s.sendmail("a@b.example", ["x@remote.example", "y@remote.example"],
                         b"Subject: lib\r\n\r\nhello\r\n")
    assert refused == {}
    s.quit()


# ------------------------------------------------- limits needing their own

def test_error_limit_tarpit_and_disconnect():
    inst = start_instance({"smtpd_soft_error_limit": "2",
                           "smtpd_hard_error_limit": "4",
                           "smtpd_error_sleep_time": "1s"})
    try:
        c = session(inst)
        start = time.monotonic()
        codes = [c.cmd("BOGUS")[0] for _ in range(4)]
        elapsed = time.monotonic() - start
        assert codes == [502] * 4
        assert elapsed >= 1.5, elapsed          # errors 3 and 4 were delayed
        code, text = c.cmd("NOOP")
        assert code == 421 and text[0].startswith("4.7.0"), text
        assert c.closed()
    finally:
        inst.cleanup()


def test_cleanup_unreachable_at_data_is_451():
    """No cleanup socket: DATA gets 451 4.3.0 (local trouble, never 5xx),
    the warning names the socket, nothing is queued, the session goes on
    and, with the socket back, the next transaction is queued."""
    inst = start_instance()
    sock = os.path.join(inst.queue_dir, "private", "cleanup")
    hidden = sock + ".hidden"
    try:
        c = session(inst)
        before = queue_ids(inst)
        mark = inst.log_mark()
        os.rename(sock, hidden)
        assert c.cmd("MAIL FROM:<a@b.example>")[0] == 250
        assert c.cmd("RCPT TO:<x@remote.example>")[0] == 250
        code, text = c.cmd("DATA")
        assert (code, text[0]) == (451, "4.3.0 Error: queue file write error")
        inst.wait_log(r"warning: connect to private/cleanup: ", since=mark)
        assert queue_ids(inst) == before
        os.rename(hidden, sock)
        assert c.cmd("RSET")[0] == 250
        assert c.cmd("MAIL FROM:<a@b.example>")[0] == 250
        assert c.cmd("RCPT TO:<x@remote.example>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        code, text = c.cmd("Subject: back\r\n\r\nbody\r\n.")
        assert code == 250 and text[0].startswith("2.0.0 Ok: queued as "), text
        c.close()
    finally:
        if os.path.exists(hidden):
            os.rename(hidden, sock)
        inst.cleanup()


def test_cleanup_killed_during_data():
    inst = start_instance()
    try:
        c = session(inst)
        before = queue_ids(inst)
        c.send("MAIL FROM:<a@b.example>\r\nRCPT TO:<x@remote.example>\r\nDATA\r\n")
        assert [c.reply()[0] for _ in range(3)] == [250, 250, 354]
        c.send(b"Subject: doomed\r\n\r\n" + b"line\r\n" * 100)
        pids = wait_until(lambda: inst.service_pids("cleanup"), 5, "cleanup pid")
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.3)
        c.send(b"more\r\n" * 5000 + b".\r\n")
        code, text = c.reply()
        assert 400 <= code < 500, (code, text)
        assert queue_ids(inst) == before
        assert c.cmd("NOOP")[0] == 250
        c.close()
    finally:
        inst.cleanup()
