"""Command line: ``python -m api serve | db | keys | events | content`` (migrations, API keys, a leaked key's
events, the staff edits of local facts as knowledge/ YAML for review)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from api import db
from api.keys import SCOPES, create_key, list_keys, revoke_key
from api.service import events_per_key, purge_key_events
from api.settings import ApiSettings


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API with uvicorn")
    serve.add_argument("--host", help="default: API_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, help="default: API_PORT or 8000")

    database = commands.add_parser("db", help="database migrations")
    database_commands = database.add_subparsers(dest="db_command", required=True)
    database_commands.add_parser("upgrade", help="alembic upgrade head")
    down = database_commands.add_parser("downgrade", help="alembic downgrade (default: base)")
    down.add_argument("revision", nargs="?", default="base")

    keys = commands.add_parser("keys", help="manage API keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create a key and print it once")
    create.add_argument("--scope", required=True, choices=SCOPES)
    create.add_argument("--name", required=True, help="who uses it, e.g. dashboard or relay")
    key_commands.add_parser("list", help="list keys (never their value)")
    revoke = key_commands.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id", type=int)

    events = commands.add_parser("events", help="find and remove events written with a leaked key")
    event_commands = events.add_subparsers(dest="events_command", required=True)
    event_commands.add_parser("by-key", help="how many events each key wrote, and on which days")
    purge = event_commands.add_parser("purge", help="delete the events one key wrote")
    purge.add_argument(
        "key_ref", help="as listed by by-key: db:<id>, or env:<scope>:<n> for a key from the environment"
    )
    purge.add_argument("--from", dest="first", type=dt.date.fromisoformat, help="first day (YYYY-MM-DD)")
    purge.add_argument("--to", dest="last", type=dt.date.fromisoformat, help="last day (YYYY-MM-DD)")
    purge.add_argument("--yes", action="store_true", help="really delete; without it, only count")
    content = commands.add_parser("content", help="staff edits of local facts")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    export = content_commands.add_parser("export", help="write the edits as knowledge/ YAML blocks for review")
    export.add_argument("--out", type=Path, help="file to write (default: print)")
    return parser


def _content(args: argparse.Namespace, settings: ApiSettings) -> int:
    from api.content import overlay
    from knowledge.overlay_export import export_text

    sessions = db.make_sessionmaker(db.make_engine(settings.database_url))
    with sessions() as session:
        version, edits = overlay(session)
    content_dir = Path(settings.content_dir) if settings.content_dir else None
    text = export_text(edits, content_dir, version)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        _say(f"Wrote {len(edits)} edited facts to {args.out}.")
    else:
        sys.stdout.write(text)
    return 0


def _keys(args: argparse.Namespace, settings: ApiSettings) -> int:
    if settings.should_auto_migrate:
        db.upgrade(settings.database_url)
    sessions = db.make_sessionmaker(db.make_engine(settings.database_url))
    with db.transaction(sessions) as session:
        if args.keys_command == "create":
            row, plaintext = create_key(session, name=args.name, scope=args.scope)
            _say(f"Created key {row.id} ({row.scope}, {row.name}). It is shown only once:")
            _say(plaintext)
        elif args.keys_command == "list":
            _say(f"{'id':>4}  {'scope':<7} {'name':<24} {'created':<20} revoked")
            for key in list_keys(session):
                revoked = key.revoked_at.strftime("%Y-%m-%d %H:%M") if key.revoked_at else "-"
                created = key.created_at.strftime("%Y-%m-%d %H:%M")
                _say(f"{key.id:>4}  {key.scope:<7} {key.name:<24} {created:<20} {revoked}")
        else:
            revoked_key = revoke_key(session, args.key_id)
            if revoked_key is None:
                sys.stderr.write(f"No key with id {args.key_id}.\n")
                return 1
            _say(f"Key {revoked_key.id} ({revoked_key.scope}, {revoked_key.name}) is revoked.")
    return 0


def _events(args: argparse.Namespace, settings: ApiSettings) -> int:
    sessions = db.make_sessionmaker(db.make_engine(settings.database_url))
    with db.transaction(sessions) as session:
        if args.events_command == "by-key":
            _say(f"{'key':<12} {'events':>8}  first day   last day")
            for ref, count, first, last in events_per_key(session):
                _say(f"{ref or '(unknown)':<12} {count:>8}  {first.isoformat()}  {last.isoformat()}")
            return 0
        deleted = purge_key_events(
            session, args.key_ref, first=args.first, last=args.last, dry_run=not args.yes
        )
        if not args.yes:
            _say(f"{deleted} events written with key {args.key_ref} would be deleted; run again with --yes.")
            return 0
        _say(f"Deleted {deleted} events written with key {args.key_ref}. Revoke the key if you have not yet.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = ApiSettings()
    except ValueError as error:
        sys.stderr.write(f"Invalid API settings: {error}\n")
        return 2
    if args.command == "serve":
        import uvicorn

        from api.main import create_app

        # uvicorn configures only its own loggers, so create_app's INFO line would not show: say it here.
        sys.stderr.write(f"api: {settings.secrets_line()}\n")
        app = create_app(settings)
        uvicorn.run(app, host=args.host or settings.host, port=args.port or settings.port)
        return 0
    if args.command == "db":
        if args.db_command == "upgrade":
            db.upgrade(settings.database_url)
        else:
            db.downgrade(settings.database_url, args.revision)
        return 0
    if args.command == "events":
        return _events(args, settings)
    if args.command == "content":
        return _content(args, settings)
    return _keys(args, settings)
