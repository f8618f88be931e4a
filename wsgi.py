"""WSGI entry point for gunicorn: `gunicorn -w 4 wsgi:app`. Web only — never starts the scheduler."""

from caseapp import create_app

app = create_app()
