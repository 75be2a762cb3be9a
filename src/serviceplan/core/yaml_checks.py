"""What serviceplan refuses in a YAML file before parsing it: anchors and aliases, and nesting beyond reason.

An alias repeats a node by reference: ten nested aliases of ten items each (a "billion laughs" file) are a few
hundred bytes that become 10**10 values once anything walks the data, and an anchor that refers to itself makes
a structure without end. No file of ours needs either (the partner register, the plan and the parameters are
written out value by value), so both are refused with the line where they start. Nesting is limited because
PyYAML composes a document recursively: a few hundred levels of ``[[[...]]]`` end in a ``RecursionError``.

The check reads the token stream (PyYAML's scanner, which keeps no nesting on the call stack), in C when
LibYAML is there, so it costs a fraction of the parse that follows it.
"""

from __future__ import annotations

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Deeper than any file of ours (the partner register has 3 levels, the parameters 5) and far from the depth where
# composing a document runs out of stack.
MAX_DEPTH = 64

_OPEN = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSE = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def yaml_problem(text: str, max_depth: int = MAX_DEPTH) -> tuple[int, str] | None:
    """``(line, what is expected)`` for the first anchor, alias or too deep nesting in ``text`` (lines from 1);
    ``None`` when there is none. A syntax error is left to the parser, which names it better."""
    depth = 0
    try:
        for token in yaml.scan(text, Loader=LOADER):
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                kind = "an anchor (&)" if isinstance(token, yaml.AnchorToken) else "an alias (*)"
                return (
                    token.start_mark.line + 1,
                    f"every value written out: YAML anchors and aliases are not accepted (found {kind})",
                )
            if isinstance(token, _OPEN):
                depth += 1
                if depth > max_depth:
                    return token.start_mark.line + 1, f"at most {max_depth} levels of nesting"
            elif isinstance(token, _CLOSE):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None
