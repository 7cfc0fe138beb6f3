"""`reconciler explain SKU`: why a number is what it is, from three records in one timeline.

    commits.py   git: each commit that changed the SKU's declared values (before and after)
    applies.py   the history file: each apply that wrote the SKU (values before and after)
    groups.py    the store: the adjustment groups Shopify recorded for those writes
    values.py    declared values as flat pairs, and their diff
    timeline.py  the three, in time order (`explain`)
    render.py    text, Markdown, JSON

Read-only: nothing here writes to the store, the repository or the history.
"""

from .render import render
from .timeline import Sources, Timeline, explain

__all__ = ["Sources", "Timeline", "explain", "render"]
