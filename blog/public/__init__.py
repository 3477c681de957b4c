from blog.public.views import bp

__all__ = ["bp"]
