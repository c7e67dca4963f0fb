"""Helpers for testing localgov and the applications that embed it.

Each helper lives in its own module and is imported from there, so that importing this package
starts nothing and needs nothing beyond localgov itself:

- :mod:`localgov.testing.postgresql` — throwaway PostgreSQL servers and pytest fixtures for them.
"""

from __future__ import annotations

__all__: list[str] = []
