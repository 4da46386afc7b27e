"""test_sendmail.py - local submission end to end: postern-sendmail ->
postern-postdrop (set-gid) -> maildrop/ -> pickup -> cleanup -> qmgr ->
local (Maildir). See docs/submission.md.

The programs are copied into a temporary bin directory: postern-postdrop
with group setgid_group and mode 2755 as tools/install-postern installs
it, and mailq/newaliases as symbolic links to postern-sendmail.

postern-postdrop accepts a non-default configuration directory only when
the DEFAULT main.cf (/usr/local/etc/postern/main.cf, compiled in) lists
it in alternate_config_directories; the module fixture writes that file
for the duration of the tests and restores what was there before.

Users posterns1 and posterns2 are created by the `users` fixture
(conftest.py) and removed.
"""
import email
import os
import grp
import shutil
import subprocess
import tempfile
import time

import pytest

from default_main_cf import default_main_cf
from instance import BUILD, Instance, wait_until, SETGID_GROUP

USERS = ("posterns1", "posterns2")
DEF_CONF = "/usr/local/etc/postern"
MASTER_CF = (
    "pickup unix n - y 60 1 pickup\n"
    "cleanup unix - - y - 0 cleanup\n"
    "qmgr unix n - n 300 1 qmgr\n"
    "local unix - n n - - local\n"
    "showq unix n - n - - showq\n"
)
EX_NOPERM = 77

pytestmark = pytest.mark.skipif(
    not all(os.path.exists(os.path.join(BUILD, p)) for p in
            ("postern-sendmail", "postern-postdrop", "pickup", "qmgr")),
    reason="postern-sendmail, postern-postdrop, pickup or qmgr not built")


def _run(argv, **kw):
    return subprocess.run(argv, capture_output=True, **kw)


@pytest.fixture(scope="module")
def bindir():
    d = tempfile.mkdtemp(prefix="postern-bin-", dir="/tmp")
    os.chmod(d, 0o755)
    for prog in ("postern-sendmail", "postern-postdrop", "postern"):
        shutil.copy2(os.path.join(BUILD, prog), os.path.join(d, prog))
        os.chmod(os.path.join(d, prog), 0o755)
    pd = os.path.join(d, "postern-postdrop")
    os.chown(pd, 0, grp.getgrnam(SETGID_GROUP).gr_gid)
    os.chmod(pd, 0o2755)
    for name in ("mailq", "newaliases"):
        os.symlink("postern-sendmail", os.path.join(d, name))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def inst(users, bindir):
    inst = Instance()
    aliases = os.path.join(inst.conf_dir, "aliases")
    with open(aliases, "w") as f:
        f.write("team: posterns1, posterns2\n")
    inst.main_extra.update({
        "mydestination": "localhost, $myhostname",
        "home_mailbox": "Maildir/",
        "alias_maps": "hash:" + aliases,
        "alias_database": "hash:" + aliases,
        "command_directory": bindir,
    })
    inst.write_main_cf()
    inst.write_master_cf(MASTER_CF)
    # The default main.cf lists this instance's directory (saved/restored).
    with default_main_cf(DEF_CONF, inst.conf_dir):
        try:
            inst.postern("aliases", check=True)
            inst.start()
            wait_until(lambda: inst.service_pids("qmgr"), 10, "qmgr running")
            yield inst
        finally:
            inst.cleanup()


def san_env():
    """make asan's sanitizer options, for programs run with env -i."""
    return ["%s=%s" % (k, v) for k, v in os.environ.items()
            if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS")]


def sendmail(inst, bindir, args, data, user=None, prog="postern-sendmail",
             env_extra=None):
    env = ["env", "-i", "PATH=/usr/bin:/bin", "POSTERN_CONFIG=" + inst.conf_dir]
    env += san_env()
    env += ["%s=%s" % kv for kv in (env_extra or {}).items()]
    argv = env + [os.path.join(bindir, prog)] + list(args)
    if user:
        argv = ["runuser", "-u", user, "--"] + argv
    return subprocess.run(argv, input=data, capture_output=True, timeout=30)


def maildir_msgs(users, name):
    d = os.path.join(users[name].pw_dir, "Maildir", "new")
    if not os.path.isdir(d):
        return []
    out = []
    for f in sorted(os.listdir(d)):
        with open(os.path.join(d, f), "rb") as fp:
            out.append(email.message_from_bytes(fp.read()))
    return out


def wait_msg(users, name, subject, timeout=20):
    found = []

    def probe():
        found[:] = [m for m in maildir_msgs(users, name)
                    if m["Subject"] == subject]
        return found
    wait_until(probe, timeout, "message %r for %s" % (subject, name))
    return found[0]


def test_t_as_user_delivers_and_strips_bcc(inst, bindir, users):
    msg = (b"To: Second User <posterns2>, (comment) undisclosed:;\n"
           b"Bcc: posterns1\n"
           b"Subject: t-as-user\n\nhello\n.\nnot reached\n")
    p = sendmail(inst, bindir, ["-t"], msg, user="posterns1")
    assert p.returncode == 0, p.stderr
    m = wait_msg(users, "posterns2", "t-as-user")
    assert m["Bcc"] is None
    assert m["Return-Path"] == "<posterns1@mail.example.test>"
    assert m["X-Authentication-Warning"] is None
    assert "not reached" not in m.get_payload()
    m1 = wait_msg(users, "posterns1", "t-as-user")
    assert m1["Bcc"] is None
    inst.wait_log(r"uid=%d from=<posterns1@mail.example.test>"
                  % users["posterns1"].pw_uid)


def test_f_by_root_sets_sender(inst, bindir, users):
    p = sendmail(inst, bindir, ["-f", "boss@example.org", "-F", "The Boss",
                                "posterns2"], b"Subject: f-root\n\nx\n")
    assert p.returncode == 0, p.stderr
    m = wait_msg(users, "posterns2", "f-root")
    assert m["Return-Path"] == "<boss@example.org>"
    assert m["X-Authentication-Warning"] is None
    assert m["From"] == '"The Boss" <boss@example.org>'


def test_f_by_user_adds_warning(inst, bindir, users):
    p = sendmail(inst, bindir, ["-f", "ceo@example.org", "-i", "posterns2"],
                 b"Subject: f-user\n\n.\nbody\n", user="posterns1")
    assert p.returncode == 0, p.stderr
    m = wait_msg(users, "posterns2", "f-user")
    assert m["Return-Path"] == "<posterns1@mail.example.test>"
    assert m["X-Authentication-Warning"] == (
        "mail.example.test: posterns1 set sender to ceo@example.org using -f")
    assert ".\nbody" in m.get_payload()


def test_bs_session(inst, bindir, users):
    dialog = (b"EHLO me\r\nMAIL FROM:<posterns1@mail.example.test>\r\n"
              b"RCPT TO:<posterns2>\r\nDATA\r\nSubject: bs-session\r\n\r\n"
              b"..dot\r\n.\r\nQUIT\r\n")
    p = sendmail(inst, bindir, ["-bs"], dialog, user="posterns1")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    assert out.startswith("220 ")
    assert "250 2.0.0 Ok: queued" in out and "221 " in out
    m = wait_msg(users, "posterns2", "bs-session")
    assert m.get_payload().startswith(".dot")


def test_bs_long_line(inst, bindir, users):
    # A DATA line longer than one queue record chunk (4096) is kept whole,
    # not the end of the session; a "." inside a long line is no end mark.
    long_line = b"x" * 9000 + b"." + b"y" * 100
    dialog = (b"EHLO me\r\nMAIL FROM:<posterns1@mail.example.test>\r\n"
              b"RCPT TO:<posterns2>\r\nDATA\r\nSubject: bs-long\r\n\r\n"
              + long_line + b"\r\n.tail\r\n.\r\nQUIT\r\n")
    p = sendmail(inst, bindir, ["-bs"], dialog, user="posterns1")
    assert p.returncode == 0, p.stderr
    out = p.stdout.decode()
    assert "250 2.0.0 Ok: queued" in out and "221 " in out
    m = wait_msg(users, "posterns2", "bs-long")
    body = m.get_payload().replace("\r\n", "\n")
    assert body.startswith(long_line.decode() + "\ntail")


def test_unknown_flag_and_no_rcpt(inst, bindir):
    p = sendmail(inst, bindir, ["-Z", "-t"], b"Subject: none\n\nx\n")
    assert p.returncode == 64
    assert b"warning: ignoring option -Z" in p.stderr
    assert b"no recipients" in p.stderr
    p = sendmail(inst, bindir, ["-C", "/etc", "x"], b"x\n", user="posterns1")
    assert p.returncode == EX_NOPERM


@pytest.fixture
def pubdir():
    """A temporary directory the test users can reach."""
    d = tempfile.mkdtemp(prefix="postern-pub-", dir="/tmp")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_postdrop_refuses_unlisted_config(inst, bindir, users, pubdir):
    other = os.path.join(pubdir, "conf")
    os.mkdir(other, 0o755)
    shutil.copy(os.path.join(inst.conf_dir, "main.cf"), other)
    os.chmod(os.path.join(other, "main.cf"), 0o644)
    env = ["env", "-i", "POSTERN_CONFIG=%s" % other]
    p = _run(["runuser", "-u", "posterns1", "--"] + env
             + [os.path.join(bindir, "postern-postdrop")], input=b"")
    assert p.returncode == EX_NOPERM
    assert b"alternate_config_directories" in p.stderr
    p = _run(["runuser", "-u", "posterns1", "--",
              os.path.join(bindir, "postern-postdrop"), "-c", str(other)],
             input=b"")
    assert p.returncode == EX_NOPERM
    # Through sendmail: one clear line, the same refusal, nothing queued.
    argv = ["runuser", "-u", "posterns1", "--", "env", "-i",
            "POSTERN_CONFIG=" + other] + san_env() + [
            os.path.join(bindir, "postern-sendmail"), "posterns2"]
    p = _run(argv, input=b"Subject: x\n\nx\n")
    assert p.returncode == EX_NOPERM
    assert p.stderr.count(b"\n") == 1 and b"refusing" in p.stderr
    assert os.listdir(os.path.join(inst.queue_dir, "maildrop")) == []
    # root may use any directory (Postfix's rule).
    p = _run(["env", "-i", "POSTERN_CONFIG=" + other,
              os.path.join(bindir, "postern-postdrop")], input=b"")
    assert p.returncode == 65 and b"malformed input" in p.stderr


def test_postdrop_ignores_ld_preload(inst, bindir, users, pubdir):
    import pathlib
    tmp_path = pathlib.Path(pubdir)
    marker = tmp_path / "preloaded"
    src = tmp_path / "evil.c"
    src.write_text('#include <stdio.h>\n__attribute__((constructor)) '
                   'static void f(void){FILE*f=fopen("%s","w");'
                   'if(f)fclose(f);}\n' % marker)
    so = tmp_path / "evil.so"
    if _run(["gcc", "-shared", "-fPIC", "-o", str(so), str(src)]).returncode:
        pytest.skip("no compiler for the preload library")
    os.chmod(so, 0o755)
    os.chmod(tmp_path, 0o777)
    # Sanity: the library does run for an ordinary program.
    _run(["runuser", "-u", "posterns1", "--", "env", "LD_PRELOAD=%s" % so,
          "/bin/true"])
    assert marker.exists()
    marker.unlink()
    extra = {"LD_PRELOAD": str(so)}
    if "ASAN_OPTIONS" in os.environ:        # make asan: allow the preload
        extra["ASAN_OPTIONS"] = (os.environ["ASAN_OPTIONS"]
                                 + ":verify_asan_link_order=0")
    p = sendmail(inst, bindir, ["posterns2"], b"Subject: preload\n\nx\n",
                 user="posterns1", env_extra=extra)
    assert p.returncode == 0, p.stderr
    wait_msg(users, "posterns2", "preload")
    # sendmail itself (not set-gid) loads it; postdrop must not.
    if marker.exists():
        marker.unlink()
    p = _run(["runuser", "-u", "posterns1", "--", "env", "-i",
              "LD_PRELOAD=%s" % so, "POSTERN_CONFIG=" + inst.conf_dir,
              os.path.join(bindir, "postern-postdrop")], input=b"garbage")
    assert p.returncode != 0
    assert not marker.exists()


def test_user_cannot_write_maildrop(inst, users):
    path = os.path.join(inst.queue_dir, "maildrop", "ABCDEFGHIJKLM")
    p = _run(["runuser", "-u", "posterns1", "--", "/usr/bin/python3", "-c",
              "open(%r, 'w')" % path])
    assert p.returncode != 0
    assert b"PermissionError" in p.stderr
    assert not os.path.exists(path)
    st = os.stat(os.path.join(inst.queue_dir, "maildrop"))
    assert st.st_mode & 0o7777 == 0o730


def test_postdrop_rejects_malformed_stream(inst, bindir):
    p = _run(["runuser", "-u", "posterns1", "--", "env", "-i",
              "POSTERN_CONFIG=" + inst.conf_dir,
              os.path.join(bindir, "postern-postdrop")],
             input=b"V\x00\x00\x00\x0fpostern-queue 1R\x00\x00\x00\x01x")
    assert p.returncode == 65
    assert b"malformed input" in p.stderr
    left = [n for n in os.listdir(os.path.join(inst.queue_dir, "maildrop"))]
    assert left == []


def test_pickup_quarantines_forged_file(inst, bindir, users):
    name = "0000000000ZZ9"
    path = os.path.join(inst.queue_dir, "maildrop", name)
    with open(path, "wb") as f:
        f.write(b"V\x00\x00\x00\x0fpostern-queue 1" + b"\x00" * 40
                + b"R|/bin/sh -c 'touch /tmp/pwned'")
    os.chown(path, users["posterns1"].pw_uid, -1)
    os.chmod(path, 0o444)
    pids = inst.service_pids("pickup")
    p = sendmail(inst, bindir, ["posterns2"], b"Subject: after-corrupt\n\nx\n",
                 user="posterns1")
    assert p.returncode == 0, p.stderr
    wait_msg(users, "posterns2", "after-corrupt")
    corrupt = os.path.join(inst.queue_dir, "corrupt", name)
    wait_until(lambda: os.path.exists(corrupt), 10, "file in corrupt/")
    assert not os.path.exists(path)
    inst.wait_log(r"maildrop/%s: .*moved to corrupt/%s" % (name, name))
    assert inst.service_pids("pickup") == pids or inst.service_pids("pickup")


def test_mailq_and_newaliases_names(inst, bindir):
    p = sendmail(inst, bindir, [], b"", prog="mailq")
    assert p.returncode == 0, p.stderr
    db = os.path.join(inst.conf_dir, "aliases.db")
    os.unlink(db)
    p = sendmail(inst, bindir, [], b"", prog="newaliases")
    assert p.returncode == 0, p.stderr
    assert os.path.exists(db)
    p = sendmail(inst, bindir, ["-bp"], b"")
    assert p.returncode == 0, p.stderr


def test_submitted_while_stopped_is_delivered_after_start(inst, bindir, users):
    inst.stop()
    wait_until(lambda: not inst.service_pids("pickup"), 10, "pickup gone")
    p = sendmail(inst, bindir, ["posterns2"], b"Subject: while-down\n\nx\n",
                 user="posterns1")
    assert p.returncode == 0, p.stderr
    assert len(os.listdir(os.path.join(inst.queue_dir, "maildrop"))) == 1
    time.sleep(0.5)
    assert not [m for m in maildir_msgs(users, "posterns2")
                if m["Subject"] == "while-down"]
    inst.start()
    wait_msg(users, "posterns2", "while-down")
    assert os.listdir(os.path.join(inst.queue_dir, "maildrop")) == []


def test_hostile_envelope_limits(inst, bindir, users):
    maildrop = os.path.join(inst.queue_dir, "maildrop")
    # 10 000 recipients with -t: refused by postdrop's recipient limit.
    to = b"To: " + b",\n ".join(b"u%d@example.org" % i for i in range(10000))
    p = sendmail(inst, bindir, ["-t"], to + b"\nSubject: many\n\nx\n",
                 user="posterns1")
    assert p.returncode == 65 and b"too many recipients" in p.stderr
    # A huge -f sender.
    p = sendmail(inst, bindir, ["-f", "a" * 5000 + "@x", "posterns2"],
                 b"Subject: bigsender\n\nx\n", user="posterns1")
    assert p.returncode == 65
    assert os.listdir(maildrop) == []


def test_pipe_recipient_is_only_an_address(inst, bindir, users, pubdir):
    marker = os.path.join(pubdir, "pwned")
    mark = inst.log_mark()
    p = sendmail(inst, bindir, ["|/bin/touch %s" % marker],
                 b"Subject: pipe\n\nx\n", user="posterns1")
    assert p.returncode == 0, p.stderr
    inst.wait_log(r"to=<\|/bin/touch .*status=bounced \(unknown user",
                  since=mark, timeout=20)
    assert not os.path.exists(marker)


def test_pickup_quarantines_hard_link(inst, bindir, users, pubdir):
    name = "0000000001ZZ9"
    path = os.path.join(inst.queue_dir, "maildrop", name)
    with open(path, "wb") as f:
        f.write(b"whatever")
    os.link(path, os.path.join(pubdir, "other"))
    p = sendmail(inst, bindir, ["posterns2"], b"Subject: after-link\n\nx\n",
                 user="posterns1")
    assert p.returncode == 0, p.stderr
    wait_msg(users, "posterns2", "after-link")
    wait_until(lambda: os.path.exists(
        os.path.join(inst.queue_dir, "corrupt", name)), 10, "link quarantined")
    inst.wait_log(r"maildrop/%s: not a regular file with one link" % name)


def test_pickup_removes_stale_temp_file(inst, bindir, users):
    maildrop = os.path.join(inst.queue_dir, "maildrop")
    old = os.path.join(maildrop, "tmp.123.1.456")
    new = os.path.join(maildrop, "tmp.124.1.457")
    for path in (old, new):
        with open(path, "wb") as f:
            f.write(b"partial")
    os.utime(old, (time.time() - 3 * 86400,) * 2)
    p = sendmail(inst, bindir, ["posterns2"], b"Subject: after-stale\n\nx\n",
                 user="posterns1")
    assert p.returncode == 0, p.stderr
    wait_msg(users, "posterns2", "after-stale")
    wait_until(lambda: not os.path.exists(old), 10, "stale file removed")
    assert os.path.exists(new)      # maybe still being written: kept
    os.unlink(new)


def test_user_outside_setgid_group_lists_through_postdrop(inst, bindir, users):
    """`postern queue` by a user who cannot reach public/ runs the
    set-gid postern-postdrop -Q, which reaches public/showq; showq
    decides by the user's real uid (authorized_mailq_users: anyone)."""
    p = _run(["runuser", "-u", "posterns1", "--",
              os.path.join(bindir, "postern"), "-c", inst.conf_dir, "queue"],
             text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("Mail queue is empty") or "Queue ID" in p.stdout, p.stdout
    p = _run(["runuser", "-u", "posterns1", "--",
              os.path.join(bindir, "postern"), "-c", inst.conf_dir, "queue", "--json"],
             text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    # A user may not write into the queue through this path.
    p = _run(["runuser", "-u", "posterns1", "--",
              os.path.join(bindir, "postern-postdrop"), "-c", inst.conf_dir,
              "-Q", "evil"], text=True, timeout=60)
    assert p.returncode != 0
