#!/usr/bin/env python3
"""A loopback HTTP(S) server with the behaviours the HTTP client must handle.

  httpd.py DIR [--tls CERT KEY] [--token TOKEN]    prints "PORT n" once listening on 127.0.0.1

  /files/NAME     DIR/NAME with an ETag; If-None-Match → 304; Range: bytes=N- → 206
  /cut/NAME       promises all of DIR/NAME, sends half, closes the connection (honours Range)
  /endless        an endless body
  /stall          headers, then silence
  /auth           200 only with "Authorization: Bearer TOKEN", else 401
  /status/NNN     that status
  /echo           POST/PUT: the request body back, with the method in X-Method
"""
import hashlib
import http.server
import os
import ssl
import sys
import time

root = sys.argv[1]
args = sys.argv[2:]
tls = args[args.index("--tls") + 1:args.index("--tls") + 3] if "--tls" in args else None
token = args[args.index("--token") + 1] if "--token" in args else "secret"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_body(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def file(self, name):
        path = os.path.join(root, os.path.basename(name))
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def do_GET(self):
        if self.path.startswith("/files/") or self.path.startswith("/cut/"):
            cut = self.path.startswith("/cut/")
            data = self.file(self.path.split("/", 2)[2])
            if data is None:
                return self.send_body(404, b"not found")
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            start, status = 0, 200
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes=") and rng.endswith("-"):
                start, status = int(rng[6:-1]), 206
            part = data[start:]
            self.send_response(status)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(part)))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            if cut:
                self.wfile.write(part[: len(part) // 2])
                self.wfile.flush()
                self.connection.shutdown(2)
                self.close_connection = True
                return
            self.wfile.write(part)
        elif self.path == "/endless":
            self.send_response(200)
            self.send_header("Content-Length", str(1 << 40))
            self.end_headers()
            chunk = b"x" * 65536
            try:
                while True:
                    self.wfile.write(chunk)
            except OSError:
                pass
        elif self.path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.flush()
            time.sleep(60)
        elif self.path == "/auth":
            if self.headers.get("Authorization") == f"Bearer {token}":
                self.send_body(200, b"welcome")
            else:
                self.send_body(401, b"who are you", [("WWW-Authenticate", "Bearer")])
        elif self.path.startswith("/status/"):
            self.send_body(int(self.path.split("/")[2]), b"status body")
        else:
            self.send_body(404, b"not found")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_body(200, body, [("X-Method", self.command), ("Content-Type", self.headers.get("Content-Type", ""))])

    do_PUT = do_POST


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


httpd = Server(("127.0.0.1", 0), Handler)
if tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls[0], tls[1])
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
print(f"PORT {httpd.server_address[1]}", flush=True)
httpd.serve_forever()
