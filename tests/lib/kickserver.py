#!/usr/bin/env python3
"""kickserver.py - the one local server of kc's network tests.

Serves HLS directories (made by tests/lib/hls.sh) and a Kick-like API on
127.0.0.1 only, with fault injection (Cloudflare-like 403s, per-User-Agent
bursts, 429, 503, dropped and stalled bodies, permanent 404s, required
cookies), a live mode that serves a VOD directory as a sliding-window
live playlist in real time, Kick's chat replay of kc chat logs, and a
Pusher-protocol WebSocket (/app/KEY) that sends a live channel's chat as
its stream time airs.  Python 3 standard library only.

    kickserver.py --root DIR --log log.jsonl &      # prints PORT when ready
    kickserver.py --config cfg.json --port-file p --log log.jsonl &

Every request is logged as one JSON line (--log).  All random choices are
hashes of --seed, the rule, the path and how often that path was asked for,
so a run is reproducible whatever the thread interleaving.  SIGTERM or
SIGINT stops it (exit 0).  See tests/lib/README.md for the config file,
the API shapes and the log fields.
"""
import argparse
import base64
import datetime
import hashlib
import json
import os
import re
import select
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CTYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".mp4": "video/mp4",
    ".m4s": "video/iso.segment",
    ".aac": "audio/aac",
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".tsv": "text/tab-separated-values",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".vtt": "text/vtt",
}

CF_BODY = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>\
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\
<meta http-equiv="X-UA-Compatible" content="IE=Edge"><meta name="robots" content="noindex,nofollow">\
<meta name="viewport" content="width=device-width,initial-scale=1">\
<link href="/cdn-cgi/styles/challenges.css" rel="stylesheet"></head>\
<body class="no-js"><div class="main-wrapper" role="main"><div class="main-content">\
<noscript><div id="challenge-error-title"><div class="h2"><span id="challenge-error-text">\
Enable JavaScript and cookies to continue</span></div></div></noscript>\
<h1 class="zone-name-title h1">kick.com</h1>\
<h2 class="h2" id="challenge-running">Checking if the site connection is secure</h2>\
</div></div><script>(function(){window._cf_chl_opt={cvId: '3',cZone: "kick.com",\
cType: 'managed',cNounce: '%(nonce)s',cRay: '%(ray)s',cHash: '%(hash)s',\
cUPMDTk: "\\/?__cf_chl_tk=%(hash)s"};}());</script>\
<div class="footer" role="contentinfo"><div class="footer-inner"><div class="clearfix diagnostic-wrapper">\
<div class="ray-id">Ray ID: <code>%(ray)s</code></div></div>\
<div class="text-center" id="footer-text">Performance &amp; security by Cloudflare</div></div></div>\
</body></html>
"""
RATE_BODY = "error code: 1015"
NOSUCHKEY = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
             '<Message>The specified key does not exist.</Message><Key>%s</Key></Error>\n')

STOP = threading.Event()


def chance(*parts):
    """A reproducible number in [0, 1) from the parts."""
    h = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2.0 ** 64


def num_id(*parts, lo=1000, hi=9999999):
    return lo + int(chance("id", *parts) * (hi - lo))


def hexid(n, *parts):
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:n]


def uuid_like(*parts):
    """A stable string shaped like a version 4 UUID, from the parts."""
    return "%s-%s-4%s-a%s-%s" % (hexid(8, *parts, "a"), hexid(4, *parts, "b"),
                                  hexid(3, *parts, "c"), hexid(3, *parts, "d"),
                                  hexid(12, *parts, "e"))


def kick_time(t):
    """Kick's "2026-03-01 18:00:00" (UTC)."""
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def iso_us(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


def iso_ms(t):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def parse_time(s):
    s = s.strip().replace(" ", "T")
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    d = datetime.datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d.timestamp()


def slugify(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")[:60]


# ---------------------------------------------------------------- playlists

def parse_media_playlist(path):
    """[(uri, dur, t0)], target duration of a media playlist file."""
    segs, dur, t, target = [], None, 0.0, 0
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if line.startswith("#EXT-X-TARGETDURATION:"):
                target = int(float(line.split(":", 1)[1]))
            elif line.startswith("#EXTINF:"):
                dur = float(line[8:].split(",")[0])
            elif line and not line.startswith("#"):
                if dur is None:
                    raise ValueError("%s: segment %s without #EXTINF" % (path, line))
                segs.append((line, dur, t))
                t += dur
                dur = None
    return segs, target or int(max((s[1] for s in segs), default=2) + 0.999)


def is_media_playlist(path):
    with open(path) as fh:
        return "#EXTINF:" in fh.read(65536)


def playlist_duration(d):
    """Duration of an HLS directory: from hls.json or the first media playlist."""
    info = os.path.join(d, "hls.json")
    if os.path.exists(info):
        with open(info) as fh:
            j = json.load(fh)
        return float(j["duration"]), j.get("pdt")
    for root, _, files in sorted(os.walk(d)):
        for f in sorted(files):
            if f.endswith(".m3u8") and is_media_playlist(os.path.join(root, f)):
                segs, _ = parse_media_playlist(os.path.join(root, f))
                return sum(s[1] for s in segs), None
    return 0.0, None


class Live:
    """A directory of complete playlists served as a sliding live window."""

    def __init__(self, prefix, d, window=6, speed=1.0, offset=0.0, start="first",
                 discontinuity=(), freeze=(), gone=None):
        self.prefix, self.dir = prefix, d
        self.window, self.speed, self.offset = int(window), float(speed), float(offset)
        if self.window < 1 or self.speed <= 0 or self.offset < 0:
            raise ValueError("live %s: window >= 1, speed > 0, offset >= 0" % prefix)
        if start not in ("first", "server"):
            raise ValueError("live %s: start is 'first' or 'server'" % prefix)
        self.t0 = time.time() if start == "server" else None
        self.discontinuity = set(int(i) for i in discontinuity)
        self.freeze = [(float(a), float(b)) for a, b in freeze]
        # the end of a broadcast without ENDLIST (IVS): from stream time
        # `gone` on every path under the mount is a 404
        self.gone = None if gone is None else float(gone)
        self.fail = 0           # /_kc/live?fail=CODE: every path answers CODE
        self.hold = None        # /_kc/live?freeze=1: aired time held here
        self.lock = threading.Lock()
        self.playlists = {}     # relpath -> (segs, target)
        self.segments = {}      # relpath -> (playlist relpath, index)
        for root, _, files in os.walk(d, followlinks=True):
            for f in files:
                full = os.path.join(root, f)
                if not f.endswith(".m3u8") or not is_media_playlist(full):
                    continue
                rel = os.path.relpath(full, d)
                segs, target = parse_media_playlist(full)
                self.playlists[rel] = (segs, target)
                base = os.path.dirname(rel)
                for i, (uri, _, _) in enumerate(segs):
                    if "://" not in uri:
                        self.segments[os.path.normpath(os.path.join(base, uri.split("?")[0]))] = (rel, i)
        if not self.playlists:
            raise ValueError("live %s: no media playlist in %s" % (prefix, d))
        self.duration = max(sum(s[1] for s in segs) for segs, _ in self.playlists.values())

    def touch(self):
        with self.lock:
            if self.t0 is None:
                self.t0 = time.time()

    def elapsed(self, now=None):
        """Stream seconds that have aired."""
        if self.t0 is None:
            return self.offset
        if self.hold is not None:
            return self.hold
        e = ((now or time.time()) - self.t0) * self.speed + self.offset
        for a, b in self.freeze:
            if a <= e < b:
                return a
        return e

    def aired_time(self, now=None):
        """Stream seconds aired, up to the end of the broadcast (its last
        segment, or `gone`): when chat said at stream time t is sent."""
        end = self.duration if self.gone is None else min(self.duration, self.gone)
        return min(self.elapsed(now), end)

    def pdt(self, t):
        """PROGRAM-DATE-TIME (epoch s) of stream time t: the clock start
        minus the offset, plus t (so it keeps step with EXTINF; faster than
        the wall clock at speed > 1)."""
        return (self.t0 if self.t0 is not None else time.time()) - self.offset + t

    def aired(self, rel, now=None):
        """How many segments of playlist rel are available (at least 1)."""
        segs = self.playlists[rel][0]
        e = self.elapsed(now) + 1e-6
        n = 0
        for _, dur, t in segs:
            if t + dur <= e:
                n += 1
            else:
                break
        return max(1, n)

    def ended(self, now=None):
        return all(self.aired(rel, now) >= len(p[0]) for rel, p in self.playlists.items())

    def failing(self, now=None):
        """The status every path under the mount answers now, or 0."""
        if self.fail:
            return self.fail
        if self.gone is not None and self.t0 is not None and self.elapsed(now) >= self.gone:
            return 404
        return 0

    def control(self, q):
        """/_kc/live?prefix=P&fail=CODE|0&freeze=1|0"""
        with self.lock:
            if "fail" in q:
                code = int(q["fail"][-1])
                if code != 0 and not 400 <= code <= 599:
                    raise ValueError("fail: 0 or an HTTP error status")
                self.fail = code
            if "freeze" in q:
                if q["freeze"][-1] == "1":
                    if self.hold is None:
                        self.hold = self.elapsed()
                else:
                    self.hold = None

    def render(self, rel, now=None):
        segs, target = self.playlists[rel]
        n = self.aired(rel, now)
        first = max(0, n - self.window)
        base = self.pdt(0)
        out = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:%d" % target,
               "#EXT-X-MEDIA-SEQUENCE:%d" % first]
        if self.discontinuity:
            out.append("#EXT-X-DISCONTINUITY-SEQUENCE:%d"
                       % sum(1 for i in self.discontinuity if 0 < i <= first))
        for i in range(first, n):
            uri, dur, t = segs[i]
            if i in self.discontinuity and i > first:
                out.append("#EXT-X-DISCONTINUITY")
            out.append("#EXT-X-PROGRAM-DATE-TIME:" + iso_ms(base + t))
            out.append("#EXTINF:%.3f," % dur)
            out.append(uri)
        if n >= len(segs):
            out.append("#EXT-X-ENDLIST")
        return "\n".join(out) + "\n"

    def state(self):
        rel = sorted(self.playlists)[0]
        return {"prefix": self.prefix, "dir": self.dir, "started": self.t0,
                "elapsed": round(self.elapsed(), 3), "aired": self.aired(rel),
                "segments": len(self.playlists[rel][0]), "window": self.window,
                "speed": self.speed, "ended": self.ended(), "failing": self.failing(),
                "frozen": self.hold is not None}


# ---------------------------------------------------------------- faults

class Rule:
    KEYS = {"prefix", "match", "p403", "block", "burst", "burst_every", "p429", "retry_after",
            "p503", "pdrop", "drop_rst", "pstall", "stall", "stall_close", "missing",
            "cookie", "set_cookie", "rate", "hold"}

    def __init__(self, d, idx):
        bad = set(d) - self.KEYS
        if bad:
            raise ValueError("fault rule %d: unknown keys %s" % (idx, ", ".join(sorted(bad))))
        self.idx = idx
        self.prefix = d.get("prefix", "/")
        self.match = re.compile(d["match"]) if d.get("match") else None
        self.p403 = float(d.get("p403", 0))
        self.block = int(d.get("block", 0))
        self.burst = int(d.get("burst", 0))
        self.burst_every = int(d.get("burst_every", 0))
        self.p429 = float(d.get("p429", 0))
        self.retry_after = d.get("retry_after", 1)
        self.p503 = float(d.get("p503", 0))
        self.pdrop = float(d.get("pdrop", 0))
        self.drop_rst = bool(d.get("drop_rst", False))
        self.pstall = float(d.get("pstall", 0))
        self.stall = float(d.get("stall", 5))
        self.stall_close = bool(d.get("stall_close", False))
        self.missing = list(d.get("missing", []))
        c = d.get("cookie")
        self.cookie = [p.strip() for p in c.split(";") if p.strip()] if c else []
        self.set_cookie = d.get("set_cookie")
        self.rate = float(d.get("rate", 0))
        # a matching request waits until this file exists: a test holds
        # back part of the media until it has done what it must do first
        self.hold = d.get("hold")

    def matches(self, path):
        return path.startswith(self.prefix) and (self.match is None or self.match.search(path))

    def is_missing(self, path):
        return any(path == m or path.endswith("/" + m.lstrip("/")) for m in self.missing)


# ---------------------------------------------------------------- config

class Channel:
    def __init__(self, slug, d, server):
        self.slug = slug
        self.id = int(d.get("id", num_id("channel", slug)))
        self.user_id = int(d.get("user_id", num_id("user", slug)))
        self.username = d.get("username", slug.capitalize())
        self.bio = d.get("bio", "Test channel %s for kc." % slug)
        self.category = d.get("category", "Just Chatting")
        self.live = None
        self.live_title = None
        self.live_token = None
        self.live_chat = []     # said at the live's stream time t, sorted by t
        if d.get("live"):
            lv = d["live"]
            if isinstance(lv, str):
                lv = {"dir": lv}
            prefix = lv.get("prefix", "/live/" + slug)
            self.live = server.add_live(prefix, lv)
            self.live_title = lv.get("title", "%s live: testing kc" % self.username)
            self.live_token = lv.get("token", "kc." + hexid(40, "token", slug))
            self.live_id = int(lv.get("id", num_id("livestream", slug)))
            if lv.get("chat"):
                self.live_chat = load_chat(server.path(lv["chat"]), slug, "live")
        self.offline_url = "/live/%s/master.m3u8" % slug
        self.videos = []
        for i, v in enumerate(d.get("videos", [])):
            self.videos.append(Video(self, i, v, server))
        # the videos' chat at video start + t: (ms since the epoch, message)
        self.vod_chat = sorted(((round((v.start + m["t"]) * 1000), m)
                                for v in self.videos for m in v.chat), key=lambda x: x[0])


class Video:
    def __init__(self, ch, i, d, server):
        self.channel = ch
        self.uuid = d.get("uuid") or uuid_like(ch.slug, i)
        self.dir = server.path(d["dir"])
        self.prefix = d.get("prefix", "/vod/" + self.uuid)
        server.add_mount(self.prefix, self.dir)
        dur, pdt = playlist_duration(self.dir)
        self.duration_ms = int(d.get("duration", round(dur * 1000)))
        st = d.get("start_time") or pdt or "2026-03-01T18:00:00Z"
        self.start = parse_time(st)
        self.title = d.get("title", "%s stream %d" % (ch.username, i + 1))
        self.id = int(d.get("id", num_id("video", self.uuid)))
        self.live_stream_id = int(d.get("live_stream_id", num_id("ls", self.uuid)))
        self.v1 = d.get("v1")
        self.views = int(d.get("views", num_id("views", self.uuid, lo=10, hi=50000)))
        self.chat = load_chat(server.path(d["chat"]), ch.slug, "video", i) if d.get("chat") else []
        server.videos[self.uuid] = self


class Server:
    def __init__(self, args):
        self.base_dir = os.getcwd()
        self.mounts = []          # (prefix, dir, Live or None)
        self.lives = []
        self.channels = {}
        self.videos = {}
        self.rules = []
        self.seed = args.seed
        self.latency = args.latency / 1000.0
        self.api_base = "/"
        self.v1_default = args.v1_videos
        self.live_defaults = {"window": args.window, "speed": args.speed,
                              "offset": args.live_offset, "start": args.live_start}
        self.port = 0
        self.lock = threading.Lock()
        self.path_count = {}
        self.ua_count = {}
        self.ua_block = {}
        self.conn_seq = 0
        self.nreq = 0
        self.ws_seq = 0         # WebSocket upgrade requests so far
        self.ws_drops = 0       # WebSockets given a ws_drop_after deadline
        self.ws_open = 0        # WebSocket sessions running or not logged yet
        self.ws_idle = threading.Condition(self.lock)
        self.log = None
        cfg = {}
        if args.config:
            with open(args.config) as fh:
                cfg = json.load(fh)
            self.base_dir = os.path.dirname(os.path.abspath(args.config))
            known = {"seed", "api_base", "root", "mounts", "live", "channels", "faults",
                     "v1_videos", "defaults", "pusher_key", "ws_refuse", "ws_drop_after",
                     "ws_drop_every"}
            bad = set(cfg) - known
            if bad:
                raise ValueError("config: unknown keys %s" % ", ".join(sorted(bad)))
            if args.seed_given is None and "seed" in cfg:
                self.seed = cfg["seed"]
            self.v1_default = self.v1_default or bool(cfg.get("v1_videos", False))
            self.live_defaults.update(cfg.get("defaults", {}))
        self.pusher_key = str(cfg.get("pusher_key", PUSHER_KEY))
        self.ws_refuse = int(cfg.get("ws_refuse", 0))
        drop = cfg.get("ws_drop_after")
        self.ws_drop_after = None if drop is None else float(drop)
        self.ws_drop_every = bool(cfg.get("ws_drop_every", False))
        if self.ws_refuse < 0 or (self.ws_drop_after is not None and self.ws_drop_after < 0):
            raise ValueError("config: ws_refuse and ws_drop_after are 0 or more")
        self.api_base = "/" + (args.api_base or cfg.get("api_base", "/")).strip("/")
        if self.api_base != "/":
            self.api_base += "/"
        for spec in args.mount:
            p, d = self.split_spec(spec, "--mount")
            self.add_mount(p, d)
        for spec in args.live:
            p, d = self.split_spec(spec, "--live")
            self.add_live(p, {"dir": d})
        for p, d in cfg.get("mounts", {}).items():
            self.add_mount(p, d)
        for p, d in cfg.get("live", {}).items():
            self.add_live(p, d if isinstance(d, dict) else {"dir": d})
        for slug, d in cfg.get("channels", {}).items():
            self.channels[slug] = Channel(slug, d, self)
        root = args.root or cfg.get("root")
        if root:
            self.add_mount("/", root)
        for i, r in enumerate(cfg.get("faults", [])):
            self.rules.append(Rule(r, i))
        cli = {}
        for k in ("p403", "block", "burst", "burst_every", "p429", "retry_after", "p503", "pdrop",
                  "pstall", "stall", "rate"):
            v = getattr(args, k)
            if v is not None:
                cli[k] = v
        if args.drop_rst:
            cli["drop_rst"] = True
        if args.stall_close:
            cli["stall_close"] = True
        if args.missing:
            cli["missing"] = args.missing
        if args.require_cookie:
            cli["cookie"] = args.require_cookie
        if args.set_cookie:
            cli["set_cookie"] = args.set_cookie
        if args.hold:
            cli["hold"] = args.hold
        if cli:
            cli["prefix"] = args.fault_prefix
            if args.fault_match:
                cli["match"] = args.fault_match
            self.rules.append(Rule(cli, len(self.rules)))
        self.mounts.sort(key=lambda m: len(m[0]), reverse=True)
        if args.log:
            self.log = open(args.log, "a", buffering=1)

    def path(self, d):
        return os.path.normpath(os.path.join(self.base_dir, os.path.expanduser(d)))

    @staticmethod
    def split_spec(spec, opt):
        if "=" not in spec:
            raise ValueError("%s wants PREFIX=DIR, not %r" % (opt, spec))
        p, d = spec.split("=", 1)
        return p, d

    @staticmethod
    def norm_prefix(p):
        return "/" + p.strip("/")

    def add_mount(self, prefix, d, live=None):
        prefix = self.norm_prefix(prefix)
        d = self.path(d)
        if not os.path.isdir(d):
            raise ValueError("%s: no such directory (for %s)" % (d, prefix))
        for m in self.mounts:
            if m[0] == prefix:
                if m[1] != d or m[2] is not live:
                    raise ValueError("%s is mounted twice" % prefix)
                return
        self.mounts.append((prefix, d, live))

    def add_live(self, prefix, d):
        prefix = self.norm_prefix(prefix)
        for m in self.mounts:
            if m[0] == prefix and m[2] is not None:
                return m[2]
        o = dict(self.live_defaults)
        o.update({k: v for k, v in d.items()
                  if k not in ("dir", "title", "token", "id", "prefix", "chat")})
        lv = Live(prefix, self.path(d["dir"]), **o)
        self.add_mount(prefix, lv.dir, lv)
        self.lives.append(lv)
        return lv

    def resolve(self, path):
        """(mount prefix, dir, live, relpath) for a URL path, or None."""
        for prefix, d, live in self.mounts:
            if prefix == "/" or path == prefix or path.startswith(prefix + "/"):
                rel = path[len(prefix):].lstrip("/") if prefix != "/" else path.lstrip("/")
                parts = rel.split("/")
                if any(p in ("..", ".") for p in parts):
                    return None
                return prefix, d, live, rel
        return None

    def channel_by_id(self, cid):
        return next((ch for ch in self.channels.values() if ch.id == cid), None)

    def next_ws(self):
        """The number of this WebSocket upgrade request, from 0."""
        with self.lock:
            self.ws_seq += 1
            return self.ws_seq - 1

    def ws_count(self, d):
        """A WebSocket session starts (+1), or has ended and is logged (-1)."""
        with self.lock:
            self.ws_open += d
            self.ws_idle.notify_all()

    def ws_drop_due(self):
        """Is a WebSocket subscribing for the first time now to be dropped
        ws_drop_after seconds later (the first such only, unless ws_drop_every)?"""
        with self.lock:
            if self.ws_drop_after is None or (self.ws_drops and not self.ws_drop_every):
                return False
            self.ws_drops += 1
            return True

    def next_conn(self):
        with self.lock:
            self.conn_seq += 1
            return self.conn_seq

    def count_path(self, path):
        with self.lock:
            k = self.path_count.get(path, 0)
            self.path_count[path] = k + 1
            self.nreq += 1
            return k

    def blocked(self, rule, ua, start=False):
        """Is ua blocked by rule now (a request of it spends one)?  start:
        block it for rule.block more requests."""
        with self.lock:
            key = (rule.idx, ua)
            if start:
                self.ua_block[key] = rule.block
                return True
            left = self.ua_block.get(key, 0)
            if left > 0:
                self.ua_block[key] = left - 1
            return left > 0

    def count_ua(self, rule, ua):
        with self.lock:
            key = (rule.idx, ua)
            k = self.ua_count.get(key, 0)
            self.ua_count[key] = k + 1
            return k

    def write_log(self, entry):
        if self.log:
            line = json.dumps(entry, separators=(",", ":")) + "\n"
            with self.lock:
                self.log.write(line)
                self.log.flush()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)


# ---------------------------------------------------------------- Kick API

CATEGORY = {"id": 15, "category_id": 2, "name": "Just Chatting", "slug": "just-chatting",
            "tags": ["IRL", "Chatting"], "description": None, "deleted_at": None,
            "viewers": 1234, "category": {"id": 2, "name": "IRL", "slug": "irl", "icon": "\U0001f3a4"}}


def category(name):
    c = json.loads(json.dumps(CATEGORY))
    c["name"], c["slug"] = name, slugify(name)
    return c


def user_json(S, ch):
    return {"id": ch.user_id, "username": ch.username, "agreed_to_terms": True,
            "email_verified_at": "2024-01-15T10:00:00.000000Z", "bio": ch.bio,
            "country": None, "state": None, "city": None, "instagram": "", "twitter": "",
            "youtube": "", "discord": "", "tiktok": "", "facebook": "",
            "profile_pic": S.url("/images/user/%d/profile_image/conversion/pic-fullsize.webp" % ch.user_id)}


def livestream_json(S, ch):
    """The channel's livestream object, or None when offline / ended."""
    lv = ch.live
    if lv is None or (lv.t0 is not None and lv.ended()):
        return None
    start = lv.t0 if lv.t0 is not None else S.started
    start -= lv.offset
    return {"id": ch.live_id, "slug": "%s-%s" % (hexid(5, ch.slug, "ls"), slugify(ch.live_title)),
            "channel_id": ch.id, "created_at": kick_time(start),
            "session_title": ch.live_title, "is_live": True, "risk_level_id": None,
            "start_time": kick_time(start), "source": None, "twitch_channel": None,
            "duration": 0, "language": "English", "is_mature": False, "viewer_count": 4321,
            "thumbnail": {"url": S.url("/images/livestream/%d/thumb.jpg" % ch.live_id)},
            "categories": [category(ch.category)], "tags": []}


def playback_url(S, ch):
    if ch.live is None:
        return S.url(ch.offline_url)
    q = "?token=" + urllib.parse.quote(ch.live_token) if ch.live_token else ""
    return S.url(ch.live.prefix + "/master.m3u8" + q)


def channel_json(S, ch):
    return {"id": ch.id, "user_id": ch.user_id, "slug": ch.slug, "is_banned": False,
            "playback_url": playback_url(S, ch), "name_updated_at": None,
            "vod_enabled": True, "subscription_enabled": True, "is_affiliate": False,
            "followers_count": num_id("followers", ch.slug, lo=100, hi=500000),
            "following": False, "subscription": None, "subscriber_badges": [],
            "banner_image": None, "livestream": livestream_json(S, ch), "role": None,
            "muted": False, "follower_badges": [], "offline_banner_image": None,
            "verified": False, "recent_categories": [category(ch.category)],
            "can_host": False, "user": user_json(S, ch),
            "chatroom": {"id": ch.id, "chatable_type": "App\\Models\\Channel",
                         "channel_id": ch.id, "created_at": "2024-01-15T10:00:00.000000Z",
                         "updated_at": "2024-01-15T10:00:00.000000Z",
                         "chat_mode_old": "public", "chat_mode": "public",
                         "slow_mode": False, "chatable_id": ch.id, "followers_mode": False,
                         "subscribers_mode": False, "emotes_mode": False,
                         "message_interval": 0, "following_min_duration": 0}}


def livestream_data(S, ch):
    ls = livestream_json(S, ch)
    if ls is None:
        return {"data": None}
    return {"data": {"id": ls["id"], "slug": ls["slug"], "session_title": ls["session_title"],
                     "created_at": iso_ms(parse_time(ls["created_at"])).replace(".000Z", "Z"),
                     "language": "English", "is_mature": False, "viewers": ls["viewer_count"],
                     "category": {"id": 15, "name": ch.category, "slug": slugify(ch.category),
                                  "tags": ["IRL"], "parent_category": {"id": 2, "slug": "irl"}},
                     "playback_url": playback_url(S, ch),
                     "thumbnail": {"src": ls["thumbnail"]["url"], "srcset": ls["thumbnail"]["url"] + " 1x"}}}


def video_obj(S, v):
    t = iso_us(v.start + v.duration_ms / 1000.0)
    return {"id": v.id, "live_stream_id": v.live_stream_id, "slug": None, "thumb": None,
            "s3": None, "trading_platform_id": None, "created_at": t, "updated_at": t,
            "uuid": v.uuid, "views": v.views, "deleted_at": None, "is_pruned": False,
            "is_private": False, "status": "COMPLETED"}


def vod_livestream(S, v):
    thumb = S.url("/images/video_thumbnails/%s/thumb.webp" % v.uuid)
    return {"id": v.live_stream_id,
            "slug": "%s-%s" % (hexid(5, v.uuid), slugify(v.title)),
            "channel_id": v.channel.id, "created_at": kick_time(v.start),
            "session_title": v.title, "is_live": False, "risk_level_id": None,
            "start_time": kick_time(v.start), "source": S.url(v.prefix + "/master.m3u8"),
            "twitch_channel": None, "duration": v.duration_ms, "language": "English",
            "is_mature": False, "viewer_count": 0, "thumbnail": {"src": thumb, "srcset": thumb + " 1x"},
            "views": v.views, "tags": [], "categories": [category(v.channel.category)]}


def videos_json(S, ch):
    out = []
    for v in ch.videos:
        o = vod_livestream(S, v)
        o["video"] = video_obj(S, v)
        out.append(o)
    return out


def video_v1_json(S, v):
    o = video_obj(S, v)
    o["source"] = S.url(v.prefix + "/master.m3u8")
    ls = vod_livestream(S, v)
    ls["thumbnail"] = ls["thumbnail"]["src"]
    ch = v.channel
    ls["channel"] = {"id": ch.id, "user_id": ch.user_id, "slug": ch.slug, "is_banned": False,
                     "playback_url": playback_url(S, ch), "vod_enabled": True,
                     "subscription_enabled": True, "followers_count": num_id(
                         "followers", ch.slug, lo=100, hi=500000),
                     "user": user_json(S, ch), "can_host": False, "verified": False}
    o["livestream"] = ls
    return o


def api(S, rel, query):
    """(status, json) for an API path relative to the API base, or None."""
    m = re.fullmatch(r"api/v2/channels/(\d+)/messages", rel)
    if m:
        ch = S.channel_by_id(int(m.group(1)))
        return chat_history(ch, query) if ch else (404, {"message": "Channel not found"})
    m = re.fullmatch(r"api/v[12]/channels/([^/]+)", rel)
    if m:
        ch = S.channels.get(m.group(1).lower()) or S.channels.get(m.group(1))
        return (200, channel_json(S, ch)) if ch else (404, {"message": "Channel not found"})
    m = re.fullmatch(r"api/v2/channels/([^/]+)/livestream", rel)
    if m:
        ch = S.channels.get(m.group(1))
        return (200, livestream_data(S, ch)) if ch else (404, {"message": "Channel not found"})
    m = re.fullmatch(r"api/v2/channels/([^/]+)/videos", rel)
    if m:
        ch = S.channels.get(m.group(1))
        return (200, videos_json(S, ch)) if ch else (404, {"message": "Channel not found"})
    m = re.fullmatch(r"api/v1/video/([^/]+)", rel)
    if m:
        v = S.videos.get(m.group(1))
        on = v is not None and (v.v1 if v.v1 is not None else S.v1_default)
        return (200, video_v1_json(S, v)) if on else (404, {"message": "Not Found"})
    if rel.startswith("api/"):
        return 404, {"message": "Not Found"}
    return None


# ---------------------------------------------------------------- chat

CHAT_COLORS = ("#8A2BE2", "#FF69B4", "#1E90FF", "#00FF7F", "#DAA520", "#FF4500")
CHAT_PAGE = 50              # messages per chat history answer, at most
CHAT_SPAN = 5000            # ms of chat per history answer


def load_chat(path, *id_parts):
    """A kc chat log (JSON Lines {"t", "user", "text", "type"}) as messages
    sorted by t; each gets a stable id from id_parts and its line number."""
    msgs = []
    with open(path) as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                m = json.loads(line)
                msgs.append({"t": float(m["t"]), "user": str(m["user"]),
                             "text": str(m.get("text") or ""),
                             "type": str(m.get("type") or "message"),
                             "id": uuid_like("chat", *id_parts, n)})
            except (ValueError, KeyError, TypeError) as e:
                raise ValueError("%s:%d: not a chat message (%s)" % (path, n, e))
    msgs.sort(key=lambda m: m["t"])
    return msgs


def chat_sender(user):
    """Kick's sender object of a chatter: id and colour stable per name."""
    slug = user.lower()
    return {"id": num_id("user", slug), "username": user, "slug": slug,
            "identity": {"color": CHAT_COLORS[int(chance("color", slug) * len(CHAT_COLORS))],
                         "badges": []}}


def channel_chat(ch):
    """[(ms since the epoch, message)] of all the channel's chat so far, oldest
    first: its videos', and its live's up to the stream time aired (created
    at that time's PROGRAM-DATE-TIME)."""
    out = list(ch.vod_chat)
    lv = ch.live
    if lv is not None and lv.t0 is not None:
        until = lv.aired_time()
        out += [(round(lv.pdt(m["t"]) * 1000), m) for m in ch.live_chat if m["t"] <= until]
        out.sort(key=lambda x: x[0])
    return out


def chat_history(ch, query):
    """GET api/v2/channels/ID/messages?start_time=ISO: the channel's chat
    created in [start_time, start_time + 5 s), CHAT_PAGE at most.  The cursor
    (ms) is where the next answer starts: start + 5 s, or just after the
    last message when the page is full."""
    try:
        start = round(parse_time(urllib.parse.parse_qs(query)["start_time"][-1]) * 1000)
    except (KeyError, ValueError):
        return 400, {"message": "start_time is invalid"}
    window = [(ms, m) for ms, m in channel_chat(ch) if start <= ms < start + CHAT_SPAN]
    page = window[:CHAT_PAGE]
    cursor = page[-1][0] + 1 if len(window) > CHAT_PAGE else start + CHAT_SPAN
    msgs = []
    for ms, m in page:
        sender = chat_sender(m["user"])
        msgs.append({"id": m["id"], "chat_id": ch.id, "user_id": sender["id"],
                     "content": m["text"], "type": m["type"], "metadata": None,
                     "created_at": iso_us(ms / 1000.0), "sender": sender})
    return 200, {"status": {"error": False, "code": 200, "message": "SUCCESS"},
                 "data": {"messages": msgs, "cursor": str(cursor), "pinned_message": None}}


# ---------------------------------------------------------------- WebSocket (Pusher)

PUSHER_KEY = "32cbd69e4b950bf97679"     # Kick's app key on ws-us2.pusher.com
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
WS_CONT, WS_TEXT, WS_CLOSE, WS_PING, WS_PONG = 0x0, 0x1, 0x8, 0x9, 0xA
WS_MAX = 1 << 20            # the largest client message accepted (bytes)
WS_POLL = 0.2               # seconds between looks at STOP and the live clocks


class WSError(Exception):
    """A client broke the protocol; code is the close status to send."""

    def __init__(self, code, why):
        super().__init__(why)
        self.code = code


def ws_frame(opcode, payload):
    """A server frame: final, unmasked."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    return head + payload


def ws_parse(buf):
    """(fin, opcode, unmasked payload, rest of buf) of the first frame in
    buf, or None while it is incomplete.  WSError for an unmasked or an
    oversized frame."""
    if len(buf) < 2:
        return None
    n, off = buf[1] & 0x7F, 2
    if n == 126:
        if len(buf) < 4:
            return None
        n, off = struct.unpack_from("!H", buf, 2)[0], 4
    elif n == 127:
        if len(buf) < 10:
            return None
        n, off = struct.unpack_from("!Q", buf, 2)[0], 10
    if not buf[1] & 0x80:
        raise WSError(1002, "unmasked client frame")
    if n > WS_MAX:
        raise WSError(1009, "frame of %d bytes" % n)
    if len(buf) < off + 4 + n:
        return None
    key = (buf[off:off + 4] * (n // 4 + 1))[:n]
    body = buf[off + 4:off + 4 + n]
    data = (int.from_bytes(body, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")
    return bool(buf[0] & 0x80), buf[0] & 0x0F, data, buf[off + 4 + n:]


def pusher_event(ch, m):
    """(event, data) of a live chat message as Kick's Pusher sends it on
    chatrooms.ID.v2.  Notices carry no time, as on Kick."""
    room, kind = ch.id, m["type"]
    if kind == "gift":
        return "App\\Events\\GiftedSubscriptionsEvent", {
            "chatroom_id": room, "gifter_username": m["user"],
            "gifted_usernames": ["viewer%d" % num_id("gifted", m["id"], lo=100, hi=99999)]}
    if kind == "subscription":
        return "App\\Events\\SubscriptionEvent", {
            "chatroom_id": room, "username": m["user"], "months": 1}
    if kind in ("raid", "host"):
        return "App\\Events\\StreamHostEvent", {
            "chatroom_id": room, "optional_message": m["text"], "number_viewers": 123,
            "host_username": m["user"]}
    return "App\\Events\\ChatMessageEvent", {
        "id": m["id"], "chatroom_id": room, "content": m["text"], "type": kind,
        "created_at": iso_us(round(ch.live.pdt(m["t"]) * 1000) / 1000.0),
        "sender": chat_sender(m["user"])}


class PusherSession:
    """One Pusher-protocol connection, run by its handler's thread: it
    answers subscribe and ping, and sends each subscribed live channel's
    chat once the live has aired its stream time."""

    def __init__(self, handler, buf):
        self.h = handler
        self.sock = handler.connection
        self.buf = buf              # bytes received, not yet a whole frame
        self.frag = None            # a fragmented message so far
        self.subs = {}              # Pusher channel -> [Channel or None, next chat index]
        self.drop_at = None         # ws_drop_after: when the connection is cut
        self.sent = 0               # chat events sent
        self.bytes = 0              # frame bytes sent

    def send(self, opcode, payload):
        frame = ws_frame(opcode, payload)
        self.sock.sendall(frame)
        self.bytes += len(frame)

    def send_event(self, event, data, channel=None):
        """A Pusher message; data is sent as a JSON string, as Pusher does."""
        msg = {"event": event, "data": json.dumps(data, separators=(",", ":"))}
        if channel is not None:
            msg["channel"] = channel
        self.send(WS_TEXT, json.dumps(msg, separators=(",", ":")).encode())

    def run(self, key):
        """Serve until the connection ends; why it ended."""
        S = self.h.S
        if key != S.pusher_key:
            err = {"event": "pusher:error", "data": {"code": 4001, "message": "App key %s not "
                   "in this cluster. Did you forget to specify the cluster?" % key}}
            self.send(WS_TEXT, json.dumps(err, separators=(",", ":")).encode())
            self.send(WS_CLOSE, struct.pack("!H", 4001))
            return "app_key"
        sid = "%d.%d" % (num_id("socket", S.seed, self.h.conn, lo=100000, hi=999999),
                         num_id("socket.", S.seed, self.h.conn, lo=1000000, hi=9999999))
        self.send_event("pusher:connection_established",
                        {"socket_id": sid, "activity_timeout": 120})
        while not STOP.is_set():
            try:
                if self.read_frames():
                    return "close"
            except WSError as e:
                self.send(WS_CLOSE, struct.pack("!H", e.code) + str(e).encode())
                return "protocol"
            self.send_due()
            if self.drop_at is not None and time.time() >= self.drop_at:
                self.h.drop(False)
                return "drop"
            if select.select([self.sock], [], [], self.wait())[0]:
                data = self.sock.recv(65536)
                if not data:
                    return "eof"
                self.buf += data
        self.send(WS_CLOSE, struct.pack("!H", 1001))       # going away
        return "stop"

    def wait(self):
        """Seconds until the next chat message airs, the drop, or WS_POLL."""
        w = WS_POLL
        for ch, i in self.subs.values():
            if ch is not None and i < len(ch.live_chat):
                w = min(w, (ch.live_chat[i]["t"] - ch.live.aired_time()) / ch.live.speed)
        if self.drop_at is not None:
            w = min(w, self.drop_at - time.time())
        return max(0.0, w)

    def read_frames(self):
        """Handle every whole frame received; True once the client closed."""
        while True:
            f = ws_parse(self.buf)
            if f is None:
                return False
            fin, op, data, self.buf = f
            if op == WS_CLOSE:              # echo its status code, then end
                self.send(WS_CLOSE, data[:2])
                return True
            if op == WS_PING:
                self.send(WS_PONG, data)
            elif op in (WS_TEXT, WS_CONT):
                self.frag = data if op == WS_TEXT else (self.frag or b"") + data
                if len(self.frag) > WS_MAX:
                    raise WSError(1009, "message of %d bytes" % len(self.frag))
                if fin:
                    self.message(self.frag)
                    self.frag = None

    def message(self, raw):
        """A client's Pusher message: pusher:subscribe, :unsubscribe, :ping;
        anything else (or unreadable) is ignored."""
        try:
            msg = json.loads(raw)
            event, data = msg["event"], msg.get("data")
            if isinstance(data, str):
                data = json.loads(data)
        except (ValueError, KeyError, TypeError):
            return
        name = str(data.get("channel", "")) if isinstance(data, dict) else ""
        if event == "pusher:ping":
            self.send_event("pusher:pong", {})
        elif event == "pusher:subscribe" and name:
            self.subscribe(name)
        elif event == "pusher:unsubscribe":
            self.subs.pop(name, None)

    def subscribe(self, name):
        """Any channel succeeds, as on Pusher; only chatrooms.ID.v2 of a
        live channel with chat gets messages, from those not aired yet."""
        S = self.h.S
        m = re.fullmatch(r"chatrooms\.(\d+)\.v2", name)
        ch = S.channel_by_id(int(m.group(1))) if m else None
        if ch is not None and ch.live is not None and ch.live_chat:
            until = ch.live.aired_time()
            self.subs[name] = [ch, next((i for i, c in enumerate(ch.live_chat)
                                         if c["t"] > until), len(ch.live_chat))]
        else:
            self.subs[name] = [None, 0]
        self.send_event("pusher_internal:subscription_succeeded", {}, name)
        self.h.ws_log("subscribe", channel=name)
        if self.drop_at is None and S.ws_drop_due():
            self.drop_at = time.time() + S.ws_drop_after

    def send_due(self):
        """Send the subscribed chat aired by now."""
        for name, sub in self.subs.items():
            ch, i = sub
            if ch is None:
                continue
            until = ch.live.aired_time()
            while i < len(ch.live_chat) and ch.live_chat[i]["t"] <= until:
                event, data = pusher_event(ch, ch.live_chat[i])
                self.send_event(event, data, name)
                self.sent += 1
                i += 1
            sub[1] = i


# ---------------------------------------------------------------- HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kickserver"
    timeout = 60            # idle keep-alive connections
    S = None                # the Server, set in main()

    def setup(self):
        super().setup()
        self.conn = self.S.next_conn()
        self.nconn = 0
        if self.S.latency > 0:          # the handshake's round trip
            time.sleep(self.S.latency)

    def log_message(self, *a):
        pass

    def do_GET(self):
        self.handle_req()

    def do_HEAD(self):
        self.handle_req()

    def do_POST(self):
        self.close_connection = True    # a request body is never read
        self.handle_req()

    do_PUT = do_DELETE = do_OPTIONS = do_POST

    # -- one request
    def handle_req(self):
        S = self.S
        self.nconn += 1
        if S.latency > 0:               # the request's round trip
            time.sleep(S.latency)
        t_start = time.time()
        u = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(u.path) or "/"
        if path.startswith("/_kc/"):
            return self.control(path, u.query)
        h = self.headers
        ua = h.get("User-Agent", "")
        cookie = h.get("Cookie")
        self.entry = {"t": round(t_start, 4), "conn": self.conn, "n": self.nconn,
                      "method": self.command, "path": path, "query": u.query,
                      "status": None, "bytes": 0, "length": None,
                      "range": h.get("Range"), "ua": ua, "cookie": cookie,
                      "fault": None, "dropped": False, "stalled": 0,
                      "client_closed": False, "headers": {k.lower(): v for k, v in h.items()}}
        try:
            if h.get("Upgrade", "").lower() == "websocket" and path.startswith("/app/"):
                self.websocket(path[len("/app/"):])
            else:
                self.route(path, u.query, ua, cookie)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout):
            self.entry["client_closed"] = True
            self.close_connection = True
        finally:
            self.entry["dur"] = round(time.time() - t_start, 4)
            S.write_log(self.entry)
            if self.entry.get("ws") == "close":
                S.ws_count(-1)

    def control(self, path, query):
        S = self.S
        status = 200
        if path == "/_kc/live":
            q = urllib.parse.parse_qs(query)
            prefix = S.norm_prefix(q.get("prefix", [""])[-1])
            lv = [lv for lv in S.lives if lv.prefix == prefix]
            try:
                if not lv:
                    raise ValueError("no live mount %s" % prefix)
                lv[0].control(q)
            except ValueError as e:
                status = 400
                body = json.dumps({"error": str(e)}).encode()
            else:
                path = "/_kc/state"
        if path == "/_kc/state":
            body = json.dumps({"port": S.port, "requests": S.nreq, "seed": S.seed,
                               "live": [lv.state() for lv in S.lives]}).encode()
        if status != 200 or path == "/_kc/state":
            self.send_response_only(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        else:
            self.send_response_only(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def route(self, path, query, ua, cookie):
        S = self.S
        k = S.count_path(path)
        rules = [r for r in S.rules if r.matches(path)]
        extra = []
        for r in rules:
            if r.set_cookie:
                extra.append(("Set-Cookie", r.set_cookie))
        self.extra = extra
        for r in rules:
            if r.hold and not os.path.exists(r.hold):
                self.entry["fault"] = "held"
                while not os.path.exists(r.hold) and not STOP.is_set():
                    time.sleep(0.05)
        # request-level faults, the first rule that triggers wins
        for r in rules:
            if r.cookie:
                have = [p.strip() for p in (cookie or "").split(";")]
                if not all(c in have for c in r.cookie):
                    return self.cf403("cookie")
            if r.is_missing(path):
                self.entry["fault"] = "missing"
                return self.send_simple(404, NOSUCHKEY % path.lstrip("/"), "application/xml",
                                        server="AmazonS3")
            if r.burst:
                n = S.count_ua(r, ua)
                if (n % r.burst_every if r.burst_every else n) < r.burst:
                    return self.cf403("burst")
            if r.block and S.blocked(r, ua):
                return self.cf403("block")
            if r.p403 and chance(S.seed, r.idx, "403", path, k) < r.p403:
                if r.block:
                    S.blocked(r, ua, start=True)
                return self.cf403("403")
            if r.p429 and chance(S.seed, r.idx, "429", path, k) < r.p429:
                self.entry["fault"] = "429"
                return self.send_simple(429, RATE_BODY, "text/plain; charset=UTF-8",
                                        server="cloudflare",
                                        headers=[("Retry-After", str(r.retry_after))])
            if r.p503 and chance(S.seed, r.idx, "503", path, k) < r.p503:
                self.entry["fault"] = "503"
                return self.send_simple(503, "<html><body><h1>503 Service Unavailable</h1>"
                                        "</body></html>\n", "text/html", server="cloudflare")
        # body-level faults
        plan = {"rate": 0}
        for r in rules:
            if r.rate and not plan["rate"]:
                plan["rate"] = r.rate
            if "drop" not in plan and r.pdrop and chance(S.seed, r.idx, "drop", path, k) < r.pdrop:
                plan["drop"] = 0.1 + 0.8 * chance(S.seed, r.idx, "dropat", path, k)
                plan["rst"] = r.drop_rst
            if "stall" not in plan and r.pstall and chance(S.seed, r.idx, "stall", path, k) < r.pstall:
                plan["stall"] = 0.1 + 0.8 * chance(S.seed, r.idx, "stallat", path, k)
                plan["stall_secs"] = r.stall
                plan["stall_close"] = r.stall_close
        if "drop" in plan:
            plan.pop("stall", None)
        if self.command not in ("GET", "HEAD"):
            return self.send_simple(405, "method not allowed\n", "text/plain",
                                    headers=[("Allow", "GET, HEAD")])
        # API
        if path.startswith(S.api_base):
            res = api(S, path[len(S.api_base):], query)
            if res is not None:
                st, obj = res
                body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
                return self.send_api(st, body, plan)
        res = S.resolve(path)
        if res is None:
            return self.not_found(path)
        prefix, d, live, rel = res
        full = os.path.join(d, rel)
        if live is not None:
            live.touch()
            code = live.failing()
            if code:
                self.entry["fault"] = "gone" if code == 404 else "fail"
                if code == 404:
                    return self.not_found(path)
                if code == 403:
                    return self.cf403("fail")
                return self.send_simple(code, "<html><body><h1>%d</h1></body></html>\n" % code,
                                        "text/html", server="cloudflare")
            norm = os.path.normpath(rel) if rel else ""
            if norm in live.playlists:
                body = live.render(norm).encode()
                return self.send_bytes(200, body, CTYPES[".m3u8"], plan,
                                       headers=[("Cache-Control", "max-age=1")])
            if norm in live.segments:
                pl, i = live.segments[norm]
                if i >= live.aired(pl):
                    self.entry["fault"] = "not_aired"
                    return self.not_found(path)
        if not os.path.isfile(full):
            return self.not_found(path)
        return self.send_file(full, plan)

    # -- a WebSocket
    def websocket(self, key):
        """GET /app/KEY with Upgrade: websocket: the RFC 6455 handshake, then
        a Pusher session on this thread.  Fault rules do not apply (Pusher
        is not behind Kick's Cloudflare); ws_refuse and ws_drop_after do.
        This request's log entry is written at the end with "ws": "close"."""
        S = self.S
        self.close_connection = True
        self.extra = []
        if S.next_ws() < S.ws_refuse:
            self.entry["ws"] = "refused"
            return self.cf403("ws_refuse")
        nonce = self.headers.get("Sec-WebSocket-Key", "").strip()
        if not nonce:
            self.entry["ws"] = "refused"
            return self.send_simple(400, "no Sec-WebSocket-Key\n", "text/plain")
        accept = base64.b64encode(hashlib.sha1((nonce + WS_GUID).encode()).digest()).decode()
        self.entry["status"] = 101
        self.send_response_only(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        # what the client sent behind its request may sit in rfile's buffer
        # (read1 of a non-blocking socket returns it, or b"", at once)
        self.connection.setblocking(False)
        try:
            buf = self.rfile.read1(65536)
        finally:
            self.connection.settimeout(self.timeout)
        self.ws_log("connect")
        session = PusherSession(self, buf)
        self.entry.update(ws="close", why="reset")
        S.ws_count(1)
        try:
            self.entry["why"] = session.run(key)
        finally:
            self.entry.update(sent=session.sent, bytes=session.bytes)

    def ws_log(self, event, **more):
        """A log line of a WebSocket event, with its request's fields."""
        e = {"t": round(time.time(), 4)}
        e.update((k, self.entry[k]) for k in ("conn", "n", "method", "path", "query", "ua"))
        e.update(status=101, ws=event, **more)
        self.S.write_log(e)

    # -- responses
    def std_headers(self, server):
        self.send_header("Date", self.date_time_string())
        self.send_header("Server", server)
        if server == "cloudflare":
            self.send_header("CF-RAY", "%s-FRA" % hexid(16, self.S.seed, self.conn, self.nconn, time.time()))
        for k, v in self.extra:
            self.send_header(k, v)

    def start(self, status, ctype, length, server="AmazonS3", headers=()):
        self.entry["status"] = status
        self.entry["length"] = length
        self.send_response_only(status)
        self.std_headers(server)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        for k, v in headers:
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def send_simple(self, status, text, ctype, server="AmazonS3", headers=()):
        body = text.encode() if isinstance(text, str) else text
        self.start(status, ctype, len(body), server, headers)
        if self.command != "HEAD":
            self.wfile.write(body)
            self.entry["bytes"] = len(body)

    def cf403(self, why):
        self.entry["fault"] = why
        ray = "%s-FRA" % hexid(16, "ray", self.S.seed, self.conn, self.nconn)
        body = CF_BODY % {"ray": ray, "nonce": hexid(5, ray), "hash": hexid(32, "h", ray)}
        self.send_simple(403, body, "text/html; charset=UTF-8", server="cloudflare", headers=[
            ("cf-mitigated", "challenge"),
            ("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate, "
                              "post-check=0, pre-check=0"),
            ("Expires", "Thu, 01 Jan 1970 00:00:01 GMT"),
            ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "SAMEORIGIN"),
            ("X-Content-Type-Options", "nosniff")])

    def not_found(self, path):
        return self.send_simple(404, NOSUCHKEY % path.lstrip("/"), "application/xml")

    def send_api(self, status, body, plan):
        hdr = [("Cache-Control", "no-cache, private"), ("Vary", "Accept-Encoding"),
               ("Set-Cookie", "XSRF-TOKEN=%s; expires=%s; Max-Age=7200; path=/; domain=127.0.0.1; samesite=lax"
                % (hexid(40, "xsrf", self.S.seed), self.date_time_string(time.time() + 7200))),
               ("Set-Cookie", "kick_session=%s; expires=%s; Max-Age=7200; path=/; domain=127.0.0.1; httponly; samesite=lax"
                % (hexid(40, "session", self.S.seed), self.date_time_string(time.time() + 7200)))]
        self.send_bytes(status, body, "application/json", plan, server="cloudflare", headers=hdr)

    def send_bytes(self, status, body, ctype, plan, server="AmazonS3", headers=()):
        size = len(body)
        r = self.byte_range(size)
        if r == "bad":
            return self.send_simple(416, "", "text/plain", server,
                                    headers=[("Content-Range", "bytes */%d" % size)])
        hdr = list(headers) + [("Accept-Ranges", "bytes")]
        if r:
            a, b = r
            hdr.append(("Content-Range", "bytes %d-%d/%d" % (a, b, size)))
            self.start(206, ctype, b - a + 1, server, hdr)
            body = body[a:b + 1]
        else:
            self.start(status, ctype, size, server, hdr)
        if self.command != "HEAD":
            self.send_body(lambda off, n: body[off:off + n], len(body), plan)

    def send_file(self, full, plan):
        st = os.stat(full)
        size = st.st_size
        ctype = CTYPES.get(os.path.splitext(full)[1].lower(), "application/octet-stream")
        etag = '"%x-%x"' % (int(st.st_mtime), size)
        r = self.byte_range(size)
        if r == "bad":
            return self.send_simple(416, "", "text/plain",
                                    headers=[("Content-Range", "bytes */%d" % size)])
        hdr = [("Accept-Ranges", "bytes"), ("ETag", etag),
               ("Last-Modified", self.date_time_string(st.st_mtime)),
               ("X-Cache", "Hit from cloudfront")]
        if r:
            a, b = r
            hdr.append(("Content-Range", "bytes %d-%d/%d" % (a, b, size)))
            self.start(206, ctype, b - a + 1, headers=hdr)
        else:
            a, b = 0, size - 1
            self.start(200, ctype, size, headers=hdr)
        if self.command == "HEAD":
            return
        with open(full, "rb") as fh:
            def read(off, n):
                fh.seek(a + off)
                return fh.read(n)
            self.send_body(read, b - a + 1, plan)

    def byte_range(self, size):
        """None (whole), (a, b) inclusive, or "bad" (416)."""
        h = self.headers.get("Range")
        if not h:
            return None
        m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", h)
        if not m or (m.group(1) == "" and m.group(2) == ""):
            return None     # several ranges or junk: send it all (allowed)
        if m.group(1) == "":
            n = int(m.group(2))
            if n == 0:
                return "bad"
            return (max(0, size - n), size - 1) if size else "bad"
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else size - 1
        if a >= size or b < a:
            return "bad"
        return a, min(b, size - 1)

    def send_body(self, read, length, plan):
        """Write length bytes from read(off, n), with the plan's faults."""
        drop_at = int(length * plan["drop"]) if "drop" in plan and length > 1 else None
        stall_at = int(length * plan["stall"]) if "stall" in plan and length > 1 else None
        rate = plan.get("rate") or 0
        off, t0 = 0, time.time()
        while off < length:
            n = min(65536, length - off)
            for mark in (drop_at, stall_at):
                if mark is not None and off < mark:
                    n = min(n, mark - off)
            if n > 0:
                chunk = read(off, n)
                self.wfile.write(chunk)
                off += len(chunk)
                self.entry["bytes"] = off
                if rate:
                    ahead = off / rate - (time.time() - t0)
                    if ahead > 0:
                        STOP.wait(ahead)
            if drop_at is not None and off >= drop_at:
                self.entry["fault"] = "drop"
                self.entry["dropped"] = True
                self.drop(plan.get("rst"))
                return
            if stall_at is not None and off >= stall_at:
                stall_at = None
                self.entry["fault"] = "stall"
                self.wfile.flush()
                w0 = time.time()
                STOP.wait(plan["stall_secs"])
                self.entry["stalled"] = round(time.time() - w0, 3)
                if plan.get("stall_close"):
                    self.entry["dropped"] = True
                    self.drop(False)
                    return

    def drop(self, rst):
        self.close_connection = True
        try:
            self.wfile.flush()
            if rst:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        if isinstance(e, (ConnectionError, socket.timeout, OSError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(
        description="Local HLS + Kick-like API test server with fault injection "
                    "(127.0.0.1 only). Prints the port when ready.")
    ap.add_argument("--config", help="JSON config (channels, mounts, live, faults)")
    ap.add_argument("--root", help="directory served at /")
    ap.add_argument("--mount", action="append", default=[], metavar="PREFIX=DIR",
                    help="serve DIR at URL path PREFIX")
    ap.add_argument("--live", action="append", default=[], metavar="PREFIX=DIR",
                    help="serve DIR's media playlists as live sliding windows at PREFIX")
    ap.add_argument("--window", type=int, default=6, help="live window in segments (6)")
    ap.add_argument("--speed", type=float, default=1.0, help="live clock factor (1 = real time)")
    ap.add_argument("--live-offset", type=float, default=0.0,
                    help="stream seconds already aired when the clock starts (0)")
    ap.add_argument("--live-start", choices=("first", "server"), default="first",
                    help="live clock starts at the first request to the mount (default) or now")
    ap.add_argument("--api-base", help="URL path of the Kick API root (default /)")
    ap.add_argument("--v1-videos", action="store_true",
                    help="answer /api/v1/video/UUID (default: 404 as Kick often does)")
    ap.add_argument("--latency", type=float, default=0, metavar="MS",
                    help="a round trip of MS ms before each answer and each new connection")
    ap.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    ap.add_argument("--port-file", help="also write the port to this file")
    ap.add_argument("--log", help="append one JSON line per request to this file")
    ap.add_argument("--seed", type=int, default=None, help="seed of all fault choices (1)")
    g = ap.add_argument_group("faults (one rule for --fault-prefix; more in the config)")
    g.add_argument("--fault-prefix", default="/", help="URL path prefix the flags apply to")
    g.add_argument("--fault-match", help="and a regular expression the path must match")
    g.add_argument("--p403", type=float, help="fraction answered 403 (Cloudflare page)")
    g.add_argument("--block", type=int,
                   help="a --p403 403 also refuses that User-Agent's next N requests")
    g.add_argument("--burst", type=int, help="first N requests of each User-Agent get 403")
    g.add_argument("--burst-every", type=int, help="repeat the burst every M requests of a UA")
    g.add_argument("--p429", type=float, help="fraction answered 429")
    g.add_argument("--retry-after", type=int, help="Retry-After of a 429 (1)")
    g.add_argument("--p503", type=float, help="fraction answered 503")
    g.add_argument("--pdrop", type=float, help="fraction closed mid-body")
    g.add_argument("--drop-rst", action="store_true", help="drop with a TCP reset, not FIN")
    g.add_argument("--pstall", type=float, help="fraction that stall mid-body")
    g.add_argument("--stall", type=float, help="stall seconds (5)")
    g.add_argument("--stall-close", action="store_true", help="close after a stall")
    g.add_argument("--missing", action="append", default=[], metavar="NAME",
                   help="permanent 404 for this segment name or path suffix")
    g.add_argument("--require-cookie", metavar="NAME=VALUE",
                   help="403 unless the Cookie header has this pair")
    g.add_argument("--set-cookie", help="Set-Cookie header for every matching response")
    g.add_argument("--rate", type=float, help="limit each body to this many bytes/s")
    g.add_argument("--hold", metavar="FILE",
                   help="answer matching requests only once FILE exists")
    args = ap.parse_args()
    args.seed_given = args.seed
    if args.seed is None:
        args.seed = 1
    try:
        S = Server(args)
    except (ValueError, OSError, KeyError, TypeError, re.error) as e:
        print("kickserver: %s" % e, file=sys.stderr)
        return 2
    S.started = time.time()
    Handler.S = S
    httpd = HTTPServer(("127.0.0.1", args.port), Handler)
    S.port = httpd.server_address[1]

    def stop(*_):
        STOP.set()
        threading.Thread(target=httpd.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as fh:
            fh.write("%d\n" % S.port)
        os.rename(tmp, args.port_file)
    sys.stdout.write("%d\n" % S.port)
    sys.stdout.flush()
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        # open WebSockets see STOP within WS_POLL: let them send their close
        # frame and log their end
        with S.ws_idle:
            S.ws_idle.wait_for(lambda: S.ws_open == 0, timeout=2)
        httpd.server_close()
        if S.log:
            S.log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
