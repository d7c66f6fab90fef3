"""Gendered-wording checker for job ads and a language aid for performance reviews."""

from __future__ import annotations

from alongside.equity.wording.checker import VERDICTS, WordingResult, check, lexicon
from alongside.equity.wording.extract import ExtractionError, extract_text
from alongside.equity.wording.reviews import ReviewResult, check_review

__all__ = [
    "VERDICTS",
    "ExtractionError",
    "ReviewResult",
    "WordingResult",
    "check",
    "check_review",
    "extract_text",
    "lexicon",
]
