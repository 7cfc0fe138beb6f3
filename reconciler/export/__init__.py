"""Stage 2 backwards: what the store has → manifests (and snapshots) a team can commit.

    run.py              `reconciler export`: read the store through the live reader, filter,
                        declare, lay out, write; files compared before they are written
    declare.py          a live item → the manifest entry declaring it (ownership decides the
                        fields): the declarable part of the live state
    layout.py           which file each entry goes to: one file, per location, per SKU prefix
    manifest_writer.py  entries → YAML text: the one writer of manifests, byte-stable, read back
                        by the manifest loader to the same values (export, CSV import)
    snapshot.py         live items → a store snapshot the sandbox loads (rehearse offline)

The first plan after an export is empty: an exported manifest declares exactly what the store
has, in the forms the planner compares (tests/export).
"""
