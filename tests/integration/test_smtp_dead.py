"""test_smtp_dead.py - the SMTP client's site failures and qmgr's dead
destinations, and the timer of the idle cached session (docs/smtp.md
"qmgr and dead destinations", "Connection reuse"; util/deliver_proto.h
DEL_ATTR_SITE_FAIL).

Same instance as test_smtp.py (smtpd, cleanup, qmgr, smtp); the peer is
its Sink, which counts connections and records commands:
- a relayhost that greets with 421 (or a closed port): after
  QMGR_DEAD_FAILURES site failures qmgr stops trying, the rest of the
  mail is deferred at once ("delivery temporarily suspended: REASON"),
  waits in deferred/ with that reason, and `postern flush` delivers all
  of it once the peer is up;
- a server that talks but says 452 to RCPT is not a dead destination;
- after a delivery the cached session is closed (QUIT) when
  smtp_connection_cache_time_limit passes, not at max_idle.
"""
import re
import time

from instance import free_port, wait_until
from test_smtp import Sink, cleanup_list, queue_json, submit  # noqa: F401
from test_smtp import make_instance as smtp_instance
from test_smtp import pytestmark  # noqa: F401  (skip when not built)

QMGR_DEAD_FAILURES = 3              # qmgr/qmgr.h
INITIAL_CONCURRENCY = 5             # initial_destination_concurrency
SUSPENDED = "delivery temporarily suspended: "


def dead_instance(cleanup_list, port):
    # Long backoff: nothing is retried by itself during the test, so
    # every attempt after the first ones would come from qmgr ignoring
    # the dead destination.
    inst = smtp_instance({"relayhost": "[127.0.0.1]:%d" % port,
                          "minimal_backoff_time": "300s",
                          "maximal_backoff_time": "600s"})
    cleanup_list.append(inst)
    return inst


def all_deferred(inst, n):
    q = queue_json(inst)
    return (len(q) == n and all(m.get("queue_name") == "deferred"
                                for m in q) and q)


def wait_deferred(inst, n):
    """All n messages in deferred/; their listing."""
    try:
        return wait_until(lambda: all_deferred(inst, n), timeout=30,
                          what="%d messages in deferred/" % n)
    except AssertionError as e:
        raise AssertionError("%s: queue %s; log tail:\n%s"
                             % (e, [(m.get("queue_id"), m.get("queue_name"))
                                    for m in queue_json(inst)],
                                inst.log()[-4000:])) from None


def wait_delivered(inst, sink, n):
    """n messages at the sink after `postern flush`, then an empty queue."""
    inst.postern("flush", check=True)
    try:
        wait_until(lambda: len(sink.messages) == n, timeout=30,
                   what="%d messages delivered after flush" % n)
    except AssertionError as e:
        raise AssertionError("%s (got %d); log tail:\n%s"
                             % (e, len(sink.messages),
                                inst.log()[-6000:])) from None
    wait_until(lambda: not queue_json(inst), what="queue empty")


def check_reasons(q, peer_text):
    """Every recipient deferred with the site's reason; some of them
    without an attempt of their own (suspended)."""
    suspended = 0
    for m in q:
        for r in m["recipients"]:
            why = r.get("delay_reason", "")
            assert peer_text in why, why
            if why.startswith(SUSPENDED):
                suspended += 1
    assert suspended >= 1, q
    return suspended


def test_site_failure_suspends_destination_then_flush(cleanup_list):
    sink = Sink(greeting=b"421 4.3.2 not now, busy\r\n")
    cleanup_list.append(sink)
    inst = dead_instance(cleanup_list, sink.port)
    n = 10
    for i in range(n):
        submit(inst, ["d%d@far.test" % i], subject="dead%d" % i)
    inst.wait_log(r"warning: smtp:\[127\.0\.0\.1\]:%d: destination marked "
                  r"dead for 300s: host 127\.0\.0\.1\[127\.0\.0\.1\]:%d "
                  r"refused to talk to me: 421" % (sink.port, sink.port),
                  timeout=30)
    inst.wait_log(r"relay=none, .*status=deferred \(delivery temporarily "
                  r"suspended: host 127\.0\.0\.1\[127\.0\.0\.1\]:%d refused "
                  r"to talk to me: 421 not now, busy\)" % sink.port,
                  timeout=30)
    q = wait_deferred(inst, n)
    # Well below one connection per message: the destination died after
    # QMGR_DEAD_FAILURES failures (plus what was already in flight).
    assert QMGR_DEAD_FAILURES <= sink.connections <= INITIAL_CONCURRENCY, \
        sink.connections
    assert check_reasons(q, "421 not now, busy") \
        >= n - INITIAL_CONCURRENCY
    # The peer comes up; flush forgets the dead destination.
    sink.greeting = b"220 sink\r\n"
    wait_delivered(inst, sink, n)


def test_closed_port_suspends_destination_then_flush(cleanup_list):
    port = free_port()
    inst = dead_instance(cleanup_list, port)
    n = 8
    for i in range(n):
        submit(inst, ["c%d@far.test" % i], subject="closed%d" % i)
    refused = ("connect to 127.0.0.1[127.0.0.1]:%d: Connection refused"
               % port)
    q = wait_deferred(inst, n)
    check_reasons(q, refused)
    log = inst.log()
    # Attempts the smtp agent made (its to= lines name the address).
    tried = len(re.findall(r"to=<c\d@far\.test>, relay=127\.0\.0\.1\["
                           r"127\.0\.0\.1\]:%d, .*status=deferred \(" % port
                           + re.escape(refused), log))
    skipped = log.count(SUSPENDED + refused)
    assert QMGR_DEAD_FAILURES <= tried <= INITIAL_CONCURRENCY, \
        (tried, log[-5000:])
    assert tried + skipped == n, (tried, skipped)
    sink = Sink(port=port)
    cleanup_list.append(sink)
    wait_delivered(inst, sink, n)


def test_recipient_4xx_does_not_kill_destination(cleanup_list):
    sink = Sink(rcpt=lambda a: b"452 4.2.2 mailbox full, try later\r\n")
    cleanup_list.append(sink)
    inst = dead_instance(cleanup_list, sink.port)
    n = 2 * QMGR_DEAD_FAILURES + 2
    for i in range(n):
        submit(inst, ["f%d@far.test" % i], subject="full%d" % i)
    wait_deferred(inst, n)
    rcpts = [c for c in sink.commands if c.upper().startswith(b"RCPT")]
    assert len(rcpts) == n, rcpts
    log = inst.log()
    assert SUSPENDED not in log
    assert "destination marked dead" not in log
    for m in queue_json(inst):
        assert "452 4.2.2 mailbox full" in \
            m["recipients"][0].get("delay_reason", "")


def test_idle_cached_session_closed_after_time_limit(cleanup_list):
    events = []                     # (monotonic time, what)

    def hook(cmd, conn):
        if cmd.upper() == b"QUIT":
            events.append((time.monotonic(), "QUIT"))
        return None

    def data():
        events.append((time.monotonic(), "DATA"))
        return b"250 2.0.0 queued\r\n"
    sink = Sink(hook=hook, data=data)
    cleanup_list.append(sink)
    inst = smtp_instance({"relayhost": "[127.0.0.1]:%d" % sink.port,
                          "smtp_connection_cache_time_limit": "1s",
                          "max_idle": "60s"})
    cleanup_list.append(inst)
    for rnd in range(2):
        submit(inst, ["idle%d@far.test" % rnd])
        wait_until(lambda: sum(1 for e in events if e[1] == "QUIT")
                   == rnd + 1, timeout=10,
                   what="QUIT about 1s after delivery %d (not at max_idle)"
                   % rnd)
        t_data = [t for t, what in events if what == "DATA"][-1]
        t_quit = [t for t, what in events if what == "QUIT"][-1]
        # The session was cached (the cache holds it 1s), then closed.
        assert 0.9 <= t_quit - t_data <= 3.5, t_quit - t_data
    # The process that closed its idle session served the next request.
    assert len(sink.messages) == 2
    assert sink.connections == 2
    assert "panic" not in inst.log()


def test_cached_session_quit_when_process_exits(cleanup_list):
    """max_use = 1: the process exits right after caching its session;
    the session still ends with QUIT, long before the cache time."""
    quits = []

    def hook(cmd, conn):
        if cmd.upper() == b"QUIT":
            quits.append(time.monotonic())
        return None
    sink = Sink(hook=hook)
    cleanup_list.append(sink)
    inst = smtp_instance({"relayhost": "[127.0.0.1]:%d" % sink.port,
                          "smtp_connection_cache_time_limit": "30s",
                          "max_use": "1"})
    cleanup_list.append(inst)
    start = time.monotonic()
    submit(inst, ["exit@far.test"])
    wait_until(lambda: quits, timeout=15,
               what="QUIT from the exiting smtp process")
    assert quits[0] - start < 15
    assert len(sink.messages) == 1
