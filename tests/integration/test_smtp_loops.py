"""test_smtp_loops.py - mail loops in the SMTP client (smtp/smtp_loop.c,
docs/smtp.md "Routing"), as Postfix handles them, on a real instance with
peers on 127.0.0.1..7 (every instance's myhostname is mail.example.test):

- MX lists from a dnslib server (test_smtp.Zone) that name this host:
  we are the best MX -> bounce 5.4.6 "loops back to myself", without
  trying the worse MX; we are MX 20 -> only MX 10 is tried; the better
  MX hosts have no address -> deferred 4.4.4;
- Python sinks (test_smtp.Sink) that greet or answer EHLO with our own
  name: the greeting alone is only logged (Postfix), the EHLO reply is a
  loop (bounce 5.4.6, no MAIL sent); on a port other than smtp_mx_port
  (a content filter on this host) no loop is assumed.
"""
import pytest

from instance import free_port, wait_until
from test_smtp import Sink, Zone, cleanup_list, submit  # noqa: F401
from test_smtp import make_instance as smtp_instance
from test_smtp import pytestmark  # noqa: F401  (skip when not built)

ME = "mail.example.test"


def ehlo_as(name):
    """A Sink hook that answers EHLO with name as the first word."""
    def hook(cmd, conn):
        if cmd.upper().startswith(b"EHLO"):
            return (b"250-" + name.encode() + b" hello\r\n"
                    b"250-PIPELINING\r\n250 8BITMIME\r\n")
        return None
    return hook


# --- MX lists that name this host -----------------------------------------

@pytest.fixture
def loop_dns(cleanup_list):
    pytest.importorskip("dnslib")
    port = free_port()
    sinks = {ip: Sink(host=ip, port=port)
             for ip in ("127.0.0.2", "127.0.0.3", "127.0.0.5", "127.0.0.7")}
    cleanup_list.extend(sinks.values())
    zone = Zone([
        # we are the best MX; a worse one would take the mail
        ("loop.test", "MX", (10, "Mail.Example.TEST")),
        ("loop.test", "MX", (20, "backup.loop.test")),
        ("backup.loop.test", "A", "127.0.0.3"),
        # we are MX 20 behind mx1 (MX 10)
        ("backup.test", "MX", (20, ME)),
        ("backup.test", "MX", (10, "mx1.backup.test")),
        ("mx1.backup.test", "A", "127.0.0.2"),
        # the better MX has no address
        ("noprimary.test", "MX", (10, "gone.noprimary.test")),
        ("noprimary.test", "MX", (20, ME)),
        # our own name resolves to a sink: reaching it means a loop
        (ME, "A", "127.0.0.7"),
        # the senders' domain, for the bounces
        ("back.test", "MX", (10, "in.back.test")),
        ("in.back.test", "A", "127.0.0.5"),
    ])
    cleanup_list.append(zone)
    inst = smtp_instance({"smtp_dns_server": "127.0.0.1:%d" % zone.port,
                          "smtp_mx_port": str(port)})
    cleanup_list.append(inst)
    return inst, sinks


def test_best_mx_is_myself_bounces(loop_dns):
    inst, sinks = loop_dns
    submit(inst, ["u@loop.test"], sender="me@back.test")
    inst.wait_log(r"to=<u@loop\.test>, relay=none, .*dsn=5\.4\.6, "
                  r"status=bounced \(mail for loop\.test loops back to "
                  r"myself\)", timeout=30)
    wait_until(lambda: len(sinks["127.0.0.5"].messages) == 1, timeout=30,
               what="the bounce at back.test")
    dsn = sinks["127.0.0.5"].messages[0][2]
    assert b"loops back to myself" in dsn
    assert b"5.4.6" in dsn
    assert sinks["127.0.0.3"].connections == 0     # the worse MX: never
    assert sinks["127.0.0.7"].connections == 0     # ourselves: never


def test_backup_mx_tries_only_better_mx(loop_dns):
    inst, sinks = loop_dns
    mx1 = sinks["127.0.0.2"]
    mx1.greeting = b"421 4.3.2 busy, come back later\r\n"
    submit(inst, ["v@backup.test"], sender="me@back.test")
    inst.wait_log(r"to=<v@backup\.test>, .*status=deferred .*busy, come "
                  r"back later", timeout=30)
    assert sinks["127.0.0.7"].connections == 0     # MX 20 is us: dropped
    mx1.greeting = b"220 mx1 ESMTP\r\n"
    inst.postern("flush", check=True)
    wait_until(lambda: len(mx1.messages) == 1, timeout=30,
               what="delivery to the MX 10 sink")
    inst.wait_log(r"to=<v@backup\.test>, relay=mx1\.backup\.test"
                  r"\[127\.0\.0\.2\]:\d+, .*status=sent")
    assert mx1.messages[0][1] == [b"<v@backup.test>"]
    assert sinks["127.0.0.7"].connections == 0


def test_better_mx_without_address_defers(loop_dns):
    inst, sinks = loop_dns
    submit(inst, ["w@noprimary.test"], sender="me@back.test")
    inst.wait_log(r"to=<w@noprimary\.test>, relay=none, .*dsn=4\.4\.4, "
                  r"status=deferred \(unable to find primary relay for "
                  r"noprimary\.test\)", timeout=30)
    assert sinks["127.0.0.7"].connections == 0


# --- servers that greet or answer EHLO with our name ----------------------

def session_setup(cleanup_list, sink, port=None):
    """An instance that sends x.test to [127.0.0.1] on smtp_mx_port (the
    sink's port unless port is given) and bounces to a second sink."""
    bounces = Sink()
    cleanup_list.append(bounces)
    inst = smtp_instance({
        "smtp_mx_port": str(port or sink.port),
        "transport_maps": "inline:{x.test=smtp:[127.0.0.1]%s,"
                          " back.test=smtp:[127.0.0.1]:%d}"
                          % ("" if port is None else ":%d" % sink.port,
                             bounces.port)})
    cleanup_list.append(inst)
    return inst, bounces


def mail_sent(sink):
    return [c for c in sink.commands if c.upper().startswith(b"MAIL")]


def test_greeting_with_my_name_is_logged_only(cleanup_list):
    sink = Sink(greeting=b"220 mail.example.test ESMTP\r\n")
    cleanup_list.append(sink)
    inst, bounces = session_setup(cleanup_list, sink)
    submit(inst, ["a@x.test"], sender="me@back.test")
    wait_until(lambda: len(sink.messages) == 1, timeout=30,
               what="delivery despite the greeting (Postfix: a warning)")
    inst.wait_log(r"warning: host 127\.0\.0\.1\[127\.0\.0\.1\]:%d greeted "
                  r"me with my own hostname mail\.example\.test" % sink.port)
    assert "loops back" not in inst.log()


@pytest.mark.parametrize("greeting", [b"220 sink ESMTP\r\n",
                                      b"220 mail.example.test ESMTP\r\n"])
def test_ehlo_with_my_name_bounces(cleanup_list, greeting):
    sink = Sink(greeting=greeting, hook=ehlo_as("MAIL.example.test"))
    cleanup_list.append(sink)
    inst, bounces = session_setup(cleanup_list, sink)
    submit(inst, ["b@x.test"], sender="me@back.test")
    inst.wait_log(r"to=<b@x\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:%d, "
                  r".*dsn=5\.4\.6, status=bounced \(mail for \[127\.0\.0\.1\] "
                  r"loops back to myself\)" % sink.port, timeout=30)
    inst.wait_log(r"warning: host 127\.0\.0\.1\[127\.0\.0\.1\]:%d replied "
                  r"to HELO/EHLO with my own hostname mail\.example\.test"
                  % sink.port)
    wait_until(lambda: len(bounces.messages) == 1, timeout=30,
               what="the bounce")
    dsn = bounces.messages[0][2]
    assert b"loops back to myself" in dsn
    assert b"5.4.6" in dsn
    assert mail_sent(sink) == []                   # nothing transferred
    assert sink.messages == []


def test_content_filter_port_is_no_loop(cleanup_list):
    # A content filter on this host, on a port that is not smtp_mx_port,
    # answers with our name: Postfix checks loops on port 25 only.
    sink = Sink(greeting=b"220 mail.example.test ESMTP\r\n",
                hook=ehlo_as(ME))
    cleanup_list.append(sink)
    inst, bounces = session_setup(cleanup_list, sink, port=free_port())
    submit(inst, ["c@x.test"], sender="me@back.test")
    wait_until(lambda: len(sink.messages) == 1, timeout=30,
               what="delivery to the filter")
    log = inst.log()
    assert "loops back" not in log
    assert "with my own hostname" not in log
