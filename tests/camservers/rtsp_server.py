"""RTSP test server: an H.264 stream of numbered JPEG frames, via Debian's gst-rtsp-server.

Run with the system interpreter, which has PyGObject (the project venv does not)::

    /usr/bin/python3 tests/camservers/rtsp_server.py --frames-dir DIR [--port 0] [--fps 15]
        [--mount /stream] [--auth-method digest|basic|none]   # credentials: env RTSP_AUTH=user:pass

DIR holds frame_00000.jpg, frame_00001.jpg, ... of one size (rtsp_camera.py prepares them).
On success it prints one line `READY rtsp://127.0.0.1:<port><mount>` and serves until SIGTERM,
SIGINT or end of stdin (so it dies with the test process that holds the pipe).
Needs only gi (no numpy/cv2): gir1.2-gst-rtsp-server-1.0, gstreamer1.0-plugins-{base,good,ugly}.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def build_launch(frames_dir: str, fps: int) -> str:
    """The media pipeline: still JPEGs, re-timed at `fps`, as H.264 with frequent keyframes.

    key-int-max=fps gives a keyframe every second (x264's default is 250 frames, which would
    make a new client wait ~17 s for a decodable picture), and config-interval=1 resends SPS/PPS
    every second for the same reason. Not config-interval=-1: that inserts SPS/PPS before every
    IDR slice, and with x264's sliced threads that lands between the slices of one picture;
    OpenCV's FFmpeg then returns smeared pictures (measured: PSNR 12 dB instead of 38 dB).
    threads=1 keeps one slice per picture anyway.
    """
    location = os.path.join(frames_dir, "frame_%05d.jpg")
    return (
        f'( multifilesrc location="{location}" index=0 loop=true '
        f"caps=image/jpeg,framerate={fps}/1 ! jpegdec ! videoconvert ! video/x-raw,format=I420 ! "
        f"x264enc tune=zerolatency speed-preset=ultrafast threads=1 key-int-max={fps} "
        "bitrate=2048 ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )


def add_auth(
    server: GstRtspServer.RTSPServer,
    factory: GstRtspServer.RTSPMediaFactory,
    method: str,
    credentials: str,
) -> None:
    """Require `credentials` (user:pass) with one method; RTSPAuthMethod is an enum, not flags."""
    username, _, password = credentials.partition(":")
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "user")
    if method == "basic":
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(username, password), token)
    else:
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        auth.add_digest(username, password, token)
    server.set_auth(auth)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role("user", "media.factory.access", True)
    permissions.add_permission_for_role("user", "media.factory.construct", True)
    factory.set_permissions(permissions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--frames-dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fps", type=int, default=15)
    parser.add_argument("--mount", default="/stream")
    parser.add_argument("--auth-method", choices=("digest", "basic", "none"), default="none")
    args = parser.parse_args(argv)

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(build_launch(args.frames_dir, args.fps))
    # One pipeline per client. A shared media is torn down when its last client leaves, and a
    # DESCRIBE arriving during that teardown gets "503 Service Unavailable"; a source's quick
    # DESCRIBE probe followed at once by FFmpeg's own session hits exactly that window.
    factory.set_shared(False)
    server.get_mount_points().add_factory(args.mount, factory)
    if args.auth_method != "none":
        credentials = os.environ.get("RTSP_AUTH", "")
        if ":" not in credentials:
            sys.stderr.write("RTSP_AUTH=user:pass is required with --auth-method\n")
            return 2
        add_auth(server, factory, args.auth_method, credentials)

    loop = GLib.MainLoop()
    if server.attach(None) == 0:
        sys.stderr.write("ERROR could not bind\n")
        return 1
    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, lambda *_: loop.quit() or False)

    def on_stdin(_fd: int, _condition: GLib.IOCondition) -> bool:
        if not os.read(sys.stdin.fileno(), 4096):
            loop.quit()
            return False
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    # The launcher waits for exactly this line on stdout.
    sys.stdout.write(f"READY rtsp://127.0.0.1:{server.get_bound_port()}{args.mount}\n")
    sys.stdout.flush()
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
