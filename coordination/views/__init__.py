"""Server-rendered pages of coordination, progressively enhanced with htmx."""
