"""localgov's web service: an ASGI application at the edge, over the same engine the CLI uses.

``create_app(localgov_app, engine, settings)`` returns the application; ``localgov serve`` runs it
with uvicorn. See ``docs/web.md``.
"""

from localgov.web.app import context_of, create_app, standard_parts
from localgov.web.context import WebContext
from localgov.web.problems import InvalidInput
from localgov.web.settings import WebSettings, WebSettingsError, api_key_digest
from localgov.web.status import StatusRefused, TooManyTries

__all__ = [
    "InvalidInput",
    "StatusRefused",
    "TooManyTries",
    "WebContext",
    "WebSettings",
    "WebSettingsError",
    "api_key_digest",
    "context_of",
    "create_app",
    "standard_parts",
]
