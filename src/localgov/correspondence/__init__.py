"""Correspondence between local units (الصادر والوارد): letters numbered, signed and kept tamper-evident.

A letter goes from a department of one local unit to a department of another (or to a body
outside the system). The sender's unit gives it an outgoing number (صادر) and the receiver's an
incoming one (وارد), each per unit and per year, never shared and never skipped; the sender's
unit signs it (CMS, by its document-signing certificate); every step, sending, acknowledging,
forwarding inside the receiving unit, answering, is an event of its hash-chained history, and
each book's lines are chained too, so :func:`verify_correspondence` finds a letter altered,
removed or back-dated in the database. A confidential letter is seen only by the departments
that send and hold it. A letter about a request can make it wait, clock stopped, for the reply.
See ``docs/correspondence.md``.
"""

from localgov.correspondence.access import may_see, on_receiving_side
from localgov.correspondence.audit import verify_correspondence
from localgov.correspondence.canonical import CANONICAL_FORMAT, canonical_letter, letter_content
from localgov.correspondence.errors import (
    CorrespondenceError,
    InvalidLetter,
    InvalidLetterSignature,
    LetterConflict,
    LetterKeyReused,
    LetterNotAllowed,
    UnknownLetter,
)
from localgov.correspondence.hooks import LetterHooks
from localgov.correspondence.model import (
    Attachment,
    Classification,
    Letter,
    LetterEvent,
    LetterStatus,
    Party,
    RegisterEntry,
)
from localgov.correspondence.ports import BookRow, LetterStore, LetterTransaction
from localgov.correspondence.service import (
    MAX_ATTACHMENT_BYTES,
    AttachmentUpload,
    Correspondence,
    OverdueLetter,
    book_name,
    unit_code,
)
from localgov.correspondence.signatures import sign_detached, verify_detached

__all__ = [
    "CANONICAL_FORMAT",
    "MAX_ATTACHMENT_BYTES",
    "Attachment",
    "AttachmentUpload",
    "BookRow",
    "Classification",
    "Correspondence",
    "CorrespondenceError",
    "InvalidLetter",
    "InvalidLetterSignature",
    "Letter",
    "LetterConflict",
    "LetterEvent",
    "LetterHooks",
    "LetterKeyReused",
    "LetterNotAllowed",
    "LetterStatus",
    "LetterStore",
    "LetterTransaction",
    "OverdueLetter",
    "Party",
    "RegisterEntry",
    "UnknownLetter",
    "book_name",
    "canonical_letter",
    "letter_content",
    "may_see",
    "on_receiving_side",
    "sign_detached",
    "unit_code",
    "verify_correspondence",
    "verify_detached",
]
