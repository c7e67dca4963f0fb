"""The channel contract suite: every channel, built in or from a plugin, runs it against itself.

A channel is data the engine enforces (:class:`localgov.catalogue.Channel`): which services it
takes, at which kind of service point, through which clerk, how the applicant is identified, where
the receipt goes, what happens to paper originals. A plugin that adds one subclasses
:class:`ChannelContract` in its tests and supplies one fixture, ``channel_harness``, an object
implementing :class:`ChannelHarness`::

    from localgov.testing.channels import ChannelContract

    class TestVillagePostOffice(ChannelContract):
        @pytest.fixture
        def channel_harness(self):
            return PostOfficeHarness(Localgov(plugins=["cairo", "egypt_post"]))

Each test opens its own in-memory engine through the harness, so the suite needs no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs
import pytest

from localgov.catalogue import Channel, ReceiptDelivery
from localgov.organisation import StaffMember
from localgov.requests import DocumentUpload, Engine, InvalidSubmission, RoleNotAllowed, SeparationOfDuties
from localgov.requests.model import Applicant, Citizen

__all__ = ["ChannelContract", "ChannelHarness", "Submission"]


@attrs.frozen
class Submission:
    """Everything :meth:`localgov.requests.Engine.submit` needs for one valid request on the channel."""

    service: str
    unit: str
    applicant: Applicant
    form: Mapping[str, Any]
    documents: Sequence[DocumentUpload] = ()
    service_point: str | None = None

    def submit(self, engine: Engine, channel: str, actor: StaffMember | Citizen | None, **changes: Any) -> Any:
        service = changes.pop("service", self.service)
        arguments: dict[str, Any] = {
            "unit": self.unit,
            "applicant": self.applicant,
            "form": self.form,
            "channel": channel,
            "actor": actor,
            "documents": self.documents,
            "service_point": self.service_point,
            **changes,
        }
        return engine.submit(service, **arguments)


class ChannelHarness(Protocol):
    """What the contract suite needs from a channel's tests."""

    @property
    def channel(self) -> str:
        """The code of the channel under test."""
        ...

    def engine(self) -> Engine:
        """A fresh engine (in memory) whose catalogue defines the channel, with :attr:`clerk` on its staff."""
        ...

    @property
    def clerk(self) -> StaffMember | None:
        """An employee who takes requests on the channel; None where the applicant submits alone."""
        ...

    def submission(self) -> Submission:
        """A valid request the channel takes, at one of its service points when it has them."""
        ...

    @property
    def refused_service(self) -> str | None:
        """A service of the catalogue the channel does not take, if there is one."""
        ...

    @property
    def other_service_point(self) -> str | None:
        """A service point of the same unit of another kind than the channel's, if there is one."""
        ...


class ChannelContract:
    """The behaviour every channel must show; see the module documentation."""

    @pytest.fixture
    def channel_harness(self) -> ChannelHarness:
        raise NotImplementedError("a channel's contract tests supply the channel_harness fixture")

    def _definition(self, harness: ChannelHarness, engine: Engine) -> Channel:
        return engine.catalogue.channels[harness.channel]

    def test_the_channel_says_how_it_works(self, channel_harness: ChannelHarness) -> None:
        engine = channel_harness.engine()
        channel = self._definition(channel_harness, engine)
        assert channel.name.ar and channel.name.en, "a channel is named in Arabic and English"
        assert channel.receipt and all(isinstance(way, ReceiptDelivery) for way in channel.receipt)
        assert (channel.service_point is None) == (channel.clerk_role is None), (
            "a channel at service points is served by a clerk, and one without by the applicant"
        )
        if channel.clerk_role is not None:
            clerk = channel_harness.clerk
            assert clerk is not None and channel.clerk_role in clerk.roles

    def test_a_request_taken_there_records_the_channel_and_the_service_point(
        self, channel_harness: ChannelHarness
    ) -> None:
        engine = channel_harness.engine()
        submission = channel_harness.submission()
        actor = channel_harness.clerk or Citizen(submission.applicant.national_id)
        request = submission.submit(engine, channel_harness.channel, actor)
        assert (request.channel, request.service_point) == (channel_harness.channel, submission.service_point)
        submit = engine.history(request.id)[0]
        assert submit.action == "submit" and submit.actor == actor.id
        expected_role = self._definition(channel_harness, engine).clerk_role or "applicant"
        assert submit.role == expected_role

    def test_someone_without_the_channels_role_cannot_take_a_request(self, channel_harness: ChannelHarness) -> None:
        engine = channel_harness.engine()
        submission = channel_harness.submission()
        clerk = channel_harness.clerk
        if clerk is None:  # the applicant submits: nobody may do it for them
            stranger = Citizen("29001010100011")
            with pytest.raises(RoleNotAllowed):
                submission.submit(engine, channel_harness.channel, stranger)
            return
        roleless = attrs.evolve(clerk, id=f"{clerk.id}-without-role", roles=frozenset({"document_checker"}))
        with pytest.raises(RoleNotAllowed):
            submission.submit(engine, channel_harness.channel, roleless)
        with pytest.raises(RoleNotAllowed):  # the applicant alone, at a counter
            submission.submit(engine, channel_harness.channel, Citizen(submission.applicant.national_id))

    def test_the_clerk_cannot_take_their_own_request(self, channel_harness: ChannelHarness) -> None:
        clerk = channel_harness.clerk
        if clerk is None or clerk.national_id is None:
            pytest.skip("the channel has no clerk with a national ID to test separation of duties with")
        engine = channel_harness.engine()
        submission = channel_harness.submission()
        own = attrs.evolve(submission.applicant, national_id=clerk.national_id)
        with pytest.raises(SeparationOfDuties):
            submission.submit(engine, channel_harness.channel, clerk, applicant=own)

    def test_a_counter_channel_needs_a_service_point_of_its_kind(self, channel_harness: ChannelHarness) -> None:
        engine = channel_harness.engine()
        if self._definition(channel_harness, engine).service_point is None:
            pytest.skip("the channel runs at no service point")
        submission = channel_harness.submission()
        actor = channel_harness.clerk
        with pytest.raises(InvalidSubmission, match="needs the service point"):
            submission.submit(engine, channel_harness.channel, actor, service_point=None)
        other = channel_harness.other_service_point
        if other is not None:
            with pytest.raises(InvalidSubmission, match="not where"):
                submission.submit(engine, channel_harness.channel, actor, service_point=other)

    def test_a_service_the_channel_does_not_take_is_refused(self, channel_harness: ChannelHarness) -> None:
        refused = channel_harness.refused_service
        if refused is None:
            pytest.skip("the channel takes every service of the catalogue")
        engine = channel_harness.engine()
        submission = channel_harness.submission()
        actor = channel_harness.clerk or Citizen(submission.applicant.national_id)
        with pytest.raises(InvalidSubmission, match="cannot be requested through|does not take"):
            submission.submit(engine, channel_harness.channel, actor, service=refused)
