"""One spider per file; the file name is the spider name."""
