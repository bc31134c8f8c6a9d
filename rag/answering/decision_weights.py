"""Fitted weights of the answer/partial/decline decision (``rag.answering.decision``), written by
``python -m evals.train_decision``.

Fitted on 514 labelled questions (dev 104, dev_en 104, dev_hard 46, dev_setting 15, dev_unanswerable 63, independent 75, test 40, test2 67); logistic regression C=3.0, balanced classes.
Cut-offs: decline below 0.0024 (at most 0% of answerable questions below it),
partial below 0.3686 (at most 10% of unanswerable ones answered, at most
10% of answerable ones partial). Held out (5-fold, 4 shuffles, the cut-offs
chosen on the training folds only), per set: answerable declined / partial; unanswerable answered / declined:

    dev                n=104  0.000 / 0.047;  0.025 / 0.300
    dev_en             n=104  0.000 / 0.179;  0.175 / 0.167
    dev_hard           n= 46  0.022 / 0.125;    -   /   -  
    dev_setting        n= 15  0.000 / 0.000;  0.050 / 0.800
    dev_unanswerable   n= 63    -   /   -  ;  0.262 / 0.087
    independent        n= 75  0.000 / 0.134;  0.143 / 0.202
    test               n= 40  0.000 / 0.103;  0.333 / 0.333
    test2              n= 67  0.000 / 0.123;  0.071 / 0.000
    all                n=514  0.003 / 0.115;  0.170 / 0.176
"""

from rag.answering.decision import DecisionWeights

WEIGHTS = DecisionWeights(
    mean=(
        0.914461,  # evidence
        0.044317,  # evidence_gap
        0.406585,  # selection
        0.791829,  # agree
        0.105671,  # unknown_share
        1.314786,  # unknown_rare
        0.054475,  # unknown_named
        1.187062,  # unknown_topic
        0.57855,  # coverage
        0.513619,  # rarest_covered
        0.406615,  # english
        2.541074,  # nearest_z
        0.017444,  # nearest_gap
    ),
    scale=(
        0.04573,  # evidence
        0.034032,  # evidence_gap
        0.213311,  # selection
        0.406,  # agree
        0.160109,  # unknown_share
        1.827715,  # unknown_rare
        0.226952,  # unknown_named
        1.820871,  # unknown_topic
        0.255606,  # coverage
        0.499814,  # rarest_covered
        0.491202,  # english
        0.649252,  # nearest_z
        0.010346,  # nearest_gap
    ),
    coef=(
        1.317278,  # evidence
        -1.730296,  # evidence_gap
        0.837166,  # selection
        -0.42201,  # agree
        0.248051,  # unknown_share
        0.236762,  # unknown_rare
        -0.473537,  # unknown_named
        -1.287342,  # unknown_topic
        0.285586,  # coverage
        -0.083504,  # rarest_covered
        0.336965,  # english
        1.516618,  # nearest_z
        -1.073568,  # nearest_gap
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
        0.856764,  # selection
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
    intercept=0.340983,
    decline_below=0.002432,
    partial_below=0.368563,
)
