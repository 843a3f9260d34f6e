"""One JSON object per log line, one line per request, with the request id, user, status, duration."""

import io
import json
import logging

from django.test import Client
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from tests.factories import UserFactory


def _request_lines(caplog):
    return [record for record in caplog.records if record.name == "pilkades.request"]


def test_each_request_logs_one_line_with_id_user_status_and_duration(db, caplog):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="pilkades.request"):
        response = client.get(reverse("home"), HTTP_X_REQUEST_ID="nginx-1234abcd")
    assert response["X-Request-ID"] == "nginx-1234abcd"  # the proxy's id, answered back
    (line,) = _request_lines(caplog)
    assert line.request_id == "nginx-1234abcd"
    assert line.status == response.status_code
    assert line.user == user.pk
    assert line.method == "GET"
    assert line.duration_ms >= 0


def test_a_missing_or_hostile_request_id_is_replaced(db, caplog):
    with caplog.at_level(logging.INFO, logger="pilkades.request"):
        first = Client().get(reverse("login"))
        second = Client().get(reverse("login"), HTTP_X_REQUEST_ID='x"\n{"level": "forged"}')
    assert len(first["X-Request-ID"]) == 32
    assert second["X-Request-ID"] != 'x"\n{"level": "forged"}'
    assert [line.user for line in _request_lines(caplog)] == [None, None]


def _console():
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
    return handler


def test_records_written_during_a_request_carry_its_id_on_the_console(db):
    handler = _console()
    stream = io.StringIO()
    saved = handler.setStream(stream)
    try:
        response = Client().get("/api/v1/tidak-ada/", HTTP_X_REQUEST_ID="abcdef123456")
    finally:
        handler.setStream(saved)
    assert response.status_code == 404
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    by_logger = {line["logger"]: line for line in lines}
    assert by_logger["django.request"]["request_id"] == "abcdef123456"
    assert by_logger["pilkades.request"]["request_id"] == "abcdef123456"
    assert by_logger["pilkades.request"]["status"] == 404


def test_the_console_log_is_one_json_object_per_line(db):
    handler = _console()
    record = logging.LogRecord(
        "pilkades.request", logging.INFO, __file__, 1, "GET /x 200\nsecond", None, None
    )
    record.request_id, record.status, record.request = "abc", 200, object()
    for log_filter in handler.filters:
        log_filter.filter(record)
    line = handler.format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "INFO"
    assert parsed["logger"] == "pilkades.request"
    assert parsed["message"] == "GET /x 200\nsecond"
    assert parsed["status"] == 200
    assert "request" not in parsed  # Django's request object is not written out
