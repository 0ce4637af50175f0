"""The web app (FastAPI): SPARQL endpoint, JSON API, linked-data pages; see ``app.create_app``."""
