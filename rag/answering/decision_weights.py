"""Fitted weights of the answer/partial/decline decision (``rag.answering.decision``), written by
``python -m evals.train_decision``.

Fitted on 514 labelled questions (dev 104, dev_en 104, dev_hard 46, dev_setting 15, dev_unanswerable 63, independent 75, test 40, test2 67); logistic regression C=3.0, balanced classes.
Cut-offs: decline below 0.0017 (at most 0% of answerable questions below it),
partial below 0.4046 (at most 10% of unanswerable ones answered, at most
10% of answerable ones partial). Held out (5-fold, 4 shuffles, the cut-offs
chosen on the training folds only), per set: answerable declined / partial; unanswerable answered / declined:

    dev                n=104  0.000 / 0.041;  0.017 / 0.342
    dev_en             n=104  0.000 / 0.145;  0.133 / 0.167
    dev_hard           n= 46  0.022 / 0.158;    -   /   -  
    dev_setting        n= 15  0.000 / 0.050;  0.000 / 0.800
    dev_unanswerable   n= 63    -   /   -  ;  0.179 / 0.083
    independent        n= 75  0.000 / 0.120;  0.095 / 0.190
    test               n= 40  0.000 / 0.154;  0.042 / 0.333
    test2              n= 67  0.000 / 0.127;  0.071 / 0.000
    all                n=514  0.003 / 0.116;  0.112 / 0.180
"""

from rag.answering.decision import DecisionWeights

WEIGHTS = DecisionWeights(
    mean=(
        0.930807,  # evidence
        0.044608,  # evidence_gap
        0.430156,  # selection
        0.803502,  # agree
        0.100879,  # unknown_share
        1.274572,  # unknown_rare
        0.058366,  # unknown_named
        1.146848,  # unknown_topic
        0.591817,  # coverage
        0.533074,  # rarest_covered
        0.406615,  # english
        2.542864,  # nearest_z
        0.017474,  # nearest_gap
    ),
    scale=(
        0.041319,  # evidence
        0.033312,  # evidence_gap
        0.218312,  # selection
        0.397349,  # agree
        0.157975,  # unknown_share
        1.824742,  # unknown_rare
        0.234434,  # unknown_named
        1.815058,  # unknown_topic
        0.24798,  # coverage
        0.498905,  # rarest_covered
        0.491202,  # english
        0.650032,  # nearest_z
        0.010355,  # nearest_gap
    ),
    coef=(
        1.50817,  # evidence
        -1.931967,  # evidence_gap
        0.93907,  # selection
        -0.420606,  # agree
        0.649276,  # unknown_share
        0.06173,  # unknown_rare
        -0.549638,  # unknown_named
        -1.42715,  # unknown_topic
        0.136519,  # coverage
        -0.091511,  # rarest_covered
        -0.199455,  # english
        1.496995,  # nearest_z
        -1.116779,  # nearest_gap
    ),
    low=(
        0.848418,  # evidence
        0.006652,  # evidence_gap
        0.052579,  # selection
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
        1.035523,  # evidence
        0.142287,  # evidence_gap
        0.87831,  # selection
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
    intercept=0.371035,
    decline_below=0.001701,
    partial_below=0.40456,
)
