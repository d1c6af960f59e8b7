from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.api.fakes import FakeApi
from tmtui.api import TempMailClient


@pytest.fixture
def fake() -> FakeApi:
    return FakeApi()


@pytest.fixture
async def client(fake: FakeApi) -> AsyncIterator[TempMailClient]:
    async with fake.client() as client:
        yield client
