"""Reports: one self-contained HTML file per group, with no hidden group's figures."""

from __future__ import annotations

import re

import pytest

from assessment.exceptions import AssessmentError
from assessment.reports import Report, write_reports
from assessment.demo import SMALL_TEAM

SECTIONS = ["report-header", "report-summary", "report-trend", "report-pillars", "report-risks", "report-actions",
            "report-items", "report-comments", "report-guide", "report-our-actions"]


@pytest.fixture(scope="module")
def reports(demo_workspace, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return write_reports(demo_workspace, groups=["Mobile", "Customer Service"], by="department"
                         if False else "team", out=out) if False else \
        write_reports(demo_workspace, groups=["Mobile"], language="sv", out=out) + \
        write_reports(demo_workspace, groups=["Customer Service"], by="department", out=out)


def test_report_has_every_section(reports):
    for path in reports:
        text = path.read_text()
        for section in SECTIONS:
            assert f"class='{section}'" in text, (path.name, section)


def test_report_is_self_contained_and_shows_no_code(reports):
    text = reports[0].read_text()
    assert not re.search(r"(src|href)=['\"]https?://", text)
    assert "data:image/png;base64," in text
    assert "from assessment" not in text and "Report(" not in text


def test_report_is_in_the_chosen_language(reports):
    swedish = reports[0].read_text()
    assert "Samtalsguide" in swedish and "Flaggade risker" in swedish


def test_declining_team_report_flags_a_falling_scale(reports):
    assert "signifikant nedgång" in reports[0].read_text()


def test_department_report_shows_comments_but_never_a_hidden_team(reports):
    text = reports[1].read_text()
    assert "class='report-comments'" in text and "<ul class='comments'>" in text
    assert SMALL_TEAM not in text


def test_no_report_for_a_suppressed_team(demo_workspace, tmp_path):
    with pytest.raises(AssessmentError, match="too few respondents"):
        write_reports(demo_workspace, groups=[SMALL_TEAM], out=tmp_path)
    assert not list(tmp_path.iterdir())


def test_default_reports_cover_only_shown_teams(demo_workspace):
    from assessment.analysis import Results
    from assessment.reports import report_groups
    results = Results(demo_workspace)
    groups = report_groups(results, results.latest_wave(), "team")
    assert SMALL_TEAM not in groups and "Mobile" in groups


def test_report_html_in_process_matches_the_sections(demo_workspace):
    html = Report(demo_workspace, group="Platform").html()
    assert all(f"class='{s}'" in html for s in SECTIONS)
