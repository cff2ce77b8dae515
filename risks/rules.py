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

# ВПР far above the school's ОГЭ in the same subject and year: mean marks apart by at least this.
VPR_OVER_OGE_MARKS = Decimal("0.8")

# Self-diagnosis: answers 1…4 («совсем не про нас» … «точно про нас»), mean per factor.
SELF_MEDIUM_FROM = Decimal("2")
SELF_HIGH_FROM = Decimal("3")

# Language barriers: below this share of non-native speakers the factor is low whatever the results.
LANGUAGE_MIN_NON_NATIVE = Decimal("5")
