"""Command-line tools: ``flask --app blog blog …`` and ``flask --app blog users …``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from blog.extensions import db

blog_cli = AppGroup("blog", help="Site maintenance commands.")
users_cli = AppGroup("users", help="Manage the people who sign in (authors, editors, admins).")


@blog_cli.command("seed-demo")
@click.option("--password", default=None, help="Give the demo users this password (default: none; they cannot sign in).")
def seed_demo(password: str | None) -> None:
    """Load the demo site: authors, articles, tags, Keep Reading links, comments. Safe to run again."""
    from blog.services.demo import load_demo

    report = load_demo(password=password)
    db.session.commit()
    click.echo(f"Demo content loaded: created {report}.")


@users_cli.command("create")
@click.option("--email", required=True, help="Sign-in address (never shown publicly).")
@click.option("--name", required=True, help="Display name, shown in bylines.")
@click.option("--role", required=True, type=click.Choice(["admin", "editor", "author"]), help="What the user may do.")
@click.option("--password", default=None, help="Prompted for (hidden, twice) when omitted.")
def create_user(email: str, name: str, role: str, password: str | None) -> None:
    """Create a user who can sign in."""
    from blog.services.users import UserError, create_user as create

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.BadParameter("use at least 8 characters", param_hint="--password")
    try:
        user = create(email=email, name=name, role=role, password=password)
    except UserError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.display_name} (/authors/{user.slug}).")


def init_app(app: Flask) -> None:
    app.cli.add_command(blog_cli)
    app.cli.add_command(users_cli)
