"""Stage 1, manifests: YAML files in git → validated, normalised `DesiredState`.

    load.py      files and directories → bytes → YAML node trees with a line on every node
    resolve.py   node tree → typed value, each plain scalar typed by what the schema expects
    stream.py    the common shape, typed straight from the YAML events in one pass
    schema.py    the JSON Schemas (schemas/*.schema.json) and a walker over them
    compiled.py  a JSON Schema compiled to one yes/no function (jsonschema explains the no's)
    explain.py   schema errors → Problems that say what to write instead
    validate.py  schema + value checks per file; SKU and id uniqueness across files
    desired.py   validated documents → model.DesiredState with Sources
    config.py    reconciler.yaml (store, apiVersion, history, location aliases)
    ownership.py who owns which field (`ownership`, `ignore`), and the check that refuses
                 a manifest declaring what others own
    api.py       the entry points below; per file: stream + compiled, else node tree + jsonschema

Nothing here contacts a store.
"""

from .api import Check, check_paths, load_desired, validate_paths
from .config import Config, find_config, load_config, read_config

__all__ = [
    "Check",
    "Config",
    "check_paths",
    "find_config",
    "load_config",
    "load_desired",
    "read_config",
    "validate_paths",
]
