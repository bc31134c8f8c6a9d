"""Learned weights of the sentence scorer (``rag.answering.selection``), written by ``python -m evals.train_selection``.

Cross-validated (5-fold by question, 2 shuffles) over gold_dev.jsonl + independent_questions.jsonl (128 answerable questions); held-out figures:
sentence features, C=0.3, relative cut-off 0.0, minimum probability 0.0:
    gold_dev.jsonl: evidence shown 0.611, lead shows evidence 0.520 (best chain 0.534), 5.99 sentences, filler 0.847
    independent_questions.jsonl: evidence shown 0.531, lead shows evidence 0.324 (best chain 0.380), 6.00 sentences, filler 0.821
    all: evidence shown 0.577, lead shows evidence 0.438 (best chain 0.469), 5.99 sentences, filler 0.836
context features, C=0.3, relative cut-off 0.0, minimum probability 0.1:
    gold_dev.jsonl: evidence shown 0.669, lead shows evidence 0.588 (best chain 0.561), 3.47 sentences, filler 0.726
    independent_questions.jsonl: evidence shown 0.600, lead shows evidence 0.574 (best chain 0.611), 3.78 sentences, filler 0.689
    all: evidence shown 0.640, lead shows evidence 0.582 (best chain 0.582), 3.60 sentences, filler 0.709
the weights in use when this ran (fitted on these questions, so not held out):
    gold_dev.jsonl: evidence shown 0.723, lead shows evidence 0.595 (best chain 0.581), 5.99 sentences, filler 0.822
    independent_questions.jsonl: evidence shown 0.648, lead shows evidence 0.574 (best chain 0.611), 6.00 sentences, filler 0.784
"""

from rag.answering.selection import Weights

# Quote sentences at least this likely relative to the best one, and at least this likely at all
# (the best one is always quoted): how many sentences an answer shows, fitted as above.
RELATIVE_PROBABILITY = 0.0
MINIMUM_PROBABILITY = 0.1

WEIGHTS = Weights(
    mean=(
        0.825274,  # dense
        0.834467,  # dense_search
        0.093707,  # overlap
        0.85692,  # context_dense
        -0.0533,  # dense_below_best
        0.401651,  # passage_prior
        -1.816332,  # fused_below_best
        0.398202,  # rank_in_passage
        0.53844,  # position
        4.877624,  # log_length
        0.013383,  # question_mark
        0.064636,  # bullet
        0.094818,  # recommendation
        0.08713,  # summary
        0.010251,  # names_actors_for_who
        0.042995,  # states_action_for_how
        0.018223,  # gives_reason_for_why
        0.060261,  # heading_match
        0.118451,  # continues
        0.903306,  # hubness
        0.373621,  # dense_minus_hubness
        0.857239,  # passage_dense
        0.829749,  # neighbour_dense
        0.017654,  # national_off_level
        0.018508,  # national_on_level
        0.001993,  # announcing
        0.012244,  # self_reference
        0.132403,  # reported
        0.022779,  # defines_for_definition
    ),
    scale=(
        0.034252,  # dense
        0.028341,  # dense_search
        0.129518,  # overlap
        0.029909,  # context_dense
        0.029893,  # dense_below_best
        0.283381,  # passage_prior
        1.310759,  # fused_below_best
        0.298486,  # rank_in_passage
        0.369761,  # position
        0.41378,  # log_length
        0.114907,  # question_mark
        0.245882,  # bullet
        0.292963,  # recommendation
        0.282025,  # summary
        0.100725,  # names_actors_for_who
        0.202847,  # states_action_for_how
        0.133758,  # gives_reason_for_why
        0.115534,  # heading_match
        0.323141,  # continues
        0.013973,  # hubness
        0.032927,  # dense_minus_hubness
        0.031827,  # passage_dense
        0.070852,  # neighbour_dense
        0.131689,  # national_off_level
        0.134779,  # national_on_level
        0.0446,  # announcing
        0.109972,  # self_reference
        0.338929,  # reported
        0.149198,  # defines_for_definition
    ),
    coef=(
        -0.39734,  # dense
        0.547676,  # dense_search
        0.199265,  # overlap
        0.532918,  # context_dense
        0.643989,  # dense_below_best
        0.864678,  # passage_prior
        0.426547,  # fused_below_best
        0.327423,  # rank_in_passage
        0.070452,  # position
        -0.049017,  # log_length
        0.234261,  # question_mark
        0.073446,  # bullet
        0.16784,  # recommendation
        -0.292022,  # summary
        0.130907,  # names_actors_for_who
        0.133212,  # states_action_for_how
        0.03197,  # gives_reason_for_why
        0.080828,  # heading_match
        0.213099,  # continues
        -0.403315,  # hubness
        -0.32775,  # dense_minus_hubness
        0.180409,  # passage_dense
        -0.064883,  # neighbour_dense
        -0.185929,  # national_off_level
        0.172205,  # national_on_level
        -0.073148,  # announcing
        -0.191477,  # self_reference
        -0.234261,  # reported
        0.201004,  # defines_for_definition
    ),
    intercept=-4.377191,
)
