"""The follow-up decision (``rag.answering.followup.is_follow_up``), written by ``python -m evals.train_followup``.

Fitted on 100 questions (60 follow-ups) from conversations_dev.jsonl, conversations_dev2.jsonl, followup_dev.jsonl, independent_conversations.jsonl; C=10.0 chosen by 5-fold stratified cross-validation
(5 shuffles). Held-out accuracy: conversations_dev.jsonl 0.971, all 0.914, conversations_dev2.jsonl 0.880, independent_conversations.jsonl 0.765, followup_dev.jsonl 0.975. The rules it replaced (opener or pointing word or too bare)
were right on: conversations_dev.jsonl 0.976, all 0.880, conversations_dev2.jsonl 0.800, independent_conversations.jsonl 0.647, followup_dev.jsonl 1.000.
"""

from rag.answering.followup import FollowUpModel

FOLLOW_UP = FollowUpModel(
    coef=(
        3.5969,  # opener
        2.8384,  # pointing_word
        4.4948,  # pronoun_back
        2.7508,  # final_pointing
        3.6086,  # determiner_definite
        2.6406,  # subject_pronoun
        2.0979,  # too_bare
        3.5176,  # no_specific_word
        -2.2615,  # content_words
    ),
    intercept=-0.3684,
)
