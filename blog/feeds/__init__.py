from blog.feeds.views import bp

__all__ = ["bp"]
