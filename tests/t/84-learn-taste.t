#!/bin/bash
# 84-learn-taste.t - 82-learn's protocol with the opposite taste (beat
# music and flashes liked, shouting and rapid cuts disliked) on other
# streams (seed 60), so the learner is not tuned to one taste.  Before
# kc-train used exact splits and a leaf penalty, this case got 5/8.
export KC_TEST_LIKE=${KC_TEST_LIKE:-'["music","flash"]'}
export KC_TEST_DISLIKE=${KC_TEST_DISLIKE:-'["shout","cuts"]'}
export KC_TEST_SEED=${KC_TEST_SEED:-60}
. "$KC_ROOT/tests/t/82-learn.t"
