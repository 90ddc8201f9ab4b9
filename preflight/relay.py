"""The engine's side of `Analyze`, in a process of its own beside the pack.

The preflight's process runs the program; the gRPC client work of one `Analyze` per resource
(a call object, its future, the channel's bookkeeping) is better done on the other core than in
a thread that shares the program's interpreter lock (measured at 50 services: see
docs/performance.md). So the preflight hands each serialized request to this process over a
socket pair, framed by the standard library (`multiprocessing.connection`), and reads the
answers back, in the order sent, once the program is done.

Run by path (`python relay.py <fd>`), so that it loads only grpc: `<fd>` is its end of the socket
pair. Frames, each a kind byte and a body:

- `C` + the pack's address: dial it (once);
- `A` + an `AnalyzeRequest`: send it, without waiting for the answer (but for the oldest's,
  when `MAX_IN_FLIGHT` calls are still unanswered);
- `F`: for each `A` since the last `F`, in order, `R` + the `AnalyzeResponse` or `E` + gRPC's
  error details;
- `V` + a JSON list of (policy, schema, config): the JSON list of `config_problems` (so that
  jsonschema, a quarter of a second to import, loads here and not beside the program).

It ends when the preflight closes its end.
"""

from __future__ import annotations

import json
import sys
from multiprocessing.connection import Connection
from typing import Any

import grpc

CONNECT, ANALYZE, FINISH, VALIDATE, ANSWER, ERROR = b"C", b"A", b"F", b"V", b"R", b"E"
# Calls in flight at once: the pack answers one at a time, so a few hundred keep it busy; with
# every call of a run in flight (thousands of resources) gRPC cancelled some of them.
MAX_IN_FLIGHT = 256


def serve(connection: Connection) -> None:
    """Answer frames until the other end closes."""
    analyze: Any = None
    pending: list[Any] = []
    settled = 0  # the calls of `pending` before this index are answered
    while True:
        try:
            frame = connection.recv_bytes()
        except EOFError:
            return
        kind, body = frame[:1], frame[1:]
        if kind == ANALYZE:
            if len(pending) - settled >= MAX_IN_FLIGHT:
                pending[settled].exception()  # waits for the oldest call's answer
                settled += 1
            pending.append(analyze.future(body))
        elif kind == FINISH:
            for answer in pending:
                failed = answer.exception()
                connection.send_bytes(ERROR + str(failed.details()).encode() if failed else ANSWER + answer.result())
            pending.clear()
            settled = 0
        elif kind == VALIDATE:
            connection.send_bytes(json.dumps(config_problems(json.loads(body))).encode())
        elif kind == CONNECT and analyze is None:
            channel = grpc.insecure_channel(body.decode())
            analyze = channel.unary_unary(
                "/pulumirpc.Analyzer/Analyze", request_serializer=None, response_deserializer=None
            )


def config_problems(entries: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> list[str]:
    """Each policy's config (`properties`) against its JSON schema (draft 7, as the CLI checks
    it): one line per problem, `policy: where: what`, in the order given."""
    import jsonschema

    problems = []
    for name, schema, properties in entries:
        for error in jsonschema.Draft7Validator(schema).iter_errors(properties):
            where = ".".join(str(p) for p in error.absolute_path)
            problems.append(f"{name}: {where + ': ' if where else ''}{error.message}")
    return problems


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
