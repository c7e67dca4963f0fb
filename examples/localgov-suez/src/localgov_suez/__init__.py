"""Suez governorate (محافظة السويس) for localgov: the tutorial's example plugin."""

from importlib.resources import files

from localgov import hookimpl

DATA = files(__name__) / "data"


@hookimpl
def register_organisation(register):
    register(DATA / "organisation.toml")


@hookimpl
def register_catalogue(register):
    register(DATA / "services.toml")
