import os
import threading

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, identify_hasher, make_password

from core import hashers
from core.hashers import LowPriorityPBKDF2PasswordHasher


def test_the_low_priority_hasher_computes_exactly_djangos_pbkdf2():
    ours = LowPriorityPBKDF2PasswordHasher().encode("opora-demo-2026", "fixedsalt123456", 1000)
    django = PBKDF2PasswordHasher().encode("opora-demo-2026", "fixedsalt123456", 1000)

    assert ours == django
    assert ours.startswith("pbkdf2_sha256$1000$fixedsalt123456$")


def test_new_passwords_use_it_and_djangos_stored_hashes_still_verify():
    stored_by_django = PBKDF2PasswordHasher().encode("секрет-2026", PBKDF2PasswordHasher().salt())

    assert isinstance(identify_hasher(make_password("x")), LowPriorityPBKDF2PasswordHasher)
    assert check_password("секрет-2026", stored_by_django)
    assert not check_password("другой", stored_by_django)


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread priorities are a Linux feature")
def test_the_hash_runs_in_a_thread_at_nice_19(monkeypatch):
    seen = {}
    original = PBKDF2PasswordHasher.encode

    def spy(self, password, salt, iterations=None):
        seen["thread"] = threading.get_native_id()
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return original(self, password, salt, iterations)

    monkeypatch.setattr(PBKDF2PasswordHasher, "encode", spy)
    LowPriorityPBKDF2PasswordHasher().encode("x", "fixedsalt123456", 10)

    assert seen["thread"] != threading.get_native_id()
    assert seen["nice"] == hashers.NICE
