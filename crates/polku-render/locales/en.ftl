# The pictures' own texts in English: lane names, headings, legends.

## Lanes
lane-goals = Goals
lane-actions = Actions
lane-touchpoints = Touchpoints
lane-channels = Channels
lane-emotions = Emotions
lane-pain-points = Pain points
lane-moments = Moments of truth
lane-opportunities = Opportunities
lane-owners = Owners
lane-kpis = KPIs

## Map kind
kind-current = Current state
kind-future = Future state
kind-day-in-the-life = Day in the life

## Touchpoint kind
touchpoint-digital = Digital
touchpoint-physical = Physical
touchpoint-analog = Analog

## Opportunities
status-idea = Idea
status-planned = Planned
status-in-progress = In progress
status-done = Done
opportunity-value = Value
opportunity-effort = Effort

## KPIs
kpi-layer-user = User KPI
kpi-layer-traffic = Traffic KPI
kpi-layer-sales = Sales KPI
kpi-target = Target { $value }

## Header
header-persona = Persona
header-workspace = Workspace
header-improves = Improves

## Persona card
persona-label = Buyer persona
persona-role = Role
persona-age = Age
persona-education = Education
persona-reports-to = Reports to
persona-context = Context
persona-judged-by = Judged by
persona-goals = Goals
persona-dreams = Dreams
persona-problems = Problems and challenges
persona-behaviour = Ways of acting
persona-motives = Buying motives
persona-information-sources = Trusted sources
persona-social-channels = Social channels
persona-objections = Objections
customer-type-client = Long relationship
customer-type-customer = One-off buyer
customer-type-consumer = Repeat buyer

## Evidence
evidence-count = { $n ->
    [one] 1 source
   *[other] { $n } sources
}

## Legend
legend-cited = Based on evidence
legend-uncited = Assumption, no evidence
legend-emotion = Emotion –3…+3
legend-negative = negative
legend-neutral = neutral
legend-positive = positive

## Comparison
diff-title = Current and future state
diff-current = Current state
diff-future = Future state
diff-added = Added
diff-removed = Removed
diff-changed = Changed
diff-unchanged = Unchanged
diff-solved = Solved
diff-kept = Remains
diff-new-pain = New pain point
diff-stage-dropped = Stage dropped
diff-stage-new = New stage
diff-lane-emotions = Emotion curve
diff-lane-touchpoints = Touchpoints
diff-lane-pain-points = Pain points
diff-mean = mean
diff-count-added = { $n } added
diff-count-removed = { $n } removed
diff-count-changed = { $n } changed
diff-count-solved = { $solved }/{ $total } pain points solved
diff-field-name = name
diff-field-kind = kind
diff-field-channel = channel
diff-field-format = format
diff-field-owner = owner
diff-field-stage = stage
diff-field-emotion = emotion
diff-was = { $field }: { $after } (was { $before })
diff-renamed = was: { $before }
diff-no-changes = No changes

## Report
report-contents = Contents
report-personas = Buyer personas
report-maps = Journey maps
report-stages = Stages
report-teams = Teams
report-no-persona = No persona
report-map-for = Persona

## Charts
chart-no-data = No data for this chart.
chart-funnel = Funnel
chart-funnel-sub = { $first } at the first step; { $share } reach the last.
chart-funnel-continue = { $share } continue
chart-funnel-drop = { $n } drop off ({ $share })
chart-sankey = Paths
chart-sankey-sub = The most common paths of { $n } journeys; band width is the number of journeys.
chart-retention = Retention by cohort
chart-retention-sub = { $cohorts } cohorts by first { $unit }; the share still active in each later { $unit }.
chart-retention-cohort = Cohort
chart-retention-note = Columns: { $unit }s since the cohort's first. The number before the row is the cohort's size.
chart-unit-day = day
chart-unit-week = week
chart-unit-month = month
chart-breakpoints = Breakpoints: what to fix first
chart-breakpoints-sub = Where customers leave or linger more than expected, by value lost (customers lost × downstream conversion × average value).
chart-breakpoints-sub-customers = Where customers leave more than expected, by converted customers lost (the data has no values).
chart-breakpoints-none = No stage or touchpoint loses more customers than expected.
chart-breakpoints-left = { $reached } reached, { $rate } left
chart-breakpoints-expected = expected { $rate }
chart-breakpoints-customers = { $n } customers
chart-breakpoints-sub-currencies = Where customers leave more than expected, by converted customers lost: the values are in several currencies ({ $currencies }) and are not added up.
chart-breakpoints-before = previous period { $rate }
chart-breakpoints-others = other personas { $rate }
chart-breakpoints-flag-previous = above the previous period
chart-breakpoints-flag-personas = above the other personas
chart-breakpoints-flag-both = above both
chart-breakpoints-stall = in the stage { $now }, expected { $expected }
chart-breakpoints-slower = slower than expected
chart-breakpoints-no-persona = no persona
chart-distributions = Time and touchpoints to conversion
chart-distributions-sub = { $n } converted customers.
chart-days = days from first touch
chart-reference = surveys: { $share }
chart-time-to-conversion = Time from first touch to conversion
chart-touchpoints-before = Touchpoints before conversion
chart-month-or-more = a month or more: { $share }
chart-three-or-more = 3 or more: { $share }
chart-six-or-more = 6 or more: { $share }
chart-emotion = Emotion curve from interviews
chart-emotion-sub = Mean score per stage with a band of one standard deviation; up to { $n } interviews per stage.
chart-emotion-unbacked = no interviews
chart-emotion-n = { $n ->
    [one] 1 interview
   *[other] { $n } interviews
}
chart-emotion-mean = Interviews, mean
chart-emotion-spread = Spread ± 1 sd
chart-emotion-map = The map's own scores

## Measured map
lane-measured = Measured
data-reached = { $n } customers
data-conversion = { $share } to next stage
data-drop = { $share } drop off
data-events = { $count ->
    [one] 1 event
   *[other] { $n } events
}
data-trend = { $share } vs previous period
data-unbound = not measured
evidence-interviews = { $count ->
    [one] 1 interview
   *[other] { $n } interviews
}
evidence-rows = { $count ->
    [one] 1 data row
   *[other] { $n } data rows
}
evidence-none = no evidence
header-measured = Measured
legend-interview-mean = Interviews, mean
legend-interview-spread = Spread ± 1 sd
legend-map-emotion = Map scores

## Living map report
report-living-map = Living map
report-measured-journey = Measured journey
report-period = Period
report-persona = Persona
report-all-personas = all customers
report-events = Events
report-customers = Customers
report-touchpoint = Touchpoint
report-stage = Stage
report-reached = Reached
report-conversion = To next stage
report-drop-off = Drop-off
report-trend = Trend
report-no-events = No events have been imported yet: run `polku import events FILE` and build the report again.
report-unbound = No touchpoint of this map has `match` rules, so it is not measured.
report-unmatched = { $n } of { $total } events match no touchpoint of this map.
report-interviews = Interviews
report-not-measured = not measured
## Attribution
attribution-title = Attribution by model
attribution-share-conversions = Each channel's share of the conversions credited by each model
attribution-share-value = Each channel's share of the conversion value credited by each model
attribution-empty = No conversions to attribute
attribution-model-first = First touch
attribution-model-last = Last touch
attribution-model-last-non-direct = Last non-direct touch
attribution-model-linear = Linear
attribution-model-time-decay = Time decay
attribution-model-position = Position-based
attribution-model-markov = Markov (removal effect)
attribution-model-shapley = Shapley
attribution-model-shapley-ordered = Ordered Shapley
attribution-model-fractribution = Fractribution
attribution-model-survey = Self-reported (survey)
attribution-channel = Channel
attribution-total = Total
attribution-summary = { $journeys } journeys, { $conversions } conversions ({ $conversion }). A touch is a visit, named by its channel group; journeys that did not convert count for the data-driven models.
attribution-conversions-caption = Conversions credited to each channel by each model
attribution-spend = Spend
attribution-leads = Leads
attribution-cost-per-lead = Per lead
attribution-cpa-caption = Ad spend of the period and cost per conversion (CPA) under each model
attribution-roas-caption = Return on ad spend (ROAS) under each model: credited conversion value per unit of spend
attribution-spend-persona = Spend is each channel's whole ad spend; the credit is that of the persona's journeys only.
attribution-no-paths = No conversion in the period has a touch before it, so there is nothing to attribute.
attribution-answers = Answers
attribution-answer-share = Said
attribution-agreement = Agreement
attribution-survey-caption = Self-reported against tracked: the share of survey respondents who named each channel ("how did you hear about us?") beside each model's share of the credit; agreement is the share of credit that falls where respondents said they came from
