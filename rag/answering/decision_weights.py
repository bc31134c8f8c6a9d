"""Fitted weights of the answer/partial/decline decision (``rag.answering.decision``), written by
``python -m evals.train_decision``.

Fitted on 514 labelled questions (dev 104, dev_en 104, dev_hard 46, dev_setting 15, dev_unanswerable 63, independent 75, test 40, test2 67); logistic regression C=3.0, balanced classes.
Cut-offs: decline below 0.0015 (at most 0% of answerable questions below it),
partial below 0.4051 (at most 10% of unanswerable ones answered, at most
10% of answerable ones partial). Held out (5-fold, 4 shuffles, the cut-offs
chosen on the training folds only), per set: answerable declined / partial; unanswerable answered / declined:

    dev                n=104  0.000 / 0.037;  0.025 / 0.333
    dev_en             n=104  0.000 / 0.132;  0.133 / 0.167
    dev_hard           n= 46  0.022 / 0.141;    -   /   -  
    dev_setting        n= 15  0.000 / 0.025;  0.000 / 0.800
    dev_unanswerable   n= 63    -   /   -  ;  0.175 / 0.083
    independent        n= 75  0.000 / 0.134;  0.095 / 0.190
    test               n= 40  0.000 / 0.132;  0.125 / 0.333
    test2              n= 67  0.000 / 0.085;  0.071 / 0.000
    all                n=514  0.003 / 0.103;  0.115 / 0.179
"""

from rag.answering.decision import DecisionWeights

WEIGHTS = DecisionWeights(
    mean=(
        0.929514,  # evidence
        0.044322,  # evidence_gap
        0.427683,  # selection
        0.801556,  # agree
        0.100879,  # unknown_share
        1.274572,  # unknown_rare
        0.058366,  # unknown_named
        1.146848,  # unknown_topic
        0.584125,  # coverage
        0.513619,  # rarest_covered
        0.406615,  # english
        2.542864,  # nearest_z
        0.017474,  # nearest_gap
    ),
    scale=(
        0.040726,  # evidence
        0.033122,  # evidence_gap
        0.21754,  # selection
        0.398828,  # agree
        0.157975,  # unknown_share
        1.824742,  # unknown_rare
        0.234434,  # unknown_named
        1.815058,  # unknown_topic
        0.248982,  # coverage
        0.499814,  # rarest_covered
        0.491202,  # english
        0.650032,  # nearest_z
        0.010355,  # nearest_gap
    ),
    coef=(
        1.477218,  # evidence
        -1.921039,  # evidence_gap
        0.933594,  # selection
        -0.421172,  # agree
        0.661434,  # unknown_share
        0.035029,  # unknown_rare
        -0.554157,  # unknown_named
        -1.430388,  # unknown_topic
        0.131196,  # coverage
        -0.100884,  # rarest_covered
        -0.230743,  # english
        1.510956,  # nearest_z
        -1.145502,  # nearest_gap
    ),
    low=(
        0.848418,  # evidence
        0.007263,  # evidence_gap
        0.055685,  # selection
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
        0.868416,  # selection
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
    intercept=0.368655,
    decline_below=0.001509,
    partial_below=0.405083,
)
