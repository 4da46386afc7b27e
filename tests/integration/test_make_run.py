"""test_make_run.py - `make run` (tools/make-run): the self-contained
instance in the foreground, set up in a temporary RUN directory
(POSTERN_RUN_DIR) on free ports (POSTERN_RUN_SMTP_PORT,
POSTERN_RUN_SUBMISSION_PORT) from the programs in $POSTERN_BUILD.

Checks the set-up (main.cf, generated master.cf, compiled aliases, what it
prints), that mail sent to postmaster@localhost reaches the Maildir of
root under RUN/mail/ (when qmgr and local are built), that SIGINT (^C)
stops every process cleanly, that a second run keeps main.cf edits, and
that a non-root user runs everything as that user.
"""
import os
import pwd
import shutil
import signal
import smtplib
import ssl
import subprocess
import tempfile

import pytest

from instance import (BUILD, SRC, ensure_system_accounts, ensure_user,
                      free_port, read_status, wait_until)

MAKE_RUN = os.path.join(SRC, "tools", "make-run")
TEST_USER = "posterntest"


def delivery_built():
    return all(os.access(os.path.join(BUILD, p), os.X_OK)
               for p in ("qmgr", "local"))


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return []


class Run:
    """One foreground make-run in its own RUN directory."""

    def __init__(self, user=None):
        self.user = user
        self.top = tempfile.mkdtemp(prefix="postern-run-", dir="/tmp")
        os.chmod(self.top, 0o755)
        self.dir = os.path.join(self.top, "run")
        self.etc = os.path.join(self.dir, "etc")
        self.smtp_port = free_port()
        self.sub_port = free_port()
        self.out_path = os.path.join(self.top, "out")
        self.proc = None
        if user:
            ent = pwd.getpwnam(user)
            os.chown(self.top, ent.pw_uid, ent.pw_gid)

    def env(self, **extra):
        env = {k: v for k, v in os.environ.items() if k != "POSTERN_CONFIG"}
        env.update(POSTERN_RUN_DIR=self.dir,
                   POSTERN_RUN_SMTP_PORT=str(self.smtp_port),
                   POSTERN_RUN_SUBMISSION_PORT=str(self.sub_port))
        env.update(extra)
        return env

    def argv(self):
        argv = [MAKE_RUN, BUILD]
        if self.user:
            argv = ["runuser", "-u", self.user, "--", "env",
                    "POSTERN_RUN_DIR=" + self.dir,
                    "POSTERN_RUN_SMTP_PORT=%d" % self.smtp_port,
                    "POSTERN_RUN_SUBMISSION_PORT=%d" % self.sub_port] + argv
        return argv

    def start(self):
        out = open(self.out_path, "w")
        self.proc = subprocess.Popen(self.argv(), stdout=out,
                                     stderr=subprocess.STDOUT, env=self.env(),
                                     cwd=SRC, start_new_session=True)
        out.close()
        wait_until(lambda: "daemon started" in self.output()
                   or self.proc.poll() is not None, 60, "master started")
        assert self.proc.poll() is None, self.output()
        return self

    def output(self):
        with open(self.out_path, errors="replace") as f:
            return f.read()

    def master_pid(self):
        """runuser forks: the master is not always our child."""
        with open(os.path.join(self.dir, "queue", "pid", "master.pid")) as f:
            return int(f.read().strip())

    def pids(self):
        """Every process started with -c RUN/etc (master and daemons)."""
        conf = self.etc.encode()
        out = []
        for name in os.listdir("/proc"):
            if name.isdigit() and conf in cmdline(int(name)):
                st = read_status(int(name)) or {}
                if not st.get("State", "Z").startswith("Z"):
                    out.append(int(name))
        return out

    def interrupt(self):
        """^C: SIGINT to the master; wait for a clean exit."""
        os.kill(self.master_pid(), signal.SIGINT)
        rc = self.proc.wait(timeout=40)
        return rc

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.kill(self.master_pid(), signal.SIGQUIT)
                self.proc.wait(timeout=20)
            except Exception:
                self.proc.kill()
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(self.top, ignore_errors=True)


@pytest.fixture
def runs():
    ensure_system_accounts()
    made = []

    def make(user=None):
        r = Run(user)
        made.append(r)
        return r
    yield make
    for r in made:
        r.cleanup()


def send(port, rcpt, subject):
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.sendmail("tester@localhost", [rcpt],
                   "Subject: %s\r\nFrom: tester@localhost\r\n\r\nhello\r\n"
                   % subject)


def maildir_files(path):
    new = os.path.join(path, "new")
    try:
        return [os.path.join(new, n) for n in os.listdir(new)]
    except OSError:
        return []


def wait_delivered(run, path, subject, timeout=30):
    def probe():
        for f in maildir_files(path):
            with open(f, errors="replace") as fh:
                text = fh.read()
            if "Subject: %s" % subject in text:
                return text
        return None
    try:
        return wait_until(probe, timeout, "delivery to %s" % path, 0.1)
    except AssertionError as e:
        raise AssertionError("%s; output:\n%s" % (e, run.output()[-3000:]))


def test_set_up_send_and_interrupt(runs):
    run = runs().start()
    out = run.output()
    # What it prints: the ports, where mail lands, a test command.
    assert "127.0.0.1:%d" % run.smtp_port in out
    assert "127.0.0.1:%d" % run.sub_port in out
    assert os.path.join(run.dir, "mail") + "/USER/new/" in out
    assert ("swaks --server 127.0.0.1:%d --to root@localhost"
            % run.smtp_port) in out
    assert "Ctrl-C" in out

    # The instance: main.cf settings, master.cf from the build dir.
    conf = subprocess.run([os.path.join(BUILD, "postern"), "-c", run.etc,
                           "conf", "mydestination", "mail_spool_directory",
                           "daemon_directory", "alias_maps",
                           "inet_interfaces", "mail_owner"],
                          capture_output=True, text=True, check=True).stdout
    assert "mail_spool_directory = %s/mail/\n" % run.dir in conf
    assert "daemon_directory = %s\n" % BUILD in conf
    assert "alias_maps = hash:%s/aliases\n" % run.etc in conf
    assert "inet_interfaces = 127.0.0.1\n" in conf
    assert "mail_owner = postern\n" in conf
    assert "localhost" in conf.split("mydestination = ")[1].split("\n")[0]
    with open(os.path.join(run.etc, "master.cf")) as f:
        mcf = f.read()
    assert "127.0.0.1:%d inet n - y - - smtpd" % run.smtp_port in mcf
    assert "127.0.0.1:%d inet n - y - - smtpd" % run.sub_port in mcf
    assert "cleanup unix" in mcf
    assert ("local unix - n n - - local" in mcf) == os.access(
        os.path.join(BUILD, "local"), os.X_OK)
    assert os.path.exists(os.path.join(run.etc, "aliases.db"))
    q = subprocess.run([os.path.join(BUILD, "postern"), "-c", run.etc,
                        "map", "-q", "postmaster", "hash:%s/aliases" % run.etc],
                       capture_output=True, text=True)
    assert q.returncode == 0 and q.stdout.strip() == "root"
    assert os.stat(os.path.join(run.dir, "mail")).st_mode & 0o7777 == 0o755

    # Mail to postmaster@localhost (alias of root) and to an unknown user.
    send(run.smtp_port, "postmaster@localhost", "make-run test")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as e:
        send(run.smtp_port, "no-such-user-xyz@localhost", "x")
    assert e.value.recipients["no-such-user-xyz@localhost"][0] == 550
    if delivery_built():
        text = wait_delivered(run, os.path.join(run.dir, "mail", "root"),
                              "make-run test")
        assert "hello" in text
        assert "Delivered-To:" in text

    # ^C: every process of the instance goes away, the master exits 0.
    pids = run.pids()
    assert len(pids) >= 2, run.output()
    assert run.interrupt() == 0, run.output()
    wait_until(lambda: not run.pids(), 20, "instance processes gone")
    assert "master exiting" in run.output()
    assert not os.path.exists(os.path.join(run.dir, "queue", "pid",
                                           "master.pid"))


def test_submission_needs_tls_and_auth(runs):
    run = runs().start()
    with open(os.path.join(run.etc, "sasl_password")) as f:
        password = f.read().strip()
    assert len(password) >= 16
    with smtplib.SMTP("127.0.0.1", run.sub_port, timeout=30) as s:
        s.ehlo()
        code, _ = s.mail("dev@localhost")
        assert code == 530                       # STARTTLS first
    with smtplib.SMTP("127.0.0.1", run.sub_port, timeout=30) as s:
        s.starttls(context=ssl._create_unverified_context())
        with pytest.raises(smtplib.SMTPAuthenticationError):
            s.login("dev", password + "x")
    with smtplib.SMTP("127.0.0.1", run.sub_port, timeout=30) as s:
        s.starttls(context=ssl._create_unverified_context())
        s.login("dev", password)
        assert s.sendmail("dev@localhost", ["root@localhost"],
                          "Subject: sub\r\n\r\nhi\r\n") == {}
    assert run.interrupt() == 0


def test_second_run_keeps_edits_and_regenerates_master_cf(runs):
    run = runs().start()
    assert run.interrupt() == 0
    postern = os.path.join(BUILD, "postern")
    subprocess.run([postern, "-c", run.etc, "conf", "-e",
                    "delay_warning_time=2h", "daemon_directory=/nonexistent"],
                   check=True, capture_output=True)
    with open(os.path.join(run.etc, "master.cf"), "a") as f:
        f.write("bogus unix - - n - - nonexistent-program\n")
    with open(os.path.join(run.etc, "aliases"), "a") as f:
        f.write("extra: root\n")
    run.smtp_port = free_port()
    run.start()
    conf = subprocess.run([postern, "-c", run.etc, "conf",
                           "delay_warning_time", "daemon_directory"],
                          capture_output=True, text=True, check=True).stdout
    assert "delay_warning_time = 2h" in conf             # kept
    assert "daemon_directory = %s" % BUILD in conf       # re-applied
    with open(os.path.join(run.etc, "master.cf")) as f:
        mcf = f.read()
    assert "bogus" not in mcf
    assert "127.0.0.1:%d inet" % run.smtp_port in mcf
    q = subprocess.run([postern, "map", "-q", "extra",
                        "hash:%s/aliases" % run.etc],
                       capture_output=True, text=True)
    assert q.stdout.strip() == "root"                    # recompiled
    send(run.smtp_port, "root@localhost", "second run")
    assert run.interrupt() == 0


def test_bad_port_is_refused(runs):
    run = runs()
    p = subprocess.run([MAKE_RUN, BUILD], capture_output=True, text=True,
                       env=run.env(POSTERN_RUN_SMTP_PORT="25x"), timeout=60)
    assert p.returncode != 0
    assert "POSTERN_RUN_SMTP_PORT" in p.stderr
    assert not os.path.exists(os.path.join(run.dir, "etc"))


def test_non_root_runs_as_that_user(runs):
    ent = ensure_user(TEST_USER)
    run = runs(user=TEST_USER).start()
    conf = subprocess.run([os.path.join(BUILD, "postern"), "-c", run.etc,
                           "conf", "mail_owner"],
                          capture_output=True, text=True).stdout
    assert conf.strip() == "mail_owner = %s" % TEST_USER
    send(run.smtp_port, "%s@localhost" % TEST_USER, "unprivileged")
    pids = run.pids()
    assert pids
    for pid in pids:
        st = read_status(pid)
        if st:
            assert st["Uid"].split()[0] == str(ent.pw_uid), (pid, st)
    if delivery_built():
        wait_delivered(run, os.path.join(run.dir, "mail", TEST_USER),
                       "unprivileged")
    # runuser is our child; it passes on the master's exit status.
    os.kill(run.master_pid(), signal.SIGINT)
    assert run.proc.wait(timeout=40) == 0
    wait_until(lambda: not run.pids(), 20, "instance processes gone")
