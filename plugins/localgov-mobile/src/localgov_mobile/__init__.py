"""The mobile district's offline tablet (الحي المتنقل), as a localgov plugin.

On the tablet (:class:`Tablet`): enrolment with a device key the unit certifies, the signed
bundle of the services it may take, offline validation with localgov's own code, the
provisional receipt with its device-signed QR, the durable, device-signed outbox.

On the server (:class:`SyncServer`): each submission received exactly once, in order, through
the engine's own intake on the ``mobile_unit`` channel; a revoked or forged device refused and
the refusal recorded; the route in ``localgov.web`` (:func:`localgov_mobile.web.mobile_part`).
Formats, byte for byte: ``docs/channels.md`` and each module's docstring.
"""

from localgov_mobile.bundle import BUNDLE_TYPE, Bundle, build_bundle, open_bundle
from localgov_mobile.errors import BundleError, EnrolmentError, MobileError, OutboxError, SyncError, WireError
from localgov_mobile.exchange import OUTCOMES, Outcome, SyncAnswer, SyncRequest, read_answer, read_request
from localgov_mobile.receipt import RECEIPT_PREFIX, ProvisionalReceipt, read_receipt
from localgov_mobile.schema import MOBILE_TABLES
from localgov_mobile.server import Refusal, SyncRecord, SyncServer
from localgov_mobile.submission import SUBMISSION_TYPE, Photo, Submission, open_submission, read_submission
from localgov_mobile.tablet import OutboxEntry, SyncReport, Tablet, Transport
from localgov_mobile.transport import HttpTransport, LocalTransport

__all__ = [
    "BUNDLE_TYPE",
    "MOBILE_TABLES",
    "OUTCOMES",
    "RECEIPT_PREFIX",
    "SUBMISSION_TYPE",
    "Bundle",
    "BundleError",
    "EnrolmentError",
    "HttpTransport",
    "LocalTransport",
    "MobileError",
    "OutboxEntry",
    "OutboxError",
    "Outcome",
    "Photo",
    "ProvisionalReceipt",
    "Refusal",
    "Submission",
    "SyncAnswer",
    "SyncError",
    "SyncRecord",
    "SyncReport",
    "SyncRequest",
    "SyncServer",
    "Tablet",
    "Transport",
    "WireError",
    "build_bundle",
    "open_bundle",
    "open_submission",
    "read_answer",
    "read_receipt",
    "read_request",
    "read_submission",
]
