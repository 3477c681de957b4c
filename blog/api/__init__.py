"""JSON API v1 (``/api/v1/…``): public reads, comment submission and the staff API (personal access tokens).

Its OpenAPI 3.1 document (``/api/v1/openapi.json``) is generated from the views' pydantic models by SpecTree.
"""

from blog.api import staff  # noqa: F401  (registers the staff routes on the blueprint)
from blog.api.views import bp

__all__ = ["bp"]
