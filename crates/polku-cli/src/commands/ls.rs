//! `polku ls`: the personas and maps of a workspace.

use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use super::{load, out};
use crate::args::{ListFormat, LsArgs};

pub fn run(args: &LsArgs, workspace: &Path) -> anyhow::Result<ExitCode> {
    let (_, ws) = load(workspace)?;
    match args.format {
        ListFormat::Json => {
            let value = json!({
                "personas": ws.personas.iter().map(|p| json!({"id": p.doc.id, "name": p.doc.name})).collect::<Vec<_>>(),
                "maps": ws.maps.iter().map(|m| json!({
                    "id": m.doc.id,
                    "title": m.doc.title,
                    "persona": m.doc.persona,
                    "kind": m.doc.kind.as_str(),
                })).collect::<Vec<_>>(),
            });
            out(&format!("{}\n", serde_json::to_string_pretty(&value)?))?;
        }
        ListFormat::Table => {
            let mut rows = vec![[
                "PERSONA".to_owned(),
                "NAME".to_owned(),
                String::new(),
                String::new(),
            ]];
            rows.extend(ws.personas.iter().map(|p| {
                [
                    p.doc.id.to_string(),
                    p.doc.name.clone(),
                    String::new(),
                    String::new(),
                ]
            }));
            let mut text = table(&rows);
            let mut rows = vec![[
                "MAP".to_owned(),
                "KIND".to_owned(),
                "PERSONA".to_owned(),
                "TITLE".to_owned(),
            ]];
            rows.extend(ws.maps.iter().map(|m| {
                [
                    m.doc.id.to_string(),
                    m.doc.kind.as_str().to_owned(),
                    m.doc
                        .persona
                        .as_ref()
                        .map_or_else(|| "-".to_owned(), ToString::to_string),
                    m.doc.title.clone(),
                ]
            }));
            text.push('\n');
            text.push_str(&table(&rows));
            out(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Left-aligned columns separated by two spaces; trailing empty columns dropped.
pub fn table<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < N {
                line.extend(std::iter::repeat_n(
                    ' ',
                    widths[i] - cell.chars().count() + 2,
                ));
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}
