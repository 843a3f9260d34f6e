from django.urls import path

from jobs import pages

urlpatterns = [
    path("pekerjaan/<int:pk>/", pages.job_page, name="job-page"),
    path("pekerjaan/<int:pk>/status/", pages.job_page_status, name="job-page-status"),
    path("pekerjaan/<int:pk>/berkas/", pages.job_file_download, name="job-file"),
]
