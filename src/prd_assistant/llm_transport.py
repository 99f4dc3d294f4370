"""The HTTP client for model calls: an event stream that sends only keep-alive comments is
silent, and times out like one that sends nothing.

``llama_cpp.server`` (through sse-starlette) writes ``: ping`` every 15 s while it reads a long
prompt or is stuck. Those bytes reset the HTTP read timeout, so without this a hung server is
never given up. The guard counts only ``data:`` lines as signs of life and raises the client's
own ``ReadTimeout`` when none came for ``idle`` seconds (checked as bytes arrive, so within
one ping interval of the limit). Before the first ``data:`` line the allowance is
``first_data`` instead: a server that pings is alive, and reading a long prompt on a CPU can
take minutes before the first token.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterator
from typing import Any

import openai

# The HTTP library the openai client is built on (httpx, or its httpx2 fork): its exception
# and transport types are the ones openai understands.
_http: Any = importlib.import_module(openai.DefaultHttpxClient.__mro__[1].__module__.split(".")[0])


class _SilenceGuardStream(_http.SyncByteStream):  # type: ignore[misc]
    def __init__(self, inner: Any, request: Any, idle: float, first_data: float) -> None:
        self._inner = inner
        self._request = request
        self._idle = idle
        self._first_data = first_data

    def __iter__(self) -> Iterator[bytes]:
        last_data = time.monotonic()
        allowance = self._first_data
        for chunk in self._inner:
            if _has_data(chunk):
                last_data = time.monotonic()
                allowance = self._idle
            elif time.monotonic() - last_data > allowance:
                raise _http.ReadTimeout(
                    f"no data for {allowance:.0f} s, only keep-alive comments",
                    request=self._request,
                )
            yield chunk

    def close(self) -> None:
        self._inner.close()


def _has_data(chunk: bytes) -> bool:
    """True when a piece of an event stream carries more than comments and blank lines."""
    for line in chunk.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith(b":"):
            return True
    return False


class _SilenceGuardTransport(_http.BaseTransport):  # type: ignore[misc]
    def __init__(self, idle: float, first_data: float) -> None:
        self._inner = _http.HTTPTransport()
        self._idle = idle
        self._first_data = first_data

    def handle_request(self, request: Any) -> Any:
        response = self._inner.handle_request(request)
        if "text/event-stream" in response.headers.get("content-type", ""):
            response.stream = _SilenceGuardStream(
                response.stream, request, self._idle, self._first_data
            )
        return response

    def close(self) -> None:
        self._inner.close()


def guarded_http_client(idle: float, first_data: float) -> Any:
    """An HTTP client for ``openai``/``ChatOpenAI`` that gives up on ping-only event streams."""
    return openai.DefaultHttpxClient(transport=_SilenceGuardTransport(idle, max(idle, first_data)))
