"""Each hook works as documented; every hook is documented and tested (enforced here)."""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from localgov import LocalizedText, hookimpl
from localgov.app import Localgov
from localgov.catalogue import (
    CatalogueError,
    Channel,
    FeeRule,
    FeeRuleKind,
    IssuedKind,
    Issues,
    ServiceDefinition,
)
from localgov.notifications import OutboundMessage
from localgov.plugins import hookspecs

ROOT = Path(__file__).parents[2]
HOOK_NAMES = sorted(name for name in dir(hookspecs) if hasattr(getattr(hookspecs, name), "localgov_spec"))


def app_with(*plugins: object, **options: Any) -> Localgov:
    return Localgov(plugins=[], plugin_objects=plugins, **options)


def test_every_hook_is_documented() -> None:
    documented = set(
        re.findall(r"^## (\w+)$", (ROOT / "docs" / "plugins" / "hooks.md").read_text("utf-8"), re.MULTILINE)
    )
    assert set(HOOK_NAMES) == documented


def test_every_hook_has_a_test() -> None:
    tests = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        tests |= {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert not [name for name in HOOK_NAMES if f"test_hook_{name}" not in tests]


def test_every_hookspec_has_a_docstring_and_register_hooks_take_register() -> None:
    for name in HOOK_NAMES:
        spec = getattr(hookspecs, name)
        assert spec.__doc__ and ".. versionadded::" in spec.__doc__, name
        if name.startswith("register_"):
            assert spec.__code__.co_varnames[: spec.__code__.co_argcount] == ("register", "app"), name


def test_hook_register_catalogue(tmp_path: Path) -> None:
    (tmp_path / "extra.toml").write_text(
        '[categories.markets]\nname = { ar = "الأسواق", en = "Markets" }\n', encoding="utf-8"
    )

    class Plugin:
        @hookimpl
        def register_catalogue(self, register: Any) -> None:
            register(tmp_path)

    assert app_with(Plugin()).catalogue.categories["markets"].name.en == "Markets"


def _service(**overrides: Any) -> ServiceDefinition:
    fields: dict[str, Any] = {
        "code": "kiosk_permit",
        "name": LocalizedText("ترخيص كشك", "Kiosk permit"),
        "description": LocalizedText("ترخيص كشك على الرصيف", "Permit for a pavement kiosk"),
        "category": "shops",
        "department": "licensing",
        "workflow": "renewal",
        "time_limit_days": 5,
        "channels": ("front_desk",),
        "issues": Issues(IssuedKind.LICENCE),
    }
    fields.update(overrides)
    return ServiceDefinition(**fields)


def test_hook_register_services() -> None:
    class Plugin:
        @hookimpl
        def register_services(self, register: Any) -> None:
            register(_service())

    assert app_with(Plugin()).catalogue.service("kiosk_permit").name.ar == "ترخيص كشك"


def test_register_services_problems_name_the_plugin() -> None:
    class Broken:
        @hookimpl
        def register_services(self, register: Any) -> None:
            register(_service(workflow="nowhere"))

    with pytest.raises(CatalogueError) as caught:
        _ = app_with(Broken()).catalogue
    assert any("plugin" in str(p) and 'unknown workflow "nowhere"' in str(p) for p in caught.value.problems)


def test_hook_register_fee_rules() -> None:
    rule = FeeRule("kiosk_fee", LocalizedText("رسم كشك", "Kiosk fee"), "REV-9", FeeRuleKind.FIXED, amount=Decimal(50))

    class Plugin:
        @hookimpl
        def register_fee_rules(self, register: Any) -> None:
            register(rule)

    assert app_with(Plugin()).catalogue.fee_rules["kiosk_fee"] == rule


def test_hook_register_channels() -> None:
    class Plugin:
        @hookimpl
        def register_channels(self, register: Any) -> None:
            register(Channel("kiosk", LocalizedText("كشك الخدمات", "Service kiosk")))

    assert "kiosk" in app_with(Plugin()).catalogue.channels


def test_hook_register_organisation(tmp_path: Path) -> None:
    path = tmp_path / "suez.toml"
    path.write_text(
        'governorate = "SUZ"\n[units.arbaeen]\nkind = "district"\nname = { ar = "حي الأربعين", en = "Arbaeen" }\n',
        encoding="utf-8",
    )

    class Plugin:
        @hookimpl
        def register_organisation(self, register: Any) -> None:
            register(path)

    organisation = app_with(Plugin()).organisation
    assert organisation["SUZ"].units["arbaeen"].name.en == "Arbaeen"
    assert organisation["SUZ"].name.ar == "السويس"


SIGNED_WORKFLOW = """
[workflows.signed]
name = { ar = "موقّع", en = "Signed" }
initial = "review"
[workflows.signed.states.review]
name = { ar = "مراجعة", en = "Review" }
[workflows.signed.states.done]
name = { ar = "تم", en = "Done" }
final = true
[workflows.signed.actions.finish]
label = { ar = "إنهاء", en = "Finish" }
from = ["review"]
to = "done"
roles = ["approver"]
guards = ["inspector_signed"]
"""


def test_hook_register_guards(tmp_path: Path) -> None:
    path = tmp_path / "workflow.toml"
    path.write_text(SIGNED_WORKFLOW, encoding="utf-8")

    def inspector_signed(request: Any) -> LocalizedText | None:
        return None

    class Plugin:
        @hookimpl
        def register_guards(self, register: Any) -> None:
            register("inspector_signed", inspector_signed)

    app = app_with(Plugin(), catalogue=[path])
    assert app.guards["inspector_signed"] is inspector_signed
    assert app.catalogue.workflows["signed"].actions[0].guards == ("inspector_signed",)
    with pytest.raises(CatalogueError, match='unknown guard "inspector_signed"'):
        _ = app_with(catalogue=[path]).catalogue


def test_hook_register_payment_providers() -> None:
    class Provider:
        code = "test_pay"
        name = LocalizedText("دفع تجريبي", "Test pay")

    class Plugin:
        @hookimpl
        def register_payment_providers(self, register: Any) -> None:
            register(Provider())

    assert isinstance(app_with(Plugin()).payment_providers["test_pay"], Provider)


def test_hook_register_notifiers() -> None:
    sent: list[OutboundMessage] = []

    class Sms:
        code = "test_sms"

        def send(self, message: OutboundMessage) -> list[str]:
            sent.append(message)
            return [f"gw-{len(sent)}"]

    class Plugin:
        @hookimpl
        def register_notifiers(self, register: Any) -> None:
            register(Sms())

    message = OutboundMessage("2026-ZTN-1/1/received", "+201012345678", "طلبك جاهز")
    assert app_with(Plugin()).notifiers["test_sms"].send(message) == ["gw-1"]
    assert sent == [message]


def test_register_hooks_are_called_through_pluggy_with_the_application() -> None:
    seen: list[tuple[str, object]] = []

    class Wrapper:
        # A wrapper runs around every plugin's call only if localgov calls through the hook.
        @hookimpl(wrapper=True)
        def register_guards(self, app: object) -> object:
            seen.append(("wrapped", app))
            return (yield)

    class Settled:
        @hookimpl
        def register_guards(self, register: object, app: Localgov) -> None:
            seen.append(("settings", dict(app.settings_for("settled"))))

    app = Localgov(plugins=[], plugin_objects=[Wrapper(), Settled()], settings={"settled": {"merchant_code": "M1"}})
    assert "mandatory_documents_present" in app.guards
    assert ("settings", {"merchant_code": "M1"}) in seen
    # Once around the built-in plugin's call and once around Settled's.
    assert [entry for entry in seen if entry[0] == "wrapped"] == [("wrapped", app), ("wrapped", app)]
    assert app.settings_for("unknown") == {}


def test_hook_demo_payment() -> None:
    from types import SimpleNamespace

    from localgov.demo import _pay

    calls: list[tuple[str, object]] = []

    class Engine:
        def get(self, request_id: str) -> object:
            calls.append(("get", request_id))
            return "paid request"

        def record_payment(self, request_id: str, **payment: object) -> object:
            calls.append(("counter", payment["provider"]))
            return "paid at the counter"

    class Provider:
        @hookimpl
        def demo_payment(self, engine: object, request: Any) -> str | None:
            calls.append(("simulated", request.id))
            return "REF-42"

    request = SimpleNamespace(id="CZTN-2600001-3", invoice=SimpleNamespace(total=Decimal("10.00")))
    lines: list[str] = []
    assert _pay(app_with(Provider()), Engine(), request, lines.append) == "paid request"  # type: ignore[arg-type]
    assert calls == [("simulated", "CZTN-2600001-3"), ("get", "CZTN-2600001-3")]
    assert "REF-42" in lines[0]
    calls.clear()
    assert _pay(app_with(), Engine(), request, lines.append) == "paid at the counter"  # type: ignore[arg-type]
    assert calls == [("counter", "counter")]


def test_hook_demo_sms(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from localgov.demo import _text_messages
    from tests.requests.support import cairo_time, open_engine, submit_building_permit

    class Sms:
        @hookimpl
        def demo_sms(self, engine: object, request: Any) -> list[tuple[str, str, str]]:
            return [("LocalGov", "+201012345678", f"about {request.id}")]

    lines: list[str] = []
    request = SimpleNamespace(id="CZTN-2600001-3")
    _text_messages(app_with(Sms()), None, request, lines.append, lambda text: None)  # type: ignore[arg-type]
    assert lines == ["  [LocalGov → +201012345678] about CZTN-2600001-3"]
    # With no plugin answering, the outbox goes through the HTTP gateway's simulator.
    engine = open_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    submitted = submit_building_permit(engine, at=cairo_time(2026, 12, 6))
    lines.clear()
    _text_messages(app_with(), engine, submitted, lines.append, lambda text: None)
    assert len(lines) == 1 and submitted.id in lines[0] and lines[0].startswith("  [LocalGov → +201012345678] ")


def test_hook_demo_field_channel(tmp_path: Path) -> None:
    """Each answering plugin is called with the demo's engine and PKI; the mobile plugin's step takes
    a renewal offline and syncs it (the whole demo runs in tests/cli/test_cli.py)."""
    import datetime

    plugin = pytest.importorskip("localgov_mobile.plugin")
    from localgov.demo import _demo_pki, zeitoun_staff
    from localgov.organisation import StaffMember

    seen: list[str] = []

    class Other:
        @hookimpl
        def demo_field_channel(self, engine: object, output: Path) -> None:
            seen.append(f"other plugin, output {output.name}")

    app = Localgov(plugins=["cairo"], plugin_objects=[plugin, Other()])
    now = datetime.datetime(2026, 11, 5, 13, 0, tzinfo=datetime.UTC)
    trust = _demo_pki(tmp_path, now=now - datetime.timedelta(days=30))
    staff: list[StaffMember] = zeitoun_staff()
    engine = app.engine(f"sqlite:///{tmp_path / 'demo.db'}", staff=staff, clock=lambda: now)
    lines: list[str] = []
    app.plugins.hook.demo_field_channel(
        engine=engine,
        governorate_ca=trust.ca,
        unit_signer=trust.signer,
        root=trust.root,
        output=tmp_path,
        step=lambda text: lines.append(f"■ {text.en}"),
        echo=lines.append,
    )
    assert seen == [f"other plugin, output {tmp_path.name}"]
    (row,) = engine.summaries()
    assert row.service == "shop_licence_renewal"
    assert any(f"tracking number {row.id}" in line for line in lines)
    assert any("Provisional receipt: ZTN-TAB-01-000001" in line for line in lines)
    assert (tmp_path / "tablet-receipt-qr.png").exists()
    engine.store.close()  # type: ignore[attr-defined]
