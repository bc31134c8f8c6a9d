"""Fitted weights of the answer/partial/decline decision (``rag.answering.decision``), written by
``python -m evals.train_decision``.

Fitted on 514 labelled questions (dev 104, dev_en 104, dev_hard 46, dev_setting 15, dev_unanswerable 63, independent 75, test 40, test2 67); logistic regression C=0.3, balanced classes.
Cut-offs: decline below 0.0482 (at most 0% of answerable questions below it),
partial below 0.3461 (at most 10% of unanswerable ones answered, at most
10% of answerable ones partial). Held out (5-fold, 4 shuffles, the cut-offs
chosen on the training folds only), per set: answerable declined / partial; unanswerable answered / declined:

    dev                n=104  0.014 / 0.041;  0.125 / 0.325
    dev_en             n=104  0.014 / 0.125;  0.425 / 0.058
    dev_hard           n= 46  0.000 / 0.147;    -   /   -  
    dev_setting        n= 15  0.000 / 0.100;  0.000 / 0.800
    dev_unanswerable   n= 63    -   /   -  ;  0.440 / 0.103
    independent        n= 75  0.042 / 0.097;  0.190 / 0.238
    test               n= 40  0.000 / 0.154;  0.500 / 0.167
    test2              n= 67  0.000 / 0.108;  0.125 / 0.036
    all                n=514  0.012 / 0.105;  0.314 / 0.169
"""

from rag.answering.decision import DecisionWeights

WEIGHTS = DecisionWeights(
    mean=(
        0.911467,  # evidence
        0.045437,  # evidence_gap
        0.407559,  # selection
        0.821012,  # agree
        0.104986,  # unknown_share
        1.294358,  # unknown_rare
        0.048638,  # unknown_named
        1.138132,  # unknown_topic
        0.578446,  # coverage
        0.515564,  # rarest_covered
        0.406615,  # english
    ),
    scale=(
        0.073704,  # evidence
        0.036111,  # evidence_gap
        0.216844,  # selection
        0.383343,  # agree
        0.166059,  # unknown_share
        1.795324,  # unknown_rare
        0.21511,  # unknown_named
        1.780854,  # unknown_topic
        0.253989,  # coverage
        0.499758,  # rarest_covered
        0.491202,  # english
    ),
    coef=(
        0.264756,  # evidence
        -0.768522,  # evidence_gap
        0.839556,  # selection
        -0.379188,  # agree
        0.07107,  # unknown_share
        -0.06988,  # unknown_rare
        -0.390518,  # unknown_named
        -0.888018,  # unknown_topic
        0.113024,  # coverage
        0.048984,  # rarest_covered
        0.174397,  # english
    ),
    intercept=0.166813,
    decline_below=0.04818,
    partial_below=0.346115,
)
