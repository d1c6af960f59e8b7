"""Property tests: whatever JSON arrives, parsing yields a model or a ProtocolError."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.fakes import message_body, page_body, session_body, summary
from tmtui.api import MailboxEvent, ProtocolError, parse
from tmtui.api.events import parse_event

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=12), st.sampled_from(["1710000000", "0", "1", "-1", "1e400", "x"]))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)


def mutate(base: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**base, key: value}


def parses_or_protocol_error(fn: Any, *args: Any, **kwargs: Any) -> None:
    try:
        fn(*args, **kwargs)
    except ProtocolError as error:
        assert "\n" not in str(error)


@settings(max_examples=300)
@given(key=st.sampled_from(sorted(page_body(["1"]))), value=json_values)
def test_page_fields_of_any_type(key: str, value: Any) -> None:
    parses_or_protocol_error(parse.parse_page, mutate(page_body(["1"]), key, value), "t", meta=None)
    parses_or_protocol_error(parse.parse_meta, mutate(page_body(["1"]), key, value), "t")


@settings(max_examples=300)
@given(key=st.sampled_from(sorted(summary("1"))), value=json_values)
def test_summary_fields_of_any_type(key: str, value: Any) -> None:
    parses_or_protocol_error(parse.parse_page, {"list": [mutate(summary("1"), key, value)]}, "t", meta=None)


@settings(max_examples=300)
@given(key=st.sampled_from(sorted(session_body())), value=json_values)
def test_session_fields_of_any_type(key: str, value: Any) -> None:
    parses_or_protocol_error(parse.parse_session, mutate(session_body(), key, value), "t", meta=None)


@settings(max_examples=300)
@given(key=st.sampled_from(sorted(message_body())), value=json_values)
def test_message_fields_of_any_type(key: str, value: Any) -> None:
    parses_or_protocol_error(parse.parse_message, mutate(message_body(), key, value), "t")


@settings(max_examples=200)
@given(body=st.binary(max_size=64))
def test_any_body_bytes(body: bytes) -> None:
    parses_or_protocol_error(parse.decode_json, body, "application/json", "t")


@settings(max_examples=300)
@given(name=st.sampled_from(["state", "changed", "ping", "session_lost"]),
       payload=st.dictionaries(st.sampled_from(["email", "ts", "count", "total_count", "prevCount",
                                                "connected", "folders", "error", "reason"]),
                               json_values, max_size=5))
def test_event_payloads_never_raise(name: str, payload: dict[str, Any]) -> None:
    event = parse_event(name, json.dumps(payload), 2000)
    assert isinstance(event, MailboxEvent) and event.kind == name


@settings(max_examples=200)
@given(data=st.text(max_size=40))
def test_event_data_text_never_raises(data: str) -> None:
    parse_event("state", data, None)
