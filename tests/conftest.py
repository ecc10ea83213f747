"""Fixtures for every test: a throwaway PostgreSQL cluster (tests/pg.py) for the tests that ask."""

from tests.pg import pg_cluster, postgres_url

__all__ = ["pg_cluster", "postgres_url"]
