"""Reading a CSV file of people to invite: every row is checked before anything is imported."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from alongside.organizations.models import Membership, Organization, Role

MAX_BYTES = 512 * 1024
MAX_ROWS = 500
COLUMNS = ("email", "role", "name")
NAME_MAX_LENGTH = 80


class CsvFileError(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Invitee:
    row: int
    email: str
    role: str
    name: str


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    value: str
    reason: str


def decode(data: bytes) -> str:
    """Decode UTF-8 (with or without a byte order mark) or UTF-16 with a byte order mark."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
    raise CsvFileError(
        _(
            "We could not read this file as UTF-8 text. In your spreadsheet program, "
            "save it as “CSV UTF-8” and upload it again."
        )
    )


def _role_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for value, label in Role.choices:
        lookup[_normalize_role(value)] = value
        lookup[_normalize_role(str(label))] = value
    return lookup


def _normalize_role(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").lower().split())


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    first_line = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def parse(
    data: bytes, *, organization: Organization
) -> tuple[list[Invitee], list[Problem]]:
    """Return the people to invite and every problem found; import only when there are none.

    Row numbers are those a spreadsheet shows: the header is row 1.
    Raises CsvFileError when the file as a whole is unusable.
    """
    if len(data) > MAX_BYTES:
        raise CsvFileError(
            _("The file is larger than %(size)d KB. Split it into smaller files.")
            % {"size": MAX_BYTES // 1024}
        )
    text = decode(data)
    if "\x00" in text:
        raise CsvFileError(_("This does not look like a CSV file. Upload a .csv file."))
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        header = next(reader, None)
        rows = list(reader)
    except csv.Error as e:
        raise CsvFileError(
            _("The file is not valid CSV (%(error)s).") % {"error": e}
        ) from None
    if not header or not any(cell.strip() for cell in header):
        raise CsvFileError(
            _(
                "The file is empty. The first row must name the columns: email, role, name."
            )
        )
    columns = [cell.strip().lower() for cell in header]
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise CsvFileError(
            _(
                "Unknown column “%(column)s” in the first row. Use the columns email, "
                "role (optional) and name (optional)."
            )
            % {"column": unknown[0][:40]}
        )
    if "email" not in columns:
        raise CsvFileError(_("The first row must contain a column named “email”."))
    if len(set(columns)) != len(columns):
        raise CsvFileError(_("A column name appears twice in the first row."))
    data_rows = [
        (number, row)
        for number, row in enumerate(rows, start=2)
        if any(cell.strip() for cell in row)
    ]
    if not data_rows:
        raise CsvFileError(_("The file has a header row but nobody to invite."))
    if len(data_rows) > MAX_ROWS:
        raise CsvFileError(
            _("The file has %(count)d rows; the limit is %(limit)d per upload.")
            % {"count": len(data_rows), "limit": MAX_ROWS}
        )
    return _check_rows(data_rows, columns, organization)


def _check_rows(
    data_rows: list[tuple[int, list[str]]],
    columns: list[str],
    organization: Organization,
) -> tuple[list[Invitee], list[Problem]]:
    roles = _role_lookup()
    member_emails = _member_emails(organization)
    seen: dict[str, int] = {}
    invitees: list[Invitee] = []
    problems: list[Problem] = []
    for number, row in data_rows:
        if len(row) > len(columns):
            problems.append(
                Problem(
                    number,
                    "",
                    "",
                    _("This row has more cells than the header has columns."),
                )
            )
            continue
        cells = dict(zip(columns, (cell.strip() for cell in row), strict=False))
        email = cells.get("email", "").lower()
        role_text = cells.get("role", "")
        name = cells.get("name", "")
        row_problems: list[Problem] = []
        if not email:
            row_problems.append(
                Problem(number, "email", "", _("The email address is missing."))
            )
        else:
            try:
                validate_email(email)
            except ValidationError:
                row_problems.append(
                    Problem(
                        number,
                        "email",
                        email[:100],
                        _("This is not a valid email address."),
                    )
                )
            else:
                if email in seen:
                    row_problems.append(
                        Problem(
                            number,
                            "email",
                            email,
                            _("This address already appears in row %(row)d.")
                            % {"row": seen[email]},
                        )
                    )
                elif email in member_emails:
                    row_problems.append(
                        Problem(
                            number,
                            "email",
                            email,
                            _("This person is already a member."),
                        )
                    )
                seen.setdefault(email, number)
        role = roles.get(_normalize_role(role_text)) if role_text else Role.MEMBER
        if role is None:
            row_problems.append(
                Problem(
                    number,
                    "role",
                    role_text[:40],
                    _("Unknown role. Use one of: %(roles)s.")
                    % {"roles": ", ".join(str(label) for _v, label in Role.choices)},
                )
            )
        if len(name) > NAME_MAX_LENGTH:
            row_problems.append(
                Problem(
                    number,
                    "name",
                    name[:40] + "…",
                    _("The name is longer than %(max)d characters.")
                    % {"max": NAME_MAX_LENGTH},
                )
            )
        if row_problems:
            problems.extend(row_problems)
        else:
            assert role is not None
            invitees.append(Invitee(number, email, role, name))
    return invitees, problems


def _member_emails(organization: Organization) -> set[str]:
    from allauth.account.models import EmailAddress

    members = Membership.objects.filter(organization=organization)
    emails = {e.lower() for e in members.values_list("user__email", flat=True) if e}
    emails.update(
        e.lower()
        for e in EmailAddress.objects.filter(
            user__memberships__organization=organization
        ).values_list("email", flat=True)
    )
    return emails
