//! `polku kpis`: the three KPI layers (traffic, user, sales) per channel group, stage or
//! touchpoint.

use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use polku_engine::kpis::{KpiQuery, KpiRow, MapLevel};
use polku_model::Workspace;

use super::funnel::{JourneyFormat, ScopeArgs, aligned, csv_field, tr, with_spinner, write_out};
use crate::tr::Tr;

/// Options of `polku kpis`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "A visit (session) belongs to the channel group of its first event; with \
--by stage or touchpoint, to the stage or touchpoint of its first event that matches the map, \
and visits that match none are a row of their own. Click-through rate, spend, cost per lead \
and return on ad spend come from the imported ad costs (`polku import costs`); over a map, \
only touchpoints whose rules use channel, source, medium or campaign alone get costs.\n\n\
Examples:\n  polku kpis --from 2026-01-01 --to 2026-03-31 --lead lead_created --conversion \
purchase,deal_won\n  polku kpis --by touchpoint --map hr-hanna-current --format csv"
)]
pub struct KpisArgs {
    /// The rows: channel groups, or the stages or touchpoints of a map.
    #[arg(long, value_enum, default_value_t = KpiBy::Channel)]
    pub by: KpiBy,
    /// The map of --by stage|touchpoint (default: the one map with `match` rules).
    #[arg(long, value_name = "MAP_ID")]
    pub map: Option<String>,
    /// The page view event.
    #[arg(long, default_value = "page_view", value_name = "E")]
    pub page_view: String,
    /// Subscription events, comma separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "newsletter_signup,subscribe,sign_up",
        value_name = "E,.."
    )]
    pub subscription: Vec<String>,
    /// Comment events, comma separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "comment",
        value_name = "E,.."
    )]
    pub comment: Vec<String>,
    /// Lead events, comma separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "lead_created,generate_lead,form_submit",
        value_name = "E,.."
    )]
    pub lead: Vec<String>,
    /// Conversion events, comma separated; their `value` is the conversion value.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "purchase,deal_won",
        value_name = "E,.."
    )]
    pub conversion: Vec<String>,
    /// Which events count.
    #[command(flatten)]
    pub scope: ScopeArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = JourneyFormat::Table)]
    pub format: JourneyFormat,
}

/// The rows of `polku kpis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KpiBy {
    /// One row per channel group.
    Channel,
    /// One row per stage of a map.
    Stage,
    /// One row per touchpoint (with `match` rules) of a map.
    Touchpoint,
}

impl KpiBy {
    fn column(self) -> &'static str {
        match self {
            KpiBy::Channel => "channel",
            KpiBy::Stage => "stage",
            KpiBy::Touchpoint => "touchpoint",
        }
    }
}

/// The map to group by: the one asked for, else the only map with `match` rules.
pub(crate) fn bound_map(model: &Workspace, asked: Option<&str>) -> anyhow::Result<String> {
    if let Some(m) = asked {
        return Ok(m.to_owned());
    }
    let bound: Vec<&str> = model
        .maps
        .iter()
        .filter(|m| {
            m.doc
                .stages
                .iter()
                .any(|s| s.touchpoints.iter().any(|t| !t.matches.is_empty()))
        })
        .map(|m| m.doc.id.as_str())
        .collect();
    match bound.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => {
            bail!("no map has touchpoints with `match` rules: bind one (docs/workspace-format.md)")
        }
        many => bail!(
            "several maps have `match` rules ({}): name one with --map",
            many.join(", ")
        ),
    }
}

/// Runs `polku kpis`.
///
/// # Errors
/// When the workspace cannot be read, the options are invalid or the query fails.
pub fn run(args: &KpisArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let query = KpiQuery {
        range: args.scope.range()?,
        page_view: args.page_view.clone(),
        subscription: args.subscription.clone(),
        comment: args.comment.clone(),
        lead: args.lead.clone(),
        conversion: args.conversion.clone(),
        ..KpiQuery::default()
    };
    let (model, analytics) = args.scope.open(workspace)?;
    let level = match args.by {
        KpiBy::Channel => {
            if args.map.is_some() {
                bail!("--map goes with --by stage or --by touchpoint");
            }
            None
        }
        KpiBy::Stage => Some(MapLevel::Stage),
        KpiBy::Touchpoint => Some(MapLevel::Touchpoint),
    };
    let rows = match level {
        None => with_spinner("kpis", || analytics.kpis(&query))?,
        Some(level) => {
            let map = bound_map(&model, args.map.as_deref())?;
            with_spinner("kpis", || {
                analytics.kpis_on_map(&model, &map, level, &query)
            })?
        }
    };
    let key = args.by.column();
    let text = match args.format {
        JourneyFormat::Json => {
            // The row's name goes under the key of what the rows are; a JSON string holds no
            // raw newline, so only the first key of each row can match.
            let text = serde_json::to_string_pretty(&rows)?;
            format!(
                "{}\n",
                text.replace("\n    \"channel\": ", &format!("\n    \"{key}\": "))
            )
        }
        JourneyFormat::Csv => csv(&rows, key),
        JourneyFormat::Table => {
            let tr = tr(&model);
            table(&tr, &rows, &tr.t(&format!("kind-{key}")))
        }
    };
    write_out(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| v.to_string())
}

fn csv(rows: &[KpiRow], key: &str) -> String {
    let mut out = key.to_owned();
    out.push_str(
        ",page_views,visits,unique_visitors,new_visitors,returning_visitors,visit_frequency,\
referral_visits,click_through_rate,avg_visit_s,subscriptions,comments,leads,lead_customers,\
converted_leads,lead_quality,conversions,conversion_value,spend,cost_per_lead,return_on_ad_spend\n",
    );
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(&r.channel),
            r.page_views,
            r.visits,
            r.unique_visitors,
            r.new_visitors,
            r.returning_visitors,
            r.visit_frequency,
            r.referral_visits,
            opt(r.click_through_rate),
            opt(r.avg_visit_s),
            r.subscriptions,
            r.comments,
            r.leads,
            r.lead_customers,
            r.converted_leads,
            opt(r.lead_quality),
            r.conversions,
            r.conversion_value,
            opt(r.spend),
            opt(r.cost_per_lead),
            opt(r.return_on_ad_spend),
        ));
    }
    out
}

fn table(tr: &Tr, rows: &[KpiRow], key: &str) -> String {
    let money = |x: Option<f64>| x.map_or_else(String::new, |v| tr.fixed(v, 2));
    let traffic: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.channel.clone(),
                r.page_views.to_string(),
                r.visits.to_string(),
                r.unique_visitors.to_string(),
                r.new_visitors.to_string(),
                r.returning_visitors.to_string(),
                tr.fixed(r.visit_frequency, 2),
            ]
        })
        .collect();
    let user: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.channel.clone(),
                r.click_through_rate
                    .map_or_else(String::new, |x| tr.share(x)),
                r.avg_visit_s.map_or_else(String::new, |s| tr.seconds(s)),
                r.subscriptions.to_string(),
                r.comments.to_string(),
            ]
        })
        .collect();
    let sales: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.channel.clone(),
                r.lead_customers.to_string(),
                r.converted_leads.to_string(),
                r.lead_quality.map_or_else(String::new, |x| tr.share(x)),
                r.conversions.to_string(),
                tr.fixed(r.conversion_value, 2),
                money(r.spend),
                money(r.cost_per_lead),
                money(r.return_on_ad_spend),
            ]
        })
        .collect();
    let block = |title: &str, columns: &[&str], rows: &[Vec<String>]| {
        let mut header = vec![key.to_owned()];
        header.extend(columns.iter().map(|id| tr.t(id)));
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        format!("{}\n{}", tr.t(title), aligned(&header, rows))
    };
    let mut out = block(
        "kpi-traffic",
        &[
            "kpi-page-views",
            "kpi-visits",
            "kpi-visitors",
            "kpi-new",
            "kpi-returning",
            "kpi-visit-frequency",
        ],
        &traffic,
    );
    out.push('\n');
    out.push_str(&block(
        "kpi-user",
        &[
            "kpi-ctr",
            "kpi-avg-visit",
            "kpi-subscriptions",
            "kpi-comments",
        ],
        &user,
    ));
    out.push('\n');
    out.push_str(&block(
        "kpi-sales",
        &[
            "kpi-leads",
            "kpi-converted",
            "kpi-lead-quality",
            "kpi-conversions",
            "kpi-value",
            "kpi-spend",
            "kpi-cost-per-lead",
            "kpi-roas",
        ],
        &sales,
    ));
    out
}
