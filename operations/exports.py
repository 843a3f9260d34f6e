"""The deployment order (lampiran Sprin) as PDF, XLSX and CSV, and a village team as chat text.

Everything is rendered from the Board the selector returns, so the files and the board agree.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from itertools import groupby

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from operations.models import Operation, RiskLevel
from operations.selectors.deployment import Board, VillageTeam, deployment_board, team_leader
from pilkades.pdf import text_paragraph
from pilkades.spreadsheets import SafeCsvWriter, safe_row


@dataclass(frozen=True)
class OrderLine:
    kecamatan: str
    desa: str
    level: str
    number: int
    name: str
    rank: str
    nrp: str
    unit: str
    duty: str
    leader: bool


def _teams_by_area(board: Board) -> list[VillageTeam]:
    return sorted(board.teams, key=lambda t: (t.standing.kecamatan.name, t.standing.desa_code))


def _line(
    member, *, number: int, kecamatan: str, desa: str = "", level: str = "", leader: bool = False
) -> OrderLine:
    """One officer's line of the order; the village's columns stay empty for patrols and reserve."""
    officer = member.officer
    return OrderLine(
        kecamatan=kecamatan,
        desa=desa,
        level=level,
        number=number,
        name=officer.name,
        rank=officer.get_rank_display(),
        nrp=officer.nrp,
        unit=officer.unit.name,
        duty=_duty_text(member),
        leader=leader,
    )


def order_lines(board: Board) -> list[OrderLine]:
    lines = []
    for team in _teams_by_area(board):
        leader = team.leader
        lines.extend(
            _line(
                member,
                number=number,
                kecamatan=team.standing.kecamatan.name,
                desa=team.standing.village_election.desa.name,
                level=str(RiskLevel(team.standing.level).label),
                leader=member is leader,
            )
            for number, member in enumerate(team.members, start=1)
        )
    lines.extend(
        _line(member, number=number, kecamatan=member.kecamatan.name if member.kecamatan else "")
        for number, member in enumerate(board.elsewhere, start=1)
    )
    return lines


def _duty_text(assignment) -> str:
    if assignment.candidate_id:
        return f"{assignment.get_duty_display()}: {assignment.candidate.full_name}"
    return str(assignment.get_duty_display())


@dataclass(frozen=True)
class LevelTotal:
    level: str
    villages: int
    required: int
    assigned: int
    shortfall: int


def level_totals(board: Board) -> list[LevelTotal]:
    totals = []
    for level in sorted(RiskLevel, reverse=True):
        rows = [t.standing for t in board.teams if t.standing.level == level]
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
        pgettext("running number column", "No"),
        _("Nama"),
        _("Pangkat"),
        _("NRP"),
        _("Satuan"),
        _("Tugas"),
        _("Ketua tim"),
    ]


def _headers() -> list[str]:
    return [_("Kecamatan"), _("Desa"), _("Tingkat"), *_member_headers()]


def _level_total_headers() -> list[str]:
    return [_("Tingkat"), _("Desa"), _("Kebutuhan"), _("Ditugaskan"), _("Kekurangan")]


def _row(line: OrderLine) -> list:
    leader = _("Ketua tim") if line.leader else ""
    return [
        line.kecamatan,
        line.desa,
        line.level,
        line.number,
        line.name,
        line.rank,
        line.nrp,
        line.unit,
        line.duty,
        leader,
    ]


def _title(operation: Operation) -> str:
    return _("Lampiran Surat Perintah %(number)s — %(operation)s") % {
        "number": operation.sprin_number or "",
        "operation": operation.name,
    }


def order_pdf(*, operation: Operation, board: Board) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=_title(operation),
    )
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    story = [
        text_paragraph(_title(operation), styles["Title"]),
        text_paragraph(
            _("Pilkades: %(election)s. Dicetak %(date)s.")
            % {"election": operation.election.name, "date": timezone.localdate().strftime("%d-%m-%Y")},
            styles["Normal"],
        ),
        Spacer(1, 0.4 * cm),
    ]
    member_headers = _member_headers()
    for kecamatan, teams in groupby(_teams_by_area(board), key=lambda t: t.standing.kecamatan.name):
        story.append(text_paragraph(_("Kecamatan %(name)s") % {"name": kecamatan}, styles["Heading2"]))
        for team in teams:
            s = team.standing
            story.append(
                text_paragraph(
                    _("Desa %(desa)s (%(level)s): butuh %(need)s, ada %(assigned)s, kurang %(short)s")
                    % {
                        "desa": s.village_election.desa.name,
                        "level": RiskLevel(s.level).label,
                        "need": s.required_personnel,
                        "assigned": s.assigned_personnel,
                        "short": s.shortfall,
                    },
                    styles["Heading4"],
                )
            )
            if not team.members:
                story.append(text_paragraph(_("Belum ada personel."), styles["Normal"]))
                continue
            leader = team.leader
            rows = [member_headers] + [
                [
                    n,
                    m.officer.name,
                    m.officer.get_rank_display(),
                    m.officer.nrp,
                    m.officer.unit.name,
                    _duty_text(m),
                    _("Ketua tim") if m is leader else "",
                ]
                for n, m in enumerate(team.members, start=1)
            ]
            story.append(Table(rows, style=grid, repeatRows=1, hAlign="LEFT"))
    if board.elsewhere:
        story.append(text_paragraph(_("Patroli dan cadangan"), styles["Heading2"]))
        rows = [member_headers] + [
            [
                n,
                m.officer.name,
                m.officer.get_rank_display(),
                m.officer.nrp,
                m.officer.unit.name,
                _duty_text(m) + (f" ({m.kecamatan.name})" if m.kecamatan else ""),
                "",
            ]
            for n, m in enumerate(board.elsewhere, start=1)
        ]
        story.append(Table(rows, style=grid, repeatRows=1, hAlign="LEFT"))
    story.append(text_paragraph(_("Rekapitulasi per tingkat"), styles["Heading2"]))
    totals = [_level_total_headers()] + [
        [t.level, t.villages, t.required, t.assigned, t.shortfall] for t in level_totals(board)
    ]
    story.append(Table(totals, style=grid, hAlign="LEFT"))
    doc.build(story)
    return buffer.getvalue()


def order_xlsx(*, operation: Operation, board: Board) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Lampiran Sprin")[:31]
    sheet.append(safe_row([_title(operation)]))
    sheet["A1"].font = Font(bold=True)
    sheet.append(safe_row(_headers()))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for line in order_lines(board):
        sheet.append(safe_row(_row(line)))
    totals = workbook.create_sheet(_("Rekap per tingkat")[:31])
    totals.append(safe_row(_level_total_headers()))
    for t in level_totals(board):
        totals.append(safe_row([t.level, t.villages, t.required, t.assigned, t.shortfall]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def order_csv(*, board: Board) -> str:
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(_headers())
    writer.writerows(_row(line) for line in order_lines(board))
    return buffer.getvalue()


ORDER_FORMATS = ("pdf", "xlsx", "csv")


def order_file(*, operation: Operation, file_format: str) -> tuple[bytes | str, str, str]:
    """The order of an operation as (body, content type, file name), for the pages and the API."""
    board = deployment_board(operation=operation)
    filename = f"lampiran-sprin-{slugify(operation.name)}.{file_format}"
    if file_format == "pdf":
        return order_pdf(operation=operation, board=board), "application/pdf", filename
    if file_format == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return order_xlsx(operation=operation, board=board), content_type, filename
    return order_csv(board=board), "text/csv; charset=utf-8", filename


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
        )
    return "\n".join(lines) + "\n"
