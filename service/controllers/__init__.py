"""HTTP controllers: thin layers that validate, enqueue or read, and respond."""

from service.controllers.analysis import AnalysisController
from service.controllers.health import HealthController
from service.controllers.meta import MetaController

__all__ = ["AnalysisController", "HealthController", "MetaController"]
