from django.urls import path

from operations import views
from operations.pages import ranking as ranking_pages
from operations.pages import reports as report_pages

urlpatterns = [
    path("", views.home, name="home"),
    path("laporan/", report_pages.report_list, name="report-list"),
    path("laporan/baru/", report_pages.report_create, name="report-create"),
    path("laporan/<int:pk>/ubah/", report_pages.report_edit, name="report-edit"),
    path("laporan/antrian/", report_pages.report_review_queue, name="report-review"),
    path("laporan/<int:pk>/verifikasi/", report_pages.report_verify, name="report-verify"),
    path("laporan/<int:pk>/kembalikan/", report_pages.report_return, name="report-return"),
    path("peringkat/", ranking_pages.ranking_latest, name="ranking-latest"),
    path("operasi/<int:operation_id>/peringkat/", ranking_pages.ranking, name="ranking"),
    path("desa/<int:pk>/", ranking_pages.village_detail, name="village-detail"),
    path("desa/<int:pk>/tetapkan/", ranking_pages.village_override, name="village-override"),
]
