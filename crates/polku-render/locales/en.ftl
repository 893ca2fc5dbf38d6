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
