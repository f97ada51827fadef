"""Small one-language templates for statistics tests, built from compact descriptions."""

from __future__ import annotations

from assessment.templates import template_from_data


def build_template(scales, indices=(), min_answered=0.5, min_group=5, min_change=5):
    """A template from (scale id, role, [item ids; '-x' marks a reverse-keyed item]) and (index id, scale ids)."""
    return template_from_data({
        "id": "test",
        "languages": ["en"],
        "anonymity": {"min_group": min_group},
        "scoring": {"min_answered": min_answered, "min_change": min_change},
        "response_scales": {
            "agree5": {"points": 5, "labels": {"en": ["1", "2", "3", "4", "5"]}},
            "nps11": {"points": 11, "start": 0, "labels": {"en": [str(v) for v in range(11)]}},
        },
        "scales": [{"id": sid, "title": sid, "role": role, "response_scale": "nps11" if role == "enps" else "agree5",
                    "items": [{"id": i.lstrip("-"), "text": i, "reverse": i.startswith("-")} for i in items]}
                   for sid, role, items in scales],
        "indices": [{"id": iid, "title": iid, "from": list(source)} for iid, source in indices],
    })
