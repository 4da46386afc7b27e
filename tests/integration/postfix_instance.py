"""postfix_instance.py - a throw-away real Postfix instance for interop
tests (and the same setup tools/bench uses for its --vs-postfix run).

A PostfixInstance is a complete Postfix under one temporary root, started
with `postfix -c ROOT/conf`; it never touches the system's /etc/postfix
instance (which need not be configured, let alone running):

    ROOT/conf/main.cf, ROOT/conf/master.cf   configuration
    ROOT/queue, ROOT/data                    queue_directory, data_directory
    ROOT/mail/USER/{new,cur,tmp}             local delivery (Maildir: the
                                             mail_spool_directory ends in /)
    ROOT/maillog                             maillog_file (via postlogd)

smtpd listens on 127.0.0.1:port only; no daemon is chrooted. Needs root
(Postfix runs as mail_owner = postfix) and the postfix package.

    pf = PostfixInstance("b", main_extra={"mydestination": "b.test"})
    pf.start()
    pf.wait_log(r"status=sent")
    pf.maildir_messages("someuser")     # [bytes, ...]
    pf.cleanup()                        # stop (abort, kill) and remove

cleanup() always leaves no process behind: `postfix stop`, then
`postfix abort`, then SIGKILL to the master and every descendant it had.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

POSTFIX = "/usr/sbin/postfix"
POSTFIX_DAEMON_DIR = "/usr/lib/postfix/sbin"


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def postfix_available():
    """True when a Postfix can be run here (installed, and we are root)."""
    return (os.access(POSTFIX, os.X_OK) and os.geteuid() == 0
            and os.access(os.path.join(POSTFIX_DAEMON_DIR, "master"),
                          os.X_OK))


MASTER_CF = """\
127.0.0.1:%(port)d inet n - n - - smtpd%(smtpd_args)s
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
"""


def _pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _read_pid(path):
    try:
        with open(path) as f:
            pid = int(f.read().strip() or "0")
    except (OSError, ValueError):
        return None
    return pid if pid > 0 and _pid_alive(pid) else None


def _descendants(root):
    """Pids of every live descendant of root (not root itself)."""
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(name))
    out, todo = [], list(kids.get(root, []))
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


class PostfixInstance:
    """One temporary Postfix instance (see the module comment)."""

    def __init__(self, name="postfix", main_extra=None, smtpd_args="",
                 port=None, owner="postfix", top=None):
        self.name = name
        if top:
            self.root = os.path.join(top, name)
            os.makedirs(self.root, 0o755)
        else:
            self.root = tempfile.mkdtemp(prefix="postfix-%s-" % name,
                                         dir="/tmp")
        os.chmod(self.root, 0o755)
        self.conf_dir = os.path.join(self.root, "conf")
        self.queue_dir = os.path.join(self.root, "queue")
        self.data_dir = os.path.join(self.root, "data")
        self.mail_dir = os.path.join(self.root, "mail")
        self.maillog = os.path.join(self.root, "maillog")
        self.port = port or free_port()
        self.owner = owner
        self.main_extra = dict(main_extra or {})
        self.smtpd_args = smtpd_args
        for d in (self.conf_dir, self.queue_dir):
            os.makedirs(d, 0o755)
        os.makedirs(self.mail_dir)
        os.chmod(self.mail_dir, 0o1777)
        self.write_main_cf()
        self.write_master_cf()

    def main_cf(self):
        """The main.cf parameters (before main_extra is applied)."""
        return {
            "compatibility_level": "3.6",
            "queue_directory": self.queue_dir,
            "data_directory": self.data_dir,
            "mail_owner": self.owner,
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "myhostname": "localhost.localdomain",
            "mydomain": "localdomain",
            "mydestination": "$myhostname, localhost.localdomain, localhost",
            "alias_maps": "",
            "alias_database": "",
            "local_recipient_maps": "proxy:unix:passwd.byname",
            "mail_spool_directory": self.mail_dir + "/",
            "home_mailbox": "",
            "mailbox_command": "",
            "biff": "no",
            "maillog_file": self.maillog,
            "maillog_file_prefixes": self.root,
            "smtpd_banner": "$myhostname ESMTP",
        }

    def write_main_cf(self, extra=None):
        params = self.main_cf()
        params.update(self.main_extra)
        if extra:
            params.update(extra)
        with open(os.path.join(self.conf_dir, "main.cf"), "w") as f:
            f.writelines("%s = %s\n" % kv for kv in params.items())

    def write_master_cf(self):
        args = (" " + self.smtpd_args) if self.smtpd_args else ""
        with open(os.path.join(self.conf_dir, "master.cf"), "w") as f:
            f.write(MASTER_CF % {"port": self.port, "smtpd_args": args})

    def postfix(self, *args, check=False, timeout=120):
        """Run postfix -c conf_dir ARGS."""
        p = subprocess.run([POSTFIX, "-c", self.conf_dir] + list(args),
                           capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError("postfix %s (%s) failed (%d):\n%s%s\n%s"
                                 % (" ".join(args), self.name, p.returncode,
                                    p.stdout, p.stderr, self.log()[-3000:]))
        return p

    def master_pid(self):
        return _read_pid(os.path.join(self.queue_dir, "pid", "master.pid"))

    def start(self, timeout=30):
        """Start; return once smtpd's port accepts connections."""
        self.postfix("start", check=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port),
                                         timeout=2).close()
                return
            except OSError:
                if time.monotonic() >= deadline:
                    raise AssertionError("postfix %s: port %d not up; log:\n%s"
                                         % (self.name, self.port,
                                            self.log()[-3000:]))
                time.sleep(0.05)

    def stop(self, timeout=60):
        """postfix stop, and wait until the master is gone."""
        self.postfix("stop", timeout=timeout)
        deadline = time.monotonic() + timeout
        while self.master_pid() and time.monotonic() < deadline:
            time.sleep(0.1)

    def cleanup(self, keep=False):
        """Stop (stop, abort, SIGKILL to the whole tree); remove the root
        unless keep."""
        master = self.master_pid()
        if master:
            tree = _descendants(master)
            try:
                self.stop(timeout=30)
            except Exception:
                pass
            if self.master_pid():
                try:
                    self.postfix("abort", timeout=30)
                except Exception:
                    pass
            tree += _descendants(master)
            for pid in [master] + tree:
                if _pid_alive(pid):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            deadline = time.monotonic() + 10
            while (any(_pid_alive(p) for p in [master] + tree)
                   and time.monotonic() < deadline):
                time.sleep(0.05)
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def log(self):
        try:
            with open(self.maillog, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, regex, timeout=30.0, since=0):
        """Wait until the log after offset since matches regex; the Match."""
        rx = re.compile(regex)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.log()[since:])
            if m:
                return m
            if time.monotonic() >= deadline:
                raise AssertionError("postfix %s: timed out after %.0fs "
                                     "waiting for log line /%s/; log tail:\n%s"
                                     % (self.name, timeout, regex,
                                        self.log()[since:][-3000:]))
            time.sleep(0.05)

    def maildir_messages(self, user):
        """The messages in mail_dir/user/new, oldest first, as bytes."""
        new = os.path.join(self.mail_dir, user, "new")
        try:
            names = os.listdir(new)
        except OSError:
            return []
        paths = sorted((os.path.join(new, n) for n in names),
                       key=lambda p: os.stat(p).st_mtime)
        out = []
        for p in paths:
            with open(p, "rb") as f:
                out.append(f.read())
        return out
