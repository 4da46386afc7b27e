"""default_main_cf.py - point the default main.cf at a test instance.

postern-sendmail and postern-postdrop always read the default
configuration directory first (DEF_CONF, test_sendmail.py); it may only
name other directories through alternate_config_directories. While the
context is active, DEF_CONF/main.cf holds just that line, naming the
instance's conf_dir; afterwards the old main.cf comes back (or the file,
and the directory if it was made here, go away).

    with default_main_cf(DEF_CONF, inst.conf_dir):
        ...
"""
import contextlib
import os


@contextlib.contextmanager
def default_main_cf(def_conf, conf_dir):
    saved = None
    made_dir = not os.path.isdir(def_conf)
    main_cf = os.path.join(def_conf, "main.cf")
    if made_dir:
        os.makedirs(def_conf, 0o755)
    elif os.path.exists(main_cf):
        with open(main_cf) as f:
            saved = f.read()
    with open(main_cf, "w") as f:
        f.write("alternate_config_directories = %s\n" % conf_dir)
    os.chmod(main_cf, 0o644)
    try:
        yield
    finally:
        if saved is not None:
            with open(main_cf, "w") as f:
                f.write(saved)
        else:
            os.unlink(main_cf)
            if made_dir:
                os.rmdir(def_conf)
