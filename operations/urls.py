from django.urls import path, re_path

from operations import views
from operations.pages import dashboard as dashboard_pages
from operations.pages import deployment as deployment_pages
from operations.pages import notifications as notification_pages
from operations.pages import personnel as personnel_pages
from operations.pages import ranking as ranking_pages
from operations.pages import reports as report_pages

urlpatterns = [
    path("", views.home, name="home"),
    path("dasbor/", dashboard_pages.dashboard_latest, name="dashboard-latest"),
    path("operasi/<int:operation_id>/dasbor/", dashboard_pages.dashboard, name="dashboard"),
    path("laporan/", report_pages.report_list, name="report-list"),
    path("laporan/baru/", report_pages.report_create, name="report-create"),
    path("laporan/<int:pk>/ubah/", report_pages.report_edit, name="report-edit"),
    path("laporan/antrian/", report_pages.report_review_queue, name="report-review"),
    path("pemberitahuan/", notification_pages.notices, name="notices"),
    path("laporan/<int:pk>/verifikasi/", report_pages.report_verify, name="report-verify"),
    path("laporan/<int:pk>/kembalikan/", report_pages.report_return, name="report-return"),
    path("peringkat/", ranking_pages.ranking_latest, name="ranking-latest"),
    path("operasi/<int:operation_id>/peringkat/", ranking_pages.ranking, name="ranking"),
    re_path(
        r"^operasi/(?P<operation_id>[0-9]+)/peringkat\.(?P<file_format>xlsx|csv)$",
        ranking_pages.ranking_download,
        name="ranking-download",
    ),
    path("desa/<int:pk>/", ranking_pages.village_detail, name="village-detail"),
    path("desa/<int:pk>/tetapkan/", ranking_pages.village_override, name="village-override"),
    path("penempatan/", deployment_pages.board_latest, name="deployment-latest"),
    path("operasi/<int:operation_id>/penempatan/", deployment_pages.board, name="deployment-board"),
    path(
        "operasi/<int:operation_id>/penempatan/desa/<int:village_election_id>/",
        deployment_pages.assignment_add,
        name="deployment-add",
    ),
    path(
        "operasi/<int:operation_id>/penempatan/desa/<int:village_election_id>/tim/",
        deployment_pages.team_panel,
        name="deployment-team",
    ),
    path(
        "operasi/<int:operation_id>/penempatan/desa/<int:village_election_id>/ketua/",
        deployment_pages.team_leader,
        name="deployment-team-leader",
    ),
    path(
        "operasi/<int:operation_id>/penempatan/desa/<int:village_election_id>/ringkasan.txt",
        deployment_pages.team_text,
        name="deployment-team-text",
    ),
    path("penugasan/<int:pk>/lepas/", deployment_pages.assignment_remove, name="deployment-remove"),
    path("penugasan/dilepas/<int:pk>/urungkan/", deployment_pages.assignment_undo, name="deployment-undo"),
    path("personel/<int:pk>/", personnel_pages.personnel_page, name="personnel-page"),
    path("operasi/<int:operation_id>/usulan/", deployment_pages.proposal_create, name="deployment-propose"),
    path("usulan/<int:pk>/", deployment_pages.proposal_detail, name="deployment-proposal"),
    path("usulan/<int:pk>/terapkan/", deployment_pages.proposal_apply, name="deployment-proposal-apply"),
    path("usulan/<int:pk>/batalkan/", deployment_pages.proposal_discard, name="deployment-proposal-discard"),
    re_path(
        r"^operasi/(?P<operation_id>[0-9]+)/sprin\.(?P<file_format>pdf|xlsx|csv)$",
        deployment_pages.order,
        name="deployment-order",
    ),
]
