"""Where and as whom to talk to FawryPay: merchant code, secure key and environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

import attrs

from localgov.payments import PaymentConfigurationError, Secret, secret_from_env

__all__ = ["ENVIRONMENTS", "ENV_PREFIX", "FawrySettings"]

ENVIRONMENTS = {
    "staging": "https://atfawry.fawrystaging.com",
    "production": "https://www.atfawry.com",
}
ENV_PREFIX = "LOCALGOV_FAWRY_"

Language = Literal["ar-eg", "en-gb"]


@attrs.frozen
class FawrySettings:
    """A merchant's FawryPay settings.

    :param merchant_code: the merchant code Fawry assigned (it may contain ``+`` and ``=``).
    :param secure_key: the merchant's secure key; it signs every message and is never shown.
    :param environment: ``"staging"`` or ``"production"``.
    :param base_url: overrides the environment's host (the simulator's URL, say).
    :param language: the language of cancellations (``ar-eg`` or ``en-gb``).
    """

    merchant_code: str
    secure_key: Secret = attrs.field(repr=False)
    environment: str = "staging"
    base_url: str | None = None
    language: Language = "ar-eg"
    timeout: float = 30.0

    def __attrs_post_init__(self) -> None:
        if not self.merchant_code.strip():
            raise PaymentConfigurationError("the Fawry merchant code is empty")
        if self.base_url is None and self.environment not in ENVIRONMENTS:
            raise PaymentConfigurationError(
                f"unknown Fawry environment {self.environment!r} (one of {', '.join(ENVIRONMENTS)})"
            )

    @property
    def url(self) -> str:
        return (self.base_url or ENVIRONMENTS[self.environment]).rstrip("/")

    @classmethod
    def from_settings(cls, values: Mapping[str, str]) -> FawrySettings:
        """From the application's settings for the plugin: the environment variables' names
        without their prefix, in lower case (``merchant_code``, ``secure_key``...)."""
        return cls.from_env({ENV_PREFIX + name.upper(): value for name, value in values.items()})

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, prefix: str = ENV_PREFIX) -> FawrySettings:
        """Read ``LOCALGOV_FAWRY_MERCHANT_CODE``, ``_SECURE_KEY``, ``_ENVIRONMENT`` and ``_BASE_URL``."""
        env = os.environ if environ is None else environ
        code = env.get(prefix + "MERCHANT_CODE", "").strip()
        if not code:
            raise PaymentConfigurationError(f"environment variable {prefix}MERCHANT_CODE is not set")
        return cls(
            merchant_code=code,
            secure_key=secret_from_env(prefix + "SECURE_KEY", env),
            environment=env.get(prefix + "ENVIRONMENT", "staging").strip() or "staging",
            base_url=env.get(prefix + "BASE_URL", "").strip() or None,
        )
