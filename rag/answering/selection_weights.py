"""Learned weights of the sentence scorer (``rag.answering.selection``), written by ``python -m evals.train_selection``.

Cross-validated (5-fold by question, 2 shuffles) over gold_dev.jsonl + independent_questions.jsonl (128 answerable questions); held-out figures:
sentence features, C=0.3, relative cut-off 0.0, minimum probability 0.0:
    gold_dev.jsonl: evidence shown 0.662, lead shows evidence 0.547 (best chain 0.574), 5.99 sentences, filler 0.830
    independent_questions.jsonl: evidence shown 0.549, lead shows evidence 0.361 (best chain 0.398), 6.00 sentences, filler 0.815
    all: evidence shown 0.615, lead shows evidence 0.469 (best chain 0.500), 5.99 sentences, filler 0.823
context features, C=0.3, relative cut-off 0.0, minimum probability 0.1:
    gold_dev.jsonl: evidence shown 0.716, lead shows evidence 0.622 (best chain 0.601), 3.74 sentences, filler 0.720
    independent_questions.jsonl: evidence shown 0.608, lead shows evidence 0.574 (best chain 0.611), 3.77 sentences, filler 0.683
    all: evidence shown 0.671, lead shows evidence 0.602 (best chain 0.605), 3.75 sentences, filler 0.704
the weights in use when this ran (fitted on these questions, so not held out):
    gold_dev.jsonl: evidence shown 0.757, lead shows evidence 0.622 (best chain 0.622), 5.99 sentences, filler 0.813
    independent_questions.jsonl: evidence shown 0.657, lead shows evidence 0.574 (best chain 0.611), 6.00 sentences, filler 0.781
"""

from rag.answering.selection import Weights

# Quote sentences at least this likely relative to the best one, and at least this likely at all
# (the best one is always quoted): how many sentences an answer shows, fitted as above.
RELATIVE_PROBABILITY = 0.0
MINIMUM_PROBABILITY = 0.1

WEIGHTS = Weights(
    mean=(
        0.833261,  # dense
        0.833261,  # dense_search
        0.095276,  # overlap
        0.865106,  # context_dense
        -0.051905,  # dense_below_best
        0.401412,  # passage_prior
        -1.797738,  # fused_below_best
        0.39929,  # rank_in_passage
        0.536384,  # position
        4.872085,  # log_length
        0.019492,  # question_mark
        0.064407,  # bullet
        0.09435,  # recommendation
        0.088418,  # summary
        0.007627,  # names_actors_for_who
        0.061582,  # states_action_for_how
        0.018927,  # gives_reason_for_why
        0.060936,  # heading_match
        0.117514,  # continues
        0.903734,  # hubness
        0.381394,  # dense_minus_hubness
        0.865321,  # passage_dense
        0.837071,  # neighbour_dense
        0.024294,  # national_off_level
        0.020339,  # national_on_level
        0.001977,  # announcing
        0.012712,  # self_reference
        0.134181,  # reported
        0.023164,  # defines_for_definition
    ),
    scale=(
        0.028382,  # dense
        0.028382,  # dense_search
        0.13068,  # overlap
        0.023079,  # context_dense
        0.029256,  # dense_below_best
        0.282459,  # passage_prior
        1.319916,  # fused_below_best
        0.298802,  # rank_in_passage
        0.369483,  # position
        0.421285,  # log_length
        0.138245,  # question_mark
        0.245476,  # bullet
        0.292315,  # recommendation
        0.283902,  # summary
        0.087,  # names_actors_for_who
        0.240395,  # states_action_for_how
        0.136266,  # gives_reason_for_why
        0.116038,  # heading_match
        0.322032,  # continues
        0.013745,  # hubness
        0.027313,  # dense_minus_hubness
        0.023782,  # passage_dense
        0.070086,  # neighbour_dense
        0.15396,  # national_off_level
        0.141157,  # national_on_level
        0.044424,  # announcing
        0.112028,  # self_reference
        0.340846,  # reported
        0.150424,  # defines_for_definition
    ),
    coef=(
        -0.093282,  # dense
        -0.093282,  # dense_search
        0.202031,  # overlap
        0.509204,  # context_dense
        0.764369,  # dense_below_best
        0.625253,  # passage_prior
        0.617184,  # fused_below_best
        0.282505,  # rank_in_passage
        0.042888,  # position
        -0.0607,  # log_length
        0.236897,  # question_mark
        0.107339,  # bullet
        0.129898,  # recommendation
        -0.336222,  # summary
        0.167442,  # names_actors_for_who
        0.186356,  # states_action_for_how
        0.005511,  # gives_reason_for_why
        0.080815,  # heading_match
        0.23046,  # continues
        -0.365138,  # hubness
        -0.005062,  # dense_minus_hubness
        0.118166,  # passage_dense
        -0.077355,  # neighbour_dense
        -0.316239,  # national_off_level
        0.160794,  # national_on_level
        -0.07076,  # announcing
        -0.204147,  # self_reference
        -0.250391,  # reported
        0.215142,  # defines_for_definition
    ),
    intercept=-4.346353,
)
