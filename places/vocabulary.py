"""The product's vocabulary: every status, its stored value, its words, its colour, its order.

Pure Python (no Django): the domain, the report rows, the models' choices, the pages, the exports
and the API all take their statuses from here, so a status is named, ordered and coloured once.
Words come in Bahasa Indonesia (the source language) and English; models wrap them lazily so
the active language picks one (see ``places.words``), and the model choices take their
labels from here instead of writing the words again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


def gettext_noop(message: str) -> str:
    """Marks an Indonesian word for the translation catalogue (makemessages finds this name);
    the word is translated where it is shown, through ``places.words.word``."""
    return message


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
    VerdictStatus.ON_TIME: Term(gettext_noop("Tepat waktu"), "On time", "#17753a"),
    VerdictStatus.LATE: Term(gettext_noop("Terlambat"), "Late", "#f2a900"),
    VerdictStatus.NOT_OPENED: Term(gettext_noop("Tidak buka"), "Not opened", "#c0262d"),
    VerdictStatus.NO_DATA: Term(gettext_noop("Tidak ada data"), "No data", "#4d5866"),
    VerdictStatus.CLOSED_EARLY: Term(gettext_noop("Tutup lebih awal"), "Closed early", "#6f3b9c"),
    VerdictStatus.HOLIDAY: Term(gettext_noop("Hari libur"), "Holiday", "#1d5fa8"),
    VerdictStatus.NON_WORKING_DAY: Term(
        gettext_noop("Bukan hari kerja"), "Non-working day", "#c9d1db"
    ),
    VerdictStatus.EXCUSED: Term(gettext_noop("Dikecualikan"), "Excused", "#0d7378"),
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
    CameraHealth.UNKNOWN: Term(gettext_noop("Belum ada gambar"), "No picture yet", "#4d5866"),
    CameraHealth.ONLINE: Term(gettext_noop("Daring"), "Online", "#17753a"),
    CameraHealth.OFFLINE: Term(gettext_noop("Luring"), "Offline", "#c0262d"),
    CameraHealth.FROZEN: Term(gettext_noop("Gambar membeku"), "Frozen image", "#f2a900"),
    CameraHealth.DARK: Term(gettext_noop("Gambar gelap"), "Dark image", "#f2a900"),
    CameraHealth.NO_DETAIL: Term(
        gettext_noop("Lensa tertutup/buram"), "Lens covered/out of focus", "#f2a900"
    ),
    CameraHealth.MOVED: Term(gettext_noop("Kamera bergeser"), "Camera moved", "#f2a900"),
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
