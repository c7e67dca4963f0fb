"""Helpers for testing localgov and the applications that embed it.

Each helper lives in its own module and is imported from there, so that importing this package
starts nothing and needs nothing beyond localgov itself:

- :mod:`localgov.testing.postgresql` — throwaway PostgreSQL servers;
- :mod:`localgov.testing.pki` — a throwaway certificate hierarchy;
- :mod:`localgov.testing.payments` — the payment provider contract suite (needs hypothesis);
- :mod:`localgov.testing.pytest_plugin` — the fixtures, which pytest loads by itself through the
  ``pytest11`` entry point ``localgov`` wherever localgov is installed.

The payment provider simulators' plumbing is run-time code, in :mod:`localgov.simulators`.
"""

from __future__ import annotations

__all__: list[str] = []
