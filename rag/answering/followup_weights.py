"""The follow-up decision (``rag.answering.followup.is_follow_up``), written by ``python -m evals.train_followup``.

Fitted on 78 questions (45 follow-ups) from conversations_dev.jsonl, followup_dev.jsonl, independent_conversations.jsonl; C=30.0 chosen by 5-fold stratified cross-validation
(5 shuffles). Held-out accuracy: conversations_dev.jsonl 0.943, all 0.921, independent_conversations.jsonl 0.800, followup_dev.jsonl 0.989. The rules it replaced (opener or pointing word or too bare)
were right on: conversations_dev.jsonl 0.976, all 0.897, independent_conversations.jsonl 0.667, followup_dev.jsonl 0.944.
"""

from rag.answering.followup import FollowUpModel

FOLLOW_UP = FollowUpModel(
    coef=(
        4.5608,  # opener
        3.4364,  # pointing_word
        6.0615,  # pronoun_back
        3.453,  # final_pointing
        5.2216,  # determiner_definite
        4.2384,  # subject_pronoun
        3.4433,  # too_bare
        4.5979,  # no_specific_word
        -2.235,  # content_words
    ),
    intercept=-1.1007,
)
