"""The store: SQLModel tables, the engine, migrations and the queries the screens call."""
