"""Fitted weights of the answer/partial/decline decision (``rag.answering.decision``), written by
``python -m evals.train_decision``.

Fitted on 514 labelled questions (dev 104, dev_en 104, dev_hard 46, dev_setting 15, dev_unanswerable 63, independent 75, test 40, test2 67); logistic regression C=3.0, balanced classes.
Cut-offs: decline below 0.0018 (at most 0% of answerable questions below it),
partial below 0.3879 (at most 10% of unanswerable ones answered, at most
10% of answerable ones partial). Held out (5-fold, 4 shuffles, the cut-offs
chosen on the training folds only), per set: answerable declined / partial; unanswerable answered / declined:

    dev                n=104  0.000 / 0.061;  0.017 / 0.325
    dev_en             n=104  0.000 / 0.162;  0.150 / 0.167
    dev_hard           n= 46  0.022 / 0.125;    -   /   -  
    dev_setting        n= 15  0.000 / 0.025;  0.000 / 0.800
    dev_unanswerable   n= 63    -   /   -  ;  0.190 / 0.087
    independent        n= 75  0.005 / 0.120;  0.095 / 0.190
    test               n= 40  0.000 / 0.176;  0.167 / 0.333
    test2              n= 67  0.000 / 0.118;  0.071 / 0.000
    all                n=514  0.004 / 0.120;  0.124 / 0.179
"""

from rag.answering.decision import DecisionWeights

WEIGHTS = DecisionWeights(
    mean=(
        0.929286,  # evidence
        0.04436,  # evidence_gap
        0.420427,  # selection
        0.801556,  # agree
        0.101518,  # unknown_share
        1.277802,  # unknown_rare
        0.058366,  # unknown_named
        1.150078,  # unknown_topic
        0.587827,  # coverage
        0.519455,  # rarest_covered
        0.406615,  # english
        2.542864,  # nearest_z
        0.017474,  # nearest_gap
    ),
    scale=(
        0.040948,  # evidence
        0.033079,  # evidence_gap
        0.216643,  # selection
        0.398828,  # agree
        0.158313,  # unknown_share
        1.823952,  # unknown_rare
        0.234434,  # unknown_named
        1.814492,  # unknown_topic
        0.249863,  # coverage
        0.499621,  # rarest_covered
        0.491202,  # english
        0.650032,  # nearest_z
        0.010355,  # nearest_gap
    ),
    coef=(
        1.326427,  # evidence
        -1.809027,  # evidence_gap
        0.839532,  # selection
        -0.419342,  # agree
        0.709521,  # unknown_share
        -0.058675,  # unknown_rare
        -0.540189,  # unknown_named
        -1.408684,  # unknown_topic
        0.146902,  # coverage
        -0.085216,  # rarest_covered
        -0.226016,  # english
        1.516335,  # nearest_z
        -1.047073,  # nearest_gap
    ),
    low=(
        0.847187,  # evidence
        0.007263,  # evidence_gap
        0.052701,  # selection
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
        1.031567,  # evidence
        0.142782,  # evidence_gap
        0.865332,  # selection
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
    intercept=0.343952,
    decline_below=0.00181,
    partial_below=0.387923,
)
