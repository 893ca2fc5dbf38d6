//! The documents of a workspace: `polku.yaml`, personas and journey maps.
//!
//! These types are the YAML schema. Field names are the YAML keys; every struct refuses
//! unknown keys so that a typo is reported (with a suggestion) instead of silently ignored.
//! Optional and empty fields are left out when writing, which keeps files short and diffs small.

use serde::{Deserialize, Serialize};

use crate::event_match::EventMatch;
use crate::ids::{CatalogueId, MapId, PersonaId, StageId, TeamId, TouchpointId};
use crate::persona_rule::PersonaRule;
use crate::text::Cited;

/// The emotion scale of every score in a map: −3 (very negative) to +3 (very positive).
///
/// Seven steps are fine enough to tell "annoyed" from "furious" in interviews and coarse enough
/// that two people scoring the same quote agree. Zero is neutral.
pub const EMOTION_MIN: i8 = -3;
/// The upper end of the emotion scale; see [`EMOTION_MIN`].
pub const EMOTION_MAX: i8 = 3;

/// The lower end of the 1–5 scale used for an opportunity's value and effort.
pub const SCORE_MIN: u8 = 1;
/// The upper end of the 1–5 scale used for an opportunity's value and effort.
pub const SCORE_MAX: u8 = 5;

/// A language the product speaks: for texts, templates, stage names and number formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Finnish (`fi`).
    #[default]
    Fi,
    /// English (`en`).
    En,
}

impl Language {
    /// The language's ISO 639-1 code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Language::Fi => "fi",
            Language::En => "en",
        }
    }
}

impl std::str::FromStr for Language {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "fi" | "fin" | "finnish" | "suomi" => Ok(Language::Fi),
            "en" | "eng" | "english" => Ok(Language::En),
            other => Err(format!("unknown language `{other}`: use `fi` or `en`")),
        }
    }
}

/// `polku.yaml`: the workspace's name, language, stage set and teams.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceConfig {
    /// The workspace's name, usually the company or client.
    pub name: String,
    /// The language of the workspace's texts and of the pictures drawn from it.
    #[serde(default)]
    pub language: Language,
    /// The ordered stages every map uses unless it defines its own.
    pub stages: Vec<StageDef>,
    /// The teams that own stages, touchpoints and opportunities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<Team>,
    /// Rules that put traffic into channel groups before the built-in GA4-style grouping.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channel_groups: Vec<ChannelGroupRule>,
}

/// A workspace rule from `polku.yaml`'s `channel_groups`: traffic whose source, medium and
/// campaign meet every condition given goes to `group`.
///
/// Rules are tried in order before the built-in grouping, so a company's own names (a partner
/// portal, trade fairs, brand search) win over the generic ones. A list matches when any of
/// its entries does; texts compare case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelGroupRule {
    /// The channel group a matching event gets.
    pub group: String,
    /// Sources that match exactly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<String>,
    /// Mediums that match exactly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub medium: Vec<String>,
    /// Campaigns that match exactly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaign: Vec<String>,
    /// Texts the source contains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_contains: Vec<String>,
    /// Texts the medium contains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub medium_contains: Vec<String>,
    /// Texts the campaign contains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub campaign_contains: Vec<String>,
}

impl ChannelGroupRule {
    /// Whether the rule gives no condition at all (and would match everything).
    #[must_use]
    pub fn has_no_condition(&self) -> bool {
        self.source.is_empty()
            && self.medium.is_empty()
            && self.campaign.is_empty()
            && self.source_contains.is_empty()
            && self.medium_contains.is_empty()
            && self.campaign_contains.is_empty()
    }
}

/// One stage of the workspace's stage set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageDef {
    /// The stage's id, used by maps.
    pub id: StageId,
    /// The stage's display name.
    pub name: String,
    /// Which universal phase this stage belongs to; it selects the catalogue's touchpoint
    /// suggestions for the stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// A one-line description of the stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The five universal phases every stage variant maps onto.
///
/// Stage sets differ in wording and granularity ("awareness" vs "need recognition"), but the
/// touchpoints that fit a stage depend on its phase, so the catalogue is keyed by phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// The customer notices a need or the brand.
    Awareness,
    /// The customer searches, compares and evaluates.
    Consideration,
    /// The customer decides and buys.
    Purchase,
    /// The customer starts using, gets delivered, onboarded and served.
    Experience,
    /// The customer returns, renews and recommends.
    Loyalty,
}

impl Phase {
    /// Every phase in journey order.
    pub const ALL: [Phase; 5] = [
        Phase::Awareness,
        Phase::Consideration,
        Phase::Purchase,
        Phase::Experience,
        Phase::Loyalty,
    ];

    /// The phase's YAML name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Awareness => "awareness",
            Phase::Consideration => "consideration",
            Phase::Purchase => "purchase",
            Phase::Experience => "experience",
            Phase::Loyalty => "loyalty",
        }
    }
}

/// A team that owns the customer somewhere on the journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// The team's id, used by `owner` fields.
    pub id: TeamId,
    /// The team's display name.
    pub name: String,
    /// A colour for the team on posters, as `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// The three kinds of customer relationship; each has its own journey and loyalty measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CustomerType {
    /// A long relationship, typically B2B, measured by retention and renewal.
    Client,
    /// A one-off buyer, measured by satisfaction and recommendation.
    Customer,
    /// A repeat buyer of consumer goods, measured by repeat purchase.
    Consumer,
}

/// A buyer persona: a concrete description of one customer group, resting on evidence.
///
/// Every descriptive field may cite its evidence (see [`Cited`]), so a reader can tell what
/// rests on interviews, surveys or CRM data and what is still a guess.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// The persona's id; defaults to the file name without `.yaml`.
    #[serde(default, skip_serializing_if = "PersonaId::is_empty")]
    pub id: PersonaId,
    /// The persona's name, e.g. "HR-Hanna".
    pub name: String,
    /// One line that sums the persona up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// A sentence in the persona's own words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Cited>,
    /// The kind of relationship this customer group has with the company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_type: Option<CustomerType>,
    /// Age or age range, e.g. "35–45".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<Cited>,
    /// Education.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub education: Option<Cited>,
    /// Job title or role in the buying group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Cited>,
    /// Whom the persona reports to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reports_to: Option<Cited>,
    /// Company size, industry, household or other context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Cited>,
    /// How the persona's work or success is judged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub judged_by: Vec<Cited>,
    /// Goals.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<Cited>,
    /// Dreams: what the persona would love to reach.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dreams: Vec<Cited>,
    /// Problems and challenges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Cited>,
    /// Ways of acting: how the persona searches, decides and buys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub behaviour: Vec<Cited>,
    /// Motives behind buying.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub motives: Vec<Cited>,
    /// Information sources the persona trusts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub information_sources: Vec<Cited>,
    /// Social media channels the persona uses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub social_channels: Vec<Cited>,
    /// Objections the persona raises before buying.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objections: Vec<Cited>,
    /// Which customers of the data belong to the persona: one rule or a list; any may match.
    /// See [`PersonaRule`].
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::event_match::one_or_many"
    )]
    pub rules: Vec<PersonaRule>,
}

/// What a journey map describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MapKind {
    /// How the journey goes today.
    #[default]
    Current,
    /// How the journey should go; may name the current map it improves.
    Future,
    /// A day in the persona's life, of which the product is a small part.
    DayInTheLife,
}

impl MapKind {
    /// The kind's YAML name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            MapKind::Current => "current",
            MapKind::Future => "future",
            MapKind::DayInTheLife => "day-in-the-life",
        }
    }
}

/// A journey map: per stage, what the persona wants, does, meets and feels.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneyMap {
    /// The map's id; defaults to the file name without `.yaml`.
    #[serde(default, skip_serializing_if = "MapId::is_empty")]
    pub id: MapId,
    /// The map's title.
    pub title: String,
    /// The persona whose journey this is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persona: Option<PersonaId>,
    /// Current state, future state or day in the life.
    #[serde(default)]
    pub kind: MapKind,
    /// For a future map: the current map it improves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub improves: Option<MapId>,
    /// A short description of scope and purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The touchpoint that counts as the conversion when the map is measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversion: Option<TouchpointId>,
    /// The stages in journey order.
    pub stages: Vec<Stage>,
}

/// One stage column of a journey map.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// The stage: an id of the workspace's stage set, or a map-specific stage when `name` is set.
    pub stage: StageId,
    /// The stage's name on this map; required for a stage the workspace does not define.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The universal phase of a stage of the map's own (for catalogue suggestions); a
    /// workspace stage's phase comes from `polku.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// The team that owns the customer in this stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<TeamId>,
    /// The customer's goals and intents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<Cited>,
    /// What the customer does, in order; each step may carry an emotion score.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Step>,
    /// Where the customer meets the company.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub touchpoints: Vec<Touchpoint>,
    /// Pain points and friction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pain_points: Vec<Cited>,
    /// Moments that make or break the relationship.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moments_of_truth: Vec<Cited>,
    /// What is measured in this stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kpis: Vec<Kpi>,
    /// What could be improved, with value and effort.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opportunities: Vec<Opportunity>,
}

impl Stage {
    /// Whether the stage says nothing at all about the customer.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.goals.is_empty() && self.actions.is_empty() && self.touchpoints.is_empty()
    }

    /// The emotion scores of the stage in reading order: steps first, then touchpoints.
    pub fn emotions(&self) -> impl Iterator<Item = i8> + '_ {
        self.actions
            .iter()
            .filter_map(|a| a.emotion)
            .chain(self.touchpoints.iter().filter_map(|t| t.emotion))
    }

    /// The mean emotion of the stage, if anything in it is scored.
    #[must_use]
    pub fn mean_emotion(&self) -> Option<f64> {
        let (sum, n) = self
            .emotions()
            .fold((0i32, 0u32), |(s, n), e| (s + i32::from(e), n + 1));
        (n > 0).then(|| f64::from(sum) / f64::from(n))
    }
}

/// One thing the customer does in a stage.
///
/// Written as a plain string when it has no score or actors.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Step {
    /// What the customer does.
    pub text: String,
    /// How it feels, on the emotion scale.
    pub emotion: Option<i8>,
    /// Who takes part (Mermaid's actors).
    pub actors: Vec<String>,
    /// Evidence for the step.
    pub evidence: Vec<crate::text::EvidenceRef>,
}

/// The kind of a touchpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TouchpointKind {
    /// Web, email, social media, ads, chat, apps.
    #[default]
    Digital,
    /// Meetings, events, fairs, showrooms, stores, deliveries, packaging.
    Physical,
    /// Print, phone calls, letters, brochures, word of mouth.
    Analog,
}

impl TouchpointKind {
    /// The kind's YAML name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TouchpointKind::Digital => "digital",
            TouchpointKind::Physical => "physical",
            TouchpointKind::Analog => "analog",
        }
    }
}

/// A place where the customer meets the company.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Touchpoint {
    /// The touchpoint's id, unique within the map.
    pub id: TouchpointId,
    /// The touchpoint's name.
    pub name: String,
    /// Digital, physical or analog.
    #[serde(default)]
    pub kind: TouchpointKind,
    /// The channel, e.g. "LinkedIn", "email", "showroom".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The content format, e.g. "video", "guide", "case study".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The team that owns the touchpoint; defaults to the stage's owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<TeamId>,
    /// How the touchpoint feels, on the emotion scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emotion: Option<i8>,
    /// The catalogue entry this touchpoint was picked from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<CatalogueId>,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Evidence for the touchpoint.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<crate::text::EvidenceRef>,
    /// Which events are this touchpoint: any rule may match (see [`EventMatch`]). A single
    /// rule may be written without the list.
    #[serde(
        rename = "match",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::event_match::one_or_many"
    )]
    pub matches: Vec<EventMatch>,
}

/// The three layers of journey KPIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KpiLayer {
    /// What users do: click-through rate, time on site, subscriptions, comments.
    User,
    /// Traffic: referrals, lead quality, page views, unique visitors.
    Traffic,
    /// Sales: converted leads, cost per lead, return on spend.
    Sales,
}

/// A key performance indicator of a stage.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kpi {
    /// What is measured.
    pub name: String,
    /// The KPI layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<KpiLayer>,
    /// The target value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// The unit of the target, e.g. "%", "€", "min".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

/// Where an opportunity stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpportunityStatus {
    /// Proposed, not decided.
    #[default]
    Idea,
    /// Decided and scheduled.
    Planned,
    /// Being worked on.
    InProgress,
    /// Done.
    Done,
}

/// An improvement idea for a stage.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opportunity {
    /// What to do.
    pub title: String,
    /// The value to customers and business, 1 (low) to 5 (high).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<u8>,
    /// The effort, 1 (small) to 5 (large).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<u8>,
    /// The team that owns the work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<TeamId>,
    /// Where the work stands.
    #[serde(default)]
    pub status: OpportunityStatus,
}

impl WorkspaceConfig {
    /// The workspace stage with this id.
    #[must_use]
    pub fn stage(&self, id: &StageId) -> Option<&StageDef> {
        self.stages.iter().find(|s| &s.id == id)
    }

    /// The display name of a map's stage: its own `name`, else the workspace stage's name,
    /// else its id.
    #[must_use]
    pub fn stage_name<'a>(&'a self, stage: &'a Stage) -> &'a str {
        stage
            .name
            .as_deref()
            .or_else(|| self.stage(&stage.stage).map(|s| s.name.as_str()))
            .unwrap_or(stage.stage.as_str())
    }

    /// The phase of a map's stage: its own, else the workspace stage's.
    #[must_use]
    pub fn stage_phase(&self, stage: &Stage) -> Option<Phase> {
        stage
            .phase
            .or_else(|| self.stage(&stage.stage).and_then(|s| s.phase))
    }

    /// The team with this id.
    #[must_use]
    pub fn team(&self, id: &TeamId) -> Option<&Team> {
        self.teams.iter().find(|t| &t.id == id)
    }
}

impl Touchpoint {
    /// The team that owns the touchpoint: its own owner, else its stage's.
    #[must_use]
    pub fn owner_in<'a>(&'a self, stage: &'a Stage) -> Option<&'a TeamId> {
        self.owner.as_ref().or(stage.owner.as_ref())
    }
}

impl Persona {
    /// The single-valued facts as (YAML key, value), in the order a persona card shows them.
    #[must_use]
    pub fn facts(&self) -> [(&'static str, &Option<Cited>); 5] {
        [
            ("role", &self.role),
            ("age", &self.age),
            ("education", &self.education),
            ("reports_to", &self.reports_to),
            ("context", &self.context),
        ]
    }

    /// The list fields as (YAML key, items), in the order a persona card shows them.
    #[must_use]
    pub fn lists(&self) -> [(&'static str, &Vec<Cited>); 9] {
        [
            ("goals", &self.goals),
            ("problems", &self.problems),
            ("judged_by", &self.judged_by),
            ("dreams", &self.dreams),
            ("behaviour", &self.behaviour),
            ("motives", &self.motives),
            ("information_sources", &self.information_sources),
            ("social_channels", &self.social_channels),
            ("objections", &self.objections),
        ]
    }

    /// Every descriptive item of the persona: quote, facts, then list items.
    pub fn cited_items(&self) -> impl Iterator<Item = &Cited> {
        std::iter::once(&self.quote)
            .chain(self.facts().map(|(_, v)| v))
            .filter_map(Option::as_ref)
            .chain(self.lists().into_iter().flat_map(|(_, items)| items))
    }
}
