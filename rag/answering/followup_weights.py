"""The follow-up decision (``rag.answering.followup_signals.is_follow_up``), written by ``python -m evals.train_followup``.

Fitted on 140 questions (86 follow-ups) from conversations_dev.jsonl, conversations_dev2.jsonl, conversations_dev3.jsonl, conversations_test.jsonl, followup_dev.jsonl, independent_conversations.jsonl; C=10.0 chosen by 5-fold stratified cross-validation
by conversation (5 shuffles). Held-out accuracy: conversations_dev.jsonl 0.976, all 0.959, conversations_dev2.jsonl 0.880, conversations_test.jsonl 0.983, conversations_dev3.jsonl 0.975, independent_conversations.jsonl 0.941, followup_dev.jsonl 1.000. The rules it replaced (opener or pointing word or too bare)
were right on: conversations_dev.jsonl 0.976, all 0.907, conversations_dev2.jsonl 0.800, conversations_test.jsonl 0.917, conversations_dev3.jsonl 1.000, independent_conversations.jsonl 0.706, followup_dev.jsonl 1.000.
"""

from rag.answering.followup_signals import FollowUpModel

FOLLOW_UP = FollowUpModel(
    coef=(
        3.9908,  # opener
        4.7429,  # pointing_word
        5.1882,  # pronoun_back
        2.3376,  # final_pointing
        2.8704,  # determiner_definite
        2.4155,  # subject_pronoun
        1.8968,  # too_bare
        2.6411,  # no_specific_word
        -3.003,  # content_words
        1.9755,  # definite_noun
        3.3662,  # commonest_rarest
    ),
    intercept=-1.5936,
)
