"""Fitted weights of the answer/partial/decline decision (``rag.answering.decision``), written by
``python -m evals.train_decision``.

Fitted on 514 labelled questions (dev 104, dev_en 104, dev_hard 46, dev_setting 15, dev_unanswerable 63, independent 75, test 40, test2 67); logistic regression C=3.0, balanced classes.
Cut-offs: decline below 0.0027 (at most 0% of answerable questions below it),
partial below 0.3676 (at most 10% of unanswerable ones answered, at most
10% of answerable ones partial). Held out (5-fold, 4 shuffles, the cut-offs
chosen on the training folds only), per set: answerable declined / partial; unanswerable answered / declined:

    dev                n=104  0.000 / 0.041;  0.017 / 0.308
    dev_en             n=104  0.000 / 0.189;  0.175 / 0.158
    dev_hard           n= 46  0.022 / 0.136;    -   /   -  
    dev_setting        n= 15  0.000 / 0.000;  0.050 / 0.800
    dev_unanswerable   n= 63    -   /   -  ;  0.246 / 0.103
    independent        n= 75  0.000 / 0.139;  0.143 / 0.202
    test               n= 40  0.000 / 0.118;  0.333 / 0.333
    test2              n= 67  0.000 / 0.137;  0.071 / 0.000
    all                n=514  0.003 / 0.122;  0.163 / 0.182
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
        2.54564,  # nearest_z
        0.017589,  # nearest_gap
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
        0.669741,  # nearest_z
        0.010982,  # nearest_gap
    ),
    coef=(
        2.114194,  # evidence
        -1.786684,  # evidence_gap
        0.841763,  # selection
        -0.412289,  # agree
        0.25821,  # unknown_share
        0.235102,  # unknown_rare
        -0.456206,  # unknown_named
        -1.297959,  # unknown_topic
        0.258049,  # coverage
        -0.072606,  # rarest_covered
        0.358139,  # english
        1.641116,  # nearest_z
        -1.168804,  # nearest_gap
    ),
    intercept=0.275195,
    decline_below=0.002695,
    partial_below=0.367611,
)
