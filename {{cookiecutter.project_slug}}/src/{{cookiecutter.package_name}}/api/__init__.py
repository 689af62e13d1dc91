"""HTTP layer: dependencies, middleware, error handlers and routes."""
