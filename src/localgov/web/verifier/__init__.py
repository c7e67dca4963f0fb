"""The permit verification page: reads a permit's QR code and verifies it in the browser, offline.

``GET /verify`` (also ``/verify?t=TOKEN``) is a page whose scripts decode the token and check its
COSE_Sign1 signature with WebCrypto against the signed trust list and revocation list, both
verified in the browser against the national root certificate it pinned on its first visit. A
service worker keeps the page, its scripts and the lists, so it works with the network off.
See ``docs/web-verifier.md``.
"""

from __future__ import annotations

from litestar import Router

from localgov.web.context import WebContext
from localgov.web.verifier.routes import verifier_routers

__all__ = ["routers"]


def routers(context: WebContext) -> list[Router]:
    return verifier_routers(context)
