//! The analytics engine of polku.
//!
//! Journey analytics run on Apache DataFusion: [`Analytics`] opens a workspace's Parquet tables
//! as a query session, [`matching`] binds a map's touchpoints to events inside the plan, and
//! the journey operators are aggregate and window functions over events partitioned by
//! customer ([`funnel`], [`paths`], [`stages`], [`retention`], sessions in [`udf`]), so the same
//! plans can run distributed. On top of them: [`distributions`] of time and touchpoints to
//! conversion, [`breakpoints`] (where customers leave more than expected, by value lost),
//! [`kpis`] in three layers per channel, stage or touchpoint, [`abtest`], [`segments`] for
//! automation tools, [`interviews`] aggregated by stage, and [`personas`]: customers assigned
//! to personas by the personas' rules (every analysis can be restricted to one persona) and
//! persona segments suggested by clustering.
//!
//! ```no_run
//! use polku_engine::{Analytics, funnel::FunnelQuery};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let workspace: polku_model::Workspace = unimplemented!();
//! let analytics = Analytics::open("my-workspace")?;
//! let report = analytics.funnel(&workspace, &FunnelQuery::new(["page_view", "signup", "purchase"]))?;
//! for step in &report.steps {
//!     println!("{}: {} ({:.0} %)", step.step, step.count, step.conversion * 100.0);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! It also holds [`attribution`]: multi-touch attribution over aggregated customer journeys
//! ("paths"), with heuristic models (first, last, last non-direct, linear, time decay,
//! position-based), a k-order Markov model solved exactly by absorbing-chain linear algebra,
//! Shapley values on channel sets (simplified and ordered), and the fractribution method of
//! Snowplow's dbt package.
//!
//! Paths come from the workspace's journeys or from path files in the format of
//! ChannelAttribution (`a > b > c` with conversion, null and value columns):
//!
//! ```
//! use polku_engine::attribution::{Model, PathSetBuilder, Settings, attribute};
//!
//! let mut paths = PathSetBuilder::new();
//! paths.add_named(["search", "email", "direct"], 3.0, 7.0, 300.0)?;
//! paths.add_named(["social", "direct"], 1.0, 9.0, 50.0)?;
//! paths.add_named(["email"], 0.0, 5.0, 0.0)?;
//! let paths = paths.build();
//!
//! let markov = attribute(&paths, Model::Markov, &Settings::default())?;
//! let total: f64 = markov.conversions.iter().sum();
//! assert!((total - 4.0).abs() < 1e-9);
//! # Ok::<(), polku_engine::attribution::AttributionError>(())
//! ```
#![deny(missing_docs)]

pub mod abtest;
pub mod attribution;
pub mod breakpoints;
pub mod distributions;
mod error;
pub mod funnel;
pub mod interviews;
pub mod kpis;
pub mod matching;
pub mod paths;
pub mod personas;
pub mod retention;
pub mod segments;
mod session;
pub mod stages;
pub mod time;
pub mod udf;

pub use error::{AnalyticsError, Result};
pub use session::{Analytics, EngineSettings, ORDINAL, TIME_US, TimeRange, WHO};
