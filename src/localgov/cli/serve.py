"""``localgov serve``: the web service (API, Open311, citizen pages) under uvicorn."""

from __future__ import annotations

import os
from pathlib import Path

import click

from localgov.cli.common import state

__all__ = ["COMMANDS"]


@click.command("serve")
@click.option("--database", help="Database URL (default: the global --db).")
@click.option("--plugins", help="Plugins to load, comma-separated (default: every installed plugin).")
@click.option(
    "--settings",
    "settings_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Web settings file (TOML): public URL, API key digests, trust and revocation lists.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option(
    "--letters-signer",
    "letter_signers",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A unit's signing credential directory, so the API can send its letters (repeatable).",
)
@click.option("--hash-key", metavar="KEY", help="Print the digest of an API key for the settings file, and exit.")
@click.pass_context
def serve(
    ctx: click.Context,
    database: str | None,
    plugins: str | None,
    settings_file: Path | None,
    host: str,
    port: int,
    workers: int,
    letter_signers: tuple[Path, ...],
    hash_key: str | None,
) -> None:
    """Run the web service with uvicorn.

    Behind a reverse proxy, run several workers: each opens its own database connections.
    """
    from localgov.web.settings import api_key_digest

    if hash_key is not None:
        click.echo(api_key_digest(hash_key))
        return
    import uvicorn

    from localgov.web.serving import app_from_environment
    from localgov.web.settings_file import load_web_settings

    cli_state = state(ctx)
    environment = {"LOCALGOV_DATABASE": database or cli_state.database}
    if plugins is not None:
        environment["LOCALGOV_PLUGINS"] = plugins
    if cli_state.staff_files:
        environment["LOCALGOV_STAFF"] = os.pathsep.join(str(p.resolve()) for p in cli_state.staff_files)
    if cli_state.audit_key_file:
        environment["LOCALGOV_AUDIT_KEY_FILE"] = str(cli_state.audit_key_file.resolve())
    if settings_file is not None:
        load_web_settings(settings_file)  # refuse a bad file here, with its message, not in each worker
        environment["LOCALGOV_WEB_SETTINGS"] = str(settings_file.resolve())
    if workers > 1:
        # Each worker would otherwise count wrong access codes alone: the limit, times the workers.
        environment["LOCALGOV_SHARED_LIMITS"] = "1"
    if letter_signers:
        environment["LOCALGOV_LETTER_SIGNERS"] = os.pathsep.join(str(p.resolve()) for p in letter_signers)
    os.environ.update(environment)
    app_from_environment()  # a bad database URL or roster is refused before uvicorn starts
    uvicorn.run(
        "localgov.web.serving:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        server_header=False,
    )


COMMANDS = [serve]
