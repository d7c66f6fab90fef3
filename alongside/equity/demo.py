"""Demo data for Riverside: a fictional payroll, two computed reports, an HR analyst.

The payroll is generated deterministically (a seeded random generator), with a gap of the
kind a hospital trust reports: women are most of the nursing and admin staff, men hold
more of the senior grades and most consultant bonuses. Every row is invented.
`demo_data/riverside-payroll-2026.csv` is the same generator's output for this year, for
an admin to upload through the pages.
"""

from __future__ import annotations

import csv
import io
import random
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alongside.equity.models import AnalystGrant, EquitySettings, PayGapReport

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.organizations.models import Organization

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
SAMPLE_PAYROLL = DEMO_DATA / "riverside-payroll-2026.csv"
HEADERS = [
    "Staff number",
    "Sex",
    "Hourly rate",
    "Bonus pay",
    "Job family",
    "Grade",
    "Full pay relevant",
]
GRADES = ["Band 2-4", "Band 5-6", "Band 7", "Band 8", "Director"]
# Job family: (headcount, share of women, grade weights, base hourly rate per grade)
FAMILIES: dict[str, tuple[int, float, list[int], list[float]]] = {
    "Nursing and midwifery": (
        170,
        0.88,
        [30, 45, 18, 6, 1],
        [12.9, 17.6, 23.4, 29.8, 48.0],
    ),
    "Medical and dental": (
        80,
        0.47,
        [0, 20, 30, 40, 10],
        [14.0, 24.5, 38.0, 55.0, 70.0],
    ),
    "Allied health professionals": (
        60,
        0.78,
        [15, 45, 28, 12, 0],
        [13.2, 17.9, 23.8, 30.1, 46.0],
    ),
    "Administrative and clerical": (
        90,
        0.76,
        [55, 25, 10, 8, 2],
        [12.4, 15.6, 21.0, 28.6, 52.0],
    ),
    "Estates and facilities": (
        55,
        0.22,
        [65, 22, 8, 4, 1],
        [12.2, 15.2, 20.4, 27.8, 45.0],
    ),
    "Corporate and senior management": (
        30,
        0.45,
        [0, 0, 10, 40, 50],
        [13.0, 17.0, 24.0, 33.0, 58.0],
    ),
    # Small on purpose: below k=5 women or men, so the report shows suppression.
    "Chaplaincy": (4, 0.75, [0, 60, 40, 0, 0], [12.0, 17.2, 22.5, 28.0, 40.0]),
}


def generate_payroll(year: int) -> list[dict[str, str]]:
    """Rows of a fictional payroll for the snapshot of 5 April `year` (deterministic)."""
    # The same people each year (one seed); pay moves: a 4% pay award a year, and
    # men's premium at senior grades shrinks, so the gap narrows a little.
    rng = random.Random("riverside")
    year_rng = random.Random(f"riverside-{year}")
    senior_premium = {2025: 0.14, 2026: 0.06}.get(year, 0.06)
    award = 1.04 ** (year - 2025)
    rows: list[dict[str, str]] = []
    number = 1000
    for family, (headcount, women_share, weights, rates) in FAMILIES.items():
        for i in range(headcount):
            number += 1
            if family == "Chaplaincy":
                sex = "F" if i < 3 else "M"
            else:
                roll = rng.random()
                sex = "X" if roll < 0.008 else ("F" if roll < women_share else "M")
            grade_weights = [float(w) for w in weights]
            if sex == "M":
                # Men are promoted a little more often in this fictional trust.
                grade_weights = [w * (1.0 + 0.18 * g) for g, w in enumerate(weights)]
            grade = rng.choices(range(len(GRADES)), weights=grade_weights)[0]
            spread = rng.uniform(0.94, 1.10)
            # From 2026 a few women were promoted from Band 8 to director posts.
            if year >= 2026 and sex == "F" and grade == 3 and year_rng.random() < 0.2:
                grade = 4
            rate = rates[grade] * spread * award
            if sex == "M" and grade >= 2:
                rate *= 1 + senior_premium * rng.uniform(0.5, 1.5)
            bonus = 0.0
            if family == "Medical and dental" and grade >= 3:
                # Clinical excellence awards: more often to men here.
                if rng.random() < (0.55 if sex == "M" else 0.35):
                    bonus = round(rng.uniform(3000, 18000), 2)
            elif grade == 4 and rng.random() < 0.6:
                bonus = round(rng.uniform(1500, 6000), 2)
            elif grade <= 1 and rng.random() < 0.12:
                bonus = round(rng.uniform(100, 400), 2)  # recruitment and retention
            full_pay = "0" if rng.random() < 0.05 else "1"
            rows.append(
                {
                    "Staff number": f"RHT{number}",
                    "Sex": sex,
                    "Hourly rate": f"{rate:.2f}",
                    "Bonus pay": f"{bonus:.2f}",
                    "Job family": family,
                    "Grade": GRADES[grade],
                    "Full pay relevant": full_pay,
                }
            )
    rng.shuffle(rows)
    return rows


def payroll_csv(year: int) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADERS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(generate_payroll(year))
    return out.getvalue()


def demo_mapping() -> Any:
    from alongside.equity import paygap

    return paygap.ColumnMapping(
        columns={
            "employee_id": "Staff number",
            "gender": "Sex",
            "hourly_pay": "Hourly rate",
            "bonus_pay": "Bonus pay",
            "category": "Job family",
            "level": "Grade",
            "full_pay_relevant": "Full pay relevant",
        },
        gender_values={"F": "female", "M": "male", "X": "neither"},
    )


def compute_year(year: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(figures, counts, representation) computed by the engine from the demo payroll."""
    from alongside.equity import paygap

    mapping = demo_mapping()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"riverside-{year}.csv"
        path.write_text(payroll_csv(year), encoding="utf-8")
        data = paygap.compute(path, mapping).as_dict()
        representation = paygap.compute_representation(
            path, mapping, level_order=GRADES, leadership_levels=1
        ).as_dict()
    counts = data.pop("counts", {})
    return data, counts, representation


def load(organization: Organization, users: dict[str, User]) -> None:
    EquitySettings.for_organization(organization)
    # Chloe Dubois is the trust's HR advisor: the plausible HR analyst of the demo.
    analyst = users.get("chloe")
    amara = users.get("amara")
    if analyst is not None and not AnalystGrant.holds(organization, analyst):
        AnalystGrant.objects.create(
            organization=organization, user=analyst, granted_by=amara
        )
    if PayGapReport.objects.for_organization(organization).exists():
        return
    for year in (2025, 2026):
        figures, counts, representation = compute_year(year)
        PayGapReport.objects.create(
            organization=organization,
            created_by=amara,
            title=f"Gender pay gap {year} (demo data)",
            snapshot_date=date(year, 4, 5),
            figures=figures,
            counts=counts,
            representation=representation,
            k_used=EquitySettings.for_organization(organization).effective_k,
        )
