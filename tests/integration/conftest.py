"""conftest.py - shared pytest fixtures for the integration tests.

make_instance(**kw) builds an instance.Instance (kw: user, main_extra,
master_cf text, start=True) and stops and removes it at teardown;
`instance` is a plain, not yet started Instance.

`users` (module scope) creates the user names in the test module's USERS
tuple with instance.make_users() (homes under a temporary directory) and
removes them after the module: {name: passwd entry}. It skips the module
when not run as root.
"""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from instance import Instance, make_users, remove_users  # noqa: E402


@pytest.fixture
def make_instance():
    made = []

    def make(master_cf=None, start=False, user=None, main_extra=None):
        inst = Instance(user=user, main_extra=main_extra)
        made.append(inst)
        if master_cf is not None:
            inst.write_master_cf(master_cf)
        if start:
            inst.start()
        return inst
    yield make
    for inst in made:
        inst.cleanup()


@pytest.fixture
def instance(make_instance):
    return make_instance()


@pytest.fixture(scope="module")
def users(request):
    if os.geteuid() != 0:
        pytest.skip("needs root (useradd)")
    names = request.module.USERS
    homes, made = make_users(names)
    yield made
    remove_users(names, homes)
