//! `polku attribution`: multi-touch attribution, side by side for several models.
//!
//! With `--paths FILE` it reads an aggregated path file in ChannelAttribution's layout
//! (`a > b > c` with conversion, non-conversion and value columns) and needs no workspace.
//! Without it, the paths are the workspace's journeys (see
//! [`polku_engine::attribution::journeys`]), and the credits are set against ad spend (cost
//! per conversion, cost per lead, return on ad spend) and against the channels survey
//! respondents say they came from.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use polku_engine::attribution::fractribution::{self, PathTransform};
use polku_engine::attribution::journeys::{
    CostRow, JourneyLevel, JourneyQuery, SurveyComparison, survey_comparison,
};
use polku_engine::attribution::markov::MarkovOptions;
use polku_engine::attribution::shapley::ShapleyWorth;
use polku_engine::attribution::{
    AttributionQuery, Credits, Model, ModelDetails, ModelPick, ModelRun, PathFileFormat, PathSet,
    PositionShares, Settings, read_path_file, run_model, select_models,
};
use polku_engine::time::parse_duration;
use polku_model::Language;
use serde_json::{Value, json};

use super::funnel::{ScopeArgs, with_spinner};
use crate::tr::Tr;

/// Output formats of `polku attribution`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AttributionFormat {
    /// Aligned columns: one row per channel, one column per model.
    Table,
    /// Everything, including removal effects and per-position credit.
    Json,
    /// Long format: `channel,model,conversions,value`.
    Csv,
}

/// Worth of a channel set in the Shapley game.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WorthArg {
    /// Conversions of the journeys with exactly that set of channels.
    Conversions,
    /// Their conversion rate (needs `--null-col`).
    Rate,
}

/// What a touch is in the workspace's journeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    /// A visit, named by its channel group.
    Channel,
    /// An event bound to a touchpoint of the map (needs --map).
    Touchpoint,
}

/// Options of `polku attribution`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Models: first, last, last-non-direct, linear, time-decay, position, markov, \
shapley, shapley-ordered, fractribution (or all). Credits of every model sum to the total \
conversions and value.\n\nWithout --paths the paths are the workspace's journeys: every \
conversion (the map's `conversion` touchpoint with --map, else the --conversion events) with \
the touches before it inside the --lookback window; journeys that did not convert are null \
paths. With --from/--to, conversions in the period count and their look-back may reach \
before it. With --persona only the journeys, leads and survey answers of the persona's \
customers count (ad spend stays the channel's whole spend). At channel level the credits \
are set against ad spend (imported with `polku import costs`) and against the channels \
survey respondents named.\n\nExamples:\n  polku \
attribution --map b2b-current --lookback 30d --from 2026-01-01 --to 2026-03-31\n  polku \
attribution --level touchpoint --map b2b-current --model markov,shapley --format json\n  \
polku attribution --persona hr-hanna --model first,last,markov,shapley\n  \
polku attribution --paths Data.csv --delimiter ';' --conv-col total_conversions --null-col \
total_null --value-col total_conversion_value --model markov,shapley --order 2"
)]
pub struct AttributionArgs {
    /// Models to run, comma separated, or `all`.
    #[arg(long, value_delimiter = ',', default_value = "all")]
    pub model: Vec<String>,
    /// Markov order: a state is this many consecutive touches (1 to 4).
    #[arg(long, default_value_t = 1)]
    pub order: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AttributionFormat::Table)]
    pub format: AttributionFormat,

    /// An aggregated path file (CSV with a header) instead of the workspace's journeys.
    #[arg(long, value_name = "FILE")]
    pub paths: Option<PathBuf>,
    /// Field delimiter of the path file (one character; `tab` for a tab).
    #[arg(long, default_value = ",", value_name = "C")]
    pub delimiter: String,
    /// Separator between channels in a path.
    #[arg(long, default_value = ">", value_name = "S")]
    pub sep: String,
    /// Column with the path.
    #[arg(long, default_value = "path", value_name = "C")]
    pub path_col: String,
    /// Column with the number of conversions.
    #[arg(long, default_value = "total_conversions", value_name = "C")]
    pub conv_col: String,
    /// Column with the number of journeys that did not convert.
    #[arg(long, value_name = "C")]
    pub null_col: Option<String>,
    /// Column with the conversion value.
    #[arg(long, value_name = "C")]
    pub value_col: Option<String>,

    /// The channel that counts as direct for last-non-direct (case ignored when no channel has
    /// exactly this name).
    #[arg(long, default_value = "direct", value_name = "CHANNEL")]
    pub direct: String,
    /// Time-decay half-life, in touches (a path file has no times: the position is the time).
    #[arg(long, default_value_t = 7.0, value_name = "TOUCHES")]
    pub half_life: f64,
    /// Position-based share of the first touch (0 to 1).
    #[arg(long, default_value_t = 0.4, value_name = "SHARE")]
    pub first_share: f64,
    /// Position-based share of the last touch (0 to 1); the rest goes to the middle touches.
    #[arg(long, default_value_t = 0.4, value_name = "SHARE")]
    pub last_share: f64,
    /// Markov: count a journey that visits more than this many states as not converting, as
    /// ChannelAttribution's simulation does (its default is the longest path plus one).
    /// Without it the chain is solved exactly with no cut-off.
    #[arg(long, value_name = "N")]
    pub max_steps: Option<usize>,
    /// Shapley: what a set of channels is worth.
    #[arg(long, value_enum, default_value_t = WorthArg::Conversions)]
    pub shapley_worth: WorthArg,
    /// Fractribution path transforms, in order: unique, exposure, first, frequency,
    /// remove_if_last_and_not_all:CHANNEL, remove_if_not_all:CHANNEL.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "exposure",
        value_name = "T"
    )]
    pub transforms: Vec<String>,
    /// Fractribution: keep only the last N touches of each path (0 keeps all).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub lookback_steps: usize,
    /// JSON: add the Markov transition matrix.
    #[arg(long)]
    pub transitions: bool,

    /// Workspace journeys: the map whose `conversion` touchpoint is the conversion and whose
    /// touchpoints are the touches at touchpoint level.
    #[arg(long, value_name = "MAP_ID")]
    pub map: Option<String>,
    /// Workspace journeys: the conversion, a touchpoint id of the map or, without a map,
    /// event names (default purchase,deal_won).
    #[arg(long, value_delimiter = ',', value_name = "X")]
    pub conversion: Vec<String>,
    /// Workspace journeys: what a touch is.
    #[arg(long, value_enum, default_value_t = LevelArg::Channel)]
    pub level: LevelArg,
    /// Workspace journeys: only touches this long before the conversion, e.g. 30d, 2w
    /// (default: every earlier touch).
    #[arg(long, value_name = "DURATION")]
    pub lookback: Option<String>,
    /// Workspace journeys: the pause that ends a visit when the data has no session id.
    #[arg(long, value_name = "DURATION", default_value = "30m")]
    pub session_timeout: String,
    /// Workspace journeys: the period and the customers.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Show the cost block even when the period has no ad spend (it shows whenever it has).
    #[arg(long)]
    pub costs: bool,
    /// The lead events, for cost per lead.
    #[arg(long, value_delimiter = ',', value_name = "EVENT")]
    pub lead: Vec<String>,
    /// Also write the costs per channel and model as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub costs_csv: Option<PathBuf>,
    /// Also write the survey comparison per channel and model as CSV to this file.
    #[arg(long, value_name = "FILE")]
    pub survey_csv: Option<PathBuf>,
    /// Also draw the models side by side as an SVG chart to this file.
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
}

impl AttributionArgs {
    fn file_format(&self) -> anyhow::Result<PathFileFormat> {
        let delimiter = match self.delimiter.as_str() {
            "tab" | "\\t" | "\t" => b'\t',
            d if d.len() == 1 => d.as_bytes()[0],
            d => bail!("--delimiter must be one ASCII character, got `{d}`"),
        };
        Ok(PathFileFormat {
            delimiter,
            separator: self.sep.clone(),
            path_column: self.path_col.clone(),
            conversions_column: self.conv_col.clone(),
            nulls_column: self.null_col.clone(),
            value_column: self.value_col.clone(),
        })
    }

    fn settings(&self) -> anyhow::Result<Settings> {
        let transforms = self
            .transforms
            .iter()
            .filter(|t| !t.trim().is_empty())
            .map(|t| t.parse::<PathTransform>())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Settings {
            direct_channel: self.direct.clone(),
            half_life: self.half_life,
            position: PositionShares {
                first: self.first_share,
                last: self.last_share,
            }
            .validate()?,
            markov: MarkovOptions {
                order: self.order,
                max_steps: self.max_steps,
                ..MarkovOptions::default()
            },
            shapley: match self.shapley_worth {
                WorthArg::Conversions => ShapleyWorth::Conversions,
                WorthArg::Rate => ShapleyWorth::ConversionRate,
            },
            fractribution: fractribution::FractributionOptions {
                transforms,
                lookback_steps: self.lookback_steps,
            },
        })
    }

    /// The models asked for, as given.
    fn picks(&self) -> anyhow::Result<Vec<ModelPick>> {
        let picks = self
            .model
            .iter()
            .map(|name| name.trim())
            .filter(|name| !name.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<ModelPick>, _>>()?;
        if picks.is_empty() {
            bail!(
                "no model given (--model first,last,linear,time-decay,position,markov,shapley,fractribution|all)"
            );
        }
        Ok(picks)
    }

    /// The models asked for, in the order given (`all` expands in place); with `all`, models
    /// that need non-conversions are left out when the file has none.
    fn models(&self, has_nulls: bool) -> anyhow::Result<Vec<Model>> {
        Ok(select_models(
            &self.picks()?,
            has_nulls,
            self.settings()?.shapley,
        ))
    }
}

/// Where the paths came from, the models' credits, and what the workspace adds to them.
struct Input {
    paths: PathSet,
    runs: Vec<ModelRun>,
    language: Language,
    workspace: Option<WorkspaceInfo>,
}

/// The workspace side of a run: the journeys' summary and what to join the credits with.
struct WorkspaceInfo {
    conversion: String,
    level: JourneyLevel,
    lookback: Option<String>,
    journeys: u64,
    conversions: u64,
    value: f64,
    /// Each model against spend, when costs are shown.
    costs: Option<Vec<CostRow>>,
    /// Each model against the survey answers, when any answered.
    survey: Option<SurveyComparison>,
}

/// Runs `polku attribution`.
///
/// # Errors
/// When the options are invalid, the path file or the workspace cannot be read, or a model
/// fails.
#[allow(clippy::too_many_lines)]
pub fn run(args: &AttributionArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let settings = args.settings()?;
    let input = match &args.paths {
        Some(file) => {
            if let Some(p) = &args.scope.persona {
                bail!(
                    "--persona {p} picks customers of the workspace's journeys, and a path \
                     file has no customers: leave out --persona with --paths, or --paths to \
                     attribute the persona's journeys"
                );
            }
            if args.map.is_some()
                || args.lookback.is_some()
                || args.costs
                || args.costs_csv.is_some()
                || args.survey_csv.is_some()
                || args.scope.from.is_some()
                || args.scope.to.is_some()
            {
                bail!(
                    "--map, --lookback, --from/--to and the cost and survey options work on the \
                     workspace's journeys; leave them out with --paths"
                );
            }
            let paths = read_path_file(file, &args.file_format()?)?;
            if paths.is_empty() {
                bail!("{}: no path with a channel", file.display());
            }
            let mut runs = Vec::new();
            for model in args.models(paths.has_nulls())? {
                runs.push(
                    run_model(&paths, model, &settings, args.transitions)
                        .with_context(|| format!("model {model}"))?,
                );
            }
            Input {
                paths,
                runs,
                language: Language::En,
                workspace: None,
            }
        }
        None => workspace_input(args, settings, workspace)?,
    };
    let paths = &input.paths;
    let runs = &input.runs;
    let named: Vec<(&str, &Credits)> = runs.iter().map(|r| (r.model.name(), &r.credits)).collect();
    let costs = input.workspace.as_ref().and_then(|w| w.costs.as_ref());
    let survey = input.workspace.as_ref().and_then(|w| w.survey.as_ref());
    if let Some(file) = &args.costs_csv {
        write_file(
            file,
            &costs_csv(costs.map(Vec::as_slice).unwrap_or_default()),
        )?;
    }
    if let Some(file) = &args.survey_csv {
        let empty = survey_comparison(&BTreeMap::new(), &[], &named);
        write_file(file, &survey_csv(survey.unwrap_or(&empty)))?;
    }
    if let Some(file) = &args.chart {
        write_file(file, chart(&input).as_str())?;
    }
    let text = match args.format {
        AttributionFormat::Csv => csv(paths, runs),
        AttributionFormat::Json => {
            let mut report = json_report(paths, runs, args)?;
            if let Some(w) = &input.workspace {
                report["workspace"] = json!({
                    "conversion": w.conversion,
                    "level": w.level,
                    "lookback": w.lookback,
                    "journeys": w.journeys,
                    "conversions": w.conversions,
                    "value": w.value,
                });
                if let Some(p) = &args.scope.persona {
                    report["workspace"]["persona"] = json!(p);
                }
            }
            if let Some(c) = costs {
                report["costs"] = serde_json::to_value(c)?;
            }
            if let Some(s) = survey {
                report["survey"] = serde_json::to_value(s)?;
            }
            format!("{}\n", serde_json::to_string_pretty(&report)?)
        }
        AttributionFormat::Table => {
            let tr = Tr::new(input.language);
            let mut text = String::new();
            if let Some(w) = &input.workspace {
                let touches = tr.t(match w.level {
                    JourneyLevel::Channel => "at-touches-channel",
                    JourneyLevel::Touchpoint => "at-touches-touchpoint",
                });
                text.push_str(&tr.args(
                    "at-summary",
                    &[
                        ("journeys", w.journeys.to_string()),
                        ("conversions", w.conversions.to_string()),
                        ("conversion", w.conversion.clone()),
                        ("value", tr.fixed(w.value, 2)),
                        ("touches", touches),
                    ],
                ));
                if let Some(l) = &w.lookback {
                    text.push_str(&tr.args("at-lookback", &[("lookback", l.clone())]));
                }
                if let Some(p) = &args.scope.persona {
                    text.push_str(&tr.args("at-persona", &[("persona", p.clone())]));
                }
                text.push_str("\n\n");
            }
            text.push_str(&table(&tr, paths, runs));
            if let Some(c) = costs {
                text.push('\n');
                text.push_str(&costs_table(&tr, c, runs));
                if let Some(p) = &args.scope.persona {
                    text.push_str(&tr.args("at-spend-persona", &[("persona", p.clone())]));
                    text.push('\n');
                }
            }
            if let Some(s) = survey {
                text.push('\n');
                text.push_str(&survey_table(&tr, s));
            }
            text
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_file(file: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(file, text).with_context(|| format!("cannot write {}", file.display()))
}

/// The models over the workspace's journeys, with spend, leads and survey answers.
fn workspace_input(
    args: &AttributionArgs,
    settings: Settings,
    workspace: &Path,
) -> anyhow::Result<Input> {
    let range = args.scope.range()?;
    let level = match args.level {
        LevelArg::Channel => JourneyLevel::Channel,
        LevelArg::Touchpoint => JourneyLevel::Touchpoint,
    };
    let query = AttributionQuery {
        journeys: JourneyQuery {
            map: args.map.clone(),
            conversion: args
                .conversion
                .iter()
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect(),
            level,
            lookback_us: args.lookback.as_deref().map(parse_duration).transpose()?,
            range,
            session_gap_us: parse_duration(&args.session_timeout)?,
            customers: None,
        },
        models: args.picks()?,
        settings,
        lead_events: args.lead.clone(),
        transitions: args.transitions,
    };
    if level == JourneyLevel::Touchpoint && (args.costs || args.costs_csv.is_some()) {
        bail!("costs are by channel group: use --level channel");
    }
    let (model, analytics) = args.scope.open(workspace)?;
    let found = with_spinner("attribution", || analytics.attribution(&model, &query))?;
    let journeys = &found.journeys;
    if journeys.paths.is_empty() {
        bail!(
            "no journey with a touch{}: import events with `polku import events`, or check \
             --conversion, --map and the period",
            if journeys.conversions > 0 {
                format!(
                    " ({} conversions, none with a touch before it)",
                    journeys.conversions
                )
            } else {
                String::new()
            }
        );
    }
    let show_costs = found.has_spend() || args.costs || args.costs_csv.is_some();
    let show_survey = found.has_answers() || args.survey_csv.is_some();
    Ok(Input {
        language: model.config.doc.language,
        workspace: Some(WorkspaceInfo {
            conversion: journeys.conversion.clone(),
            level,
            lookback: args.lookback.clone(),
            journeys: journeys.journeys,
            conversions: journeys.conversions,
            value: journeys.value,
            costs: found.cost_rows.filter(|_| show_costs),
            survey: found.survey.filter(|_| show_survey),
        }),
        paths: found.journeys.paths,
        runs: found.runs,
    })
}

/// The models side by side as a chart.
fn chart(input: &Input) -> polku_render::Svg {
    let channels = input.paths.channel_names().to_vec();
    let runs = &input.runs;
    polku_render::attribution_svg(&polku_render::AttributionChart {
        language: input.language,
        models: runs.iter().map(|r| r.model.name().to_owned()).collect(),
        credit: (0..channels.len())
            .map(|c| runs.iter().map(|r| r.credits.conversions[c]).collect())
            .collect(),
        channels,
        measure: polku_render::ChartMeasure::Conversions,
    })
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| v.to_string())
}

fn opt2(tr: &Tr, x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), |v| tr.fixed(v, 2))
}

fn costs_csv(rows: &[CostRow]) -> String {
    let mut out = String::from(
        "channel,model,spend,leads,cost_per_lead,conversions,value,cost_per_conversion,return_on_ad_spend\n",
    );
    for r in rows {
        for m in &r.models {
            out.push_str(&format!(
                "{},{},{},{},{},{},{},{},{}\n",
                csv_field(&r.channel),
                m.model,
                opt(r.spend),
                r.leads,
                opt(r.cost_per_lead),
                m.conversions,
                m.value,
                opt(m.cost_per_conversion),
                opt(m.return_on_ad_spend)
            ));
        }
    }
    out
}

fn survey_csv(s: &SurveyComparison) -> String {
    let mut out = String::from("channel,model,reported,reported_share,credit_share\n");
    for r in &s.channels {
        for m in &r.models {
            out.push_str(&format!(
                "{},{},{},{},{}\n",
                csv_field(&r.channel),
                m.model,
                r.reported,
                r.reported_share,
                m.share
            ));
        }
    }
    out
}

fn costs_table(tr: &Tr, rows: &[CostRow], runs: &[ModelRun]) -> String {
    let opt2 = |x| opt2(tr, x);
    let mut out = String::new();
    let mut head = ["at-costs", "at-spend", "at-leads", "at-per-lead"]
        .map(|id| tr.t(id))
        .to_vec();
    head.extend(
        runs.iter()
            .map(|r| tr.args("at-cpa", &[("model", r.model.to_string())])),
    );
    let mut lines = vec![head];
    for r in rows {
        let mut line = vec![
            r.channel.clone(),
            opt2(r.spend),
            r.leads.to_string(),
            opt2(r.cost_per_lead),
        ];
        line.extend(r.models.iter().map(|m| opt2(m.cost_per_conversion)));
        lines.push(line);
    }
    out.push_str(&align(&lines));
    let mut head = vec![tr.t("at-roas")];
    head.extend(runs.iter().map(|r| r.model.name().to_owned()));
    let mut lines = vec![head];
    for r in rows.iter().filter(|r| r.spend.is_some()) {
        let mut line = vec![r.channel.clone()];
        line.extend(r.models.iter().map(|m| opt2(m.return_on_ad_spend)));
        lines.push(line);
    }
    out.push('\n');
    out.push_str(&align(&lines));
    out
}

fn survey_table(tr: &Tr, s: &SurveyComparison) -> String {
    let pct = |x: f64| tr.share(x);
    let mut head = ["at-self-reported", "at-answers", "at-share"]
        .map(|id| tr.t(id))
        .to_vec();
    head.extend(s.agreement.iter().map(|a| a.model.clone()));
    let mut lines = vec![head];
    for r in &s.channels {
        let mut line = vec![
            r.channel.clone(),
            r.reported.to_string(),
            pct(r.reported_share),
        ];
        line.extend(r.models.iter().map(|m| pct(m.share)));
        lines.push(line);
    }
    let mut agree = vec![tr.t("at-agreement"), s.answers.to_string(), String::new()];
    agree.extend(s.agreement.iter().map(|a| pct(a.overlap)));
    lines.push(agree);
    let mut out = align(&lines);
    out.push_str(&tr.t("at-agreement-legend"));
    out.push('\n');
    out
}

/// What a model reports beside its credits, as JSON fields next to them.
fn details_json(paths: &PathSet, run: &ModelRun, args: &AttributionArgs) -> anyhow::Result<Value> {
    let names = paths.channel_names();
    let per_channel = |values: &[f64]| -> Value {
        Value::Object(
            names
                .iter()
                .cloned()
                .zip(values.iter().map(|&v| json!(v)))
                .collect(),
        )
    };
    let by_position = |values: &[Vec<f64>]| -> Value {
        Value::Object(
            names
                .iter()
                .cloned()
                .zip(values.iter().map(|v| json!(v)))
                .collect(),
        )
    };
    Ok(match &run.details {
        ModelDetails::Markov {
            result: r,
            states,
            transitions,
        } => {
            let mut extra = json!({
                "order": r.order,
                "states": states,
                "max_steps": args.max_steps,
                "conversion_probability": r.conversion_probability,
                "value_per_journey": r.value_per_journey,
                "removal_effects": per_channel(&r.removal_effects),
                "value_removal_effects": per_channel(&r.value_removal_effects),
                "error_bound": r.error_bound,
            });
            if let Some(t) = transitions {
                extra["transitions"] = serde_json::to_value(t)?;
            }
            extra
        }
        ModelDetails::ShapleyOrdered {
            conversions_by_position,
            value_by_position,
        } => json!({
            "conversions_by_position": by_position(conversions_by_position),
            "value_by_position": by_position(value_by_position),
        }),
        ModelDetails::Fractribution { transformed_paths } => {
            json!({ "transformed_paths": transformed_paths })
        }
        ModelDetails::None => Value::Null,
    })
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv(paths: &PathSet, runs: &[ModelRun]) -> String {
    let mut out = String::from("channel,model,conversions,value\n");
    for run in runs {
        for (c, name) in paths.channel_names().iter().enumerate() {
            out.push_str(&format!(
                "{},{},{},{}\n",
                csv_field(name),
                run.model,
                run.credits.conversions[c],
                run.credits.value[c]
            ));
        }
    }
    out
}

fn json_report(
    paths: &PathSet,
    runs: &[ModelRun],
    args: &AttributionArgs,
) -> anyhow::Result<Value> {
    let names = paths.channel_names();
    let mut models = Vec::with_capacity(runs.len());
    for run in runs {
        let mut m = json!({
            "model": run.model.name(),
            "credits": names.iter().enumerate().map(|(c, name)| json!({
                "channel": name,
                "conversions": run.credits.conversions[c],
                "value": run.credits.value[c],
            })).collect::<Vec<_>>(),
        });
        if let Value::Object(extra) = details_json(paths, run, args)? {
            for (k, v) in extra {
                m[k] = v;
            }
        }
        models.push(m);
    }
    Ok(json!({
        "source": args.paths.as_ref().map(|p| p.display().to_string()),
        "paths": paths.len(),
        "channels": names,
        "totals": {
            "conversions": paths.total_conversions(),
            "non_conversions": paths.total_nulls(),
            "value": paths.total_value(),
        },
        "empty_paths": paths.empty_paths(),
        "models": models,
    }))
}

fn table(tr: &Tr, paths: &PathSet, runs: &[ModelRun]) -> String {
    let mut text = String::new();
    let block = |title: &str, pick: &dyn Fn(&Credits) -> &[f64], total: f64| -> String {
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut head = vec![title.to_owned()];
        head.extend(runs.iter().map(|r| r.model.name().to_owned()));
        rows.push(head);
        for (c, name) in paths.channel_names().iter().enumerate() {
            let mut row = vec![name.clone()];
            row.extend(runs.iter().map(|r| tr.fixed(pick(&r.credits)[c], 2)));
            rows.push(row);
        }
        let mut sum = vec![tr.t("at-total")];
        sum.extend(runs.iter().map(|_| tr.fixed(total, 2)));
        rows.push(sum);
        align(&rows)
    };
    text.push_str(&block(
        &tr.t("at-conversions"),
        &|c| &c.conversions,
        paths.total_conversions(),
    ));
    if paths.has_values() {
        text.push('\n');
        text.push_str(&block(
            &tr.t("at-value"),
            &|c| &c.value,
            paths.total_value(),
        ));
    }
    let empty = paths.empty_paths();
    if empty.rows > 0 {
        let line = tr.args(
            "at-empty",
            &[
                ("rows", empty.rows.to_string()),
                ("conversions", empty.conversions.to_string()),
                ("value", tr.fixed(empty.value, 2)),
            ],
        );
        text.push_str(&format!("\n{line}\n"));
    }
    text
}

/// First column left-aligned, the others right-aligned, two spaces apart.
fn align(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                line.push_str(&format!("{cell:<w$}", w = widths[0]));
            } else {
                line.push_str(&format!("  {cell:>w$}", w = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: AttributionArgs,
    }

    fn parse(argv: &[&str]) -> AttributionArgs {
        Cli::try_parse_from(std::iter::once("attribution").chain(argv.iter().copied()))
            .unwrap()
            .args
    }

    #[test]
    fn parses_models_and_expands_all() {
        let a = parse(&["--paths", "p.csv", "--model", "markov,first"]);
        assert_eq!(a.models(true).unwrap(), [Model::Markov, Model::First]);
        let a = parse(&["--paths", "p.csv"]);
        assert_eq!(a.models(true).unwrap().len(), Model::ALL.len());
        assert!(!a.models(false).unwrap().contains(&Model::Fractribution));
        assert!(parse(&["--model", "nope"]).models(true).is_err());
    }

    #[test]
    fn settings_follow_flags() {
        let a = parse(&[
            "--order",
            "3",
            "--half-life",
            "2",
            "--transforms",
            "first,remove_if_not_all:direct",
        ]);
        let s = a.settings().unwrap();
        assert_eq!(s.markov.order, 3);
        assert_eq!(s.half_life, 2.0);
        assert_eq!(s.fractribution.transforms.len(), 2);
        assert!(
            parse(&["--first-share", "0.8", "--last-share", "0.5"])
                .settings()
                .is_err()
        );
        assert_eq!(
            parse(&["--delimiter", "tab"])
                .file_format()
                .unwrap()
                .delimiter,
            b'\t'
        );
    }
}
