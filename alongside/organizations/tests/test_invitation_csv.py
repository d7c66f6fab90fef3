from __future__ import annotations

import codecs

from alongside.organizations.invitation_csv import (
    MAX_BYTES,
    MAX_ROWS,
    CsvFileError,
    Invitee,
    Problem,
    parse,
)
from alongside.organizations.models import Role
from alongside.test import BaseTestCase


class CsvParseTestCase(BaseTestCase):
    def _parse(self, text: str) -> tuple[list[Invitee], list[Problem]]:
        return parse(text.encode(), organization=self.org)

    def test_it_reads_a_good_file(self) -> None:
        invitees, problems = self._parse(
            "email,role,name\n"
            "Ana@Example.net,member,Ana\n"
            "ben@example.net,Program admin,Ben\n"
            "chris@example.net,,\n"
            "dee@example.net,facilitator\n"
            "\n"
        )
        self.assertEqual(problems, [])
        self.assertEqual(
            invitees,
            [
                Invitee(2, "ana@example.net", Role.MEMBER, "Ana"),
                Invitee(3, "ben@example.net", Role.PROGRAM_ADMIN, "Ben"),
                Invitee(4, "chris@example.net", Role.MEMBER, ""),
                Invitee(5, "dee@example.net", Role.FACILITATOR, ""),
            ],
        )

    def test_it_needs_only_the_email_column_in_any_order(self) -> None:
        invitees, problems = self._parse("Name,EMAIL\nAna,ana@example.net\n")
        self.assertEqual(problems, [])
        self.assertEqual(invitees, [Invitee(2, "ana@example.net", Role.MEMBER, "Ana")])

    def test_it_reports_every_bad_row_with_row_column_and_reason(self) -> None:
        invitees, problems = self._parse(
            "email,role,name\n"
            "not-an-email,member,A\n"  # row 2: invalid email
            "ok@example.net,boss,B\n"  # row 3: unknown role
            "dup@example.net,member,C\n"  # row 4: fine
            "DUP@example.net,member,D\n"  # row 5: duplicate of row 4
            "alice@example.org,member,E\n"  # row 6: already a member
            ",member,F\n"  # row 7: missing email
            f"long@example.net,member,{'x' * 81}\n"  # row 8: name too long
        )
        found = [(p.row, p.column) for p in problems]
        self.assertEqual(
            found,
            [
                (2, "email"),
                (3, "role"),
                (5, "email"),
                (6, "email"),
                (7, "email"),
                (8, "name"),
            ],
        )
        reasons = {p.row: p.reason for p in problems}
        self.assertIn("not a valid email", reasons[2])
        self.assertIn("Unknown role", reasons[3])
        self.assertIn("row 4", reasons[5])
        self.assertIn("already a member", reasons[6])
        self.assertIn("missing", reasons[7])
        self.assertIn("80 characters", reasons[8])
        self.assertEqual(len(invitees), 1)  # only row 4 was good

    def test_it_recognises_members_by_secondary_addresses_too(self) -> None:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(
            user=self.bob, email="bob@home.example", verified=True, primary=False
        )
        _invitees, problems = self._parse("email\nbob@home.example\n")
        self.assertEqual(
            [p.reason for p in problems], ["This person is already a member."]
        )

    def test_it_reads_utf8_with_a_byte_order_mark(self) -> None:
        data = codecs.BOM_UTF8 + "email,name\njose@example.net,José\n".encode()
        invitees, problems = parse(data, organization=self.org)
        self.assertEqual(problems, [])
        self.assertEqual(invitees[0].name, "José")

    def test_it_reads_utf16_as_saved_by_some_spreadsheets(self) -> None:
        data = "email\tname\r\nana@example.net\tAna\r\n".encode("utf-16")
        invitees, problems = parse(data, organization=self.org)
        self.assertEqual(problems, [])
        self.assertEqual(invitees, [Invitee(2, "ana@example.net", Role.MEMBER, "Ana")])

    def test_it_reads_semicolon_separated_files(self) -> None:
        invitees, problems = self._parse("email;role\nana@example.net;mentor\n")
        self.assertEqual(problems, [])
        self.assertEqual(invitees[0].role, Role.MENTOR)

    def test_it_explains_a_file_that_is_not_utf8(self) -> None:
        data = "email,name\nana@example.net,Zoë\n".encode("cp1252")
        with self.assertRaisesMessage(CsvFileError, "UTF-8"):
            parse(data, organization=self.org)

    def test_it_rejects_a_binary_file(self) -> None:
        with self.assertRaisesMessage(CsvFileError, "does not look like a CSV"):
            parse(b"email\n\x00\x01\x02", organization=self.org)

    def test_it_rejects_a_missing_email_column(self) -> None:
        with self.assertRaisesMessage(CsvFileError, "email"):
            self._parse("name,role\nAna,member\n")

    def test_it_rejects_an_unknown_column(self) -> None:
        with self.assertRaisesMessage(CsvFileError, "Unknown column “salary”"):
            self._parse("email,salary\nana@example.net,100\n")

    def test_it_rejects_an_empty_file(self) -> None:
        with self.assertRaisesMessage(CsvFileError, "empty"):
            self._parse("")
        with self.assertRaisesMessage(CsvFileError, "nobody to invite"):
            self._parse("email,role,name\n\n")

    def test_it_limits_rows_and_size(self) -> None:
        rows = "".join(f"p{i}@example.net\n" for i in range(MAX_ROWS + 1))
        with self.assertRaisesMessage(CsvFileError, f"the limit is {MAX_ROWS}"):
            self._parse("email\n" + rows)
        with self.assertRaisesMessage(CsvFileError, "larger than"):
            parse(b"email\n" + b"a" * MAX_BYTES, organization=self.org)

    def test_it_flags_rows_with_too_many_cells(self) -> None:
        _invitees, problems = self._parse("email,role\nana@example.net,member,extra\n")
        self.assertEqual(len(problems), 1)
        self.assertIn("more cells", problems[0].reason)
