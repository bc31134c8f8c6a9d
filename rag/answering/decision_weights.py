"""Fitted weights of the answer/partial/decline decision (``rag.answering.decision``), written by
``python -m evals.train_decision``.

Fitted on 514 labelled questions (dev 104, dev_en 104, dev_hard 46, dev_setting 15, dev_unanswerable 63, independent 75, test 40, test2 67); logistic regression C=0.3, balanced classes.
Cut-offs: decline below 0.0898 (at most 1% of answerable questions below it),
partial below 0.3285 (at most 10% of unanswerable ones answered, at most
10% of answerable ones partial). Held out (5-fold, 4 shuffles, the cut-offs
chosen on the training folds only), per set: answerable declined / partial; unanswerable answered / declined:

    dev                n=104  0.014 / 0.047;  0.142 / 0.292
    dev_en             n=104  0.014 / 0.088;  0.442 / 0.075
    dev_hard           n= 46  0.000 / 0.185;    -   /   -  
    dev_setting        n= 15  0.000 / 0.100;  0.000 / 0.800
    dev_unanswerable   n= 63    -   /   -  ;  0.437 / 0.111
    independent        n= 75  0.051 / 0.116;  0.190 / 0.262
    test               n= 40  0.007 / 0.103;  0.500 / 0.000
    test2              n= 67  0.000 / 0.123;  0.071 / 0.071
    all                n=514  0.014 / 0.104;  0.314 / 0.169
"""

from rag.answering.decision import DecisionWeights

WEIGHTS = DecisionWeights(
    mean=(
        0.911467,  # evidence
        0.045437,  # evidence_gap
        0.387442,  # selection
        0.821012,  # agree
        0.104033,  # unknown_share
        1.2843,  # unknown_rare
        0.044747,  # unknown_named
        1.128074,  # unknown_topic
        0.572498,  # coverage
        0.513619,  # rarest_covered
        0.406615,  # english
    ),
    scale=(
        0.073704,  # evidence
        0.036111,  # evidence_gap
        0.209332,  # selection
        0.383343,  # agree
        0.165117,  # unknown_share
        1.789916,  # unknown_rare
        0.206748,  # unknown_named
        1.774518,  # unknown_topic
        0.256522,  # coverage
        0.499814,  # rarest_covered
        0.491202,  # english
    ),
    coef=(
        0.313865,  # evidence
        -0.833404,  # evidence_gap
        0.918057,  # selection
        -0.364792,  # agree
        0.062198,  # unknown_share
        -0.051018,  # unknown_rare
        -0.371503,  # unknown_named
        -0.895414,  # unknown_topic
        0.103521,  # coverage
        0.06578,  # rarest_covered
        0.214918,  # english
    ),
    intercept=0.190338,
    decline_below=0.089754,
    partial_below=0.328464,
)
