"""SVG bar charts: accessible names, hidden counts drawn as outlines, text escaped."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from api.charts import Bar, bar_chart_svg

SVG = "{http://www.w3.org/2000/svg}"

pytestmark = pytest.mark.app_env


def test_chart_has_title_description_and_a_text_per_bar():
    svg = bar_chart_svg(
        "c1",
        "Doorverwijzingen",
        "Per organisatie",
        [Bar("Informatiepunt", 25, "25"), Bar("E-café", None, "<10")],
    )
    root = ElementTree.fromstring(str(svg))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Doorverwijzingen"
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert texts == ["Informatiepunt", "25", "E-café", "<10"]
    outlined = [r for r in root.iter(f"{SVG}rect") if r.get("stroke-dasharray")]
    assert len(outlined) == 1


def test_labels_are_escaped():
    svg = str(bar_chart_svg("c2", "<b>", "d", [Bar("<script>", 10, "10")]))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_empty_chart_says_so():
    svg = str(bar_chart_svg("c3", "Leeg", "Geen", []))
    assert "Geen gegevens" in svg
