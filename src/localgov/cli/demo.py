"""``localgov demo``: the end-to-end run behind ``make demo``, ending on the citizen's web page."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click

__all__ = ["COMMANDS"]

WEB_SETTINGS = """\
# localgov serve --settings {folder}/web.toml: the demo's pages on this machine.
public_url = "http://127.0.0.1:8000"
trust_list = "trust-list.cose"
revocations = "revocations.cose"
root_certificate = "root.pem"
permit_log = true
log_public_key = "log.pub"
"""


@click.command("demo")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/demo"),
    show_default=True,
    help="Folder for the database and the documents the demo produces.",
)
@click.option(
    "--governorate",
    type=click.Choice(["cairo", "qalyubia"]),
    default="cairo",
    show_default=True,
    help="cairo: a district of a city governorate; qalyubia: a village local unit, and its post office.",
)
def demo(output: Path, governorate: str) -> None:
    """Run a building-permit request from the counter to issue (Zeitoun, Cairo, by default)."""
    if governorate == "qalyubia":
        from localgov.demo.qalyubia import run_qalyubia_demo

        if run_qalyubia_demo(output, echo=click.echo).findings:
            raise SystemExit(1)
        return
    from localgov.demo import run_demo

    result = run_demo(output, echo=click.echo)
    if result.findings:
        raise SystemExit(1)
    (output / "web.toml").write_text(WEB_SETTINGS.format(folder=output), encoding="utf-8")
    _follow_on_the_web(output, result)


def _follow_on_the_web(output: Path, result: Any) -> None:
    """Open the receipt QR's page on a real server over the demo's database, as a citizen's phone would."""
    click.echo("")
    click.echo("■ صفحة متابعة الطلب خلف رمز الإيصال، على خادم حقيقي")
    click.echo("  The status page behind the receipt QR, on a real server")
    try:
        from localgov.app import Localgov
        from localgov.permits import log_entry
        from localgov.storage import SqlPermitLog
        from localgov.testing.web import serve
        from localgov.transparency import leaf_hash
        from localgov.web import create_app
        from localgov.web.settings_file import load_web_settings
    except ImportError as error:  # the web extra is not installed
        click.echo(f"  (skipped: {error.name} is missing; pip install 'localgov[web]')")
        return
    application = Localgov()
    database = f"sqlite:///{result.database}"
    engine = application.engine(database, audit_key=(output / "audit.key").read_bytes().strip())
    request = result.request
    permit_log = SqlPermitLog.open(database)
    app = create_app(application, engine, load_web_settings(output / "web.toml"), permit_log=permit_log)
    with serve(app) as base:
        url = f"{base}/track/{request.id}?c={request.access_code}"
        with urllib.request.urlopen(url) as response:
            page = response.read().decode("utf-8")
        click.echo(f"  GET {url} → {response.status}")
        for label, value in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", page, flags=re.DOTALL):
            click.echo(f"    {_text(label)}: {_text(value)}")
        # What the verification page asks the log for the permit: the proof by its leaf hash.
        token = (output / "permit-token.txt").read_text("utf-8").strip()
        leaf = leaf_hash(log_entry(token).encode()).hex()
        with urllib.request.urlopen(f"{base}/log/proof/by-hash?hash={leaf}") as response:
            index = response.read().decode("utf-8").splitlines()[1]
        click.echo(f"  GET {base}/log/proof/by-hash?hash={leaf[:16]}… → {response.status}: {index}")
    permit_log.close()
    click.echo("  To open the pages in a browser / لفتح الصفحات في المتصفح:")
    click.echo(
        f"    localgov --db sqlite:///{result.database} --audit-key-file {output / 'audit.key'} serve --settings {output / 'web.toml'}"
    )
    click.echo(f"    http://127.0.0.1:8000/track/{request.id}?c={request.access_code}")
    click.echo(f"    http://127.0.0.1:8000/verify?t={quote(token, safe='')}")


def _text(html: str) -> str:
    # Arabic and English halves of a line kept apart by " / ", as the rest of the demo prints them.
    parts = [" ".join(part.split()) for part in re.split(r"<span lang=\"en\"[^>]*>", html)]
    return " / ".join(re.sub(r"<[^>]+>", "", part).strip() for part in parts if re.sub(r"<[^>]+>", "", part).strip())


COMMANDS = (demo,)
