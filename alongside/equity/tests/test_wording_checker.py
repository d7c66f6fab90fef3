"""Golden tests of the job-ad checker's rules (gendered_wording.json) and the review aid."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import TestCase

from hypothesis import given, settings
from hypothesis import strategies as st

from alongside.equity.wording import checker
from alongside.equity.wording.checker import check, lexicon, trie_regex, verdict_for
from alongside.equity.wording.highlight import highlight_job_ad, highlight_review
from alongside.equity.wording.reference import reference_check
from alongside.equity.wording.reviews import CATEGORIES, ENTRIES, check_review
from alongside.equity.wording.suggestions import SUGGESTIONS


def words(text: str) -> tuple[list[str], list[str]]:
    result = check(text)
    return result.masculine_words, result.feminine_words


class DataFileTestCase(TestCase):
    def test_it_ships_the_research_data_with_its_source(self) -> None:
        data = lexicon().data
        self.assertIn("Gaucher", data["source"]["paper"])
        self.assertIn("gender-decoder", data["source"]["tool"])
        self.assertIn("Appendix A", data["source"]["paper"])
        self.assertEqual(len(data["verdicts"]), 6)
        self.assertEqual(set(data["verdicts"]), set(checker.VERDICTS))

    def test_it_loads_the_data_once(self) -> None:
        self.assertIs(lexicon(), lexicon())

    def test_every_stem_has_a_suggestion(self) -> None:
        lex = lexicon()
        self.assertEqual(set(SUGGESTIONS), set(lex.masculine + lex.feminine))
        for stem, alternatives in SUGGESTIONS.items():
            self.assertTrue(alternatives, stem)

    def test_the_pattern_is_one_compiled_regex(self) -> None:
        self.assertIsInstance(lexicon().pattern, re.Pattern)

    def test_lists_without_hyphenated_stems_or_any_stems_work(self) -> None:
        data = {**lexicon().data, "hyphenated_stems": []}
        lex = checker.build_lexicon(data)
        # Without the keep-whole rule, "self-confident" splits and "confident" counts.
        self.assertEqual(
            check("self-confident x", lex=lex).masculine_words, ["confident"]
        )
        data = {**data, "masculine_coded": [], "feminine_coded": []}
        self.assertEqual(
            check("lead kind", lex=checker.build_lexicon(data)).verdict, "empty"
        )

    def test_trie_regex_matches_any_stem_as_a_prefix(self) -> None:
        pattern = re.compile(trie_regex(["lead", "leader", "loyal", "co-operat"]))
        self.assertTrue(pattern.match("leadership"))
        self.assertTrue(pattern.match("loyalty"))
        self.assertTrue(pattern.match("co-operative"))
        self.assertFalse(pattern.match("lea"))
        self.assertFalse(pattern.match("cooperative"))


class TokenizingTestCase(TestCase):
    def test_it_lower_cases_and_keeps_repeats_in_text_order(self) -> None:
        m, f = words("LEADER, Leader; leader. Kind and KIND")
        self.assertEqual(m, ["leader", "leader", "leader"])
        self.assertEqual(f, ["kind", "kind"])

    def test_it_reports_masculine_and_feminine_in_text_order(self) -> None:
        m, f = words("supportive competitive loyal driven warm leader")
        self.assertEqual(m, ["competitive", "driven", "leader"])
        self.assertEqual(f, ["supportive", "loyal", "warm"])

    def test_stems_match_as_prefixes_only_at_word_start(self) -> None:
        m, f = words("lead leading leadership misleading pleader")
        self.assertEqual(m, ["lead", "leading", "leadership"])
        self.assertEqual(f, [])

    def test_entries_without_asterisk_also_match_as_prefixes(self) -> None:
        # The Gender Decoder's rule, kept by the data file: "kind" matches "kindness".
        self.assertEqual(words("kindness kinds")[1], ["kindness", "kinds"])

    def test_separator_punctuation_splits_words(self) -> None:
        for char in ".,<>*?!\"[]@':;()/&":
            with self.subTest(char=char):
                self.assertEqual(words(f"x{char}lead{char}ers")[0], ["lead"])

    def test_other_ascii_stays_inside_words(self) -> None:
        # Digits, _ # + $ % = | ~ ^ ` { } keep a word whole: no match at their start...
        for char in "0_#+$%=|~^`{}":
            with self.subTest(char=char):
                self.assertEqual(words(f"{char}leader")[0], [])
                # ...and they are part of the reported word when they follow a stem.
                self.assertEqual(words(f"leader{char}x")[0], [f"leader{char}x"])

    def test_non_ascii_characters_are_separators(self) -> None:
        # Accented letters, curly quotes, dashes, non-breaking spaces, other scripts.
        m, f = words(
            "\u201cleader\u201d\u2014driven\u00a0na\u00efve caf\u00e9lead \u65e5lead\u00e9s"
        )
        self.assertEqual(m, ["leader", "driven", "lead", "lead"])
        # "naïve" becomes "na" + "ve": neither is coded ("nag" needs the g).
        self.assertEqual(f, [])

    def test_whitespace_of_every_kind_separates(self) -> None:
        m, _ = words("lead\tlead\nlead\rlead\x0blead\x0clead\x1clead\x1flead")
        self.assertEqual(len(m), 8)


class HyphenTestCase(TestCase):
    def test_hyphenated_stems_keep_the_word_whole(self) -> None:
        m, f = words(
            "self-confident Self-Reliant self-sufficient co-operative inter-personal"
        )
        self.assertEqual(m, ["self-confident", "self-reliant", "self-sufficient"])
        self.assertEqual(f, ["co-operative", "inter-personal"])

    def test_a_kept_whole_word_is_not_counted_again_by_its_parts(self) -> None:
        # "confident" is itself a stem; "self-confident" counts once.
        self.assertEqual(words("self-confident")[0], ["self-confident"])
        self.assertEqual(words("self-confident-looking")[0], ["self-confident-looking"])

    def test_head_strong_is_kept_whole_unlike_the_gender_decoder(self) -> None:
        # The data file's hyphenated_stems include it; the Gender Decoder's own list
        # does not, so there it never matches.
        self.assertEqual(words("head-strong")[0], ["head-strong"])

    def test_other_hyphenated_words_are_split(self) -> None:
        m, f = words("servant-leader team-oriented fast-paced, well-supported")
        self.assertEqual(m, ["leader"])
        self.assertEqual(f, ["supported"])

    def test_each_part_is_matched_separately(self) -> None:
        m, f = words("leader-loyal-lead")
        self.assertEqual(m, ["leader", "lead"])
        self.assertEqual(f, ["loyal"])

    def test_a_hyphenated_stem_inside_a_word_is_split(self) -> None:
        # Not at the start of the token, so split: x / self / confident.
        self.assertEqual(words("x-self-confident")[0], ["confident"])

    def test_empty_parts_are_dropped(self) -> None:
        self.assertEqual(words("--lead-- - ---")[0], ["lead"])


class ExceptionTestCase(TestCase):
    def test_sharepoint_is_never_counted(self) -> None:
        self.assertEqual(words("SharePoint sharepoint")[1], [])

    def test_only_the_exact_word_is_an_exception(self) -> None:
        self.assertEqual(
            words("sharepoints share sharing")[1], ["sharepoints", "share", "sharing"]
        )

    def test_the_exception_applies_to_parts_of_split_words(self) -> None:
        self.assertEqual(words("sharepoint-based share-based")[1], ["share"])


class CountingTestCase(TestCase):
    def test_a_word_counts_once_per_list_however_many_stems_it_starts_with(
        self,
    ) -> None:
        # "dominant" starts with "domina" and "dominant"; "interpersonal" with
        # "interpersona" and "interpersonal"; "sharing" with "sharin" only.
        m, f = words("dominant interpersonal")
        self.assertEqual(m, ["dominant"])
        self.assertEqual(f, ["interpersonal"])


class VerdictTestCase(TestCase):
    def assert_verdict(self, text: str, verdict: str) -> None:
        self.assertEqual(check(text).verdict, verdict)

    def test_the_six_verdicts(self) -> None:
        self.assert_verdict("kind warm loyal honest", "strongly feminine-coded")
        self.assert_verdict(
            "kind warm loyal honest gentle lead", "strongly feminine-coded"
        )
        self.assert_verdict("kind warm loyal", "feminine-coded")
        self.assert_verdict("kind", "feminine-coded")
        self.assert_verdict("kind lead", "neutral")
        self.assert_verdict("kind kind lead driven", "neutral")
        self.assert_verdict("We need someone who bakes bread.", "empty")
        self.assert_verdict("", "empty")
        self.assert_verdict("lead", "masculine-coded")
        self.assert_verdict("lead driven active", "masculine-coded")
        self.assert_verdict("lead driven active decisive", "strongly masculine-coded")

    def test_the_bands_use_the_raw_difference(self) -> None:
        self.assertEqual(verdict_for(0, 4), "strongly feminine-coded")
        self.assertEqual(verdict_for(10, 13), "feminine-coded")
        self.assertEqual(verdict_for(10, 14), "strongly feminine-coded")
        self.assertEqual(verdict_for(3, 3), "neutral")
        self.assertEqual(verdict_for(0, 0), "empty")
        self.assertEqual(verdict_for(13, 10), "masculine-coded")
        self.assertEqual(verdict_for(14, 10), "strongly masculine-coded")

    def test_only_exceptions_is_empty(self) -> None:
        self.assert_verdict("SharePoint", "empty")


class PositionsTestCase(TestCase):
    def test_offsets_point_at_the_words_in_the_original_text(self) -> None:
        text = "Caf\u00e9 \U0001f600 LEADER and co-operative; servant-leader"
        result = check(text, positions=True)
        self.assertEqual(
            [text[w.start : w.end] for w in result.words],
            ["LEADER", "co-operative", "leader"],
        )
        self.assertEqual([w.stem for w in result.words], ["lead", "co-operat", "lead"])

    def test_without_positions_the_words_are_the_same(self) -> None:
        text = "A driven, self-confident leader; kind and co-operative."
        self.assertEqual(check(text).as_dict(), check(text, positions=True).as_dict())


# Text drawn from coded words, separators, hyphens, non-ASCII and odd ASCII.
_pieces = st.sampled_from(
    [
        "lead",
        "Leader",
        "self-confident",
        "SELF-reliant",
        "co-operat",
        "head-strong",
        "sharepoint",
        "SharePoint",
        "share",
        "kind",
        "x",
        "-",
        "--",
        " ",
        "\n",
        "\t",
        ".",
        ",",
        "'",
        "\u2014",
        "\u00e9",
        "\u00a0",
        "\x1c",
        "#",
        "0",
        "_",
        "dominant",
        "inter-personal",
        "interpersonal",
        "confident",
        "\U0001f600",
        "\x00",
    ]
)


class PropertyTestCase(TestCase):
    @settings(max_examples=400, deadline=None)
    @given(st.lists(_pieces, max_size=40).map("".join))
    def test_it_agrees_with_the_reference_on_assembled_text(self, text: str) -> None:
        self.assertEqual(check(text).as_dict(), reference_check(text, lexicon().data))

    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=200))
    def test_it_agrees_with_the_reference_on_any_text(self, text: str) -> None:
        self.assertEqual(check(text).as_dict(), reference_check(text, lexicon().data))

    @settings(max_examples=200, deadline=None)
    @given(st.lists(_pieces, max_size=30).map("".join))
    def test_positions_cover_the_words(self, text: str) -> None:
        result = check(text, positions=True)
        for word in result.words:
            self.assertEqual(text[word.start : word.end].lower(), word.word)


class HighlightTestCase(TestCase):
    def test_it_escapes_the_text(self) -> None:
        text = '<script>alert("lead")</script> <b>driven</b> & kind'
        html = str(highlight_job_ad(text, check(text, positions=True)))
        self.assertNotIn("<script>", html)
        self.assertNotIn("<b>", html)
        self.assertIn("&lt;script&gt;", html)
        self.assertIn("&amp;", html)
        self.assertIn("<strong>lead</strong>", html)
        self.assertIn("<strong>driven</strong>", html)
        self.assertIn("<em>kind</em>", html)

    def test_it_keeps_line_breaks(self) -> None:
        text = "leader\n\nkind"
        html = str(highlight_job_ad(text, check(text, positions=True)))
        self.assertIn("</mark><br><br><mark", html)

    def test_review_highlighting_escapes_too(self) -> None:
        text = "<img src=x onerror=alert(1)> abrasive"
        html = str(highlight_review(text, check_review(text)))
        self.assertNotIn("<img", html)
        self.assertIn('<mark class="review-personality"', html)


class ReviewLexiconTestCase(TestCase):
    def test_every_entry_has_a_known_category_and_an_alternative(self) -> None:
        for entry in ENTRIES:
            self.assertIn(entry.category, CATEGORIES)
            self.assertTrue(str(entry.alternative))
            for term in entry.terms:
                self.assertEqual(term, term.lower())

    def test_every_category_says_why_and_what_instead(self) -> None:
        for category in CATEGORIES.values():
            self.assertTrue(str(category.why))
            self.assertTrue(str(category.advice))

    def test_it_flags_each_category(self) -> None:
        text = (
            "She is abrasive. A great attitude and very helpful. Hardworking and "
            "diligent. She seems to understand the system. As a mother of two she "
            "still delivered an outstanding launch."
        )
        found = [(f.text, f.entry.category) for f in check_review(text).findings]
        self.assertEqual(
            found,
            [
                ("abrasive", "personality"),
                ("great attitude", "vague"),
                ("helpful", "vague"),
                ("Hardworking", "grindstone"),
                ("diligent", "grindstone"),
                ("seems to", "doubt"),
                ("mother", "personal"),
                ("delivered", "achievement"),
                ("outstanding", "standout"),
            ],
        )

    def test_longer_phrases_win_and_whitespace_is_flexible(self) -> None:
        found = check_review("Too\n emotional, hard working.").findings
        self.assertEqual(
            [f.entry.category for f in found], ["personality", "grindstone"]
        )
        self.assertEqual(found[0].text, "Too\n emotional")

    def test_it_matches_whole_words_only(self) -> None:
        self.assertEqual(
            check_review("unhelpful nicety bossyness self-organized").findings, []
        )

    def test_strengths_are_not_flagged(self) -> None:
        result = check_review("Excellent work: she launched the app and reduced costs.")
        self.assertEqual(result.flagged, [])
        self.assertEqual(result.count("standout"), 1)
        self.assertEqual(result.count("achievement"), 2)


class DocsTestCase(TestCase):
    def test_the_docs_list_every_review_term(self) -> None:
        docs = (
            Path(__file__).resolve().parents[3] / "docs" / "equity-wording.md"
        ).read_text(encoding="utf-8")
        for entry in ENTRIES:
            row = f"| {', '.join(entry.terms)} | {entry.alternative} |"
            self.assertIn(row, docs)
        for category in CATEGORIES.values():
            self.assertIn(str(category.name), docs)
