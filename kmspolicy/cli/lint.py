"""``kmspolicy lint``: report the findings of policy files, for people and for CI."""

from __future__ import annotations

import argparse
import os
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from kmspolicy import __version__
from kmspolicy.cli.output import write_json
from kmspolicy.errors import DocumentError
from kmspolicy.findings import CODES, Finding, Severity
from kmspolicy.policy.document import read_limited
from kmspolicy.policy.model import PolicyKind
from kmspolicy.policy.parse import read_policy_bytes

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@dataclass
class FileReport:
    """Findings of one file; ``error`` is set when the file could not be read."""

    path: str
    kind: str | None = None
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None


def add_lint_parser(commands) -> None:
    parser = commands.add_parser(
        "lint",
        help="check policy files and report findings at line:column",
        description="Check KMS key policies and other IAM policy documents.",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="FILE|DIR",
        help="files or folders of .json policies",
    )
    parser.add_argument(
        "--kind",
        choices=[kind.value for kind in PolicyKind],
        help="policy kind to apply to every file (default: detected per file)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "sarif", "github"),
        default="text",
        help="output format: text lines, one JSON document, SARIF 2.1.0, or GitHub "
        "annotations",
    )
    parser.add_argument(
        "--fail-on",
        choices=("warning", "error"),
        default="warning",
        help="lowest severity that makes the exit status 1 (default: warning)",
    )
    parser.set_defaults(run=run_lint)


def collect_files(paths: list[str]) -> tuple[list[Path], list[FileReport]]:
    """Expand folders to their .json files (sorted); report paths that do not exist."""
    files: list[Path] = []
    missing: list[FileReport] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        elif path.exists():
            files.append(path)
        else:
            missing.append(FileReport(name, error=f"{name}: no such file or folder"))
    return files, missing


def lint_file(path: Path, kind: PolicyKind | None) -> FileReport:
    report = FileReport(str(path))
    try:
        data = read_limited(path)
    except OSError as error:
        report.error = f"{path}: cannot read: {error.strerror}"
        return report
    except DocumentError as error:
        report.findings.append(error.finding)
        return report

    try:
        policy = read_policy_bytes(data, kind=kind, name=str(path))
    except DocumentError as error:
        report.findings.append(error.finding)
        return report

    report.kind = policy.kind.value
    report.findings.extend(policy.findings)
    return report


def run_lint(arguments: argparse.Namespace) -> int:
    kind = PolicyKind(arguments.kind) if arguments.kind else None
    files, reports = collect_files(arguments.paths)
    reports.extend(lint_file(path, kind) for path in files)

    writer = {
        "text": _write_text,
        "json": _write_json,
        "sarif": _write_sarif,
        "github": _write_github,
    }
    writer[arguments.format](reports)
    return _exit_status(reports, Severity(arguments.fail_on))


def _exit_status(reports: list[FileReport], fail_on: Severity) -> int:
    if any(report.error for report in reports):
        return EXIT_UNREADABLE

    def counts(finding: Finding) -> bool:
        return fail_on is Severity.WARNING or finding.severity is Severity.ERROR

    if any(counts(f) for report in reports for f in report.findings):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _write_text(reports: list[FileReport]) -> None:
    out = sys.stdout
    total = 0
    for report in reports:
        if report.error:
            print(f"error: {report.error}", file=sys.stderr)
            continue
        for f in report.findings:
            total += 1
            out.write(
                f"{report.path}:{f.line}:{f.column}: {f.severity.value}[{f.code}]: {f.message}\n"
            )

    files = sum(1 for report in reports if not report.error)
    out.write(f"{files} file(s) checked, {total} finding(s)\n")


def _write_json(reports: list[FileReport]) -> None:
    document = {
        "files": [
            {
                "path": report.path,
                "kind": report.kind,
                "error": report.error,
                "findings": [finding.to_dict() for finding in report.findings],
            }
            for report in reports
        ],
        "summary": {
            "files": len(reports),
            "errors": _count(reports, Severity.ERROR),
            "warnings": _count(reports, Severity.WARNING),
            "unreadable": sum(1 for report in reports if report.error),
        },
    }
    write_json(document)


def _count(reports: list[FileReport], severity: Severity) -> int:
    return sum(1 for r in reports for f in r.findings if f.severity is severity)


def _write_sarif(reports: list[FileReport]) -> None:
    """Write one SARIF 2.1.0 log; unreadable files become tool notifications."""
    codes = sorted({f.code for report in reports for f in report.findings})
    rules = [
        {"id": code, "shortDescription": {"text": CODES[code][1]}} for code in codes
    ]
    results = [
        {
            "ruleId": f.code,
            "level": "error" if f.severity is Severity.ERROR else "warning",
            "message": {"text": f.message},
            "locations": [_sarif_location(report.path, f)],
        }
        for report in reports
        for f in report.findings
    ]
    notifications = [
        {"level": "error", "message": {"text": report.error}}
        for report in reports
        if report.error
    ]
    run = {
        "tool": {
            "driver": {
                "name": "kmspolicy",
                "version": __version__,
                "rules": rules,
            }
        },
        "results": results,
        "invocations": [
            {
                "executionSuccessful": not notifications,
                "toolExecutionNotifications": notifications,
            }
        ],
    }
    log = {"version": "2.1.0", "$schema": SARIF_SCHEMA, "runs": [run]}
    write_json(log)


def _sarif_location(path: str, finding: Finding) -> dict:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _file_uri(path)},
            "region": {"startLine": finding.line, "startColumn": finding.column},
        },
        "logicalLocations": [{"fullyQualifiedName": finding.path}],
    }


def _file_uri(path: str) -> str:
    """Return a relative URI reference for a path, percent-encoding its bytes."""
    return urllib.parse.quote(os.fsencode(Path(path).as_posix()), safe="/")


def _write_github(reports: list[FileReport]) -> None:
    """Write workflow commands that GitHub Actions shows as annotations."""
    for report in reports:
        if report.error:
            print(f"::error file={_escape(report.path, True)}::{_escape(report.error)}")
            continue
        for f in report.findings:
            level = "error" if f.severity is Severity.ERROR else "warning"
            location = f"file={_escape(report.path, True)},line={f.line},col={f.column}"
            title = f"title={_escape(f.code, True)}"
            print(f"::{level} {location},{title}::{_escape(f.message)}")


def _escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text
