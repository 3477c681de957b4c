"""Every model, so Alembic's autogenerate sees the whole metadata."""

from blog.models.api_token import ApiToken
from blog.models.article import (
    Article,
    ArticleCorrection,
    ArticleRevision,
    ArticleStatus,
    Redirect,
    RelatedKind,
    RelatedLink,
    Tag,
    article_tags,
)
from blog.models.comment import Comment, CommentRevision, CommentStatus, ModerationEvent
from blog.models.commenters import BanKind, CommenterBan, CommentReport
from blog.models.discovery import SEARCH_TABLE, RelatedTerm, RelatedTermCount
from blog.models.mail import OutboxMail
from blog.models.media import Media, MediaFile, MediaKind
from blog.models.notify import ConsentPurpose, ConsentRecord, Delivery, MailNotice, MailSubscription, Topic
from blog.models.privacy import PrivacyRequest
from blog.models.security import SecurityEvent, SecurityLogEntry
from blog.models.settings import SETTINGS_ID, SettingsChange, SiteSettings
from blog.models.spam import SpamFeature
from blog.models.transfer import ImportRun, ImportState
from blog.models.two_factor import RecoveryCode, TwoFactor
from blog.models.user import Role, User

__all__ = [
    "SEARCH_TABLE",
    "SETTINGS_ID",
    "ApiToken",
    "Article",
    "ArticleCorrection",
    "ArticleRevision",
    "ArticleStatus",
    "BanKind",
    "Comment",
    "CommentReport",
    "CommentRevision",
    "CommentStatus",
    "CommenterBan",
    "ConsentPurpose",
    "ConsentRecord",
    "Delivery",
    "ImportRun",
    "ImportState",
    "MailNotice",
    "MailSubscription",
    "Media",
    "MediaFile",
    "MediaKind",
    "ModerationEvent",
    "OutboxMail",
    "PrivacyRequest",
    "RecoveryCode",
    "Redirect",
    "RelatedKind",
    "RelatedLink",
    "RelatedTerm",
    "RelatedTermCount",
    "Role",
    "SecurityEvent",
    "SecurityLogEntry",
    "SettingsChange",
    "SiteSettings",
    "SpamFeature",
    "Tag",
    "Topic",
    "TwoFactor",
    "User",
    "article_tags",
]
