#!/usr/bin/python3
"""Doorstep's loopback RTSP test camera (GStreamer RTSP server). Run with /usr/bin/python3 (needs python3-gi).

Every frame carries the wall-clock time at which it was made, as a barcode in the top-left corner:
2 rows x 32 blocks of 16x16 px, MSB first, white = 1, black = 0. Bits 0-47 are the epoch milliseconds,
bits 48-63 a check word (see frame_bits). Decoded by src/sim/camera/rtsp-frame-clock.ts.

Prints one line `READY {"port": N, "path": "/cam"}` once listening; exits on SIGTERM/SIGINT.
Debian packages: gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-{base,good,bad,ugly} python3-gi.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

BLOCK = 16
COLS = 32
ROWS = 2
WHITE = 235
BLACK = 16
GRAY = 96


def frame_bits(ms):
    """64 bits: 48 bits epoch ms, then a 16-bit check word (xor of the byte pairs, xor 0xA5A5)."""
    b = ms.to_bytes(6, "big")
    check = (((b[0] ^ b[2] ^ b[4]) << 8) | (b[1] ^ b[3] ^ b[5])) ^ 0xA5A5
    value = (ms << 16) | check
    return [(value >> (63 - i)) & 1 for i in range(64)]


class FrameMaker:
    def __init__(self, width, height):
        self.w, self.h = width, height
        self.gray_row = bytes([GRAY]) * width
        self.chroma = bytes([128]) * ((width // 2) * (height // 2) * 2)

    def make(self, ms, n):
        w = self.w
        bits = frame_bits(ms)
        rows = []
        for r in range(ROWS):
            row = bytearray(self.gray_row)
            for c in range(COLS):
                v = WHITE if bits[r * COLS + c] else BLACK
                row[c * BLOCK:(c + 1) * BLOCK] = bytes([v]) * BLOCK
            rows.extend([bytes(row)] * BLOCK)
        # A bar that moves one block per frame, so the picture changes like a real scene.
        x = (n * 8) % max(1, w - 48)
        bar = bytearray(self.gray_row)
        bar[x:x + 48] = bytes([200]) * 48
        bar_row = bytes(bar)
        top = ROWS * BLOCK
        bar_top, bar_bottom = top + 40, min(self.h, top + 200)
        for y in range(top, self.h):
            rows.append(bar_row if bar_top <= y < bar_bottom else self.gray_row)
        return b"".join(rows) + self.chroma


class Feeder:
    """Pushes frames into one media's appsrc at a steady rate, stamped with the wall clock."""

    def __init__(self, appsrc, maker, fps):
        self.appsrc, self.maker, self.fps = appsrc, maker, fps
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        period = 1.0 / self.fps
        start = time.monotonic()
        n = 0
        while self.running:
            data = self.maker.make(int(time.time() * 1000), n)
            buf = Gst.Buffer.new_wrapped(data)
            buf.duration = int(Gst.SECOND / self.fps)
            # FLUSHING until the media reaches PAUSED/PLAYING; keep the clock running until stop().
            self.appsrc.emit("push-buffer", buf)
            n += 1
            delay = start + n * period - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            elif delay < -1:  # fell far behind (machine busy): resynchronise instead of bursting
                start, n = time.monotonic(), 0

    def stop(self):
        self.running = False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--path", default="/cam")
    ap.add_argument("--width", type=int, default=640)
    ap.add_argument("--height", type=int, default=360)
    ap.add_argument("--fps", type=int, default=15)
    ap.add_argument("--gop", type=int, default=0, help="keyframe interval in frames (default: fps, i.e. 1 s)")
    ap.add_argument("--bitrate", type=int, default=800, help="kbit/s")
    ap.add_argument("--audio", choices=["aac", "none"], default="none")
    ap.add_argument("--auth", help="user:pass (RTSP Basic auth); read from DOORSTEP_RTSP_AUTH if set")
    a = ap.parse_args()
    Gst.init(None)
    gop = a.gop or a.fps
    maker = FrameMaker(a.width, a.height)
    video = (
        f"appsrc name=clocksrc stream-type=seekable is-live=true do-timestamp=true format=time "
        f"caps=video/x-raw,format=I420,width={a.width},height={a.height},framerate={a.fps}/1 "
        f"! queue max-size-buffers=4 leaky=downstream "
        f"! x264enc tune=zerolatency speed-preset=ultrafast bitrate={a.bitrate} key-int-max={gop} "
        f"! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1"
    )
    audio = ""
    if a.audio == "aac":
        audio = (
            "audiotestsrc is-live=true wave=sine volume=0.1 ! audioconvert ! audioresample "
            "! audio/x-raw,rate=16000,channels=1 ! voaacenc bitrate=32000 ! rtpmp4gpay name=pay1 pt=97"
        )
    server = GstRtspServer.RTSPServer()
    server.set_address(a.bind)
    server.set_service(str(a.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(f"( {video} {audio} )")
    factory.set_shared(True)
    feeders = []

    def on_configure(_factory, media):
        src = media.get_element().get_by_name_recurse_up("clocksrc")
        # With a second (audio) stream the server seeks the media on PLAY; a non-seekable appsrc
        # fails that seek (503), so it claims to be seekable and ignores seeks (it is a live clock).
        src.connect("seek-data", lambda *_: True)
        feeder = Feeder(src, maker, a.fps)
        feeders.append(feeder)
        media.connect("unprepared", lambda _m: feeder.stop())

    factory.connect("media-configure", on_configure)
    auth_spec = os.environ.get("DOORSTEP_RTSP_AUTH") or a.auth
    if auth_spec:
        user, pw = auth_spec.split(":", 1)
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, user)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, pw), token)
        server.set_auth(auth)
        perms = GstRtspServer.RTSPPermissions()
        perms.add_role(user)
        perms.add_permission_for_role(user, "media.factory.access", True)
        perms.add_permission_for_role(user, "media.factory.construct", True)
        factory.set_permissions(perms)
    server.get_mount_points().add_factory(a.path, factory)
    if server.attach(None) == 0:
        print("bind failed", file=sys.stderr, flush=True)
        sys.exit(1)
    loop = GLib.MainLoop()

    def quit_(*_):
        for f in feeders:
            f.stop()
        loop.quit()

    # Exit with the process that started us, even if it died without stopping us (we run in our own process group).
    parent = os.getppid()

    def watch_parent():
        if os.getppid() != parent:
            quit_()
            return False
        return True

    GLib.timeout_add(500, watch_parent)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, quit_)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, quit_)
    print("READY " + json.dumps({"port": server.get_bound_port(), "path": a.path, "fps": a.fps, "gop": gop}), flush=True)
    loop.run()


if __name__ == "__main__":
    main()
