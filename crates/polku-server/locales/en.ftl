# The workbench's own words in English. Texts users write are shown as they are.
login-title = Sign in
login-username = User name
login-password = Password
login-submit = Sign in
login-failed = Wrong user name or password.
login-rate-limited = Too many failed sign-ins. Wait a few minutes and try again.
nav-overview = Overview
nav-personas = Personas
nav-maps = Maps
nav-compare = Current vs future
nav-dashboards = Dashboards
nav-users = Users
nav-logout = Sign out
role-viewer = viewer
role-editor = editor
role-admin = admin
error-title = Something went wrong
overview-counts =
    { $personas ->
        [one] { $personas } persona
       *[other] { $personas } personas
    }, { $maps ->
        [one] { $maps } map
       *[other] { $maps } maps
    }, { $imports ->
        [one] { $imports } data import
       *[other] { $imports } data imports
    }
overview-data = Data
overview-imports = { $rows } rows imported; latest import { $last }.
overview-warnings = The workspace has { $n ->
        [one] { $n } finding
       *[other] { $n } findings
    } to look at:
no-data = No data imported yet
no-data-hint = Import events from web analytics, CRM or ad platforms to see funnels, paths, retention and breakpoints here. On the command line:
action-edit = Edit
action-save = Save
action-cancel = Cancel
action-remove = Remove
action-print = Print view
action-back = Back
version = Version
saved = Saved.
one-per-line = (one per line)
persona-name = Name
persona-summary = Summary
persona-quote = Quote
persona-age = Age
persona-education = Education
persona-role = Role
persona-reports_to = Reports to
persona-context = Context
persona-goals = Goals
persona-dreams = Dreams
persona-problems = Problems and challenges
persona-behaviour = Ways of acting
persona-motives = Motives
persona-judged_by = How their work is judged
persona-information_sources = Trusted information sources
persona-social_channels = Social channels
persona-objections = Objections
col-map = Map
col-persona = Persona
col-kind = Kind
col-stages = Stages
col-role = Role
kind-current = current state
kind-future = future state
kind-day-in-the-life = day in the life
map-title = Title
lane-owner = Owner
lane-goals = Goals
lane-actions = Actions
lane-pain_points = Pain points
lane-moments_of_truth = Moments of truth
lane-opportunities = Opportunities
lane-touchpoints = Touchpoint
lane-emotion = Emotion
none = (none)
owner-of-stage = (stage owner)
add-from-catalogue = Add from the catalogue…
drop-here = Drop touchpoints from the catalogue here
catalogue = Touchpoint catalogue
drag-hint = Drag a touchpoint onto a stage, then save.
compare-none = No future-state map says which map it improves (`improves:`).
all-personas = All personas
filter-from = From
filter-to = To
filter-apply = Show
dash-living = Living map
dash-funnel = Stage funnel
dash-sankey = Paths
dash-retention = Retention by weekly cohort (%)
dash-attribution = Attribution by model: the channels before each conversion
dash-breakpoints = Breakpoints: what to fix first
dash-backward = { $n } backward moves between stages; { $customers } customers.
dash-other = other paths
dash-flows = Flows between steps (Sankey)
living-unbound = not measured (no match rules)
living-events = events
living-unmatched = { $n } of { $all } events match no touchpoint of this map.
col-stage = Stage
col-reached = reached
col-to-next = to next stage
col-drop-off = drop-off
col-median-time = median time in stage
col-path = Path
col-journeys = Journeys
col-from = From
col-to = To
col-cohort = Cohort
col-where = Where
col-owner = Owner
col-left = Left / reached
col-expected = Expected
col-value-lost = Value lost
users-add = Add a user
unsaved-input = Your input that was not saved
error-stale = { $file } was changed by someone else since you opened it; nothing was saved. The form now shows the current version; your input is listed below so you can make your change again.
error-forbidden = Your role may not do this: editing needs the editor role, managing users the admin role.
error-rejected = The change was not saved: it would leave these errors in the workspace.
error-unauthenticated = Sign in first.
