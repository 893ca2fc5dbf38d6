//! `polku demo`: the bundled example workspaces, an HTML report and a poster per map.

use std::process::ExitCode;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use polku_model::templates::{TemplateKind, template_files};
use polku_model::{MapKind, Workspace};
use polku_render::{
    DiffInput, Paper, PosterInput, ReportInput, ReportWorkspace, diff_svg, poster_svg, report_html,
    svg_to_pdf,
};
use polku_store::{WorkspaceDir, write_atomic};

use super::{load, note};
use crate::args::DemoArgs;

pub fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let mut workspaces: Vec<(TemplateKind, Workspace)> = Vec::new();
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
        workspaces.push((kind, ws));
    }

    let jobs: Vec<(&TemplateKind, &Workspace, &polku_model::JourneyMap)> = workspaces
        .iter()
        .flat_map(|(k, ws)| ws.maps.iter().map(move |m| (k, ws, &m.doc)))
        .collect();
    let diffs = jobs
        .iter()
        .filter(|(_, _, m)| m.kind == MapKind::Future && m.improves.is_some())
        .count();
    let bar = ProgressBar::new((jobs.len() + diffs + 1) as u64).with_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let posters = args.out.join("posters");
    let mut written = Vec::new();
    for (kind, ws, map) in &jobs {
        bar.set_message(format!("poster {}", map.id));
        let persona = map.persona.as_ref().and_then(|p| ws.persona(p));
        let svg = poster_svg(
            &PosterInput {
                workspace: &ws.config.doc,
                persona,
                map,
            },
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
    let personas: Vec<Vec<polku_model::Persona>> = workspaces
        .iter()
        .map(|(_, ws)| ws.personas.iter().map(|p| p.doc.clone()).collect())
        .collect();
    let maps: Vec<Vec<polku_model::JourneyMap>> = workspaces
        .iter()
        .map(|(_, ws)| ws.maps.iter().map(|m| m.doc.clone()).collect())
        .collect();
    let report = report_html(&ReportInput {
        title: "polku",
        workspaces: workspaces
            .iter()
            .zip(personas.iter().zip(&maps))
            .map(|((_, ws), (personas, maps))| ReportWorkspace {
                workspace: &ws.config.doc,
                personas,
                maps,
            })
            .collect(),
    });
    let report_path = args.out.join("report.html");
    write_atomic(&report_path, report.as_bytes())
        .with_context(|| format!("cannot write {}", report_path.display()))?;
    bar.inc(1);
    bar.finish_and_clear();

    note(&format!(
        "wrote {} (open it in a browser), {} posters in {}, example workspaces in {}",
        report_path.display(),
        written.len(),
        posters.display(),
        args.out.join("workspaces").display()
    ));
    Ok(ExitCode::SUCCESS)
}
