"""test_map.py - `postern map` and `postern aliases` end to end.

Compiles a generated 100,000-line table (and reports how long it took),
queries it, checks the exit codes (0 found, 1 not found, 2 error) and
builds the alias_database tables named in a main.cf under tmp_path.
"""
import os
import subprocess
import time

import pytest

BUILD = os.environ.get("POSTERN_BUILD", os.path.join(os.getcwd(), "build"))
POSTERN = os.path.join(BUILD, "postern")


def postern(tmp_path, *args):
    """Run postern with a private config directory; return the result."""
    env = dict(os.environ, POSTERN_CONFIG=str(tmp_path))
    return subprocess.run([POSTERN, "-c", str(tmp_path)] + list(args),
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("kind", ["hash", "btree"])
def test_compile_100k_and_query(tmp_path, kind):
    src = tmp_path / "big"
    with open(src, "w") as f:
        for i in range(100000):
            f.write("User%d@Example%d.COM  smtp:[relay%d.example]:25\n" % (i, i % 100, i % 7))
    start = time.monotonic()
    r = postern(tmp_path, "map", "%s:%s" % (kind, src))
    took = time.monotonic() - start
    print("%s: 100,000 lines compiled in %.2f s" % (kind, took))
    assert r.returncode == 0, r.stderr
    assert took < 30
    assert (tmp_path / "big.db").exists()
    assert not [p for p in os.listdir(tmp_path) if ".tmp" in p], "temp file left"

    r = postern(tmp_path, "map", "-q", "user99999@EXAMPLE99.com", "%s:%s" % (kind, src))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "smtp:[relay4.example]:25\n"  # 99999 % 7 == 4
    r = postern(tmp_path, "map", "-q", "nobody@example.com", "%s:%s" % (kind, src))
    assert r.returncode == 1
    assert r.stdout == ""


def test_query_other_types(tmp_path):
    r = postern(tmp_path, "map", "-q", "B", "inline:{a=1, b=2}")
    assert (r.returncode, r.stdout) == (0, "2\n")
    r = postern(tmp_path, "map", "-q", "c", "inline:{a=1, b=2}")
    assert (r.returncode, r.stdout) == (1, "")
    r = postern(tmp_path, "map", "-q", "x", "static:{a b}")
    assert (r.returncode, r.stdout) == (0, "a b\n")
    rules = tmp_path / "re"
    rules.write_text("/^(.*)@example\\.com$/ local:$1\n")
    r = postern(tmp_path, "map", "-q", "Joe@EXAMPLE.com", "regexp:%s" % rules)
    assert (r.returncode, r.stdout) == (0, "local:Joe\n")
    r = postern(tmp_path, "map", "regexp:%s" % rules)
    assert r.returncode == 0, r.stderr


def test_errors_exit_2(tmp_path):
    rules = tmp_path / "re"
    rules.write_text("/ok/ fine\n/(/ broken\n")
    for args in (["map", "-q", "x", "regexp:%s" % rules],
                 ["map", "regexp:%s" % rules]):
        r = postern(tmp_path, *args)
        assert r.returncode == 2
        assert "%s:2:" % rules in r.stderr
    r = postern(tmp_path, "map", "hash:%s" % (tmp_path / "missing"))
    assert r.returncode == 2 and "missing" in r.stderr
    r = postern(tmp_path, "map", "-q", "x", "hash:%s" % (tmp_path / "missing"))
    assert r.returncode == 2
    r = postern(tmp_path, "map", "-q", "x", "nosuchtype:x")
    assert r.returncode == 2 and "unsupported" in r.stderr
    r = postern(tmp_path, "map", "-q", "x", "inline:{a=b")
    assert r.returncode == 2 and "missing '}'" in r.stderr
    r = postern(tmp_path, "map")
    assert r.returncode == 2 and "usage" in r.stderr
    (tmp_path / "bad.db").write_bytes(os.urandom(8192))
    (tmp_path / "bad").write_text("a b\n")
    r = postern(tmp_path, "map", "-q", "a", "hash:%s" % (tmp_path / "bad"))
    assert r.returncode in (1, 2)
    assert r.returncode == 2 or r.stdout == ""


def test_stale_warning_and_duplicates(tmp_path):
    src = tmp_path / "t"
    src.write_text("k first\nK second\n")
    r = postern(tmp_path, "map", "hash:%s" % src)
    assert r.returncode == 0
    assert "t:2: duplicate entry" in r.stderr
    r = postern(tmp_path, "map", "-q", "k", "hash:%s" % src)
    assert (r.returncode, r.stdout, r.stderr) == (0, "first\n", "")
    later = time.time() + 5
    os.utime(src, (later, later))
    r = postern(tmp_path, "map", "-q", "k", "hash:%s" % src)
    assert r.returncode == 0 and "older than" in r.stderr


def test_aliases(tmp_path):
    (tmp_path / "aliases").write_text(
        "# system aliases\n"
        "Postmaster: root\n"
        "root: admin@example.com,\n"
        "  \"|/usr/bin/logger -t mail\",\n"
        "  /var/log/root.mail\n"
        "staff: :include:%s/staff\n" % tmp_path)
    (tmp_path / "more").write_text("\"quoted name\": x\n")
    (tmp_path / "main.cf").write_text(
        "alias_database = hash:%s/aliases, btree:%s/more inline:{ignored=1}\n"
        % (tmp_path, tmp_path))
    r = postern(tmp_path, "aliases")
    assert r.returncode == 0, r.stderr
    r = postern(tmp_path, "map", "-q", "POSTMASTER", "hash:%s/aliases" % tmp_path)
    assert (r.returncode, r.stdout) == (0, "root\n")
    r = postern(tmp_path, "map", "-q", "root", "hash:%s/aliases" % tmp_path)
    assert r.stdout == ("admin@example.com,  \"|/usr/bin/logger -t mail\",  "
                        "/var/log/root.mail\n")
    r = postern(tmp_path, "map", "-q", "staff", "hash:%s/aliases" % tmp_path)
    assert r.stdout == ":include:%s/staff\n" % tmp_path
    r = postern(tmp_path, "map", "-q", "quoted name", "btree:%s/more" % tmp_path)
    assert (r.returncode, r.stdout) == (0, "x\n")


def test_aliases_errors(tmp_path):
    r = postern(tmp_path, "aliases")
    assert r.returncode == 2, "no main.cf"
    (tmp_path / "main.cf").write_text("alias_database = hash:%s/none\n" % tmp_path)
    r = postern(tmp_path, "aliases")
    assert r.returncode == 2 and "none" in r.stderr
