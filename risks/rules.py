"""Every threshold of the objectivity signals and of the self-diagnosis, in one place.

The figures follow the practice of the regional objectivity monitoring (ФИС ОКО «Признаки
необъективности»): a school is flagged for a look when it stands well apart from its
municipality; they are starting values a department may tune here, not norms of a document.
"""

from __future__ import annotations

from decimal import Decimal

# Groups of fewer participants are ignored by every signal and every data-scored factor (DESIGN.md §7).
MIN_GROUP = 10

# «Повысили» (ВПР mark above the journal mark): the school's share minus the municipality's,
# in percentage points, and the school's own share at least this.
RAISED_MARGIN_PP = Decimal("15")
RAISED_MIN_SHARE = Decimal("20")
# …and not explained by chance (issue #19: 3 of 10 raised used to be enough): given the share
# raised in the rest of the municipality (at least MIN_GROUP pupils there), the exact binomial
# probability of that many or more raised among the school's pupils is below this. 3 of 10
# against 10 % elsewhere: 0,07 — no signal; 6 of 12 against 5 %: 0,0002 — a signal.
RAISED_MAX_CHANCE = 0.01

# ВПР and the journal apart by 2 marks or more (either way): share of participants and count.
GAP_MIN_MARKS = 2
GAP_MIN_SHARE = Decimal("5")
GAP_MIN_COUNT = 2

# A peak at a mark boundary: the count at the boundary score at least PEAK_RATIO times the mean
# of its neighbours (b − 2 … b + 2 without b), and at least PEAK_MIN_COUNT participants at it.
PEAK_RATIO = Decimal("2.5")
PEAK_MIN_COUNT = 5
# …and unlikely by chance: given the share of all the year's participants of the slice with that
# score, the binomial probability of the school having that many or more there is below this.
# Chosen by simulation (classes of 25, a smooth distribution vs six pupils pushed onto the «3»
# boundary): about 0,2 % of smooth slices flagged, about 70 % of pushed ones. Local tests
# (neighbours alone) flagged 1–3 % of smooth slices: small classes are noisy.
PEAK_MAX_CHANCE = 0.001

# ВПР far above the school's ОГЭ in the same subject, by the same cohort: the ОГЭ of grade 9 in
# year Y against the school's ВПР of that cohort in an earlier year (grade 8 in Y − 1, 7 in
# Y − 2, …, 5 in Y − 4; the latest with a group): mean marks apart by at least this.
VPR_OVER_OGE_MARKS = Decimal("0.8")

# Easy tasks done worse than hard ones (the Рособрнадзор marker): completion of the tasks of
# advanced and high difficulty minus that of the basic ones, in percentage points, at least this.
# Usually the basic tasks are done far better (70 % against 30 % is common).
EASY_BELOW_HARD_PP = Decimal("5")

# Self-diagnosis: answers 1…4 («совсем не про нас» … «точно про нас»), mean per factor.
SELF_MEDIUM_FROM = Decimal("2")
SELF_HIGH_FROM = Decimal("3")

# Language barriers: below this share of non-native speakers the factor is low whatever the results.
LANGUAGE_MIN_NON_NATIVE = Decimal("5")
