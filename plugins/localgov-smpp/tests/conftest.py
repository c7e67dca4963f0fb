"""An SMSC simulator on loopback and a notifier bound to it, for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from localgov_smpp import SmppNotifier, SmppSettings, SmscSimulator


@pytest.fixture
def smsc() -> Iterator[SmscSimulator]:
    simulator = SmscSimulator().start()
    yield simulator
    simulator.stop()


@pytest.fixture
def notifier(smsc: SmscSimulator) -> Iterator[SmppNotifier]:
    sms = SmppNotifier(SmppSettings.from_mapping(smsc.settings()), throttle_pause=0.01)
    yield sms
    sms.close()
