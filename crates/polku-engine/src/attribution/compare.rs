//! Several models side by side: over any [`PathSet`] ([`run_model`], [`select_models`]), and
//! over the workspace's journeys with the ad spend and survey rows set beside the credits
//! ([`Analytics::attribution`]).
//!
//! This is the one assembly of "all models over the workspace's journeys": `polku
//! attribution`, the HTML report and the web app's dashboard all call it, so that the three
//! show the same numbers for the same period and persona.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use polku_model::Workspace;

use super::fractribution;
use super::journeys::{
    ChannelCost, CostRow, DEFAULT_LEADS, JourneyLevel, JourneyQuery, SurveyComparison,
    WorkspacePaths, cost_report, survey_comparison,
};
use super::markov::{MarkovModel, MarkovResult, Transition};
use super::shapley::{self, ShapleyWorth};
use super::{AttributionError, Credits, Model, PathSet, Settings, attribute};
use crate::error::{AnalyticsError, Result};
use crate::session::{Analytics, TimeRange};

/// The models the report and the web app set side by side: the heuristic rules and the
/// data-driven ones, leaving out the variants whose credit repeats another's (ordered
/// Shapley's totals are Shapley's) or that hinge on a setting (last non-direct on which
/// channel is direct).
pub const OVERVIEW_MODELS: [Model; 8] = [
    Model::First,
    Model::Last,
    Model::Linear,
    Model::TimeDecay,
    Model::Position,
    Model::Markov,
    Model::Shapley,
    Model::Fractribution,
];

/// One entry of a model list: a model, or a group of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelPick {
    /// Every model the paths allow, in [`Model::ALL`] order.
    All,
    /// The [`OVERVIEW_MODELS`] the paths allow.
    Overview,
    /// One model.
    One(Model),
}

impl FromStr for ModelPick {
    type Err = AttributionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("all") {
            Ok(ModelPick::All)
        } else {
            s.parse().map(ModelPick::One)
        }
    }
}

impl fmt::Display for ModelPick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelPick::All => f.write_str("all"),
            ModelPick::Overview => f.write_str("overview"),
            ModelPick::One(m) => m.fmt(f),
        }
    }
}

impl Model {
    /// Whether the model needs journeys that did not convert: fractribution always, Shapley
    /// when a channel set is worth its conversion rate.
    #[must_use]
    pub fn needs_nulls(self, worth: ShapleyWorth) -> bool {
        self == Model::Fractribution
            || (self == Model::Shapley && worth == ShapleyWorth::ConversionRate)
    }
}

/// The models of a list, in the order given, each once; `all` (and the overview) expands in
/// place to every model (of the overview), leaving out those that need non-conversions when
/// the paths have none (`has_nulls`). Empty when the list is.
#[must_use]
pub fn select_models(picks: &[ModelPick], has_nulls: bool, worth: ShapleyWorth) -> Vec<Model> {
    let mut out: Vec<Model> = Vec::new();
    for pick in picks {
        let add: Vec<Model> = match pick {
            ModelPick::All | ModelPick::Overview => {
                let group: &[Model] = if *pick == ModelPick::All {
                    &Model::ALL
                } else {
                    &OVERVIEW_MODELS
                };
                group
                    .iter()
                    .copied()
                    .filter(|m| has_nulls || !m.needs_nulls(worth))
                    .collect()
            }
            ModelPick::One(m) => vec![*m],
        };
        for m in add {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    out
}

/// What a model reports beside its credits.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelDetails {
    /// Nothing more (the heuristic models and the simplified Shapley value).
    None,
    /// The solved chain.
    Markov {
        /// Removal effects, conversion probability and error bounds.
        result: Box<MarkovResult>,
        /// States of the chain, without the start.
        states: usize,
        /// The transition matrix, when asked for.
        transitions: Option<Vec<Transition>>,
    },
    /// Credit per position of the channel's first touch in the path.
    ShapleyOrdered {
        /// `[channel][position]` conversions.
        conversions_by_position: Vec<Vec<f64>>,
        /// `[channel][position]` value.
        value_by_position: Vec<Vec<f64>>,
    },
    /// The size of the transformed path summary.
    Fractribution {
        /// Paths after the transforms.
        transformed_paths: usize,
    },
}

/// One model's result.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRun {
    /// The model.
    pub model: Model,
    /// Conversions and value per channel, indexed as the paths' channels.
    pub credits: Credits,
    /// What the model reports beside the credits.
    pub details: ModelDetails,
}

/// Runs one model with its details; `transitions` keeps the Markov transition matrix.
///
/// # Errors
/// As [`attribute`].
pub fn run_model(
    paths: &PathSet,
    model: Model,
    settings: &Settings,
    transitions: bool,
) -> Result<ModelRun, AttributionError> {
    Ok(match model {
        Model::Markov => {
            let fitted = MarkovModel::fit(paths, &settings.markov)?;
            let result = fitted.solve()?;
            ModelRun {
                model,
                credits: result.credits.clone(),
                details: ModelDetails::Markov {
                    states: fitted.state_count(),
                    transitions: transitions.then(|| fitted.transition_matrix()),
                    result: Box::new(result),
                },
            }
        }
        Model::ShapleyOrdered => {
            let r = shapley::ordered(paths);
            ModelRun {
                model,
                credits: r.credits,
                details: ModelDetails::ShapleyOrdered {
                    conversions_by_position: r.conversions_by_position,
                    value_by_position: r.value_by_position,
                },
            }
        }
        Model::Fractribution => {
            let r = fractribution::fractribution(paths, &settings.fractribution)?;
            ModelRun {
                model,
                credits: r.credits,
                details: ModelDetails::Fractribution {
                    transformed_paths: r.summary.len(),
                },
            }
        }
        _ => ModelRun {
            model,
            credits: attribute(paths, model, settings)?,
            details: ModelDetails::None,
        },
    })
}

/// Attribution over the workspace's journeys: which journeys, which models, and what counts
/// as a lead for cost per lead.
#[derive(Debug, Clone)]
pub struct AttributionQuery {
    /// The journeys (map, conversion, level, look-back, period).
    pub journeys: JourneyQuery,
    /// The models, `all` expanding as [`select_models`] says.
    pub models: Vec<ModelPick>,
    /// The models' parameters.
    pub settings: Settings,
    /// The lead events; empty means [`DEFAULT_LEADS`].
    pub lead_events: Vec<String>,
    /// Keep the Markov transition matrix.
    pub transitions: bool,
}

impl AttributionQuery {
    /// What the report and the web app show: the [`OVERVIEW_MODELS`] with their default
    /// settings over channel-level journeys ending in the default conversion events, for
    /// the conversions in `range`.
    #[must_use]
    pub fn overview(range: TimeRange) -> Self {
        AttributionQuery {
            journeys: JourneyQuery {
                range,
                ..JourneyQuery::default()
            },
            models: vec![ModelPick::Overview],
            ..AttributionQuery::default()
        }
    }
}

impl Default for AttributionQuery {
    fn default() -> Self {
        AttributionQuery {
            journeys: JourneyQuery::default(),
            models: vec![ModelPick::All],
            settings: Settings::default(),
            lead_events: Vec::new(),
            transitions: false,
        }
    }
}

/// Every model over the workspace's journeys, with spend and survey answers beside them.
#[derive(Debug, Clone)]
pub struct WorkspaceAttribution {
    /// The journeys' paths and their summary.
    pub journeys: WorkspacePaths,
    /// One run per model, in the order of the query; empty when no journey has a touch.
    pub runs: Vec<ModelRun>,
    /// Spend and leads per channel group (channel level only).
    pub costs: Option<Vec<ChannelCost>>,
    /// Each model's credit against spend: cost per conversion, cost per lead, return on ad
    /// spend (channel level only).
    pub cost_rows: Option<Vec<CostRow>>,
    /// Respondents per channel they said they came from (channel level only).
    pub reported: Option<BTreeMap<String, u64>>,
    /// Those answers against each model's credit (channel level only).
    pub survey: Option<SurveyComparison>,
}

impl WorkspaceAttribution {
    /// Whether the cost table has spend for any channel in the period.
    #[must_use]
    pub fn has_spend(&self) -> bool {
        self.costs
            .as_ref()
            .is_some_and(|c| c.iter().any(|c| c.spend.is_some()))
    }

    /// Whether any respondent named a channel.
    #[must_use]
    pub fn has_answers(&self) -> bool {
        self.reported.as_ref().is_some_and(|r| !r.is_empty())
    }

    /// Each run as (model name, credits), as [`cost_report`] and [`survey_comparison`] take
    /// them.
    #[must_use]
    pub fn named(&self) -> Vec<(&'static str, &Credits)> {
        self.runs
            .iter()
            .map(|r| (r.model.name(), &r.credits))
            .collect()
    }
}

impl Analytics {
    /// Runs the models of `query` over the workspace's journeys, and at channel level sets
    /// their credit against the period's ad spend and leads and against the channels survey
    /// respondents named. When the session is restricted to a persona
    /// ([`Analytics::restrict_to_persona`]) the journeys, leads and answers are that
    /// persona's customers'; spend is the channel's whole spend (the cost table has no
    /// customers).
    ///
    /// # Errors
    /// As [`Analytics::conversion_paths`], and when a model fails (the message names it).
    pub fn attribution(
        &self,
        workspace: &Workspace,
        query: &AttributionQuery,
    ) -> Result<WorkspaceAttribution> {
        let journeys = self.conversion_paths(workspace, &query.journeys)?;
        let mut out = WorkspaceAttribution {
            runs: Vec::new(),
            costs: None,
            cost_rows: None,
            reported: None,
            survey: None,
            journeys,
        };
        let paths = &out.journeys.paths;
        if paths.is_empty() {
            return Ok(out);
        }
        let models = select_models(&query.models, paths.has_nulls(), query.settings.shapley);
        for model in models {
            let run = run_model(paths, model, &query.settings, query.transitions)
                .map_err(|e| AnalyticsError::invalid(format!("model {model}: {e}")))?;
            out.runs.push(run);
        }
        if query.journeys.level == JourneyLevel::Channel {
            let leads: Vec<String> = if query.lead_events.is_empty() {
                DEFAULT_LEADS.iter().map(|s| (*s).to_owned()).collect()
            } else {
                query.lead_events.clone()
            };
            let range = query.journeys.range;
            let costs = self.channel_costs(range, &leads, query.journeys.customers.as_deref())?;
            let reported = self.reported_channels(range)?;
            let named = out.named();
            let cost_rows = cost_report(paths.channel_names(), &named, &costs);
            let survey = survey_comparison(&reported, paths.channel_names(), &named);
            out.cost_rows = Some(cost_rows);
            out.survey = Some(survey);
            out.costs = Some(costs);
            out.reported = Some(reported);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picks(names: &str) -> Vec<ModelPick> {
        names.split(',').map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn all_expands_in_place_and_skips_what_needs_nulls() {
        let w = ShapleyWorth::Conversions;
        assert_eq!(
            select_models(&picks("markov,first"), true, w),
            [Model::Markov, Model::First]
        );
        let all = select_models(&picks("markov,all"), true, w);
        assert_eq!(all.len(), Model::ALL.len());
        assert_eq!(all[..2], [Model::Markov, Model::First]);
        let without = select_models(&picks("all"), false, w);
        assert!(!without.contains(&Model::Fractribution));
        assert!(without.contains(&Model::Shapley));
        let rate = select_models(&picks("all"), false, ShapleyWorth::ConversionRate);
        assert!(!rate.contains(&Model::Shapley));
        // A model named on its own is kept: running it says what it lacks.
        assert_eq!(
            select_models(&picks("fractribution"), false, w),
            [Model::Fractribution]
        );
        assert!(select_models(&[], true, w).is_empty());
        let overview = select_models(&[ModelPick::Overview], true, w);
        assert_eq!(overview, OVERVIEW_MODELS);
        assert_eq!(
            select_models(&[ModelPick::Overview], false, w),
            OVERVIEW_MODELS[..7]
        );
        assert!("nope".parse::<ModelPick>().is_err());
        assert_eq!("ALL".parse::<ModelPick>().unwrap(), ModelPick::All);
    }

    #[test]
    fn runs_carry_each_models_details() {
        let mut b = super::super::PathSetBuilder::new();
        b.add_named(["a", "b"], 3.0, 1.0, 30.0).unwrap();
        b.add_named(["b"], 1.0, 2.0, 10.0).unwrap();
        let paths = b.build();
        let s = Settings::default();
        for model in Model::ALL {
            let run = run_model(&paths, model, &s, true).unwrap();
            // The credits are the model's own, whatever the details.
            assert_eq!(
                run.credits,
                attribute(&paths, model, &s).unwrap(),
                "{model}"
            );
            assert!(
                (run.credits.total_conversions() - 4.0).abs() < 1e-9,
                "{model}"
            );
            match (model, &run.details) {
                (Model::Markov, ModelDetails::Markov { transitions, .. }) => {
                    assert!(transitions.as_ref().is_some_and(|t| !t.is_empty()));
                }
                (Model::ShapleyOrdered, ModelDetails::ShapleyOrdered { .. })
                | (Model::Fractribution, ModelDetails::Fractribution { .. }) => {}
                (m, ModelDetails::None) => assert!(
                    !matches!(
                        m,
                        Model::Markov | Model::ShapleyOrdered | Model::Fractribution
                    ),
                    "{m}"
                ),
                (m, d) => panic!("{m}: {d:?}"),
            }
        }
    }
}
