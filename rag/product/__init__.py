"""The product around the index and the answers.

- ``viewer``: a passage in its context with the cited sentences highlighted, and its location.
- ``memo``: the draft a user pins passages into, exported as Markdown and Word.
- ``feedback``: ratings and comments stored locally.
- ``suggestions``: follow-up questions offered under an answer, from the report's own headings.
- ``web``: the Gradio web app and its named API endpoints.
"""
