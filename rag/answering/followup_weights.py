"""The follow-up decision (``rag.answering.followup.is_follow_up``), written by ``python -m evals.train_followup``.

Fitted on 124 questions (75 follow-ups) from conversations_dev.jsonl, conversations_dev2.jsonl, conversations_test.jsonl, followup_dev.jsonl, independent_conversations.jsonl; C=30.0 chosen by 5-fold stratified cross-validation
(5 shuffles). Held-out accuracy: conversations_dev.jsonl 0.976, all 0.944, conversations_dev2.jsonl 0.880, conversations_test.jsonl 0.958, independent_conversations.jsonl 0.882, followup_dev.jsonl 1.000. The rules it replaced (opener or pointing word or too bare)
were right on: conversations_dev.jsonl 0.976, all 0.895, conversations_dev2.jsonl 0.800, conversations_test.jsonl 0.917, independent_conversations.jsonl 0.706, followup_dev.jsonl 1.000.
"""

from rag.answering.followup import FollowUpModel

FOLLOW_UP = FollowUpModel(
    coef=(
        5.145,  # opener
        6.018,  # pointing_word
        5.8487,  # pronoun_back
        3.2875,  # final_pointing
        4.3776,  # determiner_definite
        3.4615,  # subject_pronoun
        1.7355,  # too_bare
        3.4279,  # no_specific_word
        -3.9449,  # content_words
        1.6284,  # definite_noun
        4.0051,  # commonest_rarest
    ),
    intercept=-1.4456,
)
