"""The tmtui reference server: the TempMail MMO API over HTTP + SSE, SMTP intake, SQLite.

Public entry points live in submodules (`config.ServerConfig`, `runner.ReferenceServer`,
`runner.ServerThread`, `cli.run_serve`). The server needs the optional ``server``
extra; importing this package without it fails at once with an ImportError that
says how to install it, so callers can turn it into one human line.
"""

from __future__ import annotations

from importlib.util import find_spec

# find_spec only looks the packages up; importing them here would cost start-up
# time for `tmtui --help`, which imports tmtui.server.cli to build its parser.
_MISSING = [name for name in ("starlette", "uvicorn", "sse_starlette", "aiosmtpd") if find_spec(name) is None]
if _MISSING:
    raise ImportError(
        "the tmtui reference server needs extra packages "
        f"({', '.join(_MISSING)} missing): pip install 'tmtui[server]'"
    )
