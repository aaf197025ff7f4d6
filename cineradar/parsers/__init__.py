"""Pure parsers, one module per source: page text or JSON in, items out. No Scrapy state."""
