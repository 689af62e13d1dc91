"""Start-up and shutdown, as a server runs them (FastAPI's lifespan)."""

import gc

from sqlalchemy import text

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.main import create_app


async def test_shutdown_closes_the_database_connections(settings: Settings):
    """The pool keeps the connection a request used until shutdown, and none after it."""
    app = create_app(settings)
    thresholds = gc.get_threshold()
    try:
        async with app.router.lifespan_context(app):
            async with app.state.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            assert app.state.engine.pool.checkedin() == 1

        assert app.state.engine.pool.checkedin() == 0
    finally:
        # Start-up tuned the collector for a long-lived server; give the test run its own back.
        gc.unfreeze()
        gc.set_threshold(*thresholds)
