"""The rule families; importing this package registers every rule in `REGISTRY`.

Each module below is one family (assertions, fixtures, flakiness, ...). Adding a module is enough
to add its rules: they register themselves at import.
"""

from __future__ import annotations

import importlib
import pkgutil

from jobs.rules.registry import REGISTRY, Rule

for _info in pkgutil.iter_modules(__path__):
    if _info.name not in {"registry", "examples"} and not _info.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_info.name}")

__all__ = ["REGISTRY", "Rule"]
