"""The chat app's named API endpoint, called with gradio_client against a real running app."""

from __future__ import annotations

import json
import urllib.request

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from rag.app import EXAMPLES, MAX_UPLOAD_BYTES
from rag.schema import Answer

from .chat_server import shared_chat_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server():
    return shared_chat_server()


@pytest.fixture(scope="module")
def client(server):
    return Client(server.url, verbose=False)


def test_app_is_served_without_error_details_and_with_an_upload_limit(server):
    with urllib.request.urlopen(server.url + "config", timeout=10) as response:
        config = json.load(response)
    assert config["title"] == "Ask the articles"
    assert config["show_error"] is False
    assert config["max_file_size"] == MAX_UPLOAD_BYTES


def test_ask_is_the_only_documented_endpoint(client):
    endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert list(endpoints) == ["/ask"]
    params = [p["parameter_name"] for p in endpoints["/ask"]["parameters"]]
    assert params == ["question", "k"]


def test_ask_returns_the_answer_dict_with_checkable_citations(client, server):
    result = client.predict("Which Iraqi official led the delegation to Washington?", 3,
                            api_name="/ask")
    assert set(result) == set(Answer.__dataclass_fields__)
    assert result["answer"] == "Fuad Hussein"
    assert not result["abstained"]
    assert 0.5 < result["confidence"] <= 1.0
    assert len(result["citations"]) >= 1
    first = result["citations"][0]
    assert first["text"][result["answer_start"] : result["answer_end"]] == "Fuad Hussein"
    for c in result["citations"]:
        raw = (server.articles / c["source"]).read_text(encoding="utf-8")
        assert raw[c["start"] : c["end"]] == c["text"]
    assert len(result["agreeing_sources"]) >= 2


def test_k_limits_the_citations(client):
    one = client.predict("How many people were killed in the attack on the Moscow concert hall?",
                         1, api_name="/ask")
    assert "137" in one["answer"]
    assert len(one["citations"]) == 1


def test_unanswerable_question_abstains_with_closest_passages(client):
    result = client.predict("What is a good recipe for banana bread?", 2, api_name="/ask")
    assert result["abstained"]
    assert result["answer"] == ""
    assert 1 <= len(result["citations"]) <= 2


def test_empty_question_is_a_clear_error(client):
    with pytest.raises(AppError, match="the question is empty"):
        client.predict("   ", 5, api_name="/ask")


def test_every_example_question_is_answered_from_its_article(client):
    for question, source in EXAMPLES:
        result = client.predict(question, 3, api_name="/ask")
        assert not result["abstained"], question
        cited = {c["source"] for c in result["citations"]}
        assert source in cited, question
