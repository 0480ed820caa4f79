"""Word-in-context similarity between a question and an answer sentence (rag.soft_match)."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pytest

from rag.embedder import TokenVectors
from rag.soft_match import soft_match


class WordEncoder:
    """One piece per word, the same vector for the same word (lower-cased), orthogonal otherwise:
    a match counts 1 and a miss 0, so the expected figures can be counted by hand."""

    def token_vectors(self, texts):
        out = []
        for text in texts:
            words = list(re.finditer(r"\w+|[^\w\s]", text))
            vectors = np.zeros((len(words), 4096), dtype=np.float32)
            for row, word in enumerate(words):
                vectors[row, int(hashlib.md5(word.group(0).lower().encode()).hexdigest(), 16) % 4096] = 1.0
            out.append(TokenVectors(tuple(word.span() for word in words), vectors))
        return out


def test_relation_leaves_out_the_questions_names():
    # Words: Which, minister, met, Blinken, Washington ("in" is a function word). The names are
    # the capitalised words inside the question: Blinken and Washington.
    match = soft_match("Which minister met Blinken in Washington?", "The minister met reporters.",
                       None, WordEncoder())
    assert match.relation == pytest.approx(2 / 3)  # minister and met, not which
    assert match.outside_answer == pytest.approx(2 / 5)


def test_words_inside_the_answer_do_not_support_it():
    sentence = "Foreign minister Fuad Hussein met Blinken."
    answer = (0, len("Foreign minister Fuad Hussein"))
    match = soft_match("Which minister met Blinken in Washington?", sentence, answer, WordEncoder())
    assert match.relation == pytest.approx(2 / 3)  # minister and met: read anywhere
    assert match.outside_answer == pytest.approx(2 / 5)  # met and Blinken: "minister" is the answer's


def test_a_question_of_names_only_still_measures_them():
    match = soft_match("Is Blinken in Baghdad?", "Blinken arrived in Baghdad.", None, WordEncoder())
    assert match.relation == pytest.approx(1.0)


def test_an_empty_sentence_matches_nothing():
    assert soft_match("When did the port reopen?", "", None, WordEncoder()).relation == 0.0


@pytest.mark.e2e
def test_in_context_a_paraphrase_beats_a_neighbouring_fact():
    from rag.pipeline import shared_embedder

    encoder = shared_embedder()

    def relation(question, sentence):
        return soft_match(question, sentence, None, encoder).relation

    question = "Who replaced Smith as head of the bank?"
    assert (relation(question, "Jones succeeded Smith as head of the bank in May.")
            > relation(question, "Jones worked with Smith at the bank in May.") + 0.15)
    question = "When is the fifth round of the talks scheduled?"
    assert (relation(question, "The fifth round of the talks is scheduled for March.")
            > relation(question, "The fourth round of the talks was held in July 2021.") + 0.1)


def test_a_word_said_twice_counts_once():
    once = soft_match("When did the port reopen?", "The port reopened in May.", None, WordEncoder())
    padded = soft_match("When did the port reopen? " + "padding " * 50, "The port reopened in May.", None,
                        WordEncoder())
    assert padded.relation == pytest.approx(once.relation * 4 / 5)  # one more word, not fifty


def test_weakest_is_the_two_worst_matched_words_of_the_relation():
    # Relation words: Which (unmatched), minister, met (matched): the two worst are 0 and 1.
    match = soft_match("Which minister met Blinken in Washington?", "The minister met reporters.",
                       None, WordEncoder())
    assert match.weakest == pytest.approx(0.5)
    injured = soft_match("How many people were injured in the attack?", "Many people were killed in the attack.",
                         None, WordEncoder())
    assert injured.weakest < injured.relation  # the one detail missing weighs more than in the mean


def test_near_answer_reads_only_the_words_beside_the_span():
    sentence = "Foreign minister Fuad Hussein met Blinken."
    start = sentence.index("Fuad")
    match = soft_match("Which minister met Blinken in Washington?", sentence,
                       (start, start + len("Fuad Hussein")), WordEncoder())
    # beside the answer: Foreign, minister, met, Blinken, "." → minister, met and Blinken of the
    # five content words (Which, minister, met, Blinken, Washington)
    assert match.near_answer == pytest.approx(3 / 5)
    far = "Fuad Hussein spoke on Monday, long after the minister had met Blinken."
    assert soft_match("Which minister met Blinken in Washington?", far, (0, len("Fuad Hussein")),
                      WordEncoder()).near_answer == pytest.approx(0.0)


def test_echo_is_how_much_the_answer_repeats_the_question():
    question = "Which groups are behind the rocket attacks?"
    sentence = "Militias are behind the rocket attacks."
    echoed = soft_match(question, sentence, (sentence.index("the rocket"), len(sentence) - 1), WordEncoder())
    assert echoed.echo == pytest.approx(2 / 3)  # "rocket" and "attacks" of "the rocket attacks"
    assert soft_match(question, sentence, (0, len("Militias")), WordEncoder()).echo == pytest.approx(0.0)


def test_span_figures_without_a_span_are_unmeasured():
    match = soft_match("Which minister met Blinken?", "The minister met reporters.", None, WordEncoder())
    assert match.near_answer == match.echo == 0.5
