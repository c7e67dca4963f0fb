"""HTTP for the Fawry client: localgov's urllib transport (replaceable in tests)."""

from __future__ import annotations

from localgov.payments.http import HttpTransport, UrllibTransport

__all__ = ["HttpTransport", "UrllibTransport"]
