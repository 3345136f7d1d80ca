"""Settings of the service, read from the environment."""

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Config:
    # PORT: where the HTTP server listens, 8080 when unset.
    port: int = 8080
    # DATABASE_URL holds credentials: only whether it is set is ever logged or served.
    database_url: str = field(default="", repr=False)
    # GIT_COMMIT: the commit the running build comes from (the image sets it); /healthz reports it.
    version: str = "dev"
    # PAVED_SECRET_VERSIONS: the Vault versions of the secrets the pod got, e.g.
    # app=1,env/staging=3 (the Deployment passes its pod annotation paved.dev/vault-versions).
    secret_versions: Mapping[str, int] = field(default_factory=dict)

    @property
    def database_status(self) -> str:
        return "configured" if self.database_url else "not configured"


def load_config(env: Mapping[str, str]) -> Config:
    raw = env.get("PORT") or "8080"
    if not raw.isdigit() or int(raw) > 65535:
        raise ValueError(f"PORT must be a port number (0-65535), got {raw!r}")
    return Config(
        port=int(raw),
        database_url=env.get("DATABASE_URL", ""),
        version=env.get("GIT_COMMIT") or "dev",
        secret_versions=parse_secret_versions(env.get("PAVED_SECRET_VERSIONS", "")),
    )


def parse_secret_versions(raw: str) -> dict[str, int]:
    """app=1,env/staging=3 -> {"app": 1, "env/staging": 3}; anything else is left out."""
    versions: dict[str, int] = {}
    for part in raw.split(","):
        path, _, version = part.partition("=")
        if path.strip() and version.strip().isdigit():
            versions[path.strip()] = int(version)
    return versions
