"""The Jinja2 environment the HTML reports are rendered with (templates in report/templates/).

Autoescaping is on for every template, undefined names are errors, and nothing in the
environment depends on the time or the machine, so fixed inputs give byte-identical HTML.
"""

from __future__ import annotations

import jinja2


def template_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("octt.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_template(name: str, **context: object) -> str:
    return template_environment().get_template(name).render(**context)
