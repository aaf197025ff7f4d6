from unittest import TestCase

from spidermon.core.options import MonitorOptionsMetaclass
from spidermon.data import Data

class Monitor(TestCase, metaclass=MonitorOptionsMetaclass):
    data: Data

    def __init__(self, methodName: str = "runTest", name: str | None = None) -> None: ...
    @property
    def name(self) -> str: ...
