from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.http import HttpRequest

from complaints import selectors as complaint_selectors
from kelurahan_monitor.roles import User

# CC BY 4.0 asks for this line wherever the demo frames are shown.
DEMO_ATTRIBUTION = (
    'Video frames from "sample-videos" by Intel IoT Developer Kit (intel-iot-devkit), '
    "https://github.com/intel-iot-devkit/sample-videos, licensed under CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/). Changes: frames sampled from the videos / "
    "GIF previews and re-encoded as JPEG."
)


def demo_attribution(request: HttpRequest) -> dict[str, str]:
    return {"demo_attribution": DEMO_ATTRIBUTION if settings.DEMO_MODE else ""}


@dataclass
class NavComplaints:
    """The staff menu's "Pengaduan" item: queried only when a page's menu shows it."""

    user: User

    @cached_property
    def visible(self) -> bool:
        return self.user.is_authenticated and complaint_selectors.can_triage(self.user)

    @cached_property
    def waiting(self) -> int:
        return complaint_selectors.waiting_count(self.user) if self.visible else 0


def nav_complaints(request: HttpRequest) -> dict[str, NavComplaints]:
    return {"nav_complaints": NavComplaints(request.user)}
