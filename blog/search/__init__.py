from blog.search.views import bp

__all__ = ["bp"]
