"""The store: the SQLModel tables, the engine and its migrations, and the queries. The only
layer that speaks SQL to the collection (services still hold some queries of their own:
docs/architecture.md lists them)."""
