"""Learned weights of the sentence scorer (``rag.selection``), written by ``python -m evals.train_selection``.

Chosen by 5-fold cross-validation by question on gold_dev.jsonl (74 questions, 3 shuffles): C=0.1, relative
probability cut-off 0.0 (``RELATIVE_PROBABILITY``); the held-out folds' answers show 0.694 of
the gold evidence with 6.00 sentences on average, where the previous hand weights showed 0.703.
"""

from rag.selection import Weights

# Quote sentences at least this likely, relative to the best one.
RELATIVE_PROBABILITY = 0.0

WEIGHTS = Weights(
    mean=(
        0.825558,  # dense
        0.833601,  # dense_search
        0.109338,  # overlap
        0.856779,  # context_dense
        -0.054732,  # dense_below_best
        0.393118,  # passage_prior
        -1.831089,  # fused_below_best
        0.407699,  # rank_in_passage
        0.536518,  # position
        4.848231,  # log_length
        0.01284,  # question_mark
        0.05547,  # bullet
        0.108885,  # recommendation
        0.05547,  # summary
        0.008218,  # names_actors_for_who
        0.05547,  # states_action_for_how
        0.015922,  # gives_reason_for_why
        0.078793,  # heading_match
        0.119158,  # continues
        0.90374,  # hubness
        0.373688,  # dense_minus_hubness
    ),
    scale=(
        0.033584,  # dense
        0.028514,  # dense_search
        0.142962,  # overlap
        0.029106,  # context_dense
        0.031357,  # dense_below_best
        0.282505,  # passage_prior
        1.256187,  # fused_below_best
        0.302788,  # rank_in_passage
        0.373268,  # position
        0.44482,  # log_length
        0.112585,  # question_mark
        0.228895,  # bullet
        0.311495,  # recommendation
        0.228895,  # summary
        0.090279,  # names_actors_for_who
        0.228895,  # states_action_for_how
        0.125174,  # gives_reason_for_why
        0.137646,  # heading_match
        0.323974,  # continues
        0.014011,  # hubness
        0.032128,  # dense_minus_hubness
    ),
    coef=(
        -0.072825,  # dense
        0.224536,  # dense_search
        0.268641,  # overlap
        0.304336,  # context_dense
        0.593706,  # dense_below_best
        0.250208,  # passage_prior
        0.720427,  # fused_below_best
        0.238223,  # rank_in_passage
        0.079703,  # position
        -0.050778,  # log_length
        0.244003,  # question_mark
        0.032003,  # bullet
        0.265847,  # recommendation
        -0.185649,  # summary
        0.178076,  # names_actors_for_who
        0.115528,  # states_action_for_how
        0.072958,  # gives_reason_for_why
        0.086931,  # heading_match
        0.201978,  # continues
        -0.284035,  # hubness
        -0.014192,  # dense_minus_hubness
    ),
    intercept=-4.148997,
)
