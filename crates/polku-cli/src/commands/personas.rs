//! `polku personas sizes|suggest`: personas measured in the data, and persona segments
//! proposed from it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use polku_engine::personas::suggest::{Segment, SuggestQuery, SuggestReport};
use polku_model::{Persona, PersonaId, Workspace, slugify};
use polku_store::WorkspaceDir;

use super::funnel::{ScopeArgs, tr, with_spinner, write_out};
use crate::args::ListFormat;
use crate::tr::Tr;

/// `polku personas` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PersonasCommand {
    /// How many customers each persona's rules take, and how many none takes.
    Sizes(SizesArgs),
    /// Cluster the customers on their attributes and propose persona segments.
    Suggest(SuggestArgs),
}

/// Options of `polku personas sizes`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "A customer belongs to the first persona, in the order of the persona files' \
names, with a rule the customer meets.\n\nExample:\n  polku personas sizes --format json"
)]
pub struct SizesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

/// Options of `polku personas suggest`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Customers are described by the channel group of their first visit, their \
number of visits, whether and how fast they converted, the value of their conversions, the \
attributes named with --attribute and their survey answers. Numbers are standardised, \
categories one-hot encoded, and seeded k-means++ groups them; with --k auto the number of \
segments with the best silhouette wins. The same data and seed give the same segments.\n\n\
Examples:\n  polku personas suggest\n  polku personas suggest --k 3 --format json\n  polku \
personas suggest --k 4 --write"
)]
pub struct SuggestArgs {
    /// The number of segments, or `auto` to choose it by silhouette (2 to 8).
    #[arg(long, default_value = "auto", value_name = "N|auto", value_parser = parse_k)]
    pub k: KArg,
    /// The seed of the clustering.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Customer attributes (event properties, CRM fields) to cluster on; repeat or comma
    /// separate.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "customer_type",
        value_name = "NAME"
    )]
    pub attribute: Vec<String>,
    /// Conversion events, comma separated (their `value` is the conversion value).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "purchase,deal_won",
        value_name = "E,.."
    )]
    pub conversion: Vec<String>,
    /// Write a draft persona file per segment (`personas/segment-N.yaml`) with its rule.
    #[arg(long)]
    pub write: bool,
    /// With --write, replace existing draft files.
    #[arg(long)]
    pub force: bool,
    /// Which events count.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

/// A fixed number of segments, or the best by silhouette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KArg {
    /// Choose by silhouette.
    Auto,
    /// This many.
    Fixed(usize),
}

fn parse_k(s: &str) -> Result<KArg, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(KArg::Auto);
    }
    match s.parse::<usize>() {
        Ok(k) if (1..=50).contains(&k) => Ok(KArg::Fixed(k)),
        _ => Err(format!(
            "`{s}` is not a number of segments from 1 to 50, or `auto`"
        )),
    }
}

/// Runs `polku personas ...`.
///
/// # Errors
/// When the workspace cannot be read or the query fails.
pub fn run(command: &PersonasCommand, workspace: &Path) -> anyhow::Result<ExitCode> {
    match command {
        PersonasCommand::Sizes(args) => sizes(args, workspace),
        PersonasCommand::Suggest(args) => suggest(args, workspace),
    }
}

fn sizes(args: &SizesArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let (model, analytics) = super::funnel::open(workspace)?;
    let sizes = with_spinner("personas", || analytics.persona_sizes(&model))?;
    let text = match args.format {
        ListFormat::Json => format!("{}\n", serde_json::to_string_pretty(&sizes)?),
        ListFormat::Table => {
            let tr = tr(&model);
            let rows: Vec<Vec<String>> = sizes
                .iter()
                .map(|s| {
                    let rules = s.persona.as_deref().map_or(0, |id| {
                        model
                            .personas
                            .iter()
                            .find(|p| p.doc.id.as_str() == id)
                            .map_or(0, |p| p.doc.rules.len())
                    });
                    vec![
                        s.persona
                            .clone()
                            .unwrap_or_else(|| format!("({})", tr.t("personas-none"))),
                        if s.persona.is_some() {
                            rules.to_string()
                        } else {
                            String::new()
                        },
                        s.customers.to_string(),
                        tr.share(s.share),
                    ]
                })
                .collect();
            let header = [
                "bp-persona",
                "personas-rules",
                "unit-customers",
                "paths-share",
            ];
            tr.table(&header, &rows)
        }
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn suggest(args: &SuggestArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let query = SuggestQuery {
        k: match args.k {
            KArg::Auto => None,
            KArg::Fixed(k) => Some(k),
        },
        seed: args.seed,
        attributes: args
            .attribute
            .iter()
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect(),
        conversion: args.conversion.clone(),
        range: args.scope.range()?,
        ..SuggestQuery::default()
    };
    let (model, analytics) = args.scope.open(workspace)?;
    let report = with_spinner("clustering", || analytics.suggest_personas(&query))?;
    let mut text = match args.format {
        ListFormat::Json => format!("{}\n", serde_json::to_string_pretty(&report)?),
        ListFormat::Table => table(&tr(&model), &report),
    };
    if args.write {
        let dir = WorkspaceDir::open(workspace)?;
        for s in &report.segments {
            let file = write_draft(&dir, &model, s, args.force)?;
            if args.format == ListFormat::Table {
                text.push_str(
                    &tr(&model).args("personas-wrote", &[("file", file.display().to_string())]),
                );
                text.push('\n');
            } else {
                super::note(
                    &tr(&model).args("personas-wrote", &[("file", file.display().to_string())]),
                );
            }
        }
    }
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn table(tr: &Tr, r: &SuggestReport) -> String {
    let num = |x: f64| tr.fixed(x, 1);
    let days = |x: Option<f64>| {
        x.map_or_else(
            || "-".into(),
            |d| format!("{} {}", tr.fixed(d, 1), tr.t("unit-day")),
        )
    };
    let percent = |x: f64| tr.share(x);
    let mut out = tr.args(
        "suggest-heading",
        &[
            ("customers", r.customers.to_string()),
            ("k", r.k.to_string()),
            ("seed", r.seed.to_string()),
        ],
    );
    if let Some(s) = r.silhouette {
        out.push_str(&tr.args("suggest-silhouette", &[("silhouette", tr.fixed(s, 2))]));
    }
    out.push_str(")\n\n");
    let mut rows = vec![vec![
        tr.t("bp-all"),
        String::new(),
        r.customers.to_string(),
        percent(1.0),
        num(r.population.visits),
        percent(r.population.conversion_rate),
        days(r.population.median_days_to_conversion),
        num(r.population.value),
    ]];
    rows.extend(r.segments.iter().map(|s| {
        vec![
            s.segment.to_string(),
            s.label.clone(),
            s.customers.to_string(),
            percent(s.share),
            num(s.numbers.visits),
            percent(s.numbers.conversion_rate),
            days(s.numbers.median_days_to_conversion),
            num(s.numbers.value),
        ]
    }));
    let header = [
        "suggest-segment",
        "suggest-label",
        "unit-customers",
        "paths-share",
        "kpi-visits",
        "ab-converted",
        "funnel-median-time",
        "kpi-value",
    ];
    out.push_str(&tr.table(&header, &rows));
    for s in &r.segments {
        out.push_str(&format!(
            "\n{}: {}\n",
            tr.args("suggest-segment-n", &[("segment", s.segment.to_string())]),
            s.label
        ));
        for t in s.traits.iter().take(5) {
            let line = tr.args(
                "suggest-trait",
                &[
                    ("feature", t.feature.clone()),
                    ("value", t.value.clone()),
                    ("share", percent(t.share)),
                    ("all", percent(t.population_share)),
                ],
            );
            out.push_str(&format!("  {line}\n"));
        }
        if s.traits.is_empty() {
            out.push_str(&format!("  {}\n", tr.t("suggest-no-traits")));
        }
    }
    out
}

/// Writes `personas/segment-N.yaml`: a draft persona with the segment's rule.
fn write_draft(
    dir: &WorkspaceDir,
    model: &Workspace,
    s: &Segment,
    force: bool,
) -> anyhow::Result<std::path::PathBuf> {
    let id = format!("segment-{}", s.segment);
    let relative = format!("personas/{id}.yaml");
    if !force && dir.path(&relative).exists() {
        bail!("{relative} exists: pass --force to replace the draft");
    }
    if model
        .personas
        .iter()
        .any(|p| p.doc.id.as_str() == id && p.file != relative)
    {
        bail!("persona id `{id}` is taken by another file");
    }
    let traits: Vec<String> = s
        .traits
        .iter()
        .take(3)
        .map(|t| {
            format!(
                "{} {} ({:.0} % vs {:.0} %)",
                t.feature,
                t.value,
                t.share * 100.0,
                t.population_share * 100.0
            )
        })
        .collect();
    let persona = Persona {
        id: PersonaId::new(slugify(&id)).context("segment id")?,
        name: format!("Segment {}: {}", s.segment, s.label),
        summary: Some(format!(
            "{} customers ({:.0} %){}",
            s.customers,
            s.share * 100.0,
            if traits.is_empty() {
                String::new()
            } else {
                format!(": {}", traits.join(", "))
            }
        )),
        rules: if s.rule.is_empty() {
            Vec::new()
        } else {
            vec![s.rule.clone()]
        },
        ..Persona::default()
    };
    let yaml = serde_norway::to_string(&persona)?;
    let text = format!(
        "# A draft persona from `polku personas suggest`: its rule is the values most of the\n\
         # segment's customers share. Check it against interviews, name the persona and describe\n\
         # it with evidence before use.\n{yaml}"
    );
    Ok(dir.write_file(&relative, &text)?)
}
