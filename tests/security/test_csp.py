"""The Content Security Policy allows no inline script, and the templates need none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

TEMPLATES = Path(__file__).resolve().parents[2] / "pacer" / "web" / "templates"


def directives(header: str) -> dict[str, list[str]]:
    found = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


@pytest.mark.django_db
def test_policy_allows_no_inline_script_and_no_framing() -> None:
    policy = directives(Client().get("/login/")["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src-elem"] == ["'self'"]
    assert policy["style-src-attr"] == ["'unsafe-inline'"]  # progress bars' widths
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    for name, sources in policy.items():
        if name.startswith(("script", "default", "style-src-elem")):
            assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, name


def test_templates_hold_no_inline_script() -> None:
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 20
    problems = []
    for path in templates:
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE):
            if "src=" not in tag:
                problems.append(f"{path.name}: inline {tag}")
        for pattern, what in (
            (r"\son[a-z]+\s*=", "event handler attribute"),
            (r"\s(?:data-)?hx-on", "hx-on attribute"),
            (r"javascript:", "javascript: URL"),
            (r"\s(?:data-)?hx-(?:vals|vars)\s*=\s*['\"]\s*js:", "js: expression"),
            (r"<style\b", "inline <style> element"),
        ):
            if re.search(pattern, text, flags=re.IGNORECASE):
                problems.append(f"{path.name}: {what}")
    assert problems == []


def test_htmx_runs_without_eval() -> None:
    base = (TEMPLATES / "base.html").read_text()
    assert '"allowEval": false' in base
    assert '"allowScriptTags": false' in base
    assert '"includeIndicatorStyles": false' in base  # else htmx adds an inline <style>
