"""test_relay.py - relay control and recipient validation on a real
instance (SECURITY-CASES F1).

port0: smtpd (chrooted) with mynetworks = 192.0.2.0/24, so the test
client at 127.0.0.1 is an outsider: a remote domain gets 554 5.7.1, the
open-relay battery is refused, an unknown local user gets 550 5.1.1 and
a real local user (root, looked up in unix:passwd.byname through
proxymap from inside the chroot) is accepted. port1: the same smtpd
with -o mynetworks=127.0.0.0/8: relaying is allowed.
"""
import glob
import os
import shutil
import socket

import pytest

from instance import BUILD, Instance

DAEMONS_BUILT = all(os.access(os.path.join(BUILD, p), os.X_OK)
                    for p in ("smtpd", "cleanup", "proxymap"))

BATTERY = [
    "<victim@remote.example>",
    "<victim%remote.example@local.example>",
    "<victim%remote.example@[127.0.0.1]>",
    "<\"victim@remote.example\">",
    "<\"victim@remote.example\"@local.example>",
    "<victim@remote.example@local.example>",
    "<remote.example!victim>",
    "<remote.example!victim@local.example>",
    "<@local.example:victim@remote.example>",
    "<@local.example,@remote.example:victim@remote.example>",
    "<victim%remote.example>",
    "<victim@remote.example.>",
    "<victim@[192.0.2.1]>",
    "<victim@REMOTE.example>",
    "<\"victim%remote.example\"@local.example>",
    "<victim@local.example@remote.example>",
    "<@[127.0.0.1]:victim@remote.example>",
    "<victim\\@remote.example@local.example>",
    "<root%remote.example@local.example>",
    "<remote.example!root@local.example>",
    "<\"root@remote.example\"@local.example>",
]


class Smtp:
    """Line-level SMTP client."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("closed; have %r" % self.buf)
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode(errors="replace").rstrip("\r")

    def reply(self):
        lines = [self.line()]
        while len(lines[-1]) > 3 and lines[-1][3] == "-":
            lines.append(self.line())
        return int(lines[-1][:3]), lines[-1]

    def cmd(self, text):
        self.sock.sendall(text.encode() + b"\r\n")
        return self.reply()


@pytest.fixture(scope="module")
def inst():
    assert DAEMONS_BUILT, "smtpd, cleanup and proxymap must be built"
    i = Instance()
    try:
        dst = os.path.join(i.daemon_dir, "proxymap")
        if not os.path.exists(dst):
            shutil.copy2(os.path.join(BUILD, "proxymap"), dst)
        i.write_main_cf({
            "mynetworks": "192.0.2.0/24",
            "mydestination": "$myhostname, localhost, local.example",
            "relay_domains": "",
            "smtpd_soft_error_limit": "100",
            "smtpd_hard_error_limit": "100",
        })
        i.write_master_cf(
            "%(port0)s inet n - y - - smtpd\n"
            "%(port1)s inet n - y - - smtpd -o mynetworks=127.0.0.0/8\n"
            "cleanup unix - - y - 0 cleanup\n"
            "proxymap unix - - n - - proxymap\n")
        i.start()
        yield i
    finally:
        i.cleanup()


def session(inst, port=0, sender="<spammer@remote.example>", helo="client.example"):
    s = Smtp(inst.connect(inst.ports[port]))
    code, text = s.reply()
    assert code == 220, text
    assert s.cmd("EHLO " + helo)[0] == 250
    code, text = s.cmd("MAIL FROM:" + sender)
    assert code == 250, text
    return s


def queue_files(inst):
    return [p for p in glob.glob(os.path.join(inst.queue_dir, "incoming", "**", "*"),
                                 recursive=True) if os.path.isfile(p)]


def test_outsider_cannot_relay(inst):
    s = session(inst)
    code, text = s.cmd("RCPT TO:<victim@remote.example>")
    assert code == 554, text
    assert text.startswith("554 5.7.1 "), text
    assert "Relay access denied" in text
    assert s.cmd("QUIT")[0] == 221


@pytest.mark.parametrize("sender,helo", [
    ("<spammer@remote.example>", "client.example"),
    ("<postmaster@local.example>", "local.example"),
    ("<>", "[127.0.0.1]"),
    ("<spammer@remote.example>", "localhost"),
])
def test_relay_battery(inst, sender, helo):
    before = queue_files(inst)
    s = session(inst, sender=sender, helo=helo)
    for rcpt in BATTERY:
        code, text = s.cmd("RCPT TO:" + rcpt)
        assert code in (501, 550, 553, 554), (rcpt, text)
        if code == 554:
            assert text.startswith("554 5.7.1 "), (rcpt, text)
        if code == 550:
            assert text.startswith("550 5.1.1 "), (rcpt, text)
    code, text = s.cmd("DATA")
    assert code in (503, 554), text
    s.cmd("QUIT")
    assert queue_files(inst) == before


def test_unknown_local_user_550(inst):
    s = session(inst)
    code, text = s.cmd("RCPT TO:<no-such-user-xyz@local.example>")
    assert code == 550, text
    assert text.startswith("550 5.1.1 <no-such-user-xyz@local.example>"), text
    assert "User unknown in local recipient table" in text
    code, text = s.cmd("RCPT TO:<no-such-user-xyz@mail.example.test>")
    assert code == 550, text
    s.cmd("QUIT")


def test_known_local_user_accepted(inst):
    s = session(inst)
    for rcpt in ("<root@local.example>", "<ROOT@Local.Example>", "<root@localhost>",
                 "<root@mail.example.test>"):
        code, text = s.cmd("RCPT TO:" + rcpt)
        assert code == 250, (rcpt, text, inst.log()[-2000:])
    s.cmd("QUIT")
    assert "signal" not in inst.log(), inst.log()[-3000:]


def test_mynetworks_may_relay(inst):
    s = session(inst, port=1)
    code, text = s.cmd("RCPT TO:<friend@remote.example>")
    assert code == 250, text
    code, text = s.cmd("RCPT TO:<no-such-user-xyz@local.example>")
    assert code == 550, text
    s.cmd("QUIT")
