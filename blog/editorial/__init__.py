from blog.editorial.views import bp

__all__ = ["bp"]
