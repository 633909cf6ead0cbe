"""What one load may cost: every bound on input size, in one place.

An inventory is reviewed, but it is still input: a YAML alias bomb ("billion laughs") or a
merge-key bomb must end in an error at its FILE:LINE, within a fraction of a second, never
in minutes and gigabytes; so must a template that would make a value of gigabytes
(``{{ 'x' * 10**9 }}``, a loop inside a loop). Each bound is
generous for a real site (the 1,000-camera benchmark uses a few percent of any of them).
docs/inventory.md (docgen) lists them; tests/inventory/test_inventory_budgets.py measures
them.
"""

from __future__ import annotations

# -- one YAML file ------------------------------------------------------------------------
MAX_FILE_BYTES = 8 * 1024 * 1024  # read at all
MAX_ALIASES = 10_000  # uses of ``*anchor`` (merge keys included)
# Values (mappings, lists and scalars) of the document with every alias expanded in place,
# as templating, merging and validation will see it.
MAX_NODES = 250_000
MAX_DEPTH = 100  # mappings and lists nested inside each other

# -- one rendered template ------------------------------------------------------------------
# Characters of the value one template makes (a whole camera's settings are a few kilobytes).
# Enforced as it is made: while the output is written, before ``*``, ``+``, ``**`` or ``~``
# would build a string, list or number past it, and before a filter or method is given a
# size (a width, a count) past it.
MAX_TEMPLATE_OUTPUT = 100_000
# Values (mappings, lists and scalars) in a mapping or list that one template returns.
MAX_TEMPLATE_VALUES = 10_000
