"""gut-brain-kg: a knowledge graph of scientific claims about the gut-brain axis."""

__version__ = "0.1.0"
