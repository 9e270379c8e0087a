"""Test-only (never on a production path): a slow machine, for tests/e2e/test_crash_recovery.py.

A worker started with this directory first on PYTHONPATH runs `CLAIM_INTAKE_TEST_SLOW_CALL`
("module:function") CLAIM_INTAKE_TEST_SLOW_S seconds late, in every process it starts: its
flow-run processes so take long enough for the test to kill the machine mid-batch, whatever the
speed of the machine. With CLAIM_INTAKE_TEST_SLOW_BUSY=1 the delay is spent computing in the
calling thread instead of sleeping: a busy machine, whose heartbeat thread must still get its
turn. Python imports `sitecustomize` at start-up; this one wraps the function
when its module is first imported, before anything imports the name from it."""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import os
import sys
import time

_TARGET = os.environ.get("CLAIM_INTAKE_TEST_SLOW_CALL", "")
_DELAY_S = float(os.environ.get("CLAIM_INTAKE_TEST_SLOW_S", "0"))
_BUSY = os.environ.get("CLAIM_INTAKE_TEST_SLOW_BUSY") == "1"


def _wait() -> None:
    if not _BUSY:
        time.sleep(_DELAY_S)
        return
    end, n = time.thread_time() + _DELAY_S, 0
    while time.thread_time() < end:  # CPU seconds of this thread, in pure Python (holding the GIL)
        n += 1


class _SlowDown(importlib.abc.MetaPathFinder):
    def __init__(self, module: str, function: str) -> None:
        self.module, self.function = module, function

    def find_spec(self, name, path, target=None):
        if name != self.module:
            return None
        sys.meta_path.remove(self)  # find the real module, then wrap its loader once
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module
        function = self.function

        def exec_module(module):
            load(module)
            real = getattr(module, function)  # AttributeError: the test names a function that is gone

            @functools.wraps(real)
            def slow(*args, **kwargs):
                _wait()
                return real(*args, **kwargs)

            setattr(module, function, slow)

        spec.loader.exec_module = exec_module
        return spec


if _TARGET and _DELAY_S > 0:
    _module, _function = _TARGET.split(":")
    sys.meta_path.insert(0, _SlowDown(_module, _function))
