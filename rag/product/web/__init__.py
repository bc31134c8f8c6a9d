"""The web app (Gradio): layout, one wiring function per area, and the named API.

- ``app``: builds the page and launches it; ``startup`` loads the service in the background.
- ``layout``: the components and where they sit; ``wiring``: one function per area (status, chat,
  viewer, the buttons on each answer, draft, API) attaching the handlers.
- ``chat``, ``render``: the chat area and how an answer becomes HTML.
- ``draft``: the drafting workspace; ``api``: the ``ask``, ``search`` and ``passage`` endpoints.
- ``errors``: bad input to clear messages; ``theme``: CSS and the small client-side script.
"""
