"""Fixture family: fixtures nobody uses, and fixtures defined in ways that mislead."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import PurePosixPath

from jobs.engine.facts import FixtureFacts, ModuleFacts
from jobs.rules.registry import Hit, RuleContext, hit, rule

# Fixtures that plugins request by name: defining one configures the plugin, nobody requests it.
PLUGIN_FIXTURES = frozenset(
    {
        "anyio_backend", "event_loop", "event_loop_policy", "django_db_setup", "django_db_modify_db_settings",
        "django_db_use_migrations", "django_db_keepdb", "django_db_createdb", "celery_config",
        "celery_parameters", "celery_includes", "celery_worker_parameters", "celery_enable_logging",
        "vcr_config", "vcr_cassette_dir", "default_cassette_name", "record_mode", "httpserver_listen_address",
        "base_url", "live_server", "app", "doctest_namespace", "monkeypatch", "unused_tcp_port_factory",
        "pytestconfig", "request", "tmp_path_factory", "hypothesis_settings", "benchmark",
    }
)  # fmt: skip


@cache
def _folder(path: str) -> PurePosixPath:
    return PurePosixPath(path.replace("\\", "/")).parent


def _batch_covers(conftest: ModuleFacts, ctx: RuleContext) -> bool:
    """A conftest fixture may serve tests we were not sent: judge it only when we see tests under it."""
    root = _folder(conftest.path)
    return any(
        m.tests and (root == PurePosixPath(".") or root in _folder(m.path).parents or root == _folder(m.path))
        for m in ctx.batch.modules
        if m is not conftest
    )


@rule(
    "unused-fixture",
    severity="warning",
    scope="module",
    message="fixture is never requested by any test or fixture: delete it or request it",
    fix="delete the fixture",
)
def unused_fixture(module: ModuleFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: a fixture that no test or fixture of the analysed files requests: not as a
    parameter, not through `usefixtures` or `pytestmark`, not by `request.getfixturevalue("name")`,
    and not `autouse`. Fixtures in conftest.py are judged only when tests under that folder were
    analysed too; fixtures that configure plugins (`anyio_backend`, `vcr_config`, ...) are exempt.

    Why it matters: dead fixtures cost readers time and often mean a test lost the setup it needed.

    Use instead: request the fixture where it is needed, or delete it.
    """
    batch = ctx.batch
    if batch.dynamic_fixture_requests:
        return
    if module.is_conftest and not _batch_covers(module, ctx):
        return
    for fixture in module.fixtures:
        if _is_unused(fixture, batch.fixture_requests):
            yield hit(
                fixture.fn.node, f"fixture `{fixture.name}` is never requested: delete it or request it"
            )


def _is_unused(fixture: FixtureFacts, requests: set[str]) -> bool:
    return not fixture.autouse and fixture.name not in requests and fixture.name not in PLUGIN_FIXTURES
