"""Caching of Revox answers: TTL, single flight, stale data when Revox fails. Async, no HTTP."""
