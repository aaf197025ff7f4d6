from typing import Any

from twisted.web import resource

class WsResource(resource.Resource):
    def __init__(self, root: Any) -> None: ...
    def render(self, txrequest: Any) -> Any: ...

class Schedule(WsResource):
    def render_POST(self, txrequest: Any) -> Any: ...
