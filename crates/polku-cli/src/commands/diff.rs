//! `polku diff`: current vs future state on one picture, and a summary on standard output.

use std::path::Path;
use std::process::ExitCode;

use polku_model::MapKind;
use polku_render::{DiffInput, diff_svg};

use super::render::persona_file;
use super::{load, load_checked, map_file, note, out, paper, write_picture};
use crate::args::DiffArgs;

pub fn run(args: &DiffArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let (_, ws) = load(workspace)?;
    let mut files = map_file(&ws, &args.current);
    files.extend(map_file(&ws, &args.future));
    for id in [&args.current, &args.future] {
        let map = ws.map_by_name(id).map_err(anyhow::Error::msg)?;
        files.extend(persona_file(&ws, map));
    }
    let (_, ws) = load_checked(workspace, &files)?;
    let current = ws.map_by_name(&args.current).map_err(anyhow::Error::msg)?;
    let future = ws.map_by_name(&args.future).map_err(anyhow::Error::msg)?;
    if future.kind != MapKind::Future {
        note(&format!(
            "note: `{}` is a `{}` map, not a future-state map",
            future.id,
            future.kind.as_str()
        ));
    }
    if future.improves.as_ref().is_some_and(|i| i != &current.id) {
        note(&format!(
            "note: `{}` improves `{}`, not `{}`",
            future.id,
            future.improves.as_ref().map_or("", |i| i.as_str()),
            current.id
        ));
    }
    let persona = future
        .persona
        .as_ref()
        .or(current.persona.as_ref())
        .and_then(|p| ws.persona(p));
    let svg = diff_svg(
        &DiffInput {
            workspace: &ws.config.doc,
            persona,
            current,
            future,
        },
        paper(&args.picture),
    );
    let path = write_picture(&svg, &args.picture)?;
    let diff = polku_model::diff::diff_maps(current, future);
    out(&diff.summary(&ws.config.doc))?;
    note(&format!("wrote {}", path.display()));
    Ok(ExitCode::SUCCESS)
}
