"""Secret values that tools' line parsers tend to alter: every encoding sindri writes for
another tool is checked with these (issue 15)."""

from __future__ import annotations

AWKWARD_VALUES: dict[str, str] = {
    "QUOTES": "say \"hi\" and 'bye'",
    "BACKSLASHES": "C:\\path\\n\\\\server\\t",
    "TAB": "tab\there",
    "NEWLINE": "line one\nline two\n",
    "HASH": 'x"#y # not a comment',
    "EVEN_HASH": "a #b",
    "SPACES": "  leading and trailing  ",
    "WRAPPED_DOUBLE": '"wrapped"',
    "WRAPPED_SINGLE": "'wrapped'",
    "TRIPLE_QUOTES": '"""triple"""',
    "EQUALS": "a=b==c=",
    "NON_ASCII": "naïve café 日本 🚀",
    "LONE_QUOTE": '"',
}
