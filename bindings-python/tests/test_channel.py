"""Channels: named, typed publish / subscribe over the bus."""

from __future__ import annotations

import dataclasses

import pytest

from net_sdk import ChannelError, IdentityError, NetNode, SerializationError, channel_hash


@dataclasses.dataclass
class TemperatureReading:
    sensor_id: str
    celsius: float
    timestamp: int


def test_typed_channel_round_trip(node: NetNode) -> None:
    temps = node.channel("sensors/temperature", TemperatureReading)
    other = node.channel("sensors/humidity")
    assert temps.name == "sensors/temperature"
    assert temps.hash == channel_hash("sensors/temperature")
    with temps.subscribe() as sub:
        other.publish({"rh": 40})
        node.emit({"plain": "event"})
        receipt = temps.publish(TemperatureReading("A1", 22.5, 1700000000))
        assert not receipt.dropped
        assert next(sub) == TemperatureReading("A1", 22.5, 1700000000)
    with other.subscribe(from_beginning=True) as sub2:
        assert next(sub2) == {"rh": 40}
    assert "Channel('sensors/temperature')" == repr(temps)


def test_channel_messages_are_plain_json_events(node: NetNode) -> None:
    node.channel("a/b").publish([1, 2])
    node.publish("a/b", b'{"raw": true}')
    node.flush()
    events = node.poll().events
    assert sorted(e.json()["payload"] for e in events if isinstance(e.json()["payload"], list)) == [[1, 2]]
    assert all(e.json()["channel"] == "a/b" for e in events)
    with node.subscribe(channel="a/b", from_beginning=True) as sub:
        assert {next(sub).raw, next(sub).raw} == {"[1,2]", '{"raw": true}'}


def test_invalid_names_and_payloads(node: NetNode) -> None:
    for bad in ("", "a//b", "/a", "a b", "x" * 256):
        with pytest.raises(ChannelError) as err:
            node.channel(bad)
        assert err.value.kind == "invalid_channel"
        assert isinstance(err.value, IdentityError)
        with pytest.raises(ChannelError):
            node.subscribe(channel=bad)
    with pytest.raises(SerializationError) as err2:
        node.publish("ok", "{not json")
    assert err2.value.kind == "serialization"
    with pytest.raises(SerializationError):
        node.channel("ok").publish({1, 2})
