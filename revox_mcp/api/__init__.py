"""Revox HTTP API access: the only package that imports httpx."""
