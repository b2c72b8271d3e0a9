"""Summarise a DAISY Ace report.json: every violation, with its impact and file; exit 1 if any.

python tools/ace_report.py dist/ace/report.json
"""

from __future__ import annotations

import json
import sys


def main(path: str) -> int:
    with open(path, encoding="utf-8") as file:
        report = json.load(file)
    violations = [
        (
            check["earl:test"].get("earl:impact", "?"),
            check["earl:test"].get("dct:title", "?"),
            subject["earl:testSubject"].get("url", ""),
        )
        for subject in report.get("assertions", [])
        for check in subject.get("assertions", [])
        if check.get("earl:result", {}).get("earl:outcome") == "fail"
    ]
    for impact, title, where in violations:
        print(f"{where}: {impact}: {title}")
    missing = report.get("a11y-metadata", {}).get("missing", [])
    print(f"DAISY Ace: {len(violations)} violation(s); metadata not given: {', '.join(missing) or 'none'}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
