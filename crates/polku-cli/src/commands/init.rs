//! `polku init`: a new workspace from a template.

use std::process::ExitCode;

use anyhow::Context as _;
use polku_model::catalogue::Catalogue;
use polku_model::templates::template_files;
use polku_model::workspace::{CONFIG_FILE, MAPS_DIR};
use polku_model::{JourneyMap, WorkspaceConfig};
use polku_store::WorkspaceDir;

use super::{load, note};
use crate::args::InitArgs;

pub fn run(args: &InitArgs) -> anyhow::Result<ExitCode> {
    let files = template_files(args.template, args.lang);
    anyhow::ensure!(
        !files.is_empty(),
        "the {} template has no {} files",
        args.template.as_str(),
        args.lang.code()
    );
    let files: Vec<(String, String)> = match &args.stages {
        None => files
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect(),
        Some(variant) => with_stage_variant(&files, variant, args.lang)?,
    };
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    WorkspaceDir::create(&args.dir, &borrowed, args.force)?;
    let (_, ws) = load(&args.dir)?;
    note(&format!(
        "Created {} workspace `{}` in {} ({}): {} personas, {} maps.\nNext: polku -w {} render {} --out poster.pdf",
        args.template.as_str(),
        ws.config.doc.name,
        args.dir.display(),
        args.lang.code(),
        ws.personas.len(),
        ws.maps.len(),
        args.dir.display(),
        ws.maps.first().map_or("MAP_ID", |m| m.doc.id.as_str()),
    ));
    Ok(ExitCode::SUCCESS)
}

/// The template's files with its stages replaced by a stage variant: each map stage moves to the
/// variant's first stage of the same phase, so the content lands where it belongs.
fn with_stage_variant(
    files: &[(&str, &str)],
    variant_id: &str,
    lang: polku_model::Language,
) -> anyhow::Result<Vec<(String, String)>> {
    let catalogue = Catalogue::builtin();
    let variant = catalogue.variant(variant_id).with_context(|| {
        let ids: Vec<&str> = catalogue
            .stage_variants
            .iter()
            .map(|v| v.id.as_str())
            .collect();
        format!(
            "unknown stage variant `{variant_id}`{}; variants: {}",
            polku_model::suggest::did_you_mean(variant_id, ids.iter().copied()),
            ids.join(", ")
        )
    })?;
    let config_text = files
        .iter()
        .find(|(p, _)| *p == CONFIG_FILE)
        .context("the template has no polku.yaml")?
        .1;
    let mut config: WorkspaceConfig = serde_norway::from_str(config_text)?;
    let old = std::mem::replace(&mut config.stages, variant.stage_defs(lang));
    let mut out = vec![(CONFIG_FILE.to_owned(), serde_norway::to_string(&config)?)];
    for (path, text) in files {
        if *path == CONFIG_FILE {
            continue;
        }
        if !path.starts_with(MAPS_DIR) {
            out.push(((*path).to_owned(), (*text).to_owned()));
            continue;
        }
        let mut map: JourneyMap = serde_norway::from_str(text)?;
        for stage in map.stages.iter_mut().filter(|s| s.name.is_none()) {
            let Some(def) = old.iter().find(|d| d.id == stage.stage) else {
                continue;
            };
            match def
                .phase
                .and_then(|p| config.stages.iter().find(|d| d.phase == Some(p)))
            {
                Some(target) => stage.stage = target.id.clone(),
                // The variant has no stage of this phase (e.g. no loyalty stage): the content
                // stays, as a stage of the map's own.
                None => {
                    stage.name = Some(def.name.clone());
                    stage.phase = def.phase;
                }
            }
        }
        out.push(((*path).to_owned(), serde_norway::to_string(&map)?));
    }
    Ok(out)
}
