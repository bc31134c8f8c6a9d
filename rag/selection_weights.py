"""Learned weights of the sentence scorer (``rag.selection``), written by ``python -m evals.train_selection``.

Chosen by 5-fold cross-validation by question on gold_dev.jsonl (74 questions, 3 shuffles): C=1.0, relative
probability cut-off 0.0 (``RELATIVE_PROBABILITY``); the held-out folds' answers show 0.703 of
the gold evidence with 5.99 sentences on average, where the previous hand weights showed 0.689.
"""

from rag.selection import Weights

# Quote sentences at least this likely, relative to the best one.
RELATIVE_PROBABILITY = 0.0

WEIGHTS = Weights(
    mean=(
        0.825177,  # dense
        0.833454,  # dense_search
        0.108686,  # overlap
        0.856974,  # context_dense
        -0.055158,  # dense_below_best
        0.399207,  # passage_prior
        -1.75618,  # fused_below_best
        0.400024,  # rank_in_passage
        0.533069,  # position
        4.894483,  # log_length
        0.00942,  # question_mark
        0.05999,  # bullet
        0.082796,  # recommendation
        0.08825,  # summary
        0.008428,  # names_actors_for_who
        0.054041,  # states_action_for_how
        0.014378,  # gives_reason_for_why
        0.069114,  # heading_match
        0.117501,  # continues
        0.903263,  # hubness
        0.373546,  # dense_minus_hubness
    ),
    scale=(
        0.0339,  # dense
        0.028979,  # dense_search
        0.142356,  # overlap
        0.028948,  # context_dense
        0.031396,  # dense_below_best
        0.283122,  # passage_prior
        1.295154,  # fused_below_best
        0.297864,  # rank_in_passage
        0.368171,  # position
        0.414188,  # log_length
        0.096598,  # question_mark
        0.237468,  # bullet
        0.275574,  # recommendation
        0.283658,  # summary
        0.091418,  # names_actors_for_who
        0.226098,  # states_action_for_how
        0.119042,  # gives_reason_for_why
        0.128403,  # heading_match
        0.322017,  # continues
        0.013772,  # hubness
        0.032333,  # dense_minus_hubness
    ),
    coef=(
        -0.351931,  # dense
        0.421926,  # dense_search
        0.225084,  # overlap
        0.63629,  # context_dense
        0.666845,  # dense_below_best
        0.8498,  # passage_prior
        0.489713,  # fused_below_best
        0.318242,  # rank_in_passage
        0.138306,  # position
        -0.031405,  # log_length
        0.300853,  # question_mark
        0.039523,  # bullet
        0.308473,  # recommendation
        -0.221485,  # summary
        0.182663,  # names_actors_for_who
        0.140795,  # states_action_for_how
        0.020768,  # gives_reason_for_why
        0.120366,  # heading_match
        0.227156,  # continues
        -0.347938,  # hubness
        -0.294892,  # dense_minus_hubness
    ),
    intercept=-4.56519,
)
