"""Situation report (Lapsit): plain data in (selectors.lapsit_data), text for a chat group or a PDF out.

The text is what a Posko officer would type into the Kapolres' chat group: short lines, one per
incident, no markup (chat apps would render ``*bold*`` differently on every client). The PDF draws
the same lines, each through pilkades.pdf.text_paragraph (the one place PDF text is escaped), in
pilkades.pdf's styles: a font that draws the names and free texts of any province, not WinAnsi only.
"""

from __future__ import annotations

import io
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer

from election_day.geo import km_text
from pilkades.pdf import stylesheet, text_paragraph


def _time(iso: str | None) -> str:
    if not iso:
        return "–"
    return time_format(timezone.localtime(datetime.fromisoformat(iso)), "TIME_FORMAT")


def _stamp(iso: str) -> str:
    """Date and time with the zone's name (WIB, WITA, WIT): the text travels to other Polres' chats."""
    local = timezone.localtime(datetime.fromisoformat(iso))
    return f"{date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


def incident_line(row: dict) -> str:
    line = _("#%(id)d [T%(severity)d] %(time)s %(category)s — %(desa)s, Kec. %(kecamatan)s: %(text)s") % {
        "id": row["id"],
        "severity": row["severity"],
        "time": _time(row["reported_at"]),
        "category": row["category"],
        "desa": row["desa"],
        "kecamatan": row["kecamatan"],
        "text": " ".join(str(row["description"]).split())[:160],
    }
    line += f" ({row['state_label']}"
    if row.get("dispatched"):
        line += _(", %(n)d personel dikirim") % {"n": row["dispatched"]}
    if row.get("resolution_note"):
        line += ": " + " ".join(str(row["resolution_note"]).split())[:160]
    return line + ")"


def far_line(far: dict) -> str:
    """Arrivals reported far from their desa's point (selectors' ``far``), farthest first: the
    Posko asked these officers where they were; the Kapolres reads who and how far."""
    line = _("Lapor tiba jauh dari titik desa (lebih dari %(km)s km): %(n)d") % {
        "km": km_text(far["threshold_m"]),
        "n": far["total"],
    }
    named = [
        _("%(officer)s (%(nrp)s), %(place)s: %(km)s km")
        % {"officer": o["officer"], "nrp": o["nrp"], "place": o["place"], "km": km_text(o["distance_m"])}
        for o in far["officers"]
    ]
    if named:
        line += " — " + "; ".join(named)
        if far["total"] > len(named):
            line += _("; dan %(n)d lainnya") % {"n": far["total"] - len(named)}
    return line


def sections(data: dict) -> list[tuple[str, list[str]]]:
    """(heading, lines) in report order; the text and the PDF both draw these."""
    people = data["personnel"]
    head = [
        _("Operasi: %(name)s") % {"name": data["operation"]["name"]},
        _("Waktu: %(time)s") % {"time": _stamp(data["generated_at"])},
        _("Tahap: %(stage)s") % {"stage": data["stage"]["label"]},
    ]
    if data.get("closed_at"):
        head.append(_("Operasi ditutup: %(time)s") % {"time": _stamp(data["closed_at"])})
    result = [("", head)]
    villages = [_("Belum dimulai: %(n)d") % {"n": data["villages_not_started"]}] + [
        f"{s['label']}: {s['count']}" for s in data["villages_per_stage"] if s["count"]
    ]
    result.append((_("Desa per tahap (%(n)d desa)") % {"n": data["villages_total"]}, villages))
    personnel = [
        _("Hadir %(present)d dari %(planned)d rencana; selesai tugas %(finished)d; belum tiba %(late)d")
        % {
            "present": people["present"],
            "planned": people["planned"],
            "finished": people["finished"],
            "late": data["late"]["total"],
        }
    ]
    far = data.get("far") or {}
    if far.get("total"):
        personnel.append(far_line(far))
    result.append((_("Personel"), personnel))
    open_rows = [r for r in data["incidents"] if r["state"] != "resolved"]
    closed_rows = [r for r in data["incidents"] if r["state"] == "resolved"]
    result.append(
        (
            _("Kejadian terbuka (%(n)d)") % {"n": sum(data["incidents_open"].values())},
            [incident_line(r) for r in open_rows] or [_("Nihil.")],
        )
    )
    result.append(
        (
            _("Kejadian selesai (%(n)d)") % {"n": data["incidents_closed"]},
            [incident_line(r) for r in closed_rows] or [_("Nihil.")],
        )
    )
    result.append((_("Menonjol"), data["notable"] or [_("Nihil.")]))
    if data.get("timeline") is not None:
        timeline = data["timeline"] or [_("Belum ada Lapsit tersimpan.")]
        result.append((_("Kronologi (Lapsit per jam)"), timeline))
    return result


def lapsit_title(data: dict) -> str:
    return _("LAPORAN AKHIR OPERASI") if data.get("final") else _("LAPSIT (LAPORAN SITUASI)")


def lapsit_text(data: dict) -> str:
    lines = [lapsit_title(data)]
    for heading, body in sections(data):
        if heading:
            lines += ["", heading.upper()]
        lines += [f"- {line}" if heading else line for line in body]
    # No trailing newline: pasted into a chat as is, and kept whole by an XML dump (its loader strips).
    return "\n".join(lines)


def lapsit_pdf(data: dict) -> bytes:
    styles = stylesheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=lapsit_title(data),
    )
    story = [text_paragraph(lapsit_title(data), styles["Title"])]
    for heading, body in sections(data):
        if heading:
            story.append(text_paragraph(heading, styles["Heading2"]))
        story += [text_paragraph(line, styles["Normal"]) for line in body]
        story.append(Spacer(1, 3 * mm))
    doc.build(story)
    return out.getvalue()


def timeline_line(snapshot_data: dict) -> str:
    """One line of the final report's chronology from an hourly snapshot's data."""
    people = snapshot_data["personnel"]
    stages = ", ".join(
        f"{s['label']} {s['count']}" for s in snapshot_data["villages_per_stage"] if s["count"]
    )
    return _(
        "%(time)s — hadir %(present)d/%(planned)d; desa: %(stages)s; "
        "kejadian terbuka %(open)d, selesai %(closed)d"
    ) % {
        "time": _time(snapshot_data["generated_at"]),
        "present": people["present"],
        "planned": people["planned"],
        "stages": stages or _("belum dimulai"),
        "open": sum(snapshot_data["incidents_open"].values()),
        "closed": snapshot_data["incidents_closed"],
    }
