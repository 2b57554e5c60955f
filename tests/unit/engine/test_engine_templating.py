"""{placeholder} rendering and dotted paths."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from octt.engine.templating import Scope, TemplateError, dotted_get, render

PICS = {"profiles": {"core": True}, "limits": {"response_timeout_s": 30}}


def pics_lookup(dotted: str) -> Any:
    node: Any = PICS
    for part in dotted.split("."):
        node = node[part]
    return node


def scope(**variables: Any) -> Scope:
    return Scope(variables, {"pics": pics_lookup, "cfg": lambda rest: {"ms": 5}[rest]})


# -- lone placeholders keep their type -----------------------------------------------------------


@pytest.mark.parametrize("value", [42, Decimal("1.5"), True, None, [1, 2], {"a": 1}, "text"])
def test_lone_placeholder_keeps_the_type(value: Any) -> None:
    rendered = render("{v}", scope(v=value))
    assert rendered == value
    assert type(rendered) is type(value)


def test_lone_placeholder_from_a_namespace_keeps_the_type() -> None:
    assert render("{pics.limits.response_timeout_s}", scope()) == 30
    assert render("{pics.profiles.core}", scope()) is True


# -- embedded placeholders are formatted ----------------------------------------------------------


def test_embedded_placeholders_are_formatted_into_the_text() -> None:
    s = scope(cp_id="CP-1", connector_id=2, limit=Decimal("0.5"))
    assert render("Reset {cp_id} on connector {connector_id}", s) == "Reset CP-1 on connector 2"
    assert render("{cp_id}/{connector_id}", s) == "CP-1/2"
    assert render("max {limit} s", s) == "max 0.5 s"
    assert render(" {connector_id}", s) == " 2"


def test_text_without_placeholders_is_unchanged() -> None:
    s = scope()
    for text in ["plain", "", "{}", "{ spaced }", "{1abc}", "{a b}", 'json {"k": 1}']:
        assert render(text, s) == text


def test_placeholder_names_may_contain_dots_dashes_and_digits() -> None:
    s = Scope({"a-b_1": "x"}, {})
    assert render("{a-b_1}", s) == "x"


# -- recursion -----------------------------------------------------------------------------------


def test_render_recurses_into_mappings_and_lists() -> None:
    s = scope(tag="T1", n=3)
    value = {"idTag": "{tag}", "list": ["{n}", "n={n}", 7], "nested": {"deep": ("{tag}",)}}
    assert render(value, s) == {"idTag": "T1", "list": [3, "n=3", 7], "nested": {"deep": ["T1"]}}


def test_mapping_keys_are_not_rendered_and_non_strings_pass_through() -> None:
    s = scope(tag="T1")
    assert render({"{tag}": 1}, s) == {"{tag}": 1}
    assert render(5, s) == 5
    assert render(None, s) is None
    assert render(Decimal("2.5"), s) == Decimal("2.5")


# -- lookup order and errors ---------------------------------------------------------------------


def test_variables_win_over_namespaces() -> None:
    s = Scope({"pics.profiles.core": "saved"}, {"pics": pics_lookup})
    assert render("{pics.profiles.core}", s) == "saved"


def test_unknown_name_lists_the_known_variables() -> None:
    with pytest.raises(TemplateError) as info:
        render("{nope}", scope(b=1, a=2))
    assert str(info.value) == "{nope} is not defined (known: a, b)"


def test_unknown_name_inside_text_raises_too() -> None:
    with pytest.raises(TemplateError, match=r"\{nope\} is not defined"):
        render("hello {nope}!", scope())


def test_unknown_item_in_a_namespace_names_the_namespace() -> None:
    with pytest.raises(TemplateError) as info:
        render("{pics.profiles.reservation}", scope())
    assert str(info.value) == "{pics.profiles.reservation}: no 'profiles.reservation' in pics"


def test_dotted_name_with_an_unknown_namespace_is_undefined() -> None:
    with pytest.raises(TemplateError, match=r"\{other\.x\} is not defined"):
        render("{other.x}", scope())


def test_namespace_head_alone_is_not_a_lookup() -> None:
    with pytest.raises(TemplateError, match=r"\{pics\} is not defined"):
        render("{pics}", scope())


def test_template_error_is_a_lookup_error() -> None:
    assert issubclass(TemplateError, LookupError)


# -- dotted_get -----------------------------------------------------------------------------------


DOC = {
    "idTagInfo": {"status": "Accepted", "parentIdTag": None},
    "configurationKey": [{"key": "A", "value": "1"}, {"key": "B", "value": "2"}],
    "flat.key": 1,
}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("idTagInfo.status", "Accepted"),
        ("idTagInfo.parentIdTag", None),
        ("idTagInfo", DOC["idTagInfo"]),
        ("configurationKey.0.key", "A"),
        ("configurationKey.1.value", "2"),
        ("configurationKey.01.key", "B"),
    ],
)
def test_dotted_get_walks_mappings_and_list_indexes(path: str, value: Any) -> None:
    assert dotted_get(DOC, path) == value


@pytest.mark.parametrize(
    "path",
    [
        "missing",
        "idTagInfo.missing",
        "idTagInfo.status.deeper",
        "configurationKey.2.key",
        "configurationKey.-1.key",
        "configurationKey.key",
        "flat.key",  # dots always separate
        "",
    ],
)
def test_dotted_get_raises_key_error_naming_the_path(path: str) -> None:
    with pytest.raises(KeyError) as info:
        dotted_get(DOC, path)
    assert info.value.args == (path,)


def test_placeholders_nest() -> None:
    s = Scope(
        {"kind": "Root", "alg": "SHA256", "data.Root.SHA256": [1, 2]},
        {},
    )
    assert render("{data.{kind}.{alg}}", s) == [1, 2]  # the inner ones first, then the name
    assert render("x {kind} {alg}", s) == "x Root SHA256"
