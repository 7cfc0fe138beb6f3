"""`reconciler drift`: the store against the manifests, every difference classified.

    differences.py  desired × live through the planner (its actions are the diff), plus items
                    and levels that disappeared from the store or appeared in it
    timestamps.py   when the store last changed what differs (`updatedAt`, `createdAt`)
    classify.py     sales and fulfilment (expected), foreign changes and attribute changes
                    (alarms), not applied yet, appeared, disappeared
    report.py       text, Markdown, JSON, one summary line; exit 0 in sync, 2 drift
    run.py          the command: read, compare, classify (read-only)

Fields the manifests do not own (reconciler.yaml `ownership`) cannot be declared, so they are
never compared; ignored SKUs and locations are never reported.
"""
