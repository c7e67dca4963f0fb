"""The SMPP notifier's settings, from the application's ``settings={"smpp": {...}}``."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from localgov.notifications import NotifierConfigurationError

__all__ = ["ENVIRONMENT_PREFIX", "SmppSettings"]

ENVIRONMENT_PREFIX = "LOCALGOV_SMPP_"

_KNOWN = {"host", "port", "system_id", "password", "system_type", "sender", "timeout", "enquire_interval"}


@attrs.frozen
class SmppSettings:
    host: str
    port: int
    system_id: str
    password: str
    #: The sender ID citizens see: an alphanumeric name (at most 11 characters) or a short code.
    sender: str
    system_type: str = ""
    timeout: float = 10.0
    enquire_interval: float = 30.0

    @property
    def sender_ton_npi(self) -> tuple[int, int]:
        """The source address's TON and NPI: alphanumeric 5/0, international 1/1, short code 3/0."""
        if self.sender.startswith("+"):
            return 1, 1
        if self.sender.isdigit():
            return 3, 0
        return 5, 0

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> SmppSettings | None:
        """Settings from ``LOCALGOV_SMPP_HOST``, ``..._PORT``, ``..._SYSTEM_ID``, ``..._PASSWORD``,
        ``..._SENDER`` (and the optional ones); ``None`` when ``LOCALGOV_SMPP_HOST`` is not set."""
        if not environ.get(f"{ENVIRONMENT_PREFIX}HOST"):
            return None
        found = {
            key: environ[f"{ENVIRONMENT_PREFIX}{key.upper()}"]
            for key in _KNOWN
            if f"{ENVIRONMENT_PREFIX}{key.upper()}" in environ
        }
        return cls.from_mapping(found)

    @classmethod
    def from_mapping(cls, settings: Mapping[str, str]) -> SmppSettings:
        """Read and check settings; :class:`NotifierConfigurationError` names each bad one."""
        problems = [f"unknown setting {key!r}" for key in settings if key not in _KNOWN]
        problems += [
            f"{key} is not set" for key in ("host", "port", "system_id", "password", "sender") if not settings.get(key)
        ]
        values: dict[str, object] = {}
        for key, kind in (("port", int), ("timeout", float), ("enquire_interval", float)):
            if settings.get(key):
                try:
                    values[key] = kind(settings[key])
                except ValueError:
                    problems.append(f"{key} must be a number, not {settings[key]!r:.40}")
        port = values.get("port")
        if isinstance(port, int) and not 0 < port < 65536:
            problems.append(f"port {port} is not a TCP port")
        if len(settings.get("system_id", "")) > 15 or len(settings.get("password", "")) > 8:
            problems.append("system_id holds at most 15 characters and password at most 8 (SMPP 3.4)")
        sender = settings.get("sender", "")
        if sender and not (
            sender.lstrip("+").isdigit() and len(sender) <= 20 or sender.isascii() and len(sender) <= 11
        ):
            problems.append(f"sender {sender!r:.40} must be a number or at most 11 ASCII characters")
        if problems:
            raise NotifierConfigurationError("smpp settings: " + "; ".join(problems))
        return cls(
            host=settings["host"],
            port=int(settings["port"]),
            system_id=settings["system_id"],
            password=settings["password"],
            sender=sender,
            system_type=settings.get("system_type", ""),
            **{k: v for k, v in values.items() if k != "port"},  # type: ignore[arg-type]
        )
