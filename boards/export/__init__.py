"""Målbild 0.5 writers: Markdown, HTML, Word, CSV, SVG and JSON."""
