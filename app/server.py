"""The sample app: a tiny HTTP server on the Python standard library alone.

``/`` answers with a short JSON greeting, ``/healthz`` is what the ALB target
group checks. It writes nothing to disk (so it runs with a read-only root
filesystem), logs one line per request to stdout (collected by awslogs) and
stops cleanly on SIGTERM, which is how ECS stops a task.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEALTH_PATH = "/healthz"


class Handler(BaseHTTPRequestHandler):
    server_version = "fargate-sample"
    sys_version = ""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == HEALTH_PATH:
            self._reply(HTTPStatus.OK, "text/plain; charset=utf-8", b"ok\n")
        elif path == "/":
            body = {
                "message": "Hello from ECS Fargate",
                "service": os.environ.get("SERVICE_NAME", "sample"),
                "host": socket.gethostname(),
            }
            self._reply(HTTPStatus.OK, "application/json", json.dumps(body).encode() + b"\n")
        else:
            self._reply(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")

    def do_HEAD(self) -> None:
        self.do_GET()

    def _reply(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        # stdout, not stderr: one stream for awslogs, and health checks stay visible.
        print(f"{self.address_string()} {format % args}", flush=True)


def make_server(host: str, port: int) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), Handler)


def main() -> int:
    # 0.0.0.0: in awsvpc mode the ALB reaches the task on its ENI address.
    host = os.environ.get("HOST", "0.0.0.0")
    port = int(os.environ.get("PORT", "8080"))
    server = make_server(host, port)

    def stop(signum, frame) -> None:
        # shutdown() waits for serve_forever(), which runs on this thread: hand it off.
        threading.Thread(target=server.shutdown, daemon=True).start()

    # As PID 1 in a container, Python gets no default SIGTERM action; without this
    # handler ECS would wait out stopTimeout and then SIGKILL the task.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    bound_host, bound_port = server.server_address[:2]
    print(f"listening on {bound_host}:{bound_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
