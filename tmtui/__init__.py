"""tmtui: a keyboard-first terminal client for disposable TempMail MMO mailboxes."""

__version__ = "0.1.0"
