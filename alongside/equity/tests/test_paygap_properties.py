"""Properties (docs/paygap-method.md, "Suppression"): invariances of the figures and of suppression."""

from __future__ import annotations

import json
import os
import random
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
from django.test import SimpleTestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alongside.equity.paygap import ColumnMapping, compute, suppress
from alongside.equity.paygap.suppression import is_small

# Each example runs the whole engine (~60 ms); a nightly job can raise this (T10: 1,000).
EXAMPLES = int(os.environ.get("PAYGAP_PROPERTY_EXAMPLES", "25"))

COLUMNS = [
    "employee_id",
    "gender",
    "hourly_pay",
    "bonus_pay",
    "category",
    "full_pay_relevant",
    "relevant",
]
MAPPING = ColumnMapping(
    columns={c: c for c in COLUMNS},
    gender_values={"M": "male", "F": "female", "X": "neither"},
)

Row = tuple[
    str, int, int, str, int, int
]  # gender, hourly pence, bonus pence, category, fpr, relevant

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["M", "F", "F", "M", "X"]),
        st.integers(min_value=100, max_value=20_000),
        st.one_of(st.just(0), st.integers(min_value=0, max_value=500_000)),
        st.sampled_from(["A", "B", "C", "Ops", "Sales"]),
        st.sampled_from([1, 1, 1, 0]),
        st.sampled_from([1, 1, 1, 0]),
    ),
    min_size=1,
    max_size=60,
)


def write_csv(
    path: Path, rows: list[Row], scale: float = 1.0, order: list[int] | None = None
) -> None:
    lines = [",".join(COLUMNS)]
    indexes = order if order is not None else list(range(len(rows)))
    for i in indexes:
        gender, hourly, bonus, category, fpr, relevant = rows[i]
        fpr = fpr if hourly else 0  # zero pay is only valid for people not on full pay
        lines.append(
            ",".join(
                [
                    str(i + 1),
                    gender,
                    repr(hourly / 100 * scale),
                    repr(bonus / 100 * scale),
                    category,
                    str(fpr),
                    str(relevant),
                ]
            )
        )
    path.write_text("\n".join(lines) + "\n")


def percentages(data: Any, path: str = "") -> dict[str, float | None]:
    """Every percentage in a result, flattened by path."""
    out: dict[str, float | None] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("value", "male_pct", "female_pct"):
                out[f"{path}.{key}"] = value
            else:
                out.update(percentages(value, f"{path}.{key}"))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            out.update(percentages(item, f"{path}[{i}]"))
    return out


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


class PropertyTests(SimpleTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.dir = Path(self.tmp.name)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        rows=rows_strategy,
        seed=st.integers(0, 2**32),
        scale=st.sampled_from([0.5, 2.0, 3.0, 10.0, 1000.0]),
    )
    def test_row_order_and_common_scaling_leave_percentages_unchanged(
        self, rows: list[Row], seed: int, scale: float
    ) -> None:
        write_csv(self.dir / "a.csv", rows)
        order = list(range(len(rows)))
        random.Random(seed).shuffle(order)
        write_csv(self.dir / "b.csv", rows, scale=scale, order=order)
        first = compute(self.dir / "a.csv", MAPPING).as_dict()
        second = compute(self.dir / "b.csv", MAPPING).as_dict()
        self.assertEqual(first["counts"], second["counts"])
        a, b = percentages(first), percentages(second)
        self.assertEqual(a.keys(), b.keys())
        for key in a:
            self.assertTrue(close(a[key], b[key]), f"{key}: {a[key]} vs {b[key]}")
        for bands in (
            first["uk_gpg_2017"]["quartiles"],
            first["eu_2023_970_art9"]["f_quartiles"],
        ):
            sizes = [band["male_count"] + band["female_count"] for band in bands]
            n = sum(sizes)
            self.assertEqual(
                sizes, [((k + 1) * n) // 4 - (k * n) // 4 for k in range(4)]
            )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(rows=rows_strategy, k=st.integers(2, 6))
    def test_suppression_leaves_no_small_group_visible(
        self, rows: list[Row], k: int
    ) -> None:
        write_csv(self.dir / "a.csv", rows)
        raw = compute(self.dir / "a.csv", MAPPING).as_dict()
        shown = suppress(raw, k)
        self.assert_no_small_cell(shown, k)
        for section, table in (
            ("uk_gpg_2017", "quartiles"),
            ("eu_2023_970_art9", "f_quartiles"),
            ("eu_2023_970_art9", "g_categories"),
        ):
            self.assert_hidden_rows_not_recoverable(
                raw[section][table], shown[section][table], k
            )
        neither = shown["counts"]["neither_excluded"]
        self.assertFalse(is_small(neither, k))
        self.assertNotIn("total_rows", shown["counts"])
        self.assert_labels_are_honest(raw, shown, k)

    def assert_labels_are_honest(
        self, raw: dict[str, Any], shown: dict[str, Any], k: int
    ) -> None:
        """A hidden row says "to protect another cell" exactly when it is not small
        itself (issue 14: not "fewer than k people" for a row of 6 and 6)."""
        for section, table in (
            ("uk_gpg_2017", "quartiles"),
            ("eu_2023_970_art9", "f_quartiles"),
            ("eu_2023_970_art9", "g_categories"),
        ):
            for before, after in zip(
                raw[section][table], shown[section][table], strict=True
            ):
                if not after.get("suppressed"):
                    self.assertNotIn("protects_other", after)
                    continue
                small = is_small(before["male_count"], k) or is_small(
                    before["female_count"], k
                )
                self.assertIs(after["protects_other"], not small, (table, before))

    def assert_no_small_cell(self, data: Any, k: int) -> None:
        if isinstance(data, dict):
            if data.get("value") is not None or data.get("male_pct") is not None:
                for key in ("male_count", "female_count", "count"):
                    self.assertFalse(
                        is_small(data.get(key), k),
                        f"{key}={data.get(key)} shown with k={k}",
                    )
            for value in data.values():
                self.assert_no_small_cell(value, k)
        elif isinstance(data, list):
            for item in data:
                self.assert_no_small_cell(item, k)

    def assert_hidden_rows_not_recoverable(
        self, raw: list[dict[str, Any]], shown: list[dict[str, Any]], k: int
    ) -> None:
        """Total minus the shown rows = the hidden rows together: they must not be small."""
        hidden = [i for i, row in enumerate(shown) if row.get("suppressed")]
        if not hidden or len(hidden) == len(shown):
            return
        men = sum(raw[i]["male_count"] for i in hidden)
        women = sum(raw[i]["female_count"] for i in hidden)
        self.assertFalse(
            is_small(men, k) or is_small(women, k),
            f"hidden rows hold {men} men, {women} women",
        )

    def test_suppression_complementary_rows_hold_k_of_each(self) -> None:
        # Hand-built: hiding the one small category alone would let total - shown give it back.
        rows: list[Row] = []
        for category, men, women in (("A", 10, 10), ("B", 6, 7), ("C", 2, 9)):
            rows += [("M", 1000 + i, 0, category, 1, 1) for i in range(men)]
            rows += [("F", 900 + i, 0, category, 1, 1) for i in range(women)]
        write_csv(self.dir / "a.csv", rows)
        raw = compute(self.dir / "a.csv", MAPPING).as_dict()
        shown = suppress(raw, 5)
        hidden = [
            c["category"]
            for c in shown["eu_2023_970_art9"]["g_categories"]
            if c.get("suppressed")
        ]
        self.assertEqual(
            hidden, ["B", "C"]
        )  # C is small; B is the smallest complement with men

    def test_differencing_between_uk_and_eu_populations(self) -> None:
        # Two women on leave: the EU figure (all workers) minus the UK one (full pay) would
        # describe those two women.
        rows: list[Row] = [("M", 1500 + i, 0, "A", 1, 1) for i in range(8)]
        rows += [("F", 1400 + i, 0, "A", 1, 1) for i in range(8)]
        rows += [("F", 500, 0, "A", 0, 1), ("F", 600, 0, "A", 0, 1)]
        write_csv(self.dir / "a.csv", rows)
        raw = compute(self.dir / "a.csv", MAPPING).as_dict()
        shown = suppress(raw, 5)
        self.assertIsNotNone(shown["uk_gpg_2017"]["mean_hourly_gap_pct"]["value"])
        self.assertTrue(shown["eu_2023_970_art9"]["a_gender_pay_gap_pct"]["suppressed"])
        self.assertTrue(
            all(b.get("suppressed") for b in shown["eu_2023_970_art9"]["f_quartiles"])
        )
        other = suppress(raw, 5, prefer="eu_2023_970_art9")
        self.assertTrue(other["uk_gpg_2017"]["mean_hourly_gap_pct"]["suppressed"])
        self.assertIsNotNone(other["eu_2023_970_art9"]["a_gender_pay_gap_pct"]["value"])
        self.assertIsNotNone(
            suppress(raw, 2)["eu_2023_970_art9"]["a_gender_pay_gap_pct"]["value"]
        )

    def test_xlsx_equals_csv(self) -> None:
        golden = Path(__file__).parent / "golden" / "leave.csv"
        lines = [line.split(",") for line in golden.read_text().splitlines()]
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        assert sheet is not None
        for i, cells in enumerate(lines):
            sheet.append(
                cells
                if i == 0
                else [
                    int(cells[0]),
                    cells[1],
                    float(cells[2]),
                    float(cells[3]),
                    cells[4],
                    int(cells[5]),
                    cells[6] == "1",
                ]
            )
        path = self.dir / "leave.xlsx"
        workbook.save(path)
        mapping = ColumnMapping(
            columns={c: c for c in COLUMNS}, gender_values={"M": "male", "F": "female"}
        )
        self.assertEqual(
            compute(path, mapping).as_dict(), compute(golden, mapping).as_dict()
        )

    def test_same_data_in_other_encodings_and_layouts_gives_byte_equal_json(
        self,
    ) -> None:
        golden = Path(__file__).parent / "golden" / "neither.csv"
        spec = json.loads(golden.with_suffix(".json").read_text())
        mapping = ColumnMapping.from_json(spec["mapping"])
        text = golden.read_text().replace("Non-binary", "Non-binaire é")
        mapping.gender_values["Non-binaire é"] = "neither"
        lines = text.splitlines()
        header, body = lines[0], lines[1:]
        variants: dict[str, tuple[bytes, str]] = {
            "utf-8": (text.encode(), "utf-8"),
            "utf-8 BOM": (b"\xef\xbb\xbf" + text.encode(), "utf-8"),
            "utf-16 declared": (text.encode("utf-16"), "utf-16"),
            "latin-1 declared": (text.encode("latin-1"), "latin-1"),
            "CRLF": (text.replace("\n", "\r\n").encode(), "utf-8"),
            "semicolons": (text.replace(",", ";").encode(), "utf-8"),
            "quoted": (
                "\n".join(
                    ",".join(f'"{c}"' for c in line.split(",")) for line in lines
                ).encode(),
                "utf-8",
            ),
            "shuffled rows and columns": (self.shuffled(header, body), "utf-8"),
        }
        outputs = set()
        for name, (data, encoding) in variants.items():
            with self.subTest(name):
                path = self.dir / "variant.csv"
                path.write_bytes(data)
                mapping.encoding = encoding
                outputs.add(
                    json.dumps(compute(path, mapping).as_dict(), sort_keys=True)
                )
        self.assertEqual(len(outputs), 1)

    @staticmethod
    def shuffled(header: str, body: list[str]) -> bytes:
        rng = random.Random(7)
        columns = header.split(",")
        order = list(range(len(columns)))
        rng.shuffle(order)
        rows = [line.split(",") for line in body]
        rng.shuffle(rows)
        out = [",".join(columns[i] for i in order)] + [
            ",".join(r[i] for i in order) for r in rows
        ]
        return ("\n".join(out) + "\n").encode()
