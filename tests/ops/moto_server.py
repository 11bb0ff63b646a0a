"""moto in server mode on a listening socket the test hands over: no port is ever free between
choosing it and serving on it, so no other process can take it.

Run as `python moto_server.py FD`, FD an inherited socket already bound to 127.0.0.1 and
listening. SIGTERM closes the socket and exits. SIGUSR1 takes the service down (every request,
on new and kept-alive connections alike, gets 503 Service Unavailable, as from a service in an
outage) and SIGUSR2 brings it back; the port stays ours throughout. The AWS state is moto's,
held in this process, so it survives the outage, as a real service's would.
"""

from __future__ import annotations

import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

DOWN = threading.Event()


def outage(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if DOWN.is_set():
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"service unavailable (outage)"]
        return app(environ, start_response)

    return serve


def main() -> None:
    listening = socket.socket(fileno=int(sys.argv[1]))
    host, port = listening.getsockname()[:2]
    app = outage(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler,
                         fd=listening.fileno())
    listening.close()  # the server listens on its own duplicate (socket.fromfd)

    def stop(*_: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGUSR1, lambda *_: DOWN.set())
    signal.signal(signal.SIGUSR2, lambda *_: DOWN.clear())
    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()  # werkzeug closes the socket when it returns


if __name__ == "__main__":
    main()
