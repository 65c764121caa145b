"""An example model plugin: a pair of unit vectors at an angle ``theta``, ``w ~ N(0, I)``.

The whole model is this package: the configuration type (:mod:`.configuration`, with its
file form ``from_dict``/``to_dict``), a sampler (:mod:`.sampler`), a Hypothesis strategy
(:mod:`.strategy`), a campaign task type (:mod:`.campaign_tasks`) and the record the
engines take (:mod:`.model`, ``ANGLE_PAIR``).  The example paper ``toy_paper`` names it in
its ``PAPER.model``; nothing in proofs-check changes.
"""
