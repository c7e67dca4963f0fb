"""Where a witness reads a log from outside its database: a URL or a folder of c2sp.org/tlog-tiles.

``https://log.cairo.gov.eg/log`` (as ``localgov serve`` publishes it) or the folder that
``localgov log tiles`` wrote. The checkpoint and the tiles need not be trusted: the witness checks
the checkpoint's signature, and a consistency proof built from forged tiles does not lead to the
roots it is checked against.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from localgov.errors import LocalgovError
from localgov.transparency import SignedCheckpoint, Tile, TileHashReader, consistency_proof

__all__ = ["LogSource", "LogSourceError"]

MAX_FILE = 1 << 20  # a checkpoint or a tile is a few kilobytes; refuse to read more
_TIMEOUT = 30.0


class LogSourceError(LocalgovError):
    """The log's published files could not be read (named, with why)."""


class LogSource:
    """The published checkpoint and tiles of a log, read as needed."""

    def __init__(self, location: str) -> None:
        self.location = location.rstrip("/")
        self._read: Callable[[str], bytes | None] = (
            self._read_url if self.location.startswith(("https://", "http://")) else self._read_file
        )

    def checkpoint(self) -> SignedCheckpoint:
        data = self._read("checkpoint")
        if data is None:
            raise LogSourceError(f"{self.location}/checkpoint: not found")
        try:
            return SignedCheckpoint.parse(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise LogSourceError(f"{self.location}/checkpoint: not UTF-8 text") from None

    def consistency_proof(self, size1: int, size2: int) -> list[bytes]:
        """The proof that the tree of ``size2`` leaves extends ``size1``, from the published tiles."""
        return consistency_proof(TileHashReader(size2, self._tile), size1, size2)

    def _tile(self, tile: Tile) -> bytes | None:
        return self._read(tile.path)

    def _read_file(self, name: str) -> bytes | None:
        path = Path(self.location) / name
        try:
            with path.open("rb") as file:
                data = file.read(MAX_FILE + 1)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise LogSourceError(f"{path}: cannot read: {error.strerror}") from None
        if len(data) > MAX_FILE:
            raise LogSourceError(f"{path}: larger than {MAX_FILE} bytes")
        return data

    def _read_url(self, name: str) -> bytes | None:
        url = f"{self.location}/{name}"
        try:
            with urllib.request.urlopen(url, timeout=_TIMEOUT) as response:
                data: bytes = response.read(MAX_FILE + 1)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise LogSourceError(f"{url}: HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise LogSourceError(f"{url}: cannot fetch: {reason}") from None
        if len(data) > MAX_FILE:
            raise LogSourceError(f"{url}: larger than {MAX_FILE} bytes")
        return data
