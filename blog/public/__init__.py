from blog.public import your_data  # noqa: F401  (its routes, on the same blueprint)
from blog.public.views import bp

__all__ = ["bp"]
