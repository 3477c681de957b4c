# Copy to instance/config.py. Values here override the defaults in blog/config.py;
# environment variables (SECRET_KEY, DATABASE_URL, BLOG_<KEY>, ...) override this file.

# A long random value, e.g. from: python3 -c "import secrets; print(secrets.token_hex(32))"
# SECRET_KEY = "..."

# SQLite in this folder is the default. For PostgreSQL (psycopg 3):
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://blog:password@127.0.0.1:5432/blog"

# Several app nodes share rate limits and the page cache through Redis (README "Deploying"):
# REDIS_URL = "redis://127.0.0.1:6379/0"
# PROXY_FIX_X_FOR = 1      # behind one reverse proxy that sets X-Forwarded-For …
# PROXY_FIX_X_PROTO = 1    # … and X-Forwarded-Proto

# SITE_NAME = "The Kestrel Bay Courier"   # until an admin sets the title in the settings
# ARTICLES_PER_PAGE = 10
# KEEP_READING_SIZE = 4
