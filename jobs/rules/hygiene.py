"""Hygiene family: things that should never be committed in a test file."""

from __future__ import annotations

import base64
import binascii
import bisect
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterator

from jobs.engine.facts import ModuleFacts
from jobs.engine.parse import PY_NEWLINE_RE
from jobs.rules.registry import Hit, RuleContext, rule

# Token formats with a recognisable prefix: (label, literal prefixes, pattern). Each match is still
# checked for placeholder words and for enough randomness before it is reported.
TOKEN_FORMATS = (
    ("an OpenAI-style secret key", ("sk-",), r"sk-(?:proj-|live-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{20,}"),
    ("a Stripe secret key", ("k_live_",), r"[sr]k_live_[0-9A-Za-z]{16,}"),
    ("an AWS access key id", ("AKIA", "ASIA"), r"(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Za-z])"),
    (
        "a GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        r"gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}",
    ),
    ("a Slack token", ("xox",), r"xox[abpr]-[A-Za-z0-9-]{20,}"),
    ("a Google API key", ("AIza",), r"AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])"),
    (
        "a private key",
        ("PRIVATE KEY",),
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
        r"(?:\\n|\s)+[A-Za-z0-9+/=\\n\s]{64,}",
    ),
    ("a JSON Web Token", ("eyJ",), r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}"),
)
TOKENS = tuple((label, prefixes, re.compile(pattern)) for label, prefixes, pattern in TOKEN_FORMATS)
# `password = "..."`, `api_key="..."`, `"token": "..."`: the name and the literal.
ASSIGNED = re.compile(
    r"""(?P<name>[A-Za-z_][A-Za-z0-9_]*)["']?\s*(?::|=)\s*[rRbBuU]?(?P<q>["'])(?P<value>[^"'\\\n]{16,200})(?P=q)"""
)
SECRET_HINTS = ("passw", "pwd", "secret", "token", "apikey", "api_key", "access", "private", "auth",
                "credential", "passphrase")  # fmt: skip
SECRET_HINT = re.compile("|".join(map(re.escape, SECRET_HINTS)))  # searched in lowercased source
SECRET_WORDS = frozenset(
    {
        "password", "passwd", "pwd", "secret", "token", "apikey", "credential", "credentials", "auth",
        "authorization", "passphrase",
    }
)  # fmt: skip
SECRET_PAIRS = (
    ("api", "key"),
    ("access", "key"),
    ("private", "key"),
    ("secret", "key"),
    ("client", "secret"),
)
NOT_SECRET_PARTS = frozenset(
    {
        "url", "uri", "endpoint", "type", "name", "file", "path", "hash", "field", "prefix", "length", "len",
        "id", "count", "pattern", "regex", "re", "format", "env", "var", "kind", "cls", "class", "header",
        "param", "key", "keys", "attr", "label", "method", "scheme", "location", "dir", "expected", "hashed",
        "digest", "encrypted", "salt",
    }
)  # fmt: skip
PLACEHOLDERS = re.compile(
    r"test|fake|dummy|example|sample|changeme|change_me|placeholder|mock|invalid|redacted|your|xxxx|"
    r"secret|password|token|foo|bar|abc|123456|000000|asdf|qwerty|lorem|demo|insert|replace|todo|none|null",
    re.IGNORECASE,
)
BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
WORD_SPLIT = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _classes(text: str) -> int:
    return sum(
        (
            any(c.islower() for c in text),
            any(c.isupper() for c in text),
            any(c.isdigit() for c in text),
            any(not c.isalnum() for c in text),
        )
    )


def _decoded(value: str) -> str | None:
    """The text a base64 value encodes (HTTP Basic credentials); None when it encodes no text."""
    if len(value) % 4 or not BASE64.fullmatch(value):
        return None
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return text if text.isprintable() else None


def _jwt_payload(token: str) -> str:
    """The decoded claims of a JWT (a test token says `test`, `example`, `1234567890` there)."""
    payload = token.split(".")[1]
    try:
        return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8") + token
    except (binascii.Error, UnicodeDecodeError):
        return token


def _looks_random(value: str) -> bool:
    """Long, varied and unpredictable: not a word, a sentence, a path or a placeholder. Base64 that
    encodes text (`Basic dXNlcjpwYXNz` is `user:pass`) is judged by the password it encodes."""
    for prefix in ("Bearer ", "Basic ", "Token ", "token "):
        value = value.removeprefix(prefix)
    decoded = _decoded(value)
    if decoded is not None:
        return _looks_random(decoded.partition(":")[2] or decoded) if decoded != value else False
    if len(value) < 16 or any(c.isspace() for c in value) or PLACEHOLDERS.search(value):
        return False
    if any(mark in value for mark in ("://", "{", "%s", "%(", "${", "@", "/", "..")):
        return False
    if not any(c.isdigit() for c in value) or not any(c.isalpha() for c in value):
        return False
    return _classes(value) >= 2 and _entropy(value) >= 3.5 and len(set(value)) >= 10


def _secret_name(name: str) -> bool:
    parts = [p.lower() for p in WORD_SPLIT.findall(name)]
    if not parts or parts[-1] in NOT_SECRET_PARTS - {"key"}:
        return False
    if any(p in SECRET_WORDS for p in parts):
        return True
    return any(pair in itertools.pairwise(parts) for pair in SECRET_PAIRS)


def _line_col(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1)


def _token_hits(source: str) -> Iterator[tuple[int, str, str]]:
    for label, prefixes, pattern in TOKENS:
        if not any(p in source for p in prefixes):
            continue
        for match in pattern.finditer(source):
            before = source[match.start() - 1 : match.start()]
            if before.isalnum() or before == "_":
                continue
            text = match.group(0)
            if label == "a JSON Web Token":
                text = _jwt_payload(text)
            if label == "a private key" or (not PLACEHOLDERS.search(text) and _entropy(text) >= 3.5):
                yield match.start(), label, match.group(0)


def _hinted_lines(source: str) -> list[int]:
    """1-based numbers of the lines that mention a secret-like word, in one pass over the file."""
    hits = [m.start() for m in SECRET_HINT.finditer(source.lower())]
    if not hits:
        return []
    breaks = [m.start() for m in PY_NEWLINE_RE.finditer(source)]
    return sorted({bisect.bisect_right(breaks, offset) + 1 for offset in hits})


def _assigned_hits(module: ModuleFacts) -> Iterator[tuple[int, int, str]]:
    """Only lines that mention a secret-like word are matched against the assignment pattern."""
    for number in _hinted_lines(module.source):
        line = module.line_text(number)
        for match in ASSIGNED.finditer(line):
            if _secret_name(match.group("name")) and _looks_random(match.group("value")):
                yield number, match.start("value"), f"a literal assigned to `{match.group('name')}`"


@rule(
    "hardcoded-credentials",
    severity="warning",
    scope="module",
    message="a secret is written into the test file: load it from the environment or a fixture, and "
    "rotate it if it was real",
    aliases=("hardcoded-secret",),
)
def hardcoded_credentials(module: ModuleFacts, ctx: RuleContext) -> Iterator[Hit]:
    """What it flags: anywhere in a test file (module constants included), strings in a known
    token format (OpenAI `sk-`, Stripe `sk_live_`, AWS `AKIA...`, GitHub `ghp_`/`github_pat_`, Slack
    `xox?-`, Google `AIza`, private key PEM blocks, JWTs) and long, random-looking literals assigned
    to a name or keyword such as `password`, `secret`, `token`, `api_key` or `auth`. Obvious test
    values (`"password"`, `"test-token"`, `"x" * 32`, `"changeme"`, anything saying dummy, fake,
    example) are not flagged.

    Why it matters: test files are copied, vendored and published; a live credential in one is
    leaked, and tests that need a real secret to pass cannot run anywhere else.

    Use instead: read it from the environment in a fixture (`os.environ["API_KEY"]`, skipping when
    absent) or use an obviously fake value; if the value was ever real, rotate it now.
    """
    source = module.source
    found: list[tuple[int, int, str]] = []
    values: set[str] = set()  # the same secret pasted again (say, into an expected header) is one finding
    for offset, what, value in _token_hits(source):
        if value not in values:
            values.add(value)
            found.append((*_line_col(source, offset), what))
    found += list(_assigned_hits(module))
    lines: set[int] = set()
    for line, column, what in sorted(found):
        if line in lines:
            continue
        lines.add(line)
        yield Hit(
            line,
            column,
            f"{what} looks like a real secret: load it from the environment or a "
            "fixture, and rotate it if it was ever real",
        )
