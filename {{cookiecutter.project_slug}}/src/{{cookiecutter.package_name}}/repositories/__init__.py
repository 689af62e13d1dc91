"""Storage access, one repository per entity. Repositories never commit."""
