//! `polku user`: the users of the web workbench.

use std::io::BufRead as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use polku_server::Role;
use polku_store::WorkspaceDir;

use super::{note, out};

/// What a user may do in the workbench.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RoleArg {
    /// Reads personas, maps and dashboards.
    Viewer,
    /// Also edits personas and maps.
    Editor,
    /// Also manages users.
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Self {
        match r {
            RoleArg::Viewer => Role::Viewer,
            RoleArg::Editor => Role::Editor,
            RoleArg::Admin => Role::Admin,
        }
    }
}

/// The `polku user` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add a user, or set the role and password of an existing one.
    Add(UserAddArgs),
    /// List the users and their roles.
    Ls,
}

/// Options of `polku user add`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  printf '%s\\n' \"$PASSWORD\" | polku user add anni --role editor --password-stdin"
)]
pub struct UserAddArgs {
    /// The sign-in name.
    pub name: String,
    /// What the user may do.
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Read the password from the first line of standard input (never from the command line,
    /// where shell history and process lists would keep it).
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

/// Runs `polku user`.
///
/// # Errors
/// When the workspace or its database cannot be opened, or the name or password is refused.
pub fn run(cmd: &UserCommand, workspace: &Path) -> anyhow::Result<ExitCode> {
    let dir = WorkspaceDir::open(workspace)?;
    match cmd {
        UserCommand::Add(args) => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("cannot read the password from standard input")?;
            let password = line.trim_end_matches(['\n', '\r']);
            if password.is_empty() {
                bail!("no password on standard input");
            }
            let created =
                polku_server::users::add_user(dir.root(), &args.name, args.role.into(), password)?;
            let role: Role = args.role.into();
            note(&format!(
                "{} user `{}` ({})",
                if created { "added" } else { "updated" },
                args.name,
                role.as_str()
            ));
        }
        UserCommand::Ls => {
            let mut text = String::new();
            for u in polku_server::users::list(dir.root())? {
                text.push_str(&format!("{}\t{}\n", u.name, u.role.as_str()));
            }
            out(&text)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
