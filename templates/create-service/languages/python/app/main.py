"""Entry point: serve on $PORT until SIGTERM, then drain and exit."""

import logging
import os
import signal
import threading
from types import FrameType

from app import SERVICE_NAME, jsonlog
from app.config import load_config
from app.server import Server

log = logging.getLogger("app")


def main() -> int:
    jsonlog.configure()
    try:
        config = load_config(os.environ)
        server = Server(("", config.port), config)
    except (ValueError, OSError) as error:
        log.error("exiting", extra={"error": str(error)})
        return 1

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("shutting down", extra={"signal": signal.Signals(signum).name})
        server.draining.set()
        # shutdown() waits for serve_forever() to return, which runs in this
        # (the main) thread: call it from another one.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "listening",
        extra={
            "service": SERVICE_NAME,
            "version": config.version,
            "port": server.port,
            "database": config.database_status,
        },
    )
    server.serve_forever()
    server.server_close()  # waits for in-flight requests
    log.info("stopped")
    return 0
