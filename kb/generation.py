"""The knowledge base's generation (`portal.generation.Generation`).

Renewed by `kb.signals` whenever an article, one of its parts, its links to other articles or a category change:
search answers (`kb.search.answers`) and rendered article bodies (`kb.content`) are cached under it.
"""

from portal.generation import Generation

KNOWLEDGE_BASE = Generation("kb:generation")
