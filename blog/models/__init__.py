"""Every model, so Alembic's autogenerate sees the whole metadata."""

from blog.models.article import Article, ArticleStatus, RelatedKind, RelatedLink, Tag, article_tags
from blog.models.comment import Comment, CommentStatus, ModerationEvent
from blog.models.settings import SETTINGS_ID, SiteSettings
from blog.models.user import Role, User

__all__ = [
    "SETTINGS_ID",
    "Article",
    "ArticleStatus",
    "Comment",
    "CommentStatus",
    "ModerationEvent",
    "RelatedKind",
    "RelatedLink",
    "Role",
    "SiteSettings",
    "Tag",
    "User",
    "article_tags",
]
