"""Golden files: every figure computed by hand (see each JSON's `hand_computation`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase

from alongside.equity.paygap import (
    ColumnMapping,
    compute,
    compute_representation,
    detect_columns,
    suggest_mapping,
    suppress,
    suppress_representation,
)

GOLDEN = Path(__file__).parent / "golden"
TOLERANCE = 0.005  # figures match the hand-computed ones to 2 dp


def load_case(name: str) -> tuple[Path, dict[str, Any], ColumnMapping]:
    path = GOLDEN / f"{name}.csv"
    spec = json.loads((GOLDEN / f"{name}.json").read_text())
    if "mapping" in spec:
        mapping = ColumnMapping.from_json(spec["mapping"])
    else:
        mapping = suggest_mapping(detect_columns(path))
    return path, spec, mapping


def assert_matches(
    case: SimpleTestCase, actual: Any, expected: Any, where: str
) -> None:
    """Partial match: every key in `expected` must match; a number or None stands for a
    figure's `value` when the actual item is a figure dict."""
    if isinstance(expected, dict):
        case.assertIsInstance(actual, dict, where)
        for key, value in expected.items():
            case.assertIn(key, actual, f"{where}.{key} missing")
            assert_matches(case, actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        case.assertIsInstance(actual, list, where)
        case.assertEqual(len(actual), len(expected), f"{where}: length")
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_matches(case, a, e, f"{where}[{i}]")
    elif (
        isinstance(actual, dict)
        and "value" in actual
        and not isinstance(expected, str | bool)
    ):
        assert_matches(case, actual["value"], expected, f"{where}.value")
    elif isinstance(expected, bool) or expected is None or isinstance(expected, str):
        case.assertEqual(actual, expected, where)
    else:
        case.assertIsNotNone(actual, where)
        case.assertIsInstance(actual, int | float, where)
        case.assertLessEqual(
            abs(actual - expected), TOLERANCE, f"{where}: {actual} != {expected}"
        )


PAYGAP_CASES = (
    "basic",
    "ties_even",
    "ties_odd",
    "ties_half",
    "no_bonus",
    "neither",
    "leave",
    "no_men",
    "categories_k3",
)


class GoldenTests(SimpleTestCase):
    def test_every_golden_file_is_run(self) -> None:
        names = {p.stem for p in GOLDEN.glob("*.json")}
        self.assertEqual(names, {*PAYGAP_CASES, "representation"})
        for name in names:
            self.assertTrue((GOLDEN / f"{name}.csv").exists(), name)
            self.assertTrue(
                json.loads((GOLDEN / f"{name}.json").read_text())["hand_computation"]
            )

    def test_paygap_figures(self) -> None:
        for name in PAYGAP_CASES:
            with self.subTest(name):
                path, spec, mapping = load_case(name)
                data = compute(path, mapping).as_dict()
                self.assertEqual(
                    set(data), {"uk_gpg_2017", "eu_2023_970_art9", "counts"}
                )
                assert_matches(self, data, spec["expected"], name)
                if "suppress" in spec:
                    shown = suppress(data, spec["suppress"]["k"])
                    assert_matches(
                        self, shown, spec["suppress"]["expected"], f"{name} (k)"
                    )

    def test_representation(self) -> None:
        path, spec, mapping = load_case("representation")
        result = compute_representation(
            path,
            mapping,
            level_order=spec["level_order"],
            leadership_levels=spec["leadership_levels"],
        ).as_dict()
        assert_matches(self, result, spec["expected"], "representation")
        shown = suppress_representation(result, spec["suppress"]["k"])
        assert_matches(self, shown, spec["suppress"]["expected"], "representation (k)")

    def test_representation_orders_without_a_given_order(self) -> None:
        path, _, mapping = load_case("representation")
        result = compute_representation(path, mapping, leadership_levels=2).as_dict()
        self.assertEqual(result["order_source"], "first_appearance")
        self.assertEqual(
            [lv["level"] for lv in result["levels"]],
            ["Junior", "Mid", "Senior", "Director"],
        )
        # Top two levels: Senior (3 men, 1 woman) + Director (2 men): 1 of 6.
        self.assertAlmostEqual(result["leadership"]["female_share_pct"], 100 / 6)

    def test_representation_numeric_levels_and_unknown_level(self) -> None:
        import tempfile

        from alongside.equity.paygap import PayrollInvalid

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "levels.csv"
            path.write_text("gender,level\nF,10\nM,2\nF,2\nM,10\nM,1\n")
            mapping = suggest_mapping(detect_columns(path))
            result = compute_representation(path, mapping).as_dict()
            self.assertEqual(result["order_source"], "numeric")
            self.assertEqual([lv["level"] for lv in result["levels"]], ["1", "2", "10"])
            with self.assertRaises(PayrollInvalid) as raised:
                compute_representation(path, mapping, level_order=["1", "2"])
            problems = raised.exception.validation.errors
            self.assertEqual(
                [(p.row, p.code) for p in problems],
                [(2, "unknown_level"), (5, "unknown_level")],
            )
