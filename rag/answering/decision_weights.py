"""Fitted weights of the answer/partial/decline decision (``rag.answering.decision``), written by
``python -m evals.train_decision``.

Fitted on 514 labelled questions (dev 104, dev_en 104, dev_hard 46, dev_setting 15, dev_unanswerable 63, independent 75, test 40, test2 67); logistic regression C=0.1, balanced classes.
Cut-offs: decline below 0.1100 (at most 0% of answerable questions below it),
partial below 0.3844 (at most 10% of unanswerable ones answered, at most
10% of answerable ones partial). Held out (5-fold, 4 shuffles, the cut-offs
chosen on the training folds only), per set: answerable declined / partial; unanswerable answered / declined:

    dev                n=104  0.007 / 0.051;  0.067 / 0.375
    dev_en             n=104  0.010 / 0.142;  0.325 / 0.067
    dev_hard           n= 46  0.016 / 0.152;    -   /   -  
    dev_setting        n= 15  0.000 / 0.000;  0.200 / 0.800
    dev_unanswerable   n= 63    -   /   -  ;  0.417 / 0.115
    independent        n= 75  0.019 / 0.093;  0.190 / 0.190
    test               n= 40  0.000 / 0.125;  0.500 / 0.167
    test2              n= 67  0.000 / 0.108;  0.071 / 0.000
    all                n=514  0.009 / 0.105;  0.278 / 0.175
"""

from rag.answering.decision import DecisionWeights

WEIGHTS = DecisionWeights(
    mean=(
        0.911237,  # evidence
        0.044542,  # evidence_gap
        0.406033,  # selection
        0.793774,  # agree
        0.103748,  # unknown_share
        1.276965,  # unknown_rare
        0.042802,  # unknown_named
        1.138132,  # unknown_topic
        0.576834,  # coverage
        0.51751,  # rarest_covered
        0.406615,  # english
    ),
    scale=(
        0.073925,  # evidence
        0.035408,  # evidence_gap
        0.215889,  # selection
        0.404594,  # agree
        0.165685,  # unknown_share
        1.789368,  # unknown_rare
        0.202409,  # unknown_named
        1.780854,  # unknown_topic
        0.257188,  # coverage
        0.499693,  # rarest_covered
        0.491202,  # english
    ),
    coef=(
        0.530599,  # evidence
        -0.788107,  # evidence_gap
        0.728312,  # selection
        -0.265135,  # agree
        0.036358,  # unknown_share
        -0.200442,  # unknown_rare
        -0.383349,  # unknown_named
        -0.583225,  # unknown_topic
        0.137364,  # coverage
        -0.046253,  # rarest_covered
        0.181372,  # english
    ),
    intercept=0.145654,
    decline_below=0.110032,
    partial_below=0.384414,
)
