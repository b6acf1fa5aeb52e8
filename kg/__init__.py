"""The Python core: claims, store, validation, queries, evidence."""
