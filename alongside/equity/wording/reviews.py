"""The performance-review language aid: a lexicon of phrases that research associates
with biased reviews of women, and a checker over it.

A heuristic aid, not a verdict: a flagged word may be fair in its context, and an
unflagged review may still be biased. The lexicon is ours, written from the studies
cited in `docs/equity-wording.md`; each entry says why it is flagged and what to write
instead. Like the job-ad checker, it runs ONE compiled regex over the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True, slots=True)
class Category:
    key: str
    name: str | Promise
    why: str | Promise  # the research finding, in our words
    advice: str | Promise  # what to do instead, for the whole category
    flag: bool  # True: worth a second look; False: a strength of the review


@dataclass(frozen=True, slots=True)
class Entry:
    category: str
    terms: tuple[str, ...]  # lower-case words or phrases, matched as whole words
    alternative: str | Promise


CATEGORIES: dict[str, Category] = {
    c.key: c
    for c in (
        Category(
            key="personality",
            name=_("Personality critique"),
            why=_(
                "Kieran Snyder's 2014 analysis of 248 performance reviews from 28 "
                "technology companies (Fortune, \u201cThe abrasiveness trap\u201d) found "
                "critical feedback in 88% of women's reviews and 59% of men's, and "
                "criticism of personality (\u201cabrasive\u201d, \u201cbossy\u201d, "
                "\u201cemotional\u201d) almost only in women's: \u201cabrasive\u201d "
                "described 13 women and no man."
            ),
            advice=_(
                "Describe the behavior and its effect on the work (what happened, when, "
                "what it changed), and what should happen next time."
            ),
            flag=True,
        ),
        Category(
            key="vague",
            name=_("Vague or communal praise"),
            why=_(
                "Correll and Simard (\u201cVague feedback is holding women back\u201d, "
                "Harvard Business Review, 2016) found that women's reviews were less "
                "often tied to business outcomes and more often held vague praise "
                "(\u201cyou had a great year\u201d: 57% of women's reviews and 43% of "
                "men's in one company), and that vague feedback went with lower ratings "
                "for women but not for men. Madera, Hebl and Martin (2009) found letters "
                "for women more communal (helpful, kind) and communal descriptions "
                "linked to weaker hiring judgments."
            ),
            advice=_(
                "Name the result: what the person delivered, for whom, and what changed "
                "because of it."
            ),
            flag=True,
        ),
        Category(
            key="grindstone",
            name=_("Grindstone words"),
            why=_(
                "Trix and Psenka (2003) described \u201cgrindstone\u201d adjectives "
                "(hardworking, diligent, conscientious), more common in letters for "
                "women; Schmader, Whitehead and Wysocki (2007) found that letters with "
                "more standout words had fewer grindstone words. Effort is good to note, "
                "but on its own it reads as less than excellence."
            ),
            advice=_(
                "Pair effort with outcomes and ability: what the care or hard work "
                "achieved, and how good the work was."
            ),
            flag=True,
        ),
        Category(
            key="doubt",
            name=_("Doubt raisers"),
            why=_(
                "Trix and Psenka (2003) found more \u201cdoubt raisers\u201d (hedges, "
                "faint praise, unexplained negatives) in letters for women; Madera and "
                "colleagues (2019) found the same in 624 academic letters and that some "
                "doubt raisers harmed how candidates of either gender were judged."
            ),
            advice=_(
                "State what you observed plainly; if there is a concern, say what it is "
                "and give an example."
            ),
            flag=True,
        ),
        Category(
            key="personal",
            name=_("Personal life and appearance"),
            why=_(
                "Our own category, not a cited finding: family, pregnancy, appearance "
                "and age are not part of the work, invite stereotypes, and in many "
                "places must not influence employment decisions."
            ),
            advice=_("Leave them out; review the work."),
            flag=True,
        ),
        Category(
            key="standout",
            name=_("Standout words"),
            why=_(
                "Schmader, Whitehead and Wysocki (2007) analyzed 886 letters for "
                "chemistry and biochemistry faculty jobs: letters for men used "
                "significantly more standout adjectives (excellent, outstanding, "
                "exceptional), though the letters were otherwise more alike than "
                "different. Use them whenever they are deserved, for everyone."
            ),
            advice=_("Keep them, with the evidence that earns them."),
            flag=False,
        ),
        Category(
            key="achievement",
            name=_("Achievement evidence"),
            why=_(
                "Specific, outcome-linked feedback (what was delivered, with figures) "
                "is what Correll and Simard found women received less often; it makes a "
                "review useful for promotion decisions."
            ),
            advice=_("Keep it, and add figures where you can."),
            flag=False,
        ),
    )
}

# One alternative per entry; inflections and spellings listed explicitly.
ENTRIES: tuple[Entry, ...] = (
    # Personality critique
    Entry(
        "personality",
        ("abrasive", "abrasiveness"),
        _(
            "name the behavior: e.g., \u201cinterrupted X twice in the design review\u201d"
        ),
    ),
    Entry(
        "personality",
        ("bossy", "bossiness"),
        _("describe how work was assigned and its effect on the team"),
    ),
    Entry(
        "personality",
        ("aggressive", "aggressively", "aggressiveness"),
        _("describe what was said or done and its effect"),
    ),
    Entry(
        "personality",
        ("emotional", "emotionally", "too emotional"),
        _("describe the situation and the response you expect"),
    ),
    Entry(
        "personality",
        ("shrill", "strident"),
        _("describe what was communicated and what should change"),
    ),
    Entry(
        "personality",
        ("pushy",),
        _("say what was asked for and how it affected others"),
    ),
    Entry(
        "personality",
        ("abrupt", "curt"),
        _("give an example and say what a better exchange looks like"),
    ),
    Entry(
        "personality",
        ("dramatic", "hysterical", "histrionic"),
        _("describe the situation and the response you expect"),
    ),
    Entry(
        "personality",
        ("temperamental", "moody", "hormonal"),
        _("describe specific incidents and their effect on the work"),
    ),
    Entry(
        "personality", ("intimidating",), _("say what happened and who was affected")
    ),
    Entry(
        "personality",
        ("difficult to work with", "hard to work with"),
        _("give an example and the effect on the project"),
    ),
    Entry(
        "personality",
        ("high-maintenance", "high maintenance"),
        _("name the requests and their cost to the team"),
    ),
    Entry(
        "personality",
        ("feisty", "sassy", "catty", "bitchy"),
        _("describe the behavior, not the person"),
    ),
    Entry(
        "personality",
        ("nagging", "nags"),
        _("say what was followed up and whether it was needed"),
    ),
    Entry(
        "personality",
        ("opinionated", "judgmental", "judgemental"),
        _("give an example of how views were expressed and the effect"),
    ),
    Entry(
        "personality",
        ("irrational",),
        _("describe the decision and the reasoning you disagree with"),
    ),
    Entry(
        "personality",
        ("too direct", "too blunt", "too assertive", "too ambitious"),
        _("describe the exchange and what would have worked better"),
    ),
    Entry(
        "personality",
        ("watch her tone", "watch his tone", "her tone", "attitude problem"),
        _("describe what was said and its effect"),
    ),
    Entry(
        "personality",
        ("come across as", "comes across as", "came across as"),
        _("report what happened rather than an impression"),
    ),
    # Vague or communal praise
    Entry(
        "vague",
        ("great attitude", "good attitude", "positive attitude", "can-do attitude"),
        _(
            "name what the attitude produced: e.g., \u201cunblocked the release by...\u201d"
        ),
    ),
    Entry("vague", ("helpful",), _("say who was helped, with what, and the result")),
    Entry(
        "vague", ("supportive",), _("say what support was given and what it achieved")
    ),
    Entry(
        "vague",
        ("team player",),
        _("name the team outcome and this person's part in it"),
    ),
    Entry(
        "vague",
        ("pleasure to work with", "a joy to work with", "delight to work with"),
        _("name the contributions that made the work go well"),
    ),
    Entry(
        "vague",
        ("nice", "lovely", "sweet", "delightful", "pleasant"),
        _("describe the contribution, not the manner"),
    ),
    Entry(
        "vague",
        (
            "great year",
            "good year",
            "good job",
            "great job",
            "well done",
            "great work",
            "good work",
        ),
        _("say which work, and what it achieved"),
    ),
    Entry(
        "vague",
        ("caring", "warm", "kind"),
        _(
            "describe the result of the care: retention, morale survey, mentoring outcomes"
        ),
    ),
    Entry(
        "vague",
        ("does whatever is asked", "willing to help", "always willing"),
        _("name what was delivered and its impact"),
    ),
    # Grindstone words
    Entry(
        "grindstone",
        ("hardworking", "hard-working", "hard working", "works hard"),
        _("add what the work achieved"),
    ),
    Entry(
        "grindstone",
        ("diligent", "diligently", "diligence"),
        _("add the outcome the diligence secured"),
    ),
    Entry("grindstone", ("conscientious",), _("add the result and its quality")),
    Entry(
        "grindstone",
        ("dependable", "reliable", "reliably"),
        _("say what was delivered, on what schedule"),
    ),
    Entry(
        "grindstone",
        ("meticulous", "thorough", "careful"),
        _("say what the care caught or made possible"),
    ),
    Entry(
        "grindstone", ("organized", "organised"), _("say what the organizing delivered")
    ),
    # Doubt raisers
    Entry(
        "doubt",
        ("seems to", "seemed to", "appears to", "appeared to"),
        _("say what you observed"),
    ),
    Entry(
        "doubt",
        ("somewhat", "fairly", "reasonably"),
        _("drop the hedge or give the measure"),
    ),
    Entry(
        "doubt",
        ("adequate", "adequately", "satisfactory", "acceptable"),
        _("say how the work met or missed the bar, with an example"),
    ),
    Entry(
        "doubt",
        ("tries to", "tried to", "attempts to", "attempted to"),
        _("say what was achieved"),
    ),
    Entry(
        "doubt",
        ("not always", "at times", "occasionally"),
        _("give the example and its frequency"),
    ),
    Entry(
        "doubt", ("i think", "i believe", "i feel"), _("state the observation directly")
    ),
    Entry(
        "doubt",
        ("needs to be more confident", "lacks confidence", "needs more confidence"),
        _("name the skill or situation to work on"),
    ),
    # Personal life and appearance
    Entry(
        "personal",
        ("mother", "mom", "mum", "maternity", "pregnancy", "pregnant"),
        _("leave out; review the work"),
    ),
    Entry(
        "personal",
        (
            "family commitments",
            "family obligations",
            "her children",
            "his children",
            "her kids",
            "his kids",
        ),
        _("leave out; review the work"),
    ),
    Entry(
        "personal",
        ("pretty", "attractive", "well-dressed", "well dressed", "appearance"),
        _("leave out; review the work"),
    ),
    Entry(
        "personal",
        ("young", "girl", "girls", "lady", "ladies"),
        _("use the person's name or role"),
    ),
    # Standout words (strengths)
    Entry(
        "standout",
        (
            "excellent",
            "outstanding",
            "exceptional",
            "exceptionally",
            "superb",
            "brilliant",
            "remarkable",
            "unparalleled",
            "unique",
        ),
        _("keep, with the evidence"),
    ),
    Entry(
        "standout",
        ("best", "top performer", "world-class", "world class"),
        _("keep, with the evidence"),
    ),
    # Achievement evidence (strengths)
    Entry(
        "achievement",
        (
            "delivered",
            "launched",
            "shipped",
            "built",
            "designed",
            "negotiated",
            "resolved",
            "increased",
            "reduced",
            "grew",
            "saved",
            "won",
            "led",
            "created",
            "implemented",
        ),
        _("keep, with figures where possible"),
    ),
)


@dataclass(frozen=True, slots=True)
class Finding:
    start: int
    end: int
    text: str  # as written
    entry: Entry

    @property
    def category(self) -> Category:
        return CATEGORIES[self.entry.category]


@dataclass(frozen=True)
class ReviewResult:
    findings: list[Finding]

    def count(self, key: str) -> int:
        return sum(1 for f in self.findings if f.entry.category == key)

    @property
    def flagged(self) -> list[Finding]:
        return [f for f in self.findings if f.category.flag]

    def by_category(self) -> list[tuple[Category, list[Finding]]]:
        return [
            (category, found)
            for category in CATEGORIES.values()
            if (found := [f for f in self.findings if f.entry.category == category.key])
        ]


def _term_regex(term: str) -> str:
    # Spaces match any run of whitespace; hyphens stay literal.
    return r"\s+".join(re.escape(word) for word in term.split())


@cache
def _compiled() -> tuple[re.Pattern[str], dict[str, Entry]]:
    lookup: dict[str, Entry] = {}
    for entry in ENTRIES:
        for term in entry.terms:
            if term in lookup:
                raise ValueError(f"review term {term!r} is listed twice")
            lookup[term] = entry
    # Longest first, so "too emotional" wins over "emotional".
    terms = sorted(lookup, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w-])(?:" + "|".join(map(_term_regex, terms)) + r")(?![\w-])",
        re.IGNORECASE,
    )
    return pattern, lookup


def check_review(text: str) -> ReviewResult:
    pattern, lookup = _compiled()
    findings = []
    for match in pattern.finditer(text):
        key = " ".join(match[0].lower().split())
        findings.append(Finding(match.start(), match.end(), match[0], lookup[key]))
    return ReviewResult(findings)
