"""Persistence plumbing: declarative base, engine and sessions, Unit of Work."""
