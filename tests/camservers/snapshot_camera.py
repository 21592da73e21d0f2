"""A bare HTTP snapshot camera on 127.0.0.1 that counts the requests it gets."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FlakyCamera:
    """Snapshot camera serving one JPEG; with `hang_first` its first request hangs (a check
    caught mid-capture) until `stop()`. `requests` counts every request."""

    def __init__(self, jpeg: bytes, hang_first: bool) -> None:
        self.requests = 0
        self._lock = threading.Lock()
        self.first_request_seen = threading.Event()
        self.release = threading.Event()
        camera = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with camera._lock:
                    camera.requests += 1
                    first = camera.requests == 1
                if hang_first and first:
                    camera.first_request_seen.set()
                    camera.release.wait(30)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(jpeg)))
                self.end_headers()
                self.wfile.write(jpeg)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/snapshot.jpg"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
