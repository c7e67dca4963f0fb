"""Channels are data the engine enforces: the contract suite on the built-in channels, the checks on plugin ones."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from localgov.app import Localgov
from localgov.catalogue import CatalogueError, OriginalsHandling, ReceiptDelivery
from localgov.organisation import StaffMember
from localgov.requests import Engine
from localgov.testing.channels import ChannelContract, Submission
from tests.requests.support import (
    ALL_BUILDING_DOCUMENTS,
    APPLICANT,
    BUILDING_FORM,
    STAFF,
    member,
    pdfs,
)

RENEWAL_FORM = {"licence_number": "ZTN/SH/2020/118", "activity": "retail", "shop_address": "٣ شارع طومان باي، الزيتون"}
CLERK_ID = "29001010100011"


class CairoHarness:
    """A built-in channel, run on the Cairo plugin's Zeitoun district."""

    def __init__(self, channel: str, clerk: StaffMember | None, submission: Submission, refused: str | None) -> None:
        self.channel, self.clerk, self._submission, self.refused_service = channel, clerk, submission, refused
        self._app = Localgov(plugins=["cairo"])

    def engine(self) -> Engine:
        staff = [*STAFF, self.clerk] if self.clerk is not None else list(STAFF)
        return self._app.engine("sqlite://", staff=staff)

    def submission(self) -> Submission:
        return self._submission

    @property
    def other_service_point(self) -> str | None:
        point = self._submission.service_point
        return None if point is None else ("zeitoun_mobile" if point == "zeitoun_tc" else "zeitoun_tc")


def _renewal(service_point: str | None) -> Submission:
    return Submission(
        "shop_licence_renewal",
        "zeitoun",
        APPLICANT,
        RENEWAL_FORM,
        pdfs("previous_licence", "national_id_copy"),
        service_point,
    )


class TestFrontDesk(ChannelContract):
    @pytest.fixture
    def channel_harness(self) -> CairoHarness:
        building = Submission(
            "building_permit", "zeitoun", APPLICANT, BUILDING_FORM, pdfs(*ALL_BUILDING_DOCUMENTS), "zeitoun_tc"
        )
        clerk = member("desk9", "front_desk_clerk", national_id=CLERK_ID)
        return CairoHarness("front_desk", clerk, building, None)


class TestPortal(ChannelContract):
    @pytest.fixture
    def channel_harness(self) -> CairoHarness:
        return CairoHarness("portal", None, _renewal(None), None)  # every Cairo service is on the portal


class TestMobileDistrict(ChannelContract):
    @pytest.fixture
    def channel_harness(self) -> CairoHarness:
        clerk = member("tablet1", "mobile_clerk", national_id=CLERK_ID)
        return CairoHarness("mobile_unit", clerk, _renewal("zeitoun_mobile"), "building_permit")


def test_the_built_in_channels_say_where_receipts_and_originals_go() -> None:
    channels = Localgov(plugins=[]).catalogue.channels
    assert channels["post_office"].originals is OriginalsHandling.REGISTERED_MAIL
    assert channels["mobile_unit"].originals is OriginalsHandling.HELD_BY_UNIT
    assert ReceiptDelivery.PRINTED not in channels["portal"].receipt  # nothing to print at home
    assert [channels[c].clerk_role for c in ("front_desk", "portal", "mobile_unit", "post_office")] == [
        "front_desk_clerk",
        None,
        "mobile_clerk",
        "post_clerk",
    ]


def _kiosk(**changes: Any) -> dict[str, Any]:
    kiosk = {
        "name": {"ar": "كشك الخدمات", "en": "Service kiosk"},
        "service_point": "technology_center",
        "clerk_role": "front_desk_clerk",
        "receipt": ["printed"],
        "services": ["test_permit"],
        **changes,
    }
    return {k: v for k, v in kiosk.items() if v is not None}


def test_a_plugins_channel_is_checked_like_any_entry(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    valid_catalogue["channels"] = {
        "kiosk": _kiosk(clerk_role="kiosk_clerk", services=["test_permit", "no_such_service"], receipt=[]),
        "booth": _kiosk(clerk_role=None, identification="fingerprint"),
        "van": _kiosk(services=["test_permit"]),
    }
    valid_catalogue["services"]["test_permit"]["channels"] = ["front_desk", "van"]
    valid_catalogue["services"]["other_permit"] = {
        **valid_catalogue["services"]["test_permit"],
        "channels": ["van"],  # the van takes only test_permit
    }
    path = write_toml(valid_catalogue, "plugin/channels.toml")
    with pytest.raises(CatalogueError) as caught:
        _ = Localgov(plugins=[], catalogue=[path]).catalogue
    problems = [str(problem) for problem in caught.value.problems]
    expected = [
        'channels.kiosk.clerk_role: unknown role "kiosk_clerk"',
        'channels.kiosk.services[1]: unknown service "no_such_service"',
        "channels.kiosk.receipt: at least one way to hand over the receipt is needed",
        "channels.booth.identification",  # not one of the ways localgov knows
        'services.other_permit.channels[0]: channel "van" does not take this service',
    ]
    for fragment in expected:
        assert any(fragment in p and "channels.toml" in p for p in problems), (fragment, problems)


def test_a_channel_at_a_service_point_without_a_clerk_is_refused(
    write_toml: Callable[..., Path], valid_catalogue: dict[str, Any]
) -> None:
    valid_catalogue["channels"] = {"booth": _kiosk(clerk_role=None, services=None)}
    with pytest.raises(CatalogueError, match="channels.booth.clerk_role: a channel at a service point needs"):
        _ = Localgov(plugins=[], catalogue=[write_toml(valid_catalogue)]).catalogue
