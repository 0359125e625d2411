"""A server outside the build, for the grade tests: Python's standard library
only, a thread per connection, the head read to its blank line, then the
172 bytes whatever was asked. What it leaves out on purpose, and so the
rows it must be refused (threaded_server.row): no status codes (the page
for every request, however large or malformed), no --read-timeout, no
--max-connections, no handler for SIGTERM.

    python3 tests/grade/threaded_server.py --port 8585
"""
import argparse
import socket
import socketserver
import sys
from pathlib import Path

RESPONSE = (Path(__file__).resolve().parents[2] / "support" / "golden.http").read_bytes()


def port_number(text):
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port: {text} (expected 1 to 65535)")
    return port


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        self.request.sendall(RESPONSE)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    # Thousands of connections can arrive faster than threads start: a
    # short listen queue would turn them away, to be retried seconds later.
    request_queue_size = 1024


def main():
    parser = argparse.ArgumentParser(description="serves the 172 bytes on 127.0.0.1")
    parser.add_argument("--port", type=port_number, default=8585, help="the port to listen on (default 8585)")
    port = parser.parse_args().port
    try:
        server = Server(("127.0.0.1", port), Handler)
    except OSError as error:
        sys.exit(f"threaded_server.py: bind to port {port}: {error.strerror}")
    server.serve_forever()


if __name__ == "__main__":
    main()
