"""Reference cases for sindri_core.image.semver, written from the npm node-semver README rules.

``RANGE_CASES`` rows are ``(range, version, expected)`` or ``(range, version, expected,
include_prerelease)``. Each group states the README rule it exercises. test_semver.py runs
them against sindri's matcher and, where Node.js is installed, against npm's own node-semver
too, so a wrong row cannot hide.
"""

from __future__ import annotations

# (range, version, expected[, include_prerelease])
RANGE_CASES: list[tuple] = [
    # --- a bare version is exact; build metadata is ignored for precedence --------------
    ("1.2.3", "1.2.3", True),
    ("1.2.3", "1.2.4", False),
    ("1.2.3", "1.2.2", False),
    ("1.2.3", "1.2.3+build.5", True),
    ("1.2.3+build.5", "1.2.3", True),
    ("=1.2.3", "1.2.3", True),
    ("=1.2.3", "1.2.3-rc.1", False),
    ("1.2.3-rc.1", "1.2.3-rc.1", True),
    ("1.2.3-rc.1", "1.2.3-rc.2", False),
    ("1.2.3-rc.1", "1.2.3", False),
    # --- primitive comparators ------------------------------------------------------------
    (">1.2.3", "1.2.4", True),
    (">1.2.3", "1.2.3", False),
    (">=1.2.3", "1.2.3", True),
    (">=1.2.3", "1.2.2", False),
    ("<1.2.3", "1.2.2", True),
    ("<1.2.3", "1.2.3", False),
    ("<=1.2.3", "1.2.3", True),
    ("<=1.2.3", "1.2.4", False),
    (">= 1.2.3", "1.5.0", True),  # whitespace between operator and version
    ("<   2.0.0", "1.9.9", True),
    (">1.2.3 <1.3.0", "1.2.9", True),  # space is AND
    (">1.2.3 <1.3.0", "1.3.0", False),
    (">=3.1 <4", "3.1.0", True),  # partials in comparators (docs/IMAGE_MANAGEMENT.md example)
    (">=3.1 <4", "3.9.9", True),
    (">=3.1 <4", "4.0.0", False),
    (">=3.1 <4", "3.0.9", False),
    # --- README: >=1.2.3 does not admit 1.2.3-beta, <1.2.3 does not admit 1.2.3-beta -----
    (">=1.2.3", "1.2.3-beta", False),
    (">=1.2.3", "2.3.0-beta", False),
    (">=1.2.3", "2.3.0-beta", True, True),
    ("<1.2.3", "1.2.3-beta", False),
    ("<1.2.3", "1.2.3-beta", True, True),
    ("<1.2.3", "1.0.0-beta", False),
    # --- || unions ------------------------------------------------------------------------
    ("1.2.7 || >=1.2.9 <2.0.0", "1.2.7", True),
    ("1.2.7 || >=1.2.9 <2.0.0", "1.2.9", True),
    ("1.2.7 || >=1.2.9 <2.0.0", "1.4.6", True),
    ("1.2.7 || >=1.2.9 <2.0.0", "1.2.8", False),
    ("1.2.7 || >=1.2.9 <2.0.0", "2.0.0", False),
    ("1.x || >=2.5.0 || 5.0.0 - 7.2.3", "1.2.3", True),
    ("1.x || >=2.5.0 || 5.0.0 - 7.2.3", "2.4.0", False),
    ("1.x || >=2.5.0 || 5.0.0 - 7.2.3", "2.5.1", True),
    ("<2 || >3", "3.0.5", False),
    ("<2 || >3", "4.0.0", True),
    ("||", "1.0.0", True),  # empty alternatives are "any version"
    # --- README prerelease rule: only prereleases of a tuple named with a prerelease ----
    (">1.2.3-alpha.3", "1.2.3-alpha.7", True),
    (">1.2.3-alpha.3", "3.4.5-alpha.9", False),
    (">1.2.3-alpha.3", "3.4.5-alpha.9", True, True),
    (">1.2.3-alpha.3", "3.4.5", True),
    (">1.2.3-alpha.3", "1.2.3-alpha.3", False),
    (">1.2.3-alpha.3", "1.2.3", True),
    (">=1.2.3-rc.1", "1.2.3-rc.2", True),
    (">=1.2.3-rc.1", "1.2.4-rc.1", False),
    ("<1.2.3-rc.1", "1.2.3-beta.9", True),
    ("<1.2.3-rc.1", "1.2.3-rc.2", False),
    (">1.0.0-alpha <1.0.0-beta", "1.0.0-alpha.1", True),
    (">1.0.0-alpha <1.0.0-beta", "1.0.0-beta", False),
    ("1.2.3-rc.1 || >=2", "1.2.3-rc.1", True),
    ("1.2.3-rc.1 || >=2", "2.0.0-rc.1", False),  # the rule applies per alternative
    (">=1.0.0 <2.0.0 || 2.0.0-rc.1", "2.0.0-rc.1", True),
    ("*", "1.0.0-beta", False),
    ("*", "1.0.0-beta", True, True),
    ("", "1.0.0-beta", False),
    ("", "1.0.0-beta", True, True),
    ("* || 1.2.3-rc.1", "1.2.3-rc.1", False),  # npm: an "any" alternative absorbs the union
    ("* || 1.2.3-rc.1", "1.2.3-rc.1", True, True),
    (">=0.0.0 || 1.2.3-rc.1", "1.2.3-rc.1", False),  # >=0.0.0 is "any" too
    (">=0.0.1 || 1.2.3-rc.1", "1.2.3-rc.1", True),
    (">=1.0.0", "1.0.0-rc.1", False, True),  # includePrerelease keeps an explicit bound
    # --- build metadata in versions and ranges ----------------------------------------
    ("^1.2.3", "1.2.3+linux.1", True),
    (">1.2.3", "1.2.3+build", False),
    ("<=1.2.3", "1.2.3+build", True),
    ("~1.2.3+build", "1.2.9", True),
    # --- x-ranges and partial versions ---------------------------------------------------
    ("*", "0.0.0", True),
    ("*", "999.999.999", True),
    ("", "1.2.3", True),
    ("x", "4.5.6", True),
    ("X", "4.5.6", True),
    ("x.x.x", "4.5.6", True),
    ("1.x", "1.0.0", True),
    ("1.x", "1.99.99", True),
    ("1.x", "2.0.0", False),
    ("1.x", "0.9.9", False),
    ("1.x", "1.5.0-beta", False),
    ("1.x", "1.5.0-beta", True, True),
    ("1.x", "1.0.0-0", True, True),
    ("1.x", "2.0.0-alpha", False, True),
    ("1.*", "1.4.0", True),
    ("1.X", "1.4.0", True),
    ("1.2.x", "1.2.0", True),
    ("1.2.x", "1.2.99", True),
    ("1.2.x", "1.3.0", False),
    ("1.2.*", "1.2.5", True),
    ("3.x", "3.1.4", True),  # docs/IMAGE_MANAGEMENT.md examples
    ("3.*", "3.1.4", True),
    ("3.*", "4.0.0", False),
    ("1", "1.9.0", True),  # a partial version is an x-range
    ("1", "2.0.0", False),
    ("1.2", "1.2.7", True),
    ("1.2", "1.3.0", False),
    ("=1.2", "1.2.7", True),
    ("^1.x.3", "1.5.0", True),  # after ^ or ~ a wildcard makes every later part one
    ("1.2.x-rc.1", "1.2.5", True),  # a prerelease after a wildcard is ignored
    # --- comparators with partial versions ---------------------------------------------
    (">1", "2.0.0", True),
    (">1", "1.9.9", False),
    (">1.2", "1.3.0", True),
    (">1.2", "1.2.9", False),
    (">=1.2", "1.2.0", True),
    (">=1.2", "1.2.0-rc.1", False),  # >=1.2 becomes >=1.2.0-0 with includePrerelease
    (">=1.2", "1.2.0-rc.1", True, True),
    ("<1.2", "1.1.9", True),
    ("<1.2", "1.2.0", False),
    ("<1.2", "1.2.0-rc.1", False, True),
    ("<=1.2", "1.2.99", True),
    ("<=1.2", "1.3.0", False),
    ("<=1", "1.99.0", True),
    ("<=1", "2.0.0-rc.1", False, True),
    (">*", "1.0.0", False),  # nothing is greater than "any"
    ("<*", "0.0.0", False),
    (">=*", "1.0.0", True),
    ("<=*", "1.0.0", True),
    # --- tilde: patch-level changes if a minor is given, minor-level if not -----------
    ("~1.2.3", "1.2.3", True),
    ("~1.2.3", "1.2.99", True),
    ("~1.2.3", "1.3.0", False),
    ("~1.2.3", "1.2.2", False),
    ("~1.2", "1.2.0", True),
    ("~1.2", "1.9.0", False),  # unlike PEP 440 ~=1.2
    ("~1", "1.9.0", True),
    ("~1", "2.0.0", False),
    ("~0.2.3", "0.2.9", True),
    ("~0.2.3", "0.3.0", False),
    ("~0.2", "0.2.0", True),
    ("~0", "0.99.0", True),
    ("~0", "1.0.0", False),
    ("~1.2.3-beta.2", "1.2.3-beta.4", True),
    ("~1.2.3-beta.2", "1.2.4-beta.2", False),
    ("~1.2.3-beta.2", "1.2.3-beta.1", False),
    ("~1.2.3-beta.2", "1.2.9", True),
    ("~1.2.3", "1.2.4-beta", False),
    ("~1.2.3", "1.2.4-beta", True, True),
    ("~1.2.3", "1.2.3-beta", False, True),  # the lower bound stays 1.2.3
    ("~1.2.3", "1.2.3-beta", False, True),  # a full tilde lower bound never gets -0
    ("~1.2.3", "1.3.0-0", False, True),
    ("~>1.2.3", "1.2.5", True),
    ("~>1.2", "1.3.0", False),
    ("~ 1.2.3", "1.2.7", True),
    ("~*", "5.0.0", True),
    ("~1.x", "1.9.0", True),
    # --- caret: changes that keep the left-most non-zero part --------------------------
    ("^1.2.3", "1.2.3", True),
    ("^1.2.3", "1.9.9", True),
    ("^1.2.3", "2.0.0", False),
    ("^1.2.3", "1.2.2", False),
    ("^1.2.3", "2.0.0-alpha", False),
    ("^1.2.3", "2.0.0-alpha", False, True),  # upper bound is <2.0.0-0
    ("^1.2.3", "1.3.0-beta", False),
    ("^1.2.3", "1.3.0-beta", True, True),
    ("^1.2.3", "1.2.3-beta", False, True),  # lower bound has no -0 for major > 0
    ("^1.2", "1.2.0-beta", True, True),  # ... but a partial lower bound does
    ("^1", "1.0.0-0", True, True),
    ("^1", "0.9.9", False),
    ("^1.2.3-beta.2", "1.2.3-beta.4", True),
    ("^1.2.3-beta.2", "1.2.3-beta.1", False),
    ("^1.2.3-beta.2", "1.2.4-beta.2", False),
    ("^1.2.3-beta.2", "1.2.4-beta.2", True, True),
    ("^1.2.3-beta.2", "1.9.0", True),
    ("^3", "3.1.0", True),
    ("^3", "4.0.0", False),
    ("^1.x", "1.5.0", True),
    ("^1.x", "2.0.0", False),
    ("^*", "0.0.1", True),
    ("^ 1.2.3", "1.4.0", True),
    # --- caret on 0.x: the left-most non-zero part is the minor or the patch ----------
    ("^0.2.3", "0.2.3", True),
    ("^0.2.3", "0.2.9", True),
    ("^0.2.3", "0.3.0", False),
    ("^0.2.3", "0.2.2", False),
    ("^0.2", "0.2.0-beta", True, True),  # a partial lower bound gets -0
    ("^0.2.3", "0.3.0-0", False, True),
    ("^0.0.3", "0.0.3", True),
    ("^0.0.3", "0.0.4", False),
    ("^0.0.3", "0.0.3-rc.1", False),
    ("^0.0.3", "0.0.4-0", False, True),
    ("^0.0.3-beta", "0.0.3-pr.2", True),
    ("^0.0.3-beta", "0.0.3-alpha", False),
    ("^0.0.3-beta", "0.0.4", False),
    ("^0.2", "0.2.0", True),
    ("^0.2", "0.2.9", True),
    ("^0.2", "0.3.0", False),
    ("^0.0", "0.0.9", True),
    ("^0.0", "0.1.0", False),
    ("^0.0.x", "0.0.5", True),
    ("^0.x", "0.9.9", True),
    ("^0", "0.99.0", True),
    ("^0", "1.0.0", False),
    ("^0.1.0", "0.1.5", True),
    ("^0.1.0", "0.2.0", False),
    # --- hyphen ranges: inclusive, partial ends cover everything they name ------------
    ("1.2.3 - 2.3.4", "1.2.3", True),
    ("1.2.3 - 2.3.4", "2.3.4", True),
    ("1.2.3 - 2.3.4", "2.3.5", False),
    ("1.2.3 - 2.3.4", "1.2.2", False),
    ("1.2.3 - 2.3.4", "2.3.4-rc.1", False),
    ("1.2.3 - 2.3.4", "2.3.4-rc.1", True, True),
    ("1.2.3 - 2.3.4", "1.2.3-rc.1", True, True),  # the lower end gets -0
    ("1.2.3 - 2.3.4", "2.3.5-0", False, True),
    ("1.2 - 2.3.4", "1.2.0", True),
    ("1.2 - 2.3.4", "1.1.9", False),
    ("1.2.3 - 2.3", "2.3.99", True),
    ("1.2.3 - 2.3", "2.4.0", False),
    ("1.2.3 - 2", "2.99.0", True),
    ("1.2.3 - 2", "3.0.0", False),
    ("1.2 - 2.3", "1.2.0", True),
    ("1.2 - 2.3", "2.3.9", True),
    ("1.2 - 2.3", "2.4.0", False),
    ("1.2 - 2.3", "2.4.0-0", False, True),
    ("3.0.0 - 3.2.0", "3.1.7", True),  # docs/IMAGE_MANAGEMENT.md example
    ("3.0.0 - 3.2.0", "3.2.1", False),
    ("* - 2.0.0", "0.0.1", True),
    ("1.0.0 - *", "99.0.0", True),
    ("1.0.0-rc.1 - 1.0.0", "1.0.0-rc.2", True),
    ("1.0.0 - 1.0.0-rc.1", "1.0.0-rc.1", False),
    ("1.2.3   -   2.3.4", "2.0.0", True),
    # --- a leading v in ranges and tags ---------------------------------------------
    ("v1.2.3", "1.2.3", True),
    (">=v1.2.3", "1.2.4", True),
    ("^v3", "3.1.0", True),
    ("~v1.2", "1.2.5", True),
    ("v1.x", "1.7.0", True),
    ("v1.2.3 - v2", "2.5.0", True),
]

# The desugared form npm prints for a range (Range.range, with "" shown as "*" and
# alternatives joined by " || "): (range, include_prerelease, desugared).
DESUGARED: list[tuple[str, bool, str]] = [
    ("^1.2.3", False, ">=1.2.3 <2.0.0-0"),
    ("^1.2.3", True, ">=1.2.3 <2.0.0-0"),
    ("^0.2.3", False, ">=0.2.3 <0.3.0-0"),
    ("^0.2", True, ">=0.2.0-0 <0.3.0-0"),
    ("^0.0.3", False, ">=0.0.3 <0.0.4-0"),
    ("^1.2.3-beta.2", False, ">=1.2.3-beta.2 <2.0.0-0"),
    ("^0.0.3-beta", False, ">=0.0.3-beta <0.0.4-0"),
    ("^1.2.x", False, ">=1.2.0 <2.0.0-0"),
    ("^0.0.x", False, "<0.1.0-0"),
    ("^0.0", False, "<0.1.0-0"),
    ("^1.x", False, ">=1.0.0 <2.0.0-0"),
    ("^0.x", False, "<1.0.0-0"),
    ("^1.2", True, ">=1.2.0-0 <2.0.0-0"),
    ("~1.2.3", False, ">=1.2.3 <1.3.0-0"),
    ("~1.2", False, ">=1.2.0 <1.3.0-0"),
    ("~1", False, ">=1.0.0 <2.0.0-0"),
    ("~0.2.3", False, ">=0.2.3 <0.3.0-0"),
    ("~0.2", False, ">=0.2.0 <0.3.0-0"),
    ("~0", False, "<1.0.0-0"),
    ("~1.2.3-beta.2", False, ">=1.2.3-beta.2 <1.3.0-0"),
    ("~>1.2.3", True, ">=1.2.3 <1.3.0-0"),
    ("1.2.3 - 2.3.4", False, ">=1.2.3 <=2.3.4"),
    ("1.2.3 - 2.3.4", True, ">=1.2.3-0 <2.3.5-0"),
    ("1.2 - 2.3.4", False, ">=1.2.0 <=2.3.4"),
    ("1.2.3 - 2.3", False, ">=1.2.3 <2.4.0-0"),
    ("1.2.3 - 2", False, ">=1.2.3 <3.0.0-0"),
    ("1.2 - 2.3", False, ">=1.2.0 <2.4.0-0"),
    ("*", False, "*"),
    ("", False, "*"),
    ("1.x", False, ">=1.0.0 <2.0.0-0"),
    ("1.2.x", True, ">=1.2.0-0 <1.3.0-0"),
    ("1", False, ">=1.0.0 <2.0.0-0"),
    (">1", False, ">=2.0.0"),
    (">1.2", True, ">=1.3.0-0"),
    ("<=1.2", False, "<1.3.0-0"),
    ("<1.2", False, "<1.2.0-0"),
    (">*", False, "<0.0.0-0"),
    (">=0.0.0", False, "*"),
    (">=0.0.0", True, ">=0.0.0"),
    ("=1.2.3", False, "1.2.3"),
    ("v1.2.3 || >= 2.0.0", False, "1.2.3 || >=2.0.0"),
    ("1.2.7 || >=1.2.9 <2.0.0", False, "1.2.7 || >=1.2.9 <2.0.0"),
    ("* || 1.2.3-rc.1", False, "*"),
    (">* || 1.2.3", False, "1.2.3"),
    ("^1.2.3 ^1.2.3", False, ">=1.2.3 <2.0.0-0"),
]

# Ranges npm rejects too (strict mode): not a comparator, bad numbers, half a hyphen range.
INVALID_RANGES: list[str] = [
    "latest",
    "blerg",
    "1.2.3.4",
    "01.2.3",
    "1.02",
    "1.2.3-",
    "1.2.3-01",
    "1.2.3-beta..1",
    ">=1.2.3,<2",
    "1.2.3 -",
    "- 1.2.3",
    "1.2.3 - 2.0.0 - 3",
    ">=1.2.3 - 2",
    "~1.2.3 ^",
    "1.2.3 | 2.0.0",
    "==1.2.3",
    "!=1.2.3",
    "V1.2.3",
    "=>1.2.3",
    "<>1.2.3",
    "1..2",
    "1.2.3beta",
    "^-1",
    "x.y.z",
    "1.2.3 ||| 2",
    "vv1.2.3",
]

# Ranges npm accepts through its lax `[v=\s]*` version prefix (or its unanchored `*`
# removal) and sindri refuses as probable typos; see the module docstring.
STRICTER_THAN_NPM: list[str] = [
    "~=1.2",  # PEP 440 users: npm reads it as ~1.2, PEP 440 as >=1.2,<2
    "^=1.2.3",
    "vv1.2",
    "^vv1",
    "v=1.2",
    "1.2.3*",
    "*1.2.3",
]

VALID_VERSIONS: list[tuple[str, tuple]] = [
    # tag -> (major, minor, patch, prerelease, build)
    ("0.0.0", (0, 0, 0, (), ())),
    ("1.2.3", (1, 2, 3, (), ())),
    ("v1.2.3", (1, 2, 3, (), ())),
    ("10.20.30", (10, 20, 30, (), ())),
    ("1.2.3-rc.1", (1, 2, 3, ("rc", "1"), ())),
    ("3.1.4-fedora", (3, 1, 4, ("fedora",), ())),
    ("1.0.0-alpha.beta", (1, 0, 0, ("alpha", "beta"), ())),
    ("1.0.0-0A.is.legal", (1, 0, 0, ("0A", "is", "legal"), ())),
    ("1.0.0-x-y-z.--", (1, 0, 0, ("x-y-z", "--"), ())),
    ("1.0.0+20130313144700", (1, 0, 0, (), ("20130313144700",))),
    ("1.0.0-beta+exp.sha.5114f85", (1, 0, 0, ("beta",), ("exp", "sha", "5114f85"))),
    ("1.0.0+21AF26D3----117B344092BD", (1, 0, 0, (), ("21AF26D3----117B344092BD",))),
    ("1.0.0+001", (1, 0, 0, (), ("001",))),  # build identifiers may have leading zeros
    ("9007199254740991.0.0", (2**53 - 1, 0, 0, (), ())),  # npm's largest number
    # npm trims surrounding whitespace before parsing (a tag never has any).
    (" 1.0.0", (1, 0, 0, (), ())),
    ("1.0.0 ", (1, 0, 0, (), ())),
    ("1.0.0\n", (1, 0, 0, (), ())),
]

INVALID_VERSIONS: list[str] = [
    "",
    "latest",
    "3.1",
    "v3",
    "3",
    "1.2.3.4",
    "vv1.0.0",
    "V1.0.0",
    "=1.0.0",
    "9007199254740992.0.0",  # above 2**53 - 1 (npm's MAX_SAFE_INTEGER)
    "0.0.90071992547409910",
    "1" * 254 + ".0.0",  # 258 characters: npm's MAX_LENGTH is 256
    "01.2.3",
    "1.02.3",
    "1.2.03",
    "1.2.3-01",
    "1.2.3-",
    "1.2.3+",
    "1.2.3-a..b",
    "1.2.3+a..b",
    "1.2.3-a_b",
    "1.2.3-é",
    "\u0661.\u0662.\u0663",  # Arabic-Indic digits are digits to Python, not to SemVer
    "sha256-" + "a" * 64 + ".sig",
    "1.2.3-rc.1-fedora+",
]

# SemVer 2.0.0 §11: each is lower than the next.
PRECEDENCE_CHAIN: list[str] = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1-0",
    "1.0.1",
    "1.1.0",
    "2.0.0",
    "2.1.0",
    "2.1.1",
    "10.0.0",
]

# Where npm's current node-semver (7.8.5) and Debian's 7.6 (the oracle on CI) differ, sindri
# follows the current release. Each row: (range, include_prerelease, desugared now, desugared
# by 7.6, the release note that changed it); None means npm refuses the range.
_XRANGE = "7.8.4 #874: reject numeric segments after x-ranges"
_TILDE = "7.8.5 #878: include prereleases in tilde range lower bound with includePrerelease"
_CARET = "7.8.3 #872: align caret includePrerelease lower bounds"
_BUILD = "7.7.3 #811 / 7.8.1 #869: x-range build metadata; strip it before comparator trimming"
CHANGED_SINCE_7_6: list[tuple[str, bool, str | None, str | None, str]] = [
    ("1.x.5", False, None, ">=1.0.0 <2.0.0-0", _XRANGE),
    ("1.*.5", False, None, ">=1.0.0 <2.0.0-0", _XRANGE),
    (">=1.x.5", False, None, ">=1.0.0", _XRANGE),
    ("1.x.5 || 2.x", False, None, ">=1.0.0 <2.0.0-0||>=2.0.0 <3.0.0-0", _XRANGE),
    ("x.1", False, None, "", _XRANGE),
    ("x.1.2", False, None, "", _XRANGE),
    ("x.x.1", False, None, "", _XRANGE),
    ("*.1", False, None, "", _XRANGE),
    ("<x.1", False, None, "<0.0.0-0", _XRANGE),
    ("~1", True, ">=1.0.0-0 <2.0.0-0", ">=1.0.0 <2.0.0-0", _TILDE),
    ("~1.x", True, ">=1.0.0-0 <2.0.0-0", ">=1.0.0 <2.0.0-0", _TILDE),
    ("~1.2", True, ">=1.2.0-0 <1.3.0-0", ">=1.2.0 <1.3.0-0", _TILDE),
    ("~>1.2.x", True, ">=1.2.0-0 <1.3.0-0", ">=1.2.0 <1.3.0-0", _TILDE),
    ("~0.0", True, "<0.1.0-0", ">=0.0.0 <0.1.0-0", _TILDE),
    ("^0.0.3", True, ">=0.0.3 <0.0.4-0", ">=0.0.3-0 <0.0.4-0", _CARET),
    ("^0.2.3", True, ">=0.2.3 <0.3.0-0", ">=0.2.3-0 <0.3.0-0", _CARET),
    ("1.x+build.123", False, ">=1.0.0 <2.0.0-0", None, _BUILD),
    ("^1.x+meta-data", False, ">=1.0.0 <2.0.0-0", None, _BUILD),
    (">1.x+build <=2.x.x+meta", False, ">=2.0.0 <3.0.0-0", None, _BUILD),
]

# What those changes mean for tag choice: (range, version, include_prerelease, matches now).
CHANGED_MATCHES_SINCE_7_6: list[tuple[str, str, bool, bool]] = [
    ("~1.2", "1.2.0-rc.1", True, True),
    ("~2.x", "2.0.0-pre.0", True, True),
    ("^0.2.3", "0.2.3-alpha", True, False),
    ("^0.0.3", "0.0.3-rc.1", True, False),
]
