"""The deployment and observability configs: they parse, agree with each other and with the code.

- every YAML/JSON file under ops/ and otel-collector.yaml parses (duplicate keys are errors);
- the Collector's pipelines name components that are defined, in a sensible order;
- ops/compose.yaml mounts files that exist, wires api/worker to Redis and the Collector, runs
  commands the `llt` CLI accepts and passes every setting the code reads through;
- every metric and label in the dashboards and alert rules is one the code really emits: the
  instruments are exercised in-process (telemetry.metrics and Litestar's OTel plugin), their OTel
  names, units and types translated with the Collector's Prometheus rules (reimplemented below,
  documented in ops/README.md), and each PromQL expression tokenised and checked against them;
- `promtool check config`, `promtool check rules` and `promtool test rules` when promtool is
  installed (Debian: `apt-get install prometheus`), otherwise a visible skip;
- the Containerfile is multi-stage, non-root, and its CMD/HEALTHCHECK match the CLI and the API.

No network, no containers; a second or so.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
OPS = ROOT / "ops"
COLLECTOR = ROOT / "otel-collector.yaml"
COMPOSE = OPS / "compose.yaml"
PROMETHEUS_DIR = OPS / "prometheus"
PROMETHEUS = PROMETHEUS_DIR / "prometheus.yml"
ALERTS = PROMETHEUS_DIR / "alerts.yml"
ALERT_TESTS = PROMETHEUS_DIR / "alerts.test.yml"
GRAFANA = OPS / "grafana"
DATASOURCES = GRAFANA / "provisioning" / "datasources" / "datasources.yaml"
DASHBOARD_PROVIDERS = GRAFANA / "provisioning" / "dashboards" / "dashboards.yaml"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
README = OPS / "README.md"
RUNBOOK = OPS / "runbook.md"
ARCHITECTURE = OPS / "architecture.md"
CONTAINERFILE = ROOT / "Containerfile"
CONTAINERIGNORE = ROOT / ".containerignore"

YAML_FILES = [
    COLLECTOR,
    COMPOSE,
    PROMETHEUS,
    ALERTS,
    ALERT_TESTS,
    DATASOURCES,
    DASHBOARD_PROVIDERS,
]

SEED_ALERTS = {"LLTAnalysisSlow", "LLTTaskCompletionLow", "LLTLLMErrorRateHigh", "LLTLogVolumeSpike"}
SEVERITIES = {"critical", "warning", "info"}


# -- loading ----------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys (PyYAML keeps the last one silently)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)  # resolves `<<` merge keys first
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


# -- 1. everything parses ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", YAML_FILES + DASHBOARDS, ids=rel)
def test_config_file_parses_to_a_non_empty_mapping(path: Path) -> None:
    data = load(path)
    assert isinstance(data, dict)
    assert data


def test_every_config_file_under_ops_is_covered_by_the_parse_test() -> None:
    on_disk = {p for ext in ("*.yaml", "*.yml", "*.json") for p in OPS.rglob(ext)}
    assert DASHBOARDS, "no Grafana dashboard under ops/grafana/dashboards"
    assert on_disk == set(YAML_FILES[1:] + DASHBOARDS), "a config file was added or removed: list it above"


def test_strict_loader_rejects_duplicate_keys() -> None:
    with pytest.raises(yaml.constructor.ConstructorError, match="duplicate key 'a'"):
        yaml.load("a: 1\nb: 2\na: 3\n", Loader=_StrictLoader)


# -- 2. the Collector ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def collector() -> dict[str, Any]:
    data: dict[str, Any] = load(COLLECTOR)
    return data


def component_type(name: str) -> str:
    """`otlp_grpc/jaeger` -> `otlp_grpc`: the part before the slash selects the component."""
    return name.split("/", 1)[0]


def test_collector_pipelines_use_defined_components_in_order(collector: dict[str, Any]) -> None:
    service = collector["service"]
    for extension in service.get("extensions", []):
        assert extension in collector["extensions"], f"extension {extension} is not defined"
    pipelines = service["pipelines"]
    assert {component_type(name) for name in pipelines} >= {"traces", "metrics"}
    used: dict[str, set[str]] = {"receivers": set(), "processors": set(), "exporters": set()}
    for name, pipeline in pipelines.items():
        assert component_type(name) in {"traces", "metrics", "logs"}, name
        assert pipeline.get("receivers"), f"pipeline {name} has no receiver"
        assert pipeline.get("exporters"), f"pipeline {name} has no exporter"
        for kind, names in used.items():
            for component in pipeline.get(kind, []):
                assert component in (collector.get(kind) or {}), f"{name}: {kind[:-1]} {component} undefined"
                names.add(component)
        processors = pipeline.get("processors", [])
        # memory_limiter must see data first (to refuse it before it is buffered), batch last.
        assert processors[:1] == ["memory_limiter"], f"{name}: memory_limiter must come first"
        assert processors[-1:] == ["batch"], f"{name}: batch must come last"
    for kind, names in used.items():
        unused = set(collector.get(kind) or {}) - names
        assert not unused, f"{kind} defined but in no pipeline: {sorted(unused)}"


def test_collector_receives_otlp_and_exports_where_compose_and_prometheus_expect(
    collector: dict[str, Any],
) -> None:
    protocols = collector["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"].endswith(":4317")
    assert protocols["http"]["endpoint"].endswith(":4318")
    assert collector["extensions"]["health_check"]["endpoint"].endswith(":13133")

    pipelines = collector["service"]["pipelines"]
    [trace_exporter] = pipelines["traces"]["exporters"]
    assert component_type(trace_exporter) in {"otlp_grpc", "otlp"}, "traces go to Jaeger over OTLP/gRPC"
    jaeger = collector["exporters"][trace_exporter]
    host, port = jaeger["endpoint"].rsplit(":", 1)
    assert (host, port) == ("jaeger", "4317")
    assert jaeger["tls"]["insecure"] is True
    assert host in load(COMPOSE)["services"]

    assert "prometheus" in pipelines["metrics"]["exporters"]
    exporter = collector["exporters"]["prometheus"]
    # The translation that prometheus_metric_name() below reimplements.
    assert exporter.get("translation_strategy", "UnderscoreEscapingWithSuffixes") == (
        "UnderscoreEscapingWithSuffixes"
    )
    assert exporter["resource_to_telemetry_conversion"]["enabled"] is True
    exporter_port = exporter["endpoint"].rsplit(":", 1)[1]
    llt_job = next(job for job in load(PROMETHEUS)["scrape_configs"] if job["job_name"] == "llt")
    assert llt_job["honor_labels"] is True, "keep the job/instance labels the exporter sets"
    assert [target for group in llt_job["static_configs"] for target in group["targets"]] == [
        f"otel-collector:{exporter_port}"
    ]


# -- 3. compose ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = load(COMPOSE)
    return data


def bind_mounts(service: dict[str, Any]) -> dict[str, Path]:
    """Container path -> host path of the service's bind mounts (relative to ops/)."""
    mounts: dict[str, Path] = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith((".", "/")):
            mounts[target] = (OPS / source).resolve()
    return mounts


def test_compose_references_files_services_and_volumes_that_exist(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"redis", "api", "worker", "otel-collector", "jaeger", "prometheus", "grafana"} <= set(services)
    named_volumes = set(compose.get("volumes") or {})
    for name, service in services.items():
        build = service.get("build")
        if build is not None:
            context = (OPS / build["context"]).resolve()
            assert context.is_dir(), f"{name}: build context {context} is missing"
            assert (context / build.get("dockerfile", "Dockerfile")).is_file(), f"{name}: no Containerfile"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith((".", "/")):
                assert (OPS / source).resolve().exists(), f"{name}: {source} does not exist"
            else:
                assert source in named_volumes, f"{name}: volume {source} is not declared"
        for dependency in service.get("depends_on", []):
            assert dependency in services, f"{name} depends on unknown service {dependency}"
        image = service.get("image", "")
        assert ":" in image, f"{name}: pin the image tag"
        assert not image.endswith(":latest"), f"{name}: pin the image tag, not latest"


def test_compose_mounts_each_config_where_its_tool_reads_it(compose: dict[str, Any]) -> None:
    services = compose["services"]

    collector = services["otel-collector"]
    [config_flag] = [arg for arg in collector["command"] if arg.startswith("--config=")]
    assert bind_mounts(collector)[config_flag.split("=", 1)[1]] == COLLECTOR

    prometheus = services["prometheus"]
    [config_file] = [arg for arg in prometheus["command"] if arg.startswith("--config.file=")]
    config_dir = str(Path(config_file.split("=", 1)[1]).parent)
    assert bind_mounts(prometheus)[config_dir] == PROMETHEUS_DIR
    assert load(PROMETHEUS)["rule_files"] == [ALERTS.name]

    grafana_mounts = bind_mounts(services["grafana"])
    assert grafana_mounts["/etc/grafana/provisioning"] == GRAFANA / "provisioning"
    [provider] = load(DASHBOARD_PROVIDERS)["providers"]
    assert grafana_mounts[provider["options"]["path"]] == GRAFANA / "dashboards"

    redis = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis
    assert "--appendfsync everysec" in redis


def cli_parser() -> argparse.ArgumentParser:
    from service.cli import build_parser

    return build_parser()


def test_api_and_worker_run_the_one_image_with_commands_the_cli_accepts(compose: dict[str, Any]) -> None:
    from telemetry.attributes import SERVICE_NAME_API, SERVICE_NAME_WORKER

    api, worker = compose["services"]["api"], compose["services"]["worker"]
    assert api["build"] == worker["build"]
    assert api["image"] == worker["image"]

    serve = cli_parser().parse_args(api["command"])
    assert (serve.command, serve.host, serve.port) == ("serve", "0.0.0.0", 8000)
    assert f"{serve.port}:{serve.port}" in api["ports"]
    assert cli_parser().parse_args(worker["command"]).command == "worker"
    assert worker["healthcheck"] == {"disable": True}, "the image's HTTP healthcheck cannot pass on a worker"

    for service, name in ((api, SERVICE_NAME_API), (worker, SERVICE_NAME_WORKER)):
        env = service["environment"]
        assert env["OTEL_SERVICE_NAME"] == name
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        assert env["OTEL_SEMCONV_STABILITY_OPT_IN"] == "http"


# The settings modules of the code, and the variables compose does not pass through on purpose.
SETTINGS_MODULES = [
    ("jobs.settings", "PARSERS"),
    ("jobs.worker", "WORKER_PARSERS"),
    ("service.settings", "PARSERS"),
]
NOT_PASSED_THROUGH = {
    "REDIS_URL": "set to the compose redis service",
    "LOG_LEVEL": "set with a default",
    "LOG_FORMAT": "json in containers",
    "LLM_CACHE_DIR": "the CLI's file cache; the service caches in Redis",
    "API_HOST": "the command line sets --host",
    "API_PORT": "the command line sets --port",
}


def settings_variables(module_name: str, attribute: str) -> set[str]:
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        pytest.skip(f"{module_name} does not exist yet")
    return set(getattr(module, attribute))


@pytest.mark.parametrize(("module_name", "attribute"), SETTINGS_MODULES)
def test_compose_passes_every_setting_through_and_the_readme_documents_it(
    compose: dict[str, Any], module_name: str, attribute: str
) -> None:
    variables = settings_variables(module_name, attribute)
    readme = README.read_text(encoding="utf-8")
    undocumented = sorted(v for v in variables if f"`{v}`" not in readme)
    assert not undocumented, f"ops/README.md does not document {undocumented}"
    for name in ("api", "worker"):
        env = compose["services"][name]["environment"]
        missing = sorted(variables - set(env) - set(NOT_PASSED_THROUGH))
        assert not missing, f"{name} does not pass {missing} through"
        for variable in variables & set(env) - set(NOT_PASSED_THROUGH):
            assert env[variable] is None, f"{variable}: pass it through (no value) rather than fix it"


# -- 4. metric names: what the code emits, translated for Prometheus ----------------------------------

# The Collector's prometheus exporter, translation strategy UnderscoreEscapingWithSuffixes
# (prometheus/otlptranslator, normalizeName): split the name on anything but [a-zA-Z0-9:], add the
# unit (mapped below; a unit holding `{...}` adds nothing) unless the name already has that token,
# `_total` for monotonic sums, `_ratio` for gauges with unit "1".
UNIT_SUFFIXES = {
    "d": "days", "h": "hours", "min": "minutes", "s": "seconds", "ms": "milliseconds",
    "us": "microseconds", "ns": "nanoseconds", "By": "bytes", "KiBy": "kibibytes", "MiBy": "mebibytes",
    "GiBy": "gibibytes", "TiBy": "tibibytes", "KBy": "kilobytes", "MBy": "megabytes", "GBy": "gigabytes",
    "TBy": "terabytes", "m": "meters", "V": "volts", "A": "amperes", "J": "joules", "W": "watts",
    "g": "grams", "Cel": "celsius", "Hz": "hertz", "1": "", "%": "percent",
}  # fmt: skip
PER_UNIT_SUFFIXES = {
    "s": "second",
    "m": "minute",
    "h": "hour",
    "d": "day",
    "w": "week",
    "mo": "month",
    "y": "year",
}
PROMETHEUS_TYPES = {
    "histogram": "histogram",
    "counter": "counter",
    "updowncounter": "gauge",
    "gauge": "gauge",
}


def _unit_suffix(unit: str, table: dict[str, str]) -> str:
    unit = unit.strip()
    if not unit or "{" in unit or "}" in unit:
        return ""
    suffix = table.get(unit, unit)
    return re.sub(r"_+", "_", re.sub(r"[^a-zA-Z0-9:]", "_", suffix)).strip("_")


def prometheus_metric_name(name: str, unit: str, kind: str) -> str:
    """The exposed name (histograms then add _bucket, _sum and _count)."""
    tokens = [token for token in re.split(r"[^a-zA-Z0-9:]+", name) if token]
    main, _, per = unit.partition("/")
    main_suffix = _unit_suffix(main, UNIT_SUFFIXES)
    per_suffix = _unit_suffix(per, PER_UNIT_SUFFIXES)
    if main_suffix and main_suffix not in tokens:
        tokens.append(main_suffix)
    if per_suffix and f"per_{per_suffix}" not in tokens:
        tokens.append(f"per_{per_suffix}")
    if kind == "counter":
        tokens = [*(t for t in tokens if t != "total"), "total"]
    if unit == "1" and kind == "gauge":
        tokens = [*(t for t in tokens if t != "ratio"), "ratio"]
    result = "_".join(tokens)
    return f"_{result}" if result[:1].isdigit() else result


def prometheus_label_name(key: str) -> str:
    label = re.sub(r"[^a-zA-Z0-9_]", "_", key)
    return f"key_{label}" if label[:1].isdigit() else label


@pytest.mark.parametrize(
    ("name", "unit", "kind", "expected"),
    [
        ("http.server.request.duration", "s", "histogram", "http_server_request_duration_seconds"),
        ("gen_ai.client.token.usage", "{token}", "histogram", "gen_ai_client_token_usage"),
        ("llt.tasks", "{task}", "counter", "llt_tasks_total"),
        ("requests.total", "1", "counter", "requests_total"),
        ("memory.usage", "By", "gauge", "memory_usage_bytes"),
        ("cpu.utilization", "1", "gauge", "cpu_utilization_ratio"),
        ("latency.seconds", "s", "histogram", "latency_seconds"),
        ("throughput", "By/s", "gauge", "throughput_bytes_per_second"),
        ("http.server.active_requests", "{request}", "updowncounter", "http_server_active_requests"),
    ],
)
def test_prometheus_translation_follows_the_collector(name: str, unit: str, kind: str, expected: str) -> None:
    assert prometheus_metric_name(name, unit, kind) == expected


@dataclass(frozen=True)
class Metric:
    """One instrument as the code emits it, and as Prometheus will see it."""

    otel_name: str
    unit: str
    kind: str  # histogram | counter | updowncounter | gauge
    attributes: frozenset[str]

    @property
    def prometheus_name(self) -> str:
        return prometheus_metric_name(self.otel_name, self.unit, self.kind)

    @property
    def series(self) -> set[str]:
        base = self.prometheus_name
        return {f"{base}_bucket", f"{base}_sum", f"{base}_count"} if self.kind == "histogram" else {base}

    @property
    def labels(self) -> set[str]:
        return {prometheus_label_name(key) for key in self.attributes}


@dataclass(frozen=True)
class Emitted:
    metrics: dict[str, Metric]  # by OTel name
    resource_labels: set[str]

    def by_series(self) -> dict[str, Metric]:
        return {series: metric for metric in self.metrics.values() for series in metric.series}


def _exercise_http_server() -> None:
    """Serve a templated route, a failing route and an unrouted path through the real OTel config."""
    from litestar import Litestar, get
    from litestar.params import FromPath
    from litestar.plugins.opentelemetry import OpenTelemetryPlugin
    from litestar.testing import TestClient

    from telemetry.http import litestar_otel_config

    @get("/ops-probe/{item_id:int}", sync_to_thread=False)
    def probe(item_id: FromPath[int]) -> dict[str, int]:
        return {"item_id": item_id}

    @get("/ops-probe-error", sync_to_thread=False)
    def fail() -> None:
        raise RuntimeError("ops probe")

    app = Litestar([probe, fail], plugins=[OpenTelemetryPlugin(litestar_otel_config())], logging_config=None)
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/ops-probe/7").status_code == 200
        assert client.get("/ops-probe-error").status_code == 500
        assert client.get("/ops-probe-missing").status_code == 404


def _exercise_instruments() -> None:
    from telemetry import metrics as llt_metrics

    llt_metrics.record_llm_call("ops-probe-model", "openai", 12, 3, 0.2, None, "llm.invalid", 443)
    llt_metrics.record_llm_call("ops-probe-model", "openai", None, None, 1.0, "timeout", "llm.invalid", 443)
    llt_metrics.record_llm_error("timeout")
    llt_metrics.record_analysis("fast", 0.1)
    llt_metrics.record_task_outcome("complete")
    llt_metrics.record_submission("async")


def collect_emitted() -> Emitted:
    """Every metric this process emits once the API and the instruments have been used."""
    from opentelemetry.sdk.metrics.export import Gauge, Histogram, InMemoryMetricReader, Sum

    from telemetry import setup_telemetry

    reader = InMemoryMetricReader()
    with pytest.MonkeyPatch.context() as env:
        for name in (
            "OTEL_SDK_DISABLED",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        ):
            env.delenv(name, raising=False)
        telemetry = setup_telemetry("llt-ops-config-test", metric_reader=reader)
    assert telemetry.meter_provider is not None, "telemetry was set up with OTEL_SDK_DISABLED earlier"
    from telemetry import metrics as llt_metrics

    # register_queue_depth replaces a process-wide callback: put back whatever was there.
    previous_queue_depth = llt_metrics._QueueDepthSource.callback
    try:
        _exercise_http_server()
        _exercise_instruments()
        llt_metrics.register_queue_depth(lambda: 0)
        data = reader.get_metrics_data()
    finally:
        llt_metrics._QueueDepthSource.callback = previous_queue_depth
        telemetry.meter_provider.remove_metric_reader(reader)
    assert data is not None

    metrics: dict[str, Metric] = {}
    resource_keys: set[str] = set()
    for resource_metrics in data.resource_metrics:
        resource_keys |= set(resource_metrics.resource.attributes)
        for scope in resource_metrics.scope_metrics:
            for metric in scope.metrics:
                points = metric.data.data_points
                if isinstance(metric.data, Histogram):
                    kind = "histogram"
                elif isinstance(metric.data, Sum):
                    kind = "counter" if metric.data.is_monotonic else "updowncounter"
                else:
                    assert isinstance(metric.data, Gauge), metric
                    kind = "gauge"
                keys = frozenset(key for point in points for key in (point.attributes or {}))
                old = metrics.get(metric.name)
                metrics[metric.name] = Metric(
                    metric.name, metric.unit or "", kind, keys | (old.attributes if old else frozenset())
                )
    return Emitted(metrics, {prometheus_label_name(key) for key in resource_keys})


@pytest.fixture(scope="module")
def emitted() -> Emitted:
    return collect_emitted()


def test_the_code_emits_every_metric_named_in_the_constants_module(emitted: Emitted) -> None:
    from telemetry import attributes

    named = {value for key, value in vars(attributes).items() if key.startswith("METRIC_")}
    assert named <= set(emitted.metrics), f"named but not emitted: {sorted(named - set(emitted.metrics))}"
    ours = {name for name in emitted.metrics if not name.startswith("http.")}
    assert ours <= named, f"emitted without a constant in telemetry/attributes.py: {sorted(ours - named)}"
    http = emitted.metrics[attributes.METRIC_HTTP_SERVER_DURATION]
    assert (http.unit, http.kind) == ("s", "histogram")
    assert attributes.HTTP_ROUTE in http.attributes, "the route template must reach the HTTP metric"


def readme_metric_rows() -> dict[str, tuple[str, str, str, set[str]]]:
    """OTel name -> (unit, Prometheus name, Prometheus type, labels) from ops/README.md's table."""
    rows: dict[str, tuple[str, str, str, set[str]]] = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 5 or not cells[0].startswith("`"):
            continue
        ticked = [re.findall(r"`([^`]*)`", cell) for cell in cells]
        if not (ticked[0] and ticked[1] and ticked[2]):
            continue
        rows[ticked[0][0]] = (ticked[1][0], ticked[2][0], cells[3], set(ticked[4]))
    return rows


def test_readme_documents_each_emitted_metric_with_its_prometheus_name_and_labels(emitted: Emitted) -> None:
    rows = readme_metric_rows()
    assert set(rows) == set(emitted.metrics), "ops/README.md's metric table and the code disagree"
    for name, metric in emitted.metrics.items():
        unit, prometheus_name, prometheus_type, labels = rows[name]
        assert unit == metric.unit, name
        assert prometheus_name == metric.prometheus_name, name
        assert prometheus_type == PROMETHEUS_TYPES[metric.kind], name
        assert labels == metric.labels, name


# -- PromQL tokens ------------------------------------------------------------------------------------

_STRING = r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`'
_SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{((?:[^{}\"'`]|" + _STRING + r")*)\}")
_MATCHER = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(" + _STRING + r")")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")
_LABEL_REPLACE = re.compile(
    r"label_replace\s*\(.*?,\s*\"([a-zA-Z_][a-zA-Z0-9_]*)\"\s*,\s*\"[^\"]*\"\s*,"
    r"\s*\"([a-zA-Z_][a-zA-Z0-9_]*)\"\s*,\s*\"[^\"]*\"\s*\)",
    re.DOTALL,
)
_IDENTIFIER = re.compile(r"(?<![\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![a-zA-Z0-9_:])(?!\s*\()")
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
             "offset", "atan2", "inf", "nan", "start", "end"}  # fmt: skip
# Series Prometheus itself creates; the alert labels on ALERTS come from alerts.yml.
BUILTIN_SERIES = {"ALERTS": {"alertname", "alertstate", "severity", "component"}}
SCRAPE_LABELS = {"job", "instance"}


@dataclass
class PromQL:
    """What one expression refers to."""

    metrics: set[str]
    selectors: list[tuple[str | None, str, str, str]]  # (metric, label, operator, value)
    grouping_labels: set[str]
    created_labels: set[str]  # label_replace destinations
    replaced_from: set[str]  # label_replace sources


def parse_promql(expr: str) -> PromQL:
    """Tokenise `expr` with regular expressions: enough for the expressions we write."""
    selectors: list[tuple[str | None, str, str, str]] = []
    for match in _SELECTOR.finditer(expr):
        for label, operator, quoted in _MATCHER.findall(match.group(2)):
            selectors.append((match.group(1), label, operator, quoted[1:-1]))
    replaced = _LABEL_REPLACE.findall(expr)
    stripped = re.sub(_STRING, '""', expr)
    stripped = re.sub(r"\[[^\]]*\]", " ", stripped)  # ranges, subqueries, Grafana's $__rate_interval
    stripped = re.sub(r"\{[^}]*\}", " ", stripped)
    grouping = {label.strip() for group in _GROUPING.findall(stripped) for label in group.split(",")}
    stripped = _GROUPING.sub(" ", stripped)
    metrics = {name for name in _IDENTIFIER.findall(stripped) if name not in _KEYWORDS}
    metrics |= {metric for metric, *_ in selectors if metric}
    return PromQL(
        metrics=metrics,
        selectors=selectors,
        grouping_labels=grouping - {""},
        created_labels={destination for destination, _ in replaced},
        replaced_from={source for _, source in replaced},
    )


def test_promql_tokeniser_finds_metrics_labels_and_label_replace() -> None:
    parsed = parse_promql(
        'sum by (le, http_route) (label_replace(rate(foo_bucket{code=~"5..", a="x,y"}[5m]),'
        ' "class", "${1}xx", "code", "([0-9]).*")) / ignoring (class) group_left'
        " sum(rate(bar_total[$__rate_interval] offset 15m)) > 1e3 and on () vector(0) + baz:rec:rate5m"
    )
    assert parsed.metrics == {"foo_bucket", "bar_total", "baz:rec:rate5m"}
    assert parsed.grouping_labels == {"le", "http_route", "class"}
    assert parsed.selectors == [("foo_bucket", "code", "=~", "5.."), ("foo_bucket", "a", "=", "x,y")]
    assert (parsed.created_labels, parsed.replaced_from) == ({"class"}, {"code"})


def recording_rules() -> set[str]:
    return {rule["record"] for group in load(ALERTS)["groups"] for rule in group["rules"] if "record" in rule}


def expressions() -> list[tuple[str, str]]:
    """(where, PromQL) for every alert/recording rule and every dashboard query."""
    found = [
        (f"{rel(ALERTS)}: {rule.get('alert') or rule.get('record')}", rule["expr"])
        for group in load(ALERTS)["groups"]
        for rule in group["rules"]
    ]

    def walk(panels: list[dict[str, Any]], dashboard: Path) -> Iterator[tuple[str, str]]:
        for panel in panels:
            yield from walk(panel.get("panels", []), dashboard)
            for target in panel.get("targets", []):
                if target.get("expr"):
                    yield f"{rel(dashboard)}: {panel.get('title')} [{target.get('refId')}]", target["expr"]

    for dashboard in DASHBOARDS:
        data = load(dashboard)
        found.extend(walk(data.get("panels", []), dashboard))
        for variable in data.get("templating", {}).get("list", []):
            query = variable.get("query")
            if isinstance(query, dict):
                query = query.get("query")
            if variable.get("type") == "query" and query:
                found.append((f"{rel(dashboard)}: variable {variable.get('name')}", str(query)))
    return found


def label_values() -> dict[str, set[str]]:
    """The values an enumerated label can take, from the code."""
    from saq.job import TERMINAL_STATUSES

    from jobs.contracts import MODES
    from telemetry import attributes as a

    return {
        prometheus_label_name(a.TASK_STATUS): {status.value for status in TERMINAL_STATUSES},
        prometheus_label_name(a.SUBMISSION_KIND): {a.SUBMISSION_KIND_SYNC, a.SUBMISSION_KIND_ASYNC},
        prometheus_label_name(a.GEN_AI_TOKEN_TYPE): {a.GEN_AI_TOKEN_TYPE_INPUT, a.GEN_AI_TOKEN_TYPE_OUTPUT},
        prometheus_label_name(a.ANALYSIS_MODE): set(MODES),
    }


def problems_in(expr: str, emitted: Emitted, records: set[str]) -> list[str]:
    """Why `expr` refers to something Prometheus will not have; empty when it is fine."""
    parsed = parse_promql(expr)
    by_series = emitted.by_series()
    common = SCRAPE_LABELS | emitted.resource_labels
    problems = [
        f"unknown metric {name}"
        for name in sorted(parsed.metrics)
        if name not in by_series and name not in records and name not in BUILTIN_SERIES
    ]
    any_label = (
        common
        | {"le"}
        | {label for metric in emitted.metrics.values() for label in metric.labels}
        | {label for labels in BUILTIN_SERIES.values() for label in labels}
        | parsed.created_labels
    )
    problems += [f"unknown label {label}" for label in sorted(parsed.grouping_labels - any_label)]
    problems += [f"unknown label {label}" for label in sorted(parsed.replaced_from - any_label)]
    values = label_values()
    for metric_name, label, operator, value in parsed.selectors:
        if metric_name in by_series:
            metric = by_series[metric_name]
            allowed = metric.labels | common | ({"le"} if metric_name.endswith("_bucket") else set())
        elif metric_name in BUILTIN_SERIES:
            allowed = BUILTIN_SERIES[metric_name]
        else:
            allowed = any_label
        if label not in allowed:
            problems.append(f"{metric_name} has no label {label}")
        if label in values and operator in {"=", "!="} and value not in values[label]:
            problems.append(f"{label} is never {value!r} (values: {sorted(values[label])})")
    return problems


def test_metric_check_catches_misspelled_names_labels_and_values(emitted: Emitted) -> None:
    records = recording_rules()
    assert problems_in('rate(llt_tasks_total{llt_task_status="complete"}[5m])', emitted, records) == []
    assert problems_in("rate(llt_task_total[5m])", emitted, records) == ["unknown metric llt_task_total"]
    assert problems_in('llt_tasks_total{llt_task_status="completed"}', emitted, records) == [
        "llt_task_status is never 'completed' (values: ['aborted', 'complete', 'failed'])"
    ]
    assert problems_in('llt_tasks_total{error_type="x"}', emitted, records) == [
        "llt_tasks_total has no label error_type"
    ]
    assert problems_in("sum by (llt_mode) (llt_queue_depth)", emitted, records) == ["unknown label llt_mode"]
    # the unit suffix matters: the Collector names seconds-histograms *_seconds_*
    assert problems_in("llt_analysis_duration_count", emitted, records) == [
        "unknown metric llt_analysis_duration_count"
    ]


@pytest.mark.parametrize(("where", "expr"), expressions())
def test_dashboards_and_alerts_use_only_metrics_labels_and_values_the_code_emits(
    emitted: Emitted, where: str, expr: str
) -> None:
    assert problems_in(expr, emitted, recording_rules()) == [], where


def test_the_dashboard_shows_every_metric_of_the_service(emitted: Emitted) -> None:
    used = {name for _, expr in expressions() for name in parse_promql(expr).metrics}
    for metric in emitted.metrics.values():
        if metric.otel_name.startswith("http.") and metric.otel_name != "http.server.request.duration":
            continue  # the plugin's active-request and body-size metrics are optional extras
        assert metric.series & used, (
            f"no dashboard or alert uses {metric.otel_name} ({metric.prometheus_name})"
        )


# -- 5. alerts ----------------------------------------------------------------------------------------


def markdown_anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"#{1,6}\s+(.*)", line):
            text = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in load(ALERTS)["groups"] for rule in group["rules"] if "alert" in rule]


def test_the_seed_alerts_exist_with_severity_summary_description_and_runbook() -> None:
    rules = alert_rules()
    assert {rule["alert"] for rule in rules} >= SEED_ALERTS
    anchors = markdown_anchors(RUNBOOK)
    for rule in rules:
        name = rule["alert"]
        assert rule["labels"]["severity"] in SEVERITIES, name
        assert rule["annotations"]["summary"].strip(), name
        assert rule["annotations"]["description"].strip(), name
        page, _, anchor = rule["annotations"]["runbook_url"].partition("#")
        assert (ROOT / page).resolve() == RUNBOOK, name
        assert anchor in anchors, f"{name}: ops/runbook.md has no heading #{anchor}"
    [spike] = [rule for rule in rules if rule["alert"] == "LLTLogVolumeSpike"]
    assert "proxy" in spike["annotations"]["description"].lower()


def test_alert_thresholds_are_the_seed_ones() -> None:
    exprs = {rule["alert"]: " ".join(rule["expr"].split()) for rule in alert_rules()}
    assert ") > 30" in exprs["LLTAnalysisSlow"]
    assert "histogram_quantile(0.95," in exprs["LLTAnalysisSlow"]
    assert ") < 0.95" in exprs["LLTTaskCompletionLow"]
    assert ") > 0.05" in exprs["LLTLLMErrorRateHigh"]


def test_every_alert_has_a_promtool_unit_test_that_makes_it_fire() -> None:
    tests = load(ALERT_TESTS)
    assert tests["rule_files"] == [ALERTS.name]
    fired = {
        case["alertname"]
        for test in tests["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert {rule["alert"] for rule in alert_rules()} <= fired


# -- 6. promtool ----------------------------------------------------------------------------------------

# $PROMTOOL may name a binary outside PATH (e.g. one extracted from the Debian package).
PROMTOOL = os.environ.get("PROMTOOL") or shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool is not installed (Debian: apt-get install prometheus)"
)


def promtool(*args: str, cwd: Path = PROMETHEUS_DIR) -> str:
    assert PROMTOOL is not None
    done = subprocess.run([PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"promtool {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@needs_promtool
def test_promtool_checks_the_prometheus_config() -> None:
    promtool("check", "config", PROMETHEUS.name)


@needs_promtool
def test_promtool_checks_the_rules() -> None:
    promtool("check", "rules", ALERTS.name)


@needs_promtool
def test_promtool_unit_tests_of_the_alerts_pass() -> None:
    promtool("test", "rules", ALERT_TESTS.name)


GRAFANA_MACROS = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h"}


@needs_promtool
def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    rules = []
    for index, (_, expr) in enumerate(expressions()):
        for macro, value in GRAFANA_MACROS.items():
            expr = expr.replace(macro, value)
        rules.append({"record": f"dashboard:query_{index}", "expr": expr})
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}), encoding="utf-8")
    promtool("check", "rules", str(path), cwd=tmp_path)


# -- 7. Grafana -----------------------------------------------------------------------------------------


def test_dashboards_use_provisioned_datasources_and_unique_panel_ids() -> None:
    uids = {source["uid"]: source["type"] for source in load(DATASOURCES)["datasources"]}
    assert set(uids.values()) >= {"prometheus", "jaeger"}
    for dashboard in DASHBOARDS:
        data = load(dashboard)
        assert data["uid"]
        assert data["title"]
        ids: list[int] = []

        def visit(panels: list[dict[str, Any]], ids: list[int] = ids, dashboard: Path = dashboard) -> None:
            for panel in panels:
                ids.append(panel["id"])
                visit(panel.get("panels", []))
                for item in [panel, *panel.get("targets", [])]:
                    source = item.get("datasource")
                    if isinstance(source, dict) and source.get("uid") != "-- Grafana --":
                        assert uids.get(source["uid"]) == source["type"], f"{rel(dashboard)}: {source}"
                if panel["type"] not in {"row", "text"}:
                    assert panel.get("targets"), f"{rel(dashboard)}: {panel['title']} has no query"

        visit(data["panels"])
        assert len(ids) == len(set(ids)), f"{rel(dashboard)}: duplicate panel ids"


# -- 8. Containerfile -----------------------------------------------------------------------------------


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    logical, current = [], ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    result = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        result.append((keyword.upper(), rest.strip()))
    return result


def test_containerfile_is_multi_stage_non_root_and_runs_the_cli() -> None:
    steps = instructions(CONTAINERFILE)
    stages = [i for i, (keyword, _) in enumerate(steps) if keyword == "FROM"]
    assert len(stages) >= 2, "build in one stage, run in another"
    args = dict(
        rest.split("=", 1) for keyword, rest in steps[: stages[0]] if keyword == "ARG" and "=" in rest
    )
    final = steps[stages[-1] :]
    base = final[0][1].split()[0]
    base = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], base)
    assert base.startswith("python:3.11-slim"), base
    assert any(k == "COPY" and rest.startswith("--from=") and "/opt/venv" in rest for k, rest in final)

    keywords = [keyword for keyword, _ in final]
    users = [rest for keyword, rest in final if keyword == "USER"]
    assert users, "the runtime stage must switch to a non-root user"
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")

    values = dict(final)
    assert json.loads(values["ENTRYPOINT"]) == ["llt"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert "llt" in scripts
    serve = cli_parser().parse_args(json.loads(values["CMD"]))
    assert (serve.command, serve.host, serve.port) == ("serve", "0.0.0.0", 8000)
    assert str(serve.port) in values["EXPOSE"].split()
    healthcheck = values["HEALTHCHECK"]
    assert "python" in healthcheck
    assert f"127.0.0.1:{serve.port}/health" in healthcheck
    assert "curl" not in healthcheck, "python:3.11-slim has no curl"

    for keyword, rest in steps:
        if keyword == "COPY" and not rest.startswith("--from="):
            *sources, _ = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: not in the repository"


def test_containerignore_keeps_the_build_context_small() -> None:
    patterns = {
        line.strip().rstrip("/")
        for line in CONTAINERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".cache", ".git", "tests"} <= patterns


# -- 9. docs ------------------------------------------------------------------------------------------


def test_architecture_and_runbook_name_the_spans_and_attributes_the_code_uses() -> None:
    from telemetry import attributes as a

    architecture = ARCHITECTURE.read_text(encoding="utf-8")
    runbook = RUNBOOK.read_text(encoding="utf-8")
    for span in (a.SPAN_ANALYSIS_PARSE, a.SPAN_ANALYSIS_RULES, a.SPAN_ANALYSIS_SELECT, a.SPAN_ANALYSIS_LLM,
                 a.SPAN_ANALYSIS_MERGE):  # fmt: skip
        assert span in architecture, span
        assert span in runbook, span
    for name in (a.LLM_SLOT_WAIT_MS, a.LLM_ATTEMPTS, a.GEN_AI_USAGE_INPUT_TOKENS):
        assert name in runbook, name
    assert a.publish_span_name("llt") in architecture
    assert a.process_span_name("analyze") in architecture
    assert a.chat_span_name("{model}") in architecture
