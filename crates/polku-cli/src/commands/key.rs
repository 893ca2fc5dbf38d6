//! `polku key add|ls|rm`: write keys of the event collector.

use std::path::Path;
use std::process::ExitCode;

use polku_store::{AppDb, WorkspaceDir};

/// `polku key` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Make a write key; it is printed once and only its hash is kept.
    Add {
        /// A name that says where the key is used, e.g. `website`.
        #[arg(long)]
        name: String,
    },
    /// List the write keys: name, first characters, when and by whom made.
    Ls,
    /// Remove a write key; senders using it get 401 from then on.
    Rm {
        /// The key's name.
        name: String,
    },
}

/// Runs `polku key`.
///
/// # Errors
/// When the workspace or its database cannot be opened.
pub fn run(cmd: &KeyCommand, workspace: &Path) -> anyhow::Result<ExitCode> {
    WorkspaceDir::open(workspace)?;
    let mut db = AppDb::open(workspace)?;
    match cmd {
        KeyCommand::Add { name } => {
            let key = db.add_write_key(name, &polku_ingest::current_user())?;
            super::out(&format!("{key}\n"))?;
            super::note(
                "this key is shown only once: put it in the sender's settings now (see /snippet of `polku serve`)",
            );
        }
        KeyCommand::Ls => {
            let mut text = String::new();
            for k in db.write_keys()? {
                text.push_str(&format!(
                    "{:<20} {}…  {}  {}\n",
                    k.name, k.prefix, k.created_at, k.created_by
                ));
            }
            super::out(&text)?;
        }
        KeyCommand::Rm { name } => {
            if !db.remove_write_key(name)? {
                super::note(&format!(
                    "no write key is named `{name}`; see `polku key ls`"
                ));
                return Ok(ExitCode::FAILURE);
            }
            super::out(&format!("removed write key `{name}`\n"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
