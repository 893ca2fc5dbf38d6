//! `polku render`: a map as a wall poster.

use std::path::Path;
use std::process::ExitCode;

use polku_render::{PosterInput, poster_svg};

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
    let svg = poster_svg(
        &PosterInput {
            workspace: &ws.config.doc,
            persona,
            map,
        },
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
