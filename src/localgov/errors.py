"""The exceptions localgov raises, all of them, as one tree.

Every refusal the library makes is a subclass of :class:`LocalgovError`, so an embedding
application can catch the family with one clause and the CLI can print any of them as a
one-line message (never a traceback). Each class lives beside the code that raises it and is
exported by the package named here; ``tests/test_errors.py`` fails when this tree and the
classes disagree::

    LocalgovError                      localgov
        CalendarError                  localgov.calendar
            CalendarFileError          localgov.calendar
        CatalogueError                 localgov.catalogue
        UnknownEntry                   localgov.catalogue
        CorrespondenceError            localgov.correspondence
            InvalidLetter              localgov.correspondence
            InvalidLetterSignature     localgov.correspondence
            LetterConflict             localgov.correspondence
            LetterKeyReused            localgov.correspondence
            LetterNotAllowed           localgov.correspondence
            UnknownLetter              localgov.correspondence
        DocumentError                  localgov.documents
            FontError                  localgov.documents
            SigningError               localgov.documents
        FeeError                       localgov.fees
        InvalidNationalId              localgov.identity
        InvalidItemIdentifier          localgov.mail
        NotificationError              localgov.notifications
            DeliveryRefused            localgov.notifications
            GatewayUnavailable         localgov.notifications
                Throttled              localgov.notifications
            NotifierConfigurationError localgov.notifications
        PaymentError                   localgov.payments
            InvalidNotificationSignature localgov.payments
            MalformedNotification      localgov.payments
            PaymentConfigurationError  localgov.payments
            PaymentNotAllowed          localgov.payments
            ProviderError              localgov.payments
            ProviderUnavailable        localgov.payments
            UnknownPayment             localgov.payments
        InvalidMobileNumber            localgov.phone
        PkiError                       localgov.pki
        PluginError                    localgov.plugins
        RequestError                   localgov.requests
            ActionNotAllowed           localgov.requests
            CommentRequired            localgov.requests
            Conflict                   localgov.requests
            GuardFailed                localgov.requests
            IdempotencyKeyReused       localgov.requests
            InvalidDocument            localgov.requests
            InvalidForm                localgov.requests
            InvalidPayment             localgov.requests
            InvalidSubmission          localgov.requests
            RoleNotAllowed             localgov.requests
                NotAssigned            localgov.requests
            SeparationOfDuties         localgov.requests
            TamperedHistory            localgov.requests
            InvalidCheckpoint          localgov.requests
            TamperedRecord             localgov.requests
            UnknownRequest             localgov.requests
            UnreadableRecord           localgov.requests
        StorageError                   localgov.storage
            DatabaseTooNew             localgov.storage
        ReportError                    localgov.reports
            InvalidReportQuery         localgov.reports
            ReportNotPermitted         localgov.reports
            UnknownReport              localgov.reports
        PostgresError                  localgov.testing
            DatabaseNameError          localgov.testing
            PostgresStartError         localgov.testing
            PostgresUnavailableError   localgov.testing
        IssueError                     localgov.tokens
        QrError                        localgov.tokens
        ReceiptLinkError               localgov.tokens
        SignedFileError                localgov.tokens
        TokenError                     localgov.tokens
            BadSignature               localgov.tokens
            Expired                    localgov.tokens
            MalformedCbor              localgov.tokens
            MalformedEncoding          localgov.tokens
            NotALocalgovToken          localgov.tokens
            NotYetValid                localgov.tokens
            Revoked                    localgov.tokens
            SignerNotAllowed           localgov.tokens
            UnknownSigner              localgov.tokens
            UnsupportedVersion         localgov.tokens
        TransparencyError              localgov.transparency
            CheckpointError            localgov.transparency
                InsufficientCosignatures localgov.transparency
                MalformedCheckpoint    localgov.transparency
                WrongOrigin            localgov.transparency
            NoteError                  localgov.transparency
                AmbiguousKey           localgov.transparency
                InvalidNoteSignature   localgov.transparency
                MalformedKey           localgov.transparency
                MalformedNote          localgov.transparency
                TooManySignatures      localgov.transparency
                UnknownKey             localgov.transparency
            ProofError                 localgov.transparency
                IndexOutOfRange        localgov.transparency
                OverlongProof          localgov.transparency
                RootMismatch           localgov.transparency
                TreeSizeRegressed      localgov.transparency
                TruncatedProof         localgov.transparency
                WrongHashLength        localgov.transparency
            MalformedEntry             localgov.transparency
            TileError                  localgov.transparency
                MalformedTile          localgov.transparency
                MalformedTilePath      localgov.transparency
                MissingTile            localgov.transparency
            WitnessAlarm               localgov.transparency
        InvalidTrackingNumber          localgov.tracking
        InvalidInput                   localgov.web
        StatusRefused                  localgov.web
            TooManyTries               localgov.web
        WebSettingsError               localgov.web
        LogSourceError                 localgov.cli
"""

from __future__ import annotations

__all__ = ["LocalgovError"]


class LocalgovError(Exception):
    """Base class of every error localgov raises on purpose."""
