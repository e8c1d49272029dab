"""A small client for the OCI distribution API: list tags, read a manifest digest.

What it does, and why (docs/IMAGE_MANAGEMENT.md, "Registries"):

- **Auth follows the challenge.** The first request to a registry is ``GET /v2/``; a 401
  carries ``WWW-Authenticate``. ``Bearer realm,service`` → a token for
  ``repository:<repo>:pull`` from the realm (anonymous without credentials, Basic with
  them, an OAuth2 refresh for identity tokens); ``Basic`` → the credentials directly. Tokens
  are cached per (registry, scope, credentials) for their ``expires_in``. Stale stored
  credentials that the token server rejects fall back to an anonymous token, so public images
  keep working.
- **Tags**: ``GET /v2/<repo>/tags/list?n=1000``, then every ``Link: <…>; rel="next"``
  (relative links resolve against the current URL; links to another host are refused so
  tokens stay home), at most :data:`MAX_PAGES` pages. ``"tags": null`` is an empty list.
  Order is never trusted.
- **Digest**: ``HEAD /v2/<repo>/manifests/<tag>`` with ``Accept`` for all four manifest
  types (OCI index and manifest, Docker list and v2), so a multi-platform image pins its
  index, not one platform; ``Docker-Content-Digest`` is read, and when a registry omits it the
  manifest is fetched and hashed.
- **Transport**: ``http://`` only for loopback hosts and ``SINDRI_INSECURE_REGISTRIES``
  (comma-separated ``host[:port]``), ``https://`` otherwise. Every call has a connect and a
  read timeout (``SINDRI_REGISTRY_TIMEOUT`` seconds for reads).
- **Retries** (tenacity): connection errors, timeouts, broken bodies, 408, 429 and 5xx are
  retried with exponential backoff, honouring ``Retry-After`` (seconds or HTTP date), bounded
  by :class:`RetryPolicy` in attempts and in total time. A ``Retry-After`` beyond the cap, or
  beyond the command's deadline, fails at once instead of sleeping. The final error is one
  line: registry, request (the token endpoint when that is what failed), status.
- **Bounds** (a hostile or broken registry must not exhaust memory or time): every body is
  streamed and read up to a limit suited to what it is (:data:`LIMITS`); a longer answer is
  an error naming the registry and the request, a longer error body is cut. A tag list holds at
  most :data:`MAX_TAGS` tags, a token at most :data:`MAX_TOKEN` characters (it is sent back as
  a header). All requests of one command share one deadline
  (:mod:`~sindri_core.image.deadline`), checked between reads of a body and before every try;
  each read waits at most the read timeout or what is left of the deadline, whichever is less.
  At most :data:`MAX_REDIRECTS` redirects per request.

Credentials never appear in logs, errors or ``repr``.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import ipaddress
import json
import logging
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import requests
import tenacity
import urllib3.exceptions

from sindri_core import __version__
from sindri_core.errors import RegistryError, UsageError
from sindri_core.image.credentials import Credentials, lookup_credentials
from sindri_core.image.deadline import Deadline, command_deadline
from sindri_core.image.reference import DOCKER_HUB, DOCKER_HUB_API, validate_digest
from sindri_core.image.tag_cache import MAX_TAGS  # one limit for registry and cache
from sindri_core.streamed_body import BodyExpired, BodyTooLarge, keep_body, read_streamed

__all__ = [
    "LIMITS",
    "MANIFEST_MEDIA_TYPES",
    "MAX_PAGES",
    "MAX_REDIRECTS",
    "MAX_TAGS",
    "MAX_TOKEN",
    "PAGE_SIZE",
    "Challenge",
    "RegistryClient",
    "RetryPolicy",
    "Timeouts",
    "is_plain_http",
    "parse_challenges",
    "parse_retry_after",
]

log = logging.getLogger(__name__)

MANIFEST_MEDIA_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
PAGE_SIZE = 1000
MAX_PAGES = 100
INSECURE_ENV = "SINDRI_INSECURE_REGISTRIES"
TIMEOUT_ENV = "SINDRI_REGISTRY_TIMEOUT"
MAX_TOKEN = 64 * 1024
MAX_REDIRECTS = 10
_DEFAULT_TOKEN_LIFETIME = 60  # distribution's token spec default when expires_in is absent
_TOKEN_MARGIN = 10  # renew this many seconds before expiry

T = TypeVar("T")


@attrs.frozen
class Timeouts:
    """Seconds for connecting and for each read (requests' ``(connect, read)``)."""

    connect: float = 5.0
    read: float = 30.0

    @classmethod
    def from_env(cls) -> Timeouts:
        """Defaults, with the read timeout (and at most as much for connecting) from
        ``SINDRI_REGISTRY_TIMEOUT``."""
        value = os.environ.get(TIMEOUT_ENV)
        if not value:
            return cls()
        try:
            read = float(value)
        except ValueError:
            read = 0.0
        if not read > 0:
            raise UsageError(f"{TIMEOUT_ENV}={value!r}: expected a number of seconds > 0")
        return cls(connect=min(cls().connect, read), read=read)


@attrs.frozen
class RetryPolicy:
    """Bounds on retrying one request.

    :param attempts: tries in all, the first included.
    :param total: seconds from the first try after which no new try starts.
    :param backoff: the first wait; each later wait doubles, up to ``max_wait``.
    :param retry_after_cap: a ``Retry-After`` longer than this fails at once.
    """

    attempts: int = 4
    total: float = 60.0
    backoff: float = 0.5
    max_wait: float = 8.0
    retry_after_cap: float = 30.0


@attrs.frozen
class BodyLimit:
    """How much of a response body is read, and what the body is (for the error).

    :param needed: whether the caller uses the body; one that is not is cut at the limit
        instead of failing the request.
    """

    size: int
    kind: str
    needed: bool = True

    def describe(self) -> str:
        return (
            f"{self.size // 1024 // 1024} MiB"
            if self.size >= 1024 * 1024
            else (f"{self.size // 1024} KiB")
        )


@attrs.frozen
class Limits:
    """The body limits per kind of answer. A page of 1000 tags of the longest allowed length
    is about 130 KiB; a manifest registries must accept is at most 4 MiB (distribution spec);
    a token response is a few KiB."""

    tags_page: BodyLimit = BodyLimit(4 * 1024 * 1024, "a tag-list page")
    manifest: BodyLimit = BodyLimit(4 * 1024 * 1024, "a manifest")
    token: BodyLimit = BodyLimit(1024 * 1024, "a token response")
    other: BodyLimit = BodyLimit(64 * 1024, "an answer whose body is not used", needed=False)


LIMITS = Limits()


@attrs.frozen
class Challenge:
    """One ``WWW-Authenticate`` challenge: scheme (lowercase) and parameters."""

    scheme: str
    params: dict[str, str] = attrs.field(factory=dict)


_SCHEME = re.compile(r"[\s,]*([A-Za-z][A-Za-z0-9_-]*)(?=\s|$)")
_PARAM = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)')


def parse_challenges(header: str) -> list[Challenge]:
    """All challenges of a ``WWW-Authenticate`` header (some registries send
    ``Bearer …, Basic …`` in one header)."""
    challenges = []
    position = 0
    while position < len(header):
        scheme = _SCHEME.match(header, position)
        if scheme is None:
            break
        position = scheme.end()
        params: dict[str, str] = {}
        while (param := _PARAM.match(header, position)) is not None:
            quoted, bare = param.group(2), param.group(3)
            value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
            params[param.group(1).lower()] = value
            position = param.end()
        challenges.append(Challenge(scheme.group(1).lower(), params))
    return challenges


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _hostname(host: str) -> str:
    if host.startswith("["):
        return host[1 : host.find("]")]
    return host.partition(":")[0]


def is_plain_http(host: str) -> bool:
    """Whether ``host`` (``host[:port]``) is spoken to over ``http://``: loopback
    (``localhost``, 127.0.0.0/8, ``[::1]``) or listed in ``SINDRI_INSECURE_REGISTRIES``."""
    name = _hostname(host)
    if name == "localhost":
        return True
    try:
        if ipaddress.ip_address(name).is_loopback:
            return True
    except ValueError:
        pass
    listed = {h.strip() for h in os.environ.get(INSECURE_ENV, "").split(",") if h.strip()}
    return host in listed or name in listed


class _Transient(Exception):
    """A failure worth another try; ``status`` says what happened, for the final message;
    ``request`` names the request when it is not the one being retried (the token endpoint)."""

    def __init__(
        self, status: str, retry_after: float | None = None, request: str | None = None
    ) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after
        self.request = request


def _no_netrc(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """An explicit no-op auth: keeps requests from replacing our Authorization with ~/.netrc."""
    return request


def _status_text(response: requests.Response) -> str:
    return f"{response.status_code} {response.reason or ''}".strip()


def _error_code(response: requests.Response) -> str | None:
    try:
        errors = response.json().get("errors") or []
        return str(errors[0].get("code")) if errors else None
    except (ValueError, AttributeError, IndexError, TypeError):
        return None


@attrs.frozen
class _Token:
    value: str
    expires_at: float


class _TokenCache:
    """Bearer tokens per (registry, scope, credentials), shared by the clients of a process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, str, str], _Token] = {}

    def get(self, key: tuple[str, str, str]) -> str | None:
        with self._lock:
            token = self._tokens.get(key)
            if token is None or token.expires_at <= time.monotonic():
                self._tokens.pop(key, None)
                return None
            return token.value

    def put(self, key: tuple[str, str, str], value: str, lifetime: float) -> None:
        with self._lock:
            self._tokens[key] = _Token(value, time.monotonic() + max(0.0, lifetime - _TOKEN_MARGIN))

    def drop(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            self._tokens.pop(key, None)


TOKENS = _TokenCache()

_LOOKUP = object()


class RegistryClient:
    """Talks to one registry.

    :param registry: as in an image reference: ``ghcr.io``, ``docker.io``, ``127.0.0.1:5000``.
    :param credentials: ``None`` for anonymous; by default looked up with
        :func:`~sindri_core.image.credentials.lookup_credentials` when a challenge asks.
    """

    def __init__(
        self,
        registry: str,
        *,
        credentials: Credentials | object | None = _LOOKUP,
        timeouts: Timeouts | None = None,
        policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
        tokens: _TokenCache = TOKENS,
        deadline: Deadline | None = None,
    ) -> None:
        self.registry = registry
        self.api_host = DOCKER_HUB_API if registry == DOCKER_HUB else registry
        self.base_url = f"{'http' if is_plain_http(self.api_host) else 'https'}://{self.api_host}"
        self.timeouts = timeouts or Timeouts.from_env()
        self.policy = policy or RetryPolicy()
        self._credentials = credentials
        self.deadline = deadline or command_deadline()
        self._session = session or requests.Session()
        self._session.headers["User-Agent"] = f"sindri/{__version__}"
        self._session.max_redirects = MAX_REDIRECTS
        self._tokens = tokens
        self._challenges: list[Challenge] | None = None

    def __repr__(self) -> str:
        return f"RegistryClient({self.registry!r})"

    # -- public API ----------------------------------------------------------------------------

    def list_tags(self, repository: str) -> list[str]:
        """Every tag of ``repository``, following pagination; duplicates removed, order as
        served (callers sort).

        :raises RegistryError: the registry cannot answer, the repository does not exist,
            access is denied, or pagination exceeds :data:`MAX_PAGES`.
        """
        self._ensure_challenges()
        url: str | None = f"{self.base_url}/v2/{repository}/tags/list?n={PAGE_SIZE}"
        tags: list[str] = []
        visited: set[str] = set()
        while url is not None:
            if len(visited) >= MAX_PAGES:
                raise RegistryError(
                    f"registry {self.registry}: the tag list of {repository} has more than "
                    f"{MAX_PAGES} pages; stopped"
                )
            if url in visited:
                raise RegistryError(
                    f"registry {self.registry}: the tag list of {repository} links back to a "
                    "page already read; stopped"
                )
            visited.add(url)
            page_url = url
            page, url = self._retrying(
                f"GET {self._path(page_url)}",
                lambda: self._tags_page(page_url, repository),  # noqa: B023 - called at once
            )
            tags.extend(page)
            if len(tags) > MAX_TAGS:
                raise RegistryError(
                    f"registry {self.registry}: the tag list of {repository} has more than "
                    f"{MAX_TAGS} tags; stopped"
                )
        return list(dict.fromkeys(tags))

    def manifest_digest(self, repository: str, reference: str) -> str:
        """The digest of the manifest ``reference`` (a tag) names: the index digest for a
        multi-platform image.

        :raises RegistryError: no such tag or repository, access denied, unreachable.
        """
        self._ensure_challenges()
        url = f"{self.base_url}/v2/{repository}/manifests/{reference}"
        return self._retrying(
            f"HEAD {self._path(url)}", lambda: self._digest(url, repository, reference)
        )

    # -- one attempt ---------------------------------------------------------------------------

    def _tags_page(self, url: str, repository: str) -> tuple[list[str], str | None]:
        response = self._send("GET", url, repository, limit=LIMITS.tags_page)
        self._raise_for_status(response, "GET", url, repository)
        try:
            document = json.loads(response.content)
            tags = document.get("tags") if isinstance(document, dict) else None
        except ValueError:
            raise _Transient("the tag list is not valid JSON") from None
        if tags is not None and not isinstance(tags, list):
            raise RegistryError(
                f"registry {self.registry}: GET {self._path(url)} returned 'tags' that is "
                "not a list"
            )
        return [t for t in tags or [] if isinstance(t, str) and t], self._next_link(response, url)

    def _next_link(self, response: requests.Response, url: str) -> str | None:
        link = response.links.get("next", {}).get("url")
        if not link:
            return None
        target = urllib.parse.urljoin(url, link)
        here, there = urllib.parse.urlsplit(url), urllib.parse.urlsplit(target)
        if (here.scheme, here.netloc) != (there.scheme, there.netloc):
            raise RegistryError(
                f"registry {self.registry}: the next page of the tag list is on another "
                f"host ({there.netloc}); refused"
            )
        return target

    def _digest(self, url: str, repository: str, reference: str) -> str:
        headers = {"Accept": ", ".join(MANIFEST_MEDIA_TYPES)}
        response = self._send("HEAD", url, repository, headers)
        if response.status_code == 404:
            raise RegistryError(
                f"registry {self.registry}: HEAD {self._path(url)} failed: 404 Not Found "
                f"(no manifest {reference!r} in {repository})"
            )
        self._raise_for_status(response, "HEAD", url, repository)
        digest = response.headers.get("Docker-Content-Digest")
        if not digest:
            # Some registries omit the header on HEAD; the digest is the hash of the body.
            response = self._send("GET", url, repository, headers, limit=LIMITS.manifest)
            self._raise_for_status(response, "GET", url, repository)
            digest = "sha256:" + hashlib.sha256(response.content).hexdigest()
        problem = validate_digest(digest)
        if problem:
            raise RegistryError(
                f"registry {self.registry}: HEAD {self._path(url)} returned an invalid "
                f"digest: {problem}"
            )
        return digest

    def _send(
        self,
        method: str,
        url: str,
        repository: str,
        headers: dict[str, str] | None = None,
        *,
        limit: BodyLimit = LIMITS.other,
    ) -> requests.Response:
        """One request with authorization; re-authorizes once on a fresh 401 challenge."""
        headers = dict(headers or {})
        scope = f"repository:{repository}:pull"
        authorization = self._authorization(scope)
        if authorization:
            headers["Authorization"] = authorization
        response = self._http(method, url, headers, limit=limit)
        if response.status_code == 401:
            challenges = parse_challenges(response.headers.get("WWW-Authenticate", ""))
            bearer = next((c for c in challenges if c.scheme == "bearer"), None)
            if bearer is not None and "realm" in bearer.params:
                # The token expired, or the registry wants another scope than we guessed.
                self._challenges = challenges
                self._tokens.drop(self._token_key(scope))
                fresh = self._bearer_token(bearer, bearer.params.get("scope") or scope)
                headers["Authorization"] = f"Bearer {fresh}"
                response = self._http(method, url, headers, limit=limit)
        return response

    def _http(
        self,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        *,
        limit: BodyLimit = LIMITS.other,
        request: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One HTTP exchange, its body read within ``limit`` and the deadline.

        :param request: how errors name the request (default ``METHOD /path``).
        """
        request = request or f"{method} {self._path(url)}"
        remaining = self.deadline.remaining()
        if remaining <= 0:
            raise self._expired(request)
        read = min(self.timeouts.read, remaining)
        try:
            response = self._session.request(
                method,
                url,
                headers=headers,
                timeout=(min(self.timeouts.connect, remaining), read),
                auth=_no_netrc,
                stream=True,
                # requests reads each redirect's body whole before following it: bound it.
                hooks={"response": lambda hop, *_, **__: self._bound_redirect(hop, request)},
                **kwargs,
            )
            try:
                self._read_body(response, limit, request)
            finally:
                response.close()
        except requests.exceptions.SSLError:
            raise RegistryError(
                f"registry {self.registry}: {request} failed: TLS handshake failed",
                hint=f"for a plain-HTTP registry add it to {INSECURE_ENV}",
            ) from None
        except requests.exceptions.ConnectTimeout:
            raise _Transient(f"no connection within {self.timeouts.connect:g}s") from None
        except (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError):
            raise _Transient(f"no answer within {read:g}s") from None
        except (
            requests.exceptions.ChunkedEncodingError,
            urllib3.exceptions.ProtocolError,
            urllib3.exceptions.DecodeError,
        ):
            raise _Transient("the connection broke during the response") from None
        except requests.exceptions.TooManyRedirects:
            raise RegistryError(
                f"registry {self.registry}: {request} failed: more than {MAX_REDIRECTS} "
                "redirects; stopped"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            raise _Transient(_connection_failure(exc)) from None
        except requests.exceptions.RequestException as exc:  # an invalid redirect target, ...
            raise RegistryError(
                f"registry {self.registry}: {request} failed: {type(exc).__name__}"
            ) from None
        log.debug("%s %s -> %s", method, url, response.status_code)
        return response

    def _read_body(self, response: requests.Response, limit: BodyLimit, request: str) -> None:
        """Read the body in chunks as they arrive, within ``limit`` and the deadline
        (``streamed_body.py``): a registry that trickles bytes is noticed at the deadline."""
        wanted = limit.needed and response.ok
        size = limit.size if wanted else min(limit.size, LIMITS.other.size)
        declared = response.headers.get("Content-Length", "")
        if wanted and declared.isdigit() and int(declared) > size:
            raise self._too_large(request, limit)
        try:
            data = read_streamed(response, size, self.deadline)
        except BodyExpired:
            raise self._expired(request) from None
        except BodyTooLarge as exc:
            if wanted:
                raise self._too_large(request, limit) from None
            # A body nobody reads whole is cut; its unread rest makes the connection
            # unusable for another request.
            response.raw.close()
            data = exc.prefix
        keep_body(response, data)

    def _bound_redirect(self, response: requests.Response, request: str) -> None:
        if response.is_redirect:
            self._read_body(response, LIMITS.other, request)

    def _too_large(self, request: str, limit: BodyLimit) -> RegistryError:
        return RegistryError(
            f"registry {self.registry}: {request} failed: the answer is larger than "
            f"{limit.describe()}, the limit for {limit.kind}; stopped"
        )

    def _expired(self, request: str) -> RegistryError:
        return RegistryError(
            f"registry {self.registry}: {request} failed: no complete answer within "
            f"{self.deadline.describe()}"
        )

    def _raise_for_status(
        self, response: requests.Response, method: str, url: str, repository: str
    ) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        if status in (408, 429) or status >= 500:
            raise _Transient(
                _status_text(response), parse_retry_after(response.headers.get("Retry-After"))
            )
        where = f"registry {self.registry}: {method} {self._path(url)} failed: "
        code = _error_code(response) if method != "HEAD" else None
        if status == 401:
            raise RegistryError(where + _status_text(response), hint=self._auth_hint())
        if status == 403:
            raise RegistryError(
                where + f"{_status_text(response)} (access to {repository} denied)",
                hint=self._auth_hint(),
            )
        if status == 404 and code == "NAME_UNKNOWN":
            raise RegistryError(where + f"404 Not Found (repository {repository} not found)")
        raise RegistryError(where + _status_text(response) + (f" ({code})" if code else ""))

    def _auth_hint(self) -> str:
        credentials = self._resolved_credentials()
        if credentials is None:
            login = "docker login " + self.registry
            extra = " or set GITHUB_TOKEN" if self.registry == "ghcr.io" else ""
            return f"no credentials found; run `{login}`{extra}"
        return f"the credentials from {credentials.source} were not accepted"

    # -- retries -------------------------------------------------------------------------------

    def _retrying(self, request: str, attempt: Callable[[], T]) -> T:
        policy = self.policy
        started = time.monotonic()
        cut_short: list[bool] = []

        def delay(state: tenacity.RetryCallState) -> float:
            failure = state.outcome.exception() if state.outcome else None
            if isinstance(failure, _Transient) and failure.retry_after is not None:
                return failure.retry_after
            return min(policy.max_wait, policy.backoff * 2 ** (state.attempt_number - 1))

        def stop(state: tenacity.RetryCallState) -> bool:
            failure = state.outcome.exception() if state.outcome else None
            if (
                isinstance(failure, _Transient)
                and (failure.retry_after or 0) > policy.retry_after_cap
            ):
                return True  # a wait that long is not worth it
            # No try starts after the policy's budget, nor one the deadline would cut short.
            if delay(state) >= self.deadline.remaining():
                cut_short.append(True)
                return True
            return (
                state.attempt_number >= policy.attempts
                or time.monotonic() + delay(state) >= started + policy.total
            )

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_Transient), wait=delay, stop=stop, reraise=True
        )
        try:
            return retrying(attempt)
        except _Transient as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            detail = exc.status
            if exc.retry_after is not None and exc.retry_after > policy.retry_after_cap:
                detail += f" (retry after {exc.retry_after:.0f}s)"
            elif cut_short:
                detail += f" (stopped by {self.deadline.describe()})"
            raise RegistryError(
                f"registry {self.registry}: {exc.request or request} failed: {detail}"
                + (f" (after {attempts} attempts)" if attempts > 1 else "")
            ) from None

    # -- authorization -------------------------------------------------------------------------

    def _resolved_credentials(self) -> Credentials | None:
        if self._credentials is _LOOKUP:
            self._credentials = lookup_credentials(self.registry)
        return self._credentials  # type: ignore[return-value]

    def _token_key(self, scope: str) -> tuple[str, str, str]:
        credentials = self._resolved_credentials()
        identity = ""
        if credentials is not None:
            identity = hashlib.sha256(
                f"{credentials.username}\0{credentials.password}".encode()
            ).hexdigest()
        return (self.registry, scope, identity)

    def _ensure_challenges(self) -> None:
        """Ask ``GET /v2/`` once per client how the registry wants to be authorized."""
        if self._challenges is None:
            self._challenges = self._retrying("GET /v2/", self._ping)

    def _authorization(self, scope: str) -> str | None:
        bearer = next((c for c in self._challenges or () if c.scheme == "bearer"), None)
        if bearer is not None and "realm" in bearer.params:
            return f"Bearer {self._bearer_token(bearer, scope)}"
        if any(c.scheme == "basic" for c in self._challenges or ()):
            credentials = self._resolved_credentials()
            if credentials is not None and not credentials.identity_token:
                return _basic(credentials)
        return None

    def _ping(self) -> list[Challenge]:
        response = self._http("GET", f"{self.base_url}/v2/")
        if response.status_code == 401:
            return parse_challenges(response.headers.get("WWW-Authenticate", ""))
        if response.status_code in (408, 429) or response.status_code >= 500:
            self._raise_for_status(response, "GET", f"{self.base_url}/v2/", "")
        # 200: open registry. Anything else: try the real request and report its answer.
        return []

    def _bearer_token(self, challenge: Challenge, scope: str) -> str:
        key = self._token_key(scope)
        cached = self._tokens.get(key)
        if cached is not None:
            return cached
        realm = self._checked_realm(challenge.params["realm"])
        params = {"scope": scope}
        if challenge.params.get("service"):
            params["service"] = challenge.params["service"]
        request = f"token request to {_origin(realm)}"
        try:
            response = self._fetch_token(realm, params, request)
            if response.status_code != 200:
                if response.status_code in (408, 429) or response.status_code >= 500:
                    raise _Transient(
                        _status_text(response),
                        parse_retry_after(response.headers.get("Retry-After")),
                    )
                raise RegistryError(
                    f"registry {self.registry}: {request} failed: {_status_text(response)}",
                    hint=self._auth_hint(),
                )
            try:
                document = response.json()
                token = document.get("token") or document.get("access_token")
                lifetime = float(document.get("expires_in") or _DEFAULT_TOKEN_LIFETIME)
            except (ValueError, AttributeError, TypeError):
                raise _Transient("the token response is not valid JSON") from None
        except _Transient as exc:  # retried with the request it serves, named as itself
            raise _Transient(exc.status, exc.retry_after, request) from None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"registry {self.registry}: {request} returned no token")
        if len(token) > MAX_TOKEN:
            raise RegistryError(
                f"registry {self.registry}: {request} returned a token longer than "
                f"{MAX_TOKEN // 1024} KiB; refused"
            )
        self._tokens.put(key, token, lifetime)
        return token

    def _fetch_token(self, realm: str, params: dict[str, str], request: str) -> requests.Response:
        credentials = self._resolved_credentials()
        response = self._token_request(realm, params, credentials, request)
        if response.status_code in (401, 403) and credentials is not None:
            # Stale stored credentials: an anonymous token still reads public images.
            log.debug("token request with credentials refused; trying anonymously")
            response = self._token_request(realm, params, None, request)
        return response

    def _token_request(
        self,
        realm: str,
        params: dict[str, str],
        credentials: Credentials | None,
        request: str,
    ) -> requests.Response:
        if credentials is not None and credentials.identity_token:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": credentials.password,
                "client_id": "sindri",
                **params,
            }
            response = self._http("POST", realm, data=form, limit=LIMITS.token, request=request)
            if response.status_code not in (404, 405):
                return response
            # Not every token server speaks OAuth2; the refresh token cannot be used as a
            # password, so fall back to anonymous.
            credentials = None
        headers = {}
        if credentials is not None:
            headers["Authorization"] = _basic(credentials)
        return self._http("GET", realm, headers, params=params, limit=LIMITS.token, request=request)

    def _checked_realm(self, realm: str) -> str:
        """Only https realms, or http ones on hosts we would speak http to anyway: a
        challenge must not steer credentials to a plain-text endpoint."""
        parts = urllib.parse.urlsplit(realm)
        if parts.scheme == "https" or (parts.scheme == "http" and is_plain_http(parts.netloc)):
            return realm
        raise RegistryError(
            f"registry {self.registry}: refusing token realm {_origin(realm)} "
            "(only https, or http on loopback/insecure hosts)"
        )

    def _path(self, url: str) -> str:
        return urllib.parse.urlsplit(url).path or url


def _connection_failure(exc: requests.exceptions.ConnectionError) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "reset" in text or "aborted" in text:
        return "connection reset"
    if "name or service not known" in text or "resolve" in text:
        return "host name not found"
    return "connection failed"


def _basic(credentials: Credentials) -> str:
    pair = f"{credentials.username}:{credentials.password}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
