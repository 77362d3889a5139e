"""Every settings and flag error names what is accepted, and what it names is exactly what is accepted.

Each message is read like a user would: the range ("from A to B") or the values it names are taken
from the message itself, then the boundaries are tried (accepted) and the values just beyond them
(refused). A message that states a wrong range, or none, fails here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest

from revox_mcp.__main__ import port_number
from revox_mcp.history.settings import MODES as HISTORY_MODES
from revox_mcp.history.settings import history_settings
from revox_mcp.settings import LOG_LEVELS, ConfigError, load_settings

KEY = {"REVOX_API_KEY": "sk-settings-test"}


def setting(name: str) -> Callable[[str], object]:
    return lambda raw: load_settings({**KEY, name: raw})


# What reads each numeric setting or flag, and whether it takes whole numbers only.
RANGED: dict[str, tuple[Callable[[str], object], bool]] = {
    "REVOX_MCP_CACHE_TTL": (setting("REVOX_MCP_CACHE_TTL"), False),
    "REVOX_MCP_TIMEOUT": (setting("REVOX_MCP_TIMEOUT"), False),
    "REVOX_MCP_KEY_RATE_LIMIT": (setting("REVOX_MCP_KEY_RATE_LIMIT"), True),
    "--port": (port_number, True),
}


def refusal(read: Callable[[str], object], raw: str) -> str:
    with pytest.raises(ConfigError) as refused:
        read(raw)
    return str(refused.value)


def stated_range(message: str) -> tuple[float, float]:
    found = re.search(r"from (-?[\d,.]+) to (-?[\d,.]+)", message)
    assert found is not None, f"no range in: {message}"
    low, high = (float(number.replace(",", "")) for number in found.groups())
    return low, high


def written(value: float, whole: bool) -> str:
    return str(int(value)) if whole else repr(value)


@pytest.mark.parametrize("name", list(RANGED))
@pytest.mark.parametrize("wrong", ["not-a-number", "-1e9", "1e12", "nan", "1.5.2"])
def test_a_refused_value_is_told_the_range_and_exactly_that_range_is_accepted(name: str, wrong: str) -> None:
    read, whole = RANGED[name]
    message = refusal(read, wrong)
    assert message.startswith(name)
    assert repr(wrong) in message  # what was given, to compare with what is accepted
    low, high = stated_range(message)
    for inside in (low, high):
        read(written(inside, whole))  # the boundaries the message states are accepted
    if whole:
        below, above = low - 1, high + 1
    else:
        below, above = math.nextafter(low, -math.inf), math.nextafter(high, math.inf)
    for outside in (below, above):
        assert stated_range(refusal(read, written(outside, whole))) == (low, high)


def test_port_0_is_accepted_and_said_to_pick_a_free_port() -> None:
    """--port 0 was accepted while its message said "from 1 to 65535"."""
    assert port_number("0") == 0
    assert "(0: any free port)" in refusal(port_number, "http")


def history(name: str) -> Callable[[str], object]:
    return lambda raw: history_settings({name: raw})


@pytest.mark.parametrize(
    ("name", "read", "accepted", "wrong"),
    [
        ("REVOX_MCP_LOG_LEVEL", setting("REVOX_MCP_LOG_LEVEL"), LOG_LEVELS, "LOUD"),
        ("REVOX_MCP_PERSONAL_DATA", setting("REVOX_MCP_PERSONAL_DATA"), ("mask", "show"), "hide"),
        ("REVOX_BASE_URL", setting("REVOX_BASE_URL"), ("https://", "http://"), "ftp://revox.example"),
        (
            "REVOX_MCP_REDIS_URL",
            setting("REVOX_MCP_REDIS_URL"),
            ("redis://", "rediss://", "unix://"),
            "memcached://cache:11211",
        ),
        ("REVOX_MCP_HISTORY", history("REVOX_MCP_HISTORY"), HISTORY_MODES, "forever"),
    ],
)
def test_a_refused_choice_names_every_accepted_value(
    name: str, read: Callable[[str], object], accepted: tuple[str, ...], wrong: str
) -> None:
    message = refusal(read, wrong)
    assert message.startswith(name)
    for value in accepted:
        assert value in message
        read(value + "cache.example:6379" if value.endswith("//") else value)  # and each is accepted
