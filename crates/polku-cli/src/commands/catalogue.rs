//! `polku catalogue`: the built-in stage variants and touchpoints.

use std::path::Path;
use std::process::ExitCode;

use polku_model::catalogue::Catalogue;
use polku_model::{Language, Phase};
use polku_store::WorkspaceDir;

use super::ls::table;
use super::out;
use crate::args::{CatalogueArgs, ListFormat};

pub fn run(args: &CatalogueArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let catalogue = Catalogue::builtin();
    let lang = args.lang.unwrap_or_else(|| workspace_language(workspace));
    let phase = match &args.phase {
        None => None,
        Some(name) => Some(
            Phase::ALL
                .into_iter()
                .find(|p| p.as_str() == name)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "unknown phase `{name}`{}: use one of {}",
                        polku_model::suggest::did_you_mean(
                            name,
                            Phase::ALL.iter().map(|p| p.as_str())
                        ),
                        Phase::ALL.map(Phase::as_str).join(", ")
                    )
                })?,
        ),
    };
    let touchpoints: Vec<_> = catalogue
        .touchpoints
        .iter()
        .filter(|t| phase.is_none_or(|p| t.phases.contains(&p)))
        .collect();
    match args.format {
        ListFormat::Json => {
            let value = serde_json::json!({
                "stage_variants": catalogue.stage_variants,
                "touchpoints": touchpoints,
            });
            out(&format!("{}\n", serde_json::to_string_pretty(&value)?))?;
        }
        ListFormat::Table => {
            let mut text = String::new();
            for v in &catalogue.stage_variants {
                let stages: Vec<&str> = v.stages.iter().map(|s| s.name.get(lang)).collect();
                text.push_str(&format!(
                    "{} ({}): {}\n",
                    v.id,
                    v.name.get(lang),
                    stages.join(" → ")
                ));
            }
            text.push('\n');
            let mut rows = vec![[
                "ID".to_owned(),
                "KIND".to_owned(),
                "NAME".to_owned(),
                "PHASES".to_owned(),
            ]];
            rows.extend(touchpoints.iter().map(|t| {
                [
                    t.id.to_string(),
                    t.kind.as_str().to_owned(),
                    t.name.get(lang).to_owned(),
                    t.phases
                        .iter()
                        .map(|p| p.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                ]
            }));
            text.push_str(&table(&rows));
            out(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn workspace_language(workspace: &Path) -> Language {
    WorkspaceDir::open(workspace)
        .ok()
        .and_then(|d| d.load().ok())
        .map_or(Language::Fi, |ws| ws.config.doc.language)
}
