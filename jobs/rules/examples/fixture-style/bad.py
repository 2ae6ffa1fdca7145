import pytest


@pytest.yield_fixture  # [fixture-style]
def connection():
    conn = {"open": True}
    yield conn
    conn["open"] = False


@pytest.fixture("module")  # [fixture-style]
def settings():
    return {"debug": False}


@pytest.fixture(scope="function")  # [fixture-style]
def user():
    return {"name": "ada"}


@pytest.fixture
def tmp_file(request, tmp_path):
    handle = (tmp_path / "data.txt").open("w")
    request.addfinalizer(handle.close)  # [fixture-style]
    return handle


@pytest.fixture
def order():
    data = {"id": 7}
    yield data  # [fixture-style]
