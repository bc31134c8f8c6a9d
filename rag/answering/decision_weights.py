"""Fitted weights of the answer/partial/decline decision (``rag.answering.decision``), written by
``python -m evals.train_decision``.

Fitted on 514 labelled questions (dev 104, dev_en 104, dev_hard 46, dev_setting 15, dev_unanswerable 63, independent 75, test 40, test2 67); logistic regression C=1.0, balanced classes.
Cut-offs: decline below 0.0026 (at most 0% of answerable questions below it),
partial below 0.3840 (at most 10% of unanswerable ones answered, at most
10% of answerable ones partial). Held out (5-fold, 4 shuffles, the cut-offs
chosen on the training folds only), per set: answerable declined / partial; unanswerable answered / declined:

    dev                n=104  0.000 / 0.047;  0.017 / 0.333
    dev_en             n=104  0.000 / 0.169;  0.150 / 0.167
    dev_hard           n= 46  0.022 / 0.114;    -   /   -  
    dev_setting        n= 15  0.000 / 0.000;  0.000 / 0.800
    dev_unanswerable   n= 63    -   /   -  ;  0.183 / 0.083
    independent        n= 75  0.000 / 0.139;  0.095 / 0.202
    test               n= 40  0.000 / 0.154;  0.167 / 0.333
    test2              n= 67  0.000 / 0.113;  0.071 / 0.000
    all                n=514  0.003 / 0.116;  0.121 / 0.180
"""

from rag.answering.decision import DecisionWeights

WEIGHTS = DecisionWeights(
    mean=(
        0.914461,  # evidence
        0.044317,  # evidence_gap
        0.405153,  # selection
        0.791829,  # agree
        0.105259,  # unknown_share
        1.321673,  # unknown_rare
        0.058366,  # unknown_named
        1.193949,  # unknown_topic
        0.58278,  # coverage
        0.515564,  # rarest_covered
        0.406615,  # english
        2.541074,  # nearest_z
        0.017444,  # nearest_gap
    ),
    scale=(
        0.04573,  # evidence
        0.034032,  # evidence_gap
        0.217116,  # selection
        0.406,  # agree
        0.159528,  # unknown_share
        1.837231,  # unknown_rare
        0.234434,  # unknown_named
        1.830902,  # unknown_topic
        0.252751,  # coverage
        0.499758,  # rarest_covered
        0.491202,  # english
        0.649252,  # nearest_z
        0.010346,  # nearest_gap
    ),
    coef=(
        1.223578,  # evidence
        -1.694221,  # evidence_gap
        0.933933,  # selection
        -0.426435,  # agree
        0.312057,  # unknown_share
        0.087416,  # unknown_rare
        -0.5237,  # unknown_named
        -1.143106,  # unknown_topic
        0.191839,  # coverage
        -0.042098,  # rarest_covered
        0.339076,  # english
        1.386571,  # nearest_z
        -0.95669,  # nearest_gap
    ),
    low=(
        0.825317,  # evidence
        0.006718,  # evidence_gap
        0.047361,  # selection
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
    intercept=0.343063,
    decline_below=0.002638,
    partial_below=0.384015,
)
