import pytest


@pytest.fixture
@pytest.mark.usefixtures("db")  # [mark-misuse]
def user():
    return {"name": "ada"}


@pytest.mark.asyncio  # [mark-misuse]
@pytest.fixture
async def connection():
    return object()


@pytest.mark.usefixtures()  # [mark-misuse]
def test_user(user):
    assert user["name"] == "ada"
