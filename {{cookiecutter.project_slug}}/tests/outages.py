"""Real outages for tests: a port nothing listens on, a server whose connections never open
(an overloaded host), and a server that accepts and never answers (a frozen process, a
black-holed network)."""

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager


def closed_port() -> int:
    """A loopback port that was just free: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def unopenable_port() -> Iterator[int]:
    """A loopback port whose listen queue is full: a new connection's handshake is never
    answered, so connecting hangs until the client's own connect timeout."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port: int = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):  # fills the queue; never accepted
            yield port


@asynccontextmanager
async def frozen_server() -> AsyncIterator[int]:
    """A loopback TCP server that accepts connections and then never sends a byte; yields its
    port."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # kept open, unanswered, until the server stops

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
{%- if cookiecutter.database == "postgresql" %}


class FreezableProxy:
    """A TCP proxy to a real server that can freeze: while frozen it forwards nothing, in
    either direction, like a server stopped with SIGSTOP; thawed, it forwards again."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._thawed = asyncio.Event()
        self._thawed.set()
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def freeze(self) -> None:
        self._thawed.clear()

    def thaw(self) -> None:
        self._thawed.set()

    async def __aenter__(self) -> "FreezableProxy":
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        for writer in self._writers:
            writer.close()
        self._server.close()
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        self._writers += [writer, upstream_writer]
        await asyncio.gather(
            self._pipe(reader, upstream_writer),
            self._pipe(upstream_reader, writer),
            return_exceptions=True,
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            await self._thawed.wait()
            writer.write(data)
            await writer.drain()
        writer.close()
{%- endif %}
