"""Project commands: ``scrapy <name>`` (daily-summary, tix-token, storage-replay...)."""
