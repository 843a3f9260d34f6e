from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from jobs.api import JobDetailView, JobFileView
from operations.api import (
    auth,
    bulk,
    changes,
    deployment,
    evidence,
    map,
    organisation,
    ranking,
    risk,
    scoring,
    webhooks,
)
from operations.exports import ORDER_FORMATS
from operations.ranking_export import RANKING_FORMATS

router = DefaultRouter()
router.register("kecamatan", organisation.KecamatanViewSet, basename="kecamatan")
router.register("desa", organisation.DesaViewSet, basename="desa")
router.register("elections", organisation.ElectionViewSet, basename="election")
router.register("village-elections", organisation.VillageElectionViewSet, basename="village-election")
router.register("candidates", organisation.CandidateViewSet, basename="candidate")
router.register("units", organisation.UnitViewSet, basename="unit")
router.register("officers", organisation.OfficerViewSet, basename="officer")
router.register("operations", organisation.OperationViewSet, basename="operation")
router.register("jurisdictions", organisation.JurisdictionViewSet, basename="jurisdiction")
router.register("bko-contingents", organisation.BkoContingentViewSet, basename="bko-contingent")
router.register("risk-reports", risk.RiskReportViewSet, basename="risk-report")
router.register("risk-indicators", risk.RiskIndicatorViewSet, basename="risk-indicator")
router.register("assignments", deployment.AssignmentViewSet, basename="assignment")
router.register("proposals", deployment.ProposalViewSet, basename="proposal")
router.register("level-thresholds", scoring.LevelThresholdViewSet, basename="level-threshold")
router.register("pattern-sets", scoring.PatternSetViewSet, basename="pattern-set")
router.register("webhooks", webhooks.WebhookEndpointViewSet, basename="webhook")
router.register("webhook-deliveries", webhooks.WebhookDeliveryViewSet, basename="webhook-delivery")

urlpatterns = [
    # A person exchanges his username and password for a token that expires, and revokes it.
    path("auth/token/", auth.TokenObtainView.as_view(), name="api-token"),
    path("auth/token/revoke/", auth.TokenRevokeView.as_view(), name="api-token-revoke"),
    path(
        "operations/<int:operation_id>/ranking/",
        ranking.OperationRankingView.as_view(),
        name="operation-ranking",
    ),
    re_path(
        rf"^operations/(?P<operation_id>[0-9]+)/ranking\.(?P<file_format>(?:{'|'.join(RANKING_FORMATS)}))$",
        ranking.OperationRankingFileView.as_view(),
        name="operation-ranking-file",
    ),
    path("operations/<int:operation_id>/map/", map.OperationMapView.as_view(), name="operation-map"),
    path("evidence/<int:pk>/", evidence.EvidenceView.as_view(), name="evidence"),
    path(
        "village-elections/<int:pk>/override/",
        risk.VillageOverrideView.as_view(),
        name="village-election-override",
    ),
    path(
        "operations/<int:operation_id>/proposal/",
        deployment.OperationProposalView.as_view(),
        name="operation-proposal",
    ),
    re_path(
        # The alternation in its own group: a bare "pdf|xlsx|csv" reads as "^pdf" or "csv$" once
        # lifted out of the route (as the schema generator does).
        rf"^operations/(?P<operation_id>[0-9]+)/order\.(?P<file_format>(?:{'|'.join(ORDER_FORMATS)}))$",
        deployment.OperationOrderView.as_view(),
        name="operation-order",
    ),
    path("changes/", changes.ChangesView.as_view(), name="changes"),
    path("jobs/<int:pk>/", JobDetailView.as_view(), name="job-detail"),
    path("jobs/<int:pk>/file/", JobFileView.as_view(), name="job-api-file"),
    # Bulk writes: before the router's detail routes, which would read "bulk" as an id.
    path("risk-reports/bulk-decide/", bulk.ReportsDecideView.as_view(), name="risk-report-bulk-decide"),
    path("assignments/bulk/", bulk.AssignmentsBulkView.as_view(), name="assignment-bulk"),
    path("village-elections/bulk/", bulk.VillageElectionsBulkView.as_view(), name="village-election-bulk"),
    path("candidates/bulk/", bulk.CandidatesBulkView.as_view(), name="candidate-bulk"),
    *router.urls,
]
