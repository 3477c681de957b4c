from blog.moderation.views import bp

__all__ = ["bp"]
