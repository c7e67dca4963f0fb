"""Why a token was refused: the complete, documented taxonomy.

:func:`localgov.tokens.verify` raises exactly one of the classes below, and nothing else, for any
input. Each carries a stable machine ``code`` (for logs, APIs and the test vectors) and a
bilingual ``message`` (for the person holding the phone). Several reasons can apply at once; the
order in which they are checked is part of the specification (``docs/token-format.md``):
prefix, version, encoding, CBOR, signer, signature, kind, dates, revocation.
"""

from __future__ import annotations

from typing import ClassVar

from localgov.errors import LocalgovError

__all__ = [
    "TOKEN_ERRORS",
    "BadSignature",
    "Expired",
    "MalformedCbor",
    "MalformedEncoding",
    "NotALocalgovToken",
    "NotYetValid",
    "Revoked",
    "SignerNotAllowed",
    "TokenError",
    "UnknownSigner",
    "UnsupportedVersion",
]


class TokenError(LocalgovError):
    """A token, or a COSE message, was refused. ``code`` names the reason; ``detail`` says where."""

    code: ClassVar[str] = "token_error"
    summary_ar: ClassVar[str] = "رمز غير صالح"
    summary_en: ClassVar[str] = "invalid token"

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"{self.summary_en}: {detail}")

    @property
    def message_ar(self) -> str:
        """The reason in Arabic (the detail stays in English: it names bytes and fields)."""
        return f"{self.summary_ar}: {self.detail}"

    @property
    def message_en(self) -> str:
        return f"{self.summary_en}: {self.detail}"


class NotALocalgovToken(TokenError):
    """The text does not start with a localgov prefix (``LG`` + version digits + ``:``)."""

    code = "not_localgov_token"
    summary_ar = "ليس رمز تحقق صادرًا عن منظومة الشباك الواحد"
    summary_en = "not a localgov token"


class UnsupportedVersion(TokenError):
    """A localgov prefix with a format version this verifier does not implement."""

    code = "unsupported_version"
    summary_ar = "إصدار غير مدعوم من صيغة الرمز"
    summary_en = "unsupported token version"


class MalformedEncoding(TokenError):
    """Too long, not Base45, or a compressed body that does not inflate within the limits."""

    code = "malformed_encoding"
    summary_ar = "ترميز الرمز تالف"
    summary_en = "malformed encoding"


class MalformedCbor(TokenError):
    """Not well-formed CBOR, not a COSE_Sign1, or claims that do not follow the schema."""

    code = "malformed_cbor"
    summary_ar = "بنية بيانات الرمز تالفة"
    summary_en = "malformed CBOR"


class UnknownSigner(TokenError):
    """No certificate in the trust list has the token's key id."""

    code = "unknown_signer"
    summary_ar = "جهة التوقيع غير معروفة في قائمة الثقة"
    summary_en = "unknown signer"


class SignerNotAllowed(TokenError):
    """The signer may not sign this kind of permit, or could not sign at the token's issue time."""

    code = "signer_not_allowed"
    summary_ar = "جهة التوقيع غير مخولة بإصدار هذا النوع من التراخيص"
    summary_en = "signer not allowed for this kind"


class BadSignature(TokenError):
    """The signature does not verify with the signer's key (or uses an algorithm it cannot)."""

    code = "bad_signature"
    summary_ar = "التوقيع غير صحيح: الرمز مزور أو معدل"
    summary_en = "bad signature"


class NotYetValid(TokenError):
    """The permit's validity starts after the verification time."""

    code = "not_yet_valid"
    summary_ar = "الترخيص لم يبدأ سريانه بعد"
    summary_en = "not yet valid"


class Expired(TokenError):
    """The permit's expiry date has passed."""

    code = "expired"
    summary_ar = "الترخيص منتهي الصلاحية"
    summary_en = "expired"


class Revoked(TokenError):
    """The permit is on the signed revocation list."""

    code = "revoked"
    summary_ar = "الترخيص ملغى"
    summary_en = "revoked"


#: Every reason, in the order verification checks them.
TOKEN_ERRORS: tuple[type[TokenError], ...] = (
    NotALocalgovToken,
    UnsupportedVersion,
    MalformedEncoding,
    MalformedCbor,
    UnknownSigner,
    BadSignature,
    SignerNotAllowed,
    NotYetValid,
    Expired,
    Revoked,
)
