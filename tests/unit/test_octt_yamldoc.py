"""YAML documents with line marks, validated against octt's schemas, errors as file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from octt.yamldoc import DocumentError, load_document, parse_yaml, validate_document


def write(tmp_path: Path, text: str, name: str = "doc.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_lines_of_every_node_are_recorded(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb:\n  c: [x, y]\n  d:\n    - e: 2\n")
    document = parse_yaml(path)
    assert document.data == {"a": 1, "b": {"c": ["x", "y"], "d": [{"e": 2}]}}
    assert document.line_of() == 1
    assert document.line_of("a") == 1
    assert document.line_of("b", "c") == 3
    assert document.line_of("b", "c", 1) == 3
    assert document.line_of("b", "d", 0, "e") == 5


def test_line_of_falls_back_to_the_deepest_known_node(tmp_path: Path) -> None:
    document = parse_yaml(write(tmp_path, "a: 1\nb: {c: 2}\n"))
    assert document.line_of("b", "missing", "deeper") == 2
    assert document.line_of("nothing") == 1


def test_a_block_value_is_located_where_its_content_starts(tmp_path: Path) -> None:
    document = parse_yaml(write(tmp_path, "b:\n  c: 2\nd:\n  - 1\n"))
    assert document.line_of("b") == 2
    assert document.line_of("d") == 4


def test_error_text_starts_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb: 2\n")
    error = parse_yaml(path).error("bad b", "b")
    assert str(error) == f"{path}:2: bad b"
    assert (error.file, error.line, error.message) == (str(path), 2, "bad b")


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a: 1\nb: [1, 2\nc: 3\n")
    with pytest.raises(DocumentError) as info:
        parse_yaml(path)
    assert str(info.value).startswith(f"{path}:3: not valid YAML: ")


def test_tab_indentation_is_invalid_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "a:\n\t- 1\n")
    with pytest.raises(DocumentError, match=r":2: not valid YAML"):
        parse_yaml(path)


def test_unreadable_file_is_a_document_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(DocumentError) as info:
        parse_yaml(missing)
    assert str(info.value).startswith(f"{missing}:0: cannot read: ")


def test_text_can_be_given_instead_of_reading(tmp_path: Path) -> None:
    document = parse_yaml(tmp_path / "virtual.yaml", "x: 1\n")
    assert document.data == {"x": 1}


def test_empty_document(tmp_path: Path) -> None:
    document = parse_yaml(write(tmp_path, "# only a comment\n"))
    assert document.data is None
    assert document.line_of("x") == 1


def test_schema_violation_deep_in_the_document_points_at_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "csms_url: ws://127.0.0.1:9000\n"
        "lab:\n"
        "  name: Lab\n"
        "  vendor_signatory:\n"
        "    name: A\n"
        "    company: 44\n",
    )
    with pytest.raises(DocumentError) as info:
        load_document(path, "run-config.schema.json")
    assert str(info.value) == (
        f"{path}:6: lab/vendor_signatory/company: 44 is not of type 'string'"
    )


def test_unexpected_key_is_reported_at_its_mapping_and_named(tmp_path: Path) -> None:
    path = write(tmp_path, "lab:\n  shoe_size: 44\n  name: Lab\n")
    with pytest.raises(DocumentError) as info:
        load_document(path, "run-config.schema.json")
    assert str(info.value).startswith(f"{path}:2: lab: Additional properties are not allowed")
    assert "'shoe_size' was unexpected" in str(info.value)


def test_first_violation_by_line_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "time_scale: 5\nsecurity_profile: 7\ntls_verify: maybe\n")
    with pytest.raises(DocumentError) as info:
        load_document(path, "run-config.schema.json")
    assert str(info.value).startswith(f"{path}:1: time_scale: 5 is greater than the maximum of 1")


def test_valid_document_passes(tmp_path: Path) -> None:
    document = parse_yaml(write(tmp_path, "tls_verify: false\n"))
    validate_document(document, "run-config.schema.json")
    assert load_document(document.file, "run-config.schema.json").data == {"tls_verify": False}


def test_top_level_type_error_is_at_line_one(tmp_path: Path) -> None:
    path = write(tmp_path, "- just\n- a list\n")
    with pytest.raises(DocumentError, match=r":1: .*is not of type 'object'"):
        load_document(path, "run-config.schema.json")
