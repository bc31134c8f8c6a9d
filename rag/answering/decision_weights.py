"""Fitted weights of the answer/partial/decline decision (``rag.answering.decision``), written by
``python -m evals.train_decision``.

Fitted on 514 labelled questions (dev 104, dev_en 104, dev_hard 46, dev_setting 15, dev_unanswerable 63, independent 75, test 40, test2 67); logistic regression C=0.1, balanced classes.
Cut-offs: decline below 0.0998 (at most 0% of answerable questions below it),
partial below 0.3882 (at most 10% of unanswerable ones answered, at most
10% of answerable ones partial). Held out (5-fold, 4 shuffles, the cut-offs
chosen on the training folds only), per set: answerable declined / partial; unanswerable answered / declined:

    dev                n=104  0.007 / 0.047;  0.067 / 0.350
    dev_en             n=104  0.007 / 0.145;  0.308 / 0.067
    dev_hard           n= 46  0.000 / 0.168;    -   /   -  
    dev_setting        n= 15  0.000 / 0.000;  0.200 / 0.800
    dev_unanswerable   n= 63    -   /   -  ;  0.409 / 0.099
    independent        n= 75  0.037 / 0.083;  0.190 / 0.226
    test               n= 40  0.000 / 0.125;  0.500 / 0.167
    test2              n= 67  0.000 / 0.104;  0.071 / 0.000
    all                n=514  0.009 / 0.105;  0.272 / 0.169
"""

from rag.answering.decision import DecisionWeights

WEIGHTS = DecisionWeights(
    mean=(
        0.911237,  # evidence
        0.044542,  # evidence_gap
        0.406033,  # selection
        0.793774,  # agree
        0.105214,  # unknown_share
        1.294358,  # unknown_rare
        0.048638,  # unknown_named
        1.138132,  # unknown_topic
        0.577605,  # coverage
        0.51751,  # rarest_covered
        0.406615,  # english
    ),
    scale=(
        0.073925,  # evidence
        0.035408,  # evidence_gap
        0.215889,  # selection
        0.404594,  # agree
        0.166151,  # unknown_share
        1.795324,  # unknown_rare
        0.21511,  # unknown_named
        1.780854,  # unknown_topic
        0.25677,  # coverage
        0.499693,  # rarest_covered
        0.491202,  # english
    ),
    coef=(
        0.530899,  # evidence
        -0.774313,  # evidence_gap
        0.724009,  # selection
        -0.263661,  # agree
        0.05325,  # unknown_share
        -0.179206,  # unknown_rare
        -0.323044,  # unknown_named
        -0.620111,  # unknown_topic
        0.125809,  # coverage
        -0.038523,  # rarest_covered
        0.17866,  # english
    ),
    intercept=0.156831,
    decline_below=0.099792,
    partial_below=0.388172,
)
