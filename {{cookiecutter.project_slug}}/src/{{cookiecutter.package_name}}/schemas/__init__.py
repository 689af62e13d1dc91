"""Pydantic request and response models, kept apart from the ORM models."""
