"""Learned weights of the sentence scorer (``rag.answering.selection``), written by ``python -m evals.train_selection``.

Chosen by 5-fold cross-validation by question on gold_dev.jsonl (74 questions, 3 shuffles): C=1.0, relative
probability cut-off 0.0 (``RELATIVE_PROBABILITY``); the held-out folds' answers show 0.725 of
the gold evidence with 5.99 sentences on average, where the previous hand weights showed 0.730.
"""

from rag.answering.selection import Weights

# Quote sentences at least this likely, relative to the best one.
RELATIVE_PROBABILITY = 0.0

WEIGHTS = Weights(
    mean=(
        0.824874,  # dense
        0.833314,  # dense_search
        0.109077,  # overlap
        0.856648,  # context_dense
        -0.055288,  # dense_below_best
        0.399405,  # passage_prior
        -1.732659,  # fused_below_best
        0.399997,  # rank_in_passage
        0.533929,  # position
        4.891891,  # log_length
        0.009425,  # question_mark
        0.054563,  # bullet
        0.083829,  # recommendation
        0.084821,  # summary
        0.00744,  # names_actors_for_who
        0.053075,  # states_action_for_how
        0.015377,  # gives_reason_for_why
        0.067781,  # heading_match
        0.11756,  # continues
        0.903486,  # hubness
        0.373131,  # dense_minus_hubness
    ),
    scale=(
        0.034112,  # dense
        0.029117,  # dense_search
        0.143742,  # overlap
        0.029226,  # context_dense
        0.031379,  # dense_below_best
        0.283403,  # passage_prior
        1.284092,  # fused_below_best
        0.297991,  # rank_in_passage
        0.368448,  # position
        0.413885,  # log_length
        0.096622,  # question_mark
        0.227126,  # bullet
        0.277132,  # recommendation
        0.278616,  # summary
        0.085937,  # names_actors_for_who
        0.224184,  # states_action_for_how
        0.123047,  # gives_reason_for_why
        0.126748,  # heading_match
        0.322086,  # continues
        0.013916,  # hubness
        0.03267,  # dense_minus_hubness
    ),
    coef=(
        -0.364236,  # dense
        0.46859,  # dense_search
        0.222997,  # overlap
        0.646382,  # context_dense
        0.651506,  # dense_below_best
        0.801528,  # passage_prior
        0.523914,  # fused_below_best
        0.2915,  # rank_in_passage
        0.115804,  # position
        -0.066044,  # log_length
        0.293903,  # question_mark
        0.025429,  # bullet
        0.339884,  # recommendation
        -0.214787,  # summary
        0.176617,  # names_actors_for_who
        0.138819,  # states_action_for_how
        0.020404,  # gives_reason_for_why
        0.117436,  # heading_match
        0.217202,  # continues
        -0.371638,  # hubness
        -0.301163,  # dense_minus_hubness
    ),
    intercept=-4.543619,
)
