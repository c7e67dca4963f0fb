"""``localgov serve``, its settings file, and what every response carries whatever part answers it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from localgov.cli import cli
from localgov.testing.web import free_port, serve
from localgov.web import WebSettings, WebSettingsError, api_key_digest
from localgov.web.settings_file import load_web_settings
from tests.requests.support import open_engine, submit_building_permit
from tests.web.support import app_over


def _wait(url: str, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read().decode() if server.stderr else "the server stopped"
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def test_serve_runs_the_service_with_several_workers(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'served.db'}"
    engine = open_engine(database)
    request = submit_building_permit(engine)
    port = free_port()
    command = [sys.executable, "-m", "localgov.cli", "serve"]
    arguments = ["--database", database, "--plugins", "cairo", "--port", str(port), "--workers", "2"]
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    server = subprocess.Popen([*command, *arguments], stderr=subprocess.PIPE, env=environment)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(f"{base}/track", server)
        pages = [httpx.get(f"{base}/track/{request.id}", params={"c": request.access_code}) for _ in range(6)]
        assert all(page.status_code == 200 and "Building permit" in page.text for page in pages)
        assert httpx.get(f"{base}/openapi/openapi.json").json()["info"]["title"] == "localgov"
        # The workers count wrong codes together, in the database: ten, wherever they landed, block.
        for _ in range(10):
            assert httpx.get(f"{base}/track/{request.id}", params={"c": "ABCDE12345"}).status_code == 404
        assert httpx.get(f"{base}/track/{request.id}", params={"c": request.access_code}).status_code == 429
    finally:
        server.terminate()
        server.wait(20)


def test_serve_refuses_a_bad_settings_file_before_starting(tmp_path: Path) -> None:
    settings = tmp_path / "web.toml"
    settings.write_text('public_url = "ftp://example"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "--settings", str(settings)])
    assert result.exit_code == 2 and f"{settings}: public_url: 'ftp://example' is not an http(s) URL" in result.output


def test_serve_hashes_a_key_for_the_settings_file() -> None:
    result = CliRunner().invoke(cli, ["serve", "--hash-key", "s3cret"])
    assert result.exit_code == 0 and result.output.strip() == api_key_digest("s3cret")


def test_the_settings_file(tmp_path: Path) -> None:
    (tmp_path / "trust-list.cose").write_bytes(b"x")
    (tmp_path / "revocations.d").mkdir()
    path = tmp_path / "web.toml"
    path.write_text(
        'public_url = "https://services.cairo.gov.eg"\ntrust_list = "trust-list.cose"\nmax_body = 4096\n'
        'shared_limits = true\nrevocation_deltas = "revocations.d"\nstatus_answers_kept = 50\n'
        f'[api_keys]\n"{api_key_digest("k1")}" = "clerk1"\n',
        encoding="utf-8",
    )
    settings = load_web_settings(path)
    assert settings.trust_list == tmp_path / "trust-list.cose" and settings.max_body == 4096
    assert settings.shared_limits and settings.status_answers_kept == 50
    assert settings.revocation_deltas == tmp_path / "revocations.d"
    assert settings.staff_id_for_key("k1") == "clerk1" and settings.staff_id_for_key("k2") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("public_url = 1\n", "public_url: 1 is not a str"),
        ('revocations = "missing.cose"\n', "revocations: no file"),
        ('revocation_deltas = "nowhere"\n', "revocation_deltas: no folder"),
        ("status_answers_kept = -1\n", "status_answers_kept: -1 cannot be negative"),
        ("colour = 1\n", "unknown key 'colour'"),
        ("max_body = 10\n", "max_body: 10 bytes is too small"),
        ('[api_keys]\n"abc" = "clerk1"\n', "api_keys: 'abc'... is not a SHA-256 hex digest"),
        ("max_body = \n", "not TOML"),
        ('shared_limits = "yes"\n', "shared_limits: 'yes' is not a bool"),
        ("access_code_tries = 0\n", "access_code_tries: 0 in access_code_window"),
        ("reports_max_age = -1\n", "reports_max_age: -1.0 seconds cannot be negative"),
    ],
)
def test_the_settings_file_names_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "web.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WebSettingsError, match=str(path).replace("\\", "\\\\")) as raised:
        load_web_settings(path)
    assert message in str(raised.value)


@given(st.text(max_size=200))
def test_any_settings_text_is_read_or_refused_by_name(text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "web.toml"
        path.write_text(text, encoding="utf-8")
        try:
            load_web_settings(path)
        except WebSettingsError as error:
            assert str(error).startswith(str(path))


def test_every_response_carries_the_security_headers_and_no_trace() -> None:
    engine = open_engine("sqlite://")
    with serve(app_over(engine)) as url:
        responses = [
            httpx.get(f"{url}/track"),
            httpx.get(f"{url}/assets/site.css"),
            httpx.get(f"{url}/nothing-here"),
            httpx.post(f"{url}/track"),
            httpx.get(f"{url}/openapi/openapi.json"),
        ]
    for response in responses:
        headers = response.headers
        assert "script-src 'self'" in headers["content-security-policy"], response.url
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
        assert "Traceback" not in response.text and "server" not in headers
    assert responses[2].status_code == 404 and responses[2].headers["content-type"] == "application/problem+json"
    assert responses[2].json()["type"] == "urn:localgov:problem:not-found"
    assert responses[3].status_code == 405


def test_web_settings_refuse_what_cannot_work() -> None:
    with pytest.raises(WebSettingsError, match="public_url"):
        WebSettings(public_url="services.cairo.gov.eg")


def test_a_client_over_its_rate_gets_429_with_the_policy() -> None:
    engine = open_engine("sqlite://")
    with serve(app_over(engine, requests_per_minute=5)) as url, httpx.Client(base_url=url) as client:
        answers = [client.get("/track") for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert answers[-1].json()["type"] == "urn:localgov:problem:too-many-requests"
    assert answers[0].headers["ratelimit-limit"] == "5"


@pytest.mark.parametrize(("variable", "shared"), [("1", True), (None, False)])
def test_workers_started_together_count_wrong_codes_in_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str | None, shared: bool
) -> None:
    """What `localgov serve --workers N` (N > 1) puts in each worker's environment."""
    from localgov.limits import MemoryAttemptLimit
    from localgov.storage import SqlAttemptLimit
    from localgov.web import context_of
    from localgov.web.serving import app_from_environment

    monkeypatch.setenv("LOCALGOV_DATABASE", f"sqlite:///{tmp_path / 'localgov.db'}")
    monkeypatch.setenv("LOCALGOV_PLUGINS", "cairo")
    if variable is None:
        monkeypatch.delenv("LOCALGOV_SHARED_LIMITS", raising=False)
    else:
        monkeypatch.setenv("LOCALGOV_SHARED_LIMITS", variable)
    context = context_of(app_from_environment())
    limiter = context.access_code_limiter
    assert isinstance(limiter, SqlAttemptLimit if shared else MemoryAttemptLimit)
    context.engine.store.close()
