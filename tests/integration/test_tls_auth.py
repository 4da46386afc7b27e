"""test_tls_auth.py - STARTTLS, smtps and SMTP AUTH on a real instance.

One instance per module with three smtpd services on 127.0.0.1:
    port0: plain SMTP with STARTTLS (smtpd_tls_security_level = may)
    port1: smtps (-o smtpd_tls_wrappermode=yes)
    port2: STARTTLS, AUTH disabled (-o smtpd_sasl_auth_enable=no)
The certificate is made by the test (openssl req -x509), the users table
with `postern passwd` + `postern map`. mynetworks does not contain
127.0.0.1, so relaying needs AUTH. Clients: raw sockets wrapped with
Python's ssl, smtplib, openssl s_client.

Also `postern passwd` on its own (no instance): the hash verifies with
libcrypt, and on a terminal the password is asked twice.
"""
import base64
import ctypes
import glob
import os
import pty
import select
import signal
import socket
import ssl
import subprocess
import time
import warnings

import pytest

from instance import BUILD, POSTERN, Instance

USER, PASSWORD = "alice", "correct horse battery"
REMOTE_RCPT = "friend@remote.example"

DAEMONS_BUILT = all(os.access(os.path.join(BUILD, p), os.X_OK)
                    for p in ("smtpd", "cleanup"))


def b64(data):
    return base64.b64encode(data).decode()


class Smtp:
    """A line-level SMTP client on a socket that can switch to TLS."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; have %r" % self.buf)
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode(errors="replace").rstrip("\r")

    def reply(self):
        """One whole (multi-line) reply: (code, [lines])."""
        lines = [self.line()]
        while len(lines[-1]) > 3 and lines[-1][3] == "-":
            lines.append(self.line())
        return int(lines[-1][:3]), lines

    def cmd(self, text):
        self.send(text + "\r\n")
        return self.reply()

    def starttls(self):
        code, lines = self.cmd("STARTTLS")
        assert code == 220, lines
        assert self.buf == b"", "plaintext after the 220: %r" % self.buf
        self.sock = tls_context().wrap_socket(self.sock)
        return self.sock

    def quiet(self, seconds=0.5):
        """True when nothing more arrives within seconds."""
        if self.buf:
            return False
        self.sock.settimeout(seconds)
        try:
            data = self.sock.recv(1000)
        except (socket.timeout, ssl.SSLWantReadError):
            return True
        finally:
            self.sock.settimeout(10)
        return data == b""


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def make_cert(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj",
                    "/CN=mail.example.test"], check=True,
                   capture_output=True, timeout=60)
    os.chmod(key, 0o600)
    return cert, key


def postern_passwd(user, password, *opts, env=None):
    return subprocess.run([POSTERN, "passwd"] + list(opts) + [user],
                          input=password + "\n", capture_output=True,
                          text=True, timeout=60, env=env)


def libcrypt_verify(password, hash_):
    lib = ctypes.CDLL("libcrypt.so.1")
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    out = lib.crypt(password.encode(), hash_.encode())
    return out is not None and out.decode() == hash_


@pytest.fixture(scope="module")
def inst():
    assert DAEMONS_BUILT, "smtpd and cleanup must be built"
    i = Instance()
    try:
        cert, key = make_cert(i.conf_dir)
        users = os.path.join(i.conf_dir, "sasl_users")
        p = postern_passwd(USER, PASSWORD)
        assert p.returncode == 0, p.stderr
        p6 = postern_passwd("bob", "bobs password", "-m", "sha512")
        assert p6.returncode == 0, p6.stderr
        plong = postern_passwd("longpw", LONG_PASSWORD)
        assert plong.returncode == 0, plong.stderr
        with open(users, "w") as f:
            f.write(p.stdout + p6.stdout + plong.stdout)
        i.write_main_cf({
            "mynetworks": "192.0.2.0/24",
            "mydestination": "$myhostname, localhost",
            "relay_domains": "",
            "smtpd_tls_security_level": "may",
            "smtpd_tls_cert_file": cert,
            "smtpd_tls_key_file": key,
            "smtpd_tls_auth_only": "yes",
            "smtpd_sasl_auth_enable": "yes",
            "smtpd_sasl_users_maps": "hash:" + users,
            "local_recipient_maps": "",
        })
        i.postern("map", "hash:" + users, check=True)
        i.write_master_cf(
            "%(port0)s inet n - y - - smtpd\n"
            "%(port1)s inet n - y - - smtpd -o smtpd_tls_wrappermode=yes\n"
            "%(port2)s inet n - y - - smtpd -o smtpd_sasl_auth_enable=no\n"
            "cleanup unix - - y - 0 cleanup\n")
        i.start()
        yield i
    finally:
        i.cleanup()


def connect(inst, port=None, greet=True):
    s = Smtp(inst.connect(inst.ports[0] if port is None else port))
    if greet:
        code, lines = s.reply()
        assert code == 220, lines
    return s


def tls_session(inst):
    """Connected, STARTTLS done, EHLO sent again: (Smtp, ehlo lines)."""
    s = connect(inst)
    assert s.cmd("EHLO client.example")[0] == 250
    s.starttls()
    code, lines = s.cmd("EHLO client.example")
    assert code == 250, lines
    return s, lines


def queue_files(inst):
    return set(glob.glob(os.path.join(inst.queue_dir, "incoming", "**", "*"),
                         recursive=True))


def test_starttls_advertised_and_resets_session(inst):
    s = connect(inst)
    code, lines = s.cmd("EHLO client.example")
    ehlo = " ".join(lines)
    assert "STARTTLS" in ehlo
    assert "AUTH" not in ehlo, "AUTH offered before TLS with auth_only=yes"
    # Like Postfix: no STARTTLS inside a mail transaction.
    assert s.cmd("MAIL FROM:<a@example.org>")[0] == 250
    assert s.cmd("STARTTLS")[0] == 503
    assert s.cmd("RSET")[0] == 250
    s.starttls()
    # RFC 3207: the session is reset; a new EHLO is needed.
    code, lines = s.cmd("MAIL FROM:<a@example.org>")
    assert code == 503, lines
    code, lines = s.cmd("EHLO client.example")
    ehlo = " ".join(lines)
    assert "STARTTLS" not in ehlo
    assert "AUTH PLAIN LOGIN" in ehlo, lines
    assert s.sock.version() in ("TLSv1.2", "TLSv1.3")
    code, lines = s.cmd("STARTTLS")
    assert code in (503, 554), lines
    s.cmd("QUIT")


def test_starttls_plaintext_injection_discarded(inst):
    s = connect(inst)
    assert s.cmd("EHLO client.example")[0] == 250
    # One write: the NOOP must be thrown away, not answered inside TLS.
    s.send("STARTTLS\r\nNOOP\r\n")
    code, lines = s.reply()
    assert code == 220, lines
    assert s.buf == b""
    s.sock = tls_context().wrap_socket(s.sock)
    s.send("EHLO inside.example\r\n")
    code, lines = s.reply()
    assert code == 250 and lines[0].startswith("250-"), lines
    assert "mail.example.test" in lines[0], lines
    assert s.quiet(), "extra reply inside TLS: %r" % s.buf
    s.cmd("QUIT")


def test_smtps_wrappermode(inst):
    raw = inst.connect(inst.ports[1])
    s = Smtp(tls_context().wrap_socket(raw))
    code, lines = s.reply()
    assert code == 220, lines
    code, lines = s.cmd("EHLO client.example")
    ehlo = " ".join(lines)
    assert "STARTTLS" not in ehlo
    assert "AUTH PLAIN LOGIN" in ehlo
    code, lines = s.cmd("AUTH PLAIN " + b64(b"\0%s\0%s" % (USER.encode(), PASSWORD.encode())))
    assert code == 235, lines
    s.cmd("QUIT")


def test_smtps_plaintext_client_dropped(inst):
    s = Smtp(inst.connect(inst.ports[1]))
    s.send("EHLO client.example\r\n")
    s.sock.settimeout(10)
    data = b""
    try:
        while True:
            chunk = s.sock.recv(1000)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    assert b"250" not in data and b"220 " not in data, data


def test_openssl_s_client_starttls(inst):
    p = subprocess.run(["openssl", "s_client", "-connect",
                        "127.0.0.1:%d" % inst.ports[0], "-starttls", "smtp",
                        "-brief", "-ign_eof"], input="EHLO sclient.example\r\nQUIT\r\n",
                       capture_output=True, text=True, timeout=60)
    out = p.stdout + p.stderr
    assert "250-" in out, out
    assert "Protocol version: TLSv1.3" in out, out


def test_tls11_client_refused(inst):
    s = connect(inst)
    s.cmd("EHLO client.example")
    assert s.cmd("STARTTLS")[0] == 220
    ctx = tls_context()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    try:
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    except ssl.SSLError:
        pass
    with pytest.raises((ssl.SSLError, OSError)):
        ctx.wrap_socket(s.sock)


def test_auth_before_tls_refused(inst):
    s = connect(inst)
    s.cmd("EHLO client.example")
    code, lines = s.cmd("AUTH PLAIN " + b64(b"\0alice\0x"))
    assert code == 538 and "5.7.11" in lines[0], lines
    s.cmd("QUIT")


def test_auth_disabled_503(inst):
    s = connect(inst, inst.ports[2])
    s.cmd("EHLO client.example")
    s.starttls()
    code, lines = s.cmd("EHLO client.example")
    assert "AUTH" not in " ".join(lines)
    code, lines = s.cmd("AUTH PLAIN " + b64(b"\0alice\0x"))
    assert code == 503 and "5.5.1" in lines[0], lines


def test_wrong_password_535_delayed_and_logged(inst):
    s, _ = tls_session(inst)
    mark = inst.log_mark()
    start = time.monotonic()
    code, lines = s.cmd("AUTH PLAIN " + b64(b"\0alice\0wrong"))
    assert code == 535 and "5.7.8" in lines[0], lines
    assert time.monotonic() - start >= 0.9, "failure not delayed"
    inst.wait_log(r"SASL PLAIN authentication failed", since=mark)
    assert "wrong" not in inst.log()[mark:]
    # Unknown user: the same answer.
    code, lines = s.cmd("AUTH PLAIN " + b64(b"\0nobody\0wrong"))
    assert code == 535, lines
    # The third failure ends the session.
    code, lines = s.cmd("AUTH PLAIN " + b64(b"\0bob\0wrong"))
    assert code == 421, lines
    with pytest.raises((EOFError, OSError)):
        s.cmd("NOOP")


def test_unknown_user_costs_a_crypt(inst):
    """Unknown users take about as long as known ones (no user oracle)."""
    s, _ = tls_session(inst)
    times = {}
    for user in (b"alice", b"nobody-here"):
        s.cmd("RSET")
        start = time.monotonic()
        s.send("AUTH LOGIN\r\n")
        assert s.reply()[0] == 334
        s.send(b64(user) + "\r\n")
        assert s.reply()[0] == 334
        s.send(b64(b"wrong") + "\r\n")
        code, lines = s.reply()
        times[user] = time.monotonic() - start
        assert code == 535, lines
    assert abs(times[b"alice"] - times[b"nobody-here"]) < 0.5, times


def test_auth_login_and_cancel(inst):
    s, _ = tls_session(inst)
    code, lines = s.cmd("AUTH LOGIN")
    assert code == 334 and lines[0] == "334 VXNlcm5hbWU6", lines
    code, lines = s.cmd("*")
    assert code == 501 and "5.7.0" in lines[0], lines
    code, lines = s.cmd("AUTH LOGIN")
    assert code == 334
    code, lines = s.cmd(b64(USER.encode()))
    assert code == 334 and lines[0] == "334 UGFzc3dvcmQ6", lines
    code, lines = s.cmd(b64(PASSWORD.encode()))
    assert code == 235 and "2.7.0" in lines[0], lines
    code, lines = s.cmd("AUTH LOGIN")
    assert code == 503, lines
    s.cmd("QUIT")


def test_auth_plain_empty_challenge_and_bad_input(inst):
    s, _ = tls_session(inst)
    code, lines = s.cmd("AUTH PLAIN")
    assert lines[0] == "334 ", lines
    code, lines = s.cmd("not base64!")
    assert code == 501, lines
    code, lines = s.cmd("AUTH PLAIN " + b64(b"bob\0alice\0" + PASSWORD.encode()))
    assert code in (501, 535), lines
    code, lines = s.cmd("AUTH CRAM-MD5")
    assert code == 504, lines
    code, lines = s.cmd("AUTH PLAIN")
    assert code == 334
    code, lines = s.cmd("A" * 13000)
    assert code == 500 and "5.5.6" in lines[0], lines
    code, lines = s.cmd("NOOP")
    assert code == 250, lines
    code, lines = s.cmd("AUTH PLAIN " + b64(b"\0bob\0bobs password"))
    assert code == 235, lines


LONG_PASSWORD = "p" * 450    # crypt(3) takes at most 512 bytes


def test_auth_plain_long_initial_response(inst):
    """RFC 4954: AUTH with its initial response may exceed the 512-byte
    command line limit that holds for every other command."""
    s, _ = tls_session(inst)
    code, lines = s.cmd("NOOP " + "x" * 600)
    assert code == 500 and "5.5.2" in lines[0], lines
    line = "AUTH PLAIN " + b64(b"\0longpw\0" + LONG_PASSWORD.encode())
    assert len(line) > 600
    code, lines = s.cmd(line)
    assert code == 235, lines
    s.cmd("QUIT")


def test_relay_needs_auth_and_received_names_tls(inst):
    s, _ = tls_session(inst)
    assert s.cmd("MAIL FROM:<sender@example.org>")[0] == 250
    code, lines = s.cmd("RCPT TO:<%s>" % REMOTE_RCPT)
    assert code == 554 and "5.7.1" in lines[0], lines
    assert s.cmd("RSET")[0] == 250
    code, lines = s.cmd("AUTH PLAIN " + b64(b"\0%s\0%s" % (USER.encode(), PASSWORD.encode())))
    assert code == 235, lines
    before = queue_files(inst)
    assert s.cmd("MAIL FROM:<alice@example.org>")[0] == 250
    code, lines = s.cmd("RCPT TO:<%s>" % REMOTE_RCPT)
    assert code == 250, lines
    assert s.cmd("DATA")[0] == 354
    code, lines = s.cmd("Subject: relayed\r\n\r\nhello\r\n.")
    assert code == 250, lines
    version, cipher = s.sock.version(), s.sock.cipher()[0]
    s.cmd("QUIT")
    new = [f for f in queue_files(inst) - before if os.path.isfile(f)]
    assert len(new) == 1, new
    with open(new[0], "rb") as f:
        data = f.read()
    assert version.encode() in data, "TLS version not in Received:"
    assert cipher.encode() in data, "TLS cipher not in Received:"
    assert b"ESMTPSA" in data


def test_smtplib_login(inst):
    import smtplib
    with smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=20) as c:
        c.starttls(context=tls_context())
        c.login(USER, PASSWORD)
        code, _ = c.noop()
        assert code == 250


def test_postern_passwd_hashes_verify():
    p = postern_passwd("carol", "pa ss:word")
    assert p.returncode == 0, p.stderr
    user, hash_ = p.stdout.rstrip("\n").split(" ")
    assert user == "carol" and hash_.startswith("$y$")
    assert libcrypt_verify("pa ss:word", hash_)
    assert not libcrypt_verify("pa ss:worD", hash_)
    p = postern_passwd("carol", "pw", "-m", "sha512")
    assert p.returncode == 0 and p.stdout.split(" ")[1].startswith("$6$")
    assert libcrypt_verify("pw", p.stdout.split(" ")[1].strip())
    assert postern_passwd("bad user", "pw").returncode == 2
    assert postern_passwd("carol", "pw", "-m", "md5").returncode == 2
    assert postern_passwd("carol", "").returncode == 1


def _pty_passwd(first, second):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(POSTERN, [POSTERN, "passwd", "dave"])
    out = b""
    answers = [first, second]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 1)
        if not r:
            continue
        try:
            chunk = os.read(fd, 1000)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        # Answer each prompt once, right after it appears (its count, not
        # the line end, tells: ECHONL output also leaves ":" at the end).
        prompts = out.lower().count(b"password:")
        if answers and prompts > 2 - len(answers) and out.rstrip().endswith(b":"):
            os.write(fd, answers.pop(0).encode() + b"\n")
    else:
        os.kill(pid, signal.SIGKILL)       # never hang the suite
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def test_postern_passwd_terminal_asks_twice_without_echo():
    code, out = _pty_passwd("tty secret", "tty secret")
    assert code == 0, out
    assert "Retype password:" in out
    assert "tty secret" not in out, "password echoed"
    hash_ = [w for w in out.split() if w.startswith("$y$")][0]
    assert libcrypt_verify("tty secret", hash_)
    code, out = _pty_passwd("one", "two")
    assert code == 1 and "do not match" in out, out
