from typing import Any

from spidermon.core.actions import Action
from spidermon.core.options import ActionOptionsMetaclass

class ActionWithTemplatesMetaclass(ActionOptionsMetaclass):
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> ActionWithTemplatesMetaclass: ...  # noqa: N804

class ActionWithTemplates(Action, metaclass=ActionWithTemplatesMetaclass):
    def __init__(self, context: dict[str, Any] | None = None) -> None: ...
