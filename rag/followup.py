"""Elliptical follow-up questions: "and who said that?" leans on the previous question.

The selector answers one question at a time, so a follow-up that leaves its subject out
("when?", "who said that?", "what about Syria?") is rewritten into a self-contained question
by borrowing the previous question's subject. Plain string work, no model: cheap and testable.
"""

from __future__ import annotations

import re

__all__ = ["resolve_followup", "subject_of", "is_elliptical"]

# Words that open a follow-up and carry no meaning of their own.
LEAD_IN = re.compile(r"^\s*(?:(?:and|but|so|then|also|ok(?:ay)?|well|now)\b[\s,]*)+", re.I)
WH = r"(?:who(?:m|se)?|what|which|when|where|why|how(?:\s+(?:many|much|long|old|far|big|large|often|come))?)"
AUX = (r"(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could|should|may|might"
       r"|must|'s)")
# "which Iraqi official" / "what company": the wh-phrase of the previous question is dropped,
# its noun kept as part of the subject.
LEADING_WH = re.compile(rf"^\s*{WH}\b\s*(?:{AUX}\b\s*)?", re.I)
WHAT_ABOUT = re.compile(r"^\s*(?:what|how)\s+about\s+(?P<rest>.+)$", re.I)
ANAPHORS = {"that", "this", "it", "he", "she", "they", "him", "her", "them", "his", "its",
            "their", "there", "then", "those", "these", "so"}
FUNCTION_WORDS = ANAPHORS | {
    "who", "whom", "whose", "what", "which", "when", "where", "why", "how", "many", "much",
    "long", "old", "far", "often", "come", "is", "are", "was", "were", "did", "does", "do",
    "has", "have", "had", "will", "would", "can", "could", "should", "may", "might", "must",
    "the", "a", "an", "of", "to", "in", "on", "at", "for", "by", "with", "about", "from",
    "exactly", "again", "else",
}
MAX_FOLLOWUP_WORDS = 7
MAX_CONTENT_WORDS = 2
WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")


def _words(text: str) -> list[str]:
    return WORD.findall(text)


def _names(words: list[str]) -> list[str]:
    """Words that look like names or figures (capitalised after the first word, or digits)."""
    return [w for i, w in enumerate(words) if any(ch.isdigit() for ch in w)
            or (i > 0 and w[0].isupper() and w.lower() not in FUNCTION_WORDS)]


def _strip(text: str) -> str:
    return text.strip().rstrip("?!. ").strip()


def subject_of(question: str) -> str:
    """The previous question without its wh-word and auxiliary: what it was about."""
    body = _strip(LEAD_IN.sub("", question))
    return LEADING_WH.sub("", body, count=1).strip() or body


def is_elliptical(question: str) -> bool:
    """True for a short follow-up that names nothing and so needs the previous subject."""
    body = _strip(LEAD_IN.sub("", question))
    if WHAT_ABOUT.match(body):
        return True
    words = _words(body)
    if not words or len(words) > MAX_FOLLOWUP_WORDS or _names(words):
        return False
    lowered = [w.lower() for w in words]
    content = [w for w in lowered if w not in FUNCTION_WORDS]
    if len(content) > MAX_CONTENT_WORDS:
        return False
    return len(words) <= 2 or any(w in ANAPHORS for w in lowered)


def _capitalised_runs(text: str) -> list[re.Match]:
    """Runs of capitalised words after the first word ("Al Sudani", "the United States")."""
    runs = list(re.finditer(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*", text))
    return [m for m in runs if m.start() > 0]


def _what_about(previous: str, topic: str) -> str:
    """Swap the previous question's last name for the new one, else ask the same of the topic."""
    body = _strip(previous)
    if topic[:1].isupper():
        runs = _capitalised_runs(body)
        if runs:
            last = runs[-1]
            return f"{body[:last.start()]}{topic}{body[last.end():]}?"
    lead = LEADING_WH.match(body)
    head = lead.group(0).strip() if lead else "What about"
    return f"{head} {topic}?"


def _fill_in(followup: str, subject: str) -> str:
    """Put the subject where the follow-up's first pronoun stands, or after it."""
    words = list(re.finditer(r"[\w'’]+", followup))
    for m in words:
        if m.group(0).lower() in ANAPHORS - {"then", "there", "so"}:
            return f"{followup[:m.start()]}{subject}{followup[m.end():]}?"
    return f"{followup} {subject}?"


def resolve_followup(question: str, previous: str | None) -> str:
    """A self-contained question: ``question`` itself unless it is an elliptical follow-up."""
    if not previous or not previous.strip() or not is_elliptical(question):
        return question
    body = _strip(LEAD_IN.sub("", question))
    about = WHAT_ABOUT.match(body)
    if about:
        return _what_about(previous, _strip(about.group("rest")))
    subject = subject_of(previous)
    if not subject:
        return question
    followup = body[:1].upper() + body[1:]
    return _fill_in(followup, subject)
