"""Sentences keep exact code-point offsets into the original text."""

from __future__ import annotations

import itertools

from gbkg.kg.suggest.segment import sentences


def test_every_sentence_of_the_article_is_its_own_span(article_text: str) -> None:
    found = sentences(article_text)
    assert len(found) > 50
    for sentence in found:
        assert article_text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
    # in order, not overlapping, and nothing but white space between them
    for before, after in itertools.pairwise(found):
        assert before.end <= after.start
        assert not article_text[before.end : after.start].strip()
    assert not article_text[: found[0].start].strip()
    assert not article_text[found[-1].end :].strip()


def test_no_break_spaces_and_typographic_apostrophes_are_kept(article_text: str) -> None:
    texts = [s.text for s in sentences(article_text)]
    assert any("\xa0" in t for t in texts)
    assert any("’" in t for t in texts)
    assert "In fact, about 95% of your body’s serotonin is produced in the gut." in texts


def test_sentences_without_a_space_after_the_stop_are_split(article_text: str) -> None:
    first = [s.text for s in sentences(article_text)[:3]]
    assert first == [
        "Probiotics were linked to modest improvements in depressive symptoms in adults.",
        "Benefits were strongest when probiotics were used alongside antidepressants.",
        "Probiotics did not significantly reduce inflammation markers tied to depression.",
    ]


def test_headings_are_sentences_of_their_own() -> None:
    text = "Our Expert Take\nA new meta-analysis found an effect (95% CI −0.261 to 0.00463)."
    assert [s.text for s in sentences(text)] == [
        "Our Expert Take",
        "A new meta-analysis found an effect (95% CI −0.261 to 0.00463).",
    ]


def test_wrapped_lines_stay_one_sentence() -> None:
    text = "Probiotics were linked to modest improvements in depressive symptoms in\nadults."
    assert [s.text for s in sentences(text)] == [text]


def test_abbreviations_and_decimals_do_not_end_a_sentence() -> None:
    text = "Smith et al. reported an SMD of −0.30 (p = 0.005) vs. placebo. It held."
    assert [s.text for s in sentences(text)] == [
        "Smith et al. reported an SMD of −0.30 (p = 0.005) vs. placebo.",
        "It held.",
    ]


def test_nested_brackets_end_a_sentence() -> None:
    """syntok misses these boundaries (or puts them before the stop); they are repaired."""
    text = (
        "An effect on A (MD = −0.73, 95% CI (−1.37–−0.09), p = 0.03). Probiotics had an effect "
        "on B (MD = −0.18, 95% CI (−0.47–0.11), p = 0.22). Patients (MDD) (MD = 0.7, "
        "p = 0.03). The end."
    )
    found = sentences(text)
    assert [s.text for s in found] == [
        "An effect on A (MD = −0.73, 95% CI (−1.37–−0.09), p = 0.03).",
        "Probiotics had an effect on B (MD = −0.18, 95% CI (−0.47–0.11), p = 0.22).",
        "Patients (MDD) (MD = 0.7, p = 0.03).",
        "The end.",
    ]
    for sentence in found:
        assert text[sentence.start : sentence.end] == sentence.text
