"""The Jinja2 environment: autoescaping always on, undefined names are errors."""

from __future__ import annotations

import jinja2
import pytest

from octt.report.templates import render_template, template_environment


def test_autoescape_is_on_for_every_template() -> None:
    environment = template_environment()
    assert environment.from_string("{{ x }}").render(x="<script>&") == "&lt;script&gt;&amp;"


def test_undefined_names_are_errors() -> None:
    with pytest.raises(jinja2.UndefinedError):
        template_environment().from_string("{{ missing }}").render()


def test_packaged_templates_load() -> None:
    environment = template_environment()
    for name in ("certificate.html.j2", "report.html.j2"):
        assert environment.get_template(name).name == name


def test_render_template_fails_loudly_without_its_context() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_template("certificate.html.j2")
