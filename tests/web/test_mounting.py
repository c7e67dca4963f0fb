"""The app mounted inside another: under a path in an ASGI application, and in a WSGI one (a2wsgi)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
from a2wsgi import ASGIMiddleware
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from localgov.testing.web import serve
from tests.requests.support import open_engine, submit_building_permit
from tests.web.support import app_over


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|action)="([^"]+)"', html)


def test_mounted_under_a_path_in_an_asgi_application() -> None:
    engine = open_engine("sqlite://")
    request = submit_building_permit(engine)

    async def portal_home(_: Any) -> PlainTextResponse:
        return PlainTextResponse("the governorate's portal")

    portal = Starlette(routes=[Route("/", portal_home), Mount("/services", app=app_over(engine))])
    with serve(portal) as url, httpx.Client(base_url=url) as client:
        assert client.get("/").text == "the governorate's portal"
        page = client.get(f"/services/track/{request.id}", params={"c": request.access_code})
        assert page.status_code == 200 and "Building permit" in page.text
        links = _links(page.text)
        assert links and all(link.startswith("/services/") for link in links), links
        assert all(client.get(link).status_code == 200 for link in links)  # the style sheet, the icon
        form = client.get("/services/track")
        assert 'action="/services/track"' in form.text


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _wsgi_server(app: Callable[..., Iterable[bytes]]) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


def test_mounted_in_a_wsgi_application() -> None:
    engine = open_engine("sqlite://")
    request = submit_building_permit(engine)
    services = ASGIMiddleware(app_over(engine))

    def portal(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # What Django or Flask do for a mounted application: the prefix moves to SCRIPT_NAME.
        path = environ.get("PATH_INFO", "")
        if path.startswith("/services/"):
            environ["SCRIPT_NAME"], environ["PATH_INFO"] = "/services", path.removeprefix("/services")
            return services(environ, start_response)  # type: ignore[no-any-return]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"the governorate's portal"]

    with _wsgi_server(portal) as url, httpx.Client(base_url=url) as client:
        page = client.get(f"/services/track/{request.id}", params={"c": request.access_code})
        assert page.status_code == 200 and "Building permit" in page.text
        assert all(link.startswith("/services/") for link in _links(page.text))
        assert client.get("/services/assets/site.css").status_code == 200
        assert client.get("/").text == "the governorate's portal"
