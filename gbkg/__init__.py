"""gut-brain-kg: a knowledge graph of scientific claims about the gut-brain axis.

The distribution installs this one import package. Its subpackages are the
repository's top-level folders (``gbkg/kg`` is ``kg/``, and so on, linked into
this folder), layered so that imports run one way::

    gbkg.cli  ->  gbkg.api  ->  gbkg.kg  ->  gbkg.ontology, gbkg.queries (data)
"""

__version__ = "0.2.0"
