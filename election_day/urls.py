from django.urls import path

from election_day import offline, pages

urlpatterns = [
    path("hari-h/", pages.field_home, name="field-home"),
    path("hari-h/penugasan/<int:pk>/lapor/", pages.check_in, name="field-check-in"),
    path(
        "hari-h/operasi/<int:operation_id>/desa/<int:village_election_id>/tahap/",
        pages.progress_update,
        name="field-progress",
    ),
    path("hari-h/kejadian/baru/", pages.incident_create, name="field-incident"),
    path("hari-h/antrian/", offline.queue_page, name="field-queue"),
    path("hari-h/sesi/", offline.session_user, name="field-session"),
    path("hari-h/sw.js", offline.service_worker, name="field-sw"),
    path("hari-h/manifest.webmanifest", offline.manifest, name="field-manifest"),
    path("posko/", pages.board_latest, name="posko-latest"),
    path("operasi/<int:operation_id>/posko/", pages.board, name="posko-board"),
    path("operasi/<int:operation_id>/lapsit/", pages.lapsit, name="lapsit"),
    path("operasi/<int:operation_id>/tutup/", pages.operation_close, name="operation-close-page"),
]
