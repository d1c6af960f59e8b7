"""Rules that act on new mail: ``[[rules]]`` in config.toml, run in the TUI and in ``tmtui watch``.

::

    rules, errors = parse_rules(config.rules)       # errors: "rules[2].delete_after: ..."
    engine = RuleEngine(core, rules, surface, downloads=config.downloads)   # tmtui.rules.engine
    store.subscribe(engine.changed)                 # or hand it new mail: engine.arrived(address, messages)
    ...
    await engine.aclose()

- :mod:`~tmtui.rules.parse`: the tables, checked key by key (errors name the rule's index and key);
- :mod:`~tmtui.rules.model`: a parsed rule (plain frozen data);
- :mod:`~tmtui.rules.matching`: does a rule match a mail (pure);
- :mod:`~tmtui.rules.actions` and :mod:`~tmtui.rules.command`: what a rule does;
- :mod:`~tmtui.rules.engine`: new mail in, each message once, actions out.

It knows nothing of Textual: the UI-only actions (notify, bell, copy) go
through a :class:`~tmtui.rules.actions.Surface` that the program around it
provides. It sits between the programs (UI, scripts) and the client core it
reads mail through. Only the parsing is imported here: the engine (and with it
the extractors) is imported by whoever runs rules, so a TUI without rules
starts no slower.
"""

from __future__ import annotations

from tmtui.rules.model import Actions, Match, Rule
from tmtui.rules.parse import RuleError, parse_rules

__all__ = ["Actions", "Match", "Rule", "RuleError", "parse_rules"]
