"""The server bench_web.py loads: the localgov web app and a bare ASGI "hello" in one uvicorn process.

    python bench/web_server.py DATABASE_URL PORT

``/hello`` is answered by a dozen lines of raw ASGI before any framework sees it: the floor of
what this server can do per request on this machine. ``/framework-hello`` is the same answer from
a Litestar route behind localgov's security headers: the floor of any page the framework serves.
Under ``/uncached/`` is the same localgov app keeping no status answers (every read goes through
the framework, the engine and the page). Everything else goes to localgov's app.
"""

from __future__ import annotations

import sys
from typing import Any

import uvicorn
from litestar import Litestar, get

from localgov.app import Localgov
from localgov.web import WebSettings, create_app
from localgov.web.security import SecurityHeaders

_HELLO_HEADERS = [(b"content-type", b"text/plain"), (b"content-length", b"5")]


@get("/framework-hello", media_type="text/plain")
async def framework_hello() -> str:
    return "hello"


def with_hello(app: Any, uncached: Any) -> Any:
    framework = SecurityHeaders(Litestar(route_handlers=[framework_hello], openapi_config=None))

    async def dispatch(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/hello":
            await send({"type": "http.response.start", "status": 200, "headers": _HELLO_HEADERS})
            await send({"type": "http.response.body", "body": b"hello"})
            return
        if scope["type"] == "http" and scope["path"] == "/framework-hello":
            await framework(scope, receive, send)
            return
        if scope["type"] == "http" and scope["path"].startswith("/uncached/"):
            path = scope["path"].removeprefix("/uncached")
            await uncached({**scope, "path": path, "raw_path": path.encode(), "root_path": "/uncached"}, receive, send)
            return
        await app(scope, receive, send)

    return dispatch


def main() -> None:
    database, port = sys.argv[1], int(sys.argv[2])
    localgov_app = Localgov(plugins=["cairo", "fawry", "efinance"])
    engine = localgov_app.engine(database)
    # No per-address limit: the load comes from one address by design.
    app = with_hello(
        create_app(localgov_app, engine, WebSettings(requests_per_minute=None)),
        create_app(localgov_app, engine, WebSettings(requests_per_minute=None, status_answers_kept=0)),
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, server_header=False)


if __name__ == "__main__":
    main()
