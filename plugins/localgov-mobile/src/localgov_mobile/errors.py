"""The plugin's errors: each names the file, field or value at fault (never a traceback at a CLI)."""

from __future__ import annotations

from localgov.errors import LocalgovError

__all__ = ["BundleError", "EnrolmentError", "MobileError", "OutboxError", "SyncError", "WireError"]


class MobileError(LocalgovError):
    """Anything the mobile district's tablet or its sync refuses."""


class WireError(MobileError):
    """Bytes that are not a well-formed bundle, submission, receipt, sync request or answer."""


class BundleError(MobileError):
    """A bundle that is not signed by the unit under the root, is stale, or is older than the one held."""


class EnrolmentError(MobileError):
    """A device certificate that is not one of this unit's devices, or a tablet not enrolled."""


class OutboxError(MobileError):
    """The tablet's outbox cannot be used (unreadable file, a submission the bundle does not take)."""


class SyncError(MobileError):
    """A sync that did not complete (the connection dropped): nothing on the tablet changed."""
