"""Local TCP ports for tests: one nothing listens on, and one that never accepts a connection."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator


def free_port() -> int:
    """A 127.0.0.1 port nothing listens on right now (a server may bind it a moment later;
    a client connecting to it is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def unaccepting_port() -> Iterator[int]:
    """A 127.0.0.1 port whose listener never accepts and whose backlog is full.

    New connection attempts are dropped, so a client's connect hangs until its connect
    timeout, as it does for a firewalled or unplugged host.
    """
    with socket.socket() as listener, contextlib.ExitStack() as fillers:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        for _ in range(4):
            filler = fillers.enter_context(socket.socket())
            filler.setblocking(False)
            filler.connect_ex(listener.getsockname())
        yield int(listener.getsockname()[1])
