"""Small self-contained tasks that need no data download (the embedded defaults)."""
