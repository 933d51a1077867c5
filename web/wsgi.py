"""The WSGI entry point for a real server: ``gunicorn web.wsgi:app`` (what ``sheaf serve`` runs)."""

from . import create_app

app = create_app()
