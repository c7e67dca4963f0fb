"""The plugin's hooks: registered under the ``localgov`` entry point as ``mobile``.

The mobile channel itself is built into localgov's catalogue (``mobile_unit``); what this plugin
adds is the tablet and its sync, which a deployment sets up in code (:class:`SyncServer`,
:func:`localgov_mobile.web.mobile_part`), and a step of ``localgov demo``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cryptography import x509

from localgov.i18n import LocalizedText
from localgov.pki import Credential
from localgov.plugins import hookimpl
from localgov.requests import Engine

__all__ = ["demo_field_channel"]


@hookimpl
def demo_field_channel(
    engine: Engine,
    governorate_ca: Credential,
    unit_signer: Credential,
    root: x509.Certificate,
    output: Path,
    step: Callable[[LocalizedText], None],
    echo: Callable[[str], None],
) -> None:
    # Imported here: loading the plugin for its hooks must not load the tablet's machinery.
    from localgov_mobile.demo import offline_renewal

    offline_renewal(engine, governorate_ca, unit_signer, root, output, step, echo)
