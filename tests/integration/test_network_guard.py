"""The loopback guard (tests/support/network_guard.c) holds below Python, in subprocesses and
whatever the proxy variables say: every attempt outside loopback is refused before anything
is sent, and recorded with its address so the test that tried fails."""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import struct
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.network_guard import LIBRARY, RefusalLog, guard_loaded
from tests.support.required import REPOSITORY

OUTSIDE = "192.0.2.1"  # TEST-NET-1: documentation only, never routed
PROXIES_BYPASSED = {
    "NO_PROXY": "*",
    "no_proxy": "*",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "ALL_PROXY": "http://127.0.0.1:9",
    "all_proxy": "http://127.0.0.1:9",
}


@pytest.fixture
def proxies_bypassed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proxies set, and NO_PROXY='*' telling every client to ignore them."""
    for name, value in PROXIES_BYPASSED.items():
        monkeypatch.setenv(name, value)


def _targets(log: RefusalLog) -> list[tuple[str, str]]:
    return [(refusal.call, refusal.target) for refusal in log.take()]


def _dns_query(name: str) -> bytes:
    header = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
    labels = b"".join(bytes([len(part)]) + part.encode() for part in name.split("."))
    return header + labels + b"\x00" + struct.pack(">HH", 1, 1)


def test_the_session_runs_with_the_guard_preloaded() -> None:
    assert guard_loaded()
    preloads = os.environ["LD_PRELOAD"].replace(" ", ":").split(":")
    assert LIBRARY in {Path(entry).resolve() for entry in preloads if entry}


def test_python_connects_outside_loopback_are_refused_with_the_address(
    network_refusals: RefusalLog, proxies_bypassed: None
) -> None:
    with pytest.raises(OSError) as refused:
        urllib.request.urlopen(f"http://{OUTSIDE}/", timeout=5)
    assert "Network is unreachable" in str(refused.value)
    for address in (f"::ffff:{OUTSIDE}", "2001:db8::1"):  # IPv4-mapped; IPv6 documentation
        with socket.socket(socket.AF_INET6) as six, pytest.raises(OSError) as also:
            six.connect((address, 443))
        assert also.value.errno == errno.ENETUNREACH
    assert _targets(network_refusals) == [
        ("connect", f"{OUTSIDE}:80"),
        ("connect", f"[::ffff:{OUTSIDE}]:443"),
        ("connect", "[2001:db8::1]:443"),
    ]


@pytest.fixture
def loopback_server() -> Iterator[socket.socket]:
    """Listening on every local address: the kernel completes connects from its backlog."""
    server = socket.create_server(("::", 0), family=socket.AF_INET6, dualstack_ipv6=True, backlog=8)
    yield server
    server.close()


def test_loopback_and_unix_sockets_still_work(
    loopback_server: socket.socket, tmp_path: Path, network_refusals: RefusalLog
) -> None:
    port = loopback_server.getsockname()[1]
    for host in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        socket.create_connection((host, port), timeout=5).close()
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX) as server, socket.socket(socket.AF_UNIX) as client:
        server.bind(path)
        server.listen()
        client.connect(path)
    assert network_refusals.take() == []


def test_dns_datagrams_are_refused_even_to_a_loopback_resolver(
    network_refusals: RefusalLog,
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        for resolver in ("9.9.9.9", "127.0.0.53"):
            with pytest.raises(OSError):
                udp.sendto(_dns_query("api.example.com"), (resolver, 53))
        with pytest.raises(OSError):
            udp.sendmsg([_dns_query("other.example.com")], [], 0, (OUTSIDE, 53))
    assert _targets(network_refusals) == [
        ("sendto(dns-query=api.example.com)", "9.9.9.9:53"),
        ("sendto(dns-query=api.example.com)", "127.0.0.53:53"),
        ("sendmsg(dns-query=other.example.com)", f"{OUTSIDE}:53"),
    ]


def test_names_are_answered_from_etc_hosts_only(network_refusals: RefusalLog) -> None:
    assert str(socket.getaddrinfo("localhost", 80, socket.AF_INET)[0][4][0]).startswith("127.")
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("api.e2b.app", 443)
    assert _targets(network_refusals) == [("lookup", "api.e2b.app")]


class _Mmsghdr(ctypes.Structure):
    class _Msghdr(ctypes.Structure):
        _fields_ = [
            ("name", ctypes.c_void_p),
            ("namelen", ctypes.c_uint32),
            ("iov", ctypes.c_void_p),
            ("iovlen", ctypes.c_size_t),
            ("control", ctypes.c_void_p),
            ("controllen", ctypes.c_size_t),
            ("flags", ctypes.c_int),
        ]

    _fields_ = [("hdr", _Msghdr), ("len", ctypes.c_uint)]


def test_native_calls_to_libc_are_refused(network_refusals: RefusalLog) -> None:
    """What a C or Rust client (the e2b SDK's pyqwest) calls: libc's sendmmsg and resolver."""
    libc = ctypes.CDLL(None, use_errno=True)
    address = ctypes.create_string_buffer(
        struct.pack("<H", socket.AF_INET) + struct.pack(">H", 53) + socket.inet_aton(OUTSIDE),
        16,
    )
    payload = ctypes.create_string_buffer(_dns_query("native.example.com"))
    iovec = (ctypes.c_void_p * 2)(ctypes.cast(payload, ctypes.c_void_p), len(payload.raw))
    message = _Mmsghdr()
    message.hdr.name = ctypes.cast(address, ctypes.c_void_p)
    message.hdr.namelen = 16
    message.hdr.iov = ctypes.cast(iovec, ctypes.c_void_p)
    message.hdr.iovlen = 1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        sent = libc.sendmmsg(udp.fileno(), ctypes.byref(message), 1, 0)
    assert (sent, ctypes.get_errno()) == (-1, errno.ENETUNREACH)
    answer = ctypes.create_string_buffer(512)
    assert libc.res_query(b"native.example.org", 1, 1, answer, 512) == -1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.connect(("127.0.0.1", 9))
        unspec = ctypes.create_string_buffer(16)  # sa_family 0: connect only dissolves
        assert libc.connect(udp.fileno(), unspec, 16) == 0
        # ...but an IPv4 datagram socket sends to an AF_UNSPEC address as if it were AF_INET
        unspec = ctypes.create_string_buffer(b"\0\0" + address.raw[2:], 16)
        assert libc.sendto(udp.fileno(), b"x", 1, 0, unspec, 16) == -1
    assert _targets(network_refusals) == [
        ("sendmmsg(dns-query=native.example.com)", f"{OUTSIDE}:53"),
        ("res_query", "native.example.org"),
        ("sendto(dns-query=?)", f"{OUTSIDE}:53"),
    ]


def test_subprocesses_are_guarded_even_with_a_clean_environment(
    network_refusals: RefusalLog, proxies_bypassed: None, tmp_path: Path
) -> None:
    """git is native code (and libcurl for http): it honours the proxy variables, so with
    NO_PROXY='*' it goes direct, and is refused."""
    for url in (f"http://{OUTSIDE}/repo.git", f"git://{OUTSIDE}/repo.git"):
        result = subprocess.run(
            ["git", "ls-remote", url], capture_output=True, text=True, timeout=60, cwd=tmp_path
        )
        assert result.returncode != 0
    clean = subprocess.run(
        [sys.executable, "-c", f"import socket; socket.create_connection(('{OUTSIDE}', 443))"],
        env={},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Network is unreachable" in clean.stderr
    assert _targets(network_refusals) == [
        ("connect", f"{OUTSIDE}:80"),
        ("connect", f"{OUTSIDE}:9418"),
        ("connect", f"{OUTSIDE}:443"),
    ]


def test_a_test_that_reaches_outside_fails_naming_the_address(
    tmp_path: Path, network_refusals: RefusalLog
) -> None:
    test_file = tmp_path / "test_reaching_out.py"
    test_file.write_text(
        "import socket\n"
        "def test_reaching_out():\n"
        f"    try: socket.create_connection(('{OUTSIDE}', 8443), timeout=5)\n"
        "    except OSError: pass\n"
    )
    inner = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.support.network_guard",
            "--rootdir",
            str(tmp_path),
            str(test_file),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPOSITORY,
    )
    assert inner.returncode == 1, inner.stdout + inner.stderr
    assert f"reached beyond loopback during the test: connect {OUTSIDE}:8443" in inner.stdout
    assert _targets(network_refusals) == [("connect", f"{OUTSIDE}:8443")]
