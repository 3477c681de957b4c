"""JSON API v1 (``/api/v1/…``): public reads, comment submission and the staff API (personal access tokens).

Its OpenAPI 3.1 document (``/api/v1/openapi.json``) is generated from the views' pydantic models by SpecTree.
"""

from blog.api.views import bp

__all__ = ["bp"]
