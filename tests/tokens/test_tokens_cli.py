"""The CLI end to end: make a hierarchy, sign a trust list, issue, verify, revoke."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from localgov.cli import pki, tokens, trust, verify
from localgov.cli.verify import VerifyContext, register_file_verifier

COMMANDS = pki.COMMANDS + tokens.COMMANDS + trust.COMMANDS + verify.COMMANDS
from localgov.errors import LocalgovError
from localgov.tokens import reference_building_permit


class _Group(click.Group):
    # Mirrors the main localgov group: a LocalgovError is a message and exit status 2.
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LocalgovError as error:
            click.echo(f"error: {error}", err=True)
            ctx.exit(2)


@pytest.fixture(scope="module")
def cli() -> click.Group:
    group = _Group("localgov")
    for command in COMMANDS:
        group.add_command(command)
    return group


@pytest.fixture(scope="module")
def setup(cli: click.Group, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("cli")
    runner = CliRunner(env={"LOCALGOV_KEY_PASSPHRASE": "test-passphrase"})

    def run(*args: object) -> Result:
        result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    run("pki", "init-root", "--out", base / "root", "--trust-signer-out", base / "tls")
    run("pki", "issue-ca", "--root", base / "root", "--governorate", "C", "--out", base / "ca")
    run(
        "pki",
        "issue-signer",
        "--ca",
        base / "ca",
        "--unit",
        "C-ZTN",
        "--kind",
        "building_permit",
        "--out",
        base / "signer",
    )
    root = base / "root" / "certificate.pem"
    run(
        "trust",
        "build",
        "--cert",
        base / "signer" / "certificate.pem",
        "--sequence",
        1,
        "--root",
        root,
        "--chain",
        base / "ca" / "certificate.pem",
        "-o",
        base / "draft.cbor",
    )
    run(
        "trust",
        "sign",
        base / "draft.cbor",
        "--signer",
        base / "tls",
        "--root",
        root,
        "-o",
        base / "trust.cose",
    )
    claims = reference_building_permit()
    claims_file = base / "claims.json"
    claims_file.write_text(
        json.dumps(
            {
                "issuer": claims.issuer,
                "permit_number": claims.permit_number,
                "kind": claims.kind,
                "holder_name": claims.holder_name,
                "parcel": claims.parcel,
                "address": claims.address,
                "expires_at": "2099-01-01T00:00:00+00:00",
                "figures": {"floors": 5, "height_m": 17.5, "built_area_m2": 240},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    issued = run(
        "token",
        "issue",
        "--signer",
        base / "signer",
        "--claims",
        claims_file,
        "--png",
        base / "permit.png",
        "--svg",
        base / "permit.svg",
    )
    return {
        "base": base,
        "runner": runner,
        "root": root,
        "trust": base / "trust.cose",
        "token": issued.output.strip(),
    }


def _verify_args(setup: dict[str, Any], *extra: object) -> list[str]:
    return [str(a) for a in ("verify", *extra, "--trust", setup["trust"], "--root", setup["root"])]


def test_keys_are_encrypted(setup: dict[str, Any]) -> None:
    assert b"ENCRYPTED" in (setup["base"] / "signer" / "private-key.pem").read_bytes()


def test_verify_text_and_image(cli: click.Group, setup: dict[str, Any]) -> None:
    runner = setup["runner"]
    result = runner.invoke(cli, _verify_args(setup, setup["token"]))
    assert result.exit_code == 0, result.output
    assert "ترخيص صحيح" in result.output and "valid permit" in result.output
    assert "محمد أحمد عبد الرحمن السيد" in result.output and "Height: 17.5 m" in result.output
    for args in (("--image", setup["base"] / "permit.png"), (setup["base"] / "permit.png",)):
        result = runner.invoke(cli, _verify_args(setup, *args))
        assert result.exit_code == 0, result.output
    assert (setup["base"] / "permit.svg").read_text().startswith("<svg")


def test_invalid_token_exits_1_with_reason(cli: click.Group, setup: dict[str, Any]) -> None:
    token = setup["token"]
    forged = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    result = setup["runner"].invoke(cli, _verify_args(setup, forged))
    assert result.exit_code == 1
    assert "reason: bad_signature" in result.output or "reason: malformed" in result.output
    result = setup["runner"].invoke(cli, _verify_args(setup, "hello"))
    assert result.exit_code == 1 and "not_localgov_token" in result.output


def test_usage_errors_exit_2(cli: click.Group, setup: dict[str, Any]) -> None:
    runner = setup["runner"]
    assert runner.invoke(cli, _verify_args(setup)).exit_code == 2  # nothing to verify
    assert (
        runner.invoke(cli, _verify_args(setup, setup["token"], "--image", setup["base"] / "permit.png")).exit_code == 2
    )
    assert runner.invoke(cli, ["verify", setup["token"]]).exit_code == 2  # no trust list
    bad_trust = setup["base"] / "bad-trust.cose"
    bad_trust.write_bytes(b"junk")
    result = runner.invoke(cli, ["verify", setup["token"], "--trust", str(bad_trust), "--root", str(setup["root"])])
    assert result.exit_code == 2 and "trust" in result.output
    other = setup["base"] / "notes.txt"
    other.write_text("x")
    assert runner.invoke(cli, _verify_args(setup, other)).exit_code == 2


def test_revoke_then_verify_says_revoked(cli: click.Group, setup: dict[str, Any]) -> None:
    runner, base = setup["runner"], setup["base"]
    result = runner.invoke(
        cli,
        [
            "revoke",
            "--token",
            setup["token"],
            "--signer",
            str(base / "tls"),
            "--root",
            str(setup["root"]),
            "-o",
            str(base / "rev-1.cose"),
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli,
        [
            "revoke",
            "--permit",
            "00" * 8 + ":C-ZTN/1",
            "--list",
            str(base / "rev-1.cose"),
            "--signer",
            str(base / "tls"),
            "--root",
            str(setup["root"]),
            "-o",
            str(base / "rev-2.cose"),
        ],
    )
    assert result.exit_code == 0 and "delta from 1" in result.output
    result = runner.invoke(
        cli,
        _verify_args(
            setup,
            setup["token"],
            "--revocations",
            base / "rev-1.cose",
            "--revocations",
            base / "rev-2.cose",
        ),
    )
    assert result.exit_code == 1 and "reason: revoked" in result.output


def test_inspect_and_trust_show(cli: click.Group, setup: dict[str, Any]) -> None:
    runner = setup["runner"]
    result = runner.invoke(cli, ["token", "inspect", setup["token"]])
    assert result.exit_code == 0 and "NOT VERIFIED" in result.output and "2025/001234" in result.output
    result = runner.invoke(cli, ["trust", "show", str(setup["trust"]), "--root", str(setup["root"])])
    assert result.exit_code == 0 and "unit C-ZTN" in result.output and "building_permit" in result.output
    result = runner.invoke(
        cli,
        [
            "token",
            "verify",
            setup["token"],
            "--trust",
            str(setup["trust"]),
            "--root",
            str(setup["root"]),
        ],
    )
    assert result.exit_code == 0


def test_wrong_passphrase_is_a_usage_error_without_key_material(cli: click.Group, setup: dict[str, Any]) -> None:
    result = CliRunner(env={"LOCALGOV_KEY_PASSPHRASE": "wrong"}).invoke(
        cli,
        [
            "token",
            "issue",
            "--signer",
            str(setup["base"] / "signer"),
            "--claims",
            str(setup["base"] / "claims.json"),
        ],
    )
    assert result.exit_code == 2 and "wrong passphrase" in result.output
    assert "BEGIN" not in result.output


def test_file_verifiers_plug_in(cli: click.Group, setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from localgov.cli import verify

    # The registry is the process's: the real PDF verifier comes back after this test.
    monkeypatch.setattr(verify, "_FILE_VERIFIERS", dict(verify._FILE_VERIFIERS))
    seen: list[Path] = []

    def fake_pdf_verifier(path: Path, context: VerifyContext) -> int:
        seen.append(path)
        assert context.trust.sequence == 1
        return 1

    register_file_verifier(".pdf", fake_pdf_verifier)
    pdf = setup["base"] / "permit.pdf"
    pdf.write_bytes(b"%PDF-1.7")
    assert setup["runner"].invoke(cli, _verify_args(setup, pdf)).exit_code == 1
    assert seen == [pdf]


def test_issue_a_device_certificate_then_revoke_the_lost_device(cli: click.Group, setup: dict[str, Any]) -> None:
    from cryptography.hazmat.primitives import serialization

    from localgov.pki import device_id_of, generate_signing_key, kid_of, load_certificate, load_certificates
    from localgov.tokens import RevocationList, RevocationUpdate

    runner, base = setup["runner"], setup["base"]
    root = load_certificate(setup["root"])
    key = generate_signing_key()
    (base / "tablet.pub").write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    issue = ["pki", "issue-device", "--ca", str(base / "ca"), "--unit", "C-ZTN", "--device-id", "ZTN-TAB-01"]
    result = runner.invoke(cli, [*issue, "--public-key", str(base / "tablet.pub"), "--out", str(base / "tablet.pem")])
    assert result.exit_code == 0 and "device ZTN-TAB-01 of C-ZTN" in result.output, result.output
    device, ca = load_certificates(base / "tablet.pem")
    assert device_id_of(device) == "ZTN-TAB-01" and ca == load_certificate(base / "ca" / "certificate.pem")
    result = runner.invoke(cli, [*issue, "--public-key", str(setup["root"]), "--out", str(base / "x.pem")])
    assert result.exit_code != 0 and "not a PEM public key" in result.output

    arguments = ["revoke", "--signer", str(base / "tls"), "--root", str(setup["root"])]
    result = runner.invoke(cli, [*arguments, "--device", str(base / "tablet.pem"), "-o", str(base / "rev-d.cose")])
    assert result.exit_code == 0 and "0 permit(s) and 1 device(s) revoked" in result.output, result.output
    revoked = RevocationList.from_updates([RevocationUpdate.load((base / "rev-d.cose").read_bytes(), root)])
    assert revoked.device_revoked_at(kid_of(device)) is not None
    result = runner.invoke(cli, [*arguments, "--device", str(setup["root"]), "-o", str(base / "rev-x.cose")])
    assert result.exit_code == 2 and "not a device certificate" in result.output
