from blog.accounts.views import bp

__all__ = ["bp"]
