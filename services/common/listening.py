"""A port a process listens on is its own (issue 21): a second stack's push process had bound
push's port beside the first (eventlet sets SO_REUSEPORT unless told not to), and the kernel
split the pages between the two. No process here sets SO_REUSEPORT, so a port another holds
cannot be bound, and the process stops at once, saying which port and setting, rather than
serve beside another or half start.
"""

import contextlib
import errno
from collections.abc import Iterator


@contextlib.contextmanager
def port_of_our_own(process: str, setting: str, host: str, port: int) -> Iterator[None]:
    """Around the binding of a port: SystemExit, naming the port, when another process holds it."""
    try:
        yield
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        raise SystemExit(
            f"{process} refuses to start: {host}:{port} ({setting}) is in use by another process; "
            "stop it, or set another port"
        ) from None
