"""Running the service from the environment, so uvicorn can start it in each of several workers.

``localgov serve`` puts its options in the environment and asks uvicorn for
``localgov.web.serving:app_from_environment`` as a factory; each worker process builds its own
engine (its own database connections) from the same settings.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import attrs

from localgov.app import Localgov
from localgov.organisation import load_staff
from localgov.pki import Credential, load_certificate, load_private_key, unit_code_of
from localgov.storage.permit_log import SqlPermitLog
from localgov.web.app import create_app
from localgov.web.settings import WebSettings, WebSettingsError
from localgov.web.settings_file import load_web_settings

__all__ = ["ENVIRONMENT", "app_from_environment"]

#: The variables read, each with what it holds.
ENVIRONMENT = {
    "LOCALGOV_DATABASE": "database URL (sqlite:///FILE, postgresql+psycopg://...)",
    "LOCALGOV_PLUGINS": "plugins to load, comma-separated (all installed ones if unset)",
    "LOCALGOV_STAFF": "staff roster files, separated by the path separator",
    "LOCALGOV_AUDIT_KEY_FILE": "the history chain's key file",
    "LOCALGOV_WEB_SETTINGS": "the web settings file (TOML)",
    "LOCALGOV_SHARED_LIMITS": "1: count wrong access codes in the database, for every worker (set with --workers > 1)",
    "LOCALGOV_LETTER_SIGNERS": "the units' signing credential directories for letters, separated by the path separator",
    "LOCALGOV_KEY_PASSPHRASE": "the passphrase of those credentials' private keys (if encrypted)",
}


def app_from_environment() -> Any:
    """The ASGI application the ``LOCALGOV_*`` variables describe."""
    application = Localgov()
    staff_files = [Path(p) for p in os.environ.get("LOCALGOV_STAFF", "").split(os.pathsep) if p]
    staff = load_staff(staff_files, organisation=application.organisation, known_roles=application.catalogue.roles)
    key_file = os.environ.get("LOCALGOV_AUDIT_KEY_FILE")
    engine = application.engine(
        os.environ.get("LOCALGOV_DATABASE", "sqlite:///localgov.db"),
        staff=staff,
        audit_key=Path(key_file).read_bytes().strip() if key_file else b"",
    )
    settings_file = os.environ.get("LOCALGOV_WEB_SETTINGS")
    settings = load_web_settings(Path(settings_file)) if settings_file else WebSettings()
    if os.environ.get("LOCALGOV_SHARED_LIMITS") == "1":
        settings = attrs.evolve(settings, shared_limits=True)
    database = os.environ.get("LOCALGOV_DATABASE", "sqlite:///localgov.db")
    permit_log = SqlPermitLog.open(database) if settings.permit_log else None
    signers = _letter_signers(os.environ.get("LOCALGOV_LETTER_SIGNERS", ""))
    letters = application.correspondence(engine=engine, signers=signers) if signers else None
    return create_app(application, engine, settings, permit_log=permit_log, correspondence=letters)


def _letter_signers(directories: str) -> dict[str, Credential]:
    """Each unit's signing credential (``certificate.pem`` and ``private-key.pem``), by its unit code."""
    passphrase = os.environ.get("LOCALGOV_KEY_PASSPHRASE", "").encode("utf-8") or None
    signers = {}
    for directory in (Path(d) for d in directories.split(os.pathsep) if d):
        credential = Credential(
            load_certificate(directory / "certificate.pem"), load_private_key(directory / "private-key.pem", passphrase)
        )
        code = unit_code_of(credential.certificate)
        if code is None:
            raise WebSettingsError(f"{directory}: the certificate names no unit: it cannot sign letters")
        signers[code] = credential
    return signers
