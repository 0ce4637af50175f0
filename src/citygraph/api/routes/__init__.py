"""Routers of the web app, one module per resource; ``citygraph.api.app`` includes them."""
