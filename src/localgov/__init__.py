"""localgov: one-window local-government citizen services.

The public surface: the application object, the plugin markers and the error base class. Each
subpackage (``localgov.catalogue``, ``localgov.organisation``, ``localgov.requests``, ...) has its
own ``__all__``.
"""

from localgov.app import Localgov
from localgov.errors import LocalgovError
from localgov.i18n import LocalizedText
from localgov.plugins import hookimpl, hookspec

__version__ = "0.1.0.dev0"

__all__ = ["Localgov", "LocalgovError", "LocalizedText", "__version__", "hookimpl", "hookspec"]
