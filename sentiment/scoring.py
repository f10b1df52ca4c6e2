"""Which language a comment is in, and how it feels, by maintained libraries made for it.

- Language: py3langid (a naive Bayes model shipped in its wheel; deterministic, no network).
  A comment is English only when the model's best guess is "en" with a normalised
  probability of at least ``ENGLISH_FROM`` and it has at least ``MIN_WORDS`` words; anything
  else, short replies included ("Great!", "Merci"), is "unknown": never guessed, never scored.
  Short texts are where language identification is least reliable (the model gives "Very slow"
  to Afrikaans), and a wrong "English" would score a foreign word by an English lexicon.
- Sentiment: VADER (vaderSentiment; its lexicon ships in the wheel), the compound score in
  -1..1 with VADER's standard thresholds: >= 0.05 positive, <= -0.05 negative, else neutral.

The models load once per process, on first use, not when Django starts.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from .models import Label, Language

ENGLISH_FROM = 0.7
MIN_WORDS = 3
POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


@dataclass(frozen=True)
class Scored:
    language: str
    compound: float | None
    label: str


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@functools.cache
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def language_of(text: str) -> str:
    """ "en" or "unknown" (see the module's docstring)."""
    if len(_WORD.findall(text)) < MIN_WORDS:
        return Language.UNKNOWN
    language, probability = _identifier().classify(text)
    if language == "en" and probability >= ENGLISH_FROM:
        return Language.ENGLISH
    return Language.UNKNOWN


def label_of(compound: float) -> str:
    if compound >= POSITIVE_FROM:
        return Label.POSITIVE
    if compound <= NEGATIVE_TO:
        return Label.NEGATIVE
    return Label.NEUTRAL


def score_text(text: str) -> Scored:
    """The comment's language and, for English, VADER's compound score and its label."""
    text = text.strip()
    if language_of(text) != Language.ENGLISH:
        return Scored(Language.UNKNOWN, None, Label.UNKNOWN)
    compound = float(_analyzer().polarity_scores(text)["compound"])
    return Scored(Language.ENGLISH, compound, label_of(compound))
