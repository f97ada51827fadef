"""The survey form without a browser: set widget values as a respondent would, click Submit, read the store."""

from __future__ import annotations

import pytest

from assessment.exceptions import AssessmentError
from assessment.widgets import NO_TEAM, SKIP, UI_TEXT, SurveyForm, leaf_teams


def full_answers(form: SurveyForm) -> dict:
    """A valid, varied answer for every item: cycles through each item's response scale."""
    answers = {}
    for n, item in enumerate(form.template.items):
        values = item.response_scale.values
        answers[item.id] = values[n % len(values)]
    return answers


def stored(workspace, wave="w1"):
    """{respondent: {item: value}} and the comments frame, read back from the store."""
    frame = workspace.store.answers(wave)
    by_respondent = {}
    for row in frame.itertuples(index=False):
        by_respondent.setdefault(row.respondent, {})[row.item] = int(row.value)
    return by_respondent, workspace.store.comments(wave)


def language_of(workspace, respondent):
    return workspace.store._one("SELECT language FROM respondents WHERE respondent_id = ?", (respondent,))


@pytest.fixture
def form(workspace):
    return SurveyForm(workspace.store, "w1")


def test_form_is_built_from_the_wave_template(form, workspace):
    template = workspace.store.wave_template("w1")
    assert list(form.item_widgets) == template.item_ids
    assert list(form.comment_widgets) == [c.id for c in template.comments]
    assert form.current_language == "en"
    assert set(form.language.options) == {("English", "en"), ("Svenska", "sv")}
    # an agree-5 item: its five labels plus an explicit skip, nothing chosen yet
    role = form.item_widgets["exp_role"]
    assert [label for label, _ in role.options] == [*template.item("exp_role").response_scale.labels["en"],
                                                    UI_TEXT["en"]["skip"]]
    assert [value for _, value in role.options] == [1, 2, 3, 4, 5, SKIP]
    assert role.value is None
    # the 11-point eNPS item: buttons 0..10 and a skip
    enps = template.scales_with_role("enps")[0].items[0]
    assert [label for label, _ in form.item_widgets[enps.id].options] == [str(v) for v in range(11)] + [UI_TEXT["en"]["skip"]]
    # classes the browser tests rely on
    assert "survey-form" in form.widget._dom_classes
    assert "survey-submit" in form.submit_button._dom_classes
    assert "survey-team" in form.team._dom_classes
    assert "survey-language" in form.language._dom_classes
    assert "survey-message" in form.message._dom_classes
    assert "item-exp_role" in form._item_boxes["exp_role"]._dom_classes


def test_only_leaf_teams_are_offered(form, workspace):
    offered = [value for _, value in form.team.options if value != NO_TEAM]
    assert sorted(offered) == ["Data", "Platform", "Sales North", "Sales South"]
    assert "Sales" not in offered and "Product" not in offered
    assert form.team.value == NO_TEAM and form.chosen_team is None
    assert ("Platform", "Product") in leaf_teams(workspace.store)


def test_complete_submission_is_stored_exactly(form, workspace):
    answers = full_answers(form)
    form.fill(team="Sales South", answers=answers,
              comments={"comment_keep": "Our Friday demos", "comment_improve": "  Fewer meetings  "})
    assert form.answered_count == len(answers)
    form.submit_button.click()

    assert "success" in form.message._dom_classes
    assert UI_TEXT["en"]["thank_you"] in form.message.value
    by_respondent, comments = stored(workspace)
    assert len(by_respondent) == 1
    (respondent, got), = by_respondent.items()
    assert got == answers
    assert workspace.store.answers("w1")["team"].unique().tolist() == ["Sales South"]
    assert sorted(zip(comments["question"], comments["text"], comments["team"])) == [
        ("comment_improve", "Fewer meetings", "Sales South"), ("comment_keep", "Our Friday demos", "Sales South")]
    assert language_of(workspace, respondent) == "en"


def test_form_is_cleared_after_a_successful_submit(form, workspace):
    form.fill(team="Data", answers=full_answers(form), comments={"comment_keep": "x"})
    form.submit_button.click()
    assert form.chosen_team is None and form.team.value == NO_TEAM
    assert all(w.value is None for w in form.item_widgets.values())
    assert all(w.value == "" for w in form.comment_widgets.values())
    assert form.progress.value == 0 and form.answered_count == 0
    assert "success" in form.message._dom_classes            # the thank-you stays until the next person starts
    form.item_widgets["exp_role"].value = 2
    assert form.message.value == "" and "success" not in form.message._dom_classes
    # and the next respondent is stored separately
    form.fill(team="Platform", answers=full_answers(form))
    form.submit_button.click()
    by_respondent, _ = stored(workspace)
    assert len(by_respondent) == 2


def test_incomplete_form_stores_nothing_and_names_what_is_missing(form, workspace):
    answers = full_answers(form)
    del answers["exp_feedback"], answers["goal_smart"]
    form.fill(answers=answers)                      # no team either
    form.submit_button.click()

    assert workspace.store.answers("w1").empty and workspace.store.comments("w1").empty
    assert "error" in form.message._dom_classes and "survey-message" in form.message._dom_classes
    text = form.message.value
    assert UI_TEXT["en"]["missing_team"] in text
    assert form.template.item("exp_feedback").text["en"] in text
    assert form.template.item("goal_smart").text["en"] in text
    assert "Answer or skip 2 more questions:" in text
    assert "survey-missing" in form._item_boxes["exp_feedback"]._dom_classes
    assert "survey-missing" not in form._item_boxes["exp_role"]._dom_classes
    assert "survey-missing" in form.team._dom_classes
    assert form.missing() == ["team", "exp_feedback", "goal_smart"]
    # what was entered is kept, so the respondent can finish
    assert form.item_widgets["exp_role"].value == answers["exp_role"]

    form.fill(team="Platform", answers={"exp_feedback": 4}, skip=["goal_smart"])
    assert "survey-missing" not in form._item_boxes["exp_feedback"]._dom_classes
    form.submit_button.click()
    assert "success" in form.message._dom_classes and "error" not in form.message._dom_classes
    assert len(stored(workspace)[0]) == 1


def test_missing_team_alone_is_reported(form, workspace):
    form.fill(answers=full_answers(form))
    form.submit_button.click()
    assert UI_TEXT["en"]["missing_team"] in form.message.value
    assert "question" not in form.message.value.split("</b>", 1)[1]
    assert workspace.store.answers("w1").empty


def test_skipped_items_are_stored_as_missing(form, workspace):
    answers = full_answers(form)
    skipped = ["exp_mixed", "safe_mistake"] + [form.template.scales_with_role("enps")[0].items[0].id]
    for item_id in skipped:
        answers.pop(item_id)
    form.fill(team="Sales North", answers=answers, skip=skipped)
    assert form.answered_count == len(form.item_widgets)       # skipping counts as done
    form.submit_button.click()

    by_respondent, _ = stored(workspace)
    (respondent, got), = by_respondent.items()
    assert got == answers
    assert not set(skipped) & set(got)
    matrix = workspace.store.answer_matrix("w1")
    assert matrix.loc[respondent, skipped].isna().all()


def test_skipping_everything_without_comments_is_refused(form, workspace):
    form.fill(team="Data", skip=list(form.item_widgets))
    form.submit_button.click()
    assert "error" in form.message._dom_classes
    assert UI_TEXT["en"]["nothing_answered"] in form.message.value
    assert workspace.store.answers("w1").empty


def test_switching_language_relabels_and_keeps_answers(form, workspace):
    template = form.template
    form.fill(team="Platform", answers={"exp_role": 4, "exp_standard": 2}, skip=["exp_feedback"],
              comments={"comment_keep": "Kaffet"})
    before = form.answered_count

    form.language.value = "sv"

    assert template.item("exp_role").text["sv"] in form._item_labels["exp_role"].value
    assert template.scale("expectations").title["sv"] in form._scale_titles["expectations"].value
    assert [label for label, _ in form.item_widgets["exp_role"].options][:5] == \
        template.item("exp_role").response_scale.labels["sv"]
    assert form.item_widgets["exp_role"].label == "Instämmer"
    assert form.item_widgets["exp_feedback"].label == UI_TEXT["sv"]["skip"]
    assert form.submit_button.description == UI_TEXT["sv"]["submit"]
    assert template.title["sv"] in form.header.value
    assert form.team.options[0][0] == UI_TEXT["sv"]["choose_team"]
    assert "frågor" in form.progress_label.value
    # answers kept
    assert form.item_widgets["exp_role"].value == 4
    assert form.item_widgets["exp_standard"].value == 2
    assert form.item_widgets["exp_feedback"].value == SKIP
    assert form.item_widgets["exp_instructions"].value is None
    assert form.chosen_team == "Platform"
    assert form.comment_widgets["comment_keep"].value == "Kaffet"
    assert form.answered_count == before

    # an error message follows the language too
    form.submit_button.click()
    assert UI_TEXT["sv"]["not_saved"] in form.message.value
    form.language.value = "en"
    assert UI_TEXT["en"]["not_saved"] in form.message.value
    assert template.item("exp_role").text["en"] in form._item_labels["exp_role"].value


def test_submission_records_the_language(form, workspace):
    form.language.value = "sv"
    answers = full_answers(form)
    form.fill(team="Data", answers=answers, comments={"comment_improve": "Mer tid för utbildning"})
    form.submit_button.click()
    assert UI_TEXT["sv"]["thank_you"] in form.message.value
    by_respondent, comments = stored(workspace)
    (respondent, got), = by_respondent.items()
    assert got == answers
    assert language_of(workspace, respondent) == "sv"
    assert comments["text"].tolist() == ["Mer tid för utbildning"]
    assert form.current_language == "sv"        # the next respondent keeps the language


def test_starting_language_and_unknown_language(workspace):
    form = SurveyForm(workspace.store, "w1", language="sv")
    assert form.submit_button.description == UI_TEXT["sv"]["submit"]
    with pytest.raises(AssessmentError, match="not one of"):
        SurveyForm(workspace.store, "w1", language="de")


def test_progress_counts_answered_and_skipped(form):
    total = len(form.item_widgets)
    assert form.progress.max == total and form.progress.value == 0
    form.fill(answers={"exp_role": 5}, skip=["exp_standard"])
    assert form.progress.value == 2
    assert form.progress_label.value.startswith(f"2 of {total}")
    form.item_widgets["exp_role"].value = None
    assert form.progress.value == 1


def test_out_of_range_values_cannot_be_entered(form, workspace):
    from traitlets import TraitError
    with pytest.raises(TraitError):
        form.item_widgets["exp_role"].value = 7
    with pytest.raises(TraitError):
        form.team.value = "Sales"                     # a department, not a team


def test_closed_wave_refuses_answers(workspace):
    form = SurveyForm(workspace.store, "w1")
    workspace.store.set_wave_status("w1", "closed")
    form.fill(team="Data", answers=full_answers(form))
    form.submit_button.click()
    assert "error" in form.message._dom_classes
    assert UI_TEXT["en"]["closed"] in form.message.value
    assert workspace.store.answers("w1").empty
    # a form opened on a closed wave says so and cannot be submitted
    closed = SurveyForm(workspace.store, "w1")
    assert closed.submit_button.disabled
    assert UI_TEXT["en"]["closed"] in closed.message.value


def test_form_never_shows_stored_answers(form, workspace):
    form.fill(team="Data", answers=full_answers(form), comments={"comment_keep": "a secret remark"})
    form.submit_button.click()
    again = SurveyForm(workspace.store, "w1")
    texts = [again.header.value, again.message.value, again.progress_label.value,
             *(w.value for w in again.comment_widgets.values())]
    assert not any("a secret remark" in t for t in texts)
    assert all(w.value is None for w in again.item_widgets.values())


def test_for_workspace_opens_the_latest_wave(workspace):
    workspace.open_wave("w2")
    form = SurveyForm.for_workspace(workspace.path)
    assert form.wave == "w2"
    assert SurveyForm.for_workspace(str(workspace.path), "w1").wave == "w1"
    with pytest.raises(AssessmentError, match="no wave named"):
        SurveyForm.for_workspace(workspace.path, "nope")


# ---------------------------------------------------------------- one-time codes

def contains(widget, target) -> bool:
    """Whether `target` is `widget` or displayed anywhere under it."""
    return widget is target or any(contains(child, target) for child in getattr(widget, "children", ()))


def stored_teams(workspace, wave="w1") -> list[str]:
    counts = workspace.store.respondent_counts(wave)
    return sorted(t for t, n in zip(counts["team"], counts["respondents"]) for _ in range(n))


def codes_used(workspace, wave="w1") -> int:
    counts = workspace.store.code_counts(wave)
    return int(counts["used"].sum()) if len(counts) else 0


@pytest.fixture
def codes(workspace):
    """Three codes for Platform and one for Data in wave w1."""
    return {"Platform": workspace.store.issue_codes("w1", "Platform", 3),
            "Data": workspace.store.issue_codes("w1", "Data", 1)}


def test_without_codes_the_form_asks_for_the_team(form):
    assert form.code_mode is False
    assert contains(form.widget, form.team) and not contains(form.widget, form.code)


def test_with_codes_the_form_asks_for_a_code_instead_of_the_team(workspace, codes):
    form = SurveyForm(workspace.store, "w1")
    assert form.code_mode is True
    assert contains(form.widget, form.code) and not contains(form.widget, form.team)
    assert "survey-code" in form.code._dom_classes and "survey-code-status" in form.code_status._dom_classes
    assert form.chosen_team is None and form.missing()[0] == "code"
    assert form.code_status.value == "" and UI_TEXT["en"]["code"] in form._code_label.value
    assert form.code.continuous_update is False            # checked on Enter or leaving the field, not per key


def test_a_code_sets_the_team_and_is_spent_with_the_answers(workspace, codes):
    form = SurveyForm(workspace.store, "w1")
    code = codes["Platform"][1]
    form.fill(code=code.lower().replace("-", " "), answers=full_answers(form), comments={"comment_keep": "Pairing"})
    # the respondent learns the team as soon as the code is entered, before submitting
    assert form.chosen_team == "Platform"
    assert "ok" in form.code_status._dom_classes
    assert UI_TEXT["en"]["code_team"].format(team="Platform (Product)") in form.code_status.value
    assert codes_used(workspace) == 0                       # checking does not spend it
    form.submit_button.click()

    assert "success" in form.message._dom_classes, form.message.value
    assert stored_teams(workspace) == ["Platform"]
    assert workspace.store.comments("w1")["team"].tolist() == ["Platform"]
    counts = workspace.store.code_counts("w1").set_index("team")
    assert counts.loc["Platform", "used"] == 1 and counts.loc["Data", "used"] == 0


def test_wrong_code_is_refused_and_stores_nothing(workspace, codes):
    form = SurveyForm(workspace.store, "w1")
    answers = full_answers(form)
    form.fill(code="ABCDE-FGHJK", answers=answers, comments={"comment_keep": "x"})
    # said at once, next to the field
    assert "error" in form.code_status._dom_classes
    assert UI_TEXT["en"]["code_unknown"] in form.code_status.value
    assert "survey-missing" in form.code._dom_classes and form.chosen_team is None
    form.submit_button.click()

    assert "error" in form.message._dom_classes
    assert UI_TEXT["en"]["not_saved"] in form.message.value and UI_TEXT["en"]["code_unknown"] in form.message.value
    assert workspace.store.answers("w1").empty and workspace.store.comments("w1").empty
    assert codes_used(workspace) == 0
    # what was entered is kept, so the respondent can correct the code and submit
    assert form.code.value == "ABCDE-FGHJK" and form.item_widgets["exp_role"].value == answers["exp_role"]
    form.fill(code=codes["Data"][0])
    assert "survey-missing" not in form.code._dom_classes
    form.submit_button.click()
    assert "success" in form.message._dom_classes
    assert stored_teams(workspace) == ["Data"]


def test_used_code_is_refused_and_stores_nothing(workspace, codes):
    form = SurveyForm(workspace.store, "w1")
    code = codes["Platform"][0]
    form.fill(code=code, answers=full_answers(form))
    form.submit_button.click()
    assert stored_teams(workspace) == ["Platform"]

    form.fill(code=code)
    assert "error" in form.code_status._dom_classes and UI_TEXT["en"]["code_used"] in form.code_status.value
    form.fill(answers=full_answers(form), comments={"comment_improve": "second try"})
    form.submit_button.click()
    assert "error" in form.message._dom_classes and UI_TEXT["en"]["code_used"] in form.message.value
    assert stored_teams(workspace) == ["Platform"]
    assert workspace.store.comments("w1").empty
    assert codes_used(workspace) == 1


def test_code_spent_on_another_page_after_it_was_checked_is_refused(workspace, codes):
    code = codes["Platform"][2]
    first, second = SurveyForm(workspace.store, "w1"), SurveyForm(workspace.store, "w1")
    for form in (first, second):
        form.fill(code=code, answers=full_answers(form))
        assert form.chosen_team == "Platform"               # both see a good code ...
    first.submit_button.click()
    second.submit_button.click()                            # ... only one can use it
    assert "success" in first.message._dom_classes
    assert "error" in second.message._dom_classes and UI_TEXT["en"]["code_used"] in second.message.value
    assert stored_teams(workspace) == ["Platform"] and codes_used(workspace) == 1


def test_missing_code_is_named_and_nothing_is_stored(workspace, codes):
    form = SurveyForm(workspace.store, "w1")
    answers = full_answers(form)
    del answers["exp_role"]
    form.fill(answers=answers)
    form.submit_button.click()
    text = form.message.value
    assert UI_TEXT["en"]["missing_code"] in text and "Answer or skip 1 more question:" in text
    assert UI_TEXT["en"]["missing_team"] not in text
    assert "survey-missing" in form.code._dom_classes and "survey-missing" in form._item_boxes["exp_role"]._dom_classes
    assert workspace.store.answers("w1").empty and codes_used(workspace) == 0


def test_form_is_cleared_after_a_code_submission(workspace, codes):
    form = SurveyForm(workspace.store, "w1")
    form.fill(code=codes["Data"][0], answers=full_answers(form), comments={"comment_keep": "x"})
    form.submit_button.click()
    assert "success" in form.message._dom_classes
    assert form.code.value == "" and form.code_status.value == "" and form.chosen_team is None
    assert all(w.value is None for w in form.item_widgets.values())
    assert all(w.value == "" for w in form.comment_widgets.values())
    assert form.answered_count == 0
    # the next person starts by typing their code: the thank-you for the previous one goes
    form.fill(code=codes["Platform"][0])
    assert form.message.value == "" and form.chosen_team == "Platform"


def test_code_messages_follow_the_language(workspace, codes):
    form = SurveyForm(workspace.store, "w1", language="sv")
    assert UI_TEXT["sv"]["code"] in form._code_label.value and form.code.placeholder == UI_TEXT["sv"]["code_placeholder"]
    form.fill(code="ZZZZZ-ZZZZZ", answers=full_answers(form))
    assert UI_TEXT["sv"]["code_unknown"] in form.code_status.value
    form.submit_button.click()
    assert UI_TEXT["sv"]["code_unknown"] in form.message.value and UI_TEXT["sv"]["not_saved"] in form.message.value
    form.language.value = "en"
    assert UI_TEXT["en"]["code_unknown"] in form.code_status.value and UI_TEXT["en"]["code_unknown"] in form.message.value
    form.fill(code=codes["Data"][0])
    form.language.value = "sv"
    assert UI_TEXT["sv"]["code_team"].format(team="Data (Product)") in form.code_status.value
    assert workspace.store.answers("w1").empty


def test_codes_issued_after_the_form_opened_are_required(form, workspace):
    form.fill(team="Data", answers=full_answers(form))
    workspace.store.issue_codes("w1", "Platform", 1)
    form.submit_button.click()                              # a page opened before the codes were issued
    assert form.code_mode is True and contains(form.widget, form.code) and not contains(form.widget, form.team)
    assert UI_TEXT["en"]["codes_now"] in form.message.value
    assert workspace.store.answers("w1").empty
    assert form.answered_count == len(form.item_widgets)    # answers kept


def test_nothing_links_a_code_to_the_answers(workspace, codes):
    form = SurveyForm(workspace.store, "w1")
    code = codes["Platform"][0]
    form.fill(code=code, answers=full_answers(form), comments={"comment_keep": "kept"})
    respondent = form.submit()
    assert respondent is not None
    code_hash = workspace.store._code_hash(code)
    for table in ("respondents", "answers", "comments"):
        rows = workspace.store._all(f"SELECT * FROM {table}")
        text = repr(rows)
        assert code not in text and code.replace("-", "") not in text and code_hash not in text


def test_imports_and_code_free_store_writes_are_unaffected_by_codes(workspace, codes):
    from assessment.store import Response
    ids = workspace.store.add_responses("w1", [Response(team="Sales North", answers={"exp_role": 4})])
    assert len(ids) == 1 and codes_used(workspace) == 0


def test_a_refusal_by_the_store_still_shows_after_a_language_switch(form, monkeypatch):
    """The store can refuse what the form's own checks let through (another page changed it meanwhile);
    its message is rebuilt in the new language when the respondent switches."""
    from assessment.exceptions import ResponseRejected

    def refuse(*args, **kwargs):
        raise ResponseRejected(["the store refused it"])
    monkeypatch.setattr(form.store, "add_responses", refuse)
    form.fill(team="Platform", answers={item.id: item.response_scale.low for item in form.template.items})
    form.submit_button.click()
    assert "the store refused it" in form.message.value
    form.language.value = "sv"
    assert "the store refused it" in form.message.value and UI_TEXT["sv"]["not_saved"] in form.message.value
