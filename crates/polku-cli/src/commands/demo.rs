//! `polku demo`: the bundled example workspaces filled with a synthetic data set and example
//! interviews, the living-map HTML report, and a poster per map.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use polku_engine::Analytics;
use polku_engine::time::date_range;
use polku_ingest::generate::{GenerateOptions, generate};
use polku_ingest::tables::{TableOptions, import_costs, import_interviews, import_survey};
use polku_ingest::{ImportOptions, NoProgress, import_events};
use polku_model::templates::{TemplateKind, template_files};
use polku_model::{JourneyMap, MapKind, Workspace};
use polku_render::{DiffInput, Paper, PosterInput, diff_svg, living_poster_svg, svg_to_pdf};
use polku_store::{WorkspaceDir, write_atomic};

use super::{load, note};
use crate::args::DemoArgs;

/// The demo data's seed: the same demo every time.
const SEED: u64 = 2025;
/// The measured period and the one before it are two months each, inside the generated
/// journeys (which start on 2025-01-01).
const PERIOD: (&str, &str) = ("2025-03-01", "2025-04-30");
/// Interviews per measured map.
const INTERVIEWS: usize = 10;

pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let mut dirs: Vec<(TemplateKind, PathBuf)> = Vec::new();
    for kind in TemplateKind::ALL {
        let dir = args.out.join("workspaces").join(kind.as_str());
        WorkspaceDir::create(&dir, &template_files(kind, args.lang), true)?;
        let (_, ws) = load(&dir)?;
        let errors: Vec<_> = polku_model::validate(&ws)
            .into_iter()
            .filter(|d| d.is_error())
            .collect();
        anyhow::ensure!(
            errors.is_empty(),
            "the bundled {} example is invalid: {}",
            kind.as_str(),
            errors[0]
        );
        dirs.push((kind, dir));
    }

    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_length(3 + 2 * dirs.len() as u64);

    // The data: one synthetic set, its B2B customers for the B2B example and its consumers for
    // the B2C one.
    bar.set_message("generating data");
    let data = args.out.join("data");
    fs_err::create_dir_all(&data)?;
    let events = data.join("events.csv");
    generate(&GenerateOptions {
        customers: args.customers,
        seed: SEED,
        out: events.clone(),
    })?;
    let parts = split_by_customer_type(&events)?;
    bar.inc(1);

    let mut workspaces: Vec<(TemplateKind, Workspace, polku_render::LivingWorkspace)> = Vec::new();
    let range = date_range(Some(PERIOD.0), Some(PERIOD.1))?;
    for (kind, dir) in &dirs {
        bar.set_message(format!("importing into {}", kind.as_str()));
        let part = match kind {
            TemplateKind::B2b => &parts.0,
            TemplateKind::B2c => &parts.1,
        };
        let user = "polku demo".to_owned();
        import_events(
            dir,
            part,
            &ImportOptions {
                user: user.clone(),
                ..ImportOptions::default()
            },
            &NoProgress,
        )?;
        let tables = TableOptions {
            user,
            ..TableOptions::default()
        };
        import_costs(dir, &data.join("events.costs.csv"), &tables)?;
        import_survey(dir, &data.join("events.survey.csv"), &tables)?;
        let (_, ws) = load(dir)?;
        let interviews = data.join(format!("interviews-{}.csv", kind.as_str()));
        write_atomic(&interviews, example_interviews(&ws).as_bytes())?;
        import_interviews(dir, &interviews, &tables)?;
        bar.inc(1);

        bar.set_message(format!("measuring {}", kind.as_str()));
        let analytics = Analytics::open(dir)?;
        let living = super::report::measure(&ws, &analytics, range, None)?;
        workspaces.push((*kind, ws, living));
        bar.inc(1);
    }

    let jobs: Vec<(
        TemplateKind,
        &Workspace,
        &polku_render::LivingWorkspace,
        &JourneyMap,
    )> = workspaces
        .iter()
        .flat_map(|(k, ws, l)| ws.maps.iter().map(move |m| (*k, ws, l, &m.doc)))
        .collect();
    let diffs = jobs
        .iter()
        .filter(|(_, _, _, m)| m.kind == MapKind::Future && m.improves.is_some())
        .count();
    bar.inc_length((jobs.len() + diffs) as u64);
    let posters = args.out.join("posters");
    let mut written = Vec::new();
    for (kind, ws, living, map) in &jobs {
        bar.set_message(format!("poster {}", map.id));
        let persona = map.persona.as_ref().and_then(|p| ws.persona(p));
        let data = living
            .maps
            .iter()
            .find(|m| m.map == map.id.as_str())
            .map(|m| m.data.clone())
            .unwrap_or_default();
        let svg = living_poster_svg(
            &PosterInput {
                workspace: &ws.config.doc,
                persona,
                map,
            },
            &data,
            Paper::A3,
        );
        let path = posters.join(format!("{}-{}.pdf", kind.as_str(), map.id));
        write_atomic(&path, &svg_to_pdf(&svg)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
        bar.inc(1);
        if let (MapKind::Future, Some(current)) =
            (map.kind, map.improves.as_ref().and_then(|c| ws.map(c)))
        {
            bar.set_message(format!("diff {} → {}", current.id, map.id));
            let svg = diff_svg(
                &DiffInput {
                    workspace: &ws.config.doc,
                    persona,
                    current,
                    future: map,
                },
                Paper::A3,
            );
            let path = posters.join(format!(
                "{}-{}-vs-{}.pdf",
                kind.as_str(),
                current.id,
                map.id
            ));
            write_atomic(&path, &svg_to_pdf(&svg)?)
                .with_context(|| format!("cannot write {}", path.display()))?;
            written.push(path);
            bar.inc(1);
        }
    }

    bar.set_message("report.html");
    let first = &workspaces[0].1;
    let pairs: Vec<(&Workspace, polku_render::LivingWorkspace)> = workspaces
        .iter()
        .map(|(_, ws, l)| (ws, l.clone()))
        .collect();
    let report_path = super::report::write_report(&args.out, first, &pairs)?;
    bar.inc(1);
    bar.finish_and_clear();

    note(&format!(
        "wrote {} (open it in a browser), {} posters in {}, example workspaces with data in {}",
        report_path.display(),
        written.len(),
        posters.display(),
        args.out.join("workspaces").display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// Splits the generated events file by its `customer_type` column into `STEM-b2b.csv` and
/// `STEM-b2c.csv`, each with the header.
fn split_by_customer_type(events: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let text = fs_err::read_to_string(events)?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let column = header
        .split(',')
        .position(|c| c == "customer_type")
        .context("the generated events have no customer_type column")?;
    let (mut b2b, mut b2c) = (format!("{header}\n"), format!("{header}\n"));
    for line in lines {
        // Only text columns before customer_type can be quoted; count from the end.
        let from_end = header.split(',').count() - column;
        let value = line.rsplit(',').nth(from_end - 1).unwrap_or_default();
        let target = if value == "b2b" { &mut b2b } else { &mut b2c };
        target.push_str(line);
        target.push('\n');
    }
    let stem = events.with_extension("");
    let paths = (
        PathBuf::from(format!("{}-b2b.csv", stem.display())),
        PathBuf::from(format!("{}-b2c.csv", stem.display())),
    );
    write_atomic(&paths.0, b2b.as_bytes())?;
    write_atomic(&paths.1, b2c.as_bytes())?;
    Ok(paths)
}

/// Example interviews for each measured map (one whose touchpoints have `match` rules): ten
/// interviewees of the map's persona telling, per stage, one or two of its touchpoints with an
/// emotion near the map's own and, now and then, the stage's pain point as a failure and its
/// moment of truth as a joy. Deterministic, so the demo is the same every time.
fn example_interviews(ws: &Workspace) -> String {
    let mut out = String::from(
        "id,interviewee,persona,date,step,touchpoint,stage,emotion,success,joy,failure\n",
    );
    let field = |s: &str| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    };
    for map in ws.maps.iter().map(|m| &m.doc) {
        let bound = map
            .stages
            .iter()
            .any(|s| s.touchpoints.iter().any(|t| !t.matches.is_empty()));
        let Some(persona) = map.persona.as_ref().filter(|_| bound) else {
            continue;
        };
        for i in 0..INTERVIEWS {
            let mut step = 0;
            for (si, stage) in map.stages.iter().enumerate() {
                // A few interviewees never got past the purchase.
                if i % 4 == 3 && si > 2 {
                    break;
                }
                let scores: Vec<f64> = stage.emotions().map(f64::from).collect();
                #[allow(clippy::cast_precision_loss)]
                let base = if scores.is_empty() {
                    0.0
                } else {
                    scores.iter().sum::<f64>() / scores.len() as f64
                };
                for (ti, t) in stage.touchpoints.iter().enumerate().take(2) {
                    if ti == 1 && (i + si).is_multiple_of(2) {
                        continue;
                    }
                    step += 1;
                    // Spread that differs by stage: −2..+2 around the map's score.
                    let offset = ((i * 7 + si * 3 + ti) % 5) as i64 - 2;
                    let spread = if si.is_multiple_of(2) {
                        offset
                    } else {
                        offset / 2
                    };
                    #[allow(clippy::cast_possible_truncation)]
                    let emotion = (base.round() as i64 + spread).clamp(-3, 3);
                    let failure = if i.is_multiple_of(3) && ti == 0 {
                        stage.pain_points.first().map(|p| p.text.as_str())
                    } else {
                        None
                    };
                    let joy = if i % 3 == 1 && ti == 0 {
                        stage.moments_of_truth.first().map(|p| p.text.as_str())
                    } else {
                        None
                    };
                    let success = if emotion >= 2 && ti == 0 {
                        stage.goals.first().map(|g| g.text.as_str())
                    } else {
                        None
                    };
                    let _ = writeln!(
                        out,
                        "{}-{:02},{},{},2025-0{}-{:02},{step},{},{},{emotion},{},{},{}",
                        map.id,
                        i + 1,
                        field(&format!("{} {:02}", persona, i + 1)),
                        persona,
                        3 + i % 2,
                        10 + i,
                        t.id,
                        stage.stage,
                        field(success.unwrap_or("")),
                        field(joy.unwrap_or("")),
                        field(failure.unwrap_or("")),
                    );
                }
            }
        }
    }
    out
}
