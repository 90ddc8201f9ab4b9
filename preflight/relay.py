"""The engine's side of `Analyze`, in a process of its own, as the Pulumi engine is one.

Under `pulumi preview --policy-pack` the language host sends each registration to the engine,
a separate process, and the engine sends `Analyze` for it to the pack. The preflight keeps the
engine's registration side in the program's process (the recorder answers from memory), and
this relay is its `Analyze` side: the program hands it each `AnalyzeRequest`, already
serialized, through a pipe, and the relay makes the gRPC call to the pack. The pack sees the
same calls with the same bytes. A gRPC call from Python costs its caller about 0.4 ms of
interpreter time (the call object, the channel's completion thread waking for it, the
interpreter lock passed back and forth); made in the program's process it was a quarter of
the time each extra service cost, on the core that runs the program. A pipe write costs the
program a few microseconds, and the calls run on the other core beside the pack.

The engine also validates the policy config against each policy's schema before it sends
`Configure`; that is the relay's too (`config_problems`), so the program's process never loads
jsonschema (an import of 50-90 ms that, on the session's thread, took the interpreter lock from
the program).

The relay imports gRPC and the standard library only (it runs as a file, outside the
`preflight` package, which would import the Pulumi SDK), so it starts while the program
imports pulumi-aws; jsonschema is imported when the first config is validated. Frames both
ways are a 4-byte little-endian length, a kind byte, then the payload:

    to the relay     b"C" target           connect to the pack at "host:port" (once)
                     b"V" JSON             validate [[policy, schema, properties], ...]
                     b"A" request          send `Analyze` with these request bytes, answer later
                     b"W"                  answer every request sent since the last b"W", in order
    from the relay   b"P" JSON             the b"V" answer: a list of problems, one line each
                     b"R" response         an `Analyze` answer (the response's bytes)
                     b"X" details          an `Analyze` that failed (gRPC's details)
                     b"D"                  every answer of this b"W" is written

The client side is `Relay` (used by `preflight.analyzer.Session`).
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import IO, Any, Optional, cast

ANALYZE_METHOD = "/pulumirpc.Analyzer/Analyze"
_HEADER = struct.Struct("<IB")
# Linux's default pipe holds 64 KiB, about 45 requests; the program would then wait for the
# relay at every few registrations. A pipe of 1 MiB (the unprivileged limit) holds a
# 40-service stack's requests, so the program never waits while the relay keeps up.
_PIPE_BYTES = 1 << 20
_F_SETPIPE_SZ = 1031


class RelayError(Exception):
    """The relay process stopped, or answered out of turn."""


class Relay:
    """A running relay process: `analyze(request_bytes)` for each resource as it registers,
    then `answers()` for every answer in the order the requests were sent."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._to: IO[bytes] = self._process.stdin
        self._from: IO[bytes] = io.BufferedReader(
            cast(io.RawIOBase, self._process.stdout), 1 << 16
        )  # bufsize=0: a FileIO
        try:
            import fcntl

            fcntl.fcntl(self._to.fileno(), _F_SETPIPE_SZ, _PIPE_BYTES)
        except (ImportError, OSError):  # not Linux, or a lower limit: the default pipe works, only slower
            pass
        self._stderr: list[bytes] = []
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        self.connected: Optional[str] = None
        self.outstanding = 0

    @property
    def pid(self) -> int:
        return self._process.pid

    def _drain_stderr(self) -> None:
        assert self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr.append(line)

    def _failure(self) -> RelayError:
        # Its last words, once it has said them all (a relay that is still running has said none).
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._stderr_thread.join(timeout=5)
        lines = [line.decode(errors="replace").strip() for line in self._stderr if line.strip()]
        return RelayError(
            f"preflight's Analyze relay stopped (exit status {self._process.returncode}): "
            f"{lines[-1] if lines else 'no output'}"
        )

    def _write(self, kind: bytes, payload: bytes = b"") -> None:
        try:
            _write_frame(self._to, kind, payload)
        except (BrokenPipeError, ValueError, OSError):
            raise self._failure() from None

    def connect(self, target: str) -> None:
        if self.connected != target:
            self._write(b"C", target.encode())
            self.connected = target

    def validate(self, entries: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> list[str]:
        """`config_problems(entries)`, worked out in the relay (with no answer outstanding:
        between sessions, before their first `analyze`)."""
        self._write(b"V", json.dumps(entries).encode())
        frame = _read_frame(self._from)
        if frame is None:
            raise self._failure()
        if frame[0] != b"P":
            raise RelayError(f"preflight's Analyze relay answered a validation with {frame[0]!r}")
        problems: list[str] = json.loads(frame[1])
        return problems

    def analyze(self, request: bytes) -> None:
        """Send one serialized `AnalyzeRequest`; its answer comes from the next `answers()`."""
        self._write(b"A", request)
        self.outstanding += 1

    def answers(self) -> Iterator[tuple[bool, bytes]]:
        """`(True, response bytes)` or `(False, gRPC's details)` for each request since the
        last call, in the order sent. Read it to the end (`list(...)`): the answers come down
        one pipe, and the next call's start on it."""
        self._write(b"W")
        while True:
            frame = _read_frame(self._from)
            if frame is None:
                raise self._failure()
            kind, payload = frame
            if kind == b"D":
                self.outstanding = 0
                return
            if kind not in (b"R", b"X"):
                raise RelayError(f"preflight's Analyze relay answered with an unknown frame {kind!r}")
            yield kind == b"R", payload

    def drain(self) -> None:
        """Wait for (and drop) the answers to requests nobody will read, so the next session
        starts with none outstanding."""
        if self.outstanding:
            for _ in self.answers():
                pass

    def close(self) -> None:
        if self._process.poll() is None:
            try:
                self._to.close()
            except OSError:
                pass
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


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


def _write_frame(stream: IO[bytes], kind: bytes, payload: bytes) -> None:
    data = _HEADER.pack(len(payload), kind[0]) + payload
    view = memoryview(data)
    while view:
        written = stream.write(view)
        if written is None:  # a non-blocking stream that is full; ours block
            continue
        view = view[written:]


def _read_exactly(stream: IO[bytes], size: int) -> Optional[bytes]:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read_frame(stream: IO[bytes]) -> Optional[tuple[bytes, bytes]]:
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    length, kind = _HEADER.unpack(header)
    payload = _read_exactly(stream, length) if length else b""
    if payload is None:
        return None
    return bytes([kind]), payload


def serve(incoming: IO[bytes], outgoing: IO[bytes]) -> None:
    """The relay's loop: each `Analyze` goes out as its frame arrives (the pack works while the
    program goes on); a b"W" waits for the answers in order and writes them back."""
    import grpc

    channel: Any = None
    analyze: Any = None
    pending: list[Any] = []
    try:
        while True:
            frame = _read_frame(incoming)
            if frame is None:
                return
            kind, payload = frame
            if kind == b"C":
                if channel is not None:
                    channel.close()
                channel = grpc.insecure_channel(payload.decode())
                # Bytes in, bytes out: the request is the program's, the answer is the program's to read.
                analyze = channel.unary_unary(ANALYZE_METHOD, request_serializer=None, response_deserializer=None)
            elif kind == b"V":
                _write_frame(outgoing, b"P", json.dumps(config_problems(json.loads(payload))).encode())
                outgoing.flush()
            elif kind == b"A":
                if analyze is None:
                    raise RelayError("Analyze before the pack's address")
                pending.append(analyze.future(payload))
            elif kind == b"W":
                for future in pending:
                    try:
                        _write_frame(outgoing, b"R", future.result())
                    except grpc.RpcError as error:
                        _write_frame(outgoing, b"X", str(error.details()).encode())
                pending.clear()
                _write_frame(outgoing, b"D", b"")
                outgoing.flush()
            else:
                raise RelayError(f"unknown frame {kind!r}")
    finally:
        if channel is not None:
            channel.close()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
    # Everything is answered and flushed: end without the interpreter's teardown (gRPC's threads
    # and modules), which the program would otherwise wait for as it closes.
    os._exit(0)
