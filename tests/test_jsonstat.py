"""JSON-stat2 parsing: the cube laid out row-major, status symbols kept, every malformed body a clear DataError."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest

from serviceplan.core.errors import DataError
from serviceplan.inputs import jsonstat

FIXTURES = Path(__file__).parent / "fixtures" / "statfin"
FILE = "data/raw/2025-01/statfin_12r5.json"


def small() -> dict:
    """A 2 x 3 cube: region (KU398, SSS) x content (a, b, c); values 1..6 with the fifth one secret."""
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "test",
        "updated": "2025-02-25T06:00:00Z",
        "id": ["Alue", "Tiedot"],
        "size": [2, 3],
        "dimension": {
            "Alue": {"label": "Alue", "category": {"index": {"KU398": 0, "SSS": 1}, "label": {"KU398": "Lahti"}}},
            "Tiedot": {"label": "Tiedot", "category": {"index": ["a", "b", "c"]}},
        },
        "value": [1, 2, 3, 4, None, 6],
        "status": {"4": ".."},
    }


def violations_of(document: object) -> list:
    with pytest.raises(DataError) as caught:
        jsonstat.parse_document(document, FILE)
    return caught.value.violations


def test_cube_is_laid_out_row_major_last_dimension_fastest() -> None:
    dataset = jsonstat.parse(json.dumps(small()).encode(), FILE)
    frame = dataset.to_frame()
    assert dataset.ids == ["Alue", "Tiedot"]
    assert dataset.sizes == [2, 3]
    assert frame["Alue"].tolist() == ["KU398", "KU398", "KU398", "SSS", "SSS", "SSS"]
    assert frame["Tiedot"].tolist() == ["a", "b", "c", "a", "b", "c"]
    assert frame["value"].tolist()[:4] == [1.0, 2.0, 3.0, 4.0]
    assert math.isnan(frame["value"].iloc[4])
    assert frame["status"].iloc[4] == ".."
    assert frame["status"].isna().sum() == 5
    assert dataset.coordinates(5) == {"Alue": "SSS", "Tiedot": "c"}
    assert dataset.dimension("Alue").label_of("KU398") == "Lahti"
    assert dataset.dimension("Alue").label_of("SSS") == "SSS"  # no label given: the code stands in


def test_index_object_is_ordered_by_position_not_by_key_order() -> None:
    document = small()
    document["dimension"]["Alue"]["category"]["index"] = {"SSS": 1, "KU398": 0}
    dataset = jsonstat.parse_document(document, FILE)
    assert dataset.dimension("Alue").codes == ("KU398", "SSS")


def test_fixture_in_old_convention_parses_with_roles() -> None:
    dataset = jsonstat.parse((FIXTURES / "12r5_old.json").read_bytes(), FILE)
    assert dataset.with_role("time") == ["Kuukausi"]
    assert dataset.with_role("metric") == ["Tiedot"]
    assert dataset.updated == "2025-02-25T06:00:00Z"
    # position 4 = Alue 0 (KU398), Kuukausi 1 (2025M01), Tiedot 1 (TYOTOSUUS): Lahti's rate in January 2025
    assert dataset.coordinates(4) == {"Alue": "KU398", "Kuukausi": "2025M01", "Tiedot": "TYOTOSUUS"}
    assert dataset.values[4] == 15.9
    assert dataset.status == {8: ".."}


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("..", dict.fromkeys(range(6), "..")),  # one symbol for every cell
        (["."], dict.fromkeys(range(6), ".")),  # a one-element list also applies to all
        (["", "", "", "", "..", ""], {4: ".."}),  # one per cell; empty means none
        ({"0": ".", "4": ".."}, {0: ".", 4: ".."}),
    ],
)
def test_status_forms(status: object, expected: dict[int, str]) -> None:
    document = small()
    document["status"] = status
    assert jsonstat.parse_document(document, FILE).status == expected


def test_sparse_value_object() -> None:
    document = small()
    document["value"] = {"0": 10, "5": 60}
    values = jsonstat.parse_document(document, FILE).values
    assert values[0] == 10 and values[5] == 60
    assert sum(math.isnan(v) for v in values) == 4


def test_single_category_dimension_may_leave_out_index() -> None:
    document = small()
    document["id"].append("Sukupuoli")
    document["size"].append(1)
    document["dimension"]["Sukupuoli"] = {"label": "Sukupuoli", "category": {"label": {"SSS": "Yhteensä"}}}
    assert jsonstat.parse_document(document, FILE).dimension("Sukupuoli").codes == ("SSS",)


def test_size_product_must_equal_the_number_of_values() -> None:
    document = small()
    document["value"] = [1, 2, 3, 4, 5]
    (violation,) = violations_of(document)
    assert violation.file == FILE
    assert violation.column == "value"
    assert violation.value == "5 values"
    assert "6 values, the product of size (2 x 3)" in violation.expected


def test_size_must_match_the_categories() -> None:
    document = small()
    document["size"] = [3, 2]
    found = violations_of(document)
    assert [v.column for v in found] == ["size[0]", "size[1]"]
    assert "number of categories of dimension 'Alue' (2 in" in found[0].expected


def test_id_and_dimension_must_agree() -> None:
    document = small()
    document["dimension"]["Kuukausi"] = document["dimension"].pop("Tiedot")
    columns = {v.column for v in violations_of(document)}
    assert columns == {"dimension.Kuukausi", "dimension.Tiedot"}  # one extra, one missing


def test_size_and_id_lengths_must_agree() -> None:
    document = small()
    document["size"] = [6]
    (violation,) = violations_of(document)
    assert violation.column == "size"
    assert "one count per dimension in 'id' (2 dimensions: Alue, Tiedot)" in violation.expected


def test_index_positions_must_be_a_permutation() -> None:
    document = small()
    document["dimension"]["Alue"]["category"]["index"] = {"KU398": 0, "SSS": 0}
    (violation,) = violations_of(document)
    assert violation.column == "dimension.Alue.category.index"
    assert "positions 0..1, each once" in violation.expected


def test_a_text_value_is_named_by_its_position() -> None:
    document = small()
    document["value"][2] = "1,5"
    (violation,) = violations_of(document)
    assert (violation.column, violation.value, violation.expected) == ("value[2]", "1,5", "a number or null")


@pytest.mark.parametrize("value", [True, math.inf, -math.inf, [1], {"a": 1}])
def test_a_value_that_is_no_finite_number_is_named_by_its_position(value: object) -> None:
    document = small()
    document["value"][1] = value
    (violation,) = violations_of(document)
    assert (violation.column, violation.expected) == ("value[1]", "a number or null")


def test_plain_values_and_nulls_are_read_as_numbers_and_nan() -> None:
    document = small()
    document["value"] = [1, 2.5, None, 0, -3, 7]
    values = jsonstat.parse_document(document, "x.json").values.tolist()
    assert values[:2] == [1.0, 2.5] and math.isnan(values[2]) and values[3:] == [0.0, -3.0, 7.0]


def test_role_must_name_existing_dimensions() -> None:
    document = small()
    document["role"] = {"time": ["Kuukausi"]}
    (violation,) = violations_of(document)
    assert violation.column == "role.time"


def test_json_stat_version_1_bundle_is_refused_with_a_hint() -> None:
    bundle = {"dataset": {"dimension": {}, "value": []}}
    columns = {v.column: v.expected for v in violations_of(bundle)}
    assert "json-stat2" in columns["version"]
    assert "class" in columns


def test_truncated_body_names_the_line() -> None:
    text = (FIXTURES / "12r5_old.json").read_text(encoding="utf-8")
    cut = text[: text.index('"value"')]
    with pytest.raises(DataError) as caught:
        jsonstat.parse(cut.encode(), FILE)
    (violation,) = caught.value.violations
    assert violation.row == cut.count("\n") + 1  # the line where the body breaks off (35 of the fixture)
    assert "truncated" in violation.expected


def test_html_error_page_saved_as_json() -> None:
    with pytest.raises(DataError) as caught:
        jsonstat.parse((FIXTURES / "html_error.json").read_bytes(), FILE)
    (violation,) = caught.value.violations
    assert violation.row == 1
    assert "not an HTML page" in violation.expected
    assert violation.value.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"[1, 2]", "a JSON object"),
        (b"\xff\xfe{", "UTF-8"),
    ],
)
def test_other_malformed_bodies(body: bytes, expected: str) -> None:
    with pytest.raises(DataError) as caught:
        jsonstat.parse(body, FILE)
    assert expected in caught.value.violations[0].expected


def test_byte_order_mark_is_accepted() -> None:
    body = b"\xef\xbb\xbf" + json.dumps(small()).encode()
    assert jsonstat.parse(body, FILE).sizes == [2, 3]


def test_error_message_is_one_clear_line() -> None:
    document = copy.deepcopy(small())
    document["value"] = [1]
    with pytest.raises(DataError) as caught:
        jsonstat.parse_document(document, FILE)
    assert str(caught.value) == (
        f"{FILE}, column 'value': got '1 values'; expected 6 values, the product of size (2 x 3)"
    )
