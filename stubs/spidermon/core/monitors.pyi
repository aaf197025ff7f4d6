from unittest import TestCase

from spidermon.data import Data

class Monitor(TestCase):
    data: Data

    def __init__(self, methodName: str = "runTest", name: str | None = None) -> None: ...
    @property
    def name(self) -> str: ...
