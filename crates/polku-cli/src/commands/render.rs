//! `polku render`: a map as a wall poster, with the evidence behind each lane and, with
//! `--with-data`, the measured numbers.

use std::path::Path;
use std::process::ExitCode;

use polku_engine::Analytics;
use polku_engine::breakpoints::PersonaSplit;
use polku_engine::time::date_range;
use polku_render::{PosterInput, living_poster_svg};

use super::funnel::restrict;
use super::{load_checked, map_file, note, paper, write_picture};
use crate::args::RenderArgs;

pub fn run(args: &RenderArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let (_, ws) = super::load(workspace)?;
    let map = ws.map_by_name(&args.map).map_err(anyhow::Error::msg)?;
    let mut files = map_file(&ws, &args.map);
    files.extend(persona_file(&ws, map));
    let (_, ws) = load_checked(workspace, &files)?;
    let map = ws.map_by_name(&args.map).map_err(anyhow::Error::msg)?;
    let persona = map.persona.as_ref().and_then(|p| ws.persona(p));
    let analytics = Analytics::open(workspace)?;
    let period = if args.with_data {
        let range = date_range(args.from.as_deref(), args.to.as_deref())?;
        let period = super::report::period_of(&analytics, range)?;
        if period.is_none() {
            note("note: the workspace has no events yet, so the poster has no numbers");
        }
        period
    } else {
        None
    };
    // A persona's numbers come from a session narrowed to its customers; its breakpoints set
    // it against everyone else's, so they read the whole data (as `polku report` does).
    let narrowed = match &args.persona {
        Some(_) => Some(restrict(
            Analytics::open(workspace)?,
            &ws,
            args.persona.as_deref(),
        )?),
        None => None,
    };
    let split = args
        .persona
        .clone()
        .map_or(PersonaSplit::Each, PersonaSplit::One);
    let (measured, _) = super::report::measure_one(
        &ws,
        narrowed.as_ref().unwrap_or(&analytics),
        map,
        period,
        args.with_data,
        (&analytics, &split),
    )?;
    if args.with_data && period.is_some() && !measured.data.numbers {
        note(&format!(
            "note: no touchpoint of `{}` has `match` rules, so the poster has no numbers",
            map.id
        ));
    }
    let svg = living_poster_svg(
        &PosterInput {
            workspace: &ws.config.doc,
            persona,
            map,
        },
        &measured.data,
        paper(&args.picture),
    );
    let path = write_picture(&svg, &args.picture)?;
    note(&format!("wrote {}", path.display()));
    Ok(ExitCode::SUCCESS)
}

/// The file of the persona a map names, if any.
pub fn persona_file<'a>(
    ws: &'a polku_model::Workspace,
    map: &polku_model::JourneyMap,
) -> Option<&'a str> {
    let id = map.persona.as_ref()?;
    ws.personas
        .iter()
        .find(|p| &p.doc.id == id)
        .map(|p| p.file.as_str())
}
