"""The follow-up decision (``rag.answering.followup_signals.is_follow_up``), written by ``python -m evals.train_followup``.

Fitted on 140 questions (86 follow-ups) from conversations_dev.jsonl, conversations_dev2.jsonl, conversations_dev3.jsonl, conversations_test.jsonl, followup_dev.jsonl, independent_conversations.jsonl; C=10.0 chosen by 5-fold stratified cross-validation
(5 shuffles). Held-out accuracy: conversations_dev.jsonl 0.976, all 0.950, conversations_dev2.jsonl 0.880, conversations_test.jsonl 0.958, conversations_dev3.jsonl 1.000, independent_conversations.jsonl 0.882, followup_dev.jsonl 1.000. The rules it replaced (opener or pointing word or too bare)
were right on: conversations_dev.jsonl 0.976, all 0.907, conversations_dev2.jsonl 0.800, conversations_test.jsonl 0.917, conversations_dev3.jsonl 1.000, independent_conversations.jsonl 0.706, followup_dev.jsonl 1.000.
"""

from rag.answering.followup_signals import FollowUpModel

FOLLOW_UP = FollowUpModel(
    coef=(
        3.9829,  # opener
        4.6779,  # pointing_word
        5.0955,  # pronoun_back
        2.624,  # final_pointing
        3.444,  # determiner_definite
        2.3677,  # subject_pronoun
        1.8934,  # too_bare
        2.5905,  # no_specific_word
        -3.2612,  # content_words
        1.1427,  # definite_noun
        3.2211,  # commonest_rarest
    ),
    intercept=-1.2597,
)
