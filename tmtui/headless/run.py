"""Entry point of the headless commands: config, client, dispatch, exit codes.

Imported by :mod:`tmtui.cli` only when a headless command runs; the heavy
imports (httpx, the client core) happen inside :func:`run`, after the start
time that ``wait`` measures from is taken.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from typing import TYPE_CHECKING

from tmtui.headless import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_LOCAL,
    EXIT_NOT_FOUND,
    EXIT_SERVER,
    EXIT_SIGPIPE,
    EXIT_USAGE,
)

if TYPE_CHECKING:
    from tmtui.config import Config


def run(args: argparse.Namespace) -> int:
    """Run one headless command; returns its exit code (see :mod:`tmtui.headless`)."""
    started = time.time()
    from tmtui import config as config_mod
    from tmtui.headless.session import warn

    options = {key: getattr(args, key, None) for key in ("server", "download_dir", "lang", "sse")}
    try:
        # Only options given: config.load lets a None override hide TMTUI_SERVER.
        config = config_mod.load(**{k: v for k, v in options.items() if v is not None})
    except config_mod.ConfigError as exc:
        warn(str(exc))
        return EXIT_USAGE
    for warning in config.warnings:
        warn(warning)
    try:
        return asyncio.run(_main(config, args, started))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _reader_went_away()


def _reader_went_away() -> int:
    """``tmtui inbox | head -1``: the reader had what it wanted. Exit as a program
    killed by SIGPIPE would, with no error line, and point stdout at /dev/null
    so the interpreter's last flush does not complain either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (tests)
        pass
    return EXIT_SIGPIPE


async def _main(config: Config, args: argparse.Namespace, started: float) -> int:
    from tmtui.api.errors import (
        AddressInUse,
        ApiError,
        MailboxNotFound,
        RateLimited,
        TransportError,
    )
    from tmtui.headless import commands, mailboxes, registry
    from tmtui.headless.session import Context, HeadlessError, warn
    from tmtui.headless.wait import cmd_wait
    from tmtui.headless.watch import cmd_watch
    from tmtui.safety import sanitize_line
    from tmtui.sync import SyncWorker

    handlers = {"new": mailboxes.cmd_new, "ls": mailboxes.cmd_ls, "open": mailboxes.cmd_open,
                "forget": mailboxes.cmd_forget, "label": mailboxes.cmd_label, "export": registry.cmd_export,
                "import": registry.cmd_import, "inbox": commands.cmd_inbox, "read": commands.cmd_read,
                "save": commands.cmd_save, "rm": commands.cmd_rm, "watch": cmd_watch}
    async with SyncWorker.from_config(config, on_warning=warn) as core:
        ctx = Context(core)
        try:
            if args.command == "wait":
                return await cmd_wait(ctx, args, started=started)
            return await handlers[args.command](ctx, args)
        except HeadlessError as exc:
            warn(str(exc))
            return exc.code
        except (MailboxNotFound, AddressInUse) as exc:
            warn(sanitize_line(exc.message, 300))
            return EXIT_NOT_FOUND
        except RateLimited as exc:
            wait = f"; try again in {exc.retry_after:g} s" if exc.retry_after else ""
            warn(f"the server is rate limiting this client{wait}")
            return EXIT_SERVER
        except TransportError as exc:
            warn(f"cannot reach {sanitize_line(config.server, 200)}: {sanitize_line(exc.message, 300)}")
            return EXIT_SERVER
        except ApiError as exc:
            status = f" ({exc.status})" if exc.status else ""
            detail = exc.server_error or exc.message  # the server's own words say more
            warn(f"server error{status}: {sanitize_line(detail, 300)}")
            return EXIT_SERVER
        except BrokenPipeError:
            raise  # not an error: see _reader_went_away
        except TimeoutError:  # an OSError too, but not a local one
            warn("timed out")
            return EXIT_SERVER
        except OSError as exc:
            warn(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""))
            return EXIT_LOCAL
        except Exception as exc:  # a bug: still one line, never a traceback
            warn(f"internal error: {type(exc).__name__}: {sanitize_line(str(exc), 300)}")
            return EXIT_INTERNAL
        finally:
            await ctx.close()
