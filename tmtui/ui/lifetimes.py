"""Closed screens must die: two things in Textual kept them (and a reader's body) alive.

Measured with a 1 MB newsletter opened and closed again and again: every reader
stayed in memory with its text area, and the collector's full passes, which
walk everything alive, grew from ~30 ms to ~400 ms (the worst UI stalls).

* Thread workers. Textual runs ``@work(thread=True)`` in the loop's default
  executor and sets its ``active_worker`` context variable in the pool thread's
  own context (``run_in_executor`` copies none). An idle pool thread keeps that
  context, so the last worker it ran, the worker's screen and all the screen
  holds stay alive until the thread runs something else: one closed screen per
  pool thread. :class:`FreshContextExecutor` runs every job in a new context,
  dropped when the job ends; the app installs it as the loop's default.
* Watchers on the app. A ``TextArea`` watches the app's ``theme`` (``watch``
  puts ``(widget, callback)`` in a list on the app); Textual drops the entries
  of closed widgets only when that reactive changes (the theme: almost never),
  so every text area ever shown stayed alive with its document.
  :func:`prune_closed_watchers` drops them; the app runs it after screen
  changes.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class FreshContextExecutor(ThreadPoolExecutor):
    """A ThreadPoolExecutor whose jobs run in a new ``contextvars.Context`` each."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return super().submit(functools.partial(contextvars.Context().run, fn, *args, **kwargs))


def prune_closed_watchers(obj: object) -> int:
    """Drop the watchers registered on ``obj`` (``node.watch(obj, ...)``) whose node has
    closed, as a change of the watched reactive would; returns how many. (Textual has
    no public way: a no-op if its internals change.)"""
    watchers = getattr(obj, "__watchers", None)
    if not isinstance(watchers, dict):
        return 0
    dropped = 0
    for entries in watchers.values():
        if not isinstance(entries, list):
            continue
        alive = [entry for entry in entries
                 if not (getattr(entry[0], "_closing", False) or getattr(entry[0], "_closed", False))]
        dropped += len(entries) - len(alive)
        entries[:] = alive
    return dropped
