"""Fitted weights of the answer/partial/decline decision (``rag.answering.decision``), written by
``python -m evals.train_decision``.

Fitted on 514 labelled questions (dev 104, dev_en 104, dev_hard 46, dev_setting 15, dev_unanswerable 63, independent 75, test 40, test2 67); logistic regression C=0.3, balanced classes.
Cut-offs: decline below 0.0539 (at most 0% of answerable questions below it),
partial below 0.3735 (at most 10% of unanswerable ones answered, at most
10% of answerable ones partial). Held out (5-fold, 4 shuffles, the cut-offs
chosen on the training folds only), per set: answerable declined / partial; unanswerable answered / declined:

    dev                n=104  0.003 / 0.064;  0.008 / 0.308
    dev_en             n=104  0.003 / 0.152;  0.317 / 0.067
    dev_hard           n= 46  0.022 / 0.147;    -   /   -  
    dev_setting        n= 15  0.000 / 0.000;  0.200 / 0.750
    dev_unanswerable   n= 63    -   /   -  ;  0.325 / 0.111
    independent        n= 75  0.019 / 0.106;  0.143 / 0.214
    test               n= 40  0.007 / 0.110;  0.333 / 0.250
    test2              n= 67  0.000 / 0.118;  0.071 / 0.000
    all                n=514  0.008 / 0.112;  0.220 / 0.166
"""

from rag.answering.decision import DecisionWeights

WEIGHTS = DecisionWeights(
    mean=(
        0.911495,  # evidence
        0.044828,  # evidence_gap
        0.406881,  # selection
        0.791829,  # agree
        0.10874,  # unknown_share
        1.314786,  # unknown_rare
        0.054475,  # unknown_named
        1.187062,  # unknown_topic
        0.57855,  # coverage
        0.513619,  # rarest_covered
        0.406615,  # english
    ),
    scale=(
        0.074101,  # evidence
        0.03617,  # evidence_gap
        0.215912,  # selection
        0.406,  # agree
        0.171824,  # unknown_share
        1.827715,  # unknown_rare
        0.226952,  # unknown_named
        1.820871,  # unknown_topic
        0.255606,  # coverage
        0.499814,  # rarest_covered
        0.491202,  # english
    ),
    coef=(
        0.763315,  # evidence
        -1.029809,  # evidence_gap
        0.856542,  # selection
        -0.311279,  # agree
        0.114057,  # unknown_share
        0.028898,  # unknown_rare
        -0.43106,  # unknown_named
        -0.958515,  # unknown_topic
        0.214854,  # coverage
        -0.054845,  # rarest_covered
        0.304689,  # english
    ),
    intercept=0.174467,
    decline_below=0.053926,
    partial_below=0.37345,
)
