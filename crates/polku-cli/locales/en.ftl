# The words of polku's analysis commands in English: table output and notes on standard
# error. CSV and JSON never use these.

## Shared

unit-day = d
unit-customers = customers
unit-sessions = sessions
kind-stage = stage
kind-touchpoint = touchpoint
kind-channel = channel
note-no-events = note: the workspace has no events yet (import some with `polku import`)
note-step-missing = note: step `{ $step }` is no event name in the data and no touchpoint or stage id of a map with `match` rules, so it counts 0
note-step-missing-period = note: step `{ $step }` is no event name in the data of the period and no touchpoint or stage id of a map with `match` rules, so it counts 0
note-map-unbound = note: map `{ $map }` has no match rules, so no event belongs to its touchpoints or stages (add `match:` rules to its touchpoints; see docs/workspace-format.md)
note-unmatched = note: { $unmatched } of { $events } events match no touchpoint of map `{ $map }`: { $listed }

## funnel

funnel-step = step
funnel-of-first = of first
funnel-of-previous = of previous
funnel-median-time = median time
funnel-order = order: { $order }, { $window }
funnel-order-ordered = ordered
funnel-order-strict = strict
funnel-order-any = any
funnel-no-window = no window
funnel-window = window { $window }

## breakpoints

bp-where = where
bp-persona = persona
bp-owner = owner
bp-reached = reached
bp-drop-off = drop-off
bp-before = before
bp-others = others
bp-baseline = baseline
bp-time = time in stage
bp-stalled = { $now }, slow (expected { $expected })
bp-lost = lost
bp-value-lost = value lost
bp-value-lost-in = value lost ({ $currency })
bp-customers-lost = customers lost
bp-na = n/a
bp-all = all
bp-flag-previous = previous
bp-flag-personas = personas
bp-flag-both = both
bp-heading = { $map }: { $from } to { $to } against { $base-from } to { $base-to }
bp-heading-personas = { $map }: { $from } to { $to } against { $base-from } to { $base-to } and against the other personas
bp-legend = before: the same customers' drop-off in the baseline period; others: everyone else's in the period; baseline: which of them the drop-off exceeds by more than chance; time in stage: the median time of the customers who went on, marked slow when it stalls against a baseline
bp-value-formula = value lost = lost × downstream conversion × average value (overall { $value })
bp-value-formula-persona = value lost = lost × downstream conversion × average value (per persona; overall { $value })
bp-currencies = conversion values are in several currencies ({ $currencies }) and are not added up: value lost is in converted customers
bp-no-values = the data has no values: value lost is in converted customers

## abtest

ab-variant = variant
ab-customers = customers
ab-converted = converted
ab-rate = rate
ab-interval = 95 % interval
ab-test-z-test = z-test
ab-test-chi-square = chi-square
ab-statistic = { $test }: statistic { $statistic }, p = { $p }
ab-crossed-over = { $count ->
    [one] { $n } customer saw more than one variant (counted in their first)
   *[other] { $n } customers saw more than one variant (counted in their first)
}
ab-too-small = The sample is too small to tell the variants apart: every variant needs at least { $min } customers and 5 expected conversions and non-conversions.
ab-differ = The variants differ (p = { $p }, two-sided): { $best } converts best.
ab-no-difference = No significant difference between the variants (p = { $p }, two-sided).
ab-no-test = No test: the variants have no customers or no variation.

## kpis

kpi-traffic = traffic
kpi-user = user
kpi-sales = sales
kpi-page-views = page views
kpi-visits = visits
kpi-visitors = visitors
kpi-new = new
kpi-returning = returning
kpi-visit-frequency = visits/visitor
kpi-ctr = CTR
kpi-avg-visit = avg visit
kpi-subscriptions = subscriptions
kpi-comments = comments
kpi-leads = leads
kpi-converted = converted
kpi-lead-quality = lead quality
kpi-conversions = conversions
kpi-value = value
kpi-spend = spend
kpi-cost-per-lead = cost/lead
kpi-roas = ROAS

## attribution

at-summary = { $journeys } journeys, { $conversions } conversions ({ $conversion }), value { $value }; touches: { $touches }
at-touches-channel = visits by channel group
at-touches-touchpoint = touchpoints
at-lookback = , look-back { $lookback }
at-persona = ; persona { $persona } only
at-conversions = CONVERSIONS
at-value = VALUE
at-total = total
at-empty = { $rows } rows without a channel left out ({ $conversions } conversions, value { $value })
at-costs = COSTS
at-spend = spend
at-leads = leads
at-per-lead = per lead
at-cpa = CPA { $model }
at-roas = ROAS
at-spend-persona = (spend is each channel's whole ad spend, set against the credit of persona { $persona }'s journeys: the cost table has no customers)
at-self-reported = SELF-REPORTED
at-answers = answers
at-share = share
at-agreement = agreement
at-agreement-legend = (agreement: the share of credit that falls where respondents said they came from, sum over channels of the smaller of the two shares)

## paths

paths-path = path
paths-journeys = journeys
paths-share = share
paths-other = other
paths-total = { $n ->
    [one] { $n } journey
   *[other] { $n } journeys
}
paths-what-event = event name
paths-what-channel = channel group
paths-what-touchpoint = touchpoint of map `{ $map }`
paths-what-stage = stage of map `{ $map }`
paths-what-node = node
note-paths-no-start = note: `{ $name }` is no { $what } of the events counted, so no path starts from it (--node event|channel|touchpoint|stage says what the nodes are)
note-paths-no-end = note: `{ $name }` is no { $what } of the events counted, so no path ends at it (--node event|channel|touchpoint|stage says what the nodes are)

## stages

stages-heading = { $map }: { $customers } customers
stages-stage = stage
stages-reached = reached
stages-to-next = to next
stages-drop-off = drop-off
stages-median-time = median time in stage
stages-moves = moves between stages (row: from, column: to)
stages-backward = { $n ->
    [one] { $n } backward move
   *[other] { $n } backward moves
}
stages-unmatched = { $unmatched } of { $events } events match no touchpoint: { $listed }
note-stages-unmatched = note: { $unmatched } of { $events } events match no touchpoint of the map

## retention and repeat

retention-cohort = cohort
repeat-customers = repeat customers
repeat-rate = repeat rate

## personas

personas-none = no persona
personas-rules = rules
personas-wrote = wrote { $file }
suggest-heading = { $customers } customers in { $k } segments (seed { $seed }
suggest-silhouette = , silhouette { $silhouette }
suggest-segment = segment
suggest-segment-n = segment { $segment }
suggest-label = label
suggest-trait = { $feature } = { $value }: { $share } of the segment, { $all } of all
suggest-no-traits = no value sets it apart; it differs in its numbers

## interviews

interviews-heading = { $map }: { $interviews } interviews
interviews-heading-persona = { $map }: { $interviews } interviews of { $persona }
interviews-interviews = interviews
interviews-emotion = emotion
interviews-spread = spread
interviews-touchpoints = touchpoints mentioned
interviews-successes = went well
interviews-joys = delighted
interviews-failures = failed
interviews-elsewhere = { $n ->
    [one] { $n } interview step names a stage that is not on the map
   *[other] { $n } interview steps name a stage that is not on the map
}

## segments and stats

note-persona-no-rules = note: persona `{ $persona }` has no rules, so every customer on its map is listed
stats-events = events
stats-from = from
stats-to = to
stats-by-source = by source
stats-by-channel = by channel group
stats-cost-rows = cost rows
stats-survey = survey
stats-answers = { $n ->
    [one] { $n } answer
   *[other] { $n } answers
}
stats-interviews = interviews
stats-imports = imports

## distributions

dist-heading = { $converted } customers converted ({ $conversion })
dist-time = time to conversion
dist-touchpoints = touchpoints before
dist-month = a month or more
dist-three = 3 or more touchpoints
dist-six = 6 or more touchpoints
dist-here = here
dist-seeds = in the seed surveys

## collected events

note-collected-refused = { $n ->
    [one] note: { $n } collected message was refused; it is in .polku/spool/rejected-*.ndjson
   *[other] note: { $n } collected messages were refused; they are in .polku/spool/rejected-*.ndjson
}
