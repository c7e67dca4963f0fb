"""Ways a sync request reaches the server: over HTTP (``POST /mobile/sync``), or in-process."""

from __future__ import annotations

import urllib.error
import urllib.request

from localgov_mobile.errors import SyncError
from localgov_mobile.server import SyncServer

__all__ = ["HttpTransport", "LocalTransport"]

MEDIA_TYPE = "application/cbor"


class LocalTransport:
    """The server in the same process (tests, the demo, a back office syncing a docked tablet)."""

    def __init__(self, server: SyncServer) -> None:
        self.server = server

    def exchange(self, body: bytes) -> bytes:
        return self.server.handle(body)


class HttpTransport:
    """The server's ``/mobile/sync`` route (:mod:`localgov_mobile.web`)."""

    def __init__(self, base_url: str, *, timeout: float = 60.0) -> None:
        self.url = base_url.rstrip("/") + "/mobile/sync"
        self.timeout = timeout

    def exchange(self, body: bytes) -> bytes:
        request = urllib.request.Request(
            self.url, data=body, method="POST", headers={"Content-Type": MEDIA_TYPE, "Accept": MEDIA_TYPE}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as error:
            raise SyncError(
                f"{self.url} answered {error.code}: {error.read()[:200].decode(errors='replace')}"
            ) from None
