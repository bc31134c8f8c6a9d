"""Learned weights of the sentence scorer (``rag.selection``), written by ``python -m evals.train_selection``.

Chosen by 5-fold cross-validation by question on gold_dev.jsonl (74 questions, 3 shuffles): C=0.1, relative
probability cut-off 0.05 (``RELATIVE_PROBABILITY``); the held-out folds' answers show 0.689 of
the gold evidence with 5.50 sentences on average, where the previous hand weights showed 0.709.
"""

from rag.selection import Weights

# Quote sentences at least this likely, relative to the best one.
RELATIVE_PROBABILITY = 0.05

WEIGHTS = Weights(
    mean=(
        0.826161,  # dense
        0.834043,  # dense_search
        0.110678,  # overlap
        0.857548,  # context_dense
        -0.053982,  # dense_below_best
        0.395273,  # passage_prior
        -1.803594,  # fused_below_best
        0.405509,  # rank_in_passage
        0.529727,  # position
        4.867335,  # log_length
        0.01313,  # question_mark
        0.056723,  # bullet
        0.111345,  # recommendation
        0.056723,  # summary
        0.008403,  # names_actors_for_who
        0.056723,  # states_action_for_how
        0.015756,  # gives_reason_for_why
        0.080572,  # heading_match
        0.121849,  # continues
        0.90408,  # hubness
        0.374121,  # dense_minus_hubness
    ),
    scale=(
        0.033313,  # dense
        0.028237,  # dense_search
        0.143471,  # overlap
        0.028785,  # context_dense
        0.030555,  # dense_below_best
        0.284026,  # passage_prior
        1.246113,  # fused_below_best
        0.301511,  # rank_in_passage
        0.370553,  # position
        0.419304,  # log_length
        0.113833,  # question_mark
        0.231312,  # bullet
        0.314558,  # recommendation
        0.231312,  # summary
        0.091284,  # names_actors_for_who
        0.231312,  # states_action_for_how
        0.124531,  # gives_reason_for_why
        0.138676,  # heading_match
        0.327111,  # continues
        0.013731,  # hubness
        0.031925,  # dense_minus_hubness
    ),
    coef=(
        -0.073299,  # dense
        0.225012,  # dense_search
        0.26502,  # overlap
        0.293817,  # context_dense
        0.591009,  # dense_below_best
        0.246632,  # passage_prior
        0.71076,  # fused_below_best
        0.238889,  # rank_in_passage
        0.078924,  # position
        -0.057531,  # log_length
        0.242246,  # question_mark
        0.034116,  # bullet
        0.263558,  # recommendation
        -0.186441,  # summary
        0.179195,  # names_actors_for_who
        0.115083,  # states_action_for_how
        0.071844,  # gives_reason_for_why
        0.087231,  # heading_match
        0.201058,  # continues
        -0.290155,  # hubness
        -0.014086,  # dense_minus_hubness
    ),
    intercept=-4.100378,
)
