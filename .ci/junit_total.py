"""Add up pytest's JUnit XML reports: per file, then in total.

    python .ci/junit_total.py REPORT.xml ...

Prints a line per report, then the closing line "tests: N passed, N failed, N skipped". Exits
non-zero when a report is missing or unreadable, when any test failed or errored, or when no
test was executed at all (a CI run that tested nothing has not passed).
"""
import sys
import xml.etree.ElementTree as ET


def count(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in totals:
            totals[key] += int(suite.get(key, 0))
    return totals


def main(paths):
    if not paths:
        sys.exit(__doc__)
    grand = {"passed": 0, "failed": 0, "skipped": 0}
    for path in paths:
        try:
            t = count(path)
        except (OSError, ET.ParseError) as exc:
            sys.exit(f"junit_total: cannot read {path}: {exc}")
        failed = t["failures"] + t["errors"]
        passed = t["tests"] - failed - t["skipped"]
        grand["passed"] += passed
        grand["failed"] += failed
        grand["skipped"] += t["skipped"]
        print(f"  {path}: {passed} passed, {failed} failed, {t['skipped']} skipped")
    print(f"tests: {grand['passed']} passed, {grand['failed']} failed, {grand['skipped']} skipped")
    if grand["failed"] or grand["passed"] == 0:
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
