"""Random fields, types, sizes and methods at every endpoint: always a JSON answer below 500."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.mail import build_mail
from tmtui.server.actions import ACTIONS
from tmtui.server.config import ServerConfig
from tmtui.server.runner import ServerThread

FIELDS = ["email_user", "email_domain", "email_addr", "force_takeover", "lang", "offset", "email_id",
          "email_ids[]", "email_ids", "file_name", "f"]
METHODS = ["GET", "POST", "POST", "POST", "POST", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerThread, httpx.Client]]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz")
    config = ServerConfig(data_dir=data_dir, requests_per_minute=0, creations_per_minute=0, sessions_per_ip=0,
                          welcome_mail=False)
    with ServerThread(config) as srv, httpx.Client(base_url=srv.base_url, timeout=10) as client:
        yield srv, client


def fresh_session(srv: ServerThread, client: httpx.Client) -> dict:
    """A live session with one mail (an attachment, and a Junk twin) for every example."""
    session = client.post("/ajax.php?f=get_email_address").json()
    address = session["email_addr"]
    session["mail_id"] = srv.control.deliver(address, build_mail(address, attachments=[("a.txt", b"hello")]))
    session["junk_id"] = srv.control.deliver(address, build_mail(address, headers={"X-Spam-Flag": "YES"}))
    return session


def values(session: dict) -> st.SearchStrategy[object]:
    real = st.sampled_from([session["sid_token"], session["email_addr"], session["mail_id"], session["junk_id"],
                            "a.txt", "true", "1", session["email_user"], "b.test", "0"])
    return st.one_of(
        real,
        real,
        real,
        st.text(max_size=40),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.from_regex(r"\A-?(Junk:|INBOX:)?[0-9]{15,25}\Z"),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
        st.none(),
        st.just("x" * 100_000),
        st.lists(st.one_of(real, st.text(max_size=10), st.integers()), max_size=120),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    )


@st.composite
def requests(draw: st.DrawFn, session: dict) -> dict:
    action = draw(st.one_of(st.sampled_from(sorted(ACTIONS)), st.sampled_from(sorted(ACTIONS)),
                            st.text(max_size=20), st.none()))
    method = draw(st.sampled_from(METHODS))
    value = values(session)
    sid = draw(st.one_of(st.just(session["sid_token"]), st.just(session["sid_token"]), value))
    fields = {"sid_token": sid, **draw(st.fixed_dictionaries({}, optional={k: value for k in FIELDS}))}
    fields.update(draw(st.dictionaries(st.text(max_size=10), value, max_size=2)))
    encoding = draw(st.sampled_from(["form", "form", "json", "raw", "multipart"]))
    raw = draw(st.binary(max_size=300))
    content_type = draw(st.sampled_from(["application/json", "application/x-www-form-urlencoded",
                                         "multipart/form-data; boundary=xyz", "text/plain", "", "\x00bad"]))
    return {"action": action, "method": method, "fields": fields, "encoding": encoding, "raw": raw,
            "content_type": content_type}


def form_pairs(fields: dict) -> list[tuple[str, str]]:
    pairs = []
    for key, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, "" if item is None else json.dumps(item) if isinstance(item, dict) else str(item)))
    return pairs


def send(client: httpx.Client, request: dict) -> httpx.Response:
    params = {} if request["action"] is None else {"f": request["action"]}
    kwargs: dict = {"params": params}
    if request["method"] not in ("GET", "HEAD", "OPTIONS"):
        if request["encoding"] == "form":
            kwargs["content"] = urlencode(form_pairs(request["fields"]))
            kwargs["headers"] = {"content-type": "application/x-www-form-urlencoded"}
        elif request["encoding"] == "json":
            kwargs["json"] = request["fields"]
        elif request["encoding"] == "multipart":
            kwargs["files"] = [(k, (None, v)) for k, v in form_pairs(request["fields"])] or {"x": (None, "")}
        else:
            kwargs["content"] = request["raw"]
            kwargs["headers"] = {"content-type": request["content_type"].replace("\x00", "")}
    return client.request(request["method"], "/ajax.php", **kwargs)


def check(response: httpx.Response, method: str) -> None:
    assert response.status_code < 500, response.text
    if method == "HEAD" or response.status_code == 204:
        return
    if response.headers["content-type"] == "application/octet-stream":
        assert response.status_code == 200
        return
    body = response.json()
    assert isinstance(body, dict)
    if response.status_code >= 400:
        assert isinstance(body.get("error"), str) and body["error"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_ajax(fuzz_server: tuple[ServerThread, httpx.Client], data: st.DataObject) -> None:
    """One random request as drawn, then the same fields POSTed to every action."""
    srv, client = fuzz_server
    request = data.draw(requests(fresh_session(srv, client)))
    check(send(client, request), request["method"])
    for action in ACTIONS:
        posted = {**request, "action": action, "method": "POST"}
        check(send(client, posted), "POST")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=st.text(max_size=300), method=st.sampled_from(METHODS), path=st.sampled_from(
    ["/events/mailbox", "/health", "/ajax.php/x", "/ajax.php?f=get_domains&f=del_email"]))
def test_fuzz_other_endpoints(fuzz_server: tuple[ServerThread, httpx.Client], token: str, method: str,
                              path: str) -> None:
    _, client = fuzz_server
    check(client.request(method, path, params={"token": token}), method)
