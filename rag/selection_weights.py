"""Learned weights of the sentence scorer (``rag.selection``), written by ``python -m evals.train_selection``.

Chosen by 5-fold cross-validation by question on gold_dev.jsonl (74 questions, 3 shuffles): C=0.03, relative
probability cut-off 0.0 (``RELATIVE_PROBABILITY``); the held-out folds' answers show 0.694 of
the gold evidence with 6.00 sentences on average, where the previous hand weights showed 0.635.
"""

from rag.selection import Weights

# Quote sentences at least this likely, relative to the best one.
RELATIVE_PROBABILITY = 0.0

WEIGHTS = Weights(
    mean=(
        0.825698,  # dense
        0.833735,  # dense_search
        0.109265,  # overlap
        0.856884,  # context_dense
        -0.055449,  # dense_below_best
        0.392284,  # passage_prior
        -1.833603,  # fused_below_best
        0.405058,  # rank_in_passage
        0.536751,  # position
        4.843336,  # log_length
        0.024365,  # question_mark
        0.054822,  # bullet
        0.114721,  # recommendation
        0.056853,  # summary
        0.021827,  # names_actors_for_who
        0.054822,  # states_action_for_how
        0.015736,  # gives_reason_for_why
        0.078582,  # heading_match
        0.105584,  # continues
        0.903715,  # hubness
        0.37384,  # dense_minus_hubness
    ),
    scale=(
        0.033511,  # dense
        0.028501,  # dense_search
        0.143705,  # overlap
        0.029021,  # context_dense
        0.031714,  # dense_below_best
        0.282881,  # passage_prior
        1.257036,  # fused_below_best
        0.302096,  # rank_in_passage
        0.37267,  # position
        0.446878,  # log_length
        0.154181,  # question_mark
        0.227633,  # bullet
        0.318685,  # recommendation
        0.231561,  # summary
        0.14612,  # names_actors_for_who
        0.227633,  # states_action_for_how
        0.124452,  # gives_reason_for_why
        0.137378,  # heading_match
        0.307304,  # continues
        0.013938,  # hubness
        0.03207,  # dense_minus_hubness
    ),
    coef=(
        0.040121,  # dense
        0.182862,  # dense_search
        0.242456,  # overlap
        0.119376,  # context_dense
        0.400811,  # dense_below_best
        0.29215,  # passage_prior
        0.51224,  # fused_below_best
        0.218087,  # rank_in_passage
        -0.00107,  # position
        -0.07209,  # log_length
        0.13135,  # question_mark
        0.051668,  # bullet
        0.125571,  # recommendation
        -0.137242,  # summary
        0.168219,  # names_actors_for_who
        0.09662,  # states_action_for_how
        0.075562,  # gives_reason_for_why
        0.062227,  # heading_match
        0.147972,  # continues
        -0.198735,  # hubness
        0.085109,  # dense_minus_hubness
    ),
    intercept=-3.816547,
)
