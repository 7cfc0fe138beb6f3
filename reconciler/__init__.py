"""reconciler: inventory-as-code for Shopify.

The pipeline, one package per stage: manifest (what the team wants) → live (what the store
has) → plan (what to change) → apply (doing it) → history (what was done, by whom, why).
`reconciler.sandbox` is a separate local Shopify store used by tests and the demo.
"""

__version__ = "0.1.0"
