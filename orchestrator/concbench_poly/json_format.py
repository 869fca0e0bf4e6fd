"""The one JSON formatting every saved file and every JSON export uses.

Sorted keys, two-space indent, UTF-8 as is, a final newline: regenerated files are byte-identical.
"""

from __future__ import annotations

import json
from typing import Any


def dump_json(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
