import pytest


@pytest.fixture
def connection():
    conn = {"open": True}
    yield conn
    conn["open"] = False


@pytest.fixture(scope="module")
def settings():
    return {"debug": False}


@pytest.fixture
def user():
    return {"name": "ada"}


@pytest.fixture
def servers(request):
    started = []
    for name in request.param:
        started.append(name)
        request.addfinalizer(lambda: started.remove(name))
    return started


@pytest.fixture
def guarded(request, tmp_path):
    handle = (tmp_path / "data.txt").open("w")
    request.addfinalizer(handle.close)
    handle.write("header")
    return handle


@pytest.fixture
def session():
    with open(__file__) as handle:
        yield handle
