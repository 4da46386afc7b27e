"""test_local.py - the local delivery agent under the real master.

Two ways in:
- directly: a message is submitted to cleanup (private/cleanup), its
  queue file moved from incoming/ to active/ by hand, and local is
  driven over private/local with the protocol of util/deliver_proto.h
  (a small Python client below). This isolates local from qmgr.
- end to end (only when $POSTERN_BUILD/qmgr exists): SMTP to smtpd,
  cleanup, qmgr, local.

Test users posternu1 and posternu2 are created by the `users` fixture
(conftest.py; homes under a temporary directory) and removed at the end.

Checks: Maildir and mbox delivery (Return-Path, Delivered-To, ">From "
quoting, owner and mode), aliases of every kind (list, |command writing
a file, /file, :include:), commands' clean environment and exit codes,
~/.forward (and a world-writable one ignored), a virtual domain (Maildir
and mbox), Delivered-To loop detection, alias loops, an unknown user, a
symlinked and a hard-linked mailbox refused with the target untouched.
"""
import hashlib
import mailbox
import os
import pwd
import socket
import time

import pytest

from instance import BUILD, Instance, wait_until
from wire import a_int, a_long, a_str, read_attrs, rec

USERS = ("posternu1", "posternu2")
STAT_OK, STAT_DEFER, STAT_BOUNCE = 0, 1, 2

MASTER_CF = (
    "cleanup unix - - y - 0 cleanup\n"
    "local unix - n n - - local\n"
    "qmgr unix n - n - 1 test_trigger\n"
)


# --- cleanup and local (formats in wire.py) ----------------------------

def submit(inst, sender, rcpts, lines):
    """Hand a message to cleanup; return its queue ID."""
    path = os.path.join(inst.queue_dir, "private", "cleanup")
    wait_until(lambda: os.path.exists(path), 10, "cleanup socket")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(path)
    assert read_attrs(s) == {"protocol": "cleanup_protocol"}
    data = a_int("flags", 0) + b"\x00"
    data += rec("V", b"postern-queue 1") + rec("T", b"%d.000000" % time.time())
    data += rec("Z", b"0" * 20) + rec("p", b"ESMTP")
    data += rec("S", sender.encode())
    for r in rcpts:
        data += rec("R", r.encode())
    data += rec("M")
    data += b"".join(rec("N", ln.encode()) for ln in lines) + rec("X") + rec("E")
    s.sendall(data)
    r = read_attrs(s)
    s.close()
    assert r["status"] == 0, r
    return r["queue_id"]


def to_active(inst, qid):
    """Move the queue file from incoming/ to active/ (qmgr's job)."""
    for dirpath, _, files in os.walk(os.path.join(inst.queue_dir, "incoming")):
        if qid in files:
            sub = os.path.basename(dirpath)
            dst = os.path.join(inst.queue_dir, "active", sub)
            os.makedirs(dst, exist_ok=True)
            os.rename(os.path.join(dirpath, qid), os.path.join(dst, qid))
            return
    raise AssertionError("queue file %s not found" % qid)


def deliver(inst, qid, sender, rcpts, queue="active"):
    """One delivery request to private/local; list of per-recipient
    result dicts."""
    path = os.path.join(inst.queue_dir, "private", "local")
    wait_until(lambda: os.path.exists(path), 10, "local socket")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(path)
    assert read_attrs(s) == {"protocol": "delivery_protocol"}
    now = int(time.time() * 1000)
    req = (a_int("flags", 0) + a_str("queue_name", queue)
           + a_str("queue_id", qid) + a_long("time", int(time.time()) - 1)
           + a_long("arrival_usec", 0) + a_long("active_time_ms", now - 300)
           + a_long("request_time_ms", now - 100) + a_str("sender", sender)
           + a_str("nexthop", "localhost") + a_str("dsn_envid", "")
           + a_int("dsn_ret", 0) + a_long("size", 100)
           + a_int("nrcpt", len(rcpts)) + b"\x00")
    for i, r in enumerate(rcpts):
        req += (a_str("recipient", r) + a_str("original_recipient", "")
                + a_int("dsn_notify", 0) + a_long("offset", 1000 + i) + b"\x00")
    s.sendall(req)
    out = [read_attrs(s) for _ in rcpts]
    final = read_attrs(s)
    s.close()
    assert final == {"status": 0}, final
    for i, r in enumerate(out):
        assert r["offset"] == 1000 + i and r["relay"] == "local", r
    return out


def send(inst, rcpts, body=("hello",), sender="sender@example.org",
         headers=()):
    lines = ["From: <%s>" % sender, "Subject: test"] + list(headers)
    lines += [""] + list(body)
    qid = submit(inst, sender, rcpts, lines)
    to_active(inst, qid)
    return qid, deliver(inst, qid, sender, rcpts)


# --- instances (users: the conftest.py fixture, USERS above) ---------

def make_local(users, spool_maildir, extra=None):
    """A started instance with cleanup and local; returns it with
    .spool, .out (a world-writable directory for command/file output)
    and .vbase set."""
    inst = Instance()
    inst.spool = os.path.join(inst.root, "mail")
    inst.out = os.path.join(inst.root, "out")
    inst.vbase = os.path.join(inst.root, "vmail")
    os.mkdir(inst.spool, 0o755)
    os.mkdir(inst.out)
    os.chmod(inst.out, 0o1777)
    u1 = users["posternu1"]
    os.mkdir(inst.vbase, 0o755)
    os.chown(inst.vbase, u1.pw_uid, u1.pw_gid)
    aliases = os.path.join(inst.conf_dir, "aliases")
    include = os.path.join(inst.conf_dir, "list.inc")
    with open(include, "w") as f:
        f.write("# a list\nposternu2\n")
    os.chmod(include, 0o644)
    with open(aliases, "w") as f:
        f.write("both: posternu1, posternu2\n"
                "cmd: \"|cat > %(out)s/cmd.txt\"\n"
                "envdump: |/usr/bin/env > %(out)s/env.txt\n"
                "tempfail: |exit 75\n"
                "permfail: \"|echo no such thing; exit 1\"\n"
                "file: %(out)s/file.mbox\n"
                "inc: :include:%(inc)s\n"
                "posternu2+self: posternu2, posternu1\n"
                "loopa: loopb\nloopb: loopa\n"
                "nobody1: nosuchuser42\n"
                % {"out": inst.out, "inc": include})
    vmaps = os.path.join(inst.conf_dir, "vmailbox")
    with open(vmaps, "w") as f:
        f.write("v1@virt.test v1/Maildir/\nv2@virt.test v2.mbox\n"
                "bad@virt.test ../escape/\n")
    main = {
        "mydestination": "localhost, $myhostname",
        "alias_maps": "hash:" + aliases,
        "alias_database": "hash:" + aliases,
        "mail_spool_directory": inst.spool + ("/" if spool_maildir else ""),
        "virtual_mailbox_domains": "virt.test",
        "virtual_mailbox_maps": "hash:" + vmaps,
        "virtual_mailbox_base": inst.vbase,
        "virtual_uid_maps": "static:%d" % u1.pw_uid,
        "virtual_gid_maps": "static:%d" % u1.pw_gid,
        "default_privs": "nobody",
        "recipient_delimiter": "+",
    }
    main.update(extra or {})
    inst.main_extra.update(main)
    inst.write_main_cf()
    inst.write_master_cf(MASTER_CF)
    inst.postern("aliases", check=True)
    inst.postern("map", "hash:" + vmaps, check=True)
    inst.start()
    return inst


@pytest.fixture(scope="module")
def mdir(users):
    inst = make_local(users, True)
    yield inst
    inst.cleanup()


@pytest.fixture(scope="module")
def mbox(users):
    inst = make_local(users, False)
    yield inst
    inst.cleanup()


def maildir_msgs(path):
    md = mailbox.Maildir(path, factory=None, create=False)
    return [md[k] for k in md.keys()]


# --- Maildir -----------------------------------------------------------

def test_maildir_delivery(mdir, users):
    mark = mdir.log_mark()
    qid, res = send(mdir, ["posternu1@localhost"], body=["hello maildir"])
    assert res[0]["status"] == STAT_OK, res
    assert res[0]["dsn_status"] == "2.0.0"
    assert res[0]["reason"] == "delivered to maildir"
    md = os.path.join(mdir.spool, "posternu1")
    msgs = maildir_msgs(md)
    assert len(msgs) >= 1
    m = [x for x in msgs if "hello maildir" in x.get_payload()][0]
    assert m["Return-Path"] == "<sender@example.org>"
    assert m["Delivered-To"] == "posternu1@localhost"
    st = os.stat(md)
    assert st.st_uid == users["posternu1"].pw_uid
    for f in os.listdir(os.path.join(md, "new")):
        fst = os.stat(os.path.join(md, "new", f))
        assert fst.st_uid == users["posternu1"].pw_uid
        assert fst.st_mode & 0o777 == 0o600
    assert os.listdir(os.path.join(md, "tmp")) == []
    mdir.wait_log(r"%s: to=<posternu1@localhost>, relay=local, delay=[0-9.]+, "
                  r"delays=[0-9.]+/[0-9.]+/0/[0-9.]+, dsn=2\.0\.0, "
                  r"status=sent \(delivered to maildir\)" % qid, since=mark)


def test_unknown_user_bounces(mdir):
    _, res = send(mdir, ["nosuchuser42@localhost"])
    assert res[0]["status"] == STAT_BOUNCE
    assert res[0]["dsn_status"] == "5.1.1"
    assert "unknown user" in res[0]["reason"]


def test_delivered_to_loop_bounces(mdir):
    before = len(maildir_msgs(os.path.join(mdir.spool, "posternu1")))
    _, res = send(mdir, ["posternu1@localhost"],
                  headers=["Delivered-To: Posternu1@localhost"])
    assert res[0]["status"] == STAT_BOUNCE
    assert res[0]["dsn_status"] == "5.4.6"
    assert res[0]["reason"] == "mail forwarding loop for posternu1@localhost"
    assert len(maildir_msgs(os.path.join(mdir.spool, "posternu1"))) == before


def test_alias_list_include_and_loops(mdir):
    md1 = os.path.join(mdir.spool, "posternu1")
    md2 = os.path.join(mdir.spool, "posternu2")
    n1 = len(maildir_msgs(md1)) if os.path.isdir(md1) else 0
    n2 = len(maildir_msgs(md2)) if os.path.isdir(md2) else 0
    _, res = send(mdir, ["both@localhost", "inc@localhost",
                         "posternu2+self@localhost", "loopa@localhost",
                         "nobody1@localhost"], body=["list"])
    assert [r["status"] for r in res] == [STAT_OK, STAT_OK, STAT_OK,
                                          STAT_BOUNCE, STAT_BOUNCE], res
    assert res[3]["dsn_status"] == "5.4.6"
    assert res[4]["dsn_status"] == "5.1.1"
    # both -> u1, u2; inc -> u2; posternu2+self -> u2 (a self reference:
    # the mailbox, not the alias again) and u1
    assert len(maildir_msgs(md1)) == n1 + 2
    assert len(maildir_msgs(md2)) == n2 + 3
    delivered = [m["Delivered-To"] for m in maildir_msgs(md2)]
    assert "posternu2@localhost" in delivered or \
        "posternu2@mail.example.test" in delivered


def test_alias_command_and_file(mdir, users):
    nobody = pwd.getpwnam("nobody")
    _, res = send(mdir, ["cmd@localhost", "file@localhost"],
                  body=["From the command", "bye"],
                  sender="$(touch /tmp/pwn-local);x@example.org")
    assert [r["status"] for r in res] == [STAT_OK, STAT_OK], res
    assert res[0]["reason"].startswith("delivered to command: cat >")
    assert res[1]["reason"] == "delivered to file: %s/file.mbox" % mdir.out
    cmd = os.path.join(mdir.out, "cmd.txt")
    with open(cmd) as f:
        text = f.read()
    assert text.startswith("From $(touch_/tmp/pwn-local)")
    assert "Return-Path: <$(touch /tmp/pwn-local);x@example.org>" in text
    assert "\nFrom the command\n" in text          # no quoting for commands
    assert os.stat(cmd).st_uid == nobody.pw_uid     # default_privs, not root
    fpath = os.path.join(mdir.out, "file.mbox")
    assert os.stat(fpath).st_uid == nobody.pw_uid
    with open(fpath) as f:
        assert "\n>From the command\n" in f.read()
    box = mailbox.mbox(fpath, create=False)
    assert len(box) == 1
    assert not os.path.exists("/tmp/pwn-local")


def test_command_environment_is_clean(mdir):
    _, res = send(mdir, ["envdump+ext`id`@localhost"],
                  sender="a$(id)`x`;b@example.org")
    assert res[0]["status"] == STAT_OK, res
    with open(os.path.join(mdir.out, "env.txt")) as f:
        env = dict(line.split("=", 1) for line in f.read().splitlines()
                   if "=" in line)
    assert env["SENDER"] == "a__id__x__b@example.org"
    assert env["EXTENSION"] == "ext_id_"
    assert env["LOCAL"] == "envdump+ext_id_"
    assert env["SHELL"] == "/bin/sh"
    assert env["PATH"] == "/usr/bin:/bin"
    assert env["USER"] == "nobody"
    assert "POSTERN_CONFIG" not in env and "MAIL_CONFIG" not in env


def test_command_exit_codes(mdir):
    _, res = send(mdir, ["tempfail@localhost", "permfail@localhost"])
    assert res[0]["status"] == STAT_DEFER and res[0]["dsn_status"] == "4.3.0"
    assert res[1]["status"] == STAT_BOUNCE and res[1]["dsn_status"] == "5.3.0"
    assert "no such thing" in res[1]["reason"]


def test_dotforward(mdir, users):
    u2 = users["posternu2"]
    fwd = os.path.join(u2.pw_dir, ".forward")
    with open(fwd, "w") as f:
        f.write("# forward\nposternu1, \\posternu2\n")
    os.chown(fwd, u2.pw_uid, u2.pw_gid)
    os.chmod(fwd, 0o644)
    md1 = os.path.join(mdir.spool, "posternu1")
    md2 = os.path.join(mdir.spool, "posternu2")
    n1 = len(maildir_msgs(md1)) if os.path.isdir(md1) else 0
    n2 = len(maildir_msgs(md2)) if os.path.isdir(md2) else 0
    try:
        _, res = send(mdir, ["posternu2@localhost"], body=["forwarded"])
        assert res[0]["status"] == STAT_OK, res
        assert len(maildir_msgs(md1)) == n1 + 1
        assert len(maildir_msgs(md2)) == n2 + 1
        # world-writable .forward with a command: ignored, mailbox used
        with open(fwd, "w") as f:
            f.write("|touch %s/evil\n" % mdir.out)
        os.chmod(fwd, 0o666)
        mark = mdir.log_mark()
        _, res = send(mdir, ["posternu2@localhost"])
        assert res[0]["status"] == STAT_OK, res
        assert not os.path.exists(os.path.join(mdir.out, "evil"))
        assert len(maildir_msgs(md2)) == n2 + 2
        mdir.wait_log(r"warning: ignoring %s: file is group- or "
                      r"world-writable" % fwd, since=mark)
    finally:
        os.unlink(fwd)


def test_envelope_backslash_does_not_skip_forward(mdir, users):
    """A "\\user" item skips aliases and .forward only inside a list; a
    remote sender's RCPT TO:<\\user@domain> is just the user."""
    u2 = users["posternu2"]
    fwd = os.path.join(u2.pw_dir, ".forward")
    with open(fwd, "w") as f:
        f.write("posternu1\n")
    os.chown(fwd, u2.pw_uid, u2.pw_gid)
    os.chmod(fwd, 0o644)
    md1 = os.path.join(mdir.spool, "posternu1")
    md2 = os.path.join(mdir.spool, "posternu2")
    n1 = len(maildir_msgs(md1)) if os.path.isdir(md1) else 0
    n2 = len(maildir_msgs(md2)) if os.path.isdir(md2) else 0
    try:
        _, res = send(mdir, ["\\posternu2@localhost"], body=["bypass?"])
        assert res[0]["status"] == STAT_OK, res
        assert len(maildir_msgs(md1)) == n1 + 1
        n2_now = len(maildir_msgs(md2)) if os.path.isdir(md2) else 0
        assert n2_now == n2
    finally:
        os.unlink(fwd)


def test_dotforward_extension(mdir, users):
    """.forward+EXT is used for user+EXT only; without an extension the
    ${extension} element of forward_path is skipped (as in Postfix), so
    a file named .forward+ is never read."""
    u2 = users["posternu2"]
    plus = os.path.join(u2.pw_dir, ".forward+")
    ext = os.path.join(u2.pw_dir, ".forward+lists")
    for path in (plus, ext):
        with open(path, "w") as f:
            f.write("posternu1\n")
        os.chown(path, u2.pw_uid, u2.pw_gid)
        os.chmod(path, 0o644)
    md1 = os.path.join(mdir.spool, "posternu1")
    md2 = os.path.join(mdir.spool, "posternu2")
    n1 = len(maildir_msgs(md1)) if os.path.isdir(md1) else 0
    n2 = len(maildir_msgs(md2)) if os.path.isdir(md2) else 0
    try:
        _, res = send(mdir, ["posternu2@localhost"])
        assert res[0]["status"] == STAT_OK, res
        assert res[0]["reason"] == "delivered to maildir", res
        assert len(maildir_msgs(md2)) == n2 + 1
        assert len(maildir_msgs(md1)) == n1
        _, res = send(mdir, ["posternu2+lists@localhost"])
        assert res[0]["status"] == STAT_OK, res
        assert len(maildir_msgs(md1)) == n1 + 1
        assert len(maildir_msgs(md2)) == n2 + 1
    finally:
        os.unlink(plus)
        os.unlink(ext)


def test_virtual_domain(mdir, users):
    _, res = send(mdir, ["v1@virt.test", "v2@virt.test", "nope@virt.test",
                         "bad@virt.test"], body=["virtual"])
    assert [r["status"] for r in res] == [STAT_OK, STAT_OK, STAT_BOUNCE,
                                          STAT_DEFER], res
    assert res[2]["dsn_status"] == "5.1.1"
    msgs = maildir_msgs(os.path.join(mdir.vbase, "v1", "Maildir"))
    assert len(msgs) == 1 and msgs[0]["Delivered-To"] == "v1@virt.test"
    box = mailbox.mbox(os.path.join(mdir.vbase, "v2.mbox"), create=False)
    assert len(box) == 1
    assert os.stat(os.path.join(mdir.vbase, "v2.mbox")).st_uid == \
        users["posternu1"].pw_uid
    assert not os.path.exists(os.path.join(mdir.root, "escape"))


# --- mbox --------------------------------------------------------------

def test_mbox_two_messages_with_from_quoting(mbox, users):
    path = os.path.join(mbox.spool, "posternu2")
    _, r1 = send(mbox, ["posternu2@localhost"], body=["first message"])
    _, r2 = send(mbox, ["posternu2@localhost"],
                 body=["From the start of a line", "From", "end"])
    assert r1[0]["status"] == STAT_OK and r2[0]["status"] == STAT_OK
    assert r2[0]["reason"] == "delivered to mailbox"
    st = os.stat(path)
    assert st.st_uid == users["posternu2"].pw_uid
    assert st.st_mode & 0o777 == 0o600
    assert not os.path.exists(path + ".lock")
    with open(path) as f:
        text = f.read()
    assert text.startswith("From sender@example.org  ")
    assert "\n>From the start of a line\n" in text
    assert text.endswith("\nend\n\n")
    box = mailbox.mbox(path, create=False)
    msgs = list(box)
    assert len(msgs) == 2
    assert msgs[1]["Return-Path"] == "<sender@example.org>"
    assert msgs[1]["Delivered-To"] == "posternu2@localhost"
    assert "first message" in msgs[0].get_payload()


def test_symlinked_mailbox_refused(mbox):
    target = os.path.join(mbox.root, "victim")
    with open(target, "w") as f:
        f.write("root's precious file\n")
    before = hashlib.sha256(open(target, "rb").read()).hexdigest()
    link = os.path.join(mbox.spool, "posternu1")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(target, link)
    mark = mbox.log_mark()
    try:
        _, res = send(mbox, ["posternu1@localhost"])
        assert res[0]["status"] == STAT_DEFER, res
        assert res[0]["dsn_status"].startswith("4.")
        assert hashlib.sha256(open(target, "rb").read()).hexdigest() == before
        mbox.wait_log(r"warning: refusing mailbox %s" % link, since=mark)
    finally:
        os.unlink(link)


def test_hardlinked_mailbox_refused(mbox, users):
    u1 = users["posternu1"]
    other = os.path.join(mbox.spool, "other")
    with open(other, "w") as f:
        f.write("not a mailbox\n")
    os.chown(other, u1.pw_uid, u1.pw_gid)
    path = os.path.join(mbox.spool, "posternu1")
    if os.path.lexists(path):
        os.unlink(path)
    os.link(other, path)
    try:
        _, res = send(mbox, ["posternu1@localhost"])
        assert res[0]["status"] == STAT_DEFER, res
        with open(other) as f:
            assert f.read() == "not a mailbox\n"
    finally:
        os.unlink(path)
        os.unlink(other)


def test_foreign_owned_mailbox_refused(mbox, users):
    path = os.path.join(mbox.spool, "posternu1")
    with open(path, "w") as f:
        f.write("")
    os.chown(path, users["posternu2"].pw_uid, users["posternu2"].pw_gid)
    try:
        _, res = send(mbox, ["posternu1@localhost"])
        assert res[0]["status"] == STAT_DEFER, res
        assert os.path.getsize(path) == 0
    finally:
        os.unlink(path)


def test_local_process_is_sandboxed(mbox):
    pids = mbox.service_pids("local")
    assert pids, "no local process"
    seccomp = sorted((__import__("instance").read_status(p) or {})
                     .get("Seccomp") for p in pids)
    # the delivery agent itself is filtered; its spawn helper is not
    assert "2" in seccomp


# --- end to end (needs qmgr) --------------------------------------------

@pytest.mark.skipif(not os.path.exists(os.path.join(BUILD, "qmgr")),
                    reason="qmgr not built yet")
def test_end_to_end_smtp_to_maildir(users):
    import smtplib
    inst = make_local(users, True, {"queue_run_delay": "1s",
                                    "minimal_backoff_time": "1s",
                                    "maximal_backoff_time": "2s"})
    try:
        inst.write_master_cf(
            "%(port0)s inet n - n - - smtpd\n"
            "cleanup unix - - y - 0 cleanup\n"
            "qmgr unix n - n 300 1 qmgr\n"
            "local unix - n n - - local\n"
            "proxymap unix - - n - - proxymap\n")
        inst.stop()
        inst.start()
        with smtplib.SMTP("127.0.0.1", inst.ports[0], timeout=30) as c:
            c.sendmail("s@example.org", ["posternu1@localhost"],
                       "Subject: e2e\r\n\r\nFrom here\r\n")
        md = os.path.join(inst.spool, "posternu1")
        wait_until(lambda: os.path.isdir(md) and maildir_msgs(md), 30,
                   "delivery to maildir")
        m = maildir_msgs(md)[0]
        assert m["Received"] and m["Return-Path"] == "<s@example.org>"
        assert m["Delivered-To"] == "posternu1@localhost"
    finally:
        inst.cleanup()
