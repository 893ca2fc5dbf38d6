//! Multi-touch attribution over aggregated paths.
//!
//! Input is a [`PathSet`]: unique channel paths with conversion, non-conversion ("null") and
//! value counts. Every model returns [`Credits`]: conversions and value per channel, summing to
//! the set's totals (up to floating point).
//!
//! | model | module | idea |
//! |---|---|---|
//! | first, last, last non-direct, linear, time decay, position-based | [`heuristic`] | fixed rules per path |
//! | Markov of order 1–4 | [`markov`] | removal effect in an absorbing chain, solved exactly |
//! | Shapley, ordered Shapley | [`shapley`] | Shapley value of a game on channel sets (Zhao et al.) |
//! | fractribution | [`fractribution`] | Snowplow's counterfactual path-level method |
//!
//! Paths come from path files ([`read_path_file`]) or from the workspace's events
//! ([`Analytics::conversion_paths`](crate::Analytics::conversion_paths), in [`journeys`], which
//! also joins ad spend and self-reported channels).
//!
//! [`attribute`] runs one model by name with [`Settings`]; the modules offer the full results
//! (removal effects, transition matrix, per-position credit, path summaries). [`compare`]
//! runs several side by side, and over the workspace's journeys
//! ([`Analytics::attribution`](crate::Analytics::attribution)) sets them against spend and
//! survey answers: the command line, the report and the web app all go through it.

pub mod compare;
pub mod fractribution;
pub mod heuristic;
pub mod journeys;
pub mod markov;
pub mod paths;
pub mod shapley;

mod chain;

use std::fmt;
use std::str::FromStr;

pub use compare::{
    AttributionQuery, ModelDetails, ModelPick, ModelRun, OVERVIEW_MODELS, WorkspaceAttribution,
    run_model, select_models,
};
pub use fractribution::{FractributionOptions, PathTransform};
pub use heuristic::PositionShares;
pub use journeys::{JourneyLevel, JourneyQuery, WorkspacePaths};
pub use markov::{MarkovModel, MarkovOptions, MarkovResult};
pub use paths::{
    ChannelId, EmptyPaths, PathFileFormat, PathRef, PathSet, PathSetBuilder, read_path_file,
    read_paths,
};
pub use shapley::ShapleyWorth;

/// Errors of attribution.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttributionError {
    /// A path file could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Malformed CSV (the message carries the line).
    #[error("{file}: {message}")]
    Csv {
        /// The file.
        file: String,
        /// The CSV reader's message.
        message: String,
    },
    /// A named column is not in the header.
    #[error("{file}: no column `{column}` in the header (columns: {available})")]
    MissingColumn {
        /// The file.
        file: String,
        /// The missing column.
        column: String,
        /// The header's columns.
        available: String,
    },
    /// A field does not hold what its column needs.
    #[error("{file}:{line}: column `{column}`: {reason}: `{value}`")]
    BadField {
        /// The file.
        file: String,
        /// One-based line of the record.
        line: u64,
        /// The column's name.
        column: String,
        /// The field's text.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// The channel separator is empty.
    #[error("the channel separator must not be empty")]
    EmptySeparator,
    /// A count or value is negative or not finite.
    #[error(
        "{what}: {value} is not allowed (counts and values are finite numbers >= 0, values need conversions)"
    )]
    InvalidCount {
        /// Which count.
        what: &'static str,
        /// The number given.
        value: f64,
    },
    /// A channel id that the builder did not hand out.
    #[error("unknown channel id {0}")]
    UnknownChannel(usize),
    /// A model parameter is out of range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// An unknown model name.
    #[error("unknown model `{0}` (models: {list})", list = Model::ALL.iter().map(|m| m.name()).collect::<Vec<_>>().join(", "))]
    UnknownModel(String),
    /// The model needs non-conversion counts, and the paths have none.
    #[error("the {0} model needs non-conversion (null) counts")]
    NeedsNulls(&'static str),
    /// An iterative solve did not reach its tolerance.
    #[error("the Markov solve stopped with an error bound of {bound:e} after {sweeps} sweeps")]
    NotConverged {
        /// The error bound reached.
        bound: f64,
        /// The sweeps done.
        sweeps: usize,
    },
}

/// An attribution model, named as on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// All credit to the first touch.
    First,
    /// All credit to the last touch.
    Last,
    /// All credit to the last touch that is not the direct channel (the last touch if all are).
    LastNonDirect,
    /// Equal credit to every touch.
    Linear,
    /// Credit halving every half-life before the last touch.
    TimeDecay,
    /// Shares to the first and last touch, the rest shared by the middle.
    Position,
    /// Removal effect in a k-order Markov chain, solved exactly.
    Markov,
    /// Simplified Shapley value on channel sets.
    Shapley,
    /// Ordered Shapley value: Shapley credit split by the position of the channel's first touch.
    ShapleyOrdered,
    /// Snowplow's fractribution (counterfactual path-level attribution).
    Fractribution,
}

impl Model {
    /// Every model, in the order reports show them.
    pub const ALL: [Model; 10] = [
        Model::First,
        Model::Last,
        Model::LastNonDirect,
        Model::Linear,
        Model::TimeDecay,
        Model::Position,
        Model::Markov,
        Model::Shapley,
        Model::ShapleyOrdered,
        Model::Fractribution,
    ];

    /// The name on the command line and in outputs.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Model::First => "first",
            Model::Last => "last",
            Model::LastNonDirect => "last-non-direct",
            Model::Linear => "linear",
            Model::TimeDecay => "time-decay",
            Model::Position => "position",
            Model::Markov => "markov",
            Model::Shapley => "shapley",
            Model::ShapleyOrdered => "shapley-ordered",
            Model::Fractribution => "fractribution",
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Model {
    type Err = AttributionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        let alias = match key.as_str() {
            "first-touch" => "first",
            "last-touch" => "last",
            "linear-touch" => "linear",
            "position-based" => "position",
            "time_decay" | "timedecay" => "time-decay",
            other => other,
        };
        Model::ALL
            .into_iter()
            .find(|m| m.name() == alias)
            .ok_or_else(|| AttributionError::UnknownModel(s.to_owned()))
    }
}

/// Parameters of all models; [`Settings::default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The channel that means "direct" for last non-direct touch (default `direct`), matched
    /// ignoring case when no channel has exactly this name (the channel groups say `Direct`).
    pub direct_channel: String,
    /// Time-decay half-life, in touches on path files (default 7, as the common 7-day default
    /// with one touch a day).
    pub half_life: f64,
    /// Position-based shares of the first and last touch (default 40 % and 40 %).
    pub position: PositionShares,
    /// Markov order and solver settings.
    pub markov: MarkovOptions,
    /// The worth of a coalition in the Shapley game.
    pub shapley: ShapleyWorth,
    /// Fractribution's path transforms and look-back.
    pub fractribution: FractributionOptions,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            direct_channel: "direct".to_owned(),
            half_life: 7.0,
            position: PositionShares::default(),
            markov: MarkovOptions::default(),
            shapley: ShapleyWorth::default(),
            fractribution: FractributionOptions::default(),
        }
    }
}

/// Conversions and value credited to each channel, indexed by [`ChannelId::index`].
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct Credits {
    /// Conversions credited per channel.
    pub conversions: Vec<f64>,
    /// Conversion value credited per channel.
    pub value: Vec<f64>,
}

impl Credits {
    /// Zero credit for `channels` channels.
    #[must_use]
    pub fn zero(channels: usize) -> Self {
        Self {
            conversions: vec![0.0; channels],
            value: vec![0.0; channels],
        }
    }

    /// Adds a share of one path's conversions and value to a channel.
    pub(crate) fn add(&mut self, channel: ChannelId, share: f64, path: &PathRef<'_>) {
        self.conversions[channel.index()] += share * path.conversions;
        self.value[channel.index()] += share * path.value;
    }

    /// Sum of conversions credited.
    #[must_use]
    pub fn total_conversions(&self) -> f64 {
        self.conversions.iter().sum()
    }

    /// Sum of value credited.
    #[must_use]
    pub fn total_value(&self) -> f64 {
        self.value.iter().sum()
    }
}

/// Runs one model with the given settings.
///
/// # Errors
/// [`AttributionError::InvalidParameter`] for settings out of range,
/// [`AttributionError::NeedsNulls`] for models that need non-conversions when the set has none,
/// and [`AttributionError::NotConverged`] if a Markov solve misses its tolerance.
pub fn attribute(
    paths: &PathSet,
    model: Model,
    settings: &Settings,
) -> Result<Credits, AttributionError> {
    Ok(match model {
        Model::First => heuristic::first_touch(paths),
        Model::Last => heuristic::last_touch(paths),
        Model::LastNonDirect => {
            let direct = paths.channel_id_ignoring_case(&settings.direct_channel);
            heuristic::last_non_direct(paths, direct)
        }
        Model::Linear => heuristic::linear(paths),
        Model::TimeDecay => heuristic::time_decay(paths, settings.half_life)?,
        Model::Position => heuristic::position_based(paths, settings.position)?,
        Model::Markov => MarkovModel::fit(paths, &settings.markov)?.solve()?.credits,
        Model::Shapley => shapley::simplified(paths, settings.shapley)?,
        Model::ShapleyOrdered => shapley::ordered(paths).credits,
        Model::Fractribution => {
            fractribution::fractribution(paths, &settings.fractribution)?.credits
        }
    })
}
