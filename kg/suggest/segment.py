"""Sentences with exact code-point offsets into the original text.

syntok finds the boundaries (it splits ``adults.Benefits``, keeps ``95% CI −0.261 to
0.00463`` and ``et al.`` whole, and reads the text as it is: no-break spaces and
typographic apostrophes are not normalized away). syntok reports each token's
offset; a sentence here runs from its first token to the start of the next sentence,
trailing white space trimmed, so ``text[start:end]`` *is* the sentence, whatever
syntok does to token values. Measured against pysbd in ``bench/suggest_speed.py``
(``docs/suggest.md``).

A line that ends without punctuation and is followed by a line break is a heading
("Our Expert Take"): it is a sentence of its own, not the start of the next one.

>>> [s.text for s in sentences("Heading\\nProbiotics helped.Benefits were clear.")]
['Heading', 'Probiotics helped.', 'Benefits were clear.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from syntok import segmenter

#: A heading is at most this long; longer lines without a stop are wrapped prose.
HEADING_MAX = 80
#: The longest sentence read as one (characters); longer stretches are cut at spaces.
SENTENCE_MAX = 2000
_TERMINAL = ".!?:;,\"'”’)]"


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``text == source[start:end]``; ``index`` counts from 0."""

    index: int
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """The sentences of ``text``, in order, with their offsets."""
    starts: list[int] = []
    for paragraph in segmenter.analyze(text):
        for tokens in paragraph:
            if tokens:
                starts.append(tokens[0].offset)
    starts = _repaired(text, starts)
    spans: list[tuple[int, int]] = []
    for i, start in enumerate(starts):
        limit = starts[i + 1] if i + 1 < len(starts) else len(text)
        for s, e in _split_headings(text, start, _trim(text, start, limit)):
            for a, b in _split_closed(text, s, e):
                spans.extend(_bounded(text, a, b))
    return [Sentence(i, s, e, text[s:e]) for i, (s, e) in enumerate(spans) if e > s]


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span longer than :data:`SENTENCE_MAX` cut at white space (a table or a list
    without stops is not one sentence; reading cost stays linear in the text)."""
    spans = []
    while end - start > SENTENCE_MAX:
        cut = max(
            text.rfind(" ", start, start + SENTENCE_MAX),
            text.rfind("\n", start, start + SENTENCE_MAX),
        )
        cut = cut if cut > start else start + SENTENCE_MAX
        spans.append((start, _trim(text, start, cut)))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    spans.append((start, end))
    return [(s, e) for s, e in spans if e > s]


def _repaired(text: str, starts: list[int]) -> list[int]:
    """Sentence starts with syntok's slips around brackets undone.

    A "sentence" that begins with the previous one's closing punctuation (". Probiotics
    had…") starts after it; a boundary where the text before has no stop and no line
    break ("Patients (MDD) | (MD = 0.7, …)") is no boundary.
    """
    fixed: list[int] = []
    for start in starts:
        while start < len(text) and text[start] in _CLOSING:
            start += 1
        while start < len(text) and text[start].isspace():
            start += 1
        if start >= len(text) or (fixed and start <= fixed[-1]):
            continue
        before = text[fixed[-1] if fixed else 0 : start]
        if fixed and not (_ENDS.search(before) or "\n" in before[len(before.rstrip()) :]):
            continue
        fixed.append(start)
    return fixed


#: A stop at the end of a sentence, perhaps with closing quotes or brackets after it.
_ENDS = re.compile(r"[.!?…][\"'’”)\]]*\s*$")


_CLOSING = ".!?;:,)]"
#: A stop after a closing bracket, then a capitalized word: syntok misses it after
#: nested brackets ("(MD = −0.18, 95% CI (−0.47–0.11), p = 0.22). Probiotics had…").
_CLOSED_STOP = re.compile(r"\)[.!?](?=\s+[A-Z][a-z])")


def _split_closed(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for m in _CLOSED_STOP.finditer(text, start, end):
        before = text[start : m.end()]
        if before.count("(") == before.count(")"):
            spans.append((start, m.end()))
            start = m.end()
            while start < end and text[start].isspace():
                start += 1
    spans.append((start, end))
    return [(a, b) for a, b in spans if b > a]


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


_LINE_BREAK = re.compile(r"[ \t\xa0]*\n\s*")


def _split_headings(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split off leading lines that are headings (short, no closing punctuation)."""
    spans = []
    for brk in _LINE_BREAK.finditer(text, start, end):
        line = text[start : brk.start()]
        following = text[brk.end() : brk.end() + 1]
        is_heading = (
            0 < len(line.strip()) <= HEADING_MAX
            and line.rstrip()[-1] not in _TERMINAL
            and following[:1].isupper()
        )
        if not is_heading:
            break
        spans.append((start, _trim(text, start, brk.start())))
        start = brk.end()
    spans.append((start, end))
    return spans
