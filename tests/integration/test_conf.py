"""test_conf.py - `postern conf` and `postern check` against temporary
configuration directories (and the shipped conf/ directory).

Runs $POSTERN_BUILD/postern -c DIR ...; never touches system config.
"""
import os
import stat
import subprocess

import pytest

BUILD = os.environ.get("POSTERN_BUILD", os.path.abspath("build"))
SRC = os.environ.get("POSTERN_SRC", os.path.abspath("."))
POSTERN = os.path.join(BUILD, "postern")


def run(confdir, *args):
    """Run postern -c confdir args...; return (rc, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if k != "POSTERN_CONFIG"}
    p = subprocess.run([POSTERN, "-c", str(confdir)] + list(args),
                       capture_output=True, text=True, env=env, timeout=30)
    return p.returncode, p.stdout, p.stderr


def make_conf(tmp_path, main_cf, master_cf="smtp inet n - n - - smtpd\n"):
    d = tmp_path / "conf"
    d.mkdir()
    (d / "main.cf").write_text(main_cf)
    (d / "master.cf").write_text(master_cf)
    return d


def test_shipped_conf_non_default_values():
    rc, out, err = run(os.path.join(SRC, "conf"), "conf", "-n")
    assert rc == 0, err
    assert out.splitlines() == [
        "delay_warning_time = 4h",
        "recipient_delimiter = +",
        "smtpd_banner = $myhostname ESMTP",
    ]


def test_shipped_conf_checks_clean():
    rc, out, err = run(os.path.join(SRC, "conf"), "check")
    assert rc == 0, err
    assert "error" not in err


def test_all_parameters_sorted_with_raw_values(tmp_path):
    d = make_conf(tmp_path, "myhostname = mx.example.com\nmyorigin = $mydomain\n")
    rc, out, err = run(d, "conf")
    assert rc == 0, err
    lines = out.splitlines()
    names = [l.split(" =")[0] for l in lines]
    assert names == sorted(names)
    assert len(names) > 100
    assert "myorigin = $mydomain" in lines, "raw value, not expanded"
    assert "myhostname = mx.example.com" in lines
    assert "mydestination = $myhostname, localhost.$mydomain, localhost" in lines
    assert "relay_domains =" in lines
    assert "queue_directory = /var/spool/postern" in lines


def test_named_parameters_defaults_and_expansion(tmp_path):
    d = make_conf(tmp_path, "myhostname = mx.example.com\n")
    rc, out, err = run(d, "conf", "myorigin", "message_size_limit")
    assert rc == 0, err
    assert out == "myorigin = $myhostname\nmessage_size_limit = 10240000\n"
    rc, out, err = run(d, "conf", "-x", "mydestination")
    assert out == "mydestination = mx.example.com, localhost.example.com, localhost\n"
    rc, out, err = run(d, "conf", "-h", "mydomain")
    assert out == "example.com\n"
    rc, out, err = run(d, "conf", "-d", "myhostname", "smtpd_helo_required")
    assert rc == 0, err
    assert "myhostname = mx.example.com" not in out, "-d ignores main.cf"
    assert "smtpd_helo_required = yes" in out


def test_unknown_name_is_an_error(tmp_path):
    d = make_conf(tmp_path, "")
    rc, out, err = run(d, "conf", "myorigin", "no_such_thing")
    assert rc != 0
    assert "no_such_thing" in err
    assert out == "myorigin = $myhostname\n"


def test_missing_main_cf_is_an_error(tmp_path):
    rc, out, err = run(tmp_path, "conf")
    assert rc != 0
    assert "main.cf" in err


def test_edit_keeps_comments_and_order(tmp_path):
    text = ("# header comment\n"
            "alpha_x = 1\n"
            "relayhost = [old]:25\n"
            "  continued part\n"
            "# middle comment\n"
            "mynetworks = 127.0.0.0/8\n"
            "relayhost = second\n"
            "# trailer")
    d = make_conf(tmp_path, text)
    os.chmod(d / "main.cf", 0o640)
    rc, out, err = run(d, "conf", "-e", "relayhost=[new]:587",
                       "message_size_limit = 20000000")
    assert rc == 0, err
    assert (d / "main.cf").read_text() == (
        "# header comment\n"
        "alpha_x = 1\n"
        "relayhost = [new]:587\n"
        "# middle comment\n"
        "mynetworks = 127.0.0.0/8\n"
        "# trailer\n"
        "message_size_limit = 20000000\n")
    assert stat.S_IMODE(os.stat(d / "main.cf").st_mode) == 0o640
    assert [f for f in os.listdir(d) if f.startswith(".main.cf")] == []
    rc, out, err = run(d, "conf", "-h", "relayhost", "message_size_limit")
    assert out == "[new]:587\n20000000\n"


def test_edit_refuses_bad_input(tmp_path):
    d = make_conf(tmp_path, "a = 1\n")
    before = (d / "main.cf").read_text()
    for arg in ["noequals", "bad-name=1", "=1", "x=line\nbreak"]:
        rc, out, err = run(d, "conf", "-e", arg)
        assert rc != 0, arg
        assert err, arg
    assert (d / "main.cf").read_text() == before


def test_check_reports_file_and_line(tmp_path):
    d = make_conf(tmp_path,
                  "# comment\n"
                  "frobnicate = yes\n"
                  "hopcount_limit = lots\n"
                  "smtpd_timeout = 10x\n",
                  "smtp inet n - n - - smtpd\n"
                  "# comment\n"
                  "bad unix n - n\n")
    rc, out, err = run(d, "check")
    assert rc == 1
    main = str(d / "main.cf")
    master = str(d / "master.cf")
    assert f"{main}:2: warning: unused parameter: frobnicate=yes" in err
    assert f"{main}:3: error: parameter hopcount_limit" in err
    assert f"{main}:4: error: parameter smtpd_timeout" in err
    assert f"{master}:3: too few columns" in err


def test_check_warnings_only_exit_zero(tmp_path):
    d = make_conf(tmp_path, "frobnicate = yes\nalias_maps =\nalias_database =\n"
                  "local_recipient_maps =\n")
    rc, out, err = run(d, "check")
    assert rc == 0, err
    assert "unused parameter: frobnicate=yes" in err


def test_check_master_cf_override_values(tmp_path):
    d = make_conf(tmp_path, "alias_maps =\nalias_database =\nlocal_recipient_maps =\n",
                  "smtp inet n - n - - smtpd -o smtpd_timeout=never\n"
                  "  -o frob=1\n")
    rc, out, err = run(d, "check")
    assert rc == 1
    assert f"{d}/master.cf:1: error: service smtp/inet: -o smtpd_timeout" in err
    assert f"{d}/master.cf:1: warning: service smtp/inet: -o frob: unknown parameter" in err


def test_check_stale_table(tmp_path):
    aliases = tmp_path / "aliases"
    aliases.write_text("root: admin\n")
    d = make_conf(tmp_path, f"alias_maps = hash:{aliases}\nalias_database = $alias_maps\n"
                  "local_recipient_maps =\n")
    rc, out, err = run(d, "check")
    assert rc == 0, err
    assert f"hash:{aliases}" in err and "postern map" in err
    assert err.count(f"table hash:{aliases}") == 1, "each table once"
