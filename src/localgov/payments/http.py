"""HTTP for provider clients: the standard library's urllib behind a small interface tests can replace."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Protocol

from localgov.payments.errors import ProviderUnavailable

__all__ = ["HttpTransport", "UrllibTransport"]

# Provider answers are small; a larger one is not an answer.
MAX_ANSWER = 1_000_000


class HttpTransport(Protocol):
    def request(
        self, method: str, url: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]: ...

    def get(self, url: str) -> tuple[int, bytes]: ...

    def post(self, url: str, body: bytes) -> tuple[int, bytes]: ...


class UrllibTransport:
    """JSON over HTTP(S) with a timeout. Answers of any status are returned; only failures raise
    :class:`ProviderUnavailable`, naming the host and never the URL (its query may hold a signature)."""

    def __init__(self, timeout: float = 30.0, name: str = "the provider") -> None:
        self.timeout = timeout
        self.name = name

    def request(
        self, method: str, url: str, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]:
        sent = {
            "Accept": "application/json",
            **({"Content-Type": "application/json"} if body is not None else {}),
            **(headers or {}),
        }
        request = urllib.request.Request(url, data=body, method=method, headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read(MAX_ANSWER)
        except urllib.error.HTTPError as error:
            return error.code, error.read(MAX_ANSWER)
        except (urllib.error.URLError, OSError, ValueError) as error:
            host = urllib.parse.urlsplit(url).netloc
            raise ProviderUnavailable(f"{self.name} at {host} could not be reached ({type(error).__name__})") from None

    def get(self, url: str) -> tuple[int, bytes]:
        return self.request("GET", url)

    def post(self, url: str, body: bytes) -> tuple[int, bytes]:
        return self.request("POST", url, body)
