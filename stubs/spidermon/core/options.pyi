import abc
from typing import Any

class OptionsMetaclassBase(abc.ABCMeta):
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> OptionsMetaclassBase: ...  # noqa: N804

class MonitorOptionsMetaclass(OptionsMetaclassBase): ...
class ActionOptionsMetaclass(OptionsMetaclassBase): ...
