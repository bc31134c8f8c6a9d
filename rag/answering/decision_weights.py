"""Fitted weights of the answer/partial/decline decision (``rag.answering.decision``), written by
``python -m evals.train_decision``.

Fitted on 514 labelled questions (dev 104, dev_en 104, dev_hard 46, dev_setting 15, dev_unanswerable 63, independent 75, test 40, test2 67); logistic regression C=3.0, balanced classes.
Cut-offs: decline below 0.0020 (at most 0% of answerable questions below it),
partial below 0.3798 (at most 10% of unanswerable ones answered, at most
10% of answerable ones partial). Held out (5-fold, 4 shuffles, the cut-offs
chosen on the training folds only), per set: answerable declined / partial; unanswerable answered / declined:

    dev                n=104  0.000 / 0.057;  0.025 / 0.325
    dev_en             n=104  0.000 / 0.155;  0.092 / 0.167
    dev_hard           n= 46  0.022 / 0.125;    -   /   -  
    dev_setting        n= 15  0.000 / 0.000;  0.000 / 0.800
    dev_unanswerable   n= 63    -   /   -  ;  0.202 / 0.087
    independent        n= 75  0.000 / 0.102;  0.095 / 0.190
    test               n= 40  0.000 / 0.154;  0.167 / 0.333
    test2              n= 67  0.000 / 0.127;  0.071 / 0.000
    all                n=514  0.003 / 0.113;  0.120 / 0.179
"""

from rag.answering.decision import DecisionWeights

WEIGHTS = DecisionWeights(
    mean=(
        0.915461,  # evidence
        0.04503,  # evidence_gap
        0.40524,  # selection
        0.801556,  # agree
        0.101518,  # unknown_share
        1.277802,  # unknown_rare
        0.058366,  # unknown_named
        1.150078,  # unknown_topic
        0.586902,  # coverage
        0.515564,  # rarest_covered
        0.406615,  # english
        2.542864,  # nearest_z
        0.017474,  # nearest_gap
    ),
    scale=(
        0.045074,  # evidence
        0.034024,  # evidence_gap
        0.217002,  # selection
        0.398828,  # agree
        0.158313,  # unknown_share
        1.823952,  # unknown_rare
        0.234434,  # unknown_named
        1.814492,  # unknown_topic
        0.249454,  # coverage
        0.499758,  # rarest_covered
        0.491202,  # english
        0.650032,  # nearest_z
        0.010355,  # nearest_gap
    ),
    coef=(
        1.269592,  # evidence
        -1.756937,  # evidence_gap
        0.941789,  # selection
        -0.45519,  # agree
        0.649647,  # unknown_share
        -0.00759,  # unknown_rare
        -0.53266,  # unknown_named
        -1.402087,  # unknown_topic
        0.205771,  # coverage
        -0.046434,  # rarest_covered
        0.341868,  # english
        1.50539,  # nearest_z
        -1.039308,  # nearest_gap
    ),
    low=(
        0.829569,  # evidence
        0.007263,  # evidence_gap
        0.046843,  # selection
        0.0,  # agree
        0.0,  # unknown_share
        0.0,  # unknown_rare
        0.0,  # unknown_named
        0.0,  # unknown_topic
        0.0,  # coverage
        0.0,  # rarest_covered
        0.0,  # english
        1.64738,  # nearest_z
        0.004572,  # nearest_gap
    ),
    high=(
        1.022674,  # evidence
        0.151249,  # evidence_gap
        0.864589,  # selection
        1.0,  # agree
        0.60671,  # unknown_share
        7.0,  # unknown_rare
        1.0,  # unknown_named
        7.0,  # unknown_topic
        1.0,  # coverage
        1.0,  # rarest_covered
        1.0,  # english
        4.333321,  # nearest_z
        0.051194,  # nearest_gap
    ),
    intercept=0.352363,
    decline_below=0.002021,
    partial_below=0.379846,
)
