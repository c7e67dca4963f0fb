"""The exceptions localgov raises.

Every refusal the library makes is a subclass of :class:`LocalgovError`, so an embedding
application can catch the family with one clause and the CLI can print any of them as a
one-line message (never a traceback).
"""

from __future__ import annotations


class LocalgovError(Exception):
    """Base class of every error localgov raises on purpose."""
