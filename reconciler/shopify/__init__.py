"""The wire to Shopify's Admin GraphQL API: used by the live reader and the applier only.

`client.ShopifyClient` sends documents from `documents/` (chosen per API version), keeps the
token out of every message, retries what is safe to retry, stays under the shop's cost
bucket and counts calls and cost points for plans, benchmarks and the README.
"""
