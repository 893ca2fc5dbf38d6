//! `polku attribution`: multi-touch attribution, side by side for several models.
//!
//! With `--paths FILE` it reads an aggregated path file in ChannelAttribution's layout
//! (`a > b > c` with conversion, non-conversion and value columns) and needs no workspace.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use polku_engine::attribution::fractribution::{self, PathTransform};
use polku_engine::attribution::markov::{MarkovModel, MarkovOptions};
use polku_engine::attribution::shapley::{self, ShapleyWorth};
use polku_engine::attribution::{
    Credits, Model, PathFileFormat, PathSet, PositionShares, Settings, attribute, read_path_file,
};
use serde_json::{Value, json};

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

/// Options of `polku attribution`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Models: first, last, last-non-direct, linear, time-decay, position, markov, \
shapley, shapley-ordered, fractribution (or all). Credits of every model sum to the total \
conversions and value.\n\nExample (ChannelAttribution's sample layout):\n  polku attribution \
--paths Data.csv --delimiter ';' --conv-col total_conversions --null-col total_null \
--value-col total_conversion_value --model markov,shapley --order 2"
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

    /// The channel that counts as direct for last-non-direct.
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

    /// The models asked for, in the order given (`all` expands in place); with `all`, models
    /// that need non-conversions are left out when the file has none.
    fn models(&self, has_nulls: bool) -> anyhow::Result<Vec<Model>> {
        let mut out: Vec<Model> = Vec::new();
        for name in &self.model {
            let name = name.trim();
            if name.eq_ignore_ascii_case("all") {
                for m in Model::ALL {
                    if !has_nulls && needs_nulls(m, self.shapley_worth) {
                        continue;
                    }
                    if !out.contains(&m) {
                        out.push(m);
                    }
                }
            } else if !name.is_empty() {
                let m: Model = name.parse()?;
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
        if out.is_empty() {
            bail!(
                "no model given (--model first,last,linear,time-decay,position,markov,shapley,fractribution|all)"
            );
        }
        Ok(out)
    }
}

fn needs_nulls(model: Model, worth: WorthArg) -> bool {
    model == Model::Fractribution || (model == Model::Shapley && worth == WorthArg::Rate)
}

/// One model's output.
struct Run {
    model: Model,
    credits: Credits,
    extra: Value,
}

/// Runs `polku attribution`.
pub fn run(args: &AttributionArgs) -> anyhow::Result<ExitCode> {
    let Some(file) = &args.paths else {
        bail!(
            "attribution over the workspace's journeys is not available yet; give a path file with --paths FILE"
        );
    };
    let settings = args.settings()?;
    let paths = read_path_file(file, &args.file_format()?)?;
    if paths.is_empty() {
        bail!("{}: no path with a channel", file.display());
    }
    let models = args.models(paths.has_nulls())?;
    let mut runs = Vec::with_capacity(models.len());
    for model in models {
        runs.push(
            run_model(&paths, model, &settings, args).with_context(|| format!("model {model}"))?,
        );
    }
    let text = match args.format {
        AttributionFormat::Csv => csv(&paths, &runs),
        AttributionFormat::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&json_report(&paths, &runs, args))?
        ),
        AttributionFormat::Table => table(&paths, &runs),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn run_model(
    paths: &PathSet,
    model: Model,
    settings: &Settings,
    args: &AttributionArgs,
) -> anyhow::Result<Run> {
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
    Ok(match model {
        Model::Markov => {
            let fitted = MarkovModel::fit(paths, &settings.markov)?;
            let r = fitted.solve()?;
            let mut extra = json!({
                "order": r.order,
                "states": fitted.state_count(),
                "max_steps": settings.markov.max_steps,
                "conversion_probability": r.conversion_probability,
                "value_per_journey": r.value_per_journey,
                "removal_effects": per_channel(&r.removal_effects),
                "value_removal_effects": per_channel(&r.value_removal_effects),
                "error_bound": r.error_bound,
            });
            if args.transitions {
                extra["transitions"] = serde_json::to_value(fitted.transition_matrix())?;
            }
            Run {
                model,
                credits: r.credits,
                extra,
            }
        }
        Model::ShapleyOrdered => {
            let r = shapley::ordered(paths);
            let extra = json!({
                "conversions_by_position": Value::Object(names.iter().cloned().zip(r.conversions_by_position.iter().map(|v| json!(v))).collect()),
                "value_by_position": Value::Object(names.iter().cloned().zip(r.value_by_position.iter().map(|v| json!(v))).collect()),
            });
            Run {
                model,
                credits: r.credits,
                extra,
            }
        }
        Model::Fractribution => {
            let r = fractribution::fractribution(paths, &settings.fractribution)?;
            let extra = json!({ "transformed_paths": r.summary.len() });
            Run {
                model,
                credits: r.credits,
                extra,
            }
        }
        _ => Run {
            model,
            credits: attribute(paths, model, settings)?,
            extra: Value::Null,
        },
    })
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv(paths: &PathSet, runs: &[Run]) -> String {
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

fn json_report(paths: &PathSet, runs: &[Run], args: &AttributionArgs) -> Value {
    let names = paths.channel_names();
    json!({
        "source": args.paths.as_ref().map(|p| p.display().to_string()),
        "paths": paths.len(),
        "channels": names,
        "totals": {
            "conversions": paths.total_conversions(),
            "non_conversions": paths.total_nulls(),
            "value": paths.total_value(),
        },
        "empty_paths": paths.empty_paths(),
        "models": runs.iter().map(|run| {
            let mut m = json!({
                "model": run.model.name(),
                "credits": names.iter().enumerate().map(|(c, name)| json!({
                    "channel": name,
                    "conversions": run.credits.conversions[c],
                    "value": run.credits.value[c],
                })).collect::<Vec<_>>(),
            });
            if let Value::Object(extra) = &run.extra {
                for (k, v) in extra {
                    m[k] = v.clone();
                }
            }
            m
        }).collect::<Vec<_>>(),
    })
}

fn table(paths: &PathSet, runs: &[Run]) -> String {
    let mut text = String::new();
    let block = |title: &str, pick: &dyn Fn(&Credits) -> &[f64], total: f64| -> String {
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut head = vec![title.to_owned()];
        head.extend(runs.iter().map(|r| r.model.name().to_owned()));
        rows.push(head);
        for (c, name) in paths.channel_names().iter().enumerate() {
            let mut row = vec![name.clone()];
            row.extend(runs.iter().map(|r| format!("{:.2}", pick(&r.credits)[c])));
            rows.push(row);
        }
        let mut sum = vec!["total".to_owned()];
        sum.extend(runs.iter().map(|_| format!("{total:.2}")));
        rows.push(sum);
        align(&rows)
    };
    text.push_str(&block(
        "CONVERSIONS",
        &|c| &c.conversions,
        paths.total_conversions(),
    ));
    if paths.has_values() {
        text.push('\n');
        text.push_str(&block("VALUE", &|c| &c.value, paths.total_value()));
    }
    let empty = paths.empty_paths();
    if empty.rows > 0 {
        text.push_str(&format!(
            "\n{} rows without a channel left out ({} conversions, value {:.2})\n",
            empty.rows, empty.conversions, empty.value
        ));
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
