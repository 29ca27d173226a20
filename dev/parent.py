"""Processes that end with whatever started them, even when it is killed with SIGKILL and has
no chance to stop them (issue 21: a `make run` killed so left a service holding its queue and
its port, in the session of its own it sits in so that a stop reaches its children).

Linux's PR_SET_PDEATHSIG: the kernel sends the process SIGTERM when its parent ends (strictly,
the parent's thread that started it: the supervisor starts and restarts them all from one),
and each stops as it does on SIGTERM. The signal can come more than once (again as each of a
killed parent's threads ends): the services stop once however many arrive
(services/common/container.py). A fork's child does not inherit it (gunicorn's workers
end with their master), an exec keeps it.
"""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
# Looked up once, here: a child between fork and exec calls it and nothing more (the loader's
# locks may be held by another thread of the parent at the fork).
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def end_with_parent(parent: int | None = None) -> None:
    """Have this process sent SIGTERM when its parent ends; at once if `parent` (its pid when
    the process was made) has ended already, before the kernel was asked."""
    if _prctl is None:
        return
    if _prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


def ended_with_this_one():
    """A `preexec_fn` for subprocess.Popen: the child ends with this process."""
    parent = os.getpid()
    return lambda: end_with_parent(parent)
