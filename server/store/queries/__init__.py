"""The SQL of each table, as plain functions of a connection, run by the engine's threads."""
