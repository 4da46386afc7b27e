"""instance.py - a throw-away postern instance for integration tests.

An Instance is a self-contained mail system under one temporary root:

    ROOT/conf/main.cf, ROOT/conf/master.cf   configuration (-c ROOT/conf)
    ROOT/queue                               queue_directory
    ROOT/data                                data_directory
    ROOT/libexec                             daemon_directory
    ROOT/maillog                             maillog_file

daemon_directory holds COPIES of every program in $POSTERN_BUILD except
the postern* commands (master, smtpd, cleanup, ... as they exist) and of
every test service in $POSTERN_BUILD/tests/helpers/. Copies, not symlinks:
/proc/PID/exe of a process then lies under daemon_directory, which is how
the tests find "every process of this instance" (pids_under_daemon_dir).

The root is made with tempfile.mkdtemp() under /tmp (mode 0755), not under
pytest's tmp_path (mode 0700 for root): an unprivileged instance (user=
"posterntest") must be able to reach it. It is removed at teardown.

Typical use (the `instance` fixture in conftest.py makes and stops them):

    inst = make_instance(master_cf="%(port)s inet n - n - 2 test_echo\n")
    ...or...
    inst = Instance(); inst.write_master_cf(...); inst.start()
    port = inst.ports[0]
    inst.wait_log(r"test_echo.*ready")
    inst.stop()

The API (keep it stable, other test files use it):
    free_port(), wait_until(pred, timeout, what), ensure_system_accounts(),
    ensure_user(name), add_user(name, home), del_user(name),
    make_users(names, prefix) -> (homes, {name: pwd}), remove_users(names,
    homes), pids_under(path), read_status(pid), QUEUE_ID (regex)
    Instance(user=None, main_extra=None)
      .root .conf_dir .queue_dir .data_dir .daemon_dir .maillog .user
      .ports (3 free 127.0.0.1 ports reserved at creation) .new_port()
      .write_main_cf(extra=None) .write_master_cf(text)
      .postern(*args, check=False, timeout=60) -> CompletedProcess
      .start(check=True) .stop(check=True) .reload() .abort()
      .status() -> CompletedProcess
      .master_pid() -> int or None
      .pids() -> pids of processes whose exe is under daemon_dir
      .service_pids(command) -> same, for one program
      .log() -> str, .log_mark() -> int, .wait_log(regex, timeout, since)
      .connect(port, timeout) -> socket
      .wait_listening(port=ports[0], timeout) (until it accepts)
      .queue_ids(queue) -> sorted file names under queue_dir/queue
      .qdump(qid, queue="incoming") -> the queue file as tests/helpers/qdump
      .smtp_queue(sender, rcpts, data, port=ports[0]) -> queue ID
      .cleanup() (stop, kill leftovers, remove the tree)

The `users` fixture (conftest.py) creates a test module's USERS with
make_users() and removes them after the module.
"""
import grp
import json
import os
import pwd
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time

BUILD = os.environ.get("POSTERN_BUILD", os.path.abspath("build"))
SRC = os.environ.get("POSTERN_SRC", os.path.abspath("."))
POSTERN = os.path.join(BUILD, "postern")
HELPERS = os.path.join(BUILD, "tests", "helpers")

MAIL_OWNER = "postern"
SETGID_GROUP = "postdrop"
QUEUE_ID = re.compile(r"^[0-9A-Za-z]{12,20}$")
QUEUED = re.compile(r"queued as ([0-9A-Za-z]{12,20})")


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def wait_until(pred, timeout=10.0, what="condition", interval=0.05):
    """Poll pred() until it returns a true value; return that value.
    Raise AssertionError naming `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        val = pred()
        if val:
            return val
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1fs waiting for %s"
                                 % (timeout, what))
        time.sleep(interval)


def _run(argv):
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


def ensure_system_accounts():
    """Create group `postdrop` and user `postern` when missing (root)."""
    try:
        grp.getgrnam(SETGID_GROUP)
    except KeyError:
        _run(["groupadd", "--system", SETGID_GROUP])
    try:
        pwd.getpwnam(MAIL_OWNER)
    except KeyError:
        _run(["useradd", "--system", "--no-create-home", "--home-dir",
              "/nonexistent", "--shell", "/usr/sbin/nologin", "--user-group",
              MAIL_OWNER])


def ensure_user(name):
    """Create an ordinary (non-system) login user `name` when missing;
    return its passwd entry."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        _run(["useradd", "--no-create-home", "--home-dir", "/nonexistent",
              "--shell", "/usr/sbin/nologin", "--user-group", name])
        return pwd.getpwnam(name)


def del_user(name):
    """Remove user `name` (and its user group) if it exists."""
    subprocess.run(["userdel", name], capture_output=True, timeout=60)


def add_user(name, home="/nonexistent"):
    """(Re)create ordinary user `name` with its own group, home
    directory path `home` (not created) and no login shell; return its
    passwd entry."""
    del_user(name)
    _run(["useradd", "-M", "-d", home, "-s", "/usr/sbin/nologin", "-U", name])
    return pwd.getpwnam(name)


def make_users(names, prefix="postern-homes-"):
    """Create users `names` (add_user) with homes in a new temporary
    directory under /tmp (mode 0755; each home 0755, owned by its user).
    Return (that directory, {name: passwd entry}); undo with
    remove_users()."""
    homes = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
    os.chmod(homes, 0o755)
    made = {}
    for name in names:
        home = os.path.join(homes, name)
        ent = add_user(name, home)
        os.mkdir(home, 0o755)
        os.chown(home, ent.pw_uid, ent.pw_gid)
        made[name] = ent
    return homes, made


def remove_users(names, homes=None):
    """Remove users `names` and the directory `homes` of make_users()."""
    for name in names:
        del_user(name)
    if homes:
        shutil.rmtree(homes, ignore_errors=True)


def _exe(pid):
    try:
        return os.readlink("/proc/%d/exe" % pid)
    except OSError:
        return None


def pids_under(path):
    """Pids of live processes whose executable lies under directory path."""
    prefix = os.path.realpath(path).rstrip("/") + "/"
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        exe = _exe(int(name))
        if exe and exe.startswith(prefix):
            out.append(int(name))
    return sorted(out)


def read_status(pid):
    """/proc/PID/status as a dict (e.g. d["Seccomp"] == "2",
    d["Uid"].split()), or None when the process is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            text = f.read()
    except OSError:
        return None
    d = {}
    for line in text.splitlines():
        k, _, v = line.partition(":")
        d[k] = v.strip()
    return d


class Instance:
    """One temporary postern instance (see the module comment)."""

    def __init__(self, user=None, main_extra=None):
        ensure_system_accounts()
        self.user = user
        self.owner = user or MAIL_OWNER
        self.root = tempfile.mkdtemp(prefix="postern-inst-", dir="/tmp")
        os.chmod(self.root, 0o755)
        self.conf_dir = os.path.join(self.root, "conf")
        self.queue_dir = os.path.join(self.root, "queue")
        self.data_dir = os.path.join(self.root, "data")
        self.daemon_dir = os.path.join(self.root, "libexec")
        self.maillog = os.path.join(self.root, "maillog")
        self.ports = [free_port() for _ in range(3)]
        self.main_extra = dict(main_extra or {})
        for d in (self.conf_dir, self.daemon_dir):
            os.mkdir(d, 0o755)
        self._install_programs()
        self.write_main_cf()
        self.write_master_cf("")
        with open(self.maillog, "a"):
            pass
        if user:
            ent = pwd.getpwnam(user)
            for dirpath, dirnames, filenames in os.walk(self.root):
                for n in [dirpath] + [os.path.join(dirpath, f)
                                      for f in dirnames + filenames]:
                    os.lchown(n, ent.pw_uid, ent.pw_gid)

    def _install_programs(self):
        # Every program in $POSTERN_BUILD except the postern* commands
        # (master, the daemons, pickup, ...), and every test service.
        progs = [os.path.join(BUILD, n) for n in sorted(os.listdir(BUILD))
                 if not n.startswith("postern")]
        if os.path.isdir(HELPERS):
            for name in sorted(os.listdir(HELPERS)):
                progs.append(os.path.join(HELPERS, name))
        for p in progs:
            if os.path.isfile(p) and os.access(p, os.X_OK):
                dst = os.path.join(self.daemon_dir, os.path.basename(p))
                shutil.copy2(p, dst)
                os.chmod(dst, 0o755)

    def new_port(self):
        port = free_port()
        self.ports.append(port)
        return port

    def write_main_cf(self, extra=None):
        """(Re)write main.cf: the instance paths, mail_owner, 127.0.0.1
        only, plus main_extra and extra (name -> value)."""
        params = {
            "queue_directory": self.queue_dir,
            "data_directory": self.data_dir,
            "daemon_directory": self.daemon_dir,
            "maillog_file": self.maillog,
            "mail_owner": self.owner,
            "setgid_group": SETGID_GROUP if not self.user else self.user,
            "myhostname": "mail.example.test",
            "mydomain": "example.test",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "max_idle": "100s",
            "alias_maps": "",
            "alias_database": "",
        }
        params.update(self.main_extra)
        if extra:
            params.update(extra)
        text = "".join("%s = %s\n" % kv for kv in params.items())
        self._write(os.path.join(self.conf_dir, "main.cf"), text)

    def write_master_cf(self, text):
        """(Re)write master.cf with text; "%(port0)s" .. "%(port2)s" in
        it are replaced by self.ports[0..2]."""
        subst = {"port%d" % i: p for i, p in enumerate(self.ports)}
        self._write(os.path.join(self.conf_dir, "master.cf"), text % subst)

    def _write(self, path, text):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        if self.user:
            ent = pwd.getpwnam(self.user)
            os.chown(tmp, ent.pw_uid, ent.pw_gid)
        os.rename(tmp, path)

    def postern(self, *args, check=False, timeout=60):
        """Run postern -c conf_dir ARGS (as self.user when set)."""
        argv = [POSTERN, "-c", self.conf_dir] + [str(a) for a in args]
        if self.user:
            argv = ["runuser", "-u", self.user, "--"] + argv
        env = {k: v for k, v in os.environ.items() if k != "POSTERN_CONFIG"}
        p = subprocess.run(argv, capture_output=True, text=True, env=env,
                           timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError("postern %s failed (%d):\n%s%s\n--- log:\n%s"
                                 % (" ".join(map(str, args)), p.returncode,
                                    p.stdout, p.stderr, self.log()[-3000:]))
        return p

    def start(self, check=True):
        return self.postern("start", check=check)

    def stop(self, check=True):
        return self.postern("stop", check=check)

    def reload(self, check=True):
        return self.postern("reload", check=check)

    def abort(self, check=True):
        return self.postern("abort", check=check)

    def status(self, check=False):
        return self.postern("status", check=check)

    def master_pid(self):
        """The pid in queue_directory/pid/master.pid when that process
        is alive, else None."""
        try:
            with open(os.path.join(self.queue_dir, "pid", "master.pid")) as f:
                pid = int(f.read().strip() or "0")
        except (OSError, ValueError):
            return None
        if pid <= 0:
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        st = read_status(pid)
        if st is None or st.get("State", "").startswith("Z"):
            return None
        return pid

    def pids(self):
        """Every live process of this instance (master included)."""
        return [p for p in pids_under(self.daemon_dir)
                if not (read_status(p) or {}).get("State", "Z").startswith("Z")]

    def service_pids(self, command):
        """Live processes running daemon_directory/command."""
        path = os.path.realpath(os.path.join(self.daemon_dir, command))
        return [p for p in self.pids() if _exe(p) == path]

    def log(self):
        try:
            with open(self.maillog, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_mark(self):
        """The current length of the log, for wait_log(since=...)."""
        return len(self.log())

    def wait_log(self, regex, timeout=10.0, since=0):
        """Wait until a log line after offset `since` matches regex;
        return the re.Match."""
        rx = re.compile(regex)

        def probe():
            return rx.search(self.log()[since:])
        try:
            return wait_until(probe, timeout, "log line /%s/" % regex)
        except AssertionError as e:
            raise AssertionError("%s; log tail:\n%s"
                                 % (e, self.log()[since:][-3000:])) from None

    def connect(self, port, timeout=10.0):
        """A connected TCP socket to 127.0.0.1:port (retried until the
        timeout), with timeout set for later I/O."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return socket.create_connection(("127.0.0.1", port),
                                                timeout=timeout)
            except OSError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    def wait_listening(self, port=None, timeout=10.0):
        """Wait until 127.0.0.1:port (default ports[0]) accepts a
        connection."""
        port = self.ports[0] if port is None else port
        try:
            self.connect(port, timeout).close()
        except OSError as e:
            raise AssertionError("127.0.0.1:%d not listening after %.1fs: %s"
                                 % (port, timeout, e)) from None

    def queue_ids(self, queue):
        """The sorted names of the files under queue_dir/queue."""
        out = []
        for _, _, files in os.walk(os.path.join(self.queue_dir, queue)):
            out += files
        return sorted(out)

    def qdump(self, qid, queue="incoming"):
        """The queue file qid of queue (any hash subdirectory) read by
        the real queue-file reader (tests/helpers/qdump), as a dict."""
        paths = [os.path.join(d, qid) for d, _, files
                 in os.walk(os.path.join(self.queue_dir, queue)) if qid in files]
        assert len(paths) == 1, "queue file %s not found" % qid
        out = subprocess.run([os.path.join(HELPERS, "qdump"), paths[0]],
                             capture_output=True, timeout=10)
        assert out.returncode == 0, out.stderr.decode()
        return json.loads(out.stdout.decode())

    def smtp_queue(self, sender, rcpts, data, port=None, timeout=20):
        """Send one message over SMTP (EHLO client.example) to
        127.0.0.1:port (default ports[0]); MAIL, every RCPT and DATA must
        succeed. Return the queue ID of the 250 reply to DATA."""
        port = self.ports[0] if port is None else port
        with smtplib.SMTP("127.0.0.1", port, timeout=timeout) as s:
            s.ehlo("client.example")
            code, resp = s.mail(sender)
            assert code == 250, resp
            for r in rcpts:
                code, resp = s.rcpt(r)
                assert code == 250, resp
            code, resp = s.data(data)
            assert code == 250, resp
            return QUEUED.search(resp.decode()).group(1)

    def cleanup(self):
        """Stop the instance (stop, else abort, else SIGKILL to every
        process under daemon_dir) and remove its files."""
        try:
            if self.master_pid():
                p = self.postern("stop", timeout=60)
                if p.returncode != 0 and self.master_pid():
                    self.postern("abort", timeout=30)
        except Exception:
            pass
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            wait_until(lambda: not self.pids(), 10, "instance processes gone")
        except AssertionError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
