"""Learned weights of the sentence scorer (``rag.answering.selection``), written by ``python -m evals.train_selection``.

Cross-validated (5-fold by question, 2 shuffles) over gold_dev.jsonl + independent_questions.jsonl (128 answerable questions); held-out figures:
sentence features, C=0.3, relative cut-off 0.0, minimum probability 0.0:
    gold_dev.jsonl: evidence shown 0.642, lead shows evidence 0.561 (best chain 0.588), 5.99 sentences, filler 0.833
    independent_questions.jsonl: evidence shown 0.574, lead shows evidence 0.380 (best chain 0.398), 6.00 sentences, filler 0.806
    all: evidence shown 0.613, lead shows evidence 0.484 (best chain 0.508), 5.99 sentences, filler 0.821
context features, C=0.3, relative cut-off 0.0, minimum probability 0.1:
    gold_dev.jsonl: evidence shown 0.713, lead shows evidence 0.635 (best chain 0.601), 3.71 sentences, filler 0.719
    independent_questions.jsonl: evidence shown 0.620, lead shows evidence 0.583 (best chain 0.630), 3.86 sentences, filler 0.683
    all: evidence shown 0.674, lead shows evidence 0.613 (best chain 0.613), 3.77 sentences, filler 0.704
the weights in use when this ran (fitted on these questions, so not held out):
    gold_dev.jsonl: evidence shown 0.750, lead shows evidence 0.622 (best chain 0.622), 5.99 sentences, filler 0.815
    independent_questions.jsonl: evidence shown 0.667, lead shows evidence 0.630 (best chain 0.630), 6.00 sentences, filler 0.781
"""

from rag.answering.selection import Weights

# Quote sentences at least this likely relative to the best one, and at least this likely at all
# (the best one is always quoted): how many sentences an answer shows, fitted as above.
RELATIVE_PROBABILITY = 0.0
MINIMUM_PROBABILITY = 0.1

WEIGHTS = Weights(
    mean=(
        0.83353,  # dense
        0.83353,  # dense_search
        0.100448,  # overlap
        0.865384,  # context_dense
        -0.051679,  # dense_below_best
        0.399606,  # passage_prior
        -1.779136,  # fused_below_best
        0.398691,  # rank_in_passage
        0.538592,  # position
        4.869645,  # log_length
        0.018873,  # question_mark
        0.063662,  # bullet
        0.091831,  # recommendation
        0.086197,  # summary
        0.008451,  # names_actors_for_who
        0.062535,  # states_action_for_how
        0.018873,  # gives_reason_for_why
        0.062211,  # heading_match
        0.118592,  # continues
        0.903734,  # hubness
        0.381663,  # dense_minus_hubness
        0.865622,  # passage_dense
        0.837694,  # neighbour_dense
        0.022817,  # national_off_level
        0.020282,  # national_on_level
        0.002535,  # announcing
        0.013521,  # self_reference
        0.138028,  # reported
        0.023099,  # defines_for_definition
    ),
    scale=(
        0.028417,  # dense
        0.028417,  # dense_search
        0.135241,  # overlap
        0.023082,  # context_dense
        0.029328,  # dense_below_best
        0.282942,  # passage_prior
        1.307999,  # fused_below_best
        0.298658,  # rank_in_passage
        0.369595,  # position
        0.419904,  # log_length
        0.136077,  # question_mark
        0.24415,  # bullet
        0.288787,  # recommendation
        0.280655,  # summary
        0.091538,  # names_actors_for_who
        0.242125,  # states_action_for_how
        0.136077,  # gives_reason_for_why
        0.1162,  # heading_match
        0.323307,  # continues
        0.013852,  # hubness
        0.027326,  # dense_minus_hubness
        0.023592,  # passage_dense
        0.068594,  # neighbour_dense
        0.149319,  # national_off_level
        0.140962,  # national_on_level
        0.050287,  # announcing
        0.115492,  # self_reference
        0.34493,  # reported
        0.150217,  # defines_for_definition
    ),
    coef=(
        -0.083333,  # dense
        -0.083333,  # dense_search
        0.206894,  # overlap
        0.494968,  # context_dense
        0.7234,  # dense_below_best
        0.587173,  # passage_prior
        0.685882,  # fused_below_best
        0.284186,  # rank_in_passage
        0.042889,  # position
        -0.016629,  # log_length
        0.251974,  # question_mark
        0.11326,  # bullet
        0.191931,  # recommendation
        -0.322613,  # summary
        0.192887,  # names_actors_for_who
        0.167004,  # states_action_for_how
        0.011672,  # gives_reason_for_why
        0.085113,  # heading_match
        0.251638,  # continues
        -0.360107,  # hubness
        0.004612,  # dense_minus_hubness
        0.078871,  # passage_dense
        -0.069957,  # neighbour_dense
        -0.325254,  # national_off_level
        0.143514,  # national_on_level
        -0.076263,  # announcing
        -0.203888,  # self_reference
        -0.262048,  # reported
        0.220425,  # defines_for_definition
    ),
    intercept=-4.34617,
)
