"""Start-up and shutdown, as a server runs them (FastAPI's lifespan)."""

from sqlalchemy import text

from {{ cookiecutter.package_name }}.core.config import Settings
from {{ cookiecutter.package_name }}.main import create_app
from tests.conftest import running


async def test_shutdown_closes_the_database_connections(settings: Settings):
    """The pool keeps the connection a request used until shutdown, and none after it."""
    app = create_app(settings)
    async with running(app):
        async with app.state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        assert app.state.engine.pool.checkedin() == 1

    assert app.state.engine.pool.checkedin() == 0
