"""Downloader middlewares, one concern per file."""
