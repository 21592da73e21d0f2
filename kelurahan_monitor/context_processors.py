from django.conf import settings
from django.http import HttpRequest

# CC BY 4.0 asks for this line wherever the demo frames are shown.
DEMO_ATTRIBUTION = (
    'Video frames from "sample-videos" by Intel IoT Developer Kit (intel-iot-devkit), '
    "https://github.com/intel-iot-devkit/sample-videos, licensed under CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/). Changes: frames sampled from the videos / "
    "GIF previews and re-encoded as JPEG."
)


def demo_attribution(request: HttpRequest) -> dict[str, str]:
    return {"demo_attribution": DEMO_ATTRIBUTION if settings.DEMO_MODE else ""}
