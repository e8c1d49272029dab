"""Reading an HTTP body as it arrives, within a size and a deadline (registries, Vault).

``requests`` reads a body whole before anyone can look at it, so a server that sends an
endless body, or one byte at a time, would hold memory or the command for ever. Here the body
is read with ``read1`` (at most one socket read per call), counted, and checked against the
deadline between reads; the caller turns the two ways it can stop into its own message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import requests

    from sindri_core.image.deadline import Deadline

__all__ = ["BodyExpired", "BodyTooLarge", "keep_body", "read_streamed"]

CHUNK = 64 * 1024


class BodyTooLarge(Exception):
    """More than the limit arrived; ``prefix`` holds the first ``limit`` bytes."""

    def __init__(self, prefix: bytes) -> None:
        super().__init__(f"more than {len(prefix)} bytes")
        self.prefix = prefix


class BodyExpired(Exception):
    """The deadline passed before the body was complete."""


def read_streamed(response: requests.Response, limit: int, deadline: Deadline) -> bytes:
    """The body of a response requested with ``stream=True`` (or seen by a response hook).

    :raises BodyTooLarge: more than ``limit`` bytes arrived (the rest is not read).
    :raises BodyExpired: ``deadline`` passed between two reads.
    """
    chunks: list[bytes] = []
    received = 0
    while True:
        if deadline.expired:
            raise BodyExpired
        chunk = response.raw.read1(CHUNK, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        received += len(chunk)
        if received > limit:
            chunks.append(chunk[: len(chunk) - (received - limit)])
            raise BodyTooLarge(b"".join(chunks))
        chunks.append(chunk)


def keep_body(response: requests.Response, data: bytes) -> None:
    """Hand ``data`` to ``requests`` as the body: ``.content`` and ``.json()`` use it."""
    response._content = data
    response._content_consumed = True  # type: ignore[attr-defined]  # not in the stubs
