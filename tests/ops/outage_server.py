"""A moto server whose HTTP listener can go down and come back while its state lives on.

Run as `python outage_server.py PORT`. SIGUSR1 stops listening (clients get connection
refused, as in an outage or a restart); SIGUSR2 listens again on the same port. The AWS state
is moto's, held in this process, so it survives: what a real service restart looks like from
the client, which a restarted `moto.server` (which forgets everything) cannot show.
"""

from __future__ import annotations

import signal
import sys
import threading

from moto.server import ThreadedMotoServer


def main() -> None:
    port = int(sys.argv[1])
    lock = threading.Lock()
    state: dict[str, ThreadedMotoServer | None] = {"server": None}

    def up(*_: object) -> None:
        with lock:
            if state["server"] is None:
                state["server"] = ThreadedMotoServer(ip_address="127.0.0.1", port=port,
                                                     verbose=False)
                state["server"].start()

    def down(*_: object) -> None:
        with lock:
            if state["server"] is not None:
                state["server"].stop()
                state["server"] = None

    signal.signal(signal.SIGUSR1, lambda *_: threading.Thread(target=down).start())
    signal.signal(signal.SIGUSR2, lambda *_: threading.Thread(target=up).start())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    up()
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
