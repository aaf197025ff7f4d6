"""Packaging for scrapyd-deploy: the egg carries cineradar/ and its data files."""

from setuptools import find_packages, setup

setup(
    name="cineradar",
    version="0.1.0",
    packages=find_packages(include=["cineradar", "cineradar.*"]),
    package_data={"cineradar": ["data/*.json", "lua/*.lua", "js/*.js"]},  # lua, js: the Splash login
    entry_points={"scrapy": ["settings = cineradar.settings"]},
)
