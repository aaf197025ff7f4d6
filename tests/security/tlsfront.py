"""A small TLS-terminating proxy for tests: HTTPS in front of the replica's plain-HTTP sites.

``TlsFront(upstreams, cert)`` listens on 127.0.0.1, one port per upstream, terminates TLS with
``cert`` (a trustme ``LeafCert``) and pipes the decrypted bytes to the upstream. It counts what
reached it: handshakes completed, and the credentials in the decrypted requests (Authorization
headers, ``api_key=`` parameters), per upstream name. A client that refuses the certificate
completes no handshake and sends nothing.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import tempfile
import threading
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

CREDENTIAL = re.compile(rb"(?im)^authorization:|[?&]api_key=")


class TlsFront:
    def __init__(self, upstreams: dict[str, str], cert: Any, *, chain_ca: Any = None) -> None:
        self.upstreams = upstreams  # name -> http://127.0.0.1:PORT
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(self.context)
        if chain_ca is not None:  # also send the CA's certificate in the chain (as many servers do)
            with cert.private_key_pem.tempfile() as key, tempfile.NamedTemporaryFile("wb", suffix=".pem") as chain:
                chain.write(b"".join(b.bytes() for b in cert.cert_chain_pems) + chain_ca.cert_pem.bytes())
                chain.flush()
                self.context.load_cert_chain(chain.name, key)
        self.urls: dict[str, str] = {}
        self.handshakes: Counter[str] = Counter()
        self.credentials: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.Server] = []

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, name: str | None) -> None:
        try:
            while data := await reader.read(65536):
                if name is not None:
                    self.credentials[name] += len(CREDENTIAL.findall(data))
                    self.requests[name] += len(re.findall(rb"(?m)^(GET|POST|HEAD|PUT|DELETE) /", data))
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    def _handler(self, name: str, upstream: str) -> Any:
        parts = urlsplit(upstream)

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.handshakes[name] += 1
            try:
                up_reader, up_writer = await asyncio.open_connection(parts.hostname, parts.port)
            except OSError:
                writer.close()
                return
            await asyncio.gather(self._pipe(reader, up_writer, name), self._pipe(up_reader, writer, None))

        return handle

    async def _start(self) -> None:
        for name, upstream in self.upstreams.items():
            server = await asyncio.start_server(self._handler(name, upstream), "127.0.0.1", 0, ssl=self.context,
                                                ssl_handshake_timeout=10)
            self._servers.append(server)
            port = server.sockets[0].getsockname()[1]
            self.urls[name] = f"https://127.0.0.1:{port}"

    def __enter__(self) -> TlsFront:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            loop.set_exception_handler(lambda loop, context: None)  # refused handshakes are the point
            loop.run_until_complete(self._start())
            ready.set()
            loop.run_forever()
            for server in self._servers:
                server.close()
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.wait(tasks))
            loop.close()

        self._thread = threading.Thread(target=run, name="tls-front", daemon=True)
        self._thread.start()
        ready.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)
