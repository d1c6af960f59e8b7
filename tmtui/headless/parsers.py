"""Argument parsers of the headless commands (argparse only: ``tmtui --help`` stays fast)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

EXIT_CODES = """exit codes:
  0  printed the first match          5  matching mail came, but without a code / link
  1  timeout                          6  cannot write the state file or a file
  2  usage error, bad regex           7  internal error (a bug)
  3  server or network error        130  interrupted
  4  no saved mailbox, mailbox gone or taken over elsewhere, no such message
"""


class OneLineErrors(argparse.ArgumentParser):
    """A command's usage errors in one line on stderr, as every other error of the
    headless commands (exit 2): ``tmtui read: argument --json: not allowed with
    argument --markdown (see tmtui read --help)``, not a usage block a script's log
    must be searched for."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not seconds >= 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError("seconds must be a finite number >= 0")
    return seconds


def _common(parser: argparse.ArgumentParser, *, address: bool = True) -> None:
    """Options every headless command takes. SUPPRESS keeps a value given before
    the command name (``tmtui --server URL wait``) from being reset."""
    parser.add_argument("--server", metavar="URL", default=argparse.SUPPRESS,
                        help="API base URL (env TMTUI_SERVER)")
    parser.add_argument("--lang", choices=("en", "vi"), default=argparse.SUPPRESS,
                        help="language hint sent to the server")
    if address:
        parser.add_argument("--address", metavar="USER@DOMAIN", default=argparse.SUPPRESS,
                            help="mailbox to use (default: the most recently added saved one)")


def _json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON")


def _label(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--label", metavar="TEXT", help='what the address is for, e.g. "github sign-up"')
    parser.add_argument("--note", metavar="TEXT", help="a longer note beside the label")


def add_parsers(commands: argparse._SubParsersAction[OneLineErrors]) -> None:
    new = commands.add_parser("new", help="create a mailbox, save it and print its address")
    _common(new, address=False)
    new.add_argument("--domain", metavar="DOMAIN", help="domain of the new address")
    name = new.add_mutually_exclusive_group()
    name.add_argument("--name", metavar="NAME", help="local part of the address (default: random)")
    name.add_argument("--private", action=argparse.BooleanOptionalAction, default=None,
                      help="an unguessable random name (16 of a-z0-9): anyone who knows an address "
                           "can read its mail (default: the private_addresses setting)")
    _label(new)
    _json(new, "the mailbox")

    ls = commands.add_parser("ls", help="list this server's saved mailboxes (the last one is the default)")
    _common(ls, address=False)
    _json(ls, "the mailboxes")

    opener = commands.add_parser("open", help="open an existing address, save it and print it")
    _common(opener, address=False)
    opener.add_argument("target", metavar="ADDRESS", help="the address to open")
    opener.add_argument("--takeover", action="store_true",
                        help="take the address back from another session that holds it")
    _json(opener, "the mailbox")

    forget = commands.add_parser("forget", help="forget a saved mailbox on this computer")
    _common(forget, address=False)
    forget.add_argument("target", metavar="ADDRESS", help="the saved address to forget")

    label = commands.add_parser("label", help="give a saved mailbox a label (and a note)")
    _common(label, address=False)
    label.add_argument("target", metavar="ADDRESS", help="the saved address")
    label.add_argument("text", metavar="TEXT", help='the label, e.g. "github sign-up" ("" removes it)')
    label.add_argument("--note", metavar="TEXT", help='a note beside the label ("" removes it)')

    export = commands.add_parser(
        "export", help="print every saved mailbox (all servers) as JSON, for `tmtui import`",
        description="Print the saved mailboxes of every server, with label, note and expiry, as JSON. "
                    "Session tokens only with --with-tokens: anyone who has them can read the mail.")
    _common(export, address=False)
    export.add_argument("--with-tokens", action="store_true",
                        help="include the session tokens (the file then holds secrets)")
    export.add_argument("--output", "-o", metavar="FILE", type=Path,
                        help="write FILE (mode 0600, replaced atomically) instead of printing")

    importer = commands.add_parser(
        "import", help="add the mailboxes of a `tmtui export` file to the saved ones",
        description="Add the mailboxes of an export to the saved ones (every server's). New ones are "
                    "added; saved ones get the file's label and note when set, and its session when "
                    "newer. Nothing is removed; nothing is written if the file has an invalid entry.")
    _common(importer, address=False)
    importer.add_argument("file", metavar="FILE", type=Path, help="a file written by `tmtui export`")
    _json(importer, "the counts")

    inbox = commands.add_parser("inbox", help="list the messages of a mailbox, newest first")
    _common(inbox)
    inbox.add_argument("mailbox", nargs="?", metavar="ADDRESS",
                       help="mailbox to list (default: the most recently added saved one)")
    _json(inbox, "the messages")

    read = commands.add_parser("read", help="print one message")
    _common(read)
    read.add_argument("id", metavar="ID", help="message id, as listed by `tmtui inbox`")
    form = read.add_mutually_exclusive_group()
    form.add_argument("--text", dest="form", action="store_const", const="text",
                      help="headers and the body as text (default)")
    form.add_argument("--html", dest="form", action="store_const", const="html",
                      help="the body's HTML, sanitised")
    form.add_argument("--markdown", dest="form", action="store_const", const="markdown",
                      help="headers and the body as Markdown (escaped: the sender's text stays text)")
    form.add_argument("--json", dest="form", action="store_const", const="json",
                      help="the message as JSON")

    save = commands.add_parser("save", help="save every attachment of a message; print the paths")
    _common(save)
    save.add_argument("id", metavar="ID", help="message id")
    save.add_argument("--dir", metavar="DIR", type=Path,
                      help="directory to save into (default: --download-dir or the config)")

    rm = commands.add_parser("rm", help="delete messages")
    _common(rm)
    rm.add_argument("ids", nargs="+", metavar="ID", help="message ids")

    wait = commands.add_parser(
        "wait", help="wait for the first new matching mail; print its code, link or JSON",
        description="Wait for the first new mail matching --from/--from-name/--subject and print its "
                    "one-time code (--otp), confirmation link (--link), JSON (--json) or an "
                    "inbox line.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(wait)
    wait.add_argument("--from", dest="sender", metavar="REGEX",
                      help="only mail whose sender address matches (case-insensitive search; "
                           "the display name is the sender's to write and is not matched)")
    wait.add_argument("--from-name", dest="sender_name", metavar="REGEX",
                      help="only mail whose sender display name matches (anyone can write any name)")
    wait.add_argument("--subject", metavar="REGEX",
                      help="only mail whose subject matches (case-insensitive search)")
    wait.add_argument("--timeout", metavar="SECONDS", type=_positive_seconds, default=300.0,
                      help="give up after this long, exit 1 (default 300; 0 waits forever)")
    wait.add_argument("--since", metavar="SECONDS", type=_positive_seconds, default=2.0,
                      help="also accept mail that arrived up to SECONDS before wait started "
                           "(default 2)")
    what = wait.add_mutually_exclusive_group()
    what.add_argument("--otp", dest="form", action="store_const", const="otp",
                      help="print the one-time code (skip matching mail without one)")
    what.add_argument("--link", dest="form", action="store_const", const="link",
                      help="print the confirmation / sign-in link (skip mail without one)")
    what.add_argument("--json", dest="form", action="store_const", const="json",
                      help="print the message as JSON")

    watch = commands.add_parser(
        "watch", help="keep every saved mailbox live; print one JSON line per event; run the rules",
        description="Keep every saved mailbox of the server live (event streams, polling when "
                    "refused) and print one JSON line per event (mail, deleted, state) until "
                    "interrupted. The [[rules]] of the config run on each new mail; what they do "
                    "is written to stderr.",
        epilog="exit codes: 2 a rule or the config has a problem, 3 server or network error, "
               "130 interrupted (Ctrl-C), 143 SIGTERM",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(watch, address=False)
    watch.add_argument("--no-rules", action="store_true", help="print the events only; run no rule")
