//! The journey map YAML parser and validator on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polku_model::{Workspace, WorkspaceFile};

const CONFIG: &str = "name: Fuzz\nstages:\n  - id: awareness\n    name: Awareness\n  - id: purchase\n    name: Purchase\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let files = [
        WorkspaceFile { path: "polku.yaml".into(), text: CONFIG.into() },
        WorkspaceFile { path: "maps/fuzz.yaml".into(), text: text.into() },
    ];
    if let Ok(ws) = Workspace::parse(&files) {
        let _ = polku_model::validate(&ws);
    }
});
