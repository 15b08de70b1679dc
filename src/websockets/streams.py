"""
A sans-I/O reader for the opening handshake.

:class:`StreamReader` buffers the bytes received from the network and hands
them out through *reads*, generator coroutines such as
:meth:`StreamReader.read_line`.

The contract between the reads and the code that drives them:

* A read is a generator. It yields :obj:`None` each time it needs more data
  than is buffered, and returns its result (``StopIteration.value``). Parsers
  are built by composing reads with ``yield from``, and are generators that
  follow the same contract, for instance::

      def parse(reader):
          status_line = yield from reader.read_line(8192)
          ...
          return response

* The driver (the sans-I/O core) creates the parser and calls ``next()`` on
  it (or ``send(None)``) once to start it, then again after each
  :meth:`~StreamReader.feed_data` or :meth:`~StreamReader.feed_eof`. Each
  call runs the parser until it needs more data or finishes: it finishes by
  raising :exc:`StopIteration` with the parser's result, or by raising the
  exception that a read (or the parser) raised.

* Feeding never runs a read: the driver feeds, then resumes the parser. Only
  one read may be in progress at a time.

The opening handshake happens once per connection, so this module prefers
readability to speed. Still, a peer that sends one byte at a time costs linear
time: a search for a newline never scans the same bytes twice.

"""

from __future__ import annotations

from collections.abc import Generator
from typing import Callable, Optional, TypeVar

from .exceptions import SecurityError


__all__ = ["StreamReader"]

_T = TypeVar("_T")


class StreamReader:
    """
    Buffer of received bytes, read by generator coroutines.

    See the module's documentation for how reads are driven.

    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._eof = False
        # The first _scanned bytes of _buffer contain no newline: read_line
        # resumes its search there instead of scanning them again.
        self._scanned = 0

    def feed_data(self, data: bytes) -> None:
        """
        Append data to the buffer.

        Args:
            data: Bytes received from the network.

        Raises:
            EOFError: If :meth:`feed_eof` was called before.

        """
        if self._eof:
            raise EOFError("stream ended")
        self._buffer += data

    def feed_eof(self) -> None:
        """
        Record the end of the stream.

        Raises:
            EOFError: If :meth:`feed_eof` was called before.

        """
        if self._eof:
            raise EOFError("stream ended")
        self._eof = True

    def at_eof(self) -> Generator[None, None, bool]:
        """
        Tell whether the stream has ended and the buffer is empty.

        Waits until it knows: until a byte is buffered or the stream ends.

        Returns:
            ``True`` if no more bytes will ever be read, else ``False``.

        """
        while True:
            if self._buffer:
                return False
            if self._eof:
                return True
            yield

    def read_line(self, m: int) -> Generator[None, None, bytes]:
        """
        Read a line, up to and including the first ``b"\\n"``.

        Args:
            m: Maximum length of the line, ``b"\\n"`` included; at least 1.

        Returns:
            The line, ending with ``b"\\n"``.

        Raises:
            EOFError: If the stream ends before a full line.
            ~websockets.exceptions.SecurityError: If there's no ``b"\\n"`` in
                the first ``m`` bytes. This is raised as soon as ``m`` bytes
                are buffered, without waiting for more.

        """
        while True:
            # Search only the bytes that weren't searched yet, and never past
            # m bytes: beyond that, a newline comes too late anyway.
            end = self._buffer.find(b"\n", self._scanned, m)
            if end >= 0:
                return self._consume(end + 1)
            self._scanned = min(len(self._buffer), m)
            if len(self._buffer) >= m:
                raise SecurityError("line too long")
            if self._eof:
                raise EOFError(
                    f"stream ends after {len(self._buffer)} bytes, before end of line"
                )
            yield

    def read_exact(self, n: int) -> Generator[None, None, bytes]:
        """
        Read exactly ``n`` bytes.

        Args:
            n: How many bytes to read.

        Returns:
            The ``n`` bytes.

        Raises:
            EOFError: If the stream ends before ``n`` bytes.

        """
        while len(self._buffer) < n:
            if self._eof:
                raise EOFError(
                    f"stream ends after {len(self._buffer)} bytes, "
                    f"expected {n} bytes"
                )
            yield
        return self._consume(n)

    def read_to_eof(self, m: int) -> Generator[None, None, bytes]:
        """
        Read every byte until the end of the stream.

        Args:
            m: Maximum number of bytes to read.

        Returns:
            Every byte until the end of the stream.

        Raises:
            ~websockets.exceptions.SecurityError: If more than ``m`` bytes
                arrive. This is raised as soon as they are buffered.

        """
        while True:
            if len(self._buffer) > m:
                raise SecurityError(
                    f"read {len(self._buffer)} bytes, expected no more than {m} bytes"
                )
            if self._eof:
                return self._consume(len(self._buffer))
            yield

    def read_parsed(
        self, delimiter: bytes, m: int, parse: Callable[[bytes], Optional[_T]]
    ) -> Optional[_T]:
        """
        Read the bytes up to a delimiter, if they are buffered and parse.

        This isn't a generator: it never waits. It serves parsers that take a
        shortcut when a whole piece of a message is buffered already, and
        read it piece by piece otherwise.

        Args:
            delimiter: What ends the piece.
            m: Look for ``delimiter`` only within the first ``m`` bytes.
            parse: Called with the piece, ``delimiter`` included; returns
                :obj:`None` to decline it.

        Returns:
            What ``parse`` returned; :obj:`None`, with the buffer unchanged,
            when ``delimiter`` isn't within the first ``m`` bytes or
            ``parse`` declined the piece.

        Raises:
            Exception: What ``parse`` raised, with the buffer unchanged.

        """
        end = self._buffer.find(delimiter, 0, m)
        if end < 0:
            return None
        n = end + len(delimiter)
        result = parse(bytes(self._buffer[:n]))
        if result is not None:
            self._drop(n)
        return result

    def take_buffer(self) -> bytes:
        """
        Remove and return every buffered byte.

        Call it once the handshake is over, to hand the bytes that follow it
        to the frame parser.

        Returns:
            The bytes that no read consumed.

        """
        return self._consume(len(self._buffer))

    def _consume(self, n: int) -> bytes:
        """Remove the first ``n`` bytes of the buffer and return them."""
        data = bytes(self._buffer[:n])
        self._drop(n)
        return data

    def _drop(self, n: int) -> None:
        """Remove the first ``n`` bytes of the buffer."""
        del self._buffer[:n]
        self._scanned = max(self._scanned - n, 0)
