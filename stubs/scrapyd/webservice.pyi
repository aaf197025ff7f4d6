from typing import Any

from twisted.web import resource

class WsResource(resource.Resource):
    def __init__(self, root: Any) -> None: ...

class Schedule(WsResource):
    def render_POST(self, txrequest: Any) -> Any: ...
