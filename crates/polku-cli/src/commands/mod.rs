//! One module per subcommand; [`run`] dispatches.

pub mod abtest;
pub mod attribution;
pub mod breakpoints;
mod catalogue;
mod demo;
mod diff;
pub mod distributions;
pub mod forget;
pub mod funnel;
pub mod generate;
pub mod import;
mod init;
pub mod interviews;
pub mod key;
pub mod kpis;
mod ls;
mod mermaid;
pub mod paths;
pub mod personas;
mod render;
pub mod repeat;
pub mod report;
mod restitch;
pub mod retention;
pub mod segments;
pub mod serve;
pub mod stages;
pub mod stats;
pub mod user;
mod validate;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use polku_model::{Diagnostic, Workspace};
use polku_store::{LoadError, WorkspaceDir};

use crate::args::{Cli, Command, MermaidCommand, PictureArgs, PictureFormat};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ws = cli.workspace.as_path();
    match &cli.command {
        Command::Init(args) => init::run(args),
        Command::Validate => validate::run(ws),
        Command::Ls(args) => ls::run(args, ws),
        Command::Render(args) => render::run(args, ws),
        Command::Diff(args) => diff::run(args, ws),
        Command::Mermaid(MermaidCommand::Import(args)) => mermaid::import(args, ws),
        Command::Mermaid(MermaidCommand::Export(args)) => mermaid::export(args, ws),
        Command::Catalogue(args) => catalogue::run(args, ws),
        Command::Demo(args) => demo::run(args),
        Command::Attribution(args) => attribution::run(args, ws),
        Command::Import(args) => import::run(args, ws),
        Command::Stats(args) => stats::run(args, ws),
        Command::Forget(args) => forget::run(args, ws),
        Command::Restitch => restitch::run(ws),
        Command::Generate(args) => generate::run(args),
        Command::Funnel(args) => funnel::run(args, ws),
        Command::Paths(args) => paths::run(args, ws),
        Command::Stages(args) => stages::run(args, ws),
        Command::Retention(args) => retention::run(args, ws),
        Command::Repeat(args) => repeat::run(args, ws),
        Command::Distributions(args) => distributions::run(args, ws),
        Command::Kpis(args) => kpis::run(args, ws),
        Command::Breakpoints(args) => breakpoints::run(args, ws),
        Command::Abtest(args) => abtest::run(args, ws),
        Command::Report(args) => report::run(args, ws),
        Command::Segments(args) => segments::run(args, ws),
        Command::Interviews(args) => interviews::run(args, ws),
        Command::Personas(command) => personas::run(command, ws),
        Command::Serve(args) => serve::run(args, ws),
        Command::User(cmd) => user::run(cmd, ws),
        Command::Key(cmd) => key::run(cmd, ws),
    }
}

/// An error whose details were already printed (diagnostics); only the exit code is left.
#[derive(Debug, thiserror::Error)]
#[error("reported")]
pub struct Reported;

/// Whether the error is a closed pipe (`polku ls | head`), which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes to standard output.
pub fn out(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Folds events the collector has acknowledged but not yet compacted into the tables, so that
/// a command reading the data sees every one of them.
pub fn fold_collected(workspace: &Path, tr: &crate::tr::Tr) -> anyhow::Result<()> {
    let report = polku_ingest::collect::compact(workspace, polku_ingest::collect::Writer::Unknown)
        .with_context(|| {
            format!(
                "cannot fold the collected events of {} into its tables",
                workspace.display()
            )
        })?;
    if let Some(i) = report.import
        && i.quarantined > 0
    {
        note(&tr.counts("note-collected-refused", &[("n", i.quarantined)]));
    }
    Ok(())
}

/// Writes a line to standard error.
pub fn note(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{text}");
}

/// The path to show for a workspace file, as the user would type it from here.
fn shown(workspace: &Path, file: &str) -> String {
    let p = workspace.join(file);
    p.strip_prefix(".").unwrap_or(&p).display().to_string()
}

/// Prints diagnostics on standard error, with paths as the user would type them.
fn print_diagnostics(workspace: &Path, diagnostics: &[Diagnostic]) {
    let mut stderr = std::io::stderr().lock();
    for d in diagnostics {
        let d = Diagnostic {
            file: shown(workspace, &d.file),
            ..d.clone()
        };
        let _ = writeln!(stderr, "{d}");
    }
}

/// Opens and parses the workspace; prints parse errors and fails on them.
fn load(workspace: &Path) -> anyhow::Result<(WorkspaceDir, Workspace)> {
    let dir = WorkspaceDir::open(workspace)?;
    match dir.load() {
        Ok(ws) => Ok((dir, ws)),
        Err(LoadError::Invalid(diagnostics)) => {
            print_diagnostics(workspace, &diagnostics);
            note(&format!(
                "{} error(s): fix them, or run `polku validate` for the whole list",
                diagnostics.len()
            ));
            Err(Reported.into())
        }
        Err(LoadError::Store(e)) => Err(e.into()),
    }
}

/// Opens the workspace and checks it; fails when any of `files` (or polku.yaml) has errors, and
/// mentions errors elsewhere without failing, so one broken map does not stop work on another.
fn load_checked(workspace: &Path, files: &[&str]) -> anyhow::Result<(WorkspaceDir, Workspace)> {
    let (dir, ws) = load(workspace)?;
    let diagnostics = polku_model::validate(&ws);
    let (relevant, elsewhere): (Vec<_>, Vec<_>) = diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .partition(|d| {
            d.file == polku_model::workspace::CONFIG_FILE || files.contains(&d.file.as_str())
        });
    if !relevant.is_empty() {
        print_diagnostics(workspace, &relevant);
        return Err(Reported.into());
    }
    if !elsewhere.is_empty() {
        note(&format!(
            "note: {} error(s) in other files; run `polku validate`",
            elsewhere.len()
        ));
    }
    Ok((dir, ws))
}

/// The file a map was read from.
fn map_file<'a>(ws: &'a Workspace, id: &str) -> Vec<&'a str> {
    ws.maps
        .iter()
        .filter(|m| m.doc.id.as_str() == id)
        .map(|m| m.file.as_str())
        .collect()
}

/// The picture format: as asked, else from the output file's extension.
fn picture_format(args: &PictureArgs) -> anyhow::Result<PictureFormat> {
    if let Some(f) = args.format {
        return Ok(f);
    }
    let ext = args
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("svg") => Ok(PictureFormat::Svg),
        Some("png") => Ok(PictureFormat::Png),
        Some("pdf") => Ok(PictureFormat::Pdf),
        _ => anyhow::bail!(
            "cannot tell the format from `{}`: pass --format svg|png|pdf or name the file .svg, .png or .pdf",
            args.out.display()
        ),
    }
}

/// Converts an SVG picture to the asked format and writes it atomically.
fn write_picture(svg: &polku_render::Svg, args: &PictureArgs) -> anyhow::Result<PathBuf> {
    let bytes = match picture_format(args)? {
        PictureFormat::Svg => svg.as_str().as_bytes().to_vec(),
        PictureFormat::Png => polku_render::svg_to_png(svg, args.width)?,
        PictureFormat::Pdf => polku_render::svg_to_pdf(svg)?,
    };
    polku_store::write_atomic(&args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    Ok(args.out.clone())
}

fn paper(args: &PictureArgs) -> polku_render::Paper {
    match args.paper {
        crate::args::PaperArg::A3 => polku_render::Paper::A3,
        crate::args::PaperArg::A2 => polku_render::Paper::A2,
    }
}
