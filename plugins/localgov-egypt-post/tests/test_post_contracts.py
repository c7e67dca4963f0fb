"""The payment provider and channel contract suites, run on the counter provider and the post office."""

from __future__ import annotations

from pathlib import Path

import pytest
from post_harness import APPLICANT, RENEWAL_FORM, STAFF, CounterHarness, member, post_office_app, renewal_documents

from localgov.app import Localgov
from localgov.organisation import StaffMember
from localgov.requests import Engine
from localgov.testing.channels import ChannelContract, Submission
from localgov.testing.payments import PaymentProviderContract


class TestCounterProviderContract(PaymentProviderContract):
    @pytest.fixture
    def payment_harness(self) -> CounterHarness:
        return CounterHarness()


class PostOfficeHarness:
    def __init__(self, app: Localgov, clerk: StaffMember) -> None:
        self._app, self.clerk = app, clerk
        self.channel = "post_office"
        self.refused_service = "building_permit"  # Cairo does not offer it at the post office
        self.other_service_point = None  # Shubra has no technology center: its post office is its only counter

    def engine(self) -> Engine:
        return self._app.engine("sqlite://", staff=[*STAFF, self.clerk])

    def submission(self) -> Submission:
        return Submission(
            "postal_renewal",
            "shubra",
            APPLICANT,
            RENEWAL_FORM,
            renewal_documents(),
            "shubra_post",
        )


class TestPostOfficeChannel(ChannelContract):
    @pytest.fixture
    def channel_harness(self, tmp_path: Path) -> PostOfficeHarness:
        clerk = member("post9", "post_clerk", national_id="29001010100011")
        return PostOfficeHarness(post_office_app(tmp_path), clerk)
