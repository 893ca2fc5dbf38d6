//! Renders every bundled template: a poster (SVG, PNG, PDF) per map, a diff picture per future
//! map, and one HTML report, into the folder given as the first argument.
//!
//! `cargo run -p polku-render --example gallery -- /tmp/gallery`

use std::path::PathBuf;

use polku_model::templates::{TemplateKind, template_files};
use polku_model::{JourneyMap, Language, Persona, WorkspaceConfig};
use polku_render::{
    DiffInput, Paper, PosterInput, ReportInput, ReportWorkspace, diff_svg, poster_svg, report_html,
    svg_to_pdf, svg_to_png,
};

struct Loaded {
    name: String,
    workspace: WorkspaceConfig,
    personas: Vec<Persona>,
    maps: Vec<JourneyMap>,
}

fn load(kind: TemplateKind, lang: Language) -> Loaded {
    let files = template_files(kind, lang);
    let mut workspace = None;
    let mut personas = Vec::new();
    let mut maps = Vec::new();
    for (path, text) in files {
        let stem = path.rsplit('/').next().unwrap().trim_end_matches(".yaml");
        if path == "polku.yaml" {
            workspace = Some(serde_norway::from_str(text).expect(path));
        } else if path.starts_with("personas/") {
            let mut p: Persona = serde_norway::from_str(text).expect(path);
            if p.id.is_empty() {
                p.id = stem.parse().unwrap();
            }
            personas.push(p);
        } else if path.starts_with("maps/") {
            let mut m: JourneyMap = serde_norway::from_str(text).expect(path);
            if m.id.is_empty() {
                m.id = stem.parse().unwrap();
            }
            maps.push(m);
        }
    }
    Loaded {
        name: format!("{}-{}", kind.as_str(), lang.code()),
        workspace: workspace.expect("polku.yaml"),
        personas,
        maps,
    }
}

fn main() {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "gallery".into()));
    std::fs::create_dir_all(&out).unwrap();
    let paper = match std::env::args().nth(2).as_deref() {
        Some("a2") => Paper::A2,
        _ => Paper::A3,
    };
    let mut all = Vec::new();
    for kind in TemplateKind::ALL {
        for lang in [Language::Fi, Language::En] {
            all.push(load(kind, lang));
        }
    }
    for ws in &all {
        for map in &ws.maps {
            let persona = map
                .persona
                .as_ref()
                .and_then(|id| ws.personas.iter().find(|p| &p.id == id));
            let svg = poster_svg(
                &PosterInput {
                    workspace: &ws.workspace,
                    persona,
                    map,
                },
                paper,
            );
            let base = out.join(format!("{}-{}", ws.name, map.id));
            std::fs::write(base.with_extension("svg"), svg.as_str()).unwrap();
            std::fs::write(base.with_extension("png"), svg_to_png(&svg, 3508).unwrap()).unwrap();
            std::fs::write(base.with_extension("pdf"), svg_to_pdf(&svg).unwrap()).unwrap();
            if let Some(current) = map
                .improves
                .as_ref()
                .and_then(|id| ws.maps.iter().find(|m| &m.id == id))
            {
                let input = DiffInput {
                    workspace: &ws.workspace,
                    persona,
                    current,
                    future: map,
                };
                let svg = diff_svg(&input, paper);
                let base = out.join(format!("{}-diff-{}", ws.name, map.id));
                std::fs::write(base.with_extension("svg"), svg.as_str()).unwrap();
                std::fs::write(base.with_extension("png"), svg_to_png(&svg, 3508).unwrap())
                    .unwrap();
                std::fs::write(base.with_extension("pdf"), svg_to_pdf(&svg).unwrap()).unwrap();
                let summary = polku_model::diff::diff_maps(current, map).summary(&ws.workspace);
                std::fs::write(base.with_extension("txt"), summary).unwrap();
            }
        }
    }
    let report = ReportInput {
        title: "polku",
        workspaces: all
            .iter()
            .map(|l| ReportWorkspace {
                workspace: &l.workspace,
                personas: &l.personas,
                maps: &l.maps,
            })
            .collect(),
    };
    std::fs::write(out.join("report.html"), report_html(&report)).unwrap();
}
