from django.urls import path
from rest_framework.routers import SimpleRouter

from election_day.api import views

router = SimpleRouter()
router.register("hari-h/checkins", views.CheckInViewSet, basename="checkin")
router.register("hari-h/progress", views.ProgressViewSet, basename="progress-step")
router.register("hari-h/incidents", views.IncidentViewSet, basename="incident")
router.register("hari-h/incident-categories", views.IncidentCategoryViewSet, basename="incident-category")
router.register("hari-h/stage-windows", views.StageWindowViewSet, basename="stage-window")
router.register("hari-h/my-assignments", views.MyAssignmentViewSet, basename="my-assignment")

urlpatterns = [
    path("operations/<int:operation_id>/board/", views.BoardView.as_view(), name="operation-board"),
    path("operations/<int:operation_id>/lapsit/", views.LapsitView.as_view(), name="operation-lapsit"),
    path("operations/<int:operation_id>/close/", views.OperationCloseView.as_view(), name="operation-close"),
    path(
        "hari-h/incident-photos/<int:pk>/image/",
        views.IncidentPhotoView.as_view(),
        name="incident-photo-image",
    ),
    *router.urls,
]
