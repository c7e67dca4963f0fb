"""The citizen's reads of a request, answered again from memory while the request is unchanged.

Every scan of a receipt's QR, every SMS link and every portal refresh is a read of one request:
the status page (``/track/{number}``), the status API (``/api/v1/requests/{number}/status``) and
Open311's one request (``/open311/v2/requests/{number}.json``). For a given path and query, the
access code among them, the answer stays the same until the request's record or history changes
(its version, event count and head hash) or its payment orders do (how many, how many are still
open, their latest change), and all of that is one row read by primary key: the request's *mark*. So the whole
answer the application gave is kept with the mark it was made from, and the same read is
answered again after one statement that finds the mark unchanged, without the framework, the
record's seal check or the page's rendering (docs/benchmarks.md: about a seventh of the cost).

What is kept, and why that is safe:

* only 200 answers to GETs of those three routes made without credentials (a staff member's
  ``Authorization`` always goes to the application, which checks it) and setting no cookie;
* the key is the path, the query and the ``X-Access-Code`` header, so an answer kept for the right
  code is found only by the right code: a wrong code misses, goes to the application and is
  counted there as a wrong try; a client out of tries goes to the application too, and is refused
  as before;
* the mark is read before the application is asked: if the request changes while it answers, the
  answer is kept under the older mark and the next read misses. A kept answer can look older than
  the request, never newer, and an older one is never sent once the mark has moved;
* the mark is read from the database, so workers, each with its own memory, never send what
  another worker changed, and an edit made in the database (which moves the row's version or
  history) is seen at once: the application then reads the record and checks its seal. On
  SQLite the read is skipped while ``PRAGMA data_version`` (asked on the reader's own connection,
  before any mark is read) shows that nothing at all was committed since the mark was last found
  unchanged.

At most ``size`` answers are kept per worker, those read least recently forgotten first.
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import sqlalchemy as sa

from localgov.limits import AttemptLimit
from localgov.payments import PaymentStatus
from localgov.payments.ledger_schema import orders
from localgov.storage import SqlStore
from localgov.storage.prepared import PreparedStatement
from localgov.storage.schema import requests
from localgov.tracking import InvalidTrackingNumber, TrackingNumber

__all__ = ["StatusCache", "mark_statement"]

# The three citizen reads, and where the tracking number is in each path.
_CITIZEN_READS = re.compile(
    r"/(?:track/(?P<page>[^/]{1,64})"
    r"|api/v1/requests/(?P<api>[^/]{1,64})/status"
    r"|open311/v2/requests/(?P<open311>[^/]{1,64})\.(?:json|xml))"
)
_ACCESS_CODE_HEADER = b"x-access-code"
_AUTHORIZATION = b"authorization"

Mark = tuple[Any, ...]


def mark_statement() -> sa.Select[Any]:
    """The request's mark: everything a citizen's view of it is made from changes one of these.

    One probe of each table's index: the request by its key, its payment orders by theirs.
    """
    return (
        sa.select(
            requests.c.version,
            requests.c.event_count,
            requests.c.head_hash,
            sa.func.count(orders.c.merchant_ref).label("orders"),
            sa.func.count(orders.c.merchant_ref)
            .filter(orders.c.status == PaymentStatus.PENDING.value)
            .label("open_orders"),
            sa.func.max(orders.c.updated_at).label("orders_changed"),
        )
        .select_from(requests.outerjoin(orders, orders.c.request_id == requests.c.id))
        .where(requests.c.id == sa.bindparam("request_id"))
        .group_by(requests.c.id, requests.c.version, requests.c.event_count, requests.c.head_hash)
    )


@attrs.define
class _Kept:
    number: str
    mark: Mark
    headers: list[tuple[bytes, bytes]]
    body: bytes
    #: The database's version (SQLite's data_version) when the mark was last found unchanged.
    checked_at: Any = None


class StatusCache:
    """ASGI middleware keeping the citizen's status answers of ``app`` while their request is unchanged."""

    def __init__(self, app: Any, store: SqlStore, tries: AttemptLimit, *, size: int = 10_000) -> None:
        if size < 1:
            raise ValueError(f"a status cache keeps at least one answer, not {size}")
        self.app = app
        self._tries, self._size = tries, size
        statement = PreparedStatement(mark_statement(), store.engine.dialect)
        reader = store.dedicated_reader(statement)
        self._read: Callable[[Mapping[str, Any]], Mark | None] = (
            reader if reader is not None else functools.partial(store.read_values, statement)
        )
        # SQLite tells whether anything was committed since a mark was read: until then the
        # kept answers need no read of their marks (docs/web.md, "Status answers kept").
        self._database_version: Callable[[], Any] = reader.data_version if reader is not None else lambda: None
        self._kept: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        self._kept.clear()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        route = _CITIZEN_READS.fullmatch(scope["path"])
        if route is None:
            await self.app(scope, receive, send)
            return
        code_header = None
        for name, value in scope["headers"]:
            if name == _AUTHORIZATION:
                await self.app(scope, receive, send)  # staff: the application checks who it is
                return
            if name == _ACCESS_CODE_HEADER:
                code_header = value
        key = (scope.get("root_path", ""), scope["path"], scope["query_string"], code_header)
        kept = self._kept.get(key)
        if kept is not None:
            if self._unchanged(kept) and not self._out_of_tries(scope):
                self._kept.move_to_end(key)
                await send({"type": "http.response.start", "status": 200, "headers": kept.headers})
                await send({"type": "http.response.body", "body": kept.body})
                return
            del self._kept[key]
        await self._answer_and_keep(scope, receive, send, key, route.group(route.lastgroup or 0))

    async def _answer_and_keep(self, scope: Any, receive: Any, send: Any, key: tuple[Any, ...], given: str) -> None:
        try:
            number = str(TrackingNumber.parse(given))
        except InvalidTrackingNumber:
            await self.app(scope, receive, send)
            return
        checked_at = self._database_version()  # before the mark: a commit after it moves it
        mark = self._read_mark(number)  # before the application reads: see the module's notes
        if mark is None:
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body: list[bytes] = []

        async def keep_and_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if not message.get("more_body", False) and _keepable(start):
                    self._keep(key, _Kept(number, mark, list(start.get("headers", ())), b"".join(body), checked_at))
            await send(message)

        await self.app(scope, receive, keep_and_send)

    def _keep(self, key: tuple[Any, ...], answer: _Kept) -> None:
        self._kept[key] = answer
        if len(self._kept) > self._size:
            self._kept.popitem(last=False)

    def _unchanged(self, kept: _Kept) -> bool:
        version = self._database_version()
        if version is not None and version == kept.checked_at:
            return True  # nothing committed anywhere since the mark was found unchanged
        if self._read_mark(kept.number) != kept.mark:
            return False
        kept.checked_at = version
        return True

    def _read_mark(self, number: str) -> Mark | None:
        return self._read({"request_id": number})

    def _out_of_tries(self, scope: Any) -> bool:
        client = scope.get("client")
        return self._tries.exceeded(client[0] if client else "unknown")


def _keepable(start: dict[str, Any]) -> bool:
    return start.get("status") == 200 and not any(name.lower() == b"set-cookie" for name, _ in start.get("headers", ()))
