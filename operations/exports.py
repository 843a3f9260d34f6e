"""The deployment order (lampiran Sprin) as PDF, XLSX and CSV, and a village team as chat text.

Every file is rendered from the OrderPlan the order selector returns (operations/selectors/order.py),
so the three files and the board agree. Text reaches the PDF only through ``text_paragraph`` and the
spreadsheets only through ``safe_row`` / ``SafeCsvWriter``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from operations.models import Duty, Officer, Operation, RiskLevel, Unit
from operations.selectors.deployment import VillageTeam, team_leader
from operations.selectors.order import OrderPlan, order_plan
from pilkades.pdf import FONT, FONT_BOLD, stylesheet, text_paragraph
from pilkades.spreadsheets import SafeCsvWriter, safe_row


def _duty_text(assignment) -> str:
    return str(assignment.get_duty_display())


def candidate_label(candidate) -> str:
    if candidate.ballot_number is None:
        return candidate.full_name
    return f"{candidate.full_name} (No. {candidate.ballot_number})"


def _date(value) -> str:
    return formats.date_format(value, "j F Y") if value else "…………………"


# --- the order as rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderRow:
    """One officer's line of the order; sections without a village leave its columns empty."""

    section: str
    kecamatan: str
    desa: str
    level: str
    number: int
    name: str
    rank: str
    nrp: str
    jabatan: str
    unit: str
    duty: str
    note: str

    def member_cells(self) -> list:
        return [self.number, self.name, self.rank, self.nrp, self.jabatan, self.unit, self.duty, self.note]

    def cells(self) -> list:
        return [self.section, self.kecamatan, self.desa, self.level, *self.member_cells()]


def _row(officer: Officer, *, number: int, section: str, duty: str, note: str = "", **place: str) -> OrderRow:
    return OrderRow(
        section=section,
        kecamatan=place.get("kecamatan", ""),
        desa=place.get("desa", ""),
        level=place.get("level", ""),
        number=number,
        name=officer.name,
        rank=officer.get_rank_display(),
        nrp=officer.nrp,
        jabatan=officer.position_title,
        unit=officer.unit.name,
        duty=duty,
        note=note,
    )


def _member_note(member, *, leader: bool) -> str:
    notes = []
    if leader:
        notes.append(_("Ketua tim"))
    if member.candidate_id:
        notes.append(_("Calon: %(candidate)s") % {"candidate": candidate_label(member.candidate)})
    if member.command_reason:
        notes.append(_("Alasan: %(reason)s") % {"reason": member.command_reason})
    return "; ".join(notes)


def team_rows(team: VillageTeam, *, kecamatan: str) -> list[OrderRow]:
    """A village's team: guards (leader first), boat team, then each candidate's escort pair."""
    s = team.standing
    place = {
        "kecamatan": kecamatan,
        "desa": s.village_election.desa.name,
        "level": str(RiskLevel(s.level).label),
    }
    leader = team.leader
    guards = sorted(team.guards, key=lambda m: (m is not leader, m.duty == Duty.BOAT_TEAM))
    members = guards + [m for pair in team.escort_pairs for m in pair.members]
    return [
        _row(
            m.officer,
            number=n,
            section=_("Desa"),
            duty=_duty_text(m),
            note=_member_note(m, leader=m is leader),
            **place,
        )
        for n, m in enumerate(members, start=1)
    ]


def order_rows(plan: OrderPlan) -> list[OrderRow]:
    rows = [
        _row(o, number=n, section=_("Garis komando"), duty=_("Pimpinan operasi"))
        for n, o in enumerate(plan.command_line, start=1)
    ]
    rows += [
        _row(o, number=n, section=_("Posko"), duty=_("Staf posko")) for n, o in enumerate(plan.posko, start=1)
    ]
    for section in plan.kecamatan:
        rows += [
            _row(o, number=n, section=_("Pengendali"), duty=_("Pengendali wilayah"), kecamatan=section.name)
            for n, o in enumerate(section.controllers, start=1)
        ]
        for team in section.teams:
            rows += team_rows(team, kecamatan=section.name)
        rows += [
            _row(m.officer, number=n, section=_("Patroli"), duty=_duty_text(m), kecamatan=section.name)
            for n, m in enumerate(section.patrols, start=1)
        ]
    for group in plan.reserve:
        rows += [
            _row(officer, number=n, section=_("Cadangan"), duty=_("Cadangan"), note=group.place)
            for n, (officer, _posting) in enumerate(group.members, start=1)
        ]
    return rows


@dataclass(frozen=True)
class LevelTotal:
    level: str
    villages: int
    required: int
    assigned: int
    shortfall: int


def level_totals(teams: list[VillageTeam]) -> list[LevelTotal]:
    totals = []
    for level in sorted(RiskLevel, reverse=True):
        rows = [t.standing for t in teams if t.standing.level == level]
        totals.append(
            LevelTotal(
                level=str(level.label),
                villages=len(rows),
                required=sum(r.required_personnel for r in rows),
                assigned=sum(r.assigned_personnel for r in rows),
                shortfall=sum(r.shortfall for r in rows),
            )
        )
    return totals


def _member_headers() -> list[str]:
    return [
        # With a context: Django's own Indonesian catalogue translates a bare "No" as "Tidak".
        pgettext("running number column", "No."),
        _("Nama"),
        _("Pangkat"),
        _("NRP"),
        _("Jabatan"),
        _("Satuan"),
        _("Tugas"),
        _("Keterangan"),
    ]


def _headers() -> list[str]:
    return [_("Bagian"), _("Kecamatan"), _("Desa"), _("Tingkat"), *_member_headers()]


def _level_total_headers() -> list[str]:
    return [_("Tingkat"), _("Desa"), _("Kebutuhan"), _("Ditugaskan"), _("Kekurangan")]


def _unit_total_headers() -> list[str]:
    return [
        _("Satuan"),
        _("Desa/TPS"),
        _("Pam melekat"),
        _("Tim kapal"),
        _("Patroli"),
        _("Cadangan"),
        _("Jumlah"),
    ]


def _unit_total_rows(plan: OrderPlan) -> list[list]:
    rows = [[t.unit, t.village, t.escort, t.boat, t.patrol, t.reserve, t.total] for t in plan.totals]
    rows.append([_("Jumlah"), *(sum(r[i] for r in rows) for i in range(1, 7))])
    return rows


def _signatory_title(plan: OrderPlan) -> str:
    unit = plan.signatory_unit.upper()
    return (
        _("KEPALA KEPOLISIAN RESOR %(unit)s") % {"unit": unit.removeprefix("POLRES ").strip()}
        if unit
        else _("KEPALA KEPOLISIAN RESOR")
    )


def _title(operation: Operation) -> str:
    return _("Lampiran Surat Perintah %(number)s — %(operation)s") % {
        "number": operation.sprin_number or "",
        "operation": operation.name,
    }


def _header_lines(plan: OrderPlan) -> list[str]:
    operation = plan.operation
    lines = [
        _("Nomor: %(number)s") % {"number": operation.sprin_number or "…………………"},
        _("Tanggal: %(date)s") % {"date": _date(operation.order_date)},
        _("Operasi: %(operation)s (%(election)s)")
        % {"operation": operation.name, "election": operation.election.name},
    ]
    if plan.polsek is not None:
        lines.append(_("Petikan untuk %(polsek)s") % {"polsek": plan.polsek.name})
    return lines


def _items(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# --- PDF -----------------------------------------------------------------------------------------

# One column layout for every officer table (A4 portrait, 18 cm between the margins). Sized for
# DejaVu Sans at 7.5 pt, wider than Helvetica: an 8-digit NRP, the bold "Pangkat" and "Keterangan"
# headers, every rank that fitted in Helvetica and "Anggota Polda (BKO)" stay on one line. The duty
# column gave most of the room: its longer duties wrap in DejaVu Sans at 3.3 cm as at 2.9 cm.
MEMBER_WIDTHS = [c * cm for c in (0.8, 3.4, 1.5, 1.6, 3.0, 2.8, 2.9, 2.0)]
PAGE_WIDTH = sum(MEMBER_WIDTHS)


class NumberedCanvas(canvas.Canvas):
    """Draws "Hal. x dari y" on every page: pages are kept until the total is known (two passes)."""

    def __init__(self, *args, footer: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer = footer

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 8)
            width, _height = self._pagesize
            self.drawRightString(
                width - 1.5 * cm,
                1 * cm,
                _("Hal. %(page)s dari %(pages)s") % {"page": self._pageNumber, "pages": total},
            )
            if self._footer:
                self.drawString(1.5 * cm, 1 * cm, self._footer)
            super().showPage()
        super().save()


class _Styles:
    def __init__(self) -> None:
        base = stylesheet()
        self.title = ParagraphStyle(
            "order-title", parent=base["Title"], fontSize=13, leading=16, spaceAfter=2
        )
        self.center = ParagraphStyle("order-center", parent=base["Normal"], alignment=TA_CENTER, fontSize=10)
        self.normal = ParagraphStyle("order-normal", parent=base["Normal"], fontSize=9.5, leading=12)
        self.h2 = ParagraphStyle(
            "order-h2",
            parent=base["Heading2"],
            fontSize=11.5,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=True,
        )
        self.h3 = ParagraphStyle(
            "order-h3", parent=base["Heading4"], fontSize=9.5, spaceBefore=6, spaceAfter=2, keepWithNext=True
        )
        self.cell = ParagraphStyle("order-cell", parent=base["Normal"], fontSize=7.5, leading=9)
        self.head = ParagraphStyle("order-head", parent=self.cell, fontName=FONT_BOLD)
        self.sign = ParagraphStyle(
            "order-sign", parent=base["Normal"], fontSize=10, leading=13, alignment=TA_CENTER
        )


# A table sets its cells' font even around paragraphs: without a font of its own it would name
# reportlab's Helvetica in the PDF.
TABLE_FONT = ("FONTNAME", (0, 0), (-1, -1), FONT)

GRID = [
    TABLE_FONT,
    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
]


CELL_PADDING = 6  # LEFTPADDING + RIGHTPADDING of GRID


def _member_cells(styles: _Styles, row: OrderRow) -> list:
    """A member row's cells: a value that fits its column on one line as a plain string (drawn as
    text, no markup parsed), a longer one as a wrapping paragraph.

    A kabupaten's order holds ~8,500 cells; as paragraphs they were most of the PDF's time.
    """
    font, size = styles.cell.fontName, styles.cell.fontSize
    cells = []
    for value, width in zip(row.member_cells(), MEMBER_WIDTHS, strict=True):
        text = str(value)
        fits = "\n" not in text and stringWidth(text, font, size) <= width - CELL_PADDING
        cells.append(text if fits else text_paragraph(text, styles.cell))
    return cells


def _member_table(
    styles: _Styles, rows: list[OrderRow], *, caption: str = "", spans: dict[int, str] | None = None
):
    """One officer table in the shared layout. ``caption`` heads it (repeated on every page it
    spans, so a village heading is never stranded); ``spans`` puts a full-width line before a row."""
    data = []
    cell = styles.cell
    # Plain-string cells take their font from the table: the same as the paragraph cells'.
    style = [
        *GRID,
        ("FONTNAME", (0, 0), (-1, -1), cell.fontName),
        ("FONTSIZE", (0, 0), (-1, -1), cell.fontSize),
        ("LEADING", (0, 0), (-1, -1), cell.leading),
    ]
    header_rows = 0
    if caption:
        data.append([text_paragraph(caption, styles.head)] + [""] * 7)
        style += [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ec"))]
        header_rows += 1
    data.append([text_paragraph(h, styles.head) for h in _member_headers()])
    style.append(("BACKGROUND", (0, header_rows), (-1, header_rows), colors.HexColor("#eef1f5")))
    header_rows += 1
    for index, row in enumerate(rows):
        if spans and index in spans:
            data.append([text_paragraph(spans[index], styles.head)] + [""] * 7)
            at = len(data) - 1
            style += [
                ("SPAN", (0, at), (-1, at)),
                ("BACKGROUND", (0, at), (-1, at), colors.HexColor("#f6f7f9")),
            ]
        data.append(_member_cells(styles, row))
    return Table(
        data, colWidths=MEMBER_WIDTHS, repeatRows=header_rows, style=TableStyle(style), hAlign="LEFT"
    )


def _plain_table(styles: _Styles, headers: list[str], rows: list[list]):
    width = PAGE_WIDTH / len(headers)
    first = PAGE_WIDTH - width * (len(headers) - 1)
    data = [[text_paragraph(h, styles.head) for h in headers]]
    # Counts line up on the right; the first column names the row.
    right = ParagraphStyle("order-cell-right", parent=styles.cell, alignment=TA_RIGHT)
    data += [
        [text_paragraph(row[0], styles.cell), *(text_paragraph(value, right) for value in row[1:])]
        for row in rows
    ]
    style = [*GRID, ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5"))]
    return Table(
        data,
        colWidths=[first] + [width] * (len(headers) - 1),
        repeatRows=1,
        style=TableStyle(style),
        hAlign="LEFT",
    )


def _village_caption(team: VillageTeam) -> str:
    s = team.standing
    desa = s.village_election.desa
    text = _(
        "Desa %(desa)s — %(level)s (skor %(score)s): kebutuhan %(need)s, "
        "ditugaskan %(assigned)s, kurang %(short)s"
    ) % {
        "desa": desa.name,
        "level": RiskLevel(s.level).label,
        "score": formats.number_format(s.score, 2, use_l10n=True),
        "need": s.required_personnel,
        "assigned": s.assigned_personnel,
        "short": s.shortfall,
    }
    if desa.sea_access_only:
        text += " · " + _("lewat laut")
    return text


def order_pdf(*, plan: OrderPlan) -> bytes:
    operation = plan.operation
    styles = _Styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.8 * cm,
        title=_title(operation),
        # reportlab's canvas otherwise opens every page in Helvetica, a font that cannot draw the text.
        initialFontName=FONT,
    )
    story = [
        text_paragraph(_("LAMPIRAN SURAT PERINTAH"), styles.title),
        *(text_paragraph(line, styles.center) for line in _header_lines(plan)),
        Spacer(1, 0.3 * cm),
    ]
    for heading, text in ((_("Dasar"), operation.order_basis), (_("Untuk"), operation.order_purpose)):
        items = _items(text)
        if items:
            story.append(text_paragraph(heading, styles.h3))
            story += [text_paragraph(f"{n}. {item}", styles.normal) for n, item in enumerate(items, start=1)]

    def member_rows(officers, duty: str, section: str, **place) -> list[OrderRow]:
        return [
            _row(o, number=n, section=section, duty=duty, **place) for n, o in enumerate(officers, start=1)
        ]

    story.append(text_paragraph(_("I. Garis komando"), styles.h2))
    if plan.command_line:
        story.append(_member_table(styles, member_rows(plan.command_line, _("Pimpinan operasi"), "")))
    else:
        story.append(text_paragraph(_("Belum ada pimpinan berjabatan di katalog."), styles.normal))
    if plan.posko:
        story.append(_member_table(styles, member_rows(plan.posko, _("Staf posko"), ""), caption=_("Posko")))

    story.append(text_paragraph(_("II. Pengamanan desa"), styles.h2))
    for section in plan.kecamatan:
        story.append(
            text_paragraph(
                _("Kecamatan %(name)s (%(polsek)s)")
                % {"name": section.name, "polsek": section.polsek.name if section.polsek else "—"},
                styles.h3,
            )
        )
        if section.controllers:
            story.append(
                _member_table(
                    styles,
                    member_rows(section.controllers, _("Pengendali wilayah"), "", kecamatan=section.name),
                    caption=_("Pengendali Kecamatan %(name)s") % {"name": section.name},
                )
            )
        for team in section.teams:
            rows = team_rows(team, kecamatan=section.name)
            spans = {}
            offset = len(team.guards)
            for pair in team.escort_pairs:
                spans[offset] = _("Pam melekat calon %(candidate)s") % {
                    "candidate": candidate_label(pair.candidate)
                }
                offset += len(pair.members)
            if not rows:
                story.append(
                    KeepTogether(
                        [
                            text_paragraph(_village_caption(team), styles.head),
                            text_paragraph(_("Belum ada personel."), styles.cell),
                        ]
                    )
                )
                continue
            story.append(_member_table(styles, rows, caption=_village_caption(team), spans=spans))
        if section.patrol_need or section.patrols:
            caption = _("Patroli Kecamatan %(name)s: kebutuhan %(need)s, ditugaskan %(n)s") % {
                "name": section.name,
                "need": section.patrol_need,
                "n": len(section.patrols),
            }
            rows = [
                _row(m.officer, number=n, section="", duty=_duty_text(m))
                for n, m in enumerate(section.patrols, 1)
            ]
            if not rows:  # like a village without officers: no empty table under the heading
                story.append(
                    KeepTogether(
                        [
                            text_paragraph(caption, styles.head),
                            text_paragraph(_("Belum ada personel."), styles.cell),
                        ]
                    )
                )
            else:
                story.append(_member_table(styles, rows, caption=caption))

    story.append(text_paragraph(_("III. Cadangan"), styles.h2))
    if not plan.reserve:
        story.append(text_paragraph(_("Tidak ada personel cadangan."), styles.normal))
    for group in plan.reserve:
        rows = [
            _row(o, number=n, section="", duty=_("Cadangan"), note=_("ditugaskan") if posting else "")
            for n, (o, posting) in enumerate(group.members, start=1)
        ]
        story.append(_member_table(styles, rows, caption=_("Cadangan di %(place)s") % {"place": group.place}))

    story.append(text_paragraph(_("IV. Rekapitulasi"), styles.h2))
    story.append(text_paragraph(_("Rekapitulasi per satuan"), styles.h3))
    story.append(_plain_table(styles, _unit_total_headers(), _unit_total_rows(plan)))
    story.append(text_paragraph(_("Rekapitulasi per tingkat"), styles.h3))
    story.append(
        _plain_table(
            styles,
            _level_total_headers(),
            [[t.level, t.villages, t.required, t.assigned, t.shortfall] for t in level_totals(plan.teams)],
        )
    )
    story.append(Spacer(1, 0.8 * cm))
    story.append(_signature_block(plan, styles))

    footer = _("Lampiran Sprin %(number)s") % {"number": operation.sprin_number or ""}
    doc.build(story, canvasmaker=lambda *a, **k: NumberedCanvas(*a, footer=footer, **k))
    return buffer.getvalue()


def _signature_block(plan: OrderPlan, styles: _Styles):
    operation = plan.operation
    rank = Officer(rank=operation.signatory_rank).get_rank_display() if operation.signatory_rank else ""
    lines = [
        _("Dikeluarkan pada tanggal %(date)s") % {"date": _date(operation.order_date)},
        _signatory_title(plan),
        " ",
        " ",
        " ",
        operation.signatory_name or "……………………………",
        (_("%(rank)s NRP %(nrp)s") % {"rank": rank, "nrp": operation.signatory_nrp}).strip()
        if operation.signatory_nrp or rank
        else _("Pangkat / NRP ……………"),
    ]
    block = Table(
        [[text_paragraph(line, styles.sign)] for line in lines],
        # "Dikeluarkan pada tanggal 30 September 2019" on one line in DejaVu Sans at 10 pt.
        colWidths=[9 * cm],
        hAlign="RIGHT",
        style=TableStyle([TABLE_FONT, ("LINEBELOW", (0, 5), (0, 5), 0.6, colors.black)]),
    )
    return KeepTogether([block])


# --- spreadsheets --------------------------------------------------------------------------------


def order_xlsx(*, plan: OrderPlan) -> bytes:
    operation = plan.operation
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Lampiran Sprin")[:31]
    sheet.append(safe_row([_title(operation)]))
    sheet["A1"].font = Font(bold=True)
    sheet.append(safe_row(_header_lines(plan)))
    sheet.append(safe_row(_headers()))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in order_rows(plan):
        sheet.append(safe_row(row.cells()))
    units = workbook.create_sheet(_("Rekap per satuan")[:31])
    units.append(safe_row(_unit_total_headers()))
    for row in _unit_total_rows(plan):
        units.append(safe_row(row))
    totals = workbook.create_sheet(_("Rekap per tingkat")[:31])
    totals.append(safe_row(_level_total_headers()))
    for t in level_totals(plan.teams):
        totals.append(safe_row([t.level, t.villages, t.required, t.assigned, t.shortfall]))
    text = workbook.create_sheet(_("Dasar dan penandatangan")[:31])
    for n, item in enumerate(_items(operation.order_basis), start=1):
        text.append(safe_row([_("Dasar"), n, item]))
    for n, item in enumerate(_items(operation.order_purpose), start=1):
        text.append(safe_row([_("Untuk"), n, item]))
    rank = Officer(rank=operation.signatory_rank).get_rank_display() if operation.signatory_rank else ""
    text.append(
        safe_row(
            [
                _("Penandatangan"),
                _signatory_title(plan),
                operation.signatory_name,
                rank,
                operation.signatory_nrp,
            ]
        )
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def order_csv(*, plan: OrderPlan) -> str:
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(_headers())
    writer.writerows(row.cells() for row in order_rows(plan))
    return buffer.getvalue()


ORDER_FORMATS = ("pdf", "xlsx", "csv")


def order_file(
    *, operation: Operation, file_format: str, polsek: Unit | None = None
) -> tuple[bytes | str, str, str]:
    """The order of an operation, or one Polsek's extract, as (body, content type, file name)."""
    plan = order_plan(operation=operation, polsek=polsek)
    suffix = f"-{slugify(polsek.name)}" if polsek is not None else ""
    filename = f"lampiran-sprin-{slugify(operation.name)}{suffix}.{file_format}"
    if file_format == "pdf":
        return order_pdf(plan=plan), "application/pdf", filename
    if file_format == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return order_xlsx(plan=plan), content_type, filename
    return order_csv(plan=plan), "text/csv; charset=utf-8", filename


def team_summary_text(*, operation: Operation, team: VillageTeam) -> str:
    """A few lines a staff member pastes into a chat group."""
    s = team.standing
    leader = team_leader(team=team.members)
    lines = [
        _("%(operation)s — Desa %(desa)s, Kec. %(kecamatan)s (%(level)s)")
        % {
            "operation": operation.name,
            "desa": s.village_election.desa.name,
            "kecamatan": s.kecamatan.name,
            "level": RiskLevel(s.level).label,
        },
        _("Personel: %(assigned)s dari kebutuhan %(need)s")
        % {"assigned": s.assigned_personnel, "need": s.required_personnel}
        + (_(" (kurang %(n)s)") % {"n": s.shortfall} if s.shortfall else ""),
    ]
    if leader is not None:
        lines.append(
            _("Ketua tim: %(rank)s %(name)s (%(nrp)s)")
            % {
                "rank": leader.officer.get_rank_display(),
                "name": leader.officer.name,
                "nrp": leader.officer.nrp,
            }
        )
    for number, member in enumerate(team.members, start=1):
        lines.append(
            f"{number}. {member.officer.get_rank_display()} {member.officer.name} "
            f"({member.officer.nrp}, {member.officer.unit.name}) — {_duty_text(member)}"
            + (f": {candidate_label(member.candidate)}" if member.candidate_id else "")
        )
    return "\n".join(lines) + "\n"
