"""The product around the index and the answers.

- ``viewer``: a passage in its context with the cited sentences highlighted, and its location.
- ``memo``: the draft a user pins answers and passages into; ``memo_layout`` lays it out as a memo
  (a sentence pinned twice shown once, numbered references); ``memo_export`` writes it as Markdown
  and as an A4 Word file.
- ``feedback``: ratings and comments, who gave them, and their export as gold candidates; stored in
  ``feedback_sqlite`` (one file, the default) or ``feedback_pg`` (PostgreSQL, for several replicas).
- ``login``: who may use the web app (a users file with hashed passwords, or a trusted proxy header).
- ``suggestions``: follow-up questions offered under an answer, from the report's own headings.
- ``web``: the Gradio web app and its named API endpoints.
"""
