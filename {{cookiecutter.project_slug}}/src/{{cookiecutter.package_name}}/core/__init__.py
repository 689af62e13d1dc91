"""Application core: settings, logging, errors."""
