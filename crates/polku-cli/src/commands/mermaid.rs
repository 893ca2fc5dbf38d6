//! `polku mermaid import|export`: Mermaid `journey` diagrams.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use polku_model::mermaid::{ImportOptions, export as to_mermaid, import as from_mermaid};
use polku_model::{MapId, PersonaId};

use super::{load, load_checked, map_file, note, out, print_diagnostics, shown};
use crate::args::{MermaidExportArgs, MermaidImportArgs};

pub fn import(args: &MermaidImportArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let (dir, ws) = load(workspace)?;
    let text = fs_err::read_to_string(&args.file)?;
    let options = ImportOptions {
        id: args.id.as_deref().map(MapId::new).transpose()?,
        persona: args.persona.as_deref().map(PersonaId::new).transpose()?,
        kind: args.kind,
    };
    if let Some(p) = &options.persona {
        anyhow::ensure!(
            ws.persona(p).is_some(),
            "no persona `{p}` in this workspace (see `polku ls`)"
        );
    }
    let file = args.file.display().to_string();
    let map = match from_mermaid(&file, &text, &ws.config.doc, &options) {
        Ok(map) => map,
        Err(diagnostic) => {
            print_diagnostics(Path::new(""), &[diagnostic]);
            return Ok(ExitCode::FAILURE);
        }
    };
    if ws.map(&map.id).is_some() && !args.force {
        anyhow::bail!(
            "a map `{}` exists already: pass --id NEW_ID, or --force to replace it",
            map.id
        );
    }
    let path = dir.write_map(&map)?;
    let stages = map.stages.len();
    let steps: usize = map.stages.iter().map(|s| s.actions.len()).sum();
    note(&format!(
        "imported `{}`: {stages} stages, {steps} steps → {}",
        map.id,
        path.display()
    ));
    let (_, ws) = load(workspace)?;
    let problems: Vec<_> = polku_model::validate(&ws)
        .into_iter()
        .filter(|d| d.file == format!("maps/{}.yaml", map.id))
        .collect();
    if !problems.is_empty() {
        print_diagnostics(workspace, &problems);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export(args: &MermaidExportArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let (_, ws) = load(workspace)?;
    ws.map_by_name(&args.map).map_err(anyhow::Error::msg)?;
    let (_, ws) = load_checked(workspace, &map_file(&ws, &args.map))?;
    let map = ws.map_by_name(&args.map).map_err(anyhow::Error::msg)?;
    let persona = map.persona.as_ref().and_then(|p| ws.persona(p));
    let text = to_mermaid(map, &ws.config.doc, persona);
    match &args.out {
        Some(path) => {
            polku_store::write_atomic(path, text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            note(&format!(
                "wrote {}",
                shown(Path::new(""), &path.display().to_string())
            ));
        }
        None => out(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}
