"""Elliptical follow-ups are rewritten with the previous question's subject; others are kept."""

from __future__ import annotations

import pytest

from rag.followup import is_elliptical, resolve_followup, subject_of

MOSCOW = "How many people were killed in the attack on the Moscow concert hall?"
DELEGATION = "Which Iraqi official led the delegation to Washington?"
TROOPS = "How many US troops are in Iraq?"
SPOKESMAN = "Who is Al Sudani's military spokesman?"


@pytest.mark.parametrize("question,subject", [
    (MOSCOW, "people were killed in the attack on the Moscow concert hall"),
    (DELEGATION, "Iraqi official led the delegation to Washington"),
    (SPOKESMAN, "Al Sudani's military spokesman"),
    ("When did Iraq and the United States begin their strategic dialogue?",
     "Iraq and the United States begin their strategic dialogue"),
    ("And why did the talks fail?", "the talks fail"),
])
def test_subject_of_drops_the_wh_word_and_auxiliary(question, subject):
    assert subject_of(question) == subject


@pytest.mark.parametrize("question", [
    "and who said that?", "when?", "Where?", "why?", "who was he?", "and when did it happen?",
    "what about Syria?", "How about the foreign minister?", "So who announced it?",
])
def test_short_pronoun_led_questions_are_elliptical(question):
    assert is_elliptical(question)


@pytest.mark.parametrize("question", [
    MOSCOW, TROOPS, "When did it rain in Baghdad?", "Who is Fuad Hussein?",
    "How many people died in 2004?", "What did the joint statement say about the delegation?",
    "",
])
def test_self_contained_questions_are_not_elliptical(question):
    assert not is_elliptical(question)


def test_who_said_that_carries_the_previous_subject():
    assert resolve_followup("and who said that?", MOSCOW) == (
        "Who said people were killed in the attack on the Moscow concert hall?")


def test_bare_wh_word_gets_the_previous_subject():
    assert resolve_followup("when?", DELEGATION) == (
        "When Iraqi official led the delegation to Washington?")


def test_pronoun_is_replaced_by_the_previous_subject():
    assert resolve_followup("who was he?", SPOKESMAN) == "Who was Al Sudani's military spokesman?"


def test_what_about_a_name_swaps_the_previous_name():
    assert resolve_followup("what about Syria?", TROOPS) == "How many US troops are in Syria?"


def test_what_about_a_common_noun_asks_the_same_of_it():
    assert resolve_followup("What about the foreign minister?", SPOKESMAN) == (
        "Who is the foreign minister?")


@pytest.mark.parametrize("previous", [None, "", "   "])
def test_without_a_previous_question_nothing_changes(previous):
    assert resolve_followup("and who said that?", previous) == "and who said that?"


@pytest.mark.parametrize("question", [TROOPS, "When did it rain in Baghdad?", "Who is Fuad Hussein?"])
def test_self_contained_questions_pass_through_unchanged(question):
    assert resolve_followup(question, MOSCOW) == question


def test_rewritten_follow_ups_chain():
    first = resolve_followup("who was he?", SPOKESMAN)
    assert resolve_followup("and when?", first) == "When Al Sudani's military spokesman?"
