import pytest
import pytest_asyncio


@pytest.fixture
def user(db):
    return {"name": "ada"}


@pytest_asyncio.fixture
async def connection():
    return object()


@pytest.mark.usefixtures("db")
def test_user(user):
    assert user["name"] == "ada"


@pytest.mark.asyncio
async def test_connection(connection):
    assert connection is not None
