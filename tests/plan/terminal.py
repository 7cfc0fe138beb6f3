"""A real pseudo-terminal for tests: what a process writes to it, as the master side reads it."""

from __future__ import annotations

import os
import pty
import threading
import time


class Terminal:
    """A pty whose slave side a test hands to a process (or wraps as a stream); `received`
    collects everything that reaches the master side."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self.chunks: list[bytes] = []
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the slave side closed (EIO on Linux)
                return
            if not chunk:
                return
            self.chunks.append(chunk)

    @property
    def received(self) -> bytes:
        return b"".join(self.chunks)

    def wait_for(self, marker: bytes, seconds: float = 10) -> bytes:
        deadline = time.monotonic() + seconds
        while marker not in self.received and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.received

    def close(self) -> None:
        """After the slave side is closed: wait for the last bytes, then close the master."""
        self.reader.join(timeout=10)
        os.close(self.master)
