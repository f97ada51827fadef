"""Survey templates: loading, extending, validation messages."""

from __future__ import annotations

import pytest
import yaml

from assessment.exceptions import TemplateError
from assessment.templates import load_template, shipped_templates

MINIMAL = """
id: tiny
languages: [en, sv]
response_scales:
  agree5:
    points: 5
    labels:
      en: [a, b, c, d, e]
      sv: [a, b, c, d, e]
scales:
  - id: expectations
    title: {en: Expectations, sv: Förväntningar}
    role: pillar
    response_scale: agree5
    items:
      - id: e1
        text: {en: I know my role., sv: Jag vet min roll.}
      - id: e2
        text: {en: I get feedback., sv: Jag får återkoppling.}
        reverse: true
"""


def problems_of(exc_info) -> str:
    return "\n".join(exc_info.value.problems)


def test_shipped_templates_are_valid():
    for name in shipped_templates():
        template = load_template(name)
        assert template.items


def test_osa_core_has_four_pillars_security_engagement_enps_and_two_open_questions():
    t = load_template("osa-core")
    assert [s.id for s in t.pillars] == ["expectations", "goals", "visibility", "support"]
    assert all(len(s.items) >= 4 for s in t.pillars)
    assert {"safety", "engagement"} <= {s.id for s in t.scales_with_role("outcome")}
    assert t.scales_with_role("enps")[0].response_scale.points == 11
    assert [i.id for i in t.indices] == ["security"] and t.indices[0].scales == ("expectations", "goals", "visibility", "support")
    assert len(t.comments) == 2
    assert set(t.languages) == {"en", "sv"}
    assert t.min_group == 5


def test_shipped_templates_are_complete_in_english_and_swedish():
    for name in ("osa-core", "service-culture"):
        t = load_template(name)
        for item in t.items:
            assert item.text["en"].strip() and item.text["sv"].strip(), item.id
            assert item.text["en"] != item.text["sv"], item.id


def test_service_culture_covers_its_themes():
    t = load_template("service-culture")
    assert {s.id for s in t.scales} == {"customer_learning", "knowledge_reuse", "service_process", "strengths",
                                        "purpose", "servant_leadership"}


def test_client_template_overrides_adds_drops_and_adds_a_module(write):
    client = write("acme.yaml", """
        id: acme
        extends: osa-core
        modules: [service-culture]
        language: sv
        anonymity: {min_group: 7}
        scales:
          - id: expectations
            title: {sv: Förväntningar på Acme}
            items:
              - id: exp_role
                text: {sv: Jag vet vad Acme väntar sig av mig.}
              - id: exp_new
                text: {en: A new item., sv: En ny fråga.}
        drop:
          items: [exp_feedback]
          scales: [enps]
    """)
    t = load_template(client)
    base = load_template("osa-core")
    assert t.id == "acme" and t.language == "sv" and t.min_group == 7
    assert t.scale("expectations").title == {"en": base.scale("expectations").title["en"], "sv": "Förväntningar på Acme"}
    assert t.item("exp_role").text["sv"] == "Jag vet vad Acme väntar sig av mig."
    assert t.item("exp_role").text["en"] == base.item("exp_role").text["en"]
    assert t.scale("expectations").item_ids[-1] == "exp_new"
    assert "exp_feedback" not in t.item_ids and "enps" not in {s.id for s in t.scales}
    assert "customer_learning" in {s.id for s in t.scales}


def test_client_template_can_keep_only_one_language(write):
    t = load_template(write("sv.yaml", "id: sv-only\nextends: osa-core\nlanguages: [sv]\nlanguage: sv\n"))
    assert t.languages == ("sv",)
    assert set(t.item("exp_role").text) == {"sv"}


def test_missing_translation_names_file_and_field_path(write):
    broken = yaml.safe_load(MINIMAL)
    del broken["scales"][0]["items"][1]["text"]["sv"]
    path = write("broken.yaml", yaml.safe_dump(broken, allow_unicode=True))
    with pytest.raises(TemplateError) as exc:
        load_template(path)
    message = str(exc.value)
    assert "broken.yaml" in message
    assert "scales[0].items[1].text.sv" in message and "Swedish" in message


def test_duplicate_ids_are_reported_with_both_places(write):
    data = yaml.safe_load(MINIMAL)
    data["scales"][0]["items"][1]["id"] = "e1"
    with pytest.raises(TemplateError) as exc:
        load_template(write("dup.yaml", yaml.safe_dump(data)))
    assert "scales[0].items[1].id: duplicate id 'e1' (also at scales[0].items[0])" in problems_of(exc)


def test_reverse_flag_on_an_open_question_is_an_error(write):
    data = yaml.safe_load(MINIMAL)
    data["comments"] = [{"id": "c1", "text": {"en": "Say", "sv": "Säg"}, "reverse": True}]
    with pytest.raises(TemplateError) as exc:
        load_template(write("rev.yaml", yaml.safe_dump(data)))
    assert "comments[0].reverse" in problems_of(exc)


def test_index_naming_an_unknown_scale_is_an_error(write):
    data = yaml.safe_load(MINIMAL)
    data["indices"] = [{"id": "security", "title": {"en": "S", "sv": "S"}, "from": ["expectations", "nope"]}]
    with pytest.raises(TemplateError) as exc:
        load_template(write("idx.yaml", yaml.safe_dump(data)))
    assert "indices[0].from[1]: unknown scale 'nope'" in problems_of(exc)


def test_cycle_of_extends_is_an_error(write):
    write("a.yaml", "id: a\nextends: b.yaml\n")
    write("b.yaml", "id: b\nextends: a.yaml\n")
    with pytest.raises(TemplateError) as exc:
        load_template(write("c.yaml", "id: c\nextends: a.yaml\n"))
    assert "cycle" in str(exc.value) and "a.yaml -> b.yaml -> a.yaml" in str(exc.value)


def test_wrong_number_of_labels_is_an_error(write):
    data = yaml.safe_load(MINIMAL)
    data["response_scales"]["agree5"]["labels"]["sv"] = ["a", "b"]
    with pytest.raises(TemplateError) as exc:
        load_template(write("labels.yaml", yaml.safe_dump(data)))
    assert "response_scales.agree5.labels.sv: 2 labels for 5 points" in problems_of(exc)


def test_unknown_response_scale_is_an_error(write):
    data = yaml.safe_load(MINIMAL)
    data["scales"][0]["response_scale"] = "agree7"
    with pytest.raises(TemplateError) as exc:
        load_template(write("rs.yaml", yaml.safe_dump(data)))
    assert "scales[0].response_scale: 'agree7' is not defined" in problems_of(exc)


def test_threshold_must_be_a_whole_number_of_at_least_one(write):
    data = yaml.safe_load(MINIMAL)
    data["anonymity"] = {"min_group": 0}
    with pytest.raises(TemplateError) as exc:
        load_template(write("thr.yaml", yaml.safe_dump(data)))
    assert "anonymity.min_group" in problems_of(exc)


def test_yaml_syntax_error_names_the_line(write):
    path = write("syntax.yaml", "id: x\nscales: [\n  - id: a\n")
    with pytest.raises(TemplateError) as exc:
        load_template(path)
    assert "syntax.yaml" in str(exc.value) and "line" in str(exc.value)


def test_loading_never_executes_code(write, tmp_path):
    marker = tmp_path / "pwned"
    path = write("evil.yaml", f"id: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(TemplateError):
        load_template(path)
    assert not marker.exists()


def test_unknown_template_name_lists_the_shipped_ones():
    with pytest.raises(TemplateError) as exc:
        load_template("no-such-template")
    assert "osa-core" in str(exc.value)


def test_every_problem_is_reported_at_once(write):
    data = yaml.safe_load(MINIMAL)
    data["scales"][0]["items"][0]["text"] = {"en": "only english"}
    data["scales"][0]["response_scale"] = "missing"
    with pytest.raises(TemplateError) as exc:
        load_template(write("many.yaml", yaml.safe_dump(data)))
    assert len(exc.value.problems) == 2
