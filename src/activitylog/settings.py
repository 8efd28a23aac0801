"""The service's settings: one typed object, read from `ACTIVITYLOG_*` environment variables.

Every field has a default and a line of help; the CLI's options and the README's table come from here.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/activitylog.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ACTIVITYLOG_", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL, description="Where the log lives: sqlite:///path or postgresql://user@host/db."
    )


def load() -> Settings:
    return Settings()
