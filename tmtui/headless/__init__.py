"""Headless commands for scripts, SSH and CI: same config, state and server as the TUI.

::

    tmtui new   [--domain D] [--name N | --private] [--label T] [--note T] [--json]
                                                  create + save a mailbox, print its address
    tmtui ls    [--json]                              this server's saved mailboxes (the last is the default)
    tmtui open  ADDRESS [--takeover] [--json]         open an existing address and save it
    tmtui forget ADDRESS                              forget a saved mailbox on this computer
    tmtui label ADDRESS TEXT [--note T]               give a saved mailbox a label ("" removes it)
    tmtui export [--with-tokens] [-o FILE]            every saved mailbox (all servers) as JSON
    tmtui import FILE [--json]                        add an export's mailboxes to the saved ones
    tmtui inbox [ADDRESS] [--json]                    the messages of a mailbox, newest first
    tmtui read  ID [--address A] [--text|--markdown|--html|--json]
    tmtui save  ID [--address A] [--dir D]            every attachment; prints the saved paths
    tmtui rm    ID... [--address A]
    tmtui wait  [--address A] [--from RE] [--subject RE] [--timeout S] [--since S]
                [--otp | --link | --json]
    tmtui watch [--no-rules]                          every saved mailbox live: one JSON line per
                                                      event (mail, deleted, state); runs the rules

``ADDRESS`` / ``--address`` default to the most recently added saved mailbox
of the server in use (the last line of ``tmtui ls``); an address that is not
saved is an error (exit 4): ``tmtui open ADDRESS`` opens and saves it. Saved
mailboxes belong to the server that issued them and are never sent elsewhere.
Saved sessions are reused; a session the server no longer knows (401) is
reopened with its saved token and the new token is saved, as the TUI does.
The top-level options ``--server``, ``--lang``, ``--download-dir`` and
``--no-sse`` apply (before or after the command name).

Output is plain text without colours or escapes; ``--json`` prints one JSON
document (schema: :mod:`tmtui.headless.schema`). Every string that comes from a
mail is sanitised first. Errors are one line on stderr: ``tmtui: <message>``.

``wait`` subscribes to the mailbox's event stream, waits for its ``state``
event, then lists the mailbox: ids not in that baseline are new, and so is
unread mail the server stored after ``wait`` started, or up to ``--since``
seconds (default 2) before: a mail that lands a few milliseconds after
``wait`` starts, or a sign-up mail that beat the script, is seen. A mail
``wait`` reports is fetched, so marked read, and the next ``wait`` skips it.
It prints the first new mail matching ``--from`` / ``--subject`` (Python
regexes, case-insensitive, searched in the sender and subject): its code
(``--otp``), its confirmation link (``--link``), its JSON (``--json``) or an
inbox line. With ``--otp`` / ``--link`` a matching mail without a code / link
is skipped (noted on stderr) and ``wait`` keeps waiting. The service's welcome
mail (subject ending in "TempMail MMO") matches only an explicit ``--from`` /
``--subject``. When the stream is refused (429 / 503) or keeps failing, or
with ``--no-sse``, ``wait`` polls every 15-30 s (``poll_min_seconds`` /
``poll_max_seconds`` in the config) and tries the stream again each round.
Details: :mod:`tmtui.headless.wait` and :mod:`tmtui.sync.arrivals`.

``watch`` keeps every saved mailbox of the server live, as the TUI does, and
prints one JSON line per event until interrupted; the ``[[rules]]`` of the
config run on the mail that arrives meanwhile. Details and the events:
:mod:`tmtui.headless.watch`; rules: :mod:`tmtui.rules`.

Exit codes (stable):

===  ==========================================================================
0    success
1    ``wait``: no matching mail before ``--timeout``
2    usage: bad option or argument (argparse), bad regex, unusable config, an
     import file that is not a valid export
     (``watch``: a rule with a problem, named ``config: rules[2].key: ...``)
3    server or network: unreachable, timed out, rate limited, 5xx, malformed
     answer, or a request the server refused (e.g. an invalid ``--name``)
4    not found or not yours: no saved mailbox, the mailbox no longer exists,
     it was taken over by another session and cannot be reopened, the address
     ``new --name`` asked for is in use by another session, or no such message
5    ``wait --otp`` / ``--link``: matching mail arrived before the timeout but
     none had a code / link
6    local: the state file, an attachment or an export could not be written
7    internal error (a bug: the line names it; please report it)
130  interrupted (Ctrl-C): how ``watch`` ends
143  ``watch`` stopped by SIGTERM
141  the reader of the output went away (``| head -1``); nothing is printed
===  ==========================================================================
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_TIMEOUT = 1
EXIT_USAGE = 2
EXIT_SERVER = 3
EXIT_NOT_FOUND = 4
EXIT_NOTHING_FOUND = 5
EXIT_LOCAL = 6
EXIT_INTERNAL = 7
EXIT_INTERRUPTED = 130
EXIT_SIGPIPE = 141  # 128 + SIGPIPE: the reader of our output went away

COMMANDS = frozenset({"new", "ls", "open", "forget", "label", "export", "import", "inbox", "read", "save",
                      "rm", "wait", "watch"})
