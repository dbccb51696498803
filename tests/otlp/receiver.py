#!/usr/bin/env python3
"""An OTLP/HTTP metrics receiver for the integration tests.

It decodes what it receives with the official OpenTelemetry protobuf
definitions (the `opentelemetry-proto` package, pinned by requirements.txt),
not with the code under test, and records every request it decoded.

    receiver.py --port-file PATH [--record-dir DIR]
                [--tls-cert PEM --tls-key PEM [--client-ca PEM]]

It listens on a free loopback port (127.0.0.1 only), writes the port number to
PATH once it listens (to a temporary name, then renamed, so a reader never sees
part of it) and serves until it is killed. With --tls-cert and --tls-key it
speaks HTTPS; with --client-ca too it requires a client certificate that CA
issued. A failed handshake ends that connection only (logged to stderr).

Endpoints:

  POST /v1/metrics  An ExportMetricsServiceRequest, `Content-Type:
                    application/x-protobuf` (else 415), optionally with
                    `Content-Encoding: gzip`; a body that does not decode is
                    answered 400 with the reason. A decoded request is recorded,
                    then answered with the next scripted response (see
                    /control), or else 200 with an empty
                    ExportMetricsServiceResponse.
  POST /control     JSON `{"status": 503, "retry_after": "1",
                    "rejected_data_points": 3, "error_message": "...",
                    "times": 2}`, every field optional: queues `times` (1)
                    responses with `status` (200), a `Retry-After` header when
                    `retry_after` is given and, for a 200 with
                    `rejected_data_points`, an ExportMetricsServiceResponse whose
                    partial_success holds them and `error_message`; for another
                    status with `error_message`, a google.rpc.Status body with
                    that message. Answers 204.
  GET /requests     The recorded requests so far, in arrival order, as a JSON
                    array.
  GET /health       200.

A recorded request is a JSON object:

  {"path": "/v1/metrics",
   "headers": {"content-type": "application/x-protobuf", ...},
   "answered": 200,
   "request": {"resource_metrics": [...]}}

`headers` has the names lowercased (repeated headers joined with ", ");
`answered` is the status the request was answered with (a scripted 503 too,
so that a test sees the retries); `request` is the message as
`MessageToDict(message, preserving_proto_field_name=True)` renders it: the
proto3 JSON mapping with the .proto field names, so 64-bit integers (the
`*_unix_nano` times, `as_int`, `count`, `bucket_counts`) are strings, enum
values are their names (`"AGGREGATION_TEMPORALITY_CUMULATIVE"`), bytes are
base64, and a field at its default value (0, false, "", empty) is left out
unless it has presence (a oneof member such as `as_double: 0.0` is kept).

With --record-dir each recorded request is also appended to
DIR/requests.jsonl as one line, written before the request is answered: how
a client that does not speak TLS reads what an HTTPS receiver got.
"""

import argparse
import gzip
import json
import os
import ssl
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2

PROTOBUF = "application/x-protobuf"


class State:
    """What the receiver recorded and the responses scripted for it."""

    def __init__(self, record_file):
        self.lock = threading.Lock()
        self.recorded = []
        self.scripted = []
        self.record_file = record_file

    def script(self, response, times):
        with self.lock:
            self.scripted.extend([response] * times)

    def next_response(self):
        with self.lock:
            return self.scripted.pop(0) if self.scripted else None

    def record(self, entry):
        line = json.dumps(entry, separators=(",", ":")) + "\n"
        with self.lock:
            self.recorded.append(entry)
            if self.record_file is not None:
                with open(self.record_file, "a", encoding="utf-8") as f:
                    f.write(line)

    def all_recorded(self):
        with self.lock:
            return list(self.recorded)


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def rpc_status(message):
    """A google.rpc.Status with only its message (field 2) set."""
    data = message.encode("utf-8")
    return b"\x12" + varint(len(data)) + data


class BadRequest(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # An idle keep-alive connection is closed after this many seconds.
    timeout = 30

    def log_message(self, format, *args):
        sys.stderr.write("receiver: %s\n" % (format % args))

    def answer(self, status, body=b"", content_type=None, headers=()):
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def fail(self, status, message):
        self.log_message("%s %s: %d %s", self.command, self.path, status, message)
        self.answer(status, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def read_body(self):
        """The request's body, by its Content-Length or chunked."""
        try:
            return self.read_framed_body()
        except ValueError as e:
            self.close_connection = True
            raise BadRequest(400, "the body's framing is malformed: %s" % e)

    def read_framed_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    # Trailers, up to the empty line.
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(body)
                body += self.rfile.read(size)
                self.rfile.readline()
        length = self.headers.get("Content-Length")
        if length is None:
            self.close_connection = True
            raise BadRequest(411, "a Content-Length is required")
        return self.rfile.read(int(length))

    def do_GET(self):
        if self.path == "/health":
            self.answer(200, b"ok\n", "text/plain")
        elif self.path == "/requests":
            body = json.dumps(self.server.state.all_recorded()).encode("utf-8")
            self.answer(200, body, "application/json")
        else:
            self.fail(404, "no such endpoint")

    def do_POST(self):
        try:
            # Read the body whatever the answer: the connection stays usable.
            body = self.read_body()
            if self.path == "/v1/metrics":
                self.export(body)
            elif self.path == "/control":
                self.control(body)
            else:
                self.fail(404, "no such endpoint")
        except BadRequest as e:
            self.fail(e.status, e.message)

    def export(self, body):
        content_type = self.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower() != PROTOBUF:
            raise BadRequest(415, "Content-Type %r is not %s" % (content_type, PROTOBUF))
        encoding = self.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding == "gzip":
            try:
                body = gzip.decompress(body)
            except (OSError, EOFError, zlib.error) as e:
                raise BadRequest(400, "the gzip body does not decompress: %s" % e)
        elif encoding != "identity":
            raise BadRequest(415, "Content-Encoding %r is not supported" % encoding)
        message = metrics_service_pb2.ExportMetricsServiceRequest()
        try:
            message.ParseFromString(body)
        except DecodeError as e:
            raise BadRequest(400, "the body is not an ExportMetricsServiceRequest: %s" % e)

        scripted = self.server.state.next_response() or {}
        status = scripted.get("status", 200)
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = headers[name] + ", " + value if name in headers else value
        self.server.state.record(
            {
                "path": self.path,
                "headers": headers,
                "answered": status,
                "request": json_format.MessageToDict(message, preserving_proto_field_name=True),
            }
        )

        extra = []
        if "retry_after" in scripted:
            extra.append(("Retry-After", str(scripted["retry_after"])))
        if status == 200:
            response = metrics_service_pb2.ExportMetricsServiceResponse()
            if "rejected_data_points" in scripted:
                response.partial_success.rejected_data_points = int(scripted["rejected_data_points"])
                response.partial_success.error_message = scripted.get("error_message", "")
            self.answer(200, response.SerializeToString(), PROTOBUF, extra)
        elif "error_message" in scripted:
            self.answer(status, rpc_status(scripted["error_message"]), PROTOBUF, extra)
        else:
            self.answer(status, b"", None, extra)

    def control(self, body):
        try:
            script = json.loads(body)
        except ValueError as e:
            raise BadRequest(400, "the body is not JSON: %s" % e)
        if not isinstance(script, dict):
            raise BadRequest(400, "the body is not a JSON object")
        known = {"status", "retry_after", "rejected_data_points", "error_message", "times"}
        unknown = set(script) - known
        if unknown:
            raise BadRequest(400, "unknown fields: %s" % ", ".join(sorted(unknown)))
        times = script.pop("times", 1)
        if not isinstance(times, int) or times < 1:
            raise BadRequest(400, "times is not a positive integer")
        status = script.setdefault("status", 200)
        if not isinstance(status, int) or not 200 <= status <= 599:
            raise BadRequest(400, "status is not an HTTP status")
        self.server.state.script(script, times)
        self.answer(204)


class Server(ThreadingHTTPServer):
    """Each connection on a thread of its own; over TLS, its handshake too."""

    daemon_threads = True

    def __init__(self, address, state, tls):
        super().__init__(address, Handler)
        self.state = state
        self.tls = tls

    def finish_request(self, request, client_address):
        if self.tls is None:
            return super().finish_request(request, client_address)
        request.settimeout(Handler.timeout)
        try:
            stream = self.tls.wrap_socket(request, server_side=True)
        except OSError as e:  # ssl.SSLError is one.
            sys.stderr.write("receiver: TLS handshake with %s:%d failed: %s\n" % (client_address + (e,)))
            return
        try:
            super().finish_request(stream, client_address)
        finally:
            # close_notify, so that the client sees a clean end of the stream;
            # the client may close without answering it.
            try:
                stream.unwrap()
            except OSError:
                pass
            stream.close()


def main():
    parser = argparse.ArgumentParser(description="An OTLP/HTTP metrics receiver for the tests.")
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--record-dir")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--client-ca")
    args = parser.parse_args()
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    if args.client_ca is not None and args.tls_cert is None:
        parser.error("--client-ca needs --tls-cert and --tls-key")

    tls = None
    if args.tls_cert is not None:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
        if args.client_ca is not None:
            tls.load_verify_locations(args.client_ca)
            tls.verify_mode = ssl.CERT_REQUIRED

    record_file = None if args.record_dir is None else os.path.join(args.record_dir, "requests.jsonl")
    server = Server(("127.0.0.1", 0), State(record_file), tls)
    port = server.server_address[1]
    partial = args.port_file + ".partial"
    with open(partial, "w", encoding="ascii") as f:
        f.write("%d\n" % port)
    os.replace(partial, args.port_file)
    sys.stderr.write("receiver: listening on 127.0.0.1:%d (%s)\n" % (port, "https" if tls else "http"))
    server.serve_forever()


if __name__ == "__main__":
    main()
