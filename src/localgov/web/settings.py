"""What a deployment tells the web service: its public address, who holds which API key, its limits."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from pathlib import Path

import attrs

from localgov.errors import LocalgovError

__all__ = ["WebSettings", "WebSettingsError", "api_key_digest"]


class WebSettingsError(LocalgovError):
    """A web setting that cannot be used (named, with the value's problem)."""


def api_key_digest(key: str) -> str:
    """The SHA-256 of an API key, hex: what the settings keep, so a leaked settings file leaks no key."""
    return hashlib.sha256(key.encode()).hexdigest()


@attrs.frozen
class WebSettings:
    """Settings of :func:`localgov.web.create_app`.

    :param public_url: the address citizens reach, ``https://services.cairo.gov.eg``: receipt QR
        codes point under it (``/track/{tracking number}``).
    :param api_keys: SHA-256 digests of API keys (:func:`api_key_digest`), each to the staff id it
        acts as. The keys themselves are never kept.
    :param trust_list: the signed trust list file (``trust-list.cose``) the verification page caches.
    :param revocations: the signed revocation list file the verification page caches.
    :param revocation_deltas: a folder of the signed revocation deltas published since (the files
        ``localgov trust revoke`` writes): a page holding list ``n`` fetches only the deltas after it.
    :param root_certificate: the national root certificate (PEM) the page checks the trust list against.
    :param max_body: the largest request body accepted, in bytes, uploads included.
    :param permit_log: serve the public permit log kept in the same database under ``/log/``.
    :param log_public_key: the permit log's public key (the ``.pub`` file of ``localgov log
        keygen``): the verification page checks, with it, that a permit is in the signed log.
    :param requests_per_minute: requests one client address may make per minute to one worker
        (429 beyond); None for no limit (behind a proxy that limits, or in a benchmark).
    :param access_code_tries: wrong access codes allowed per client address per
        ``access_code_window`` seconds before the status page stops answering that address.
    :param shared_limits: count those wrong codes in the database, where every worker sees them
        (:class:`localgov.storage.SqlAttemptLimit`), instead of in each worker's memory; what a
        deployment with several workers wants (``localgov serve --workers 2`` or more sets it).
    :param reports_max_age: how many seconds old the report projection may be for
        ``/api/v1/reports`` to answer from it as it is; 0 brings it up to date before each report.
        With ``localgov refresh-reports --every N`` running, a few times N: the reports then never
        wait for a refresh, unless the refresher has stopped.
    :param status_answers_kept: how many citizen status answers each worker keeps and sends again
        while their request is unchanged (:mod:`localgov.web.status_cache`); 0 keeps none.
    """

    public_url: str = "http://127.0.0.1:8000"
    api_keys: Mapping[str, str] = attrs.field(factory=dict, converter=dict)
    trust_list: Path | None = None
    revocations: Path | None = None
    revocation_deltas: Path | None = None
    root_certificate: Path | None = None
    max_body: int = 20 * 1024 * 1024
    permit_log: bool = False
    log_public_key: Path | None = None
    requests_per_minute: int | None = 3000
    access_code_tries: int = 10
    access_code_window: float = 600.0
    shared_limits: bool = False
    reports_max_age: float = 0.0
    status_answers_kept: int = 10_000

    def __attrs_post_init__(self) -> None:
        if not self.public_url.startswith(("https://", "http://")):
            raise WebSettingsError(f"public_url: {self.public_url!r} is not an http(s) URL")
        for digest in self.api_keys:
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise WebSettingsError(f"api_keys: {digest[:12]!r}... is not a SHA-256 hex digest")
        if self.requests_per_minute is not None and self.requests_per_minute < 1:
            raise WebSettingsError(f"requests_per_minute: {self.requests_per_minute} must be at least 1")
        if self.access_code_tries < 1 or self.access_code_window <= 0:
            raise WebSettingsError(
                f"access_code_tries: {self.access_code_tries} in access_code_window: {self.access_code_window} s"
                " must be at least 1 try in a window longer than 0"
            )
        if self.reports_max_age < 0:
            raise WebSettingsError(f"reports_max_age: {self.reports_max_age} seconds cannot be negative")
        if self.status_answers_kept < 0:
            raise WebSettingsError(f"status_answers_kept: {self.status_answers_kept} cannot be negative")
        if self.max_body < 1024:
            raise WebSettingsError(f"max_body: {self.max_body} bytes is too small to carry a request")

    def staff_id_for_key(self, key: str) -> str | None:
        """The staff id an API key acts as, or None; the comparison takes the same time for any key."""
        presented = api_key_digest(key)
        found = None
        for digest, staff_id in self.api_keys.items():
            if hmac.compare_digest(presented, digest):
                found = staff_id
        return found
