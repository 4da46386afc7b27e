"""test_smtp.py - the SMTP client delivery agent (smtp/, docs/smtp.md)
on a real instance, with real peers on 127.0.0.1.

The instance: smtpd on port0 (mynetworks 127.0.0.0/8, so it relays),
cleanup, qmgr, smtp. Mail is submitted with smtplib and must come out
through smtp to:
- Postfix's smtp-sink (transport_maps and relayhost, 20 messages);
- a Python sink (Sink) that counts connections and records each
  transaction, and can answer RCPT/DATA with 4xx/5xx or send hostile
  replies (over-long lines, 10,000 continuation lines, a reply that
  never ends);
- a dnslib server on a loopback UDP port (smtp_dns_server) serving MX,
  null MX and A records that point at sinks on 127.0.0.x, with
  smtp_mx_port set to the sink port;
- a Python ssl STARTTLS server for the TLS levels.
"""
import json
import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import threading
import time

import pytest

from instance import BUILD, Instance, free_port, wait_until

NEEDED = ("smtpd", "cleanup", "qmgr", "smtp", "proxymap")
pytestmark = pytest.mark.skipif(
    not all(os.access(os.path.join(BUILD, p), os.X_OK) for p in NEEDED),
    reason="daemons not built")

MASTER_CF = (
    "%(port0)s inet n - n - - smtpd\n"
    "cleanup unix - - y - 0 cleanup\n"
    "qmgr unix n - n 300 1 qmgr\n"
    "smtp unix - - y - - smtp\n"
    "proxymap unix - - n - - proxymap\n"
)


class Sink:
    """A small SMTP server: one thread per connection."""

    def __init__(self, host="127.0.0.1", port=0, ehlo=("PIPELINING",
                 "SIZE 10240000", "8BITMIME", "DSN"), greeting=b"220 sink\r\n",
                 rcpt=None, data=None, hook=None, tls_ctx=None,
                 starttls_extra=b""):
        self.ehlo = list(ehlo)
        self.greeting = greeting
        self.rcpt = rcpt or (lambda addr: b"250 2.1.5 ok\r\n")
        self.data = data or (lambda: b"250 2.0.0 queued\r\n")
        self.hook = hook            # hook(cmd_line, conn) -> bytes or None
        self.tls_ctx = tls_ctx
        self.starttls_extra = starttls_extra
        self.connections = 0
        self.messages = []          # (mail_from, [rcpts], data bytes)
        self.commands = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        # shutdown() ends the blocked accept() at once; without it the
        # accept thread lives on and may take connections meant for a
        # later sink that gets the same descriptor number.
        self.stopped = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,),
                             daemon=True).start()

    def _serve(self, conn):
        try:
            self._session(conn)
        except (OSError, ValueError, ssl.SSLError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _session(self, conn):
        f = conn.makefile("rb")
        conn.sendall(self.greeting)
        if not self.greeting.startswith(b"220"):
            return
        frm, rcpts, tls = None, [], False
        while True:
            line = f.readline(100000)
            if not line:
                return
            cmd = line.rstrip(b"\r\n")
            with self.lock:
                self.commands.append(cmd if not tls else b"TLS:" + cmd)
            up = cmd.upper()
            if self.hook:
                out = self.hook(cmd, conn)
                if out is not None:
                    if out:
                        conn.sendall(out)
                    continue
            if up.startswith(b"EHLO"):
                feats = self.ehlo + (["STARTTLS"] if self.tls_ctx and not tls
                                     else [])
                lines = [b"sink"] + [x.encode() for x in feats]
                out = b"".join(b"250-" + x + b"\r\n" for x in lines[:-1])
                conn.sendall(out + b"250 " + lines[-1] + b"\r\n")
            elif up.startswith(b"HELO"):
                conn.sendall(b"250 sink\r\n")
            elif up == b"STARTTLS" and self.tls_ctx and not tls:
                conn.sendall(b"220 2.0.0 go\r\n" + self.starttls_extra)
                conn = self.tls_ctx.wrap_socket(conn, server_side=True)
                f = conn.makefile("rb")
                tls = True
                with self.lock:
                    self.commands.append(b"<TLS " + conn.version().encode()
                                         + b">")
            elif up.startswith(b"MAIL FROM:"):
                frm, rcpts = cmd[10:], []
                conn.sendall(b"250 2.1.0 ok\r\n")
            elif up.startswith(b"RCPT TO:"):
                reply = self.rcpt(cmd[8:])
                if reply.startswith(b"2"):
                    rcpts.append(cmd[8:])
                conn.sendall(reply)
            elif up == b"DATA":
                if not rcpts:
                    conn.sendall(b"554 5.5.1 no valid recipients\r\n")
                    continue
                conn.sendall(b"354 go\r\n")
                data = b""
                while True:
                    chunk = f.readline(100000)
                    if not chunk:
                        return
                    if chunk == b".\r\n":
                        break
                    data += chunk
                reply = self.data()
                if reply.startswith(b"2"):
                    with self.lock:
                        self.messages.append((frm, rcpts, data))
                conn.sendall(reply)
            elif up == b"RSET":
                frm, rcpts = None, []
                conn.sendall(b"250 2.0.0 ok\r\n")
            elif up == b"QUIT":
                conn.sendall(b"221 2.0.0 bye\r\n")
                return
            else:
                conn.sendall(b"502 5.5.2 what\r\n")


def make_instance(extra):
    main = {"mynetworks": "127.0.0.0/8", "smtp_connect_timeout": "3s",
            "smtp_helo_timeout": "5s", "smtp_mail_timeout": "5s",
            "smtp_rcpt_timeout": "5s", "smtp_data_done_timeout": "5s",
            "smtp_data_init_timeout": "5s", "smtp_data_xfer_timeout": "5s",
            "minimal_backoff_time": "1s", "maximal_backoff_time": "2s",
            "queue_run_delay": "1s", "smtp_connection_cache_time_limit": "5s"}
    main.update(extra)
    inst = Instance(main_extra=main)
    inst.write_master_cf(MASTER_CF)
    inst.start()
    return inst


def submit(inst, rcpts, body="hello\r\n", sender="s@example.org",
           subject="test"):
    with smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=30) as c:
        c.sendmail(sender, rcpts, "Subject: %s\r\n\r\n%s" % (subject, body))


def queue_json(inst):
    p = inst.postern("queue", "--json", check=True)
    return [json.loads(x) for x in p.stdout.splitlines() if x.strip()]


@pytest.fixture
def cleanup_list():
    items = []
    yield items
    for x in items:
        try:
            x.cleanup() if hasattr(x, "cleanup") else x.close()
        except Exception:
            pass


def test_transport_maps_20_messages_reuse(cleanup_list):
    sink = Sink()
    cleanup_list.append(sink)
    inst = make_instance({"transport_maps":
                          "inline:{far.test=smtp:[127.0.0.1]:%d}" % sink.port})
    cleanup_list.append(inst)
    for i in range(20):
        submit(inst, ["u%d@far.test" % i], subject="m%d" % i)
    wait_until(lambda: len(sink.messages) >= 20, timeout=60,
               what="20 messages at the sink")
    assert sink.connections < 20
    inst.wait_log(r"relay=127\.0\.0\.1\[127\.0\.0\.1\]:%d, .*status=sent"
                  % sink.port)
    log = inst.log()
    assert "reusing the connection" in log
    for frm, rcpts, data in sink.messages:
        assert b"\r\n" in data
        assert data.replace(b"\r\n", b"").find(b"\n") < 0
        assert data.replace(b"\r\n", b"").find(b"\r") < 0


def test_relayhost_smtp_sink(cleanup_list):
    if not shutil.which("smtp-sink"):
        pytest.skip("smtp-sink not installed")
    port = free_port()
    proc = subprocess.Popen(["smtp-sink", "-u", "nobody",
                             "127.0.0.1:%d" % port, "100"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cleanup_list.append(type("P", (), {"close": lambda self: proc.kill()})())
    wait_until(lambda: _can_connect(port), what="smtp-sink up")
    inst = make_instance({"relayhost": "[127.0.0.1]:%d" % port})
    cleanup_list.append(inst)
    for i in range(20):
        submit(inst, ["x%d@elsewhere.test" % i], subject="sink%d" % i)
    rx = "relay=127.0.0.1[127.0.0.1]:%d, " % port

    def sent():
        return sum(1 for x in inst.log().splitlines()
                   if rx in x and "status=sent (250" in x)
    try:
        wait_until(lambda: sent() >= 20, timeout=60, what="20 sent")
    except AssertionError:
        raise AssertionError(inst.log()[-3000:])
    wait_until(lambda: not queue_json(inst), what="queue empty")


def _can_connect(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def test_4xx_defers_then_flush_delivers(cleanup_list):
    state = {"fail": True}
    sink = Sink(rcpt=lambda a: (b"451 4.3.0 come back later please\r\n"
                                if state["fail"] else b"250 2.1.5 ok\r\n"))
    cleanup_list.append(sink)
    inst = make_instance({"relayhost": "[127.0.0.1]:%d" % sink.port,
                          "minimal_backoff_time": "300s",
                          "maximal_backoff_time": "600s"})
    cleanup_list.append(inst)
    submit(inst, ["later@far.test"])
    inst.wait_log(r"to=<later@far\.test>.*status=deferred.*come back later")

    def reason():
        q = queue_json(inst)
        return q and q[0]["recipients"][0].get("delay_reason", "")
    wait_until(lambda: "come back later please" in (reason() or ""),
               what="delay reason in queue --json")
    assert "in reply to RCPT TO command" in reason()
    state["fail"] = False
    inst.postern("flush", check=True)
    wait_until(lambda: len(sink.messages) == 1, timeout=20,
               what="delivery after flush")
    wait_until(lambda: not queue_json(inst), what="queue empty")


def test_5xx_bounces_with_peer_text(cleanup_list):
    bounces = Sink()
    cleanup_list.append(bounces)
    sink = Sink(rcpt=lambda a: (b"550 5.1.1 <nobody@far.test>: no such "
                                b"mailbox here\r\n" if b"nobody" in a
                                else b"250 2.1.5 ok\r\n"))
    cleanup_list.append(sink)
    inst = make_instance({"transport_maps": "inline:{far.test=smtp:[127.0.0.1]:%d,"
                          " back.test=smtp:[127.0.0.1]:%d}"
                          % (sink.port, bounces.port)})
    cleanup_list.append(inst)
    submit(inst, ["nobody@far.test", "yes@far.test"], sender="me@back.test")
    wait_until(lambda: len(bounces.messages) == 1, timeout=30,
               what="the bounce at the sender's sink")
    dsn = bounces.messages[0][2]
    assert b"no such mailbox here" in dsn
    assert b"5.1.1" in dsn
    assert len(sink.messages) == 1
    assert sink.messages[0][1] == [b"<yes@far.test>"]
    inst.wait_log(r"to=<nobody@far\.test>.*dsn=5\.1\.1, status=bounced "
                  r"\(host 127\.0\.0\.1\[127\.0\.0\.1\]:%d said: 550 5\.1\.1"
                  % sink.port)


@pytest.mark.parametrize("kind", ["longline", "manylines", "neverends",
                                  "codechange"])
def test_hostile_server_defers_and_agent_survives(cleanup_list, kind):
    def hook(cmd, conn):
        if not cmd.upper().startswith(b"MAIL"):
            return None
        if kind == "longline":
            return b"250 " + b"A" * 100000 + b"\r\n"
        if kind == "manylines":
            return b"250-x\r\n" * 10000 + b"250 ok\r\n"
        if kind == "neverends":
            conn.sendall(b"250-x\r\n" * 10)
            time.sleep(30)          # and nothing more
            return b""
        return b"250-fine\r\n550 5.7.1 injected\r\n"
    bad = Sink(hook=hook)
    good = Sink()
    cleanup_list += [bad, good]
    inst = make_instance({"transport_maps":
                          "inline:{bad.test=smtp:[127.0.0.1]:%d,"
                          " good.test=smtp:[127.0.0.1]:%d}"
                          % (bad.port, good.port)})
    cleanup_list.append(inst)
    t0 = time.time()
    submit(inst, ["victim@bad.test"])
    inst.wait_log(r"to=<victim@bad\.test>.*status=deferred", timeout=30)
    assert time.time() - t0 < 25
    line = [x for x in inst.log().splitlines()
            if "to=<victim@bad.test>" in x][0]
    assert ("too long" in line or "too many" in line or "timeout" in line
            or "changed" in line), line
    assert "injected" not in line
    assert "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" not in line
    # The agent (or its successor) still delivers.
    submit(inst, ["fine@good.test"])
    wait_until(lambda: len(good.messages) == 1, timeout=30,
               what="next delivery works")
    assert "panic" not in inst.log()


# --- DNS: MX order, fallback, null MX, A fallback -----------------------

class Zone:
    """A dnslib server on a loopback UDP port."""

    def __init__(self, records):
        from dnslib import A, MX, QTYPE, RCODE, RR
        from dnslib.server import BaseResolver, DNSServer

        class Resolver(BaseResolver):
            def resolve(self, request, handler):
                reply = request.reply()
                qname = str(request.q.qname).rstrip(".").lower()
                qtype = QTYPE[request.q.qtype]
                known = False
                for name, rtype, value in records:
                    if name != qname:
                        continue
                    known = True
                    if rtype != qtype:
                        continue
                    if rtype == "MX":
                        pref, host = value
                        rdata = MX(host + "." if host else ".", pref)
                    else:
                        rdata = A(value)
                    reply.add_answer(RR(request.q.qname, QTYPE.reverse[rtype],
                                        rdata=rdata, ttl=60))
                if not known:
                    reply.header.rcode = RCODE.NXDOMAIN
                return reply
        self.port = free_port()
        self.server = DNSServer(Resolver(), port=self.port,
                                address="127.0.0.1")
        self.server.start_thread()

    def close(self):
        self.server.stop()


@pytest.fixture
def dns_setup(cleanup_list):
    pytest.importorskip("dnslib")
    port = free_port()
    sinks = {ip: Sink(host=ip, port=port)
             for ip in ("127.0.0.2", "127.0.0.3", "127.0.0.5", "127.0.0.6")}
    cleanup_list.extend(sinks.values())
    zone = Zone([
        ("mx.test", "MX", (20, "mx2.mx.test")),
        ("mx.test", "MX", (10, "mx1.mx.test")),
        ("mx1.mx.test", "A", "127.0.0.2"),
        ("mx2.mx.test", "A", "127.0.0.3"),
        ("fb.test", "MX", (10, "down.fb.test")),
        ("fb.test", "MX", (20, "up.fb.test")),
        ("down.fb.test", "A", "127.0.0.4"),
        ("up.fb.test", "A", "127.0.0.5"),
        ("null.test", "MX", (0, "")),
        ("nomx.test", "A", "127.0.0.6"),
        ("back.test", "MX", (10, "mx1.mx.test")),
    ])
    cleanup_list.append(zone)
    inst = make_instance({"smtp_dns_server": "127.0.0.1:%d" % zone.port,
                          "smtp_mx_port": str(port)})
    cleanup_list.append(inst)
    return inst, sinks


def test_mx_preference_order(dns_setup):
    inst, sinks = dns_setup
    submit(inst, ["a@mx.test"])
    wait_until(lambda: len(sinks["127.0.0.2"].messages) == 1, timeout=30,
               what="delivery to the preferred MX")
    assert sinks["127.0.0.3"].connections == 0
    inst.wait_log(r"to=<a@mx\.test>, relay=mx1\.mx\.test\[127\.0\.0\.2\]")


def test_mx_fallback_to_second(dns_setup):
    inst, sinks = dns_setup
    submit(inst, ["b@fb.test"])
    wait_until(lambda: len(sinks["127.0.0.5"].messages) == 1, timeout=30,
               what="delivery to the second MX")
    inst.wait_log(r"connect to down\.fb\.test\[127\.0\.0\.4\]:\d+: "
                  r"Connection refused")
    inst.wait_log(r"to=<b@fb\.test>, relay=up\.fb\.test\[127\.0\.0\.5\].*"
                  r"status=sent")


def test_null_mx_bounces_at_once(dns_setup):
    inst, sinks = dns_setup
    submit(inst, ["c@null.test"], sender="me@back.test")
    inst.wait_log(r"to=<c@null\.test>, relay=none, .*dsn=5\.1\.10, "
                  r"status=bounced .*nullMX", timeout=30)
    wait_until(lambda: len(sinks["127.0.0.2"].messages) == 1, timeout=30,
               what="the bounce to back.test")
    assert b"5.1.10" in sinks["127.0.0.2"].messages[0][2]


def test_no_mx_falls_back_to_a(dns_setup):
    inst, sinks = dns_setup
    submit(inst, ["d@nomx.test"])
    wait_until(lambda: len(sinks["127.0.0.6"].messages) == 1, timeout=30,
               what="delivery to the A record")
    inst.wait_log(r"to=<d@nomx\.test>, relay=nomx\.test\[127\.0\.0\.6\]")


def test_nxdomain_bounces(dns_setup):
    inst, sinks = dns_setup
    submit(inst, ["e@nowhere.test"])
    inst.wait_log(r"to=<e@nowhere\.test>, relay=none, .*status=bounced "
                  r"\(Host or domain name not found", timeout=30)


# --- TLS policy -----------------------------------------------------------

def make_cert(tmp_path, name):
    cert, key = str(tmp_path / (name + ".pem")), str(tmp_path / (name + ".key"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1", "-keyout", key,
                    "-out", cert], check=True, capture_output=True)
    os.chmod(cert, 0o644)
    os.chmod(key, 0o644)
    return cert, key


@pytest.fixture
def tls_env(tmp_path, cleanup_list):
    cert, key = make_cert(tmp_path, "server")
    other, _ = make_cert(tmp_path, "other")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return {"cert": cert, "other": other, "ctx": ctx}


def tls_instance(cleanup_list, sink, **params):
    extra = {"transport_maps": "inline:{tls.test=smtp:[127.0.0.1]:%d}"
             % sink.port}
    extra.update(params)
    inst = make_instance(extra)
    cleanup_list.append(inst)
    return inst


def test_tls_encrypt_succeeds_and_logs_cipher(tls_env, cleanup_list):
    sink = Sink(tls_ctx=tls_env["ctx"])
    cleanup_list.append(sink)
    inst = tls_instance(cleanup_list, sink, smtp_tls_security_level="encrypt")
    submit(inst, ["t@tls.test"])
    wait_until(lambda: len(sink.messages) == 1, timeout=30, what="delivery")
    inst.wait_log(r"Untrusted TLS connection established to "
                  r"127\.0\.0\.1\[127\.0\.0\.1\]:\d+: TLSv1\.[23] with cipher \S+")
    cmds = sink.commands
    i = [n for n, c in enumerate(cmds) if c.startswith(b"<TLS")][0]
    assert cmds[i + 1].upper().startswith(b"TLS:EHLO")
    assert all(not c.upper().startswith(b"MAIL") for c in cmds[:i])


def test_tls_verify_right_ca_is_trusted(tls_env, cleanup_list):
    sink = Sink(tls_ctx=tls_env["ctx"])
    cleanup_list.append(sink)
    inst = tls_instance(cleanup_list, sink, smtp_tls_security_level="verify",
                        smtp_tls_CAfile=tls_env["cert"])
    submit(inst, ["t@tls.test"])
    wait_until(lambda: len(sink.messages) == 1, timeout=30, what="delivery")
    inst.wait_log(r"Trusted TLS connection established")


def test_tls_verify_wrong_ca_defers(tls_env, cleanup_list):
    sink = Sink(tls_ctx=tls_env["ctx"])
    cleanup_list.append(sink)
    inst = tls_instance(cleanup_list, sink, smtp_tls_security_level="verify",
                        smtp_tls_CAfile=tls_env["other"])
    submit(inst, ["t@tls.test"])
    inst.wait_log(r"to=<t@tls\.test>.*dsn=4\.7\.5, status=deferred .*"
                  r"not verified", timeout=30)
    assert sink.messages == []
    assert all(not c.upper().startswith(b"MAIL") for c in sink.commands)


def test_tls_encrypt_without_starttls_defers(cleanup_list):
    sink = Sink()
    cleanup_list.append(sink)
    inst = tls_instance(cleanup_list, sink, smtp_tls_security_level="encrypt")
    submit(inst, ["t@tls.test"])
    inst.wait_log(r"to=<t@tls\.test>.*status=deferred \(TLS is required, "
                  r"but was not offered", timeout=30)
    assert sink.messages == []


def test_tls_policy_maps_override(cleanup_list):
    sink = Sink()
    cleanup_list.append(sink)
    inst = tls_instance(cleanup_list, sink, smtp_tls_security_level="none",
                        smtp_tls_policy_maps="inline:{127.0.0.1=encrypt}")
    submit(inst, ["t@tls.test"])
    inst.wait_log(r"to=<t@tls\.test>.*status=deferred \(TLS is required",
                  timeout=30)


def test_tls_may_falls_back_to_plaintext(cleanup_list):
    sink = Sink()
    cleanup_list.append(sink)
    inst = tls_instance(cleanup_list, sink, smtp_tls_security_level="may")
    submit(inst, ["t@tls.test"])
    wait_until(lambda: len(sink.messages) == 1, timeout=30, what="delivery")


def test_tls_injected_plaintext_discarded(tls_env, cleanup_list):
    sink = Sink(tls_ctx=tls_env["ctx"],
                starttls_extra=b"250-evil.example\r\n250 AUTH PLAIN\r\n")
    cleanup_list.append(sink)
    inst = tls_instance(cleanup_list, sink, smtp_tls_security_level="encrypt")
    submit(inst, ["t@tls.test"])
    wait_until(lambda: len(sink.messages) == 1, timeout=30, what="delivery")
    inst.wait_log(r"discarding data sent before the TLS handshake")
    assert not any(b"AUTH" in c.upper() for c in sink.commands)


def starttls_hook(kind):
    """A server that offers STARTTLS and then refuses it (454) or
    breaks the handshake (answers the ClientHello as a command)."""
    def hook(cmd, conn):
        if cmd.upper() != b"STARTTLS":
            return None
        if kind == "refused":
            return b"454 4.7.0 TLS not available due to local problem\r\n"
        return b"220 2.0.0 go ahead\r\n"        # then no TLS at all
    return hook


@pytest.mark.parametrize("kind", ["refused", "handshake"])
def test_tls_encrypt_never_falls_back(tls_env, cleanup_list, kind):
    """SECURITY-CASES B3: with encrypt, a refused STARTTLS or a failed
    handshake defers; nothing of the envelope goes out in plain text."""
    sink = Sink(tls_ctx=tls_env["ctx"], hook=starttls_hook(kind))
    cleanup_list.append(sink)
    inst = tls_instance(cleanup_list, sink, smtp_tls_security_level="encrypt")
    submit(inst, ["t@tls.test"])
    inst.wait_log(r"to=<t@tls\.test>.*dsn=4\.7\.\d, status=deferred",
                  timeout=30)
    assert sink.messages == []
    assert not any(c.upper().startswith((b"MAIL", b"RCPT", b"DATA"))
                   for c in sink.commands)


def test_tls_may_refused_starttls_continues_in_plain_text(tls_env,
                                                         cleanup_list):
    sink = Sink(tls_ctx=tls_env["ctx"], hook=starttls_hook("refused"))
    cleanup_list.append(sink)
    inst = tls_instance(cleanup_list, sink, smtp_tls_security_level="may")
    submit(inst, ["t@tls.test"])
    wait_until(lambda: len(sink.messages) == 1, timeout=30, what="delivery")
    inst.wait_log(r"STARTTLS failed, continuing in plain text: .*454")


# --- protocol details -------------------------------------------------------

def proto_instance(cleanup_list, sink):
    inst = make_instance({"transport_maps":
                          "inline:{p.test=smtp:[127.0.0.1]:%d, "
                          "back.test=smtp:[127.0.0.1]:%d}"
                          % (sink.port, sink.port)})
    cleanup_list.append(inst)
    return inst


def test_size_limit_bounces_without_sending(cleanup_list):
    sink = Sink(ehlo=("PIPELINING", "SIZE 200"))
    cleanup_list.append(sink)
    inst = proto_instance(cleanup_list, sink)
    submit(inst, ["big@p.test"], body="x" * 500 + "\r\n", sender="me@back.test")
    inst.wait_log(r"to=<big@p\.test>.*dsn=5\.3\.4, status=bounced \(message "
                  r"size \d+ exceeds size limit 200", timeout=30)
    assert not any(b"big@p.test" in c for c in sink.commands
                   if c.upper().startswith(b"RCPT"))


def test_dot_stuffing_and_line_ends(cleanup_list):
    sink = Sink()
    cleanup_list.append(sink)
    inst = proto_instance(cleanup_list, sink)
    submit(inst, ["dots@p.test"], body="one\r\n.dot\r\n..two\r\n.\r\nend\r\n")
    wait_until(lambda: len(sink.messages) == 1, timeout=30, what="delivery")
    data = sink.messages[0][2]
    assert b"\r\n..dot\r\n...two\r\n..\r\nend\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")


def test_helo_fallback(cleanup_list):
    def hook(cmd, conn):
        if cmd.upper().startswith(b"EHLO"):
            return b"502 5.5.2 no EHLO here\r\n"
        return None
    sink = Sink(hook=hook)
    cleanup_list.append(sink)
    inst = proto_instance(cleanup_list, sink)
    submit(inst, ["old@p.test"])
    wait_until(lambda: len(sink.messages) == 1, timeout=30, what="delivery")
    assert any(c.upper().startswith(b"HELO") for c in sink.commands)
    mail = [c for c in sink.commands if c.upper().startswith(b"MAIL")][0]
    assert mail == b"MAIL FROM:<s@example.org>"


def test_dsn_parameters_passed_on(cleanup_list):
    sink = Sink()
    cleanup_list.append(sink)
    inst = proto_instance(cleanup_list, sink)
    with smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=30) as c:
        c.ehlo()
        if not c.has_extn("dsn"):
            pytest.skip("smtpd does not offer DSN")
        c.sendmail("s@example.org", ["n@p.test"], "Subject: d\r\n\r\nx\r\n",
                   mail_options=["RET=HDRS", "ENVID=env+2B1"],
                   rcpt_options=["NOTIFY=SUCCESS,FAILURE",
                                 "ORCPT=rfc822;orig@p.test"])
    wait_until(lambda: len(sink.messages) == 1, timeout=30, what="delivery")
    mail = [c for c in sink.commands if c.upper().startswith(b"MAIL")][0]
    rcpt = [c for c in sink.commands if c.upper().startswith(b"RCPT")][0]
    assert b" RET=HDRS" in mail and b" ENVID=env+2B1" in mail
    assert b"NOTIFY=SUCCESS,FAILURE" in rcpt
    assert b"ORCPT=rfc822;orig@p.test" in rcpt


def test_smtputf8_to_server_without_it_bounces(cleanup_list):
    sink = Sink()
    cleanup_list.append(sink)
    inst = proto_instance(cleanup_list, sink)
    with smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=30) as c:
        c.ehlo()
        if not c.has_extn("smtputf8"):
            pytest.skip("smtpd does not offer SMTPUTF8")
        c.sendmail("s@example.org", ["j\u00f6rg@p.test"],
                   "Subject: u\r\n\r\nx\r\n".encode(),
                   mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    inst.wait_log(r"dsn=5\.6\.7, status=bounced \(SMTPUTF8 is required",
                  timeout=30)
