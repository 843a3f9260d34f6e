from django.urls import path
from rest_framework.routers import DefaultRouter

from operations.api import risk

router = DefaultRouter()
router.register("risk-reports", risk.RiskReportViewSet, basename="risk-report")
router.register("risk-indicators", risk.RiskIndicatorViewSet, basename="risk-indicator")

urlpatterns = [
    path(
        "operations/<int:operation_id>/ranking/",
        risk.OperationRankingView.as_view(),
        name="operation-ranking",
    ),
    path(
        "village-elections/<int:pk>/override/",
        risk.VillageOverrideView.as_view(),
        name="village-election-override",
    ),
    *router.urls,
]
