"""Where the replica is (a folder or an S3 bucket), how Litestream names it, and the
environment Litestream runs with (credentials come only from there)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

from dbguard.config import Config
from dbguard.config.replication import replica_scheme
from dbguard.errors import ConfigError
from dbguard.redact import mask_secrets

# Either pair works; Litestream copies the LITESTREAM_* names to the AWS_* ones.
CREDENTIAL_PAIRS = (
    ("LITESTREAM_ACCESS_KEY_ID", "LITESTREAM_SECRET_ACCESS_KEY"),
    ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
)
# Credentials the AWS SDK finds through the environment without a key pair in it.
CREDENTIAL_SOURCES = ("AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE")
CA_BUNDLE = "AWS_CA_BUNDLE"


@dataclass(frozen=True)
class ReplicaLocation:
    kind: str  # "file" or "s3"
    folder: Path | None = None  # file replicas
    bucket: str = ""
    path: str = ""  # key prefix inside the bucket
    endpoint: str = ""
    region: str = ""
    force_path_style: bool = False

    def url(self) -> str:
        """The replica as Litestream's `restore` and `ltx` commands take it."""
        if self.kind == "file":
            assert self.folder is not None
            return self.folder.as_uri()
        query = {
            key: value
            for key, value in (
                ("endpoint", self.endpoint),
                ("region", self.region),
                ("forcePathStyle", "true" if self.force_path_style else ""),
            )
            if value
        }
        tail = f"?{urlencode(query)}" if query else ""
        return f"s3://{self.bucket}/{self.path}{tail}"

    def display(self) -> str:
        """How findings and messages name the replica (never with a secret in it)."""
        if self.kind == "file":
            return str(self.folder)
        name = f"s3://{self.bucket}/{self.path}"
        return mask_secrets(f"{name} at {self.endpoint}" if self.endpoint else name)


def config_folder(config: Config) -> Path:
    """The folder relative paths in the configuration are read from."""
    return config.source.parent if config.source is not None else Path.cwd()


def replica_location(config: Config) -> ReplicaLocation:
    """The configured replica; a ConfigError for a replica string dbguard cannot use."""
    replication = config.replication
    raw = replication.replica.strip()
    scheme = replica_scheme(raw)
    if scheme == "s3":
        parts = urlsplit(raw)
        if parts.username or parts.password:
            raise ConfigError(
                "the replica URL in [replication] holds credentials",
                "remove them from dbguard.toml and set LITESTREAM_ACCESS_KEY_ID and "
                "LITESTREAM_SECRET_ACCESS_KEY in the environment",
            )
        return ReplicaLocation(
            kind="s3",
            bucket=parts.hostname or "",
            path=parts.path.strip("/"),
            endpoint=replication.endpoint.rstrip("/"),
            region=replication.region,
            force_path_style=replication.force_path_style,
        )
    if scheme == "file":
        folder = Path(unquote(urlsplit(raw).path))
    elif raw:
        folder = config_folder(config) / Path(raw).expanduser()
    else:
        folder = Path(config.backup.dir) / "replica"
    return ReplicaLocation(kind="file", folder=folder.resolve())


def litestream_environment(
    location: ReplicaLocation, environment: Mapping[str, str]
) -> dict[str, str]:
    """The environment Litestream runs with: ours, checked for S3 credentials, and without
    AWS_CA_BUNDLE for a plain-http endpoint (Litestream 0.5.17 refuses to start with it)."""
    result = dict(environment)
    if location.kind != "s3":
        return result
    has_pair = any(all(result.get(name) for name in pair) for pair in CREDENTIAL_PAIRS)
    if not has_pair and not any(result.get(name) for name in CREDENTIAL_SOURCES):
        raise ConfigError(
            f"no S3 credentials in the environment for the replica {location.display()}",
            "set LITESTREAM_ACCESS_KEY_ID and LITESTREAM_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID "
            "and AWS_SECRET_ACCESS_KEY); dbguard never reads them from dbguard.toml",
        )
    if result.get(CA_BUNDLE):
        if location.endpoint.lower().startswith("http://"):
            del result[CA_BUNDLE]
        else:
            raise ConfigError(
                f"{CA_BUNDLE} is set, and Litestream 0.5 cannot open an S3 replica with it "
                '("unable to add custom RootCAs")',
                f"unset {CA_BUNDLE} for dbguard; to trust a private CA, point SSL_CERT_FILE "
                "at it instead",
            )
    return result
