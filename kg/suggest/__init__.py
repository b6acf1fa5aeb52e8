"""The curation assistant: from a source text to candidate claims, never stored.

:class:`~kg.suggest.engine.Suggester` reads a text against the store's entities and
returns candidates in the claim JSON, each with its reasons, a confidence, what the
record cannot hold yet (``extracted``) and its validation. ``docs/suggest.md`` says
how it reads and how well (measured by ``bench/suggest_eval.py``).
"""
