"""`manage.py paygap report|validate|representation FILE`: pay-gap figures from a file.

    manage.py paygap report payroll.csv --format json
    manage.py paygap report payroll.xlsx --column gender=Sex --column hourly_pay="Hourly rate" \
        --gender M=male --gender F=female --gender X=neither --min-group-size 5
    manage.py paygap validate payroll.csv
    manage.py paygap representation staff.csv --level-order "Junior,Senior,Director"

Columns: by default each canonical field is found by its own name as a header
(`employee_id, gender, hourly_pay, bonus_pay, category, full_pay_relevant`, optional
`relevant, basic_hourly_pay, level`) or a common alias ("Sex", "Hourly rate", "Job
family", ...); `--column field=Header` overrides one field. Gender values: m/male/man,
f/female/woman/w are recognised; anything else needs `--gender VALUE=male|female|neither`
(once one --gender is given, only the given values count).

Output: `report --format json` prints ONE JSON object {"uk_gpg_2017", "eu_2023_970_art9",
"counts"} at full precision; `--format text` a readable table rounded to one decimal.
No suppression by default (whoever runs this holds the raw file); `--min-group-size K`
applies the suppression rules of docs/paygap-method.md.

Bad input: the problems, one per line (`paygap: FILE: row 14, column 'Base pay': Not a
number ...`), go to stderr and the exit status is 1; nothing is printed on stdout.
Warnings go to stderr as `paygap: FILE: warning: ...` and the figures are still computed,
unless `--strict`, which makes any warning fatal (exit 1). Usage errors exit with 2.
No message contains a cell's value.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from alongside.equity.paygap import (
    FIELDS,
    ColumnMapping,
    PayrollInvalid,
    ValidationResult,
    analyse,
    compute_representation,
    detect_columns,
    suggest_mapping,
    suppress,
    suppress_representation,
    validate,
)
from alongside.equity.paygap.fields import GENDER_CODES, Kind


class Command(BaseCommand):
    help = (
        "Gender pay-gap figures (UK GPG Regulations 2017, EU Directive 2023/970 Art. 9) from a "
        "payroll CSV or .xlsx file. `paygap report FILE --format json|text`, `paygap validate "
        "FILE`, `paygap representation FILE`. See docs/paygap-method.md."
    )
    # Reads a file and prints figures: no database, URLs or models involved.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["report", "validate", "representation"])
        parser.add_argument("file")
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help="Which header holds a field; fields: "
            + ", ".join(f.name for f in FIELDS),
        )
        parser.add_argument(
            "--gender",
            action="append",
            default=[],
            metavar="VALUE=CODE",
            help="Map a gender value to male, female or neither.",
        )
        parser.add_argument(
            "--encoding", default="utf-8", help="Declared encoding of a CSV file."
        )
        parser.add_argument(
            "--min-group-size",
            type=int,
            default=0,
            metavar="K",
            help="Suppress figures resting on fewer than K men or women.",
        )
        parser.add_argument(
            "--strict", action="store_true", help="Treat warnings as errors."
        )
        parser.add_argument(
            "--level-order",
            default="",
            help="representation: comma-separated levels, entry level first.",
        )
        parser.add_argument(
            "--leadership-levels",
            type=int,
            default=1,
            help="representation: how many top levels count as leadership.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"paygap: {path}: no such file", returncode=2)
        mapping = self._mapping(path, options)
        action = options["action"]
        k = int(options["min_group_size"])
        if k < 0:
            raise CommandError("--min-group-size must be 0 or more", returncode=2)
        kind: Kind = "representation" if action == "representation" else "paygap"
        if action == "validate":
            result = validate(path, mapping, kind="paygap")
            self._problems(path, result, strict=options["strict"])
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            if not result.ok or (options["strict"] and result.warning_count):
                raise CommandError(f"paygap: {path}: not valid", returncode=1)
            return
        if kind == "representation":
            order = [
                p.strip() for p in options["level_order"].split(",") if p.strip()
            ] or None
            try:
                rep = compute_representation(
                    path,
                    mapping,
                    level_order=order,
                    leadership_levels=options["leadership_levels"],
                )
            except PayrollInvalid as invalid:
                self._problems(path, invalid.validation, strict=False)
                raise CommandError(
                    f"paygap: {path}: {invalid.validation.error_count} error(s); "
                    "nothing computed",
                    returncode=1,
                ) from None
            self._problems(path, rep.validation, strict=options["strict"])
            data = rep.as_dict()
            if k:
                data = suppress_representation(data, k)
            if options["format"] == "json":
                self.stdout.write(json.dumps(data, indent=2))
            else:
                self.stdout.write(representation_text(data))
            return
        validation, computed = analyse(path, mapping)
        self._problems(path, validation, strict=options["strict"])
        if computed is None or (options["strict"] and validation.warning_count):
            raise CommandError(
                f"paygap: {path}: {validation.error_count} error(s), {validation.warning_count} "
                "warning(s); nothing computed",
                returncode=1,
            )
        data = computed.as_dict()
        if k:
            data = suppress(data, k)
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, indent=2))
        else:
            self.stdout.write(report_text(data))

    def _mapping(self, path: Path, options: dict[str, Any]) -> ColumnMapping:
        encoding = options["encoding"]
        mapping = suggest_mapping(detect_columns(path, encoding))
        mapping.encoding = encoding
        names = {f.name for f in FIELDS}
        for item in options["column"]:
            field, sep, header = item.partition("=")
            if not sep or field.strip() not in names:
                raise CommandError(
                    f"--column {item!r}: use FIELD=HEADER with FIELD one of "
                    + ", ".join(sorted(names)),
                    returncode=2,
                )
            mapping.columns[field.strip()] = header.strip()
        for item in options["gender"]:
            value, sep, code = item.rpartition("=")
            code = code.strip().lower()
            if not sep or code not in (*GENDER_CODES, "other"):
                raise CommandError(
                    f"--gender {item!r}: use VALUE=male|female|neither", returncode=2
                )
            mapping.gender_values[value] = code
        return mapping

    def _problems(self, path: Path, result: ValidationResult, *, strict: bool) -> None:
        for problem in result.errors:
            self.stderr.write(f"paygap: {path}: {problem}")
        if result.error_count > len(result.errors):
            self.stderr.write(
                f"paygap: {path}: ... {result.error_count - len(result.errors)} more error(s)"
            )
        for problem in result.warnings:
            self.stderr.write(f"paygap: {path}: warning: {problem}")
        if result.warning_count > len(result.warnings):
            self.stderr.write(
                f"paygap: {path}: ... {result.warning_count - len(result.warnings)} more warning(s)"
            )
        sys.stderr.flush()


def _pct(value: Any) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _fig(figure: dict[str, Any]) -> str:
    if figure.get("protects_other"):
        return "hidden"  # only so that another cell cannot be worked out (footnote)
    if figure.get("suppressed"):
        return "suppressed"
    if figure.get("value") is None:
        return f"undefined ({figure.get('reason')})"
    return _pct(figure["value"])


def _people(count: Any, one: str, many: str) -> str:
    """ "1 woman", "no women", "12 women"; a suppressed count is never "None women"."""
    if count is None:
        return f"a few {many} (suppressed)"
    if count == 0:
        return f"no {many}"
    return f"{count} {one if count == 1 else many}"


def _men_women(m: Any, f: Any) -> str:
    return f"{_people(m, 'man', 'men')}, {_people(f, 'woman', 'women')}"


def _counts(figure: dict[str, Any]) -> str:
    if "count" in figure:
        return (
            ""
            if figure.get("count") is None
            else f"{figure['recipients']} of {figure['count']}"
        )
    m, f = figure.get("male_count"), figure.get("female_count")
    return "" if m is None else _men_women(m, f)


def report_text(data: dict[str, Any]) -> str:
    lines: list[str] = []
    uk, eu = data["uk_gpg_2017"], data["eu_2023_970_art9"]
    lines.append("UK Gender Pay Gap Information Regulations 2017")
    labels = {
        "mean_hourly_gap_pct": "Mean hourly pay gap",
        "median_hourly_gap_pct": "Median hourly pay gap",
        "mean_bonus_gap_pct": "Mean bonus gap",
        "median_bonus_gap_pct": "Median bonus gap",
        "male_bonus_pct": "Men receiving a bonus",
        "female_bonus_pct": "Women receiving a bonus",
    }
    for key, label in labels.items():
        lines.append(f"  {label:<40} {_fig(uk[key]):>12}  {_counts(uk[key])}")
    lines.append(_bands_text(uk["quartiles"]))
    lines.append("")
    lines.append("EU Pay Transparency Directive 2023/970, Article 9(1)")
    eu_labels = {
        "a_gender_pay_gap_pct": "(a) Gender pay gap (mean)",
        "b_variable_pay_gap_all_workers_pct": "(b) Variable pay gap, all workers",
        "b_variable_pay_gap_recipients_pct": "(b) Variable pay gap, recipients",
        "c_median_gender_pay_gap_pct": "(c) Median gender pay gap",
        "d_median_variable_pay_gap_all_workers_pct": "(d) Median variable gap, all workers",
        "d_median_variable_pay_gap_recipients_pct": "(d) Median variable gap, recipients",
        "e_male_receiving_variable_pay_pct": "(e) Men receiving variable pay",
        "e_female_receiving_variable_pay_pct": "(e) Women receiving variable pay",
    }
    for key, label in eu_labels.items():
        lines.append(f"  {label:<40} {_fig(eu[key]):>12}  {_counts(eu[key])}")
    lines.append("  (f) quartile pay bands")
    lines.append(_bands_text(eu["f_quartiles"]))
    lines.append(
        "  (g) by category of workers: mean gap (total / basic / variable all / variable recipients)"
    )
    for category in eu["g_categories"]:
        flag = " >= 5% (Art. 10)" if category.get("art10_flag") else ""
        lines.append(
            f"    {category['category'][:30]:<30} {_fig(category['mean_gap_pct']):>10} "
            f"{_fig(category['basic_pay_gap_pct']):>10} {_fig(category['variable_pay_gap_all_workers_pct']):>10} "
            f"{_fig(category['variable_pay_gap_recipients_pct']):>10}  {_counts(category['mean_gap_pct'])}{flag}"
        )
    flag = eu["art10_joint_assessment_flag"]
    lines.append(
        f"  Article 10 joint pay assessment trigger: "
        f"{'yes' if flag else ('no' if flag is False else 'undetermined')}"
    )
    counts = data.get("counts", {})
    if counts:
        lines.append("")
        lines.append(
            f"People: {_men_women(counts.get('male'), counts.get('female'))}; "
            f"{counts.get('neither_excluded') if counts.get('neither_excluded') is not None else 'a few (suppressed)'} "
            "recorded as neither, left out of every figure."
        )
    if '"protects_other": true' in json.dumps(data):
        lines.append(
            "hidden: not small itself, hidden so that another cell cannot be worked out; "
            "suppressed: fewer than k men or women."
        )
    return "\n".join(lines)


def _bands_text(bands: list[dict[str, Any]]) -> str:
    rows = []
    for band in bands:
        if band.get("protects_other"):
            rows.append(f"    {band['band']:<14} hidden")
        elif band.get("suppressed"):
            rows.append(f"    {band['band']:<14} suppressed")
        elif band["male_pct"] is None:
            rows.append(f"    {band['band']:<14} nobody")
        else:
            rows.append(
                f"    {band['band']:<14} men {_pct(band['male_pct']):>7}  women {_pct(band['female_pct']):>7}"
                f"  ({_men_women(band['male_count'], band['female_count'])})"
            )
    return "\n".join(rows)


def representation_text(data: dict[str, Any]) -> str:
    lines = [
        f"Representation by level ({data['order_source'].replace('_', ' ')} order, entry level first)"
    ]
    for level in data["levels"]:
        if level.get("suppressed"):
            lines.append(f"  {level['level'][:30]:<30} suppressed")
        else:
            lines.append(
                f"  {level['level'][:30]:<30} women {_pct(level['female_share_pct']):>7}  "
                f"({level['male_count']} men, {level['female_count']} women)"
            )
    lead = data["leadership"]
    share = "suppressed" if lead.get("suppressed") else _pct(lead["female_share_pct"])
    lines.append(f"Leadership ({', '.join(lead['levels'])}): women {share}")
    return "\n".join(lines)
