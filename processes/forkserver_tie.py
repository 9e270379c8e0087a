"""Imported by the reader pool's forkserver as its first preload module, and nowhere else:
multiprocessing gives a forkserver no other hook than its preload imports. Importing it ties
the forkserver to the process that started it (processes.children.exit_with_parent): it
exits when that process ends, before it has finished importing the PDF stack if need be.
Its one side effect at import is its whole purpose."""

from __future__ import annotations

import os

from processes.children import exit_with_parent

FORKSERVER_PID = os.getpid()  # workers forked from here check they still have this parent
exit_with_parent()
