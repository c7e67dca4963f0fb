"""The bytes an event's hash covers stay those of the first histories ever written.

Histories stored before the history encoder moved from the json module to orjson must still
verify, so the two must agree byte for byte on everything history data can hold.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from localgov.requests.history import canonical_json, chain_hash

SCALARS = st.none() | st.booleans() | st.integers() | st.text()
HISTORY_DATA = st.recursive(SCALARS, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=25)


def json_module_bytes(fields: Any) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@settings(max_examples=500)
@given(st.dictionaries(st.text(), HISTORY_DATA))
def test_the_encoding_is_the_json_modules_byte_for_byte(fields: dict[str, Any]) -> None:
    try:
        expected = json_module_bytes(fields)
    except UnicodeEncodeError:  # a lone surrogate is no text either encoder stores
        return
    assert canonical_json(fields) == expected


def test_arabic_control_characters_and_large_integers() -> None:
    fields = {"comment": "ينقص مستند\n\t\x00\x1f\x7f\u2028", "b": 2**70, "a": [-(2**63), 2**64 - 1, True, None]}
    assert canonical_json(fields) == json_module_bytes(fields)


def test_a_hash_recorded_with_the_json_module_still_verifies() -> None:
    recorded = chain_hash(
        b"audit-key",
        request_id="CZTN-2600001-3",
        at="2026-11-20T09:15:00+02:00",
        actor="doc1",
        role="document_checker",
        action="request_missing",
        from_state="document_check",
        to_state="awaiting_applicant",
        data={"comment": "ينقص إثبات الملكية", "changes": {"assigned_to": None}},
        prev_hash="0" * 64,
    )
    fields = {
        "request": "CZTN-2600001-3",
        "at": "2026-11-20T09:15:00+02:00",
        "actor": "doc1",
        "role": "document_checker",
        "action": "request_missing",
        "from": "document_check",
        "to": "awaiting_applicant",
        "data": {"comment": "ينقص إثبات الملكية", "changes": {"assigned_to": None}},
        "prev": "0" * 64,
    }
    # What the first release, whose encoder was the json module, computed for this event.
    assert recorded == hmac.new(b"audit-key", json_module_bytes(fields), hashlib.sha256).hexdigest()
