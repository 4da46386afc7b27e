"""test_inflow.py - inflow control (in_flow_delay, docs/cleanup.md) under
the real master: cleanup takes one token from master's flow pipe per
message it queues and waits at most in_flow_delay for one; qmgr puts the
tokens back as it takes messages from incoming/ (and fills the pool to
default_process_limit when it has caught up).

Without qmgr in master.cf no token is ever put, so every message's
end-of-DATA reply comes about in_flow_delay (1 s) late, and is still 250
(never a rejection); with in_flow_delay = 0 it is not late; with qmgr
running normally there is no delay. Timings have generous bounds.
"""
import os
import pwd
import smtplib
import time

from instance import MAIL_OWNER, wait_until

NO_QMGR_CF = (
    "%(port0)s inet n - n - - smtpd\n"
    "cleanup unix - - n - 0 cleanup\n"
)
QMGR_CF = NO_QMGR_CF + (
    "qmgr unix n - n 5 1 qmgr\n"
    "local unix - n n - - test_agent {deliveries}\n"
)
MAIN = {
    "mydestination": "example.test",
    "local_recipient_maps": "",
}
BODY = "Subject: inflow\r\n\r\nhello\r\n"


def data_times(inst, count):
    """Send count messages in one SMTP session; the seconds each DATA
    (end of data to its reply) took."""
    times = []
    with smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=30) as s:
        s.ehlo("client.example")
        for _ in range(count):
            code, resp = s.mail("sender@example.test")
            assert code == 250, resp
            code, resp = s.rcpt("rcpt@example.test")
            assert code == 250, resp
            t0 = time.monotonic()
            code, resp = s.data(BODY)
            times.append(time.monotonic() - t0)
            assert code == 250, resp
    return times


def start(make_instance, master_cf, **extra):
    main = dict(MAIN)
    main.update(extra)
    inst = make_instance(main_extra=main)
    inst.deliveries = os.path.join(inst.root, "deliveries")
    with open(inst.deliveries, "w"):
        pass
    owner = pwd.getpwnam(MAIL_OWNER)
    os.chown(inst.deliveries, owner.pw_uid, owner.pw_gid)
    inst.write_master_cf(master_cf.replace("{deliveries}", inst.deliveries))
    inst.start()
    inst.wait_listening()
    return inst


def test_no_qmgr_each_message_waits_in_flow_delay(make_instance):
    inst = start(make_instance, NO_QMGR_CF, in_flow_delay="1s")
    times = data_times(inst, 3)
    for t in times:
        assert 0.8 <= t < 5.0, "DATA replies took %r s" % times
    assert len(inst.queue_ids("incoming")) == 3, "all queued despite the wait"


def test_no_qmgr_in_flow_delay_zero_does_not_wait(make_instance):
    inst = start(make_instance, NO_QMGR_CF, in_flow_delay="0")
    times = data_times(inst, 3)
    assert max(times) < 0.6, "DATA replies took %r s" % times
    assert len(inst.queue_ids("incoming")) == 3


def test_qmgr_running_no_delay(make_instance):
    inst = start(make_instance, QMGR_CF, in_flow_delay="1s")
    wait_until(lambda: inst.service_pids("qmgr"), 10, "qmgr running")
    times = data_times(inst, 6)
    assert max(times) < 0.6, "DATA replies took %r s" % times
    wait_until(lambda: open(inst.deliveries).read().count("rcpt@example.test") >= 6,
               15, "6 deliveries")
