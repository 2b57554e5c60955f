"""Rendering ``{placeholders}`` in step values.

A string that is exactly one placeholder (``"{transaction_id}"``) becomes the value itself with
its type; placeholders inside longer text are formatted into it. Names are looked up in a
`Scope`: saved variables first, then dotted namespaces (``pics.…``, ``config.…``,
``cp.config.<Key>``, ``now_plus.<seconds>``) and the PICS test data by its own names
(``valid_id_tag``); ``{now}`` is the charge point's clock as an RFC 3339 timestamp and
``{now_plus.3600}`` one hour later (negative seconds go back). Placeholders nest:
``{cp.certificate_hash_data.{kind}.SHA256}`` fills in ``{kind}`` first, then looks the result up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")


class TemplateError(LookupError):
    """A placeholder names nothing known."""


class Scope:
    def __init__(
        self,
        variables: Mapping[str, Any],
        namespaces: Mapping[str, Callable[[str], Any]],
    ) -> None:
        self._variables = variables
        self._namespaces = namespaces

    def lookup(self, name: str) -> Any:
        if name in self._variables:
            return self._variables[name]
        head, _, rest = name.partition(".")
        if rest and head in self._namespaces:
            try:
                return self._namespaces[head](rest)
            except KeyError:
                raise TemplateError(f"{{{name}}}: no {rest!r} in {head}") from None
        known = ", ".join(sorted(self._variables))
        raise TemplateError(f"{{{name}}} is not defined (known: {known})")


def render(value: Any, scope: Scope) -> Any:
    """Render placeholders in `value` (recursing into lists and mappings)."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            return scope.lookup(whole.group(1))
        rendered = _PLACEHOLDER.sub(lambda m: str(scope.lookup(m.group(1))), value)
        if rendered != value and _PLACEHOLDER.fullmatch(rendered):
            # A nested placeholder: "{cp.certificate_hash_data.{kind}.SHA256}" names a value
            # once its inner placeholders are filled in.
            return render(rendered, scope)
        return rendered
    if isinstance(value, Mapping):
        return {k: render(v, scope) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [render(v, scope) for v in value]
    return value


def dotted_get(document: Any, path: str) -> Any:
    """The value at a dotted path (``idTagInfo.status``, ``configurationKey.0.key``).

    Raises KeyError when the path does not exist.
    """
    node = document
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(path)
    return node
