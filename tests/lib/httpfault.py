#!/usr/bin/env python3
"""httpfault.py - a fault-injecting HTTP/1.1 server on 127.0.0.1 for the
unit tests of src/lib/http.c.

    httpfault.py --log FILE [--port N] [--tls-cert PEM --tls-key PEM]

Listens on 127.0.0.1 (port 0: one the OS picks), prints the port and a
newline on stdout, then serves until killed (or until its parent goes);
with --tls-cert/--tls-key it speaks HTTPS with that certificate.
Every request is logged to FILE as one JSON line when it is finished:
{"n", "path", "method", "range", "if_range", "ua", "cookie", "accept",
"accept_language", "referer", "status", "bytes", "event", "peer"}: n is
the request's number among those with the same target, bytes the body
bytes actually sent, event one of null, "drop", "reset", "stall",
"client-gone", and peer the client's port (one per connection).

Routes:
  /data/NAME?n=N     N bytes, byte i = (i*31 + (i >> 11) + 7*seed) % 251,
                     with ETag, Last-Modified and Accept-Ranges; a Range
                     gives 206 (If-Range honoured), past the end 416
  /status/CODE       always CODE, a short text body
  /redirect?to=PATH  302 to PATH (on this server)
  /setcookie?name=N&value=V   200, sets the cookie
  /echo              200, the request headers as a JSON object

Faults, on any route, in this order by the request's number among the
requests with the same target (path and query, so each test picks its own
by adding e.g. id=NAME):
  f403=K          the first K get 403 with a Cloudflare challenge page
                  (cf-ray, cf-mitigated, "Just a moment..."); plain403=1
                  leaves the Cloudflare signs out
  f429=K&ra=S     the next K get 429 with Retry-After: S (ra=date:S: an
                  HTTP date S seconds ahead)
  f5xx=K&code=C   the next K get C (default 503), with Retry-After: S
                  when ra=S is given
  drop=K&at=B     the next K send the headers (full Content-Length) and B
                  body bytes, then close (rst=1: reset) the connection
  stall=K&at=B&sleep=T   the next K send B bytes, then nothing for T s
                  (default 60) or until the client goes away
  burst403=K      independently, the first K requests of each User-Agent
                  get the Cloudflare 403
Other parameters: noranges=1 ignores Range (always 200, no Accept-Ranges);
chunked=1 sends the body chunked, without Content-Length; vary=1 makes
the content and ETag of /data change with every request (seed = the
request's number).
"""

import argparse
import email.utils
import json
import os
import select
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CF_PAGE = (b"<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment..."
           b"</title><meta http-equiv=\"refresh\" content=\"390\"></head><body>"
           b"<div class=\"main-wrapper\"><noscript>Enable JavaScript and cookies "
           b"to continue</noscript></div><script src=\"/cdn-cgi/"
           b"challenge-platform/h/b/orchestrate/chl_page/v1\"></script>"
           b"</body></html>\n")

LOCK = threading.Lock()
COUNT = {}        # target -> requests seen
UA_COUNT = {}     # (target, user-agent) -> requests seen
SEQ = [0]
LOG = None


def content(a, b, seed):
    return bytes(((i * 31 + (i >> 11) + 7 * seed) % 251) for i in range(a, b))


def arg(q, name, default=None):
    v = q.get(name)
    return v[0] if v else default


def iarg(q, name, default=0):
    v = arg(q, name)
    return int(v) if v is not None else default


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "httpfault/1"

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    # -- helpers --------------------------------------------------------
    def note(self, status, sent, event=None):
        h = self.headers
        rec = {
            "n": self.n, "path": self.path, "method": self.command,
            "range": h.get("Range"), "if_range": h.get("If-Range"),
            "ua": h.get("User-Agent"), "cookie": h.get("Cookie"),
            "accept": h.get("Accept"),
            "accept_language": h.get("Accept-Language"),
            "referer": h.get("Referer"),
            "status": status, "bytes": sent, "event": event,
            "peer": self.client_address[1],
        }
        with LOCK:
            LOG.write(json.dumps(rec) + "\n")
            LOG.flush()

    def send(self, status, body, headers=(), length=None):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length",
                         str(len(body) if length is None else length))
        self.end_headers()
        return body

    def write_all(self, body):
        """Writes body; returns the bytes sent and whether the client went."""
        sent = 0
        try:
            for i in range(0, len(body), 16384):
                self.wfile.write(body[i:i + 16384])
                sent += len(body[i:i + 16384])
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return sent, True
        return sent, False

    def cf_403(self, plain):
        hdrs = [("Content-Type", "text/plain")]
        body = b"Forbidden\n"
        if not plain:
            hdrs = [("Content-Type", "text/html; charset=UTF-8"),
                    ("Server", "cloudflare"),
                    ("cf-ray", "8e5f2a1b3c4d5e6f-FRA"),
                    ("cf-mitigated", "challenge"),
                    ("Cache-Control", "private, max-age=0, no-store")]
            body = CF_PAGE
        self.send(403, body, hdrs)
        sent, gone = self.write_all(body)
        self.note(403, sent, "client-gone" if gone else None)

    # -- the request ----------------------------------------------------
    def do_GET(self):
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        ua = self.headers.get("User-Agent") or ""
        with LOCK:
            n = COUNT.get(self.path, 0)
            COUNT[self.path] = n + 1
            un = UA_COUNT.get((self.path, ua), 0)
            UA_COUNT[(self.path, ua)] = un + 1
            SEQ[0] += 1
        self.n = n

        # faults in their order
        k = n
        burst = iarg(q, "burst403")
        if un < burst:
            return self.cf_403(arg(q, "plain403") == "1")
        f = iarg(q, "f403")
        if k < f:
            return self.cf_403(arg(q, "plain403") == "1")
        k -= f
        f = iarg(q, "f429")
        if k < f:
            ra = arg(q, "ra", "1")
            if ra.startswith("date:"):
                ra = email.utils.formatdate(time.time() + int(ra[5:]),
                                            usegmt=True)
            body = self.send(429, b"slow down\n", [("Retry-After", ra),
                                                   ("Content-Type",
                                                    "text/plain")])
            sent, _ = self.write_all(body)
            return self.note(429, sent)
        k -= f
        f = iarg(q, "f5xx")
        if k < f:
            code = iarg(q, "code", 503)
            hdrs = [("Content-Type", "text/plain")]
            if arg(q, "ra") is not None:
                hdrs.append(("Retry-After", arg(q, "ra")))
            body = self.send(code, b"server trouble\n", hdrs)
            sent, _ = self.write_all(body)
            return self.note(code, sent)
        k -= f
        fault = None
        f = iarg(q, "drop")
        if k < f:
            fault = "drop"
        else:
            k -= f
            if k < iarg(q, "stall"):
                fault = "stall"

        route = u.path
        if route.startswith("/data/"):
            return self.data(q, fault, n)
        if route.startswith("/status/"):
            code = int(route[len("/status/"):])
            body = self.send(code, b"status %d\n" % code,
                             [("Content-Type", "text/plain")])
            sent, _ = self.write_all(body)
            return self.note(code, sent)
        if route == "/redirect":
            to = arg(q, "to", "/")
            body = self.send(302, b"moved\n", [("Location", to)])
            sent, _ = self.write_all(body)
            return self.note(302, sent)
        if route == "/setcookie":
            c = "%s=%s; Path=/" % (arg(q, "name", "k"), arg(q, "value", "v"))
            body = self.send(200, b"cookie set\n", [("Set-Cookie", c)])
            sent, _ = self.write_all(body)
            return self.note(200, sent)
        if route == "/echo":
            body = json.dumps(dict(self.headers.items())).encode() + b"\n"
            body = self.send(200, body, [("Content-Type",
                                          "application/json")])
            sent, _ = self.write_all(body)
            return self.note(200, sent)
        body = self.send(404, b"no such route\n")
        sent, _ = self.write_all(body)
        self.note(404, sent)

    def data(self, q, fault, n):
        size = iarg(q, "n", 1000)
        seed = n if arg(q, "vary") == "1" else 0
        etag = '"d-%d-%d"' % (size, seed)
        lastmod = email.utils.formatdate(1700000000 + seed, usegmt=True)
        ranges = arg(q, "noranges") != "1"
        chunked = arg(q, "chunked") == "1"
        status, a, b = 200, 0, size
        hdrs = [("Content-Type", "application/octet-stream"),
                ("ETag", etag), ("Last-Modified", lastmod)]
        if ranges:
            hdrs.append(("Accept-Ranges", "bytes"))
        rng = self.headers.get("Range")
        ifr = self.headers.get("If-Range")
        if ranges and rng and rng.startswith("bytes=") and \
                (ifr is None or ifr == etag or ifr == lastmod):
            first, _, last = rng[6:].partition("-")
            a = int(first)
            b = min(int(last) + 1, size) if last else size
            if a >= size:
                self.send(416, b"", [("Content-Range", "bytes */%d" % size)])
                return self.note(416, 0)
            status = 206
            hdrs.append(("Content-Range", "bytes %d-%d/%d" % (a, b - 1, size)))
        body = content(a, b, seed)

        self.send_response(status)
        for h in hdrs:
            self.send_header(*h)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        if fault:
            self.send_header("Connection", "close")
        self.end_headers()

        at = min(iarg(q, "at", len(body) // 2), len(body))
        if fault is None:
            if chunked:
                sent, gone = 0, False
                try:
                    for i in range(0, len(body), 4096):
                        part = body[i:i + 4096]
                        self.wfile.write(b"%x\r\n" % len(part) + part + b"\r\n")
                        sent += len(part)
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    gone = True
                    self.close_connection = True
            else:
                sent, gone = self.write_all(body)
            return self.note(status, sent, "client-gone" if gone else None)

        self.close_connection = True
        if chunked:
            part = body[:at]
            try:
                self.wfile.write(b"%x\r\n" % len(part) + part + b"\r\n")
                self.wfile.flush()
                sent, gone = len(part), False
            except (BrokenPipeError, ConnectionResetError):
                sent, gone = 0, True
        else:
            sent, gone = self.write_all(body[:at])
        if gone:
            return self.note(status, sent, "client-gone")
        sock = self.connection
        if fault == "drop":
            event = "drop"
            if arg(q, "rst") == "1":
                event = "reset"
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
                sock.close()    # now, before the framework's shutdown()
            else:
                try:
                    sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            self.note(status, sent, event)
            return
        # stall: silence until the client gives up (it closes: readable)
        end = time.time() + float(arg(q, "sleep", "60"))
        while time.time() < end:
            r, _, _ = select.select([sock], [], [], 0.05)
            if r:
                try:
                    if not sock.recv(1, socket.MSG_PEEK):
                        break
                except OSError:
                    break
        self.note(status, sent, "stall")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # clients that reset or vanish are part of the game here
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def watch_parent(ppid):
    while True:
        time.sleep(0.5)
        if os.getppid() != ppid:
            os._exit(0)


def main():
    global LOG
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    a = ap.parse_args()
    LOG = open(a.log, "a", encoding="utf-8")
    srv = Server(("127.0.0.1", a.port), Handler)
    if a.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=watch_parent, args=(os.getppid(),),
                     daemon=True).start()
    sys.stdout.write("%d\n" % srv.server_address[1])
    sys.stdout.flush()
    srv.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main()
