"""The product's vocabulary: every status, its stored value, its words, its colour, its order.

Pure Python (no Django): the domain, the report rows, the models' choices, the pages, the exports
and the API all take their statuses from here, so a status is named, ordered and coloured once.
Words come in Bahasa Indonesia (the source language) and English; models wrap them lazily so
the active language picks one (see ``places.words``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Term:
    """One status as people read it: Indonesian and English words and a colour (CSS hex)."""

    id: str
    en: str
    colour: str


class VerdictStatus(StrEnum):
    """The daily verdict of one office. The eight values are fixed (stored and reported)."""

    ON_TIME = "on_time"
    LATE = "late"
    NOT_OPENED = "not_opened"
    NO_DATA = "no_data"
    CLOSED_EARLY = "closed_early"
    HOLIDAY = "holiday"
    NON_WORKING_DAY = "non_working_day"
    EXCUSED = "excused"


# In report and legend order; the colours are those of the pages (monitor.css).
VERDICT_TERMS: dict[VerdictStatus, Term] = {
    VerdictStatus.ON_TIME: Term("Tepat waktu", "On time", "#17753a"),
    VerdictStatus.LATE: Term("Terlambat", "Late", "#f2a900"),
    VerdictStatus.NOT_OPENED: Term("Tidak buka", "Not opened", "#c0262d"),
    VerdictStatus.NO_DATA: Term("Tidak ada data", "No data", "#4d5866"),
    VerdictStatus.CLOSED_EARLY: Term("Tutup lebih awal", "Closed early", "#6f3b9c"),
    VerdictStatus.HOLIDAY: Term("Hari libur", "Holiday", "#1d5fa8"),
    VerdictStatus.NON_WORKING_DAY: Term("Bukan hari kerja", "Non-working day", "#c9d1db"),
    VerdictStatus.EXCUSED: Term("Dikecualikan", "Excused", "#0d7378"),
}
VERDICT_ORDER: tuple[VerdictStatus, ...] = tuple(VERDICT_TERMS)

# Days on which the office was expected to open and the cameras could tell: the denominator of
# the on-time percentage. "No data" is a camera fault, not the office's; holidays and excused
# days are not judged at all.
JUDGED: frozenset[VerdictStatus] = frozenset(
    {
        VerdictStatus.ON_TIME,
        VerdictStatus.LATE,
        VerdictStatus.NOT_OPENED,
        VerdictStatus.CLOSED_EARLY,
    }
)
# The office was seen open that day (on time, late, or it closed early).
OPENED: frozenset[VerdictStatus] = frozenset(
    {VerdictStatus.ON_TIME, VerdictStatus.LATE, VerdictStatus.CLOSED_EARLY}
)


class CameraHealth(StrEnum):
    """What the command-centre wall says about a camera, from its latest capture."""

    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"
    FROZEN = "frozen"
    DARK = "dark"
    NO_DETAIL = "no_detail"
    MOVED = "moved"


CAMERA_HEALTH_TERMS: dict[CameraHealth, Term] = {
    CameraHealth.UNKNOWN: Term("Belum ada gambar", "No picture yet", "#4d5866"),
    CameraHealth.ONLINE: Term("Daring", "Online", "#17753a"),
    CameraHealth.OFFLINE: Term("Luring", "Offline", "#c0262d"),
    CameraHealth.FROZEN: Term("Gambar membeku", "Frozen image", "#f2a900"),
    CameraHealth.DARK: Term("Gambar gelap", "Dark image", "#f2a900"),
    CameraHealth.NO_DETAIL: Term("Lensa tertutup/buram", "Lens covered/out of focus", "#f2a900"),
    CameraHealth.MOVED: Term("Kamera bergeser", "Camera moved", "#f2a900"),
}

# Abbreviations of the Indonesian time zones; other zones are shown by their IANA key.
ZONE_LABELS: dict[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def zone_label(zone_key: str) -> str:
    """``"Asia/Makassar"`` → ``"WITA"``; unknown zones return their key unchanged."""
    return ZONE_LABELS.get(zone_key, zone_key)


def email_list(text: str | None) -> list[str]:
    """A comma-separated list of addresses as stored in the settings and models, cleaned."""
    return [address.strip() for address in (text or "").split(",") if address.strip()]
