"""The public permit log over HTTP: its checkpoint, tiles, entry bundles and proofs.

The paths follow c2sp.org/tlog-tiles under ``/log/`` (``checkpoint``, ``tile/<L>/<N>[.p/<W>]``,
``tile/entries/<N>[.p/<W>]``), so a witness or any tlog client reads this log as it reads others;
they are computed from the database on request rather than written as files. A full tile never
changes and is sent as immutable; a partial tile and the checkpoint change as the log grows.
Three convenience endpoints give what a verifier would otherwise rebuild from tiles: an inclusion
proof as a c2sp.org/tlog-proof file, by index or by the leaf's hash (what a permit's verifier
holds: it recomputes the entry from the token), and a consistency proof between two sizes.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

import attrs
from litestar import Response, Router, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter

from localgov.transparency import (
    TILE_WIDTH,
    EntryBundle,
    InclusionProofFile,
    SignedCheckpoint,
    Tile,
    encode_entry_bundle,
    hash_tile,
    parse_tile_path,
    tile_at,
)
from localgov.transparency.errors import IndexOutOfRange, TileError
from localgov.web.context import WebContext
from localgov.web.problems import Problem, problem_response

__all__ = ["ConsistencyProof", "routers"]

_IMMUTABLE = "public, max-age=31536000, immutable"
_FRESH = "public, max-age=5, must-revalidate"


@attrs.frozen
class ConsistencyProof:
    """That the tree of ``size`` leaves extends the tree of ``from_size``: the RFC 9162 proof."""

    from_size: int
    size: int
    proof: list[str]  # base64, as the checkpoint's root is written
    checkpoint: str


def _latest(context: WebContext) -> SignedCheckpoint:
    log = context.permit_log
    signed = log.latest_checkpoint() if log is not None else None
    if signed is None:
        raise NotFoundException("the permit log has no signed checkpoint yet")
    return signed


def _text(body: str | bytes, cache: str, media_type: str = "text/plain; charset=utf-8") -> Response[Any]:
    return Response(body, media_type=media_type, headers={"Cache-Control": cache})


@get("/checkpoint", sync_to_thread=True, summary="The log's latest signed checkpoint (c2sp.org/tlog-checkpoint)")
def checkpoint(context: NamedDependency[WebContext]) -> Response[Any]:
    return _text(str(_latest(context)), _FRESH)


@get("/tile/{path:path}", sync_to_thread=True, summary="A tile or entry bundle (c2sp.org/tlog-tiles)")
def tile(context: NamedDependency[WebContext], path: FromPath[str]) -> Response[Any]:
    signed, log = _latest(context), context.permit_log
    assert log is not None
    size = signed.checkpoint.size
    try:
        wanted = parse_tile_path("tile" + path)
        level = wanted.level if isinstance(wanted, Tile) else 0
        standing = tile_at(level, wanted.index, size)
    except (TileError, IndexOutOfRange) as error:
        return problem_response(_not_found(str(error)))
    # A full tile is served once the tree has it; a partial one only at the width the latest
    # checkpoint gives it (an older partial tile is the prefix of a newer one).
    if wanted.width != standing.width and wanted.width != TILE_WIDTH:
        return problem_response(_not_found(f"the latest checkpoint has this tile {standing.width} wide"))
    if wanted.width == TILE_WIDTH and standing.width != TILE_WIDTH:
        return problem_response(_not_found("this tile is not full yet"))
    cache = _IMMUTABLE if wanted.width == TILE_WIDTH else _FRESH
    if isinstance(wanted, EntryBundle):
        first = wanted.index * TILE_WIDTH
        entries = [entry for _, entry in log.entries(first, first + wanted.width)]
        return _text(encode_entry_bundle(entries), cache, "application/octet-stream")
    return _text(hash_tile(log, wanted), cache, "application/octet-stream")


@get("/proof/inclusion", sync_to_thread=True, summary="An inclusion proof against the latest checkpoint")
def inclusion(context: NamedDependency[WebContext], index: Annotated[int, QueryParameter(ge=0)]) -> Response[Any]:
    signed, log = _latest(context), context.permit_log
    assert log is not None
    if index >= signed.checkpoint.size:
        return problem_response(_not_found(f"index {index} is beyond the tree of {signed.checkpoint.size}"))
    proof = InclusionProofFile(index, tuple(log.inclusion_proof(index, signed.checkpoint.size)), signed)
    return _text(str(proof), _FRESH)


@get(
    "/proof/by-hash",
    sync_to_thread=True,
    summary="The inclusion proof of the leaf with this hash (hex), against the latest checkpoint",
)
def inclusion_by_hash(
    context: NamedDependency[WebContext],
    leaf: Annotated[str, QueryParameter(name="hash", pattern="^[0-9a-f]{64}$")],
) -> Response[Any]:
    signed, log = _latest(context), context.permit_log
    assert log is not None
    index = log.index_of(bytes.fromhex(leaf))
    size = signed.checkpoint.size
    if index is None:
        return problem_response(_not_in_log("no leaf of the log has this hash", "not-in-log"))
    if index >= size:
        detail = f"the leaf is at index {index}, after the latest checkpoint (of {size}): ask again later"
        return problem_response(_not_in_log(detail, "log-pending"))
    proof = InclusionProofFile(index, tuple(log.inclusion_proof(index, size)), signed)
    return _text(str(proof), _FRESH)


@get("/proof/consistency", sync_to_thread=True, summary="A consistency proof from an earlier size to the latest")
def consistency(
    context: NamedDependency[WebContext], from_size: Annotated[int, QueryParameter(name="from", ge=1)]
) -> ConsistencyProof:
    signed, log = _latest(context), context.permit_log
    assert log is not None
    size = signed.checkpoint.size
    if from_size > size:
        raise NotFoundException(f"size {from_size} is beyond the tree of {size}")
    proof = log.consistency_proof(from_size, size)
    return ConsistencyProof(from_size, size, [base64.b64encode(h).decode("ascii") for h in proof], str(signed))


def _not_found(detail: str) -> Problem:
    return Problem(type="urn:localgov:problem:not-found", title="Not found", status=404, detail=detail)


def _not_in_log(detail: str, kind: str) -> Problem:
    title = "Not in the log" if kind == "not-in-log" else "Not yet in a signed checkpoint"
    return Problem(type=f"urn:localgov:problem:{kind}", title=title, status=404, detail=detail)


def routers(context: WebContext) -> list[Router]:
    if context.permit_log is None:
        return []
    return [
        Router(
            path="/log",
            route_handlers=[checkpoint, tile, inclusion, inclusion_by_hash, consistency],
            tags=["permit log"],
        )
    ]
