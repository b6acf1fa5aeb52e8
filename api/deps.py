"""FastAPI dependencies as typed aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gbkg.kg.settings import Settings
from gbkg.kg.store import Backend


def get_store(request: Request) -> Backend:
    store: Backend = request.app.state.store
    return store


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Backend, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
