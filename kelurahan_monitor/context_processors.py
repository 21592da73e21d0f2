from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from complaints import selectors as complaint_selectors
from kelurahan_monitor.roles import User

# CC BY 4.0 asks for this line wherever the demo frames are shown (English in the .po file).
DEMO_ATTRIBUTION = gettext_lazy(
    'Bingkai video dari "sample-videos" oleh Intel IoT Developer Kit (intel-iot-devkit), '
    "https://github.com/intel-iot-devkit/sample-videos, berlisensi CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/). Perubahan: bingkai diambil dari video / "
    "pratinjau GIF dan disandikan ulang sebagai JPEG."
)


def demo_attribution(request: HttpRequest) -> dict[str, str]:
    return {"demo_attribution": str(DEMO_ATTRIBUTION) if settings.DEMO_MODE else ""}


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
