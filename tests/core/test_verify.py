"""Cosign verification (docs/IMAGE_MANAGEMENT.md): real cosign against a real loopback registry.

Images are signed with a freshly generated key and ``--tlog-upload=false``; verification then
needs ``SINDRI_COSIGN_IGNORE_TLOG=1`` (docs/adr/0003-cosign-offline.md). Keyless mode needs
Fulcio and Rekor, which are not reachable here, so only its argv is checked, with a fake cosign.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import attrs
import pytest

from sindri_core import hookimpl
from sindri_core.config.model import ImageConfig
from sindri_core.errors import ConfigError, UsageError, VerificationError
from sindri_core.image.resolution import ImageResolution, ImageSource
from sindri_core.image.verify import (
    DEFAULT_IDENTITY,
    DEFAULT_ISSUER,
    IGNORE_TLOG_ENV,
    verify_reference,
    verify_resolution,
    verify_with_config,
)
from sindri_core.lifecycle import DeployResult, Plan
from sindri_core.provider import BuildLocation, Capabilities, PrerequisiteReport, ProviderInfo
from sindri_core.runner import CommandResult, CommandRunner

COSIGN_PASSWORD = "cosign-Secr3t-pass"
FAKE_DIGEST = "sha256:" + "ab" * 32
SLSA_V1_PREDICATE = {
    "buildDefinition": {
        "buildType": "https://actions.github.io/buildtypes/workflow/v1",
        "externalParameters": {"workflow": {"repository": "https://github.com/pacphi/sindri"}},
        "resolvedDependencies": [{"uri": "git+https://github.com/pacphi/sindri@refs/heads/main"}],
    },
    "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}},
}


@pytest.fixture(autouse=True)
def cosign_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """cosign keeps its TUF cache under $HOME unless told otherwise."""
    monkeypatch.setenv("TUF_ROOT", str(tmp_path_factory.mktemp("tuf")))
    monkeypatch.delenv(IGNORE_TLOG_ENV, raising=False)
    monkeypatch.delenv("COSIGN_PASSWORD", raising=False)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Key-signed test images have no transparency-log entry."""
    monkeypatch.setenv(IGNORE_TLOG_ENV, "1")


class RecordingRunner(CommandRunner):
    """The real runner, remembering every call and the mode of the key file while it ran."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[CommandResult] = []
        self.key_modes: list[int] = []

    def run(self, argv, **kwargs):  # type: ignore[no-untyped-def,override]
        argv = [str(a) for a in argv]
        if "--key" in argv:
            self.key_modes.append(stat.S_IMODE(Path(argv[argv.index("--key") + 1]).stat().st_mode))
        result = super().run(argv, **kwargs)
        self.results.append(result)
        return result

    @property
    def argvs(self) -> list[list[str]]:
        return [list(r.argv) for r in self.results]


@attrs.frozen
class KeyPair:
    key: Path
    pub: Path


def _cosign(*args: str, cwd: Path | None = None) -> None:
    result = CommandRunner(env={"COSIGN_PASSWORD": COSIGN_PASSWORD}).run(
        ["cosign", *args], cwd=cwd, check=False
    )
    assert result.ok, result.stderr


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    directory = tmp_path_factory.mktemp("cosign-keys")
    _cosign("generate-key-pair", cwd=directory)
    return KeyPair(directory / "cosign.key", directory / "cosign.pub")


@pytest.fixture(scope="module")
def other_keys(tmp_path_factory: pytest.TempPathFactory) -> KeyPair:
    directory = tmp_path_factory.mktemp("cosign-other-keys")
    _cosign("generate-key-pair", cwd=directory)
    return KeyPair(directory / "cosign.key", directory / "cosign.pub")


def sign(reference: str, keys: KeyPair) -> None:
    _cosign(
        "sign",
        "--yes",
        "--key",
        str(keys.key),
        "--tlog-upload=false",
        "--allow-http-registry",
        reference,
    )


def attest(
    reference: str,
    keys: KeyPair,
    predicate: dict[str, Any],
    tmp_path: Path,
    predicate_type: str = "slsaprovenance1",
) -> None:
    path = tmp_path / f"predicate-{predicate_type}.json"
    path.write_text(json.dumps(predicate))
    _cosign(
        "attest",
        "--yes",
        "--key",
        str(keys.key),
        "--type",
        predicate_type,
        "--predicate",
        str(path),
        "--tlog-upload=false",
        "--allow-http-registry",
        reference,
    )


@pytest.fixture
def signed(registry, keys):
    """A pushed image tagged 1.0.0, signed by ``keys``: (repo, digest)."""
    repo = registry.unique_repo("verify")
    digest = registry.push_image(repo, ["1.0.0"], variant=repo)
    sign(registry.reference(repo, digest=digest), keys)
    return repo, digest


def verify_with_key(ref: str, key: str | Path, *, runner: CommandRunner | None = None, **options):
    """Key-mode verification of ``ref`` (``key``: a path or PEM text)."""
    return verify_reference(ref, public_key=str(key), runner=runner or CommandRunner(), **options)


def cosign_calls(runner: RecordingRunner) -> list[list[str]]:
    return [argv for argv in runner.argvs if Path(argv[0]).name == "cosign"]


# -- key mode against the real registry ----------------------------------------------------------


def test_key_mode_verifies_the_signed_digest(registry, keys, signed, offline):
    repo, digest = signed
    runner = RecordingRunner()
    report = verify_with_key(registry.reference(repo, digest=digest), keys.pub, runner=runner)
    assert report.digest == digest and report.mode == "key"
    assert report.transparency_log is False and report.provenance is None
    assert [s.digest for s in report.signatures] == [digest]
    assert report.signatures[0].identity == f"{registry.host}/{repo}"
    (argv,) = cosign_calls(runner)
    assert argv[1:] == [
        "verify",
        "--key",
        str(keys.pub),
        "--insecure-ignore-tlog",
        "--allow-http-registry",
        "--output",
        "json",
        f"{registry.host}/{repo}@{digest}",
    ]


def test_a_tag_is_verified_by_the_digest_the_registry_reports(registry, keys, signed, offline):
    repo, digest = signed
    runner = RecordingRunner()
    report = verify_with_key(registry.reference(repo, "1.0.0"), keys.pub, runner=runner)
    assert report.digest == digest
    assert report.reference == f"{registry.host}/{repo}:1.0.0@{digest}"
    (argv,) = cosign_calls(runner)
    assert argv[-1] == f"{registry.host}/{repo}@{digest}"


def test_wrong_key_fails_closed(registry, other_keys, signed, offline):
    repo, digest = signed
    with pytest.raises(VerificationError) as caught:
        verify_with_key(registry.reference(repo, digest=digest), other_keys.pub)
    message = str(caught.value)
    assert "signature verification failed" in message and digest in message
    assert "invalid signature" in message
    assert "check deployment.image_config.public_key" in message
    assert "verify_signature: false" in message and "--skip-image-verification" in message
    assert "\n" not in message and caught.value.exit_code == 1


def test_unsigned_image_fails_closed(registry, keys, offline):
    repo = registry.unique_repo("verify")
    digest = registry.push_image(repo, ["1.0.0"], variant=repo)
    with pytest.raises(VerificationError, match="no signatures found"):
        verify_with_key(registry.reference(repo, digest=digest), keys.pub)


def _pinned(registry, repo: str, digest: str) -> ImageResolution:
    return ImageResolution(
        reference=registry.reference(repo, "1.0.0", digest),
        source=ImageSource.VERSION,
        reason="test",
        tag="1.0.0",
        digest=digest,
        constraint="^1",
    )


def test_a_repointed_tag_does_not_change_what_is_verified(registry, keys, offline):
    repo = registry.unique_repo("verify")
    config = ImageConfig(
        registry=f"{registry.host}/{repo}", verify_signature=True, public_key=str(keys.pub)
    )
    signed_digest = registry.push_image(repo, ["1.0.0"], variant=repo + "-signed")
    sign(registry.reference(repo, digest=signed_digest), keys)
    resolved_signed = _pinned(registry, repo, signed_digest)

    # After resolution the tag moves to an unsigned image: the pinned digest still verifies
    # (and is what gets deployed); the tag itself no longer does.
    unsigned_digest = registry.push_image(repo, ["1.0.0"], variant=repo + "-unsigned")
    assert registry.digest_of(repo, "1.0.0") == unsigned_digest
    report = verify_resolution(resolved_signed, config, runner=CommandRunner())
    assert report.digest == signed_digest
    with pytest.raises(VerificationError, match="no signatures found"):
        verify_with_key(registry.reference(repo, "1.0.0"), keys.pub)

    # The other way round: resolved to the unsigned image, then the tag moves back to the
    # signed one. Verification must still reject what was resolved.
    resolved_unsigned = _pinned(registry, repo, unsigned_digest)
    registry.tag(repo, signed_digest, ["1.0.0"])
    assert registry.digest_of(repo, "1.0.0") == signed_digest
    with pytest.raises(VerificationError, match=unsigned_digest):
        verify_resolution(resolved_unsigned, config, runner=CommandRunner())


def test_inline_pem_key_goes_to_a_private_temp_file_that_is_removed(
    registry, keys, signed, offline
):
    repo, digest = signed
    runner = RecordingRunner()
    report = verify_with_key(
        registry.reference(repo, digest=digest), keys.pub.read_text(), runner=runner
    )
    assert report.signatures[0].digest == digest
    (argv,) = cosign_calls(runner)
    key_file = Path(argv[argv.index("--key") + 1])
    assert key_file != keys.pub and not key_file.exists()
    assert runner.key_modes == [0o600]


def test_relative_key_path_is_read_from_the_project_directory(
    registry, keys, signed, offline, tmp_path
):
    repo, digest = signed
    project = tmp_path / "project"
    (project / "keys").mkdir(parents=True)
    shutil.copy(keys.pub, project / "keys" / "signer.pub")
    report = verify_with_key(
        registry.reference(repo, digest=digest), "keys/signer.pub", base_dir=project
    )
    assert report.digest == digest
    with pytest.raises(ConfigError, match=r"deployment\.image_config\.public_key") as caught:
        verify_with_key(
            registry.reference(repo, digest=digest), "keys/missing.pub", base_dir=project
        )
    assert caught.value.exit_code == 2


def test_without_the_opt_in_the_transparency_log_is_required(registry, keys, signed):
    repo, digest = signed
    runner = RecordingRunner()
    with pytest.raises(VerificationError) as caught:
        verify_with_key(registry.reference(repo, digest=digest), keys.pub, runner=runner)
    assert IGNORE_TLOG_ENV + "=1" in str(caught.value)
    assert all("--insecure-ignore-tlog" not in argv for argv in runner.argvs)


def test_an_unknown_opt_in_value_is_a_usage_error(registry, keys, signed, monkeypatch):
    repo, digest = signed
    monkeypatch.setenv(IGNORE_TLOG_ENV, "maybe")
    with pytest.raises(ConfigError, match=IGNORE_TLOG_ENV) as caught:
        verify_with_key(registry.reference(repo, digest=digest), keys.pub)
    assert caught.value.exit_code == 2


def test_cosign_missing_fails_closed_and_says_how_to_fix_it(monkeypatch, tmp_path, keys):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(VerificationError) as caught:
        verify_reference(
            f"127.0.0.1:5000/x/y@{FAKE_DIGEST}",
            public_key=str(keys.pub),
            provenance=True,
            runner=CommandRunner(),
        )
    message = str(caught.value)
    assert message.startswith("cosign is not installed") and caught.value.exit_code == 1
    assert "install cosign from https://docs.sigstore.dev/" in message
    assert "verify_signature: false and deployment.image_config.verify_provenance: false" in (
        message
    )
    assert "--skip-image-verification" in message


# -- provenance ----------------------------------------------------------------------------------


def test_slsa_v1_provenance_verifies(registry, keys, signed, offline, tmp_path):
    repo, digest = signed
    attest(registry.reference(repo, digest=digest), keys, SLSA_V1_PREDICATE, tmp_path)
    runner = RecordingRunner()
    report = verify_with_key(
        registry.reference(repo, digest=digest), keys.pub, provenance=True, runner=runner
    )
    assert report.signatures is not None
    assert report.provenance.predicate_type == "https://slsa.dev/provenance/v1"
    assert report.provenance.builder_id == "https://github.com/actions/runner/github-hosted"
    assert report.provenance.build_type == "https://actions.github.io/buildtypes/workflow/v1"
    assert report.provenance.source == "git+https://github.com/pacphi/sindri@refs/heads/main"
    commands = [argv[1:4] for argv in cosign_calls(runner)]
    assert commands == [
        ["verify", "--key", str(keys.pub)],
        ["verify-attestation", "--type", "slsaprovenance1"],
    ]


def test_slsa_v02_provenance_is_accepted_after_v1_is_not_found(
    registry, keys, signed, offline, tmp_path
):
    repo, digest = signed
    predicate = {
        "builder": {"id": "https://github.com/slsa-framework/slsa-github-generator"},
        "buildType": "https://github.com/slsa-framework/slsa-github-generator/container@v1",
        "invocation": {"configSource": {"uri": "git+https://github.com/pacphi/sindri@v3"}},
    }
    attest(registry.reference(repo, digest=digest), keys, predicate, tmp_path, "slsaprovenance02")
    runner = RecordingRunner()
    report = verify_with_key(
        registry.reference(repo, digest=digest),
        keys.pub,
        signature=False,
        provenance=True,
        runner=runner,
    )
    assert report.signatures is None
    assert report.provenance.predicate_type == "https://slsa.dev/provenance/v0.2"
    assert report.provenance.builder_id == predicate["builder"]["id"]
    assert report.provenance.source == "git+https://github.com/pacphi/sindri@v3"
    types = [argv[3] for argv in cosign_calls(runner)]
    assert types == ["slsaprovenance1", "slsaprovenance02"]


def test_missing_attestation_fails_closed(registry, keys, signed, offline):
    repo, digest = signed
    with pytest.raises(VerificationError) as caught:
        verify_with_key(registry.reference(repo, digest=digest), keys.pub, provenance=True)
    message = str(caught.value)
    assert message.startswith("provenance verification failed") and digest in message
    assert "verify_provenance: false" in message


def test_attestation_signed_by_another_key_fails_closed(
    registry, keys, other_keys, signed, offline, tmp_path
):
    repo, digest = signed
    attest(registry.reference(repo, digest=digest), other_keys, SLSA_V1_PREDICATE, tmp_path)
    with pytest.raises(VerificationError, match="provenance verification failed"):
        verify_with_key(
            registry.reference(repo, digest=digest), keys.pub, signature=False, provenance=True
        )


# -- keyless mode and cosign's output formats (fake cosign: keyless needs Fulcio/Rekor) ----------


def _keyless_signature(digest: str, issuer: str, subject: str) -> dict[str, Any]:
    return {
        "critical": {
            "identity": {"docker-reference": "ghcr.io/pacphi/sindri"},
            "image": {"docker-manifest-digest": digest},
            "type": "cosign container image signature",
        },
        "optional": {"Issuer": issuer, "Subject": subject},
    }


def _envelope(statement: dict[str, Any]) -> dict[str, Any]:
    payload = base64.b64encode(json.dumps(statement).encode()).decode()
    return {"payloadType": "application/vnd.in-toto+json", "payload": payload, "signatures": []}


def test_keyless_mode_passes_identity_and_issuer(fake_tools, monkeypatch):
    monkeypatch.setenv(IGNORE_TLOG_ENV, "1")  # key mode only: keyless always checks the log
    subject = "https://github.com/pacphi/sindri/.github/workflows/release.yml@refs/tags/v3.1.0"
    fake_tools["cosign"].on(
        "verify", json=[_keyless_signature(FAKE_DIGEST, DEFAULT_ISSUER, subject)]
    )
    report = verify_reference(f"ghcr.io/pacphi/sindri:3.1.0@{FAKE_DIGEST}", runner=CommandRunner())
    assert report.mode == "keyless" and report.transparency_log is True
    assert report.signatures[0].issuer == DEFAULT_ISSUER
    assert report.signatures[0].subject == subject
    assert fake_tools.argvs() == [
        [
            "cosign",
            "verify",
            "--certificate-identity-regexp",
            DEFAULT_IDENTITY,
            "--certificate-oidc-issuer",
            DEFAULT_ISSUER,
            "--output",
            "json",
            f"ghcr.io/pacphi/sindri@{FAKE_DIGEST}",
        ]
    ]


def test_keyless_identity_and_issuer_come_from_image_config(fake_tools):
    identity = r"^https://github\.com/acme/images/"
    issuer = "https://gitlab.example.com"
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "predicateType": "https://slsa.dev/provenance/v1",
        "subject": [{"name": "ghcr.io/acme/dev", "digest": {"sha256": FAKE_DIGEST[7:]}}],
        "predicate": SLSA_V1_PREDICATE,
    }
    cosign = fake_tools["cosign"]
    cosign.on("verify", json=[_keyless_signature(FAKE_DIGEST, issuer, "acme")])
    cosign.on("verify-attestation", stdout=json.dumps(_envelope(statement)) + "\n")
    config = ImageConfig(
        registry="ghcr.io/acme/dev",
        digest=FAKE_DIGEST,
        verify_signature=True,
        verify_provenance=True,
        certificate_identity=identity,
        certificate_oidc_issuer=issuer,
    )
    resolution = ImageResolution(
        reference=f"ghcr.io/acme/dev@{FAKE_DIGEST}",
        source=ImageSource.DIGEST,
        reason="test",
        digest=FAKE_DIGEST,
    )
    report = verify_resolution(resolution, config, runner=CommandRunner())
    assert report.provenance.builder_id == "https://github.com/actions/runner/github-hosted"
    for argv in fake_tools.argvs():
        assert argv[argv.index("--certificate-identity-regexp") + 1] == identity
        assert argv[argv.index("--certificate-oidc-issuer") + 1] == issuer
        assert "--allow-http-registry" not in argv
    assert [argv[1] for argv in fake_tools.argvs()] == ["verify", "verify-attestation"]


def test_cosign_output_as_object_lines_with_noise_and_either_key_case(fake_tools):
    entry = _keyless_signature(FAKE_DIGEST, DEFAULT_ISSUER, "someone")
    entry = {"Critical": entry["critical"], "Optional": {"issuer": "i", "subject": "s"}}
    other = _keyless_signature("sha256:" + "cd" * 32, "x", "y")
    fake_tools["cosign"].on(
        "verify", stdout=f"Verification for ...\n{json.dumps(entry)}\n{json.dumps([other])}\n"
    )
    report = verify_reference(f"ghcr.io/pacphi/sindri@{FAKE_DIGEST}", runner=CommandRunner())
    assert [(s.digest, s.issuer, s.subject) for s in report.signatures] == [(FAKE_DIGEST, "i", "s")]


@pytest.mark.parametrize(
    "stdout",
    ["", "not json\n", json.dumps([_keyless_signature("sha256:" + "cd" * 32, "i", "s")])],
    ids=["empty", "garbage", "other-digest"],
)
def test_success_without_a_signature_for_the_digest_fails_closed(fake_tools, stdout):
    fake_tools["cosign"].on("verify", stdout=stdout)
    with pytest.raises(VerificationError, match="listed no signature for"):
        verify_reference(f"ghcr.io/pacphi/sindri@{FAKE_DIGEST}", runner=CommandRunner())


def test_attestation_for_another_subject_fails_closed(fake_tools):
    statement = {
        "predicateType": "https://slsa.dev/provenance/v1",
        "subject": [{"name": "x", "digest": {"sha256": "cd" * 32}}],
        "predicate": SLSA_V1_PREDICATE,
    }
    fake_tools["cosign"].on("verify-attestation", json=_envelope(statement))
    with pytest.raises(VerificationError, match=r"none has .* as its subject"):
        verify_reference(
            f"ghcr.io/pacphi/sindri@{FAKE_DIGEST}",
            signature=False,
            provenance=True,
            runner=CommandRunner(),
        )


@pytest.mark.parametrize(
    ("flags", "commands"),
    [
        ({}, ["verify"]),  # nothing switched on: an explicit verify still checks the signature
        ({"verify_provenance": True}, ["verify-attestation"]),
        ({"verify_signature": True, "verify_provenance": True}, ["verify", "verify-attestation"]),
    ],
)
def test_image_config_decides_which_checks_run(fake_tools, flags, commands):
    statement = {
        "predicateType": "https://slsa.dev/provenance/v1",
        "subject": [{"name": "ghcr.io/acme/dev", "digest": {"sha256": FAKE_DIGEST[7:]}}],
        "predicate": SLSA_V1_PREDICATE,
    }
    fake_tools["cosign"].on("verify", json=[_keyless_signature(FAKE_DIGEST, "i", "s")])
    fake_tools["cosign"].on("verify-attestation", json=_envelope(statement))
    config = ImageConfig(registry="ghcr.io/acme/dev", **flags)
    report = verify_with_config(f"ghcr.io/acme/dev@{FAKE_DIGEST}", config, runner=CommandRunner())
    assert [argv[1] for argv in fake_tools.argvs()] == commands
    assert (report.signatures is not None) == ("verify" in commands)
    assert (report.provenance is not None) == ("verify-attestation" in commands)


def test_a_hanging_cosign_fails_closed(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "cosign").write_text("#!/bin/sh\nexec sleep 30\n")
    (bin_dir / "cosign").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr("sindri_core.image.verify.COSIGN_TIMEOUT", 0.5)
    with pytest.raises(VerificationError, match=r"did not finish within 0\.5s") as caught:
        verify_reference(f"ghcr.io/acme/dev@{FAKE_DIGEST}", runner=CommandRunner())
    assert "--skip-image-verification" in str(caught.value)


def test_a_local_build_has_nothing_to_verify():
    resolution = ImageResolution(
        reference="sindri:3.0.0-SOURCE", source=ImageSource.BUILD, reason="no image configured"
    )
    with pytest.raises(UsageError, match="nothing to verify"):
        verify_resolution(resolution, None, runner=CommandRunner())


# -- the CLI and deploy ------------------------------------------------------------------------


def _config(registry, repo: str, selector: str, pub: Path, **extra: str) -> str:
    """A sindri.yaml for the ``acme`` provider; ``selector`` is e.g. ``digest: sha256:…``."""
    lines = [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join(
        [
            'version: "3.0"',
            "name: verify-test",
            "deployment:",
            "  provider: acme",
            "  image_config:",
            f"    registry: {registry.host}/{repo}",
            f"    {selector}",
            "    verify_signature: true",
            f"    public_key: {pub}",
            *(f"    {line}" for line in lines),
            "",
        ]
    )


@pytest.fixture
def acme(register_provider) -> list[str]:
    """A fake provider that records which of its hooks ran."""
    calls: list[str] = []

    class Acme:
        @hookimpl
        def sindri_provider_info(self):
            return ProviderInfo(
                name="acme", description="test", capabilities=Capabilities(BuildLocation.NEVER)
            )

        @hookimpl
        def sindri_check_prerequisites(self, ctx):
            calls.append("check_prerequisites")
            return PrerequisiteReport(())

        @hookimpl
        def sindri_plan(self, ctx, image):
            calls.append("plan")
            return Plan(())

        @hookimpl
        def sindri_deploy(self, ctx, image, build, options):
            calls.append(f"deploy {image.reference}")
            return DeployResult(reference=image.reference)

    register_provider(Acme(), name="acme")
    return calls


def test_deploy_stops_before_any_provider_hook_when_verification_fails(
    registry, keys, other_keys, signed, offline, acme, write_config, sindri_cli
):
    repo, digest = signed
    path = write_config(_config(registry, repo, "tag_override: 1.0.0", other_keys.pub))
    failed = sindri_cli("deploy", cwd=path.parent)
    assert failed.exit_code == 1 and acme == []
    assert failed.diagnostics.startswith(
        f"error: signature verification failed for {registry.host}/{repo}@{digest}"
    )
    assert "--skip-image-verification" in failed.stderr and "Traceback" not in failed.stderr

    skipped = sindri_cli("deploy", "--skip-image-verification", cwd=path.parent)
    assert skipped.exit_code == 0, skipped.stderr
    # tag_override is pinned by the chain: the provider gets the digest the tag named
    assert acme == ["check_prerequisites", f"deploy {registry.reference(repo, '1.0.0', digest)}"]


@pytest.mark.parametrize("level", ["digest", "tag_override"])
def test_deploy_runs_the_verified_digest_and_warns_about_the_skipped_log(
    registry, keys, signed, offline, acme, write_config, sindri_cli, level
):
    repo, digest = signed
    selector = f"digest: {digest}" if level == "digest" else "tag_override: 1.0.0"
    path = write_config(_config(registry, repo, selector, Path("signer.pub")))
    shutil.copy(keys.pub, path.parent / "signer.pub")
    result = sindri_cli("deploy", cwd=path.parent)
    assert result.exit_code == 0, result.stderr
    # A verified tag is handed to the provider pinned to the digest that was verified.
    tag = "1.0.0" if level == "tag_override" else None
    assert acme == ["check_prerequisites", f"deploy {registry.reference(repo, tag, digest)}"]
    assert "not the transparency log" in result.stderr


def test_deploy_without_cosign_fails_closed(
    registry, keys, signed, acme, write_config, sindri_cli, monkeypatch, tmp_path
):
    repo, digest = signed
    path = write_config(_config(registry, repo, f"digest: {digest}", keys.pub))
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = sindri_cli("deploy", cwd=path.parent)
    assert result.exit_code == 1 and acme == []
    assert result.diagnostics.count("\n") == 1
    assert "cosign is not installed" in result.stderr and "install cosign" in result.stderr


def test_image_verify_json_for_the_configured_image(
    registry, keys, signed, offline, acme, write_config, sindri_cli, tmp_path
):
    repo, digest = signed
    attest(registry.reference(repo, digest=digest), keys, SLSA_V1_PREDICATE, tmp_path)
    path = write_config(
        _config(registry, repo, f"digest: {digest}", keys.pub, verify_provenance="true")
    )
    result = sindri_cli("image", "verify", "--json", cwd=path.parent)
    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["reference"] == f"{registry.host}/{repo}@{digest}"
    assert data["digest"] == digest and data["mode"] == "key"
    assert data["transparency_log"] is False
    assert data["signature"]["verified"] is True
    assert [s["digest"] for s in data["signature"]["signatures"]] == [digest]
    assert data["provenance"]["verified"] is True
    assert data["provenance"]["predicate_type"] == "https://slsa.dev/provenance/v1"
    assert acme == []

    text = sindri_cli("image", "verify", cwd=path.parent)
    assert text.exit_code == 0
    assert f"Verified {registry.host}/{repo}@{digest}" in text.stdout
    assert "transparency log: NOT checked" in text.stdout


def test_image_verify_ref_by_tag_without_a_config(
    registry, keys, signed, offline, tmp_path, sindri_cli, fake_tools
):
    # No sindri.yaml: keyless defaults (a fake cosign answers), digest from the real registry.
    repo, digest = signed
    fake_tools["cosign"].on("verify", json=[_keyless_signature(digest, DEFAULT_ISSUER, "release")])
    result = sindri_cli(
        "image", "verify", registry.reference(repo, "1.0.0"), "--json", cwd=tmp_path
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["digest"] == digest
    (argv,) = fake_tools.argvs()
    assert argv[-1] == f"{registry.host}/{repo}@{digest}"
    assert "--certificate-identity-regexp" in argv and "--allow-http-registry" in argv


def test_image_verify_on_a_legacy_image_checks_its_signature(
    registry, signed, acme, write_config, sindri_cli, fake_tools
):
    repo, digest = signed
    fake_tools["cosign"].on("verify", stderr="Error: no matching signatures: none\n", exit=1)
    path = write_config(
        f'version: "3.0"\nname: legacy\ndeployment:\n  provider: acme\n'
        f"  image: {registry.reference(repo, '1.0.0')}\n"
    )
    result = sindri_cli("image", "verify", cwd=path.parent)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: signature verification failed for {registry.host}/{repo}@{digest}: "
        "no matching signatures: none"
    )
    (argv,) = fake_tools.argvs()
    assert argv[argv.index("--certificate-identity-regexp") + 1] == DEFAULT_IDENTITY


def test_no_secret_reaches_argv_or_output(
    auth_registry, keys, offline, write_config, sindri_cli, monkeypatch, acme
):
    """cosign reads registry credentials from DOCKER_CONFIG; nothing is passed on argv."""
    auth = base64.b64encode(f"{auth_registry.username}:{auth_registry.password}".encode())
    config_dir = Path(os.environ["DOCKER_CONFIG"])
    (config_dir / "config.json").write_text(
        json.dumps({"auths": {auth_registry.host: {"auth": auth.decode()}}})
    )
    repo = auth_registry.unique_repo("verify")
    digest = auth_registry.push_image(repo, ["1.0.0"], variant=repo)
    sign(auth_registry.reference(repo, digest=digest), keys)

    from sindri_core.api import Project

    path = write_config(
        f'version: "3.0"\nname: secret-test\ndeployment:\n  provider: acme\n'
        f"  image_config:\n    registry: {auth_registry.host}/{repo}\n"
        f"    tag_override: 1.0.0\n    verify_signature: true\n    public_key: {keys.pub}\n"
    )
    runner = RecordingRunner()
    report = Project.load(path, runner=runner).verify_image()
    assert report.digest == digest  # the tag was resolved through the authenticated registry
    result = sindri_cli("image", "verify", "--json", cwd=path.parent)
    assert result.exit_code == 0, result.stderr
    assert result.json()["digest"] == digest
    for secret in (auth_registry.password, auth.decode(), COSIGN_PASSWORD):
        assert all(secret not in " ".join(argv) for argv in runner.argvs)
        assert secret not in result.stdout + result.stderr
        assert secret not in json.dumps(report.to_json())


# -- a verification is remembered per digest in the user's cache (ADR 0021) ----------------------

_WRAPPER = """#!/bin/sh
echo "$1" >> "{log}"
exec "{cosign}" "$@"
"""


@pytest.fixture
def cosign_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A ``cosign`` first on PATH that logs each run and runs the real one."""
    real = shutil.which("cosign")
    assert real is not None
    directory = tmp_path / "cosign-bin"
    directory.mkdir()
    log = directory / "runs.log"
    wrapper = directory / "cosign"
    wrapper.write_text(_WRAPPER.format(log=log, cosign=real))
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{directory}{os.pathsep}{os.environ['PATH']}")
    return lambda: log.read_text().split() if log.exists() else []


def test_a_locked_digest_is_verified_once_per_user_and_policy(
    registry, keys, other_keys, signed, offline, acme, write_config, sindri_cli, cosign_runs,
    tmp_path, monkeypatch,
):  # fmt: skip
    repo, digest = signed
    config = write_config(_config(registry, repo, "version: '^1'", keys.pub))
    first = sindri_cli("deploy", cwd=config.parent)
    assert first.exit_code == 0, first.stderr
    assert cosign_runs() == ["verify"]
    lock = config.with_suffix(".lock").read_text()
    assert digest in lock
    assert "transparency_log" not in lock and "signatures" not in lock  # no result in the lock

    second = sindri_cli("deploy", "--locked", cwd=config.parent)
    assert second.exit_code == 0, second.stderr
    assert cosign_runs() == ["verify"]  # remembered for this digest and key
    assert "the result cached for its digest" in second.stderr
    assert acme[-1] == f"deploy {registry.reference(repo, '1.0.0', digest)}"

    # Another user (another cache) verifies for themselves.
    monkeypatch.setenv("SINDRI_CACHE_DIR", str(tmp_path / "other-user"))
    assert sindri_cli("deploy", "--locked", cwd=config.parent).exit_code == 0
    assert cosign_runs() == ["verify", "verify"]

    # Another key is another policy: checked, and it fails closed.
    (config.parent / "sindri.yaml").write_text(
        config.read_text().replace(str(keys.pub), str(other_keys.pub))
    )
    failed = sindri_cli("deploy", cwd=config.parent)
    assert failed.exit_code == 1 and "signature verification failed" in failed.stderr
    assert cosign_runs() == ["verify", "verify", "verify"]


def test_image_verify_always_runs_cosign(
    registry, keys, signed, offline, acme, write_config, sindri_cli, cosign_runs
):
    repo, digest = signed
    config = write_config(_config(registry, repo, f"digest: {digest}", keys.pub))
    assert sindri_cli("deploy", cwd=config.parent).exit_code == 0
    assert sindri_cli("image", "verify", cwd=config.parent).exit_code == 0
    assert cosign_runs() == ["verify", "verify"]
