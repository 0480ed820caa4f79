"""How closely a sentence speaks of what the question asks, word by word, read in context.

Exact word overlap misses paraphrases ("succeeded" for "replaced", "troops" for "military
contingent"). Here each content word piece of the question is matched with its most similar
piece of the sentence, both read in context by all-MiniLM-L6-v2, the retrieval model (the
recall half of BERTScore). Two figures feed the answer confidence (rag.answer.Evidence):

- ``relation``: over the question's words other than its names ("born", "fifth round"). The
  names say which story; these say which fact, and a tempting neighbouring fact ("the fourth
  round" for "the fifth round") matches them worst.
- ``outside_answer``: over all the question's content words, matched only outside the answer
  span. What the question says must be found around the answer, not in it.

Only the commonest function words (bm25s's 33) are left out, so the wh-phrase counts too: in
context, "how many" reads close to a figure and "when" to a date. Counting only the words the
lexical coverage counts (rag.question's terms) gave a lower AUC (0.833 against 0.836, measured
before a repeated word was counted once).

On thirteen dev runs the two together raised the confidence's cross-validated AUC from 0.810
to 0.837. Fitted on those runs and tried on three runs of fresh question sets (dev7, written
after the fit), accuracy at the threshold rose from 0.670 to 0.711 and abstention recall on
unanswerable questions from 0.26 to 0.45.

Three more come from the same similarities, for the answer span and the words that miss:

- ``weakest``: the two worst-matched words of the relation. One asked-for detail the sentence
  lacks ("injured" where it says "killed") is lost in a mean over every word.
- ``near_answer``: the question's words matched only within four pieces of the answer. An
  answer far from what the question speaks of answers another question of the same sentence.
- ``echo``: how much the answer itself repeats the question's words; an echo is no answer.

On eighteen dev runs they raised the cross-validated AUC from 0.843 to 0.858; fitted on
fifteen and tried on the three fresh dev8 runs, from 0.852 to 0.870.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .embedder import TokenEncoder
from .retriever import stopwords

__all__ = ["NEUTRAL", "SoftMatch", "soft_match"]

UNMEASURED = 0.5  # a figure about the answer span, when there is no span
NEAR = 4  # word pieces either side of the answer that count as beside it


@dataclass(frozen=True)
class SoftMatch:
    relation: float
    outside_answer: float
    weakest: float = UNMEASURED  # the two worst-matched of the relation's words
    near_answer: float = UNMEASURED  # the question's words matched only beside the answer
    echo: float = UNMEASURED  # how much the answer itself repeats the question


# Stands in where the similarities are not measured (when the proper-name veto decides alone):
# the dev runs' mean values.
NEUTRAL = SoftMatch(relation=0.59, outside_answer=0.60, weakest=0.35, near_answer=0.42, echo=0.40)


def soft_match(question: str, sentence: str, answer: tuple[int, int] | None,
               encoder: TokenEncoder) -> SoftMatch:
    """The similarities for the answer span ``answer`` (character offsets in ``sentence``;
    None when no span was found)."""
    asked, said = encoder.token_vectors([question, sentence])
    words = [_word_at(question, *span) for span in asked.spans]
    stop = stopwords()
    # A word said twice counts once (a question padded with one word over and over is still
    # the question it was).
    first = {}
    for i, (start, word) in enumerate(words):
        if word.isalnum() and word.lower() not in stop:
            first.setdefault((word.lower(), asked.spans[i][0] - start), i)
    content = sorted(first.values())
    # A capitalised word inside the question is a name ("Blinken", "US", "American").
    relation = [i for i in content if not (words[i][0] > 0 and words[i][1][:1].isupper())] or content
    similarity = asked.vectors @ said.vectors.T
    inside = [j for j, (start, end) in enumerate(said.spans)
              if answer is not None and start < answer[1] and end > answer[0]]
    outside = [j for j in range(len(said.spans)) if not inside or not inside[0] <= j <= inside[-1]]
    return SoftMatch(relation=_recall(similarity, relation, range(len(said.spans))),
                     outside_answer=_recall(similarity, content, outside),
                     weakest=_weakest(similarity, relation, [start for start, _ in words]),
                     near_answer=_near(similarity, content, inside, len(said.spans)),
                     echo=_echo(similarity, content, inside))


def _weakest(similarity: np.ndarray, pieces: Sequence[int], word_of: Sequence[int]) -> float:
    """The mean of the two worst word matches: one asked-for detail the sentence lacks ("injured"
    where it says "killed") is lost in a mean over every word."""
    if not pieces or not similarity.shape[1]:
        return 0.0
    best = similarity.max(axis=1)
    by_word: dict[int, float] = {}
    for i in pieces:  # a word is as well matched as its best piece ("Hussein" of "Huss", "##ein")
        by_word[word_of[i]] = max(by_word.get(word_of[i], -1.0), float(best[i]))
    return float(np.mean(sorted(by_word.values())[:2]))


def _near(similarity: np.ndarray, pieces: Sequence[int], inside: Sequence[int], length: int) -> float:
    """How well the question's words are matched right beside the answer: an answer far from
    what the question speaks of ("Washington", asked the name of a market) answers another
    question of the same sentence."""
    if not inside:
        return UNMEASURED
    first, last = inside[0], inside[-1]  # the answer's pieces are contiguous
    beside = [*range(max(0, first - NEAR), first), *range(last + 1, min(length, last + NEAR + 1))]
    if not beside:
        return UNMEASURED
    return _recall(similarity, pieces, beside)


def _echo(similarity: np.ndarray, pieces: Sequence[int], inside: Sequence[int]) -> float:
    """The mean, over the answer's pieces, of the best cosine with the question's content: an
    answer that says again what was asked ("rocket and drone attacks" for "which groups are
    behind the rocket and drone strikes") is no answer."""
    if not inside or not pieces:
        return UNMEASURED
    return float(similarity[np.ix_(list(pieces), list(inside))].max(axis=0).mean())


def _recall(similarity: np.ndarray, pieces: Sequence[int], among: Sequence[int]) -> float:
    """The mean, over the question's ``pieces``, of the best cosine with a sentence piece."""
    pieces, among = list(pieces), list(among)
    if not pieces or not among:
        return 0.0
    return float(similarity[np.ix_(pieces, among)].max(axis=1).mean())


def _word_at(text: str, start: int, end: int) -> tuple[int, str]:
    """The whole word a piece belongs to ("Hussein" for the "##ein" of "Hussein"), and where it
    starts; punctuation stays itself."""
    if not text[start:end].isalnum():
        return start, text[start:end]
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, text[start:end]
