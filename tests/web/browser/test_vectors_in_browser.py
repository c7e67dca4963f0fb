"""Every published test vector (tests/vectors/) verified by the page's own scripts in Chromium."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from localgov.pki import load_certificate
from localgov.tokens import TrustList, verify
from tests.web.browser.in_page import claims_as_page_shows, load_lists, verify_in_page

VECTORS = Path(__file__).parents[2] / "vectors"
FILES = sorted((VECTORS / "vectors").glob("*.json"))


@pytest.fixture(scope="module")
def vector_page(browser: Any, base_url: str) -> Any:
    page = browser.new_page()
    page.goto(base_url + "/verify")
    page.wait_for_selector("body[data-lists]")
    yield page
    page.close()


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_vector(vector_page: Any, path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    at = datetime.fromisoformat(vector["verify_at"])
    load_lists(
        vector_page,
        "vectors",
        (VECTORS / "keys" / "root.pem").read_bytes(),
        (VECTORS / "trust-list.cose").read_bytes(),
        (VECTORS / "revocations.cose").read_bytes(),
        at.timestamp(),
    )
    result = verify_in_page(
        vector_page, "vectors", vector["token"], at.timestamp() * 1000, use_revocations=vector["use_revocations"]
    )
    assert result["code"] == vector["expected"]
    if vector["expected"] == "valid":
        root = load_certificate(VECTORS / "keys" / "root.pem")
        trust = TrustList.load((VECTORS / "trust-list.cose").read_bytes(), root, at=at)
        assert result["claims"] == claims_as_page_shows(verify(vector["token"], trust, None, at).claims)


def test_a_list_not_signed_under_the_root_is_refused(vector_page: Any) -> None:
    # The vectors' trust list checked against another certificate as the root: the page must not use it.
    with pytest.raises(Exception, match="not issued by the root|does not match"):
        load_lists(
            vector_page,
            "wrong-root",
            (VECTORS / "keys" / "stranger.pem").read_bytes(),
            (VECTORS / "trust-list.cose").read_bytes(),
            None,
            datetime.fromisoformat("2025-06-01T00:00:00+00:00").timestamp(),
        )
