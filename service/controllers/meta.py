"""What the service can do: `GET /modes` and `GET /rules` (with each rule's docs)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from jobs.contracts import Mode
from jobs.rules import REGISTRY, Rule
from service.schemas import ModeInfo, RuleDocs, RuleInfo
from service.settings import ServiceSettings

MODE_DESCRIPTIONS: dict[Mode, str] = {
    "fast": "Static rules only: milliseconds, no LLM.",
    "deep": "Static rules plus an LLM review of every test.",
    "hybrid": "Static rules on everything, then an LLM review of the tests the rules cannot settle.",
}


def mode_infos(llm_enabled: bool) -> list[ModeInfo]:
    """The modes, and which ones this deployment can run."""
    infos = []
    for name, description in MODE_DESCRIPTIONS.items():
        uses_llm = name != "fast"
        note = None
        if uses_llm and not llm_enabled:
            note = "no LLM configured (LLM_BASE_URL): " + (
                "refused with 400" if name == "deep" else "runs the rules only and says so in the result"
            )
        infos.append(
            ModeInfo(
                name=name,
                description=description,
                uses_llm=uses_llm,
                available=llm_enabled or name != "deep",
                note=note,
            )
        )
    return infos


def rule_info(rule: Rule) -> RuleInfo:
    """One registry entry on the wire."""
    docs = rule.docs
    return RuleInfo(
        code=rule.code,
        family=rule.family,
        severity=rule.severity,
        message=rule.message,
        enabled_by_default=rule.enabled,
        fix=rule.fix,
        aliases=list(rule.aliases),
        docs=RuleDocs(what=docs.get("what"), why=docs.get("why"), instead=docs.get("instead")),
    )


class MetaController(Controller):
    """Modes and rules."""

    tags = ["meta"]

    @get(
        "/modes", summary="Analysis modes", description="The modes and whether this deployment can run them."
    )
    async def modes(self, settings: NamedDependency[ServiceSettings]) -> list[ModeInfo]:
        return mode_infos(settings.core.llm_enabled)

    @get(
        "/rules",
        summary="Static rules",
        description="Every rule, by code, with what it flags, why and the fix.",
    )
    async def rules(self) -> list[RuleInfo]:
        return [rule_info(rule) for rule in sorted(REGISTRY.values(), key=lambda r: r.code)]
